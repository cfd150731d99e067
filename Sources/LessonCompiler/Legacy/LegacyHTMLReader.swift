import Foundation

/// Turns one legacy `content` string (HTML, entity-escaped once) into lesson blocks.
///
/// The legacy files are word-processor exports: `<p>- item</p>` pseudo-bullets, numbered headings
/// written as unclosed `<ol><li>Title <p>…`, styling spans, `&nbsp;` noise. Every text survives:
/// what cannot be expressed is kept as plain text and reported in `notes`.
struct LegacyHTMLReader {
    /// Warnings about this content, without the node's name (the importer adds it).
    private(set) var notes: [String] = []
    private var unknownTags: [String: Int] = [:]
    private var inPageLinks: [String] = []

    /// Pseudo-headings (`<ol><li>Title`) rank with `<h2>` when heading levels are normalised.
    static let pseudoHeadingLevel = 2
    /// A numbered "heading" longer than this is a sentence, not a heading.
    static let maxHeadingLength = 120

    static func read(_ content: String) -> (blocks: [Block], notes: [String]) {
        var reader = LegacyHTMLReader()
        let html = unescapeOuterLayer(content)
        let (body, complete) = LibXML.parseHTMLReportingTruncation(html)
        guard complete else {
            reader.notes.append("the HTML nests more than 256 elements deep, more than the HTML parser reads; the section is imported as plain paragraphs, without its formatting")
            return (reader.group(reader.plainParagraphs(html)), reader.notes)
        }
        var blocks = reader.group(reader.pieces(body.children, nested: false, atEnd: true))
        blocks = normalizeHeadingLevels(blocks)
        reader.finishNotes()
        return (blocks, reader.notes)
    }

    /// Undoes the legacy files' extra layer of escaping (`&lt;p&gt;` → `<p>`, `&amp;nbsp;` → `&nbsp;`).
    /// Content that already holds tags was not escaped: decoding it would turn its `&lt;` text into tags.
    static func unescapeOuterLayer(_ s: String) -> String {
        if rawTag.matches(s) { return s }
        var html = LibXML.decodeHTMLEntities(s)
        // Some export pipelines escaped twice: what one decoding leaves is still `&lt;p&gt;…`.
        // Decode again while it holds escaped HTML tags and no real ones (a few layers at most).
        for _ in 0..<3 where !rawTag.matches(html) && escapedTag.matches(html) {
            html = LibXML.decodeHTMLEntities(html)
        }
        return html
    }

    static let rawTag = Pattern("<[A-Za-z/!]")
    static let escapedTag = Pattern("&lt;/?(p|div|br|nl|span|b|i|u|em|strong|ul|ol|li|h[1-6]|a|img|table|tr|td|th|blockquote)( [^&]*)?/?&gt;")

    // MARK: - Element classes

    static let blockTags: Set<String> = [
        "p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr", "table", "thead",
        "tbody", "tfoot", "tr", "td", "th", "caption", "section", "article", "header", "footer", "aside", "main",
        "nav", "pre", "dl", "dt", "dd", "figure", "figcaption", "center", "address", "form", "fieldset", "details",
        "summary", "body", "html", "dir", "menu", "colgroup", "col",
    ]
    /// Containers without meaning, from word processors and page templates: their content is kept, silently.
    static let transparentBlocks: Set<String> = ["div", "section", "article", "main", "center", "body", "html", "header", "footer"]
    static let transparentInlines: Set<String> = ["span", "font", "o:p", "nobr"]
    /// Never text a reader sees.
    static let droppedTags: Set<String> = ["script", "style", "head", "title", "meta", "link", "noscript", "template", "base"]

    static func isBlock(_ node: XMLNode) -> Bool { node.kind == .element && blockTags.contains(node.name.lowercased()) }
    static func isList(_ node: XMLNode) -> Bool { node.kind == .element && ["ul", "ol"].contains(node.name.lowercased()) }
    static func isBlank(_ node: XMLNode) -> Bool {
        switch node.kind {
        case .text, .cdata: return node.text.allSatisfy { $0.isWhitespace }
        case .comment, .other: return true
        case .element: return false
        }
    }

    // MARK: - Blocks

    /// A converted block, or one `<p>- text</p>` line waiting to be grouped with its neighbours into a list.
    enum Piece {
        case block(Block)
        case pseudoBullet([Inline])
    }

