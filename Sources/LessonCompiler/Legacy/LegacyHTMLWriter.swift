/// Renders compiled blocks as the plain HTML the legacy RCC apps display: `<p>`, `<h2>`, `<ul>`,
/// `<ol>`, `<li>`, `<strong>`, `<em>`, `<a href>`, `<br>`, `<blockquote>`. There are no classes to
/// style callouts and quizzes, so they degrade to quotes with a bold title; images, which the apps
/// cannot load from a lessonc build, become their description; links to lessons become their text.
enum LegacyHTMLWriter {
    static func render(_ blocks: [Block], contentWarning: String? = nil) -> String {
        var out = ""
        if let contentWarning, !contentWarning.isEmpty {
            out += "<p><em>"; text(contentWarning, &out); out += "</em></p>\n"
        }
        var footnotes = false
        for b in blocks {
            // The apps have no footnote markup: a rule, then each note as "[N] text", as on paper.
            if case .footnote = b, !footnotes { out += "<hr>\n"; footnotes = true }
            block(b, &out)
        }
        return out
    }

    static func block(_ b: Block, _ out: inout String) {
        switch b {
        case .heading(let level, let inlines):
            let h = "h\(max(1, min(6, level)))"
            out += "<\(h)>"; self.inlines(inlines, &out); out += "</\(h)>\n"
        case .paragraph(let inlines):
            out += "<p>"; self.inlines(inlines, &out); out += "</p>\n"
        case .list(let ordered, let start, let items):
            let tag = ordered ? "ol" : "ul"
            out += ordered && start != 1 ? "<ol start=\"\(start)\">\n" : "<\(tag)>\n"
            for item in items {
                out += "<li>"
                if let checked = item.checked { out += checked ? "☑ " : "☐ " }
                if item.blocks.count == 1, case .paragraph(let inl) = item.blocks[0] { inlines(inl, &out) } else {
                    out += "\n"; for child in item.blocks { block(child, &out) }
                }
                out += "</li>\n"
            }
            out += "</\(tag)>\n"
        case .table(_, let header, let rows):
            // Tables do not survive the apps' HTML views: one paragraph per row, "Header: cell" per line.
            let names = header.map { cell -> [Inline] in cell.inlines }
            for row in rows {
                out += "<p>"
                for (i, cell) in row.enumerated() {
                    if i > 0 { out += "<br>" }
                    if i < names.count, !names[i].isEmpty { out += "<strong>"; inlines(names[i], &out); out += ":</strong> " }
                    inlines(cell.inlines, &out)
                }
                out += "</p>\n"
            }
            if rows.isEmpty && !header.isEmpty {
                out += "<p>"; inlines(Array(header.map(\.inlines).joined(separator: [Inline.text(" · ")])), &out); out += "</p>\n"
            }
        case .image(let img):
            out += "<p><em>"; text(img.alt, &out); out += "</em></p>\n"
        case .callout(_, let title, let duration, let blocks):
            out += "<blockquote>\n"
            if !title.isEmpty || duration != nil {
                out += "<p><strong>"; inlines(title, &out)
                if let duration { out += title.isEmpty ? "" : " "; out += "("; text(duration, &out); out += ")" }
                out += "</strong></p>\n"
            }
            for child in blocks { block(child, &out) }
            out += "</blockquote>\n"
        case .quiz(let question, let options, let explanation):
            // Correct answers are marked the way a printed answer key would: bold, with a check mark.
            out += "<blockquote>\n"
            for q in question { block(q, &out) }
            out += "<ol>\n"
            for o in options {
                out += "<li>"
                if o.correct { out += "<strong>"; inlines(o.inlines, &out); out += "</strong> ✓" } else { inlines(o.inlines, &out) }
                out += "</li>\n"
            }
            out += "</ol>\n"
            for e in explanation { block(e, &out) }
            out += "</blockquote>\n"
        case .quote(let blocks):
            out += "<blockquote>\n"; for child in blocks { block(child, &out) }; out += "</blockquote>\n"
        case .code(_, let code):
            out += "<pre>"; text(code, &out); out += "</pre>\n"
        case .rule:
            out += "<hr>\n"
        case .footnote(let number, let blocks):
            var inner = blocks
            if case .paragraph(let inl)? = inner.first { inner[0] = .paragraph([.text("[\(number)] ")] + inl) } else { inner.insert(.paragraph([.text("[\(number)]")]), at: 0) }
            for child in inner { block(child, &out) }
        }
    }

    static func inlines(_ list: [Inline], _ out: inout String) {
        for i in list {
            switch i {
            case .text(let s): text(s, &out)
            case .emphasis(let c): out += "<em>"; inlines(c, &out); out += "</em>"
            case .strong(let c): out += "<strong>"; inlines(c, &out); out += "</strong>"
            case .strikethrough(let c): out += "<del>"; inlines(c, &out); out += "</del>"
            case .code(let s): out += "<code>"; text(s, &out); out += "</code>"
            case .lineBreak: out += "<br>"
            case .image(let img): text(img.alt, &out)
            case .footnoteReference(let n): text("[\(n)]", &out)
            case .link(let target, _, let children):
                guard case .url(let url) = target else { inlines(children, &out); continue }
                out += "<a href=\"" + LibXML.escape(url, attribute: true) + "\">"; inlines(children, &out); out += "</a>"
            }
        }
    }

    static func text(_ s: String, _ out: inout String) {
        out += LibXML.escape(s)
    }

    /// The extra layer of escaping the legacy files carry: the apps unescape once, then render.
    static func escapeForLegacy(_ html: String) -> String {
        var out = ""
        HTMLRenderer.escape(html, &out)
        return out
    }
}
