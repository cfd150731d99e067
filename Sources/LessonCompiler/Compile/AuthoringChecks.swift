import Foundation

/// Checks for what a designer writes that Markdown reads otherwise: text it would drop or join to
/// something else, and near misses of lessonc's own syntax. Each says what happens and how to fix it.
extension LessonCompiler.State {
    /// The source line with this 1-based number in the lesson body.
    mutating func sourceLine(_ n: Int) -> Substring {
        n >= 1 && n <= lines.count ? lines[n - 1] : ""
    }

    // MARK: Paragraphs

    mutating func checkParagraph(_ node: MarkdownNode) {
        if quoteDepth > 0, let lazy = lazyLines(node).first {
            report(.warning, .lazyContinuation, "this line has no '>', so Markdown joins it to the quoted paragraph above; put a blank line before it to end the quote, or '> ' at its start to keep it inside", line: lazy, byteColumn: 1)
        }
        checkHeadingWithoutSpace(node)
        checkTableWithoutDelimiter(node)
    }

    /// Lines after the first of a paragraph inside block quotes that carry fewer '>' than the quote is
    /// deep: Markdown joins such a "lazy" line to the paragraph, which is rarely what the writer meant.
    mutating func lazyLines(_ node: MarkdownNode) -> [Int] {
        guard quoteDepth > 0, node.endLine > node.line else { return [] }
        return (node.line + 1...node.endLine).filter { LessonCompiler.quoteMarkers(sourceLine($0)) < quoteDepth }
    }

