/// Renders compiled blocks as HTML for WebView apps. Safe by construction: every text is
/// escaped, only a fixed set of tags is written, and URLs were checked by the compiler.
public enum HTMLRenderer {
    public static func render(_ blocks: [Block]) -> String {
        var out = ""
        out.reserveCapacity(4096)
        var inFootnotes = false
        for b in blocks {
            // Footnotes come last: one numbered list, each note linked back to its first reference.
            if case .footnote(let number, let inner) = b {
                if !inFootnotes { out += "<section class=\"footnotes\">\n<ol>\n"; inFootnotes = true }
                out += "<li id=\"fn-\(number)\" value=\"\(number)\">\n"
                for child in inner { block(child, &out) }
                out += "<a href=\"#fnref-\(number)\" class=\"footnote-backref\">\u{21A9}</a>\n</li>\n"
                continue
            }
            if inFootnotes { out += "</ol>\n</section>\n"; inFootnotes = false }
            block(b, &out)
        }
        if inFootnotes { out += "</ol>\n</section>\n" }
        return out
    }

    static func block(_ b: Block, _ out: inout String) {
        switch b {
        case .heading(let level, let inlines):
            out += "<h\(level)>"; self.inlines(inlines, &out); out += "</h\(level)>\n"
        case .paragraph(let inlines):
            out += "<p>"; self.inlines(inlines, &out); out += "</p>\n"
        case .list(let ordered, let start, let items):
            let tag = ordered ? "ol" : "ul"
            out += ordered && start != 1 ? "<ol start=\"\(start)\">\n" : "<\(tag)>\n"
            for item in items {
                out += "<li>"
                if let checked = item.checked { out += checked ? "<input type=\"checkbox\" checked disabled> " : "<input type=\"checkbox\" disabled> " }
                // Tight list items hold one paragraph: render it without <p>.
                if item.blocks.count == 1, case .paragraph(let inl) = item.blocks[0] { self.inlines(inl, &out) } else {
                    out += "\n"; for child in item.blocks { block(child, &out) }
                }
                out += "</li>\n"
            }
            out += "</\(tag)>\n"
        case .table(let alignments, let header, let rows):
            out += "<table>\n<thead>\n<tr>"
            for (i, cell) in header.enumerated() { self.cell("th", cell, alignment(alignments, i), &out) }
            out += "</tr>\n</thead>\n<tbody>\n"
            for row in rows {
                out += "<tr>"
                for (i, cell) in row.enumerated() { self.cell("td", cell, alignment(alignments, i), &out) }
                out += "</tr>\n"
            }
            out += "</tbody>\n</table>\n"
        case .image(let img):
            out += "<figure>"; image(img, &out)
            if !img.title.isEmpty { out += "<figcaption>"; escape(img.title, &out); out += "</figcaption>" }
            out += "</figure>\n"
        case .callout(let kind, let title, let duration, let blocks):
            out += "<aside class=\"callout callout-\(kind)\" data-kind=\"\(kind)\""
            if let duration { out += " data-duration=\""; escape(duration, &out); out += "\"" }
            out += ">\n"
            if !title.isEmpty || duration != nil {
                out += "<p class=\"callout-title\">"; inlines(title, &out)
                if let duration { out += title.isEmpty ? "" : " "; out += "<span class=\"duration\">"; escape(duration, &out); out += "</span>" }
                out += "</p>\n"
            }
            for child in blocks { block(child, &out) }
            out += "</aside>\n"
        case .quiz(let question, let options, let explanation):
            out += "<section class=\"quiz\">\n<div class=\"quiz-question\">\n"
            for q in question { block(q, &out) }
            out += "</div>\n<ul class=\"quiz-options\">\n"
            for o in options {
                out += o.correct ? "<li data-correct=\"true\">" : "<li data-correct=\"false\">"
                inlines(o.inlines, &out); out += "</li>\n"
            }
            out += "</ul>\n"
            if !explanation.isEmpty {
                out += "<div class=\"quiz-explanation\">\n"; for e in explanation { block(e, &out) }; out += "</div>\n"
            }
            out += "</section>\n"
        case .quote(let blocks):
            out += "<blockquote>\n"; for child in blocks { block(child, &out) }; out += "</blockquote>\n"
        case .code(let language, let text):
            out += language.isEmpty ? "<pre><code>" : "<pre><code class=\"language-"
            if !language.isEmpty { escape(language, &out); out += "\">" }
            escape(text, &out); out += "</code></pre>\n"
        case .rule:
            out += "<hr>\n"
        case .footnote:
            out += render([b])
        }
    }

    static func alignment(_ alignments: [String], _ i: Int) -> String? {
        i < alignments.count && alignments[i] != "none" ? alignments[i] : nil
    }

    static func cell(_ tag: String, _ cell: TableCell, _ align: String?, _ out: inout String) {
        out += align.map { "<\(tag) style=\"text-align:\($0)\">" } ?? "<\(tag)>"
        inlines(cell.inlines, &out)
        out += "</\(tag)>"
    }

    static func image(_ img: Image, _ out: inout String) {
        out += "<img src=\""; escape(img.src, &out); out += "\" alt=\""; escape(img.alt, &out); out += "\""
        if !img.title.isEmpty { out += " title=\""; escape(img.title, &out); out += "\"" }
        out += ">"
    }

    static func inlines(_ list: [Inline], _ out: inout String) {
        for i in list {
            switch i {
            case .text(let s): escape(s, &out)
            case .emphasis(let c): out += "<em>"; inlines(c, &out); out += "</em>"
            case .strong(let c): out += "<strong>"; inlines(c, &out); out += "</strong>"
            case .strikethrough(let c): out += "<del>"; inlines(c, &out); out += "</del>"
            case .code(let s): out += "<code>"; escape(s, &out); out += "</code>"
            case .lineBreak: out += "<br>\n"
            case .image(let img): image(img, &out)
            case .footnoteReference(let n):
                out += "<sup class=\"footnote-ref\"><a href=\"#fn-\(n)\" id=\"fnref-\(n)\">\(n)</a></sup>"
            case .link(let target, let title, let children):
                switch target {
                // Apps intercept the lesson: scheme and open the lesson natively.
                case .lesson(let id, let curriculum):
                    out += "<a href=\"lesson:"; escape(curriculum, &out); out += "/"; escape(id, &out)
                    out += "\" data-lesson=\""; escape(id, &out); out += "\""
                case .url(let u): out += "<a href=\""; escape(u, &out); out += "\" rel=\"noopener noreferrer\""
                case .asset(let a): out += "<a href=\""; escape(a, &out); out += "\""
                }
                if !title.isEmpty { out += " title=\""; escape(title, &out); out += "\"" }
                out += ">"; inlines(children, &out); out += "</a>"
            }
        }
    }

    static func escape(_ s: String, _ out: inout String) {
        // Most text needs no escaping: append it whole rather than scalar by scalar.
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            out += s
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}