    mutating func blocks(_ nodes: [XMLNode], nested: Bool) -> [Block] {
        group(pieces(nodes, nested: nested, atEnd: false))
    }

    /// Consecutive pseudo-bullets become one real list.
    func group(_ pieces: [Piece]) -> [Block] {
        var out: [Block] = []
        var bullets: [ListItem] = []
        for piece in pieces {
            switch piece {
            case .pseudoBullet(let inlines):
                bullets.append(ListItem(blocks: [.paragraph(inlines)], checked: nil))
            case .block(let b):
                if !bullets.isEmpty { out.append(.list(ordered: false, start: 1, items: bullets)); bullets = [] }
                out.append(b)
            }
        }
        if !bullets.isEmpty { out.append(.list(ordered: false, start: 1, items: bullets)) }
        return out
    }

    /// `atEnd`: nothing but whitespace follows these nodes in the whole content.
    mutating func pieces(_ nodes: [XMLNode], nested: Bool, atEnd: Bool) -> [Piece] {
        var out: [Piece] = []
        var run: [Inline] = []
        let lastSolid = nodes.lastIndex { !LegacyHTMLReader.isBlank($0) } ?? -1
        for (i, node) in nodes.enumerated() {
            if LegacyHTMLReader.isBlock(node) {
                out += paragraph(run); run = []
                out += block(node, nested: nested, atEnd: atEnd && i >= lastSolid)
            } else {
                run += inline(node)
            }
        }
        out += paragraph(run)
        return out
    }

    mutating func block(_ node: XMLNode, nested: Bool, atEnd: Bool) -> [Piece] {
        let name = node.name.lowercased()
        switch name {
        case "p":
            return pieces(node.children, nested: nested, atEnd: atEnd)
        case "h1", "h2", "h3", "h4", "h5", "h6":
            if node.children.contains(where: LegacyHTMLReader.isBlock) { return pieces(node.children, nested: nested, atEnd: atEnd) }
            return heading(inlines(node.children), level: Int(name.dropFirst())!, nested: nested)
        case "ul", "ol":
            return list(node, ordered: name == "ol", nested: nested, atEnd: atEnd)
        case "li":
            // An item outside any list: read it as a one-item bulleted list.
            var wrapper = node
            wrapper.name = "ul"
            wrapper.children = [node]
            return list(wrapper, ordered: false, nested: nested, atEnd: atEnd)
        case "blockquote":
            let inner = blocks(node.children, nested: true)
            return inner.isEmpty ? [] : [.block(.quote(inner))]
        case "hr":
            return [.block(.rule)]
        default:
            if !LegacyHTMLReader.transparentBlocks.contains(name) { unknownTags[name, default: 0] += 1 }
            return pieces(node.children, nested: nested, atEnd: atEnd)
        }
    }

    mutating func heading(_ raw: [Inline], level: Int, nested: Bool) -> [Piece] {
        // A heading is one line: breaks inside it become spaces.
        let inlines = LegacyHTMLReader.normalize(LegacyHTMLReader.replacingBreaks(raw))
        guard !inlines.isEmpty else { return [] }
        // Markdown headings inside list items and quotes would break the lesson's heading outline.
        return nested ? [.block(.paragraph([.strong(inlines)]))] : [.block(.heading(level: level, inlines: inlines))]
    }

    /// Lists, with the two word-processor habits undone: an unclosed `<li>Title <p>…` keeps only its
    /// first line as the item (what follows belongs after the list), and a one-item `<ol>` whose item
    /// is a short title followed by paragraphs is a numbered heading.
    mutating func list(_ node: XMLNode, ordered: Bool, nested: Bool, atEnd: Bool) -> [Piece] {
        let children = node.children.filter { !LegacyHTMLReader.isBlank($0) }
        if ordered, !nested, children.count == 1, children[0].kind == .element, children[0].name.lowercased() == "li",
           let heading = pseudoHeading(children[0], atEnd: atEnd) {
            return heading
        }
        var out: [Piece] = []
        var items: [ListItem] = []
        // CommonMark list numbers have at most nine digits.
        var start = ordered ? min(999_999_999, max(0, Int(node.attribute("start") ?? "") ?? 1)) : 1
        func flush() {
            guard !items.isEmpty else { return }
            out.append(.block(.list(ordered: ordered, start: start, items: items)))
            start += items.count
            items = []
        }
        for (i, child) in children.enumerated() {
            let last = i == children.count - 1
            guard child.kind == .element, child.name.lowercased() == "li" else {
                flush()
                out += pieces([child], nested: nested, atEnd: atEnd && last)
                continue
            }
            let (lead, rest) = LegacyHTMLReader.splitLeading(child.children)
            if LegacyHTMLReader.hasText(lead), let cut = rest.firstIndex(where: { LegacyHTMLReader.isBlock($0) && !LegacyHTMLReader.isList($0) }) {
                let item = blocks(lead + rest[..<cut], nested: true)
                if !item.isEmpty { items.append(ListItem(blocks: item, checked: nil)) }
                flush()
                out += pieces(Array(rest[cut...]), nested: nested, atEnd: atEnd && last)
            } else {
                let item = blocks(child.children, nested: true)
                if !item.isEmpty { items.append(ListItem(blocks: item, checked: nil)) }
            }
        }
        flush()
        return out
    }