    /// `##Heading` is a paragraph in Markdown: a heading needs a space after its '#' marks.
    /// Read on the source bytes of each line of the paragraph (an escaped `\##` starts with '\').
    mutating func checkHeadingWithoutSpace(_ node: MarkdownNode) {
        for n in node.line...max(node.line, node.endLine) {
            let line = sourceLine(n).utf8
            let text = n == node.line ? line.dropFirst(max(0, node.column - 1)) : line.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x3E })
            guard text.first == UInt8(ascii: "#") else { continue }
            let hashes = text.prefix(while: { $0 == UInt8(ascii: "#") }).count
            guard (2...6).contains(hashes), let next = text.dropFirst(hashes).first,
                  next != UInt8(ascii: " "), next != UInt8(ascii: "\t"), next != 0x0D else { continue }
            let written = String(decoding: text.prefix(while: { $0 != UInt8(ascii: " ") && $0 != 0x0D }), as: UTF8.self)
            let heading = String(repeating: "#", count: hashes) + " " + written.dropFirst(hashes)
            report(.error, .headingNoSpace, "'\(written)' is not a heading; put a space after the '#' marks: '\(heading)'",
                   line: n, byteColumn: line.distance(from: line.startIndex, to: text.startIndex) + 1)
        }
    }

    /// Lines of pipes without a `|---|` row under the first are a paragraph, not a table.
    mutating func checkTableWithoutDelimiter(_ node: MarkdownNode) {
        // Nearly every paragraph is ruled out by its first byte.
        let first = sourceLine(node.line).utf8.dropFirst(max(0, node.column - 1))
        guard first.first == UInt8(ascii: "|") else { return }
        var rows: [Substring] = []
        for n in node.line...max(node.line, node.endLine) {
            let line = sourceLine(n)
            let text = n == node.line ? line.utf8.dropFirst(max(0, node.column - 1)) : line.utf8.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x3E })
            rows.append(Substring(text).trimmingCharacters(in: .whitespacesAndNewlines)[...])
        }
        func isRow(_ r: Substring) -> Bool { r.hasPrefix("|") && r.filter({ $0 == "|" }).count >= 2 && (rows.count > 1 || r.hasSuffix("|")) }
        guard rows.allSatisfy(isRow) else { return }
        let header = LessonCompiler.tableCells(rows[0]).count
        if rows.count > 1, rows[1].allSatisfy({ "|-: \t".contains($0) }), rows[1].contains("-") {
            let delimiter = LessonCompiler.tableCells(rows[1]).count
            report(.error, .tableNoDelimiter, "this is not read as a table: its header row has \(header) cell\(header == 1 ? "" : "s") but the '|---|' row under it has \(delimiter); give both the same number of cells", node)
        } else {
            let example = "|" + String(repeating: "---|", count: max(1, header))
            report(.error, .tableNoDelimiter, "this is not read as a table: a table needs a delimiter row such as '\(example)' right under its header row", node)
        }
    }

    // MARK: Tables

    /// cmark-gfm drops the cells of a row beyond the header's count without a word.
    mutating func checkTableRows(_ node: MarkdownNode) {
        let columns = node.tableAlignments.count
        for row in node.children where !row.isHeaderRow {
            let line = sourceLine(row.line)
            let start = line.utf8.index(line.utf8.startIndex, offsetBy: max(0, row.column - 1), limitedBy: line.utf8.endIndex) ?? line.utf8.endIndex
            let cells = LessonCompiler.tableCells(line[start...])
            guard cells.count > columns else { continue }
            let extra = cells[columns...].filter { !$0.text.isEmpty }
            guard let first = extra.first else { continue }
            let texts = extra.map { "'\($0.text)'" }.joined(separator: ", ")
            report(.error, .tableExtraCells, "this row has \(cells.count) cells but the table has \(columns) columns, so \(texts) would be dropped; add \(cells.count - columns == 1 ? "a column" : "columns") to the header and '|---|' rows, or remove the extra cell\(extra.count == 1 ? "" : "s")",
                   line: row.line, byteColumn: row.column + line.utf8.distance(from: start, to: first.start))
        }
    }

    // MARK: Code, HTML

    mutating func checkCodeBlock(_ node: MarkdownNode) {
        if node.fenced {
            let words = node.fenceInfo.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count > 1 {
                let ignored = node.fenceInfo.drop(while: { $0 == " " }).dropFirst(words[0].count).trimmingCharacters(in: .whitespaces)
                report(.warning, .codeInfoIgnored, "only the first word after the code fence, '\(words[0])', is kept (as the code's language); '\(ignored)' is ignored", node)
            }
            return
        }
        // In a list, indented code is plausible; elsewhere it is usually a paragraph indented by mistake.
        guard listDepth == 0 else { return }
        let lead = sourceLine(node.line).prefix(while: { $0 == ">" || $0 == " " || $0 == "\t" })
        let how = lead.contains("\t") ? "with a tab" : "by 4 spaces or more"
        report(.warning, .indentedCode, "this text is indented \(how), so it is shown as code; remove the indentation, or fence it with ``` if it is code", node)
    }

    /// Comments for other authors are dropped quietly; anything else in an HTML block is an error.
    mutating func checkHTMLBlock(_ node: MarkdownNode) {
        switch HTMLComment.strip(node.literal) {
        case .unclosed(let lineOffset):
            report(.error, .rawHtml, "this HTML comment is never closed with '-->', so everything after it is hidden; close it", line: node.line + lineOffset, byteColumn: 1)
        case .rest(let rest) where rest.allSatisfy(\.isWhitespace):
            return
        case .rest(let rest) where node.literal.hasPrefix("<!--") && !rest.contains("<"):
            let text = rest.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            report(.error, .rawHtml, "text on a line with an HTML comment is hidden with the comment: '\(text)'; put the comment on lines of its own", node)
        default:
            report(.error, .rawHtml, "raw HTML is not passed to devices; write it in Markdown", node)
        }
    }

    // MARK: Callout markers

    /// `[! TIP]`, `[TIP]`, `[!tip ]`: a bracketed word naming a callout kind, but not a marker.
    mutating func checkNearMissMarker(_ quote: MarkdownNode) {
        guard let first = quote.children.first, first.kind == .paragraph,
              let text = first.children.first, text.kind == .text,
              let (written, kind) = LessonCompiler.nearMissMarker(in: text.literal) else { return }
        let hint = kind.map { "did you mean '[!\($0)]'? A" } ?? "a"
        report(.error, .calloutMarker, "'\(written)' is not a callout marker, so this is a plain quote that shows it; \(hint) marker is '[!' and the kind in capitals, then ']', with no spaces", line: text.line, byteColumn: text.column)
    }

    // MARK: Footnotes and definitions

    /// cmark-gfm leaves `[^label]` as text when no `[^label]: …` defines it.
    mutating func checkUndefinedFootnotes(_ node: MarkdownNode) {
        // Most lessons have no "[^" at all: one search of the body spares a look at every text.
        guard mayReferToFootnotes, node.literal.utf8.withContiguousStorageIfAvailable({ $0.contains(0x5E) }) ?? true else { return }
        var rest = node.literal[...]
        while let open = rest.range(of: "[^") {
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: "]") else { return }
            let label = rest[..<close]
            guard !label.isEmpty, !label.contains(where: \.isWhitespace) else { continue }
            let written = "[^\(label)]"
            var line = node.line, column = node.column
            for n in node.line...max(node.line, node.endLine) {
                if let r = sourceLine(n).range(of: written) { line = n; column = sourceLine(n).utf8.distance(from: sourceLine(n).startIndex, to: r.lowerBound) + 1; break }
            }
            report(.error, .footnoteUndefined, "footnote \(written) is not defined, so it would show as '\(written)'; add a line '\(written): the note' at the end of the lesson", line: line, byteColumn: column)
            rest = rest[close...]
        }
    }

    /// Link definitions (`[label]: url`) and footnotes (`[^label]: text`) that nothing refers to are
    /// not shown, and cmark drops them without a word. A definition is unused when the lesson parses
    /// the same with its label changed; only lines that could start one are tried.
    mutating func reportUnusedDefinitions(_ document: MarkdownNode) {
        for n in lines.indices {
            let line = lines[n]
            // Byte checks first: this looks at every line of every lesson.
            guard line.utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x3E }) == UInt8(ascii: "[") else { continue }
            let body = line.drop(while: { $0 == " " || $0 == "\t" || $0 == ">" })
            // A label closes on its own line ("[label]: …") or, rarely, on one of the next two.
            let closes = line.utf8.contains(UInt8(ascii: "]")) ? line.asciiRange(of: "]:") != nil
                : lines[n...].prefix(3).contains(where: { $0.asciiRange(of: "]:") != nil })
            guard closes else { continue }
            let footnote = body.hasPrefix("[^")
            let insertAt = body.index(body.startIndex, offsetBy: footnote ? 2 : 1)
            let probe = String(self.body[..<insertAt]) + "lessonc-unused-" + String(self.body[insertAt...])
            guard CommonMark.parse(Substring(probe)).sameContent(as: document) else { continue }
            let label = body.prefix(while: { $0 != ":" })
            let column = line.utf8.distance(from: line.startIndex, to: body.startIndex) + 1
            if footnote {
                report(.warning, .footnoteUnused, "footnote \(label) is never referred to, so its text is not shown; put \(label) in the text where it belongs, or delete the note", line: n + 1, byteColumn: column)
            } else {
                report(.warning, .linkDefinitionUnused, "link definition \(label) is not used by any link (or repeats an earlier one), so it is not shown; use it as [text]\(label), or delete it", line: n + 1, byteColumn: column)
            }
        }
    }

    // MARK: Links

    /// For a link that is not a lesson file or an asset: how to write a link to a lesson instead.
    mutating func lessonLinkHint(_ path: String) -> String? {
        let decoded = path.percentDecoded
        let here = "\(lesson.curriculum)/\(lesson.relativePath)"
        if let resolved = LessonCompiler.resolve(decoded + ".md", from: here), lesson(at: resolved) != nil {
            return "has no '.md'; link to a lesson as '\(decoded).md'"
        }
        if !decoded.contains("/"), case let targets = lessonPaths(withID: decoded), !targets.isEmpty {
            let target = targets.first(where: { $0.hasPrefix(lesson.curriculum + "/") }) ?? targets[0]
            return "names the lesson with id '\(decoded)'; link to a lesson by its file, as '\(LessonCompiler.relativePath(from: here, to: target))'"
        }
        let name = decoded.split(separator: "/").last ?? ""
        guard !name.contains("."), let resolved = LessonCompiler.resolve(decoded, from: lesson.relativePath), !resolved.hasPrefix("assets/") else { return nil }
        return "is neither a lesson nor a file in assets/; link to a lesson as '02-name.md', the path of its file from this lesson"
    }
}

