/// The one HTML renderer of compiled blocks. Its defaults write the sanitized `html` field of every
/// lesson (`LessonHTML`); a flavour overrides only what it shows differently: the legacy RCC export
/// (`LegacyHTML`) turns callouts, quizzes, tables and images into what the old apps can display,
/// and the preview site can make quizzes answerable or lesson links local.
///
/// Safe by construction: every text and attribute goes through `escape`, only a fixed set of tags
/// is written, and URLs were checked by the compiler.
public protocol HTMLRenderer: LessonWalker {
    var html: String { get set }
    /// Appends `text` escaped for element content and for attribute values in double quotes.
    func escape(_ text: String, into html: inout String)
    /// Renders a lesson's blocks in order (footnotes come last).
    mutating func render(_ blocks: [Block])
    /// What starts a task-list item: a disabled checkbox by default.
    mutating func taskMarker(checked: Bool)
}

extension HTMLRenderer {
    mutating func text(_ s: String) { escape(s, into: &html) }

    /// Footnotes come last: one numbered list, each note linked back to its first reference.
    public mutating func render(_ blocks: [Block]) {
        var inFootnotes = false
        for b in blocks {
            if case .footnote = b {
                if !inFootnotes { html += "<section class=\"footnotes\">\n<ol>\n"; inFootnotes = true }
            } else if inFootnotes {
                html += "</ol>\n</section>\n"; inFootnotes = false
            }
            visit(b)
        }
        if inFootnotes { html += "</ol>\n</section>\n" }
    }

    public mutating func taskMarker(checked: Bool) {
        html += checked ? "<input type=\"checkbox\" checked disabled> " : "<input type=\"checkbox\" disabled> "
    }

    // MARK: Blocks

    public mutating func visitHeading(level: Int, inlines: [Inline]) {
        let h = "h\(max(1, min(6, level)))"
        html += "<\(h)>"; walk(inlines); html += "</\(h)>\n"
    }

    public mutating func visitParagraph(_ inlines: [Inline]) {
        html += "<p>"; walk(inlines); html += "</p>\n"
    }

    public mutating func visitList(ordered: Bool, start: Int, items: [ListItem]) {
        let tag = ordered ? "ol" : "ul"
        html += ordered && start != 1 ? "<ol start=\"\(start)\">\n" : "<\(tag)>\n"
        for item in items {
            // Tight list items hold one paragraph: render it without <p> (its language on the <li>).
            var tight: (inlines: [Inline], language: TextLanguage?)?
            if item.blocks.count == 1 {
                switch item.blocks[0] {
                case .paragraph(let inlines): tight = (inlines, nil)
                case .inLanguage(let language, .paragraph(let inlines)): tight = (inlines, language)
                default: break
                }
            }
            html += "<li"
            if let language = tight?.language { languageAttributes(language) }
            html += ">"
            if let checked = item.checked { taskMarker(checked: checked) }
            if let tight { walk(tight.inlines) } else {
                html += "\n"; walk(item.blocks)
            }
            html += "</li>\n"
        }
        html += "</\(tag)>\n"
    }

    public mutating func visitTable(alignments: [TableAlignment], header: [TableCell], rows: [[TableCell]]) {
        table(alignments: alignments, header: header, rows: rows)
    }

    /// The `<table>` element itself, for flavours that wrap it (the preview's scrolling region).
    public mutating func table(alignments: [TableAlignment], header: [TableCell], rows: [[TableCell]]) {
        func cell(_ tag: String, _ cell: TableCell, _ i: Int) {
            let alignment = i < alignments.count ? alignments[i] : .none
            html += alignment == .none ? "<\(tag)>" : "<\(tag) style=\"text-align:\(alignment.rawValue)\">"
            walk(cell.inlines)
            html += "</\(tag)>"
        }
        html += "<table>\n<thead>\n<tr>"
        for (i, c) in header.enumerated() { cell("th", c, i) }
        html += "</tr>\n</thead>\n<tbody>\n"
        for row in rows {
            html += "<tr>"
            for (i, c) in row.enumerated() { cell("td", c, i) }
            html += "</tr>\n"
        }
        html += "</tbody>\n</table>\n"
    }

    public mutating func visitImageBlock(_ image: Image) {
        html += "<figure>"; visitImage(image)
        if !image.title.isEmpty { html += "<figcaption>"; text(image.title); html += "</figcaption>" }
        html += "</figure>\n"
    }

    public mutating func visitCallout(kind: CalloutKind, title: [Inline], duration: String?, blocks: [Block]) {
        html += "<aside class=\"callout callout-\(kind.rawValue)\" data-kind=\"\(kind.rawValue)\""
        if let duration { html += " data-duration=\""; text(duration); html += "\"" }
        html += ">\n"
        if !title.isEmpty || duration != nil {
            html += "<p class=\"callout-title\">"; walk(title)
            if let duration { html += title.isEmpty ? "" : " "; html += "<span class=\"duration\">"; text(duration); html += "</span>" }
            html += "</p>\n"
        }
        walk(blocks)
        html += "</aside>\n"
    }

    public mutating func visitQuiz(question: [Block], options: [QuizOption], explanation: [Block]) {
        html += "<section class=\"quiz\">\n<div class=\"quiz-question\">\n"
        walk(question)
        html += "</div>\n<ul class=\"quiz-options\">\n"
        for o in options {
            html += o.correct ? "<li data-correct=\"true\">" : "<li data-correct=\"false\">"
            walk(o.inlines); html += "</li>\n"
        }
        html += "</ul>\n"
        if !explanation.isEmpty {
            html += "<div class=\"quiz-explanation\">\n"; walk(explanation); html += "</div>\n"
        }
        html += "</section>\n"
    }

