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
        let links = LinkIndex(project: project)
        let catalog = TranslationCatalog.load(project: project, into: sink)
        var documents: [(path: String, json: JSON)] = []
        var owners: [String: String] = [:]
        for c in selected {
            let metaPath = "\(c.dir)/curriculum.md"
            func fail(_ rule: Rule, _ message: String) { diagnostics.append(Diagnostic(.error, rule, message, path: metaPath)) }
            let file = c.meta.legacyFile!
            guard LegacyNames.isPlainFileName(file) else {
                fail(.legacyFileName, "legacy_file '\(file)' must be a plain file name such as advocate-training (letters, digits, '-', '_', '.')"); continue
            }
            let code = locale ?? c.meta.language
            let translation = catalog.translations(of: c.id).first { $0.locale == code }
            guard code == c.meta.language || translation != nil else {
                // Curricula not translated into this locale are left out; only "none at all" fails.
                diagnostics.append(Diagnostic(.warning, .localeUnavailable, "'\(c.id)' is not exported in '\(code)': there is no \(TranslationCatalog.path(locale: code, curriculum: c.id))", path: metaPath))
                continue
            }
            guard let language = LegacyNames.language(forTag: code) else {
                fail(.legacyLanguage, "the RCC apps name languages in English, and lessonc knows no name for '\(code)'")
                continue
            }
            let compiler = LessonCompiler(curriculum: c, links: links)
            var lessons: [String: (LessonSource, [Block])] = [:]
            for source in c.lessons where source.compilable {
                var d: [Diagnostic] = []
                let compiled = compiler.compile(source, into: &d)
                lessons[source.id] = (source, compiled.blocks)
                if let translation {
                    // The legacy apps know nothing of per-lesson fallback: an incomplete translation
                    // is exported in the source language, and the exporter says so.
                    let t = Translator.translate(compiled, file: translation.document.file(for: source.id), locale: code, path: translation.path, diagnostics: &d)
                    if t.isComplete {
                        lessons[source.id] = (t.lesson.source, t.lesson.blocks)
                    } else {
                        d.append(Diagnostic(.warning, .legacyFallback, "'\(source.meta.title)' is \(t.coverage)% translated into \(code), so it is exported in \(c.meta.language)", path: translation.path))
                    }
                }
                diagnostics += d
            }
            let path = "rcc-json/v1/\(language.lowercased())/\(file).json"
            if let other = owners[path] {
                fail(.legacyFileConflict, "'\(c.id)' and '\(other)' would both be exported to \(path)")
                continue
            }
            owners[path] = c.id
            let legacy = LegacyCurriculum(title: c.meta.title, version: LegacyNames.legacyVersion(fromSemver: c.meta.version),
                                          language: language, levelTitles: c.meta.levelTitles, content: nodes(c.children, lessons))
            documents.append((path, legacy.json))
        }
        if documents.isEmpty, let code = locale, !selected.isEmpty, !diagnostics.contains(where: { $0.severity == .error }) {
            diagnostics.append(Diagnostic(.error, .localeUnavailable, "no curriculum with a legacy_file is available in '\(code)'", path: "locales"))
        }
        diagnostics = Diagnostic.sorted(diagnostics)
        guard !diagnostics.contains(where: { $0.severity == .error }) else { return LegacyExportResult(diagnostics: diagnostics, written: []) }
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