    mutating func pseudoHeading(_ li: XMLNode, atEnd: Bool) -> [Piece]? {
        let (lead, rest) = LegacyHTMLReader.splitLeading(li.children)
        let solidRest = rest.filter { !LegacyHTMLReader.isBlank($0) }
        let text = lead.map(\.textContent).joined().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard !text.isEmpty, text.count <= LegacyHTMLReader.maxHeadingLength, !text.hasSuffix("."),
              !lead.contains(where: { $0.kind == .element && $0.name.lowercased() == "br" }) else { return nil }
        // Followed by paragraphs, or the last thing in the content (a title for what the next section holds).
        if let first = solidRest.first {
            guard LegacyHTMLReader.isBlock(first), !LegacyHTMLReader.isList(first) else { return nil }
        } else if !atEnd {
            return nil
        }
        return heading(inlines(lead), level: LegacyHTMLReader.pseudoHeadingLevel, nested: false) + pieces(rest, nested: false, atEnd: atEnd)
    }

    /// The inline nodes before the first block element, and everything from there on.
    static func splitLeading(_ nodes: [XMLNode]) -> (lead: [XMLNode], rest: [XMLNode]) {
        let cut = nodes.firstIndex(where: isBlock) ?? nodes.count
        return (Array(nodes[..<cut]), Array(nodes[cut...]))
    }

    static func hasText(_ nodes: [XMLNode]) -> Bool {
        nodes.contains { !$0.textContent.allSatisfy { $0.isWhitespace } }
    }

    /// The text of HTML the parser could not read whole: tags removed, block tags end paragraphs,
    /// `<br>` breaks lines. A plain scan, so no depth of nesting can exhaust the stack.
    mutating func plainParagraphs(_ html: String) -> [Piece] {
        var out: [Piece] = []
        var run: [Inline] = []
        var rest = Substring(html)
        while let lt = rest.firstIndex(of: "<") {
            run.append(.text(LibXML.decodeHTMLEntities(String(rest[..<lt]))))
            let after = rest[rest.index(after: lt)...]
            if after.hasPrefix("!--") {
                rest = after.range(of: "-->").map { after[$0.upperBound...] } ?? ""
                continue
            }
            guard let first = after.first, first.isLetter || first == "/" || first == "!", let gt = after.firstIndex(of: ">") else {
                run.append(.text("<"))
                rest = after
                continue
            }
            let name = after[..<gt].prefix { !$0.isWhitespace }.trimmingCharacters(in: CharacterSet(charactersIn: "/!")).lowercased()
            if name == "br" || name == "nl" {
                run.append(.lineBreak)
            } else if LegacyHTMLReader.blockTags.contains(name) {
                out += paragraph(run)
                run = []
            }
            rest = after[after.index(after: gt)...]
        }
        run.append(.text(LibXML.decodeHTMLEntities(String(rest))))
        return out + paragraph(run)
    }

    // MARK: - Paragraphs

    static let bulletMarkers: [String] = ["- ", "* ", "• ", "-\u{a0}", "*\u{a0}", "•\u{a0}"]