extension LessonCompiler {
    /// The '>' markers at the start of a line (with the spaces and list markers between them).
    static func quoteMarkers(_ line: Substring) -> Int {
        line.prefix(while: { " \t>-*+.)".contains($0) || $0.isASCII && $0.isNumber }).filter { $0 == ">" }.count
    }

    /// `- [ ] text` or `- [x] text` after any quote markers: a quiz option's line.
    static func isTaskItemLine(_ line: Substring) -> Bool {
        let rest = line.drop(while: { $0 == ">" || $0 == " " || $0 == "\t" })
        guard let marker = rest.first, "-*+".contains(marker) else { return false }
        let box = rest.dropFirst().drop(while: { $0 == " " })
        return box.hasPrefix("[ ]") || box.hasPrefix("[x]") || box.hasPrefix("[X]")
    }

    /// The cells of one table row as GFM splits it: at pipes not escaped with '\', without the
    /// pipes at either end. `start` is where each cell's text begins in `row`.
    static func tableCells(_ row: Substring) -> [(text: String, start: Substring.Index)] {
        var cells: [(text: String, start: Substring.Index)] = []
        var i = row.startIndex
        while i < row.endIndex, row[i] == " " || row[i] == "\t" { i = row.index(after: i) }
        if i < row.endIndex, row[i] == "|" { i = row.index(after: i) }
        var cellStart = i
        while i < row.endIndex {
            if row[i] == "\\" { i = row.index(after: i); if i < row.endIndex { i = row.index(after: i) }; continue }
            if row[i] == "|" {
                cells.append((row[cellStart..<i].trimmingCharacters(in: .whitespaces), cellStart))
                cellStart = row.index(after: i)
            }
            i = row.index(after: i)
        }
        let last = row[cellStart...].trimmingCharacters(in: .whitespacesAndNewlines)
        if !last.isEmpty { cells.append((last, cellStart)) }
        return cells.map { cell in
            // Point at the text, not at the spaces before it.
            var start = cell.start
            while start < row.endIndex, row[start] == " " { start = row.index(after: start) }
            return (cell.text, start)
        }
    }

