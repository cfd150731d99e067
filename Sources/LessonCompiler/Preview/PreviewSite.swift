import Foundation
import LessonSupport
import Synchronization

public struct PreviewOptions: Sendable {
    public var root: URL
    public var output: URL
    /// The compile cache's folder (default `ROOT/.lessonc-cache`); with `useCache` false, none.
    public var cacheFolder: URL?
    public var useCache = true
    public var progress: (@Sendable (WorkProgress) -> Void)?

    public init(root: URL, output: URL) {
        self.root = root
        self.output = output
    }
}

public struct PreviewResult: Sendable {
    public var diagnostics: [Diagnostic] = []
    public var lessonCount = 0
    public var curriculumCount = 0
    /// Lessons compiled in this run; the others came from the compile cache.
    public var compiledCount = 0
    /// Pages, styles and assets whose bytes changed (written) and those no longer produced (removed).
    public var filesWritten = 0
    public var filesRemoved = 0
    public var cacheNote: String?
    /// Set when the site could not be written at all (the output folder); diagnostics say why.
    public var written = true
    public var errors: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warnings: Int { diagnostics.filter { $0.severity == .warning }.count }
}

/// The preview site, another output of the compiled project (issue 13):
///
///     OUT/index.html                                   curricula × locales, lesson counts, coverage
///     OUT/preview.css, OUT/preview.js                  the one style sheet and the one script
///     OUT/<curriculum>/<locale>/index.html             table of contents
///     OUT/<curriculum>/<locale>/<lesson-id>.html       a lesson as devices get it in that locale
///     OUT/<curriculum>/<locale>/review/index.html      a translation's lessons, by state (translations only)
///     OUT/<curriculum>/<locale>/review/<lesson-id>.html  source and target side by side
///     OUT/<curriculum>/assets/...                      the images the lessons use
///
/// Lessons are rendered from their JSON documents (fresh from the compiler, or the compile
/// cache's blobs) by `PreviewHTML`, so the preview shows what devices get. Errors do not stop
/// the site: a broken lesson's page shows its errors. Only files whose bytes change are
/// written; one `PreviewSite` kept across runs (`lessonc serve`) also skips rendering pages whose
/// inputs are unchanged. Pages link relatively and load nothing from elsewhere, so the folder
/// works from `file://` and from any static host.
public final class PreviewSite: Sendable {
    public let options: PreviewOptions
    /// What the site's files were made from, as last written (nil until read from the cache).
    private let memo = Mutex<[String: PageMemo]?>(nil)

    /// The file that marks a folder as a preview site (so stale files in it may be removed).
    public static let marker = ".lessonc-preview"

    public init(_ options: PreviewOptions) {
        self.options = options
    }

    static func folderName(_ curriculum: String) -> String { curriculum }
    static func pageName(_ lesson: String) -> String { "\(lesson).html" }

    public func run() -> PreviewResult {
        let out = options.output.standardizedFileURL
        var result = PreviewResult()
        if let problem = PreviewSite.checkOutput(out, root: options.root.standardizedFileURL) {
            result.diagnostics = [Diagnostic(.error, .outputError, problem, path: out.path)]
            result.written = false
            return result
        }
        var compileOptions = CompileOptions()
        compileOptions.progress = options.progress
        let cacheFolder = options.useCache ? (options.cacheFolder ?? ProjectCompiler.defaultCacheFolder(root: options.root.standardizedFileURL)) : nil
        let compiler = ProjectCompiler(root: options.root, options: compileOptions, cacheFolder: cacheFolder)
        let sink = PreviewSink()
        let compilation = compiler.compile(into: sink)
        try? compiler.save(compilation)
        result.diagnostics = compilation.diagnostics
        result.lessonCount = compilation.lessonCount
        result.curriculumCount = compilation.project.curricula.count
        result.compiledCount = compilation.compiledCount
        result.cacheNote = compiler.cacheNote

        let model = PreviewModel(compilation)
        var files: [String: PreviewFile] = [:]
        files["preview.css"] = .bytes(Array(PreviewStyle.css.utf8))
        files["preview.js"] = .bytes(Array(PreviewStyle.script.utf8))
        files[PreviewSite.marker] = .bytes(Array("lessonc preview site: this folder is rewritten by 'lessonc preview'\n".utf8))
        files["index.html"] = .bytes(Array(PreviewPages.home(model).utf8))
        var lessonPages: [LessonPage] = []
        for c in model.curricula {
            for asset in c.compiled.usedAssets {
                files["\(PreviewSite.folderName(c.id))/\(asset)"] = .copy(compilation.project.root.appendingPathComponent(c.curriculum.dir).appendingPathComponent(asset))
            }
            for locale in c.compiled.locales {
                let folder = "\(PreviewSite.folderName(c.id))/\(locale)"
                files["\(folder)/index.html"] = .bytes(Array(PreviewPages.contents(model, c, locale: locale).utf8))
                if locale != c.source {
                    files["\(folder)/review/index.html"] = .bytes(Array(PreviewPages.reviewContents(model, c, locale: locale).utf8))
                }
                for i in c.curriculum.lessons.indices {
                    lessonPages.append(LessonPage(curriculum: c.index, lesson: i, locale: locale, review: false))
                    if locale != c.source { lessonPages.append(LessonPage(curriculum: c.index, lesson: i, locale: locale, review: true)) }
                }
            }
        }

        // Lesson pages: rendered in parallel, each only when what it is made from changed.
        let catalog = PreviewCatalog(project: compilation.project, translations: compilation.translations)
        let memoFile = cacheFolder.map { PageMemo.file(in: $0, for: out) }
        let previous = memo.withLock { m in
            if m == nil { m = memoFile.map(PageMemo.read) ?? [:] }
            return m!
        }
        let progress = ProgressCounter(.rendering, total: lessonPages.count, options.progress)
        let rendered = Parallel.map(lessonPages) { page -> (String, ContentDigest, [UInt8]?) in
            defer { progress.tick() }
            let path = page.path(model)
            let key = page.inputKey(model)
            if let m = previous[path], m.input == key, m.holds(out.appendingPathComponent(path)) { return (path, key, nil) }
            return (path, key, Array(page.render(model, sink: sink, compiler: compiler, compilation: compilation, catalog: catalog).utf8))
        }
        var inputs: [String: ContentDigest] = [:]
        for (path, key, bytes) in rendered {
            inputs[path] = key
            files[path] = bytes.map { .bytes($0) } ?? .unchanged
        }
        let (written, removed, failures, next) = write(files, into: out, previous: previous, inputs: inputs)
        result.filesWritten = written
        result.filesRemoved = removed
        if !failures.isEmpty {
            result.diagnostics = Diagnostic.sorted(result.diagnostics + failures)
        }
        memo.withLock { $0 = next }
        if let memoFile { PageMemo.write(next, to: memoFile) }
        return result
    }

