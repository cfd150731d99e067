import Foundation

/// The pages of the preview site. Every page names its language and direction on `<html>`; the
/// preview's own words (navigation, labels) are English and say so with `lang="en"` where the
/// page is in another language; text in a language other than the page's carries its own
/// `lang` and `dir`.
enum PreviewPages {
    static func esc(_ s: String) -> String {
        var out = ""
        LessonHTML.escape(s, &out)
        return out
    }

    /// ` lang="en" dir="ltr"` for text in `locale`, or "" when the page is in that locale already.
    static func langAttributes(_ locale: String, page: String) -> String {
        guard locale != page else { return "" }
        let dir = LocaleInfo.direction(locale)
        return LocaleInfo.direction(page) == dir ? " lang=\"\(esc(locale))\"" : " lang=\"\(esc(locale))\" dir=\"\(dir.rawValue)\""
    }

    /// The frame of every page. `root` leads from the page to the site's root folder.
    static func page(title: String, locale: String, root: String, breadcrumb: [(String, String?)], body: String, script: Bool = false) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"\(esc(locale))\" dir=\"\(LocaleInfo.direction(locale).rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        // An empty icon: no request for /favicon.ico.
        html += "<title>\(esc(title))</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"\(root)preview.css\">\n</head>\n<body>\n"
        html += "<a class=\"skip\" href=\"#main\"\(ui(locale))>Skip to content</a>\n"
        html += "<header class=\"site\"\(ui(locale))>\n<nav aria-label=\"Breadcrumb\">\n<ol class=\"breadcrumb\">\n"
        for (text, href) in breadcrumb {
            if let href { html += "<li><a href=\"\(esc(href))\">\(text)</a></li>\n" } else { html += "<li aria-current=\"page\">\(text)</li>\n" }
        }
        html += "</ol>\n</nav>\n</header>\n<main id=\"main\">\n" + body + "</main>\n"
        html += "<footer class=\"site\"\(ui(locale))><p>Preview made by lessonc from the compiled lessons devices get.</p></footer>\n"
        if script { html += "<script src=\"\(root)preview.js\"></script>\n" }
        html += "</body>\n</html>\n"
        return html
    }

    /// Marks the preview's own English words on a page in another language.
    static func ui(_ pageLocale: String) -> String { langAttributes("en", page: pageLocale) }

    static func plural(_ n: Int, _ word: String) -> String { "\(n.formatted) \(word)\(n == 1 ? "" : "s")" }

    // MARK: - Home

    static func home(_ model: PreviewModel) -> String {
        let lessons = model.curricula.reduce(0) { $0 + $1.curriculum.lessons.count }
        let errors = model.diagnostics.filter { $0.severity == .error }.count
        let warnings = model.diagnostics.count - errors
        var body = "<h1>Lesson preview</h1>\n"
        body += "<p class=\"summary\">\(plural(lessons, "lesson")) in \(model.curricula.count) curricul\(model.curricula.count == 1 ? "um" : "a"): "
        body += "\(plural(errors, "error")), \(plural(warnings, "warning")).</p>\n"
        for c in model.curricula {
            body += "<section class=\"curriculum\" aria-labelledby=\"c-\(esc(c.id))\">\n"
            body += "<h2 id=\"c-\(esc(c.id))\"\(langAttributes(c.source, page: "en"))>\(esc(c.curriculum.meta.title))</h2>\n"
            body += "<p class=\"meta\">\(esc(c.id)) · version \(esc(c.curriculum.meta.version)) · \(plural(c.curriculum.lessons.count, "lesson"))</p>\n"
            body += "<div class=\"table-scroll\" role=\"region\" aria-label=\"Locales of \(esc(c.curriculum.meta.title))\" tabindex=\"0\">\n"
            body += "<table class=\"locales\">\n<thead>\n<tr><th scope=\"col\">Locale</th><th scope=\"col\">Lessons in this locale</th><th scope=\"col\">Translated texts</th><th scope=\"col\">Pages</th></tr>\n</thead>\n<tbody>\n"
            for locale in c.compiled.locales {
                let folder = "\(PreviewSite.folderName(c.id))/\(locale)/"
                body += "<tr><th scope=\"row\">\(esc(PreviewModel.localeName(locale)))\(LocaleInfo.direction(locale) == .rtl ? " <span class=\"badge\">right to left</span>" : "")</th>"
                if locale == c.source {
                    body += "<td>\(c.curriculum.lessons.count.formatted) (source language)</td><td>—</td>"
                    body += "<td><a href=\"\(esc(folder))index.html\">Read</a></td></tr>\n"
                } else {
                    let files = c.compiled.lessons.compactMap { $0?.files.first { $0.locale == locale } }
                    let published = files.filter { !$0.fallback }.count
                    let coverage = files.isEmpty ? 0 : files.reduce(0) { $0 + ($1.coverage ?? 0) } / files.count
                    body += "<td>\(published.formatted) of \(c.curriculum.lessons.count.formatted) translated</td><td>\(coverage)% on average</td>"
                    body += "<td><a href=\"\(esc(folder))index.html\">Read</a> · <a href=\"\(esc(folder))review/index.html\">Review</a></td></tr>\n"
                }
            }
            body += "</tbody>\n</table>\n</div>\n</section>\n"
        }
        if !model.unplaced.isEmpty {
            body += "<section aria-labelledby=\"other-problems\">\n<h2 id=\"other-problems\">Other problems</h2>\n"
            body += diagnosticList(model.unplaced, locale: "en")
            body += "</section>\n"
        }
        return page(title: "Lesson preview", locale: "en", root: "", breadcrumb: [("All curricula", nil)], body: body)
    }

    // MARK: - Table of contents

    static func contents(_ model: PreviewModel, _ c: PreviewModel.CurriculumView, locale: String) -> String {
        let ui = ui(locale)
        var body = "<h1\(langAttributes(c.source, page: locale))>\(esc(c.curriculum.meta.title))</h1>\n"
        body += "<p class=\"meta\"\(ui)>\(esc(PreviewModel.localeName(locale)))"
        if locale == c.source {
            body += " · source language · \(plural(c.curriculum.lessons.count, "lesson"))</p>\n"
        } else {
            let translated = c.curriculum.lessons.indices.filter { c.file($0, locale).map { !$0.fallback } ?? false }.count
            body += " · \(translated.formatted) of \(plural(c.curriculum.lessons.count, "lesson")) translated · <a href=\"review/index.html\">Review the translation</a></p>\n"
        }
        if !c.curriculum.description.isEmpty {
            body += "<p class=\"description\"\(langAttributes(c.source, page: locale))>\(esc(c.curriculum.description.trimmingCharacters(in: .whitespacesAndNewlines)))</p>\n"
        }
        let positions = Dictionary(c.curriculum.lessons.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        func tree(_ nodes: [TreeNode], depth: Int) -> String {
            var html = "<ol class=\"toc\">\n"
            for node in nodes {
                switch node {
                case .lesson(let id):
                    guard let i = positions[id] else { continue }
                    html += "<li class=\"lesson\">" + lessonLink(c, i, locale: locale, href: PreviewSite.pageName(id)) + "</li>\n"
                case .unit(let unit):
                    let h = min(6, depth + 2)
                    html += "<li class=\"unit\">\n<h\(h)\(langAttributes(c.source, page: locale))>\(esc(unit.title))</h\(h)>\n"
                    if !unit.summary.isEmpty { html += "<p class=\"summary\"\(langAttributes(c.source, page: locale))>\(esc(unit.summary))</p>\n" }
                    html += tree(unit.children, depth: depth + 1) + "</li>\n"
                }
            }
            return html + "</ol>\n"
        }
        body += "<nav aria-label=\"Table of contents\">\n" + tree(c.curriculum.children, depth: 0) + "</nav>\n"
        return page(title: c.curriculum.meta.title, locale: locale, root: "../../",
                    breadcrumb: [("All curricula", "../../index.html"), (esc(c.curriculum.meta.title) + " · " + esc(locale), nil)], body: body)
    }

    /// A lesson's entry in a list: its title in the locale, duration, and what a reviewer should know.
    static func lessonLink(_ c: PreviewModel.CurriculumView, _ i: Int, locale: String, href: String) -> String {
        let lesson = c.curriculum.lessons[i]
        let fallback = c.isFallback(i, locale)
        var html = "<a href=\"\(esc(href))\"\(langAttributes(fallback ? c.source : locale, page: locale))>\(esc(c.title(i, locale)))</a>"
        if let duration = lesson.meta.duration { html += " <span class=\"duration\">\(esc(duration))</span>" }
        let ui = ui(locale)
        if fallback { html += " <span class=\"badge fallback\"\(ui)>not yet translated</span>" }
        if c.compiled.lessons[i] == nil { html += " <span class=\"badge error\"\(ui)>cannot be compiled</span>" }
        return html
    }

    // MARK: - A lesson

    static func lesson(_ model: PreviewModel, _ c: PreviewModel.CurriculumView, lesson i: Int, locale: String,
                       document: Result<PreviewLesson, LessonReader.Malformed>?, diagnostics: [Diagnostic]) -> String {
        let source = c.curriculum.lessons[i]
        let ui = ui(locale)
        var body = ""
        if !source.unitTitles.isEmpty {
            body += "<p class=\"units\"\(langAttributes(c.source, page: locale))>\(source.unitTitles.map(esc).joined(separator: " › "))</p>\n"
        }
        switch document {
        case .success(let lesson)?:
            let textLang = langAttributes(lesson.textLocale, page: locale)
            body += "<article class=\"lesson\"\(textLang) data-locale=\"\(esc(lesson.textLocale))\">\n<h1>\(esc(lesson.title))</h1>\n"
            var meta: [String] = []
            if let d = lesson.duration { meta.append("Duration: \(esc(d))") }
            if !lesson.audience.isEmpty { meta.append("For: \(esc(lesson.audience.joined(separator: ", ")))") }
            if !meta.isEmpty { body += "<p class=\"meta\"\(ui)>\(meta.joined(separator: " · "))</p>\n" }
            if lesson.fallback {
                body += "<p class=\"fallback-note\"\(ui)><strong>Not yet translated</strong> into \(esc(PreviewModel.localeName(locale))): "
                body += "devices get this lesson in \(esc(PreviewModel.localeName(lesson.sourceLocale)))"
                if let coverage = lesson.coverage { body += " (\(coverage)% of its texts are translated)" }
                body += ". <a href=\"review/\(esc(PreviewSite.pageName(source.id)))\">Review its translation</a></p>\n"
            }
            body += diagnosticBox(diagnostics, locale: locale)
            if let warning = lesson.contentWarning {
                body += "<div class=\"callout callout-content-warning lesson-warning\" role=\"note\">\n"
                body += "<p class=\"callout-title\"><span class=\"callout-label\"\(ui)>Content warning</span></p>\n<p>\(esc(warning))</p>\n</div>\n"
            }
            body += PreviewHTML.render(lesson.blocks, links: model.links, curriculum: c.id, locale: locale)
            body += "</article>\n"
        case .failure(let error)?:
            body += "<h1>\(esc(c.title(i, locale)))</h1>\n" + diagnosticBox(diagnostics, locale: locale)
            body += "<p class=\"error\"\(ui)>The compiled lesson cannot be read: \(esc(error.description))</p>\n"
        case nil:
            body += "<h1\(langAttributes(c.source, page: locale))>\(esc(c.title(i, locale)))</h1>\n"
            body += "<p class=\"error\"\(ui)>This lesson cannot be compiled; the problems below say why.</p>\n"
            body += diagnosticBox(diagnostics, locale: locale)
        }
        body += pager(c, i, locale: locale)
        if locale != c.source {
            body += "<p class=\"review-link\"\(ui)><a href=\"review/\(esc(PreviewSite.pageName(source.id)))\">Review the translation of this lesson</a></p>\n"
        }
        return page(title: c.title(i, locale), locale: locale, root: "../../",
                    breadcrumb: [("All curricula", "../../index.html"), (esc(c.curriculum.meta.title) + " · " + esc(locale), "index.html"),
                                 (esc(c.title(i, locale)), nil)],
                    body: body, script: true)
    }

    /// Previous and next lesson, in reading order.
    static func pager(_ c: PreviewModel.CurriculumView, _ i: Int, locale: String, prefix: String = "") -> String {
        let lessons = c.curriculum.lessons
        guard lessons.count > 1 else { return "" }
        var html = "<nav class=\"pager\" aria-label=\"Lessons\"\(ui(locale))>\n"
        if i > 0 {
            html += "<a rel=\"prev\" href=\"\(prefix)\(esc(PreviewSite.pageName(lessons[i - 1].id)))\">Previous: <span\(langAttributes(c.isFallback(i - 1, locale) ? c.source : locale, page: "en"))>\(esc(c.title(i - 1, locale)))</span></a>\n"
        }
        if i + 1 < lessons.count {
            html += "<a rel=\"next\" href=\"\(prefix)\(esc(PreviewSite.pageName(lessons[i + 1].id)))\">Next: <span\(langAttributes(c.isFallback(i + 1, locale) ? c.source : locale, page: "en"))>\(esc(c.title(i + 1, locale)))</span></a>\n"
        }
        return html + "</nav>\n"
    }

    /// Problems at the top of a page, each with its file:line:column.
    static func diagnosticBox(_ diagnostics: [Diagnostic], locale: String) -> String {
        guard !diagnostics.isEmpty else { return "" }
        let errors = diagnostics.filter { $0.severity == .error }.count
        var html = "<section class=\"diagnostics\(errors > 0 ? " has-errors" : "")\" aria-labelledby=\"diagnostics-title\"\(ui(locale))>\n"
        html += "<h2 id=\"diagnostics-title\">\(plural(errors, "error")), \(plural(diagnostics.count - errors, "warning"))</h2>\n"
        html += diagnosticList(diagnostics, locale: locale)
        return html + "</section>\n"
    }

    static func diagnosticList(_ diagnostics: [Diagnostic], locale: String) -> String {
        var html = "<ul class=\"diagnostic-list\">\n"
        for d in diagnostics {
            html += "<li class=\"diagnostic \(d.severity.rawValue)\"><span class=\"severity\">\(d.severity.rawValue)</span> "
            html += "<code class=\"location\">\(esc(d.path)):\(d.line):\(d.column)</code> \(esc(d.message)) <span class=\"rule\">[\(esc(d.rule.rawValue))]</span></li>\n"
        }
        return html + "</ul>\n"
    }

    // MARK: - Review

    /// What state a reviewer sees a unit in, from its XLIFF `state` and whether it has a target.
    enum ReviewState: String, CaseIterable {
        case new
        case needsReview = "needs-review"
        case translated
        case final

        var label: String {
            switch self {
            case .new: return "new"
            case .needsReview: return "needs review"
            case .translated: return "translated"
            case .final: return "final"
            }
        }

        init(_ unit: XLIFFUnit) {
            guard Translator.hasText(unit.target) else { self = .new; return }
            switch unit.state {
            case "final", "signed-off": self = .final
            case "translated", nil: self = .translated
            case let s? where s.hasPrefix("needs-review"): self = .needsReview
            default: self = .new
            }
        }
    }

    static func reviewContents(_ model: PreviewModel, _ c: PreviewModel.CurriculumView, locale: String) -> String {
        let ui = ui(locale)
        var body = "<h1\(ui)>Review: \(esc(PreviewModel.localeName(locale)))</h1>\n"
        body += "<p class=\"meta\"\(ui)><span\(langAttributes(c.source, page: "en"))>\(esc(c.curriculum.meta.title))</span> · from <code>\(esc(c.xliffPath(locale)))</code> · "
        body += "<a href=\"../index.html\">Read the lessons</a></p>\n"
        body += "<div class=\"table-scroll\" role=\"region\" aria-label=\"Lessons to review\" tabindex=\"0\"\(ui)>\n<table class=\"review-index\">\n"
        body += "<thead>\n<tr><th scope=\"col\">Lesson</th><th scope=\"col\">Translated texts</th><th scope=\"col\">Devices get</th><th scope=\"col\">Problems</th></tr>\n</thead>\n<tbody>\n"
        for i in c.curriculum.lessons.indices {
            let lesson = c.curriculum.lessons[i]
            let file = c.file(i, locale)
            let problems = model.diagnostics(c, lesson: i, locale: locale).filter { $0.path == c.xliffPath(locale) }.count
            body += "<tr><td><a href=\"\(esc(PreviewSite.pageName(lesson.id)))\"\(langAttributes(c.isFallback(i, locale) ? c.source : locale, page: "en"))>\(esc(c.title(i, locale)))</a></td>"
            body += "<td>\(file?.coverage.map { "\($0)%" } ?? "—")</td>"
            body += "<td>\(file == nil ? "nothing (cannot be compiled)" : file!.fallback ? "the source language" : "this translation")</td>"
            body += "<td>\(problems == 0 ? "none" : plural(problems, "problem"))</td></tr>\n"
        }
        body += "</tbody>\n</table>\n</div>\n"
        return page(title: "Review \(locale): \(c.curriculum.meta.title)", locale: locale, root: "../../../",
                    breadcrumb: [("All curricula", "../../../index.html"), (esc(c.curriculum.meta.title) + " · " + esc(locale), "../index.html"), ("Review", nil)],
                    body: body)
    }

    static func review(_ model: PreviewModel, _ c: PreviewModel.CurriculumView, lesson i: Int, locale: String,
                       file: XLIFFFile?, diagnostics: [Diagnostic]) -> String {
        let lesson = c.curriculum.lessons[i]
        let ui = ui(locale)
        let sourceLang = langAttributes(c.source, page: locale)
        var body = "<h1\(ui)>Review: <span\(langAttributes(c.isFallback(i, locale) ? c.source : locale, page: "en"))>\(esc(c.title(i, locale)))</span></h1>\n"
        body += "<p class=\"meta\"\(ui)>\(esc(PreviewModel.localeName(c.source))) → \(esc(PreviewModel.localeName(locale))) · <code>\(esc(c.xliffPath(locale)))</code> · "
        body += "<a href=\"../\(esc(PreviewSite.pageName(lesson.id)))\">Read the lesson as devices get it</a></p>\n"
        let translationProblems = diagnostics.filter { $0.path == c.xliffPath(locale) }
        body += diagnosticBox(translationProblems, locale: locale)
        guard let file, !file.units.isEmpty else {
            body += "<p class=\"error\"\(ui)>This lesson has no texts in <code>\(esc(c.xliffPath(locale)))</code> yet: run <code>lessonc translate extract --locale \(esc(locale))</code>.</p>\n"
            return reviewPage(c, i, locale: locale, body: body)
        }
        let states = file.units.map(ReviewState.init)
        body += "<ul class=\"state-counts\"\(ui)>\n"
        for state in ReviewState.allCases {
            body += "<li><span class=\"state state-\(state.rawValue)\">\(state.label)</span> \(states.filter { $0 == state }.count)</li>\n"
        }
        body += "</ul>\n"
        body += "<div class=\"table-scroll\" role=\"region\" aria-label=\"Texts side by side\" tabindex=\"0\">\n<table class=\"review\">\n<thead\(ui)>\n<tr><th scope=\"col\">Text</th>"
        body += "<th scope=\"col\">Source, \(esc(PreviewModel.localeName(c.source)))</th><th scope=\"col\">Translation, \(esc(PreviewModel.localeName(locale)))</th><th scope=\"col\">State</th></tr>\n</thead>\n<tbody>\n"
        let byLine = Dictionary(grouping: translationProblems, by: \.line)
        for (unit, state) in zip(file.units, states) {
            let problems = (unit.line...max(unit.line, unit.targetLine + 1)).flatMap { byLine[$0] ?? [] }
            body += "<tr id=\"\(esc(unit.id))\" class=\"state-\(state.rawValue)\"><td\(ui)><code>\(esc(unit.id.split(separator: "/").last.map(String.init) ?? unit.id))</code><br><span class=\"line\">line \(unit.line)</span></td>"
            body += "<td\(sourceLang)>\(runs(unit.source))</td>"
            body += "<td>\(unit.target.map(runs) ?? "")"
            for p in problems { body += "<p class=\"diagnostic \(p.severity.rawValue)\"\(ui)>\(esc(p.message)) <span class=\"rule\">[\(esc(p.rule.rawValue))]</span></p>" }
            body += "</td>"
            body += "<td\(ui)><span class=\"state state-\(state.rawValue)\" title=\"\(esc(unit.state ?? "no state"))\">\(state.label)</span></td></tr>\n"
        }
        body += "</tbody>\n</table>\n</div>\n"
        return reviewPage(c, i, locale: locale, body: body)
    }

    static func reviewPage(_ c: PreviewModel.CurriculumView, _ i: Int, locale: String, body: String) -> String {
        page(title: "Review \(locale): \(c.title(i, locale))", locale: locale, root: "../../../",
             breadcrumb: [("All curricula", "../../../index.html"), (esc(c.curriculum.meta.title) + " · " + esc(locale), "../index.html"),
                          ("Review", "index.html"), (esc(c.title(i, locale)), nil)],
             body: body + pager(c, i, locale: locale))
    }

    /// XLIFF inline content for reading: formatting as formatting, codes as marked placeholders.
    static func runs(_ list: [SegmentRun]) -> String {
        var html = ""
        for run in list {
            switch run {
            case .text(let s): html += esc(s)
            case .group(_, let ctype, let children):
                switch ctype {
                case "bold", "x-strong": html += "<strong>\(runs(children))</strong>"
                case "italic", "x-emphasis": html += "<em>\(runs(children))</em>"
                default: html += "<span class=\"code-group\" title=\"\(esc(ctype))\">\(runs(children))</span>"
                }
            case .placeholder(let id, let ctype, let equiv):
                html += "<span class=\"code-placeholder\" title=\"\(esc(ctype))\">\(esc(equiv.isEmpty ? "{\(id)}" : equiv))</span>"
            case .native(_, _, let code): html += "<code>\(esc(code))</code>"
            }
        }
        return html
    }
}

extension Int {
    /// 1,234: thousands grouped the same way on every machine.
    var formatted: String {
        let digits = String(magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (self < 0 ? "-" : "") + out
    }
}