    /// One run of inline content: a paragraph, or several when `<br>` lines start with "- ".
    mutating func paragraph(_ run: [Inline]) -> [Piece] {
        let inlines = LegacyHTMLReader.normalize(run)
        guard !inlines.isEmpty else { return [] }
        // Split at top-level line breaks; a "- " line is a pseudo-bullet, an empty line ends a paragraph.
        var lines: [[Inline]] = [[]]
        for i in inlines {
            if case .lineBreak = i { lines.append([]) } else { lines[lines.count - 1].append(i) }
        }
        var out: [Piece] = []
        var text: [Inline] = []
        func flushText() {
            if !text.isEmpty { out.append(.block(.paragraph(text))); text = [] }
        }
        for line in lines {
            if line.isEmpty { flushText(); continue }
            if let item = LegacyHTMLReader.strippingBullet(line) {
                flushText()
                out.append(.pseudoBullet(item))
            } else {
                if !text.isEmpty { text.append(.lineBreak) }
                text += line
            }
        }
        flushText()
        return out
    }

    /// The line without its "- " marker, if it starts with one and has text after it.
    static func strippingBullet(_ line: [Inline]) -> [Inline]? {
        guard case .text(let first)? = line.first,
              let marker = bulletMarkers.first(where: { first.hasPrefix($0) }) else { return nil }
        let rest = String(first.dropFirst(marker.count)).drop(while: { $0 == " " || $0 == "\u{a0}" })
        var item = line
        if rest.isEmpty { item.removeFirst() } else { item[0] = .text(String(rest)) }
        return item.isEmpty ? nil : item
    }

    // MARK: - Inlines

    mutating func inlines(_ nodes: [XMLNode]) -> [Inline] {
        nodes.flatMap { inline($0) }
    }

    mutating func inline(_ node: XMLNode) -> [Inline] {
        switch node.kind {
        case .text, .cdata: return [.text(node.text)]
        case .comment, .other: return []
        case .element: break
        }
        let name = node.name.lowercased()
        switch name {
        case "b", "strong": return [.strong(inlines(node.children))]
        case "i", "em", "u": return [.emphasis(inlines(node.children))]
        case "s", "strike", "del": return [.strikethrough(inlines(node.children))]
        case "code", "tt", "kbd", "samp":
            let text = node.textContent.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            return text.isEmpty ? [] : [.code(text)]
        case "br": return [.lineBreak]
        // Word processors' line marker: a line break. HTML parsers read it as an unknown element
        // that may hold the text up to the paragraph's end, so that text follows the break.
        case "nl": return [.lineBreak] + inlines(node.children)
        case "a": return link(node)
        case "img": return image(node)
        default:
            if LegacyHTMLReader.droppedTags.contains(name) {
                let text = node.textContent.trimmingCharacters(in: .whitespacesAndNewlines)
                if !text.isEmpty { notes.append("removed <\(name)> holding \(text.count) characters of code, not text") }
                return []
            }
            // A block inside inline content (bad nesting): keep its words apart from its neighbours'.
            if LegacyHTMLReader.isBlock(node) {
                if !LegacyHTMLReader.transparentBlocks.contains(name) { unknownTags[name, default: 0] += 1 }
                return [.text(" ")] + inlines(node.children) + [.text(" ")]
            }
            if !LegacyHTMLReader.transparentInlines.contains(name) { unknownTags[name, default: 0] += 1 }
            return inlines(node.children)
        }
    }

