/// The preview site's flavour of `HTMLRenderer`: the lesson html with what a reviewer needs
/// besides. Quizzes can be answered (the explanation sits in a `<details>`, so it opens
/// without script), callouts carry a visible label per kind, lesson links point at the lesson's
/// page, images at the copied assets, images with a title get a caption, tables scroll on a
/// phone, and headings start at level 2 under the page's `<h1>`.
struct PreviewHTML: HTMLRenderer {
    var html = ""
    /// Where lesson links go, relative to the page.
    let links: PreviewLinks
    /// The curriculum and locale the page shows.
    let curriculum: String
    let locale: String
    /// From the page to the curriculum folder (where `assets/` is copied).
    let curriculumPrefix: String
    /// Added to every heading level so that the lesson's highest heading is an `<h2>`.
    let headingShift: Int
    /// Quizzes so far on the page (their ids).
    private var quizzes = 0

    init(links: PreviewLinks, curriculum: String, locale: String, curriculumPrefix: String = "../", blocks: [Block]) {
        self.links = links
        self.curriculum = curriculum
        self.locale = locale
        self.curriculumPrefix = curriculumPrefix
        let top = blocks.compactMap { b -> Int? in if case .heading(let level, _) = b { return level }; return nil }.min() ?? 2
        headingShift = max(0, 2 - top)
        html.reserveCapacity(8192)
    }

    static func render(_ blocks: [Block], links: PreviewLinks, curriculum: String, locale: String) -> String {
        var r = PreviewHTML(links: links, curriculum: curriculum, locale: locale, blocks: blocks)
        r.render(blocks)
        return r.html
    }

    func escape(_ text: String, into html: inout String) { LessonHTML.escape(text, &html) }

    // A symbol, not a disabled checkbox: a form control with no label is an accessibility error.
    mutating func taskMarker(checked: Bool) {
        html += checked ? "<span class=\"task\" role=\"img\" aria-label=\"done\">\u{2611}</span> "
                        : "<span class=\"task\" role=\"img\" aria-label=\"not done\">\u{2610}</span> "
    }

    mutating func visitHeading(level: Int, inlines: [Inline]) {
        let h = "h\(max(2, min(6, level + headingShift)))"
        html += "<\(h)>"; walk(inlines); html += "</\(h)>\n"
    }

    mutating func visitTable(alignments: [TableAlignment], header: [TableCell], rows: [[TableCell]]) {
        // Focusable, so a keyboard can scroll a table wider than a phone.
        html += "<div class=\"table-scroll\" role=\"region\" aria-label=\"Table\" tabindex=\"0\">\n"
        table(alignments: alignments, header: header, rows: rows)
        html += "</div>\n"
    }

    mutating func visitImageBlock(_ image: Image) {
        html += "<figure>"; visitImage(image)
        if !image.title.isEmpty { html += "\n<figcaption>"; text(image.title); html += "</figcaption>" }
        html += "</figure>\n"
    }

    mutating func visitImage(_ image: Image) {
        html += "<img src=\""; text(curriculumPrefix + image.src); html += "\" alt=\""; text(image.alt); html += "\""
        if !image.title.isEmpty { html += " title=\""; text(image.title); html += "\"" }
        html += ">"
    }

    mutating func visitCallout(kind: CalloutKind, title: [Inline], duration: String?, blocks: [Block]) {
        html += "<div class=\"callout callout-\(kind.rawValue)\" role=\"note\" data-kind=\"\(kind.rawValue)\">\n"
        html += "<p class=\"callout-title\"><span class=\"callout-label\">\(PreviewHTML.label(kind))</span>"
        if !title.isEmpty { html += " "; walk(title) }
        if let duration { html += " <span class=\"duration\">"; text(duration); html += "</span>" }
        html += "</p>\n"
        walk(blocks)
        html += "</div>\n"
    }

    /// What the label of a callout says (English: the preview's own words are not translated).
    static func label(_ kind: CalloutKind) -> String {
        switch kind {
        case .note: return "Note"
        case .tip: return "Tip"
        case .warning: return "Warning"
        case .prompt: return "Prompt"
        case .activity: return "Activity"
        case .readAloud: return "Read aloud"
        case .contentWarning: return "Content warning"
        }
    }

    mutating func visitQuiz(question: [Block], options: [QuizOption], explanation: [Block]) {
        quizzes += 1
        let id = "quiz-\(quizzes)"
        let multiple = options.filter(\.correct).count != 1
        html += "<section class=\"quiz\" aria-labelledby=\"\(id)-q\">\n<p class=\"quiz-label\">Quiz</p>\n<div class=\"quiz-question\" id=\"\(id)-q\">\n"
        walk(question)
        html += "</div>\n<ul class=\"quiz-options\">\n"
        for (i, o) in options.enumerated() {
            html += "<li><label><input type=\"\(multiple ? "checkbox" : "radio")\" name=\"\(id)\" value=\"\(i)\" data-correct=\"\(o.correct)\"> "
            walk(o.inlines)
            html += "</label></li>\n"
        }
        html += "</ul>\n<p class=\"quiz-feedback\" aria-live=\"polite\"></p>\n"
        html += "<details class=\"quiz-answer\">\n<summary>Show the answer</summary>\n<p class=\"quiz-correct\">"
        html += options.filter(\.correct).count == 1 ? "Answer: " : "Answers: "
        for (i, o) in options.filter(\.correct).enumerated() {
            if i > 0 { html += "; " }
            walk(o.inlines)
        }
        html += "</p>\n"
        if !explanation.isEmpty { html += "<div class=\"quiz-explanation\">\n"; walk(explanation); html += "</div>\n" }
        html += "</details>\n</section>\n"
    }

    mutating func visitLink(target: LinkTarget, title: String, children: [Inline]) {
        switch target {
        case .lesson(let id, let other):
            html += "<a href=\""; text(links.href(lesson: id, curriculum: other, from: curriculum, locale: locale)); html += "\""
        case .url(let u): html += "<a href=\""; text(u); html += "\" rel=\"noopener noreferrer\" class=\"external\""
        case .asset(let a): html += "<a href=\""; text(curriculumPrefix + a); html += "\""
        }
        if !title.isEmpty { html += " title=\""; text(title); html += "\"" }
        html += ">"; walk(children); html += "</a>"
    }
}

/// Which locales each curriculum's pages exist in, so that a link to a lesson of another
/// curriculum opens it in the same locale when that curriculum has it, else in its source language.
struct PreviewLinks: Sendable {
    /// Curriculum id → its locales, the source language first.
    var locales: [String: [String]]

    func locale(of curriculum: String, preferring locale: String) -> String {
        guard let list = locales[curriculum] else { return locale }
        return list.contains(locale) ? locale : list.first ?? locale
    }

    /// From a lesson page of `from` in `locale` to the page of lesson `id` of `curriculum`.
    func href(lesson id: String, curriculum: String, from: String, locale: String) -> String {
        let file = PreviewSite.pageName(id)
        if curriculum == from || curriculum.isEmpty { return file }
        return "../../\(PreviewSite.folderName(curriculum))/\(self.locale(of: curriculum, preferring: locale))/\(file)"
    }
}