    /// Why `out` cannot take the site, or nil: it must be a folder that is empty, new, or a preview
    /// site already (nothing a person keeps there is ever removed).
    static func checkOutput(_ out: URL, root: URL) -> String? {
        let fm = FileManager.default
        // The site inside the sources would be read as sources (and `serve` would rebuild forever).
        for folder in ["content", TranslationCatalog.localesFolder] where (out.path + "/").hasPrefix(root.appendingPathComponent(folder).path + "/") {
            return "the preview cannot be written inside \(folder)/; give another folder with --out"
        }
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: out.path, isDirectory: &isDir) else { return nil }
        guard isDir.boolValue else { return "the output is a file, not a folder" }
        let names = (try? fm.contentsOfDirectory(atPath: out.path)) ?? []
        if names.isEmpty || names.contains(marker) { return nil }
        return "the output folder holds files and is not a preview site (no \(marker)); give an empty or new folder with --out"
    }

    /// What one file of the site is made from.
    enum PreviewFile {
        case bytes([UInt8])
        /// An asset, copied when its bytes differ.
        case copy(URL)
        /// A page whose inputs did not change since this `PreviewSite` wrote it.
        case unchanged
    }

    /// Writes what changed, removes what is no longer produced. Returns (written, removed,
    /// failures, what the folder now holds).
    private func write(_ files: [String: PreviewFile], into out: URL, previous: [String: PageMemo],
                       inputs: [String: ContentDigest]) -> (Int, Int, [Diagnostic], [String: PageMemo]) {
        let fm = FileManager.default
        var failures: [Diagnostic] = []
        var next: [String: PageMemo] = [:]
        var written = 0
        var folders = Set<String>()
        for path in files.keys.sorted() {
            let url = out.appendingPathComponent(path)
            let bytes: [UInt8]
            switch files[path]! {
            case .unchanged:
                next[path] = previous[path]
                continue
            case .bytes(let b): bytes = b
            case .copy(let source):
                guard let data = fm.contents(atPath: source.path) else {
                    failures.append(Diagnostic(.error, .outputError, "cannot read the asset", path: source.path)); continue
                }
                bytes = [UInt8](data)
            }
            let digest = ContentDigest(of: bytes)
            if let m = previous[path], m.bytes == digest, m.holds(url) {
                next[path] = PageMemo(input: inputs[path], bytes: digest, stamp: m.stamp)
                continue
            }
            // A file already there with these bytes (a site written before the cache knew it) stays.
            if let old = fm.contents(atPath: url.path), old.count == bytes.count, ContentDigest(of: old) == digest,
               let stamp = FileStamp.lstat(url.path)?.stamp {
                next[path] = PageMemo(input: inputs[path], bytes: digest, stamp: stamp)
                continue
            }
            let folder = url.deletingLastPathComponent().path
            do {
                if !folders.contains(folder) {
                    try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    folders.insert(folder)
                }
                // Written beside and renamed: a browser reloading meanwhile never reads half a page.
                let temporary = url.path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
                try FileIO.write(bytes, to: temporary)
                try FileIO.rename(temporary, to: url.path)
                if let stamp = FileStamp.lstat(url.path)?.stamp { next[path] = PageMemo(input: inputs[path], bytes: digest, stamp: stamp) }
                written += 1
            } catch {
                failures.append(Diagnostic(.error, .outputError, "cannot write: \(error)", path: url.path))
            }
        }
        var removed: [String] = []
        for path in PreviewSite.files(under: out) where files[path] == nil {
            if unlink(out.appendingPathComponent(path).path) == 0 { removed.append(path) }
        }
        PreviewSite.removeEmptyFolders(out, after: removed)
        return (written, removed.count, failures, next)
    }

    /// Every file under `root`, relative to it.
    static func files(under root: URL) -> [String] { DirectoryListing.files(under: root.path) }

    /// Removes the folders under `root` that removing files left empty.
    static func removeEmptyFolders(_ root: URL, after removed: [String]) {
        var folders = Set<String>()
        for path in removed {
            var parts = path.split(separator: "/").dropLast()
            while !parts.isEmpty { folders.insert(parts.joined(separator: "/")); parts = parts.dropLast() }
        }
        for folder in folders.sorted(by: { $0.count > $1.count }) {
            // rmdir removes only an empty folder.
            _ = rmdir(root.appendingPathComponent(folder).path)
        }
    }
}