    mutating func link(_ node: XMLNode) -> [Inline] {
        let children = inlines(node.children)
        // `<a name>`/`<a id>` anchors carry no link: their text simply stays.
        guard let raw = node.attribute("href")?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return children }
        if raw.hasPrefix("#") {
            inPageLinks.append(raw)
            return children
        }
        let href = LegacyHTMLReader.unwrapRedirect(raw)
        guard let scheme = LessonCompiler.scheme(of: href), LessonCompiler.allowedSchemes.contains(scheme.lowercased()) else {
            notes.append("removed the link to '\(raw)': lessons link only to http, https, mailto and tel addresses; its text is kept")
            return children
        }
        let hasText = !children.allSatisfy { if case .text(let t) = $0 { return t.allSatisfy(\.isWhitespace) }; return false }
        return [.link(target: .url(href), title: "", children: hasText ? children : [.text(href)])]
    }

    /// Word processors route links through a search engine's redirect (`google.com/url?q=TARGET&…`).
    static func unwrapRedirect(_ href: String) -> String {
        guard let c = URLComponents(string: href), let host = c.host?.lowercased(),
              host == "google.com" || host == "www.google.com", c.path == "/url",
              let target = c.queryItems?.first(where: { $0.name == "q" || $0.name == "url" })?.value,
              let scheme = LessonCompiler.scheme(of: target), ["http", "https"].contains(scheme.lowercased()) else { return href }
        return target
    }

    mutating func image(_ node: XMLNode) -> [Inline] {
        let src = node.attribute("src") ?? ""
        let alt = (node.attribute("alt") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if alt.isEmpty {
            notes.append("removed the image '\(src)', which has no alt text; put the file in the curriculum's assets/ and add it with ![description](../assets/…)")
            return []
        }
        notes.append("image '\(src)' was not imported, its alt text '\(alt)' is kept; put the file in the curriculum's assets/ and add it with ![\(alt)](../assets/…)")
        return [.text(" " + alt + " ")]
    }

    mutating func finishNotes() {
        if !unknownTags.isEmpty {
            let list = unknownTags.keys.sorted().map { "<\($0)> (\(unknownTags[$0]!)×)" }.joined(separator: ", ")
            notes.insert("unknown tag\(unknownTags.count == 1 ? "" : "s") \(list): \(unknownTags.count == 1 ? "its" : "their") text is kept as plain text", at: 0)
        }
        if !inPageLinks.isEmpty {
            let shown = inPageLinks.prefix(5).joined(separator: ", ") + (inPageLinks.count > 5 ? ", …" : "")
            notes.append("removed \(inPageLinks.count) link\(inPageLinks.count == 1 ? "" : "s") to places inside the legacy page (\(shown)), which has no such anchors as lessons; the linked text is kept")
        }
    }

    // MARK: - Whitespace

    /// HTML's whitespace rules for one paragraph: runs collapse to one space, nothing at the edges or
    /// around line breaks. A single `&nbsp;` between words stays a no-break space; any other run of
    /// `&nbsp;` is spacing noise and becomes an ordinary space. Emptied formatting disappears.
    static func normalize(_ inlines: [Inline]) -> [Inline] {
        var flat: [Character] = []
        collect(inlines, into: &flat)
        var keep = flat.map { Optional($0) }
        var i = 0
        while i < flat.count {
            guard flat[i] == " " || flat[i] == "\u{a0}" else { i += 1; continue }
            var j = i
            while j < flat.count, flat[j] == " " || flat[j] == "\u{a0}" { j += 1 }
            for k in i..<j { keep[k] = nil }
            let atEdge = i == 0 || j == flat.count || flat[i - 1] == "\n" || flat[j] == "\n"
            if !atEdge { keep[i] = j - i == 1 && flat[i] == "\u{a0}" ? "\u{a0}" : " " }
            i = j
        }
        var cursor = 0
        return tidy(rebuild(inlines, keep, &cursor))
    }

    /// Text as one character array: HTML whitespace as " ", a line break as "\n", a code span as one placeholder.
    private static func collect(_ inlines: [Inline], into flat: inout [Character]) {
        for i in inlines {
            switch i {
            case .text(let s): for c in s { flat.append(c.isHTMLWhitespace ? " " : c) }
            case .lineBreak: flat.append("\n")
            case .code, .image, .footnoteReference: flat.append("\u{FFFC}")
            case .emphasis(let c), .strong(let c), .strikethrough(let c), .inLanguage(_, let c): collect(c, into: &flat)
            case .link(_, _, let c): collect(c, into: &flat)
            }
        }
    }

    private static func rebuild(_ inlines: [Inline], _ keep: [Character?], _ cursor: inout Int) -> [Inline] {
        var out: [Inline] = []
        for i in inlines {
            switch i {
            case .text(let s):
                var t = ""
                for _ in 0..<s.count { if let c = keep[cursor] { t.append(c) }; cursor += 1 }
                if !t.isEmpty { out.append(.text(t)) }
            case .lineBreak, .code, .image, .footnoteReference:
                cursor += 1
                out.append(i)
            case .emphasis(let c): let r = rebuild(c, keep, &cursor); if !r.isEmpty { out.append(.emphasis(r)) }
            case .strong(let c): let r = rebuild(c, keep, &cursor); if !r.isEmpty { out.append(.strong(r)) }
            case .strikethrough(let c): let r = rebuild(c, keep, &cursor); if !r.isEmpty { out.append(.strikethrough(r)) }
            case .inLanguage(let l, let c): let r = rebuild(c, keep, &cursor); if !r.isEmpty { out.append(.inLanguage(l, r)) }
            case .link(let target, let title, let c): let r = rebuild(c, keep, &cursor); if !r.isEmpty { out.append(.link(target: target, title: title, children: r)) }
            }
        }
        return out
    }

    /// Moves spaces out of formatting (Markdown's `** bold **` is not bold), merges neighbouring
    /// text and formatting of the same kind, and drops formatting that holds only a space.
    static func tidy(_ inlines: [Inline]) -> [Inline] {
        var out: [Inline] = []
        func append(_ i: Inline) { appendMerging(i, to: &out) }
        for i in inlines {
            let wrap: (([Inline]) -> Inline)?
            var children: [Inline] = []
            switch i {
            case .emphasis(let c): wrap = { .emphasis($0) }; children = c
            case .strong(let c): wrap = { .strong($0) }; children = c
            case .strikethrough(let c): wrap = { .strikethrough($0) }; children = c
            case .link(let t, let title, let c): wrap = { .link(target: t, title: title, children: $0) }; children = c
            default: wrap = nil
            }
            guard let wrap else { append(i); continue }
            var inner = tidy(children)
            var leading = "", trailing = ""
            if case .text(let s)? = inner.first {
                let body = s.drop(while: { $0 == " " || $0 == "\u{a0}" })
                leading = String(s.prefix(s.count - body.count))
                if body.isEmpty { inner.removeFirst() } else { inner[0] = .text(String(body)) }
            }
            if case .text(let s)? = inner.last {
                var body = Substring(s)
                while let l = body.last, l == " " || l == "\u{a0}" { body = body.dropLast() }
                trailing = String(s.suffix(s.count - body.count))
                if body.isEmpty { inner.removeLast() } else { inner[inner.count - 1] = .text(String(body)) }
            }
            if !leading.isEmpty { append(.text(leading)) }
            if !inner.isEmpty { append(wrap(inner)) }
            if !trailing.isEmpty { append(.text(trailing)) }
        }
        return out
    }

    /// Appends, merging with the last element where they are alike (text and text, bold and bold,
    /// italic and italic). Only the joint is looked at, so a long run stays linear.
    static func appendMerging(_ i: Inline, to out: inout [Inline]) {
        switch (out.last, i) {
        case (.text?, .text(let b)):
            guard case .text(var a) = out.removeLast() else { return }
            a += b
            out.append(.text(a))
        case (.strong?, .strong(let b)):
            guard case .strong(var a) = out.removeLast() else { return }
            for x in b { appendMerging(x, to: &a) }
            out.append(.strong(a))
        case (.emphasis?, .emphasis(let b)):
            guard case .emphasis(var a) = out.removeLast() else { return }
            for x in b { appendMerging(x, to: &a) }
            out.append(.emphasis(a))
        default:
            out.append(i)
        }
    }

    static func replacingBreaks(_ inlines: [Inline]) -> [Inline] {
        inlines.map { i in
            switch i {
            case .lineBreak: return .text(" ")
            case .emphasis(let c): return .emphasis(replacingBreaks(c))
            case .strong(let c): return .strong(replacingBreaks(c))
            case .strikethrough(let c): return .strikethrough(replacingBreaks(c))
            case .link(let t, let title, let c): return .link(target: t, title: title, children: replacingBreaks(c))
            default: return i
            }
        }
    }

    // MARK: - Headings

    /// Lesson bodies start at `##` and never skip a level: the content's heading levels are ranked
    /// (its highest becomes `##`) and each heading is at most one level below the one before.
    static func normalizeHeadingLevels(_ blocks: [Block]) -> [Block] {
        let levels = Set(blocks.compactMap { if case .heading(let l, _) = $0 { return l }; return nil }).sorted()
        var previous = 1
        return blocks.map { b in
            guard case .heading(let level, let inlines) = b else { return b }
            let ranked = min(6, 2 + levels.firstIndex(of: level)!)
            previous = min(ranked, previous + 1)
            return .heading(level: previous, inlines: inlines)
        }
    }
}

extension Character {
    /// HTML's inter-element whitespace (not the no-break space).
    var isHTMLWhitespace: Bool { self == " " || self == "\t" || self == "\n" || self == "\r" || self == "\r\n" || self == "\u{0C}" }
}
