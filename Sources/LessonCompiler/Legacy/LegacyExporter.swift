import Foundation
import LessonSupport

public struct LegacyExportResult {
    public var diagnostics: [Diagnostic]
    /// Written files, relative to the output folder, e.g. `rcc-json/v1/english/advocate-training.json`.
    public var written: [String]
    public var succeeded: Bool { !diagnostics.contains { $0.severity == .error } }
}

/// `lessonc export rcc-json`: every curriculum with a `legacy_file` → the JSON the shipped RCC apps
/// download, `OUT/rcc-json/v1/<language>/<legacy_file>.json`. Nothing is written unless every such
/// curriculum compiles without errors.
public enum LegacyExporter {
    public static func run(root: URL, out: URL, locale: String? = nil) -> LegacyExportResult {
        let sink = DiagnosticSink()
        let project = Loader(root: root).load(into: sink)
        let selected = project.curricula.filter { $0.meta.legacyFile != nil }.sorted { $0.id < $1.id }
        // Problems in curricula that are not exported do not stop the export.
        var diagnostics = sink.all.filter { d in d.path == "content" || selected.contains { d.path == $0.dir || d.path.hasPrefix($0.dir + "/") } }
        if selected.isEmpty && !diagnostics.contains(where: { $0.severity == .error }) {
            diagnostics.append(Diagnostic(.error, .noLegacyCurriculum, "no curriculum has a 'legacy_file' in its curriculum.md, so there is nothing to export", path: "content"))
        }
        let export = Export(project: project, catalog: TranslationCatalog.load(project: project, into: sink), locale: locale)
        var documents: [(path: String, json: JSON)] = []
        var owners: [String: String] = [:]
        for c in selected {
            guard let document = export.curriculum(c, into: &diagnostics) else { continue }
            if let other = owners[document.path] {
                diagnostics.append(Diagnostic(.error, .legacyFileConflict, "'\(c.id)' and '\(other)' would both be exported to \(document.path)", path: "\(c.dir)/curriculum.md"))
                continue
            }
            owners[document.path] = c.id
            documents.append(document)
        }
        if documents.isEmpty, let code = locale, !selected.isEmpty, !diagnostics.contains(where: { $0.severity == .error }) {
            diagnostics.append(Diagnostic(.error, .localeUnavailable, "no curriculum with a legacy_file is available in '\(code)'", path: "locales"))
        }
        diagnostics = Diagnostic.sorted(diagnostics)
        guard !diagnostics.contains(where: { $0.severity == .error }) else { return LegacyExportResult(diagnostics: diagnostics, written: []) }
        return write(documents, to: out, diagnostics: diagnostics)
    }

    /// What exporting one curriculum needs: the project's lessons and translations.
    struct Export {
        let project: Project
        let catalog: TranslationCatalog
        /// The locale asked for (nil: each curriculum's own language).
        let locale: String?
        let links: LinkIndex

        init(project: Project, catalog: TranslationCatalog, locale: String?) {
            self.project = project
            self.catalog = catalog
            self.locale = locale
            links = LinkIndex(project: project)
        }

