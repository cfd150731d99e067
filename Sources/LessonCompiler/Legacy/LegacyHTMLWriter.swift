/// The plain HTML the legacy RCC apps display: `<p>`, `<h2>`, `<ul>`, `<ol>`, `<li>`, `<strong>`,
/// `<em>`, `<a href>`, `<br>`, `<blockquote>`. It is the shared `HTMLRenderer` with what those apps
/// cannot show overridden: there are no classes to style callouts and quizzes, so they degrade to
/// quotes with a bold title; images, which the apps cannot load from a lessonc build, become their
/// description; links to lessons become their text; tables become one paragraph per row.
struct LegacyHTML: HTMLRenderer {
    var html = ""

    static func render(_ blocks: [Block], contentWarning: String? = nil) -> String {
        var r = LegacyHTML()
        if let contentWarning, !contentWarning.isEmpty {
            r.html += "<p><em>"; r.text(contentWarning); r.html += "</em></p>\n"
        }
        r.render(blocks)
        return r.html
    }

    /// The extra layer of escaping the legacy files carry: the apps unescape once, then render.
    static func escapeForLegacy(_ html: String) -> String {
        var out = ""
        LessonHTML.escape(html, &out)
        return out
    }

    func escape(_ text: String, into html: inout String) { html += LibXML.escape(text) }

    /// The apps have no footnote markup: a rule, then each note as "[N] text", as on paper.
    mutating func render(_ blocks: [Block]) {
        var footnotes = false
        for b in blocks {
            if case .footnote = b, !footnotes { html += "<hr>\n"; footnotes = true }
            visit(b)
        }
    }

    mutating func taskMarker(checked: Bool) { html += checked ? "☑ " : "☐ " }

    /// Tables do not survive the apps' HTML views: one paragraph per row, "Header: cell" per line.
    mutating func visitTable(alignments: [TableAlignment], header: [TableCell], rows: [[TableCell]]) {
        for row in rows {
            html += "<p>"
            for (i, cell) in row.enumerated() {
                if i > 0 { html += "<br>" }
                if i < header.count, !header[i].inlines.isEmpty { html += "<strong>"; walk(header[i].inlines); html += ":</strong> " }
                walk(cell.inlines)
            }
            html += "</p>\n"
        }
        if rows.isEmpty && !header.isEmpty {
            html += "<p>"; walk(Array(header.map(\.inlines).joined(separator: [Inline.text(" · ")]))); html += "</p>\n"
        }
    }

    mutating func visitImageBlock(_ image: Image) {
        html += "<p><em>"; text(image.alt); html += "</em></p>\n"
    }

    mutating func visitCallout(kind: CalloutKind, title: [Inline], duration: String?, blocks: [Block]) {
        html += "<blockquote>\n"
        if !title.isEmpty || duration != nil {
            html += "<p><strong>"; walk(title)
            if let duration { html += title.isEmpty ? "" : " "; html += "("; text(duration); html += ")" }
            html += "</strong></p>\n"
        }
        walk(blocks)
        html += "</blockquote>\n"
    }

    /// Correct answers are marked the way a printed answer key would: bold, with a check mark.
    mutating func visitQuiz(question: [Block], options: [QuizOption], explanation: [Block]) {
        html += "<blockquote>\n"
        walk(question)
        html += "<ol>\n"
        for o in options {
            html += "<li>"
            if o.correct { html += "<strong>"; walk(o.inlines); html += "</strong> ✓" } else { walk(o.inlines) }
            html += "</li>\n"
        }
        html += "</ol>\n"
        walk(explanation)
        html += "</blockquote>\n"
    }

    mutating func visitCodeBlock(language: String, text code: String) {
        html += "<pre>"; text(code); html += "</pre>\n"
    }

    mutating func visitFootnote(number: Int, blocks: [Block]) {
        var inner = blocks
        if case .paragraph(let inlines)? = inner.first { inner[0] = .paragraph([.text("[\(number)] ")] + inlines) } else { inner.insert(.paragraph([.text("[\(number)]")]), at: 0) }
        walk(inner)
    }

    mutating func visitLineBreak() { html += "<br>" }
    mutating func visitImage(_ image: Image) { text(image.alt) }
    mutating func visitFootnoteReference(_ number: Int) { text("[\(number)]") }

    mutating func visitLink(target: LinkTarget, title: String, children: [Inline]) {
        guard case .url(let url) = target else { return walk(children) }
        html += "<a href=\"" + LibXML.escape(url, attribute: true) + "\">"; walk(children); html += "</a>"
    }
}
