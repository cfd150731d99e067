/// A plain-text table for a terminal: the first `leftColumns` columns left-aligned (names),
/// the rest right-aligned (numbers), two spaces between columns.
func renderTable(_ rows: [[String]], leftColumns: Int = 1) -> String {
    guard let first = rows.first else { return "" }
    let widths = first.indices.map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { c, cell in
            let pad = String(repeating: " ", count: widths[c] - cell.count)
            return c < leftColumns ? (c == row.count - 1 ? cell : cell + pad) : pad + cell
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}
