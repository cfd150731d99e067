import Foundation
import LessonSupport

/// What the pages of the preview are made from, worked out once from a `Compilation`.
struct PreviewModel: Sendable {
    struct CurriculumView: Sendable {
        var index: Int
        var curriculum: Curriculum
        var compiled: CompiledCurriculum
        var id: String { curriculum.id }
        var source: String { curriculum.meta.language }
        /// What every page of the curriculum shows besides its own lesson (titles, order,
        /// locales): a page is rendered again when this changes.
        var context: ContentDigest

        func file(_ lesson: Int, _ locale: String) -> LessonFile? {
            compiled.lessons[lesson]?.files.first { $0.locale == locale }
        }

        /// The lesson's title in a locale (the source title where it has none).
        func title(_ lesson: Int, _ locale: String) -> String {
            file(lesson, locale)?.title ?? curriculum.lessons[lesson].meta.title.nonEmpty ?? curriculum.lessons[lesson].id
        }

        func isFallback(_ lesson: Int, _ locale: String) -> Bool { file(lesson, locale)?.fallback ?? false }

        func xliffPath(_ locale: String) -> String { TranslationCatalog.path(locale: locale, curriculum: id) }
    }

    var curricula: [CurriculumView]
    var links: PreviewLinks
    var diagnostics: [Diagnostic]
    /// Diagnostics by path (lesson files, XLIFF files, …).
    var byPath: [String: [Diagnostic]]
    /// Diagnostics that no lesson page shows (curriculum files, assets, whole XLIFF files): the home page lists them.
    var unplaced: [Diagnostic]
    var translations: TranslationSet

    /// Changes when the renderer does: part of every page's key.
    static let rendererKey = CompilerIdentity.current + " preview/1"

    init(_ compilation: Compilation) {
        diagnostics = compilation.diagnostics
        translations = compilation.translations
        byPath = Dictionary(grouping: compilation.diagnostics, by: \.path)
        var locales: [String: [String]] = [:]
        var placed = Set<String>()
        var views: [CurriculumView] = []
        for (i, compiled) in compilation.curricula.enumerated() {
            let c = compiled.curriculum
            locales[c.id] = compiled.locales
            var key = PreviewModel.rendererKey + "\u{0}" + c.id + "\u{0}" + c.meta.title + "\u{0}" + compiled.locales.joined(separator: ",")
            for (lesson, record) in zip(c.lessons, compiled.lessons) {
                placed.formUnion((byPath[lesson.path] ?? []).map(\.description))
                placed.formUnion((record?.diagnostics ?? []).map(\.description))
                key += "\u{0}" + lesson.id + "\u{1}" + lesson.unitTitles.joined(separator: "\u{1}") + "\u{1}" + lesson.meta.title
                for f in record?.files ?? [] { key += "\u{1}\(f.locale)\u{1}\(f.title)\u{1}\(f.fallback)" }
                key += "\u{1}\(byPath[lesson.path]?.count ?? 0)"
            }
            views.append(CurriculumView(index: i, curriculum: c, compiled: compiled, context: ContentDigest(of: Array(key.utf8))))
        }
        curricula = views
        links = PreviewLinks(locales: locales)
        unplaced = compilation.diagnostics.filter { !placed.contains($0.description) }
        // Links into other curricula depend on which locales those have.
        let linksKey = locales.keys.sorted().map { "\($0):\(locales[$0]!.joined(separator: ","))" }.joined(separator: ";")
        for i in curricula.indices {
            curricula[i].context = ContentDigest(of: Array((curricula[i].context.hex + linksKey).utf8))
        }
    }

    /// What a lesson's page in `locale` shows at its top: problems with the lesson file and, in a
    /// translation, with its translation into that locale.
    func diagnostics(_ c: CurriculumView, lesson: Int, locale: String) -> [Diagnostic] {
        let path = c.curriculum.lessons[lesson].path
        var list = byPath[path] ?? []
        if locale != c.source {
            let xliff = c.xliffPath(locale)
            list += (c.compiled.lessons[lesson]?.diagnostics ?? []).filter { $0.path == xliff }
        }
        return Diagnostic.sorted(list)
    }

    /// Locale tag → "Arabic (ar)", in English: the preview's own words are English.
    static func localeName(_ tag: String) -> String {
        let name = Foundation.Locale(identifier: "en").localizedString(forIdentifier: tag)
        guard let name, !name.isEmpty, name != tag else { return tag }
        return "\(name) (\(tag))"
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

/// One lesson page (or its review page) in one locale, to render.
struct LessonPage: Sendable {
    var curriculum: Int
    var lesson: Int
    var locale: String
    var review: Bool

    func path(_ model: PreviewModel) -> String {
        let c = model.curricula[curriculum]
        let id = c.curriculum.lessons[lesson].id
        return "\(PreviewSite.folderName(c.id))/\(locale)/" + (review ? "review/" : "") + PreviewSite.pageName(id)
    }

    /// The digest of everything the page is made from.
    func inputKey(_ model: PreviewModel) -> ContentDigest {
        let c = model.curricula[curriculum]
        var key = c.context.hex + "\u{0}\(lesson)\u{0}\(locale)\u{0}\(review)"
        if let file = c.file(lesson, locale) { key += "\u{0}" + (file.document?.digest.hex ?? "-") + "\u{0}\(file.coverage ?? -1)" }
        for d in model.diagnostics(c, lesson: lesson, locale: locale) { key += "\u{0}" + d.description }
        if review, let f = model.translations.files(of: c.id).first(where: { $0.locale == locale }) { key += "\u{0}" + f.digest.hex }
        return ContentDigest(of: Array(key.utf8))
    }

    func render(_ model: PreviewModel, sink: PreviewSink, compiler: ProjectCompiler, compilation: Compilation, catalog: PreviewCatalog) -> String {
        let c = model.curricula[curriculum]
        let source = c.curriculum.lessons[lesson]
        let diagnostics = model.diagnostics(c, lesson: lesson, locale: locale)
        if review {
            return PreviewPages.review(model, c, lesson: lesson, locale: locale,
                                       file: catalog.file(curriculum: c.id, locale: locale, lesson: source.id), diagnostics: diagnostics)
        }
        var document: Result<PreviewLesson, LessonReader.Malformed>?
        if let record = c.compiled.lessons[lesson] {
            let documents = sink.documents(of: source.path) ?? compiler.documents(of: source, record: record, in: compilation)
            if let bytes = documents.first(where: { $0.locale == locale })?.bytes {
                do { document = .success(try LessonReader.read(bytes)) } catch {
                    document = .failure(LessonReader.Malformed(description: "\(error)"))
                }
            }
        }
        return PreviewPages.lesson(model, c, lesson: lesson, locale: locale, document: document, diagnostics: diagnostics)
    }
}