    public mutating func visitQuote(_ blocks: [Block]) {
        html += "<blockquote>\n"; walk(blocks); html += "</blockquote>\n"
    }

    public mutating func visitCodeBlock(language: String, text code: String) {
        if language.isEmpty { html += "<pre><code>" } else { html += "<pre><code class=\"language-"; text(language); html += "\">" }
        text(code); html += "</code></pre>\n"
    }

    public mutating func visitRule() { html += "<hr>\n" }

    /// ` lang="…" dir="…"`, for the element of a block or text in another language than the lesson's.
    mutating func languageAttributes(_ language: TextLanguage) {
        html += " lang=\""; text(language.tag); html += "\" dir=\"\(language.direction.rawValue)\""
    }

    /// The block as usual, with `lang` and `dir` on its first element (`<p lang="en" dir="ltr">`).
    public mutating func visitBlock(_ block: Block, in language: TextLanguage) {
        let start: Int = html.utf8.count
        visit(block)
        let utf8: String.UTF8View = html.utf8
        guard start < utf8.count else { return }
        let from: String.Index = utf8.index(utf8.startIndex, offsetBy: start)
        let space: UInt8 = 0x20, close: UInt8 = 0x3E
        guard let name: String.Index = utf8[from...].firstIndex(where: { (b: UInt8) -> Bool in b == space || b == close }) else { return }
        var attributes = ""
        swap(&attributes, &html)
        languageAttributes(language)
        swap(&attributes, &html)
        html.insert(contentsOf: attributes, at: name)
    }

    public mutating func visitFootnote(number: Int, blocks: [Block]) {
        html += "<li id=\"fn-\(number)\" value=\"\(number)\">\n"
        walk(blocks)
        html += "<a href=\"#fnref-\(number)\" class=\"footnote-backref\">\u{21A9}</a>\n</li>\n"
    }

    // MARK: Inlines

    public mutating func visitText(_ s: String) { text(s) }
    public mutating func visitEmphasis(_ children: [Inline]) { html += "<em>"; walk(children); html += "</em>" }
    public mutating func visitStrong(_ children: [Inline]) { html += "<strong>"; walk(children); html += "</strong>" }
    public mutating func visitStrikethrough(_ children: [Inline]) { html += "<del>"; walk(children); html += "</del>" }
    public mutating func visitCode(_ code: String) { html += "<code>"; text(code); html += "</code>" }
    public mutating func visitLineBreak() { html += "<br>\n" }

    public mutating func visitImage(_ image: Image) {
        html += "<img src=\""; text(image.src); html += "\" alt=\""; text(image.alt); html += "\""
        if !image.title.isEmpty { html += " title=\""; text(image.title); html += "\"" }
        html += ">"
    }

    public mutating func visitInlines(_ children: [Inline], in language: TextLanguage) {
        html += "<span"; languageAttributes(language); html += ">"; walk(children); html += "</span>"
    }

    public mutating func visitFootnoteReference(_ n: Int) {
        html += "<sup class=\"footnote-ref\"><a href=\"#fn-\(n)\" id=\"fnref-\(n)\">\(n)</a></sup>"
    }

    public mutating func visitLink(target: LinkTarget, title: String, children: [Inline]) {
        switch target {
        // Apps intercept the lesson: scheme and open the lesson natively.
        case .lesson(let id, let curriculum):
            html += "<a href=\"lesson:"; text(curriculum); html += "/"; text(id)
            html += "\" data-lesson=\""; text(id); html += "\""
        case .url(let u): html += "<a href=\""; text(u); html += "\" rel=\"noopener noreferrer\""
        case .asset(let a): html += "<a href=\""; text(a); html += "\""
        }
        if !title.isEmpty { html += " title=\""; text(title); html += "\"" }
        html += ">"; walk(children); html += "</a>"
    }
}

/// The `html` field of a compiled lesson, for WebView apps.
public struct LessonHTML: HTMLRenderer {
    public var html = ""

    public init() { html.reserveCapacity(4096) }

    public static func render(_ blocks: [Block]) -> String {
        var r = LessonHTML()
        r.render(blocks)
        return r.html
    }

    public func escape(_ text: String, into html: inout String) { LessonHTML.escape(text, &html) }

    /// Escapes `& < > " '` (enough for text and for attribute values in double quotes).
    public static func escape(_ s: String, _ out: inout String) {
        // Most text needs no escaping: append it whole rather than scalar by scalar.
        // On the contiguous bytes when there are (a native string): iterating the UTF8View was 2% of a build.
        func special(_ b: UInt8) -> Bool { b == 0x26 || b == 0x3C || b == 0x3E || b == 0x22 || b == 0x27 }
        guard s.utf8.withContiguousStorageIfAvailable({ $0.contains(where: special) }) ?? s.utf8.contains(where: special) else {
            out += s
            return
        }
        // The text between special characters is appended in runs (an apostrophe in a sentence
        // used to send all of it scalar by scalar). The bytes found are ASCII, so every run
        // starts and ends on a scalar boundary.
        let scalars = s.unicodeScalars
        var run = s.utf8.startIndex
        var i = run
        while i != s.utf8.endIndex {
            let b = s.utf8[i]
            if special(b) {
                out += Substring(scalars[run..<i])
                switch b {
                case 0x26: out += "&amp;"
                case 0x3C: out += "&lt;"
                case 0x3E: out += "&gt;"
                case 0x22: out += "&quot;"
                default: out += "&#39;"
                }
                run = s.utf8.index(after: i)
            }
            i = s.utf8.index(after: i)
        }
        out += Substring(scalars[run...])
    }
}