/// What one file of the site was made from when it was written, and its stamp then: a file
/// whose stamp is unchanged still holds those bytes. Kept in the compile cache's folder between
/// runs (one file per output folder), so a second `lessonc preview` renders only what changed.
struct PageMemo: Sendable, Equatable {
    /// The digest of a lesson page's inputs (nil for other files).
    var input: ContentDigest?
    var bytes: ContentDigest
    var stamp: FileStamp

    func holds(_ url: URL) -> Bool {
        guard let now = FileStamp.lstat(url.path)?.stamp else { return false }
        return now.size == stamp.size && now.modified == stamp.modified && now.inode == stamp.inode
    }

    static func file(in cacheFolder: URL, for out: URL) -> URL {
        cacheFolder.appendingPathComponent("preview-" + ContentDigest(of: Array(out.path.utf8)).hex.prefix(16) + ".txt")
    }

    /// One line per file: path, input digest or "-", bytes digest, size, modified, inode (tab-separated).
    static func read(_ url: URL) -> [String: PageMemo] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [:] }
        var out: [String: PageMemo] = [:]
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasPrefix(header) else { return [:] }
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == 6, let bytes = ContentDigest(hex: String(f[2])), let size = Int64(f[3]), let modified = Int64(f[4]),
                  let inode = UInt64(f[5]) else { continue }
            let input = f[1] == "-" ? nil : ContentDigest(hex: String(f[1]))
            out[String(f[0])] = PageMemo(input: input, bytes: bytes,
                                         stamp: FileStamp(device: 0, inode: inode, size: size, modified: modified, changed: 0))
        }
        return out
    }

    static let header = "lessonc preview memo 1\n"

    static func write(_ memo: [String: PageMemo], to url: URL) {
        var text = header
        for path in memo.keys.sorted() where !path.contains("\t") && !path.contains("\n") {
            let m = memo[path]!
            text += "\(path)\t\(m.input?.hex ?? "-")\t\(m.bytes.hex)\t\(m.stamp.size)\t\(m.stamp.modified)\t\(m.stamp.inode)\n"
        }
        let temporary = url.path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        if (try? FileIO.write(Array(text.utf8), to: temporary)) != nil { try? FileIO.rename(temporary, to: url.path) }
    }
}

/// Keeps the documents of lessons compiled in this run; those of lessons from the cache are read
/// from its blobs when their pages are rendered.
final class PreviewSink: OutputSink {
    private let documents = Mutex<[String: [LessonDocumentBytes]]>([:])

    func needsDocuments(of lesson: LessonSource, record: LessonRecord) -> Bool { false }

    func accept(_ documents: [LessonDocumentBytes], of lesson: LessonSource, in curriculum: Curriculum) {
        self.documents.withLock { $0[lesson.path] = documents }
    }

    func documents(of path: String) -> [LessonDocumentBytes]? { documents.withLock { $0[path] } }
}

/// The translation catalog, parsed only when a review page must be rendered again.
final class PreviewCatalog: Sendable {
    private let project: Project
    private let catalog: Mutex<TranslationCatalog?>

    init(project: Project, translations: TranslationSet) {
        self.project = project
        catalog = Mutex(translations.catalog)
    }

    func file(curriculum: String, locale: String, lesson: String) -> XLIFFFile? {
        catalog.withLock { c in
            if c == nil { c = TranslationCatalog.load(project: project, into: DiagnosticSink()) }
            return c!.translations(of: curriculum).first { $0.locale == locale }?.document.file(for: lesson)
        }
    }
}
