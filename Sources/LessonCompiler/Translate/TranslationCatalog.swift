import Foundation
import LessonSupport

/// Every XLIFF file under `locales/<locale>/<curriculum-id>.xlf`, checked, with where each
/// lesson's translations are: a lesson's units are read when it is translated (`XLIFFDocument`).
public struct TranslationCatalog: Sendable {
    public struct Entry: Sendable {
        /// The locale folder's tag in its usual case (`fa-IR` for a folder `fa-ir`).
        public var locale: String
        /// Relative to the project root, as diagnostics print it.
        public var path: String
        public var document: XLIFFDocument
    }

    /// Curriculum id → its translations, by locale.
    public var entries: [String: [Entry]] = [:]

    public func translations(of curriculum: String) -> [Entry] { entries[curriculum] ?? [] }

    public static let localesFolder = "locales"
    /// The translation memory of a locale: units whose source text was removed (TRANSLATING.md).
    /// No curriculum id starts with `_`, so it never names a curriculum's file.
    public static let memoryFile = "_memory.xlf"
    public static func path(locale: String, curriculum: String) -> String { "\(localesFolder)/\(locale)/\(curriculum).xlf" }

    /// The folders under `locales/` that are locales: folder name → tag in its usual case. Problems
    /// (a name that is not a tag, two folders for one tag, a link leading outside) go to `sink`.
    static func localeFolders(root: URL, into sink: DiagnosticSink) -> [(folder: String, locale: String)] {
        let fm = FileManager.default
        let localesDir = root.appendingPathComponent(localesFolder)
        guard let names = try? fm.contentsOfDirectory(atPath: localesDir.path) else { return [] }
        let boundary = LocalesBoundary(root: root)
        if let escape = boundary.escape { sink.add(escape); return [] }
        var out: [(folder: String, locale: String)] = []
        var seen: [String: String] = [:]
        for name in names.sorted() where !name.hasPrefix(".") {
            if let escape = boundary.escape(locale: name) { sink.add(escape); continue }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: localesDir.appendingPathComponent(name).path, isDirectory: &isDir), isDir.boolValue else {
                sink.add(Diagnostic(.warning, .strayFile, "'\(name)' is not a locale folder and is ignored", path: "locales/\(name)"))
                continue
            }
            guard LocaleInfo.isValidTag(name) else {
                sink.add(Diagnostic(.error, .invalidLocale, "locale folder '\(name)' is not a BCP 47 tag such as sw, fr-CA or ha-Arab", path: "locales/\(name)"))
                continue
            }
            let locale = LocaleInfo.canonical(name)
            if let first = seen[locale] {
                sink.add(Diagnostic(.error, .invalidLocale, "locale folder '\(name)' names the same locale as 'locales/\(first)' (tags ignore letter case); keep one", path: "locales/\(name)"))
                continue
            }
            seen[locale] = name
            out.append((name, locale))
        }
        return out
    }

    public static func load(project: Project, into sink: DiagnosticSink) -> TranslationCatalog {
        var catalog = TranslationCatalog()
        let fm = FileManager.default
        let boundary = LocalesBoundary(root: project.root)
        let curricula = Dictionary(project.curricula.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        struct Job: Sendable { var curriculum: Curriculum; var locale: String; var path: String; var url: URL }
        var jobs: [Job] = []
        for (folder, locale) in localeFolders(root: project.root, into: sink) {
            let dir = project.root.appendingPathComponent(localesFolder).appendingPathComponent(folder)
            let names = (try? fm.contentsOfDirectory(atPath: dir.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") && name != memoryFile {
                let path = "locales/\(folder)/\(name)"
                guard name.hasSuffix(".xlf"), let curriculum = curricula[String(name.dropLast(4))] else {
                    sink.add(Diagnostic(.warning, .strayFile, "'\(name)' is not <curriculum-id>.xlf for a curriculum in content/ and is ignored", path: path))
                    continue
                }
                if let escape = boundary.escape(locale: folder, file: name) { sink.add(escape); continue }
                if locale == LocaleInfo.canonical(curriculum.meta.language) {
                    sink.add(Diagnostic(.error, .xliffLanguage, "translates \(curriculum.id) into its own language '\(folder)'", path: path))
                    continue
                }
                jobs.append(Job(curriculum: curriculum, locale: locale, path: path, url: dir.appendingPathComponent(name)))
            }
        }
        // Each file is read in one streaming pass; files in parallel.
        let read = Parallel.map(jobs) { job -> (Entry?, [Diagnostic]) in
            var diagnostics: [Diagnostic] = []
            guard var document = XLIFFReader.read(.file(path: job.url.path), path: job.path, sourceLanguage: job.curriculum.meta.language,
                                                  targetLanguage: job.locale, into: &diagnostics) else { return (nil, diagnostics) }
            diagnostics += document.problems
            let lessonIDs = Set(job.curriculum.lessons.map(\.id)).union([XLIFFUnit.curriculumTexts])
            for file in document.outline where !file.lessonID.isEmpty && !lessonIDs.contains(file.lessonID) {
                diagnostics.append(Diagnostic(.warning, .xliffUnknownId, "unknown lesson id \"\(file.lessonID)\": \(job.curriculum.id) has no such lesson, so its units are not used; 'lessonc translate extract --locale \(job.locale)' moves them to the translation memory", path: job.path, line: max(1, file.line), column: max(1, file.column)))
            }
            document.keepLessons { $0.isEmpty || lessonIDs.contains($0) }
            return (Entry(locale: job.locale, path: job.path, document: document), diagnostics)
        }
        for (job, (entry, diagnostics)) in zip(jobs, read) {
            sink.add(contentsOf: diagnostics)
            if let entry { catalog.entries[job.curriculum.id, default: []].append(entry) }
        }
        return catalog
    }
}

/// `locales/` and what is in it may be symbolic links, but none may lead outside it (FolderBoundary).
struct LocalesBoundary {
    let root: URL
    /// The error when locales/ itself is a link leading outside the project.
    let escape: Diagnostic?
    /// nil when there is no locales/ folder, or it leads outside.
    let folder: FolderBoundary?

    init(root: URL) {
        self.root = root
        let url = root.appendingPathComponent(TranslationCatalog.localesFolder)
        escape = FolderBoundary(root, name: "the project folder")?.escape(url, path: TranslationCatalog.localesFolder, why: FolderBoundary.localesInsideProject)
        folder = escape == nil ? FolderBoundary(url, name: "locales/") : nil
    }

    /// The error for `locales/<locale>` or `locales/<locale>/<file>` when it is a link leading outside.
    func escape(locale: String, file: String? = nil) -> Diagnostic? {
        let path = TranslationCatalog.localesFolder + "/" + locale + (file.map { "/" + $0 } ?? "")
        return folder?.escape(root.appendingPathComponent(path), path: path, why: FolderBoundary.insideLocales)
    }
}