        /// One curriculum's legacy document and where it goes, or nil (diagnostics say why).
        func curriculum(_ c: Curriculum, into diagnostics: inout [Diagnostic]) -> (path: String, json: JSON)? {
            let metaPath = "\(c.dir)/curriculum.md"
            let file = c.meta.legacyFile!
            guard LegacyNames.isPlainFileName(file) else {
                diagnostics.append(Diagnostic(.error, .legacyFileName, "legacy_file '\(file)' must be a plain file name such as advocate-training (letters, digits, '-', '_', '.')", path: metaPath))
                return nil
            }
            let code = locale ?? c.meta.language
            let translation = catalog.translations(of: c.id).first { $0.locale == code }
            guard code == c.meta.language || translation != nil else {
                // Curricula not translated into this locale are left out; only "none at all" fails.
                diagnostics.append(Diagnostic(.warning, .localeUnavailable, "'\(c.id)' is not exported in '\(code)': there is no \(TranslationCatalog.path(locale: code, curriculum: c.id))", path: metaPath))
                return nil
            }
            guard let language = LegacyNames.language(forTag: code) else {
                diagnostics.append(Diagnostic(.error, .legacyLanguage, "the RCC apps name languages in English, and lessonc knows no name for '\(code)'", path: metaPath))
                return nil
            }
            var lessons: [String: (LessonSource, [Block])] = [:]
            for (source, blocks, d) in compiledLessons(of: c, translation: translation, code: code) {
                lessons[source.id] = (source, blocks)
                diagnostics += d
            }
            let legacy = LegacyCurriculum(title: c.meta.title, version: LegacyNames.legacyVersion(fromSemver: c.meta.version),
                                          language: language, levelTitles: c.meta.levelTitles, content: LegacyExporter.nodes(c.children, lessons))
            return ("rcc-json/v1/\(language.lowercased())/\(file).json", legacy.json)
        }

        /// Every lesson compiled, and translated when a translation is asked for. The legacy apps
        /// know nothing of per-lesson fallback: an incomplete translation is exported in the source
        /// language, and the exporter says so.
        func compiledLessons(of c: Curriculum, translation: TranslationCatalog.Entry?, code: String) -> [(LessonSource, [Block], [Diagnostic])] {
            let compiler = LessonCompiler(curriculum: c, links: links)
            return Parallel.map(c.lessons.filter(\.compilable)) { source in
                var d: [Diagnostic] = []
                let compiled = compiler.compile(source, into: &d)
                guard let translation else { return (source, compiled.blocks, d) }
                let t = Translator.translate(compiled, file: translation.document.file(for: source.id), locale: code, path: translation.path, diagnostics: &d)
                if t.isComplete { return (t.lesson.source, t.lesson.blocks, d) }
                d.append(Diagnostic(.warning, .legacyFallback, "'\(source.meta.title)' is \(t.coverage)% translated into \(code), so it is exported in \(c.meta.language)", path: translation.path))
                return (source, compiled.blocks, d)
            }
        }
    }

    static func write(_ documents: [(path: String, json: JSON)], to out: URL, diagnostics: [Diagnostic]) -> LegacyExportResult {
        var diagnostics = diagnostics
        var written: [String] = []
        for (path, json) in documents {
            let url = out.appendingPathComponent(path)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try json.data().write(to: url, options: .atomic)
                written.append(path)
            } catch {
                diagnostics.append(Diagnostic(.error, .outputError, "cannot write \(path): \(error.localizedDescription)", path: url.path))
            }
        }
        return LegacyExportResult(diagnostics: diagnostics, written: written)
    }

    /// Units become sections with subsections; a unit's `00-` lesson is its own content (see `LegacyImporter`).
    static func nodes(_ tree: [TreeNode], _ lessons: [String: (LessonSource, [Block])]) -> [LegacyNode] {
        tree.compactMap { node in
            switch node {
            case .lesson(let id):
                guard let (source, blocks) = lessons[id] else { return nil }
                return LegacyNode(title: source.meta.title, content: html(source, blocks))
            case .unit(let unit):
                var children = unit.children
                var content = ""
                if case .lesson(let id)? = children.first, let (source, blocks) = lessons[id], isUnitContent(source) {
                    content = html(source, blocks)
                    children.removeFirst()
                }
                return LegacyNode(title: unit.title, content: content, subsections: nodes(children, lessons))
            }
        }
    }

    static func isUnitContent(_ lesson: LessonSource) -> Bool {
        let name = lesson.relativePath.split(separator: "/").last.map(String.init) ?? ""
        return lesson.relativePath.contains("/") && Loader.orderPrefix(name) == 0
    }

    static func html(_ source: LessonSource, _ blocks: [Block]) -> String {
        LegacyHTML.escapeForLegacy(LegacyHTML.render(blocks, contentWarning: source.meta.contentWarning))
    }
}