    /// `[! TIP]`, `[TIP]`, `[!tip ]`, `[ !NOTE]`: what was written and the kind it most likely means
    /// (nil when it has a '!' but names no kind). Exact markers (`[!TIP]`, `[!Tip]`) are not near misses.
    static func nearMissMarker(in s: String) -> (written: String, kind: String?)? {
        guard s.hasPrefix("["), let close = s.prefix(40).firstIndex(of: "]") else { return nil }
        let inner = s[s.index(after: s.startIndex)..<close]
        var rest = inner.drop(while: { $0 == " " })
        let bang = rest.hasPrefix("!")
        if bang { rest = rest.dropFirst().drop(while: { $0 == " " }) }
        let word = rest.prefix(while: { $0.isLetter || $0 == "-" })
        guard !word.isEmpty, rest.dropFirst(word.count).allSatisfy({ $0 == " " }) else { return nil }
        let kinds = CalloutKind.markers + ["QUIZ"]
        let upper = word.uppercased()
        let written = String(s[...close])
        if kinds.contains(upper) { return (written, upper) }
        guard bang else { return nil }
        return (written, Schema.nearest(upper, in: kinds))
    }

    /// Alt text that is only the picture's file name (`map.png`, or `cash-box` for `cash-box.svg`).
    static func isFileName(_ alt: String, of url: String) -> Bool {
        let file = (url.percentDecoded.split(separator: "/").last.map(String.init) ?? url).lowercased()
        let stem = file.split(separator: ".").dropLast().joined(separator: ".")
        let a = alt.lowercased()
        if a == file || (!stem.isEmpty && a == stem) { return true }
        let extensions = ["png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "tif", "tiff"]
        guard !a.contains(" "), let dot = a.lastIndex(of: ".") else { return false }
        return extensions.contains(String(a[a.index(after: dot)...]))
    }

    /// The path of `target` seen from the folder of `file` (both `/`-separated, from the same top).
    static func relativePath(from file: String, to target: String) -> String {
        let from = file.split(separator: "/").dropLast()
        let to = target.split(separator: "/")
        let common = zip(from, to).prefix { $0 == $1 }.count
        return (Array(repeating: "..", count: from.count - common) + to.dropFirst(common).map(String.init)).joined(separator: "/")
    }
}

/// HTML comments, `<!-- … -->`: what designers leave for each other in a lesson.
enum HTMLComment {
    enum Stripped: Equatable {
        /// What is left once every comment is removed.
        case rest(String)
        /// A comment opens and never closes; the offset is the line it opens on, from the first.
        case unclosed(lineOffset: Int)
    }

    static func strip(_ html: String) -> Stripped {
        var rest = html[...]
        var out = ""
        while let open = rest.range(of: "<!--") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "-->") else {
                return .unclosed(lineOffset: html[..<open.lowerBound].filter { $0 == "\n" }.count)
            }
            rest = rest[close.upperBound...]
        }
        return .rest(out + rest)
    }

    /// Whether this inline HTML is nothing but comments.
    static func isComments(_ html: String) -> Bool {
        html.hasPrefix("<!--") && strip(html) == .rest("")
    }
}
