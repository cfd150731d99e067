/// Writes lesson blocks as Markdown in the lesson format: every character that Markdown would read
/// as syntax is escaped, so the text reads back exactly as given and no raw HTML can appear.
/// `notes` lists formatting that Markdown cannot express where it stands (its text is kept).
struct MarkdownWriter {
    private(set) var notes: [String] = []

    static func write(_ blocks: [Block]) -> (markdown: String, notes: [String]) {
        var w = MarkdownWriter()
        let text = w.blocks(blocks)
        return (text.isEmpty ? "" : text + "\n", w.notes)
    }

    // MARK: - Blocks

    mutating func blocks(_ list: [Block]) -> String {
        var parts: [String] = []
        var previousList: (ordered: Bool, alternate: Bool)?
        for b in list {
            var alternate = false
            if case .list(let ordered, _, _) = b {
                // Two lists in a row with the same marker would read back as one list.
                if let p = previousList, p.ordered == ordered { alternate = !p.alternate }
                previousList = (ordered, alternate)
            } else {
                previousList = nil
            }
            let s = block(b, alternate: alternate)
            if !s.isEmpty { parts.append(s) }
        }
        return parts.joined(separator: "\n\n")
    }

    mutating func block(_ b: Block, alternate: Bool = false) -> String {
        switch b {
        case .inLanguage(_, let inner):
            return block(inner, alternate: alternate)
        case .paragraph(let inlines):
            return inline(inlines)
        case .heading(let level, let inlines):
            var text = inline(inlines, breaks: false)
            // A trailing '#' would be read as the heading's closing sequence.
            if text.hasSuffix("#") { text = String(text.dropLast()) + "\\#" }
            return String(repeating: "#", count: max(1, min(6, level))) + " " + text
        case .list(let ordered, let start, let items):
            var rendered: [String] = []
            var loose = false
            for (n, item) in items.enumerated() {
                var marker = ordered ? "\(start + n)\(alternate ? ")" : ".") " : (alternate ? "* " : "- ")
                if let checked = item.checked { marker += checked ? "[x] " : "[ ] " }
                let body = listItem(item.blocks, loose: &loose)
                rendered.append(prefixLines(body, first: marker, rest: String(repeating: " ", count: ordered ? "\(start + n). ".count : 2)))
            }
            return rendered.joined(separator: loose ? "\n\n" : "\n")
        case .quote(let inner):
            return prefixLines(blocks(inner), first: "> ", rest: "> ")
        case .callout(let kind, let title, let duration, let inner):
            var head = "[!\(kind.marker)]"
            let t = inline(title, breaks: false)
            if !t.isEmpty { head += " " + t }
            if let duration { head += " (\(duration))" }
            let body = blocks(inner)
            return prefixLines(body.isEmpty ? head : head + "\n" + body, first: "> ", rest: "> ")
        case .quiz(let question, let options, let explanation):
            var parts = [blocks(question)]
            parts.append(options.map { "- [\($0.correct ? "x" : " ")] " + inline($0.inlines) }.joined(separator: "\n"))
            if !explanation.isEmpty { parts.append(blocks(explanation)) }
            return prefixLines("[!QUIZ]\n" + parts.joined(separator: "\n\n"), first: "> ", rest: "> ")
        case .code(let language, let text):
            let fence = String(repeating: "`", count: max(3, MarkdownWriter.longestRun(of: "`", in: text) + 1))
            return fence + language + "\n" + text + "\n" + fence
        case .rule:
            return "---"
        case .footnote(let number, let inner):
            return prefixLines(blocks(inner), first: "[^\(number)]: ", rest: "    ")
        case .image(let img):
            return image(img)
        case .table(let alignments, let header, let rows):
            func row(_ cells: [TableCell]) -> String {
                "| " + cells.map { inline($0.inlines, breaks: false) }.joined(separator: " | ") + " |"
            }
            let columns = max(header.count, rows.map(\.count).max() ?? 0)
            let delimiter = (0..<columns).map { i -> String in
                switch i < alignments.count ? alignments[i] : .none {
                case .left: return ":---"
                case .center: return ":---:"
                case .right: return "---:"
                case .none: return "---"
                }
            }
            return ([row(header), "| " + delimiter.joined(separator: " | ") + " |"] + rows.map(row)).joined(separator: "\n")
        }
    }

    /// An item's blocks: a nested list may follow a paragraph directly; anything else needs a blank
    /// line, which makes the whole list loose.
    mutating func listItem(_ list: [Block], loose: inout Bool) -> String {
        var out = ""
        var previous: Block?
        for b in list {
            let s = block(b)
            if let previous {
                if case .list = b, case .paragraph = previous { out += "\n" } else { out += "\n\n"; loose = true }
            }
            out += s
            previous = b
        }
        return out
    }

    func prefixLines(_ text: String, first: String, rest: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { n, line in
            if n == 0 { return first + line }
            return line.isEmpty ? String(rest.trimmingCharacters(in: .whitespaces)) : rest + line
        }.joined(separator: "\n")
    }

    mutating func image(_ img: Image) -> String {
        var w = InlineWriter()
        w.text(img.alt)
        let title = img.title.isEmpty ? "" : " \"" + img.title.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        return "![" + w.out + "](" + MarkdownWriter.destination(img.src) + title + ")"
    }

    /// `breaks: false` for one-line places (headings, table cells), where block syntax cannot start either.
    mutating func inline(_ inlines: [Inline], breaks: Bool = true) -> String {
        var w = InlineWriter()
        w.breaks = breaks
        w.atLineStart = breaks
        w.write(inlines, after: nil)
        notes += w.notes
        return w.out
    }

    /// Link destinations without spaces, parentheses or angle brackets, so no `<…>` form is needed.
    static func destination(_ url: String) -> String {
        var out = ""
        for scalar in url.unicodeScalars {
            switch scalar {
            case " ": out += "%20"
            case "(": out += "%28"
            case ")": out += "%29"
            case "<": out += "%3C"
            case ">": out += "%3E"
            case "\\": out += "%5C"
            case "\"": out += "%22"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += String(format: "%%%02X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    static func longestRun(of c: Character, in s: String) -> Int {
        var best = 0, run = 0
        for ch in s { if ch == c { run += 1; best = max(best, run) } else { run = 0 } }
        return best
    }
}

/// Inline runs as Markdown text, escaping as it goes; knows whether it stands at the start of a line.
struct InlineWriter {
    var out = ""
    var notes: [String] = []
    /// Hard line breaks allowed (not in headings or table cells, which are one line).
    var breaks = true
    var atLineStart = true

    /// Escaped everywhere: they start inline syntax (code, emphasis, links, HTML, tables, strikethrough).
    static let alwaysEscaped: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", "|", "~"]

    mutating func write(_ marked: [Inline], after: Character?) {
        // Markdown has no language marks: their text is written as it is.
        let inlines = Inline.unmarked(marked)
        for (n, i) in inlines.enumerated() {
            let next = n + 1 < inlines.count ? InlineWriter.firstCharacter(inlines[n + 1]) : after
            switch i {
            case .text(let s): text(s)
            case .lineBreak:
                if breaks { out += "\\\n"; atLineStart = true } else { text(" ") }
            case .code(let s): code(s)
            case .footnoteReference(let n): out += "[^\(n)]"; atLineStart = false
            case .strong(let c): delimited("**", c, next: next, what: "bold")
            case .emphasis(let c): delimited("*", c, next: next, what: "italic")
            case .strikethrough(let c): delimited("~~", c, next: next, what: "strikethrough")
            case .inLanguage(_, let c): write(c, after: next)
            case .link(let target, let title, let c):
                out += "["
                atLineStart = false
                write(c, after: "]")
                let url: String
                switch target {
                case .url(let u): url = u
                case .asset(let a): url = a
                case .lesson(let id, _): url = id
                }
                out += "](" + MarkdownWriter.destination(url)
                if !title.isEmpty { out += " \"" + title.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
                out += ")"
            case .image(let img):
                var w = MarkdownWriter()
                out += w.image(img)
                atLineStart = false
            }
        }
    }

    /// Emphasis only works where CommonMark's flanking rules let its delimiters open and close;
    /// elsewhere the text is written plain and the loss is reported.
    mutating func delimited(_ delimiter: String, _ content: [Inline], next: Character?, what: String) {
        let plain = content.map(InlineWriter.plainText).joined()
        guard let first = plain.first, let last = plain.last else { return }
        let before = atLineStart ? nil : out.last
        let d = delimiter.first!
        let opens = !first.isWhitespace && (!InlineWriter.isPunctuation(first) || before == nil || before!.isWhitespace || InlineWriter.isPunctuation(before!))
        let closes = !last.isWhitespace && (!InlineWriter.isPunctuation(last) || next == nil || next!.isWhitespace || InlineWriter.isPunctuation(next!))
        // A delimiter touching another delimiter character would merge into one run.
        let clash = before == d || next == d || first == d || last == d
        guard opens, closes, !clash else {
            notes.append("\(what) formatting of '\(InlineWriter.excerpt(plain))' cannot be written in Markdown next to the surrounding text; the text is kept without it")
            write(content, after: next)
            return
        }
        out += delimiter
        atLineStart = false
        write(content, after: d)
        out += delimiter
    }

    mutating func code(_ s: String) {
        let fence = String(repeating: "`", count: MarkdownWriter.longestRun(of: "`", in: s) + 1)
        let pad = s.hasPrefix("`") || s.hasSuffix("`") || s.hasPrefix(" ") && s.hasSuffix(" ") ? " " : ""
        out += fence + pad + s + pad + fence
        atLineStart = false
    }

    mutating func text(_ s: String) {
        var chars = Array(s)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if atLineStart {
                atLineStart = false
                // Block syntax at the start of a line: headings, quotes, list markers, setext underlines.
                if "#>+-=".contains(c) { out += "\\"; out.append(c); i += 1; continue }
                var j = i
                while j < chars.count, j - i < 10, chars[j].isASCII, chars[j].isNumber { j += 1 }
                if j > i, j < chars.count, chars[j] == "." || chars[j] == ")" {
                    out += String(chars[i..<j]) + "\\" + String(chars[j])
                    i = j + 1
                    continue
                }
            }
            if InlineWriter.alwaysEscaped.contains(c) {
                out += "\\"
                out.append(c)
            } else if c == "&", InlineWriter.looksLikeReference(chars[(i + 1)...]) {
                out += "\\&"
            } else {
                out.append(c)
            }
            i += 1
        }
        chars.removeAll()
    }

    /// `&name;` or `&#123;` would be decoded by Markdown as a character reference.
    static func looksLikeReference(_ rest: ArraySlice<Character>) -> Bool {
        guard let semi = rest.prefix(33).firstIndex(of: ";"), semi > rest.startIndex else { return false }
        let body = rest[rest.startIndex..<semi]
        if body.first == "#" { return body.count > 1 && body.dropFirst().allSatisfy { $0.isASCII && ($0.isHexDigit || $0 == "x" || $0 == "X") } }
        return body.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// CommonMark 0.29's punctuation (what cmark-gfm 0.29 uses): ASCII punctuation and Unicode P* categories.
    static func isPunctuation(_ c: Character) -> Bool {
        guard let s = c.unicodeScalars.first else { return false }
        if s.isASCII { return "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars.contains(s) }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    static func firstCharacter(_ i: Inline) -> Character? {
        switch i {
        case .text(let s): return s.first
        case .strong, .emphasis: return "*"
        case .strikethrough: return "~"
        case .link, .footnoteReference: return "["
        case .code: return "`"
        case .lineBreak: return "\\"
        case .image: return "!"
        case .inLanguage(_, let c): return c.first.flatMap(firstCharacter)
        }
    }

    static func plainText(_ i: Inline) -> String {
        switch i {
        case .text(let s), .code(let s): return s
        case .lineBreak: return " "
        case .footnoteReference: return ""
        case .strong(let c), .emphasis(let c), .strikethrough(let c): return c.map(plainText).joined()
        case .link(_, _, let c), .inLanguage(_, let c): return c.map(plainText).joined()
        case .image(let img): return img.alt
        }
    }

    static func excerpt(_ s: String) -> String {
        s.count <= 60 ? s : String(s.prefix(57)) + "…"
    }
}

// MARK: - Reading back

extension MarkdownWriter {
    /// Parses the Markdown again and compares its text with the blocks' text: nil when they agree,
    /// else a note naming where they part, so no conversion mistake can lose text silently.
    static func readBack(_ markdown: String, matches blocks: [Block]) -> String? {
        let expected = collapse(blocks.map(plainText).joined(separator: " "))
        let actual = collapse(plainText(CommonMark.parse(Substring(markdown))))
        guard expected != actual else { return nil }
        let common = zip(expected, actual).prefix { $0 == $1 }.count
        let from = max(0, common - 20)
        func around(_ s: String) -> String { String(s.dropFirst(from).prefix(60)) }
        return "the Markdown written for this section does not read back as the same text near '\(around(expected))' (reads '\(around(actual))'); check the lesson"
    }

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func plainText(_ b: Block) -> String {
        func inl(_ list: [Inline]) -> String { list.map(InlineWriter.plainText).joined() }
        switch b {
        case .paragraph(let i), .heading(_, let i): return inl(i)
        case .list(_, _, let items): return items.map { $0.blocks.map(plainText).joined(separator: " ") }.joined(separator: " ")
        case .quote(let inner): return inner.map(plainText).joined(separator: " ")
        case .callout(let kind, let title, let duration, let inner):
            return (["[!\(kind.marker)]", inl(title), duration.map { "(\($0))" } ?? ""] + inner.map(plainText)).joined(separator: " ")
        case .quiz(let q, let options, let e):
            return (["[!QUIZ]"] + q.map(plainText) + options.map { inl($0.inlines) } + e.map(plainText)).joined(separator: " ")
        case .code(_, let text): return text
        case .rule: return ""
        case .footnote(_, let inner): return inner.map(plainText).joined(separator: " ")
        case .inLanguage(_, let inner): return plainText(inner)
        case .image(let img): return img.alt
        case .table(_, let header, let rows):
            return ([header] + rows).map { $0.map { inl($0.inlines) }.joined(separator: " ") }.joined(separator: " ")
        }
    }

    /// Text of a parsed Markdown tree, with a space between blocks.
    static func plainText(_ node: MarkdownNode) -> String {
        switch node.kind {
        case .text, .code, .codeBlock: return node.literal
        case .softBreak, .lineBreak: return " "
        case .paragraph, .heading, .tableCell: return node.children.map(plainText).joined() + " "
        default: return node.children.map(plainText).joined(separator: node.kind == .emphasis || node.kind == .strong || node.kind == .link || node.kind == .strikethrough ? "" : " ")
        }
    }
}
