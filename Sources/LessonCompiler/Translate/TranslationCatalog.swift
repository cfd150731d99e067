import Foundation

/// Every XLIFF file under `locales/<locale>/<curriculum-id>.xlf`, read and checked.
public struct TranslationCatalog: Sendable {
    public struct Entry: Sendable {
        public var locale: String
        /// Relative to the project root, as diagnostics print it.
        public var path: String
        public var document: XLIFFDocument
    }

    /// Curriculum id → its translations, by locale.
    public var entries: [String: [Entry]] = [:]

    public func translations(of curriculum: String) -> [Entry] { entries[curriculum] ?? [] }

    public static let localesFolder = "locales"
    public static func path(locale: String, curriculum: String) -> String { "\(localesFolder)/\(locale)/\(curriculum).xlf" }

    public static func load(project: Project, into sink: DiagnosticSink) -> TranslationCatalog {
        var catalog = TranslationCatalog()
        let fm = FileManager.default
        let localesDir = project.root.appendingPathComponent("locales")
        guard let locales = try? fm.contentsOfDirectory(atPath: localesDir.path) else { return catalog }
        let boundary = LocalesBoundary(root: project.root)
        if let escape = boundary.escape { sink.add(escape); return catalog }
        let curricula = Dictionary(project.curricula.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for locale in locales.sorted() where !locale.hasPrefix(".") {
            if let escape = boundary.escape(locale: locale) { sink.add(escape); continue }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: localesDir.appendingPathComponent(locale).path, isDirectory: &isDir), isDir.boolValue else {
                sink.add(Diagnostic(.warning, .strayFile, "'\(locale)' is not a locale folder and is ignored", path: "locales/\(locale)"))
                continue
            }
            guard LocaleInfo.isValidTag(locale) else {
                sink.add(Diagnostic(.error, .invalidLocale, "locale folder '\(locale)' is not a BCP 47 tag such as sw, fr-CA or ha-Arab", path: "locales/\(locale)"))
                continue
            }
            let names = (try? fm.contentsOfDirectory(atPath: localesDir.appendingPathComponent(locale).path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = "locales/\(locale)/\(name)"
                guard name.hasSuffix(".xlf"), let curriculum = curricula[String(name.dropLast(4))] else {
                    sink.add(Diagnostic(.warning, .strayFile, "'\(name)' is not <curriculum-id>.xlf for a curriculum in content/ and is ignored", path: path))
                    continue
                }
                if let escape = boundary.escape(locale: locale, file: name) { sink.add(escape); continue }
                if locale == curriculum.meta.language {
                    sink.add(Diagnostic(.error, .xliffLanguage, "translates \(curriculum.id) into its own language '\(locale)'", path: path))
                    continue
                }
                guard let data = fm.contents(atPath: localesDir.appendingPathComponent(locale).appendingPathComponent(name).path) else {
                    sink.add(Diagnostic(.error, .unreadable, "cannot read the file", path: path))
                    continue
                }
                var diagnostics: [Diagnostic] = []
                defer { sink.add(contentsOf: diagnostics) }
                guard var document = XLIFFReader.read(data, path: path, sourceLanguage: curriculum.meta.language, targetLanguage: locale, into: &diagnostics) else { continue }
                let lessonIDs = Set(curriculum.lessons.map(\.id))
                document.files = document.files.filter { file in
                    guard !file.lessonID.isEmpty, !lessonIDs.contains(file.lessonID) else { return true }
                    diagnostics.append(Diagnostic(.error, .xliffUnknownId, "unknown lesson id \"\(file.lessonID)\": \(curriculum.id) has no such lesson; run 'lessonc translate extract --locale \(locale)' to drop it", path: path, line: max(1, file.line), column: max(1, file.column)))
                    return false
                }
                catalog.entries[curriculum.id, default: []].append(Entry(locale: locale, path: path, document: document))
            }
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
