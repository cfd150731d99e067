import Foundation
import LessonSupport

/// Stage one: reads `content/` into a `Project`, reporting every problem it meets. Lesson files
/// are read in parallel for their front matter; their bodies stay on disk until compiled.
public struct Loader: Sendable {
    public static let maxLessonBytes = 1 << 20
    public static let maxUnitDepth = 4

    let root: URL
    /// Earlier reads of the same files (the compile cache), or nil to read everything.
    let memo: (any LoadMemo)?

    public init(root: URL) {
        self.init(root: root, memo: nil)
    }

    init(root: URL, memo: (any LoadMemo)?) {
        self.root = root.standardizedFileURL
        self.memo = memo
    }

    public func load(into sink: DiagnosticSink) -> Project {
        let contentDir = root.appendingPathComponent("content")
        guard Loader.isDirectory(contentDir) else {
            sink.add(Diagnostic(.error, .noContent, "no content/ folder under \(root.path)", path: "content"))
            return Project(root: root, curricula: [])
        }
        // Symbolic links may arrange content/, never reach outside it (FolderBoundary).
        if let project = FolderBoundary(root, name: "the project folder"),
           let escape = project.escape(contentDir, path: "content", why: FolderBoundary.insideProject) {
            sink.add(escape)
            return Project(root: root, curricula: [])
        }
        guard let content = FolderBoundary(contentDir, name: "content/") else {
            sink.add(Diagnostic(.error, .noContent, "no content/ folder under \(root.path)", path: "content"))
            return Project(root: root, curricula: [])
        }
        var curricula: [Curriculum] = []
        for name in Loader.listing(contentDir.path).map(\.name) {
            let url = contentDir.appendingPathComponent(name)
            if let escape = content.escape(url, path: "content/\(name)", why: FolderBoundary.insideContent) {
                sink.add(escape)
                continue
            }
            guard Loader.isDirectory(url) else {
                sink.add(Diagnostic(.warning, .strayFile, "'\(name)' is not a curriculum folder and is ignored", path: "content/\(name)"))
                continue
            }
            var diagnostics: [Diagnostic] = []
            curricula.append(loadCurriculum(id: name, url: url, content: content, into: &diagnostics))
            sink.add(contentsOf: diagnostics)
        }
        if curricula.isEmpty && sink.errorCount == 0 {
            sink.add(Diagnostic(.error, .noContent, "content/ holds no curriculum folder", path: "content"))
        }
        return Project(root: root, curricula: curricula)
    }

    // MARK: - Curriculum

    /// Without a usable curriculum.md the lessons are still checked, so one run reports everything.
    private func loadCurriculum(id: String, url: URL, content: FolderBoundary, into diagnostics: inout [Diagnostic]) -> Curriculum {
        let dir = "content/\(id)"
        let (meta, description) = curriculumFile(id: id, url: url, content: content, into: &diagnostics)
        if !Pattern.id.matches(id) {
            diagnostics.append(Diagnostic(.error, .invalidId, "curriculum folder name '\(id)' must be lowercase letters, digits, '-', '_' or '.'", path: dir))
        }
        var found = FoundAssets()
        let assetsURL = url.appendingPathComponent("assets")
        if let escape = content.escape(assetsURL, path: "\(dir)/assets", why: FolderBoundary.assetsInsideContent) {
            diagnostics.append(escape)
        } else if Loader.isDirectory(assetsURL), let boundary = FolderBoundary(assetsURL, name: "\(dir)/assets/") {
            found = collectAssets(assetsURL, boundary: boundary, curriculumDir: dir, into: &diagnostics)
        }
        var walk = UnitWalk(curriculumDir: dir, content: content)
        let pendingTree = walk.unit(url.path, relative: "", depth: 0, unitTitles: [])
        diagnostics += walk.diagnostics

        let lessons = loadLessons(walk.lessons, curriculum: id, into: &diagnostics)
        diagnostics += Loader.duplicateIds(lessons)
        if walk.lessons.isEmpty {
            diagnostics.append(Diagnostic(.error, .emptyCurriculum, "curriculum '\(id)' has no lessons", path: "\(dir)/curriculum.md"))
        }
        return Curriculum(id: id, dir: dir, meta: meta, description: description, children: Loader.resolve(pendingTree, ids: lessons.map(\.id)),
                          lessons: lessons, assets: found.sizes, escapingAssets: found.escaping)
    }

    /// curriculum.md: its front matter and its body (the description).
    private func curriculumFile(id: String, url: URL, content: FolderBoundary, into diagnostics: inout [Diagnostic]) -> (CurriculumMeta, String) {
        let metaPath = "content/\(id)/curriculum.md"
        var meta = CurriculumMeta()
        let metaURL = url.appendingPathComponent("curriculum.md")
        let exists = FileManager.default.fileExists(atPath: metaURL.path)
        let escape = content.escape(metaURL, path: metaPath, why: FolderBoundary.insideContent)
        if let escape { diagnostics.append(escape) }
        if !exists {
            diagnostics.append(Diagnostic(.error, .missingCurriculumFile, "curriculum folder '\(id)' has no curriculum.md", path: "content/\(id)"))
        }
        guard exists, escape == nil, let text = Loader.readText(metaURL.path, path: metaPath, into: &diagnostics)?.text else { return (meta, "") }
        switch FrontMatter.split(text) {
        case .failure(let e):
            diagnostics.append(Diagnostic(.error, .frontMatterSyntax, e.message, path: metaPath, line: e.line, column: e.column))
            return (meta, "")
        case .success(let split) where !split.hasFrontMatter:
            // One problem, one diagnostic: not a 'missing-key' for every required key as well.
            diagnostics.append(Diagnostic(.error, .missingFrontMatter, "curriculum.md must start with front matter between '---' lines", path: metaPath))
            return (meta, "")
        case .success(let split):
            let v = Schema.curriculum.check(split.entries, path: metaPath, into: &diagnostics)
            meta.title = v["title"]?.first ?? ""
            meta.version = v["version"]?.first ?? ""
            meta.language = v["language"]?.first ?? "en"
            meta.license = v["license"]?.first ?? ""
            meta.authors = v["authors"] ?? []
            meta.audience = v["audience"] ?? []
            meta.levelTitles = v["level_titles"] ?? []
            meta.legacyFile = v["legacy_file"]?.first
            if let explicit = v["id"]?.first, explicit != id, let entry = split.entries.first(where: { $0.key == "id" }) {
                diagnostics.append(Diagnostic(.error, .idMismatch, "curriculum id '\(explicit)' differs from its folder name '\(id)'", path: metaPath, line: entry.value.line, column: entry.value.column))
            }
            return (meta, split.body.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Ids are how translations and devices refer to lessons: one lesson per id.
    static func duplicateIds(_ lessons: [LessonSource]) -> [Diagnostic] {
        var firstById: [String: String] = [:]
        firstById.reserveCapacity(lessons.count)
        var diagnostics: [Diagnostic] = []
        for lesson in lessons {
            if let first = firstById[lesson.id] {
                diagnostics.append(Diagnostic(.error, .duplicateId, "lesson id '\(lesson.id)' is also used by \(first)", path: lesson.path, line: lesson.idLine, column: lesson.idColumn))
            } else {
                firstById[lesson.id] = lesson.path
            }
        }
        return diagnostics
    }

    /// The unit tree with each lesson's place filled by its id, known once its front matter is read.
    static func resolve(_ nodes: [PendingNode], ids: [String]) -> [TreeNode] {
        nodes.map { node in
            switch node {
            case .unit(let unit, let children):
                var u = unit
                u.children = resolve(children, ids: ids)
                return .unit(u)
            case .lesson(let index):
                return .lesson(id: ids[index])
            }
        }
    }

    // MARK: - Lessons

    /// Reads every lesson's front matter in parallel, in reading order.
    private func loadLessons(_ pending: [PendingLesson], curriculum: String, into diagnostics: inout [Diagnostic]) -> [LessonSource] {
        // Problems not kept in the cache (of files that could not be read, or were not hashed for
        // want of a cache); diagnostics are sorted later.
        let unhashed = DiagnosticSink()
        let lessons = Parallel.map(pending) { p in loadLesson(p, curriculum: curriculum, unhashed: unhashed) }
        for i in lessons.indices { diagnostics += lessons[i].origin?.diagnostics ?? [] }
        diagnostics += unhashed.all
        return lessons
    }

    private func loadLesson(_ p: PendingLesson, curriculum: String, unhashed: DiagnosticSink) -> LessonSource {
        // The stamp before the bytes: a file written after it is seen as changed next time. Only
        // the cache's lookup needs it before the file is opened; otherwise the open file's will do.
        var stamp = p.stamp ?? (memo == nil ? nil : FileStamp.follow(p.file)?.stamp)
        var lesson = LessonSource(id: "", curriculum: curriculum, path: p.path, relativePath: p.relativePath,
                                  meta: LessonMeta(), body: .text(""), bodyLineOffset: 0, unitTitles: p.unitTitles, compilable: false)
        // A file that has not changed since an earlier run hashed it is not read at all.
        if let stamp, let memo, let known = memo.lesson(path: p.path, stamp: stamp) {
            known.apply(to: &lesson, file: p.file)
            return lesson
        }
        let name = p.relativePath.lastIndex(of: "/").map { p.relativePath[p.relativePath.index(after: $0)...] } ?? Substring(p.relativePath)
        let derivedId = Loader.slug(String(name.dropLast(3)))
        lesson.id = derivedId
        let hashedAt = FileStamp.now()
        var diagnostics: [Diagnostic] = []
        // Without the compile cache a digest only proves, when the body is read again, that it is
        // the one whose front matter was loaded; a settled stamp proves that without hashing.
        let cached = memo != nil
        guard let read = Loader.readText(p.file, path: p.path, limit: Loader.maxLessonBytes,
                                         hashed: { cached || FileStamp.settled(stamp ?? $0, hashedAt: hashedAt) == nil }, into: &diagnostics) else {
            unhashed.add(contentsOf: diagnostics)
            return lesson
        }
        if stamp == nil { stamp = read.before }
        let settled = FileStamp.settled(stamp, hashedAt: hashedAt)
        if let memo, let digest = read.digest, var known = memo.lesson(path: p.path, digest: digest) {
            known.origin.stamp = stamp
            known.origin.hashedAt = hashedAt
            known.apply(to: &lesson, file: p.file)
            return lesson
        }
        let bodyOffset = read.text.map { parseLesson($0, into: &lesson, diagnostics: &diagnostics, derivedId: derivedId) } ?? 0
        guard let digest = read.digest else {
            // Not hashed, so not for the cache: there is none in this run.
            unhashed.add(contentsOf: diagnostics)
            if lesson.compilable { lesson.body = .file(path: p.file, offset: bodyOffset, digest: nil, settled: settled) }
            return lesson
        }
        let origin = SourceOrigin(stamp: stamp, digest: digest, hashedAt: hashedAt, bodyOffset: bodyOffset, diagnostics: diagnostics)
        if lesson.compilable { lesson.body = .file(path: p.file, offset: bodyOffset, digest: digest, settled: origin.settledStamp) }
        lesson.origin = origin
        return lesson
    }

    /// Reads the front matter into `lesson`; returns where the body starts (UTF-8 offset).
    private func parseLesson(_ text: String, into lesson: inout LessonSource, diagnostics: inout [Diagnostic], derivedId: String) -> Int {
        let path = lesson.path
        func bodyOffset(_ body: Substring) -> Int { text.utf8.distance(from: text.startIndex, to: body.startIndex) }
        // One problem, one diagnostic: not "no front matter" and "no content after it" as well.
        if text.allSatisfy(\.isWhitespace) {
            diagnostics.append(Diagnostic(.error, .emptyLesson, "the lesson file is empty; start it with front matter ('---', 'title: …', '---'), then the lesson's text", path: path))
            return 0
        }
        switch FrontMatter.split(text) {
        case .failure(let e):
            diagnostics.append(Diagnostic(.error, .frontMatterSyntax, e.message, path: path, line: e.line, column: e.column))
            // The body is still checked: every problem in one run, and its pictures count as used.
            guard let body = e.body else { return 0 }
            lesson.bodyLineOffset = e.bodyLineOffset
            lesson.compilable = true
            return bodyOffset(body)
        case .success(let split):
            if !split.hasFrontMatter {
                diagnostics.append(Diagnostic(.error, .missingFrontMatter, "lesson must start with front matter between '---' lines, with at least a title", path: path))
            }
            let v = split.hasFrontMatter ? Schema.lesson.check(split.entries, path: path, into: &diagnostics) : [:]
            lesson.meta.title = v["title"]?.first ?? ""
            lesson.meta.duration = v["duration"]?.first
            lesson.meta.audience = v["audience"] ?? []
            lesson.meta.tags = v["tags"] ?? []
            lesson.meta.contentWarning = v["content_warning"]?.first
            lesson.meta.authors = v["authors"] ?? []
            lesson.meta.license = v["license"]?.first
            lesson.meta.source = v["source"] ?? []
            if let id = v["id"]?.first, let entry = split.entries.first(where: { $0.key == "id" }) {
                lesson.id = id
                lesson.idLine = entry.value.line
                lesson.idColumn = entry.value.column
            } else if !Pattern.id.matches(derivedId) {
                diagnostics.append(Diagnostic(.error, .invalidId, "the id derived from the file name, '\(derivedId)', must be lowercase letters, digits, '-', '_' or '.', starting with a letter or digit; rename the file or set 'id' in front matter", path: path))
            }
            lesson.bodyLineOffset = split.bodyLineOffset
            lesson.compilable = true
            return bodyOffset(split.body)
        }
    }

    /// A file's bytes as read: their digest, and their text when they are valid UTF-8 within the limit.
    struct ReadFile {
        /// nil when the caller asked not to hash.
        var digest: ContentDigest?
        /// The file's stamp before it was read.
        var before: FileStamp
        var text: String?
    }

    /// Reads a file as UTF-8, reporting size and encoding problems with their position. nil when
    /// it cannot be read at all.
    /// `hashed` is asked, with the stamp the file had before it was read, whether to hash it (only
    /// lessons are hashed, for the compile cache).
    static func readText(_ file: String, path: String, limit: Int? = nil, hashed: (FileStamp) -> Bool = { _ in false },
                         into diagnostics: inout [Diagnostic]) -> ReadFile? {
        guard let (data, _, before) = FileStamp.read(file) else {
            diagnostics.append(Diagnostic(.error, .unreadable, "cannot read the file", path: path))
            return nil
        }
        let digest = hashed(before) ? ContentDigest(of: data) : nil
        if let limit, data.count > limit {
            diagnostics.append(Diagnostic(.error, .lessonTooLarge, "lesson is \(data.count) bytes; the limit is \(limit) bytes (1 MiB): split it into several lessons", path: path))
            return ReadFile(digest: digest, before: before)
        }
        if let s = String(validating: data, as: UTF8.self) { return ReadFile(digest: digest, before: before, text: s) }
        let (line, column, offset) = Loader.firstInvalidUTF8(data)
        diagnostics.append(Diagnostic(.error, .invalidUtf8, "invalid UTF-8 at byte \(offset); save the file as UTF-8", path: path, line: line, column: column))
        return ReadFile(digest: digest, before: before)
    }

    static func firstInvalidUTF8<Bytes: Sequence<UInt8>>(_ data: Bytes) -> (line: Int, column: Int, offset: Int) {
        let bytes = [UInt8](data)
        var i = 0, line = 1, column = 1
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            switch b {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return (line, column, i)
            }
            if i + length > bytes.count { return (line, column, i) }
            if length > 1 {
                let slice = Array(bytes[i..<i + length])
                if String(validating: slice, as: UTF8.self) == nil { return (line, column, i) }
            }
            if b == 0x0A { line += 1; column = 1 } else { column += length == 4 ? 2 : 1 }   // UTF-16 code units
            i += length
        }
        return (line, column, i)
    }

    // MARK: - Assets

    struct FoundAssets {
        /// Path relative to the curriculum folder (`assets/x.svg`) → size.
        var sizes: [String: Int] = [:]
        var escaping = Set<String>()
    }

    /// Records every file under assets/ with its size. Folders are walked from a work list, so
    /// any depth is safe; symbolic links to folders are not followed (a link to '.' would never
    /// end). A link leading outside assets/ is an error, and `escaping` keeps it from being used.
    private func collectAssets(_ assetsURL: URL, boundary: FolderBoundary, curriculumDir: String, into diagnostics: inout [Diagnostic]) -> FoundAssets {
        var found = FoundAssets()
        var folders = [(url: assetsURL, prefix: "assets")]
        while let (url, prefix) = folders.popLast() {
            for name in Loader.listing(url.path).map(\.name) {
                let child = url.appendingPathComponent(name)
                let rel = "\(prefix)/\(name)"
                let isLink = FileStamp.lstat(child.path)?.kind == .link
                if let escape = boundary.escape(child, path: "\(curriculumDir)/\(rel)", why: FolderBoundary.insideAssets) {
                    diagnostics.append(escape)
                    if !Loader.isDirectory(child) { found.sizes[rel] = 0; found.escaping.insert(rel) }
                    continue
                }
                // The size of what a symlink points to, not of the link itself.
                guard let (stamp, kind) = FileStamp.follow(child.path) else { found.sizes[rel] = 0; continue }
                if kind == .directory {
                    if !isLink { folders.append((child, rel)) }
                } else {
                    found.sizes[rel] = Int(stamp.size)
                }
            }
        }
        return found
    }

    // MARK: - Helpers

    /// Visible entries of a folder in reading order: numbered ones by number, then the rest by name.
    static func listing(_ folder: String) -> [DirectoryListing.Entry] {
        // Compute each order key once: the comparator runs O(n log n) times on large folders.
        let keyed = DirectoryListing.entries(folder).filter { !$0.name.hasPrefix(".") }.map { (entry: $0, order: Loader.orderPrefix($0.name) ?? Int.max) }
        return keyed.sorted { a, b in
            if a.order != b.order { return a.order < b.order }
            return a.entry.name.utf8.lexicographicallyPrecedes(b.entry.name.utf8)
        }.map(\.entry)
    }

    /// Visible entries of a folder, sorted by their bytes.
    static func sortedNames(_ url: URL) -> [String] {
        DirectoryListing.entries(url.path).map(\.name).filter { !$0.hasPrefix(".") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    static func isDirectory(_ url: URL) -> Bool {
        FileStamp.follow(url.path)?.kind == .directory
    }

    static func orderPrefix(_ name: String) -> Int? {
        let utf8 = name.utf8
        let digits = utf8.prefix(while: { $0 >= 0x30 && $0 <= 0x39 })
        guard !digits.isEmpty, digits.count <= 18, utf8.dropFirst(digits.count).first == UInt8(ascii: "-") else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    static func slug(_ name: String) -> String {
        var s = Substring(name)
        if s.hasSuffix(".md") { s = s.dropLast(3) }
        if orderPrefix(String(s)) != nil { s = s.drop(while: { $0.isNumber }).dropFirst() }
        return String(s)
    }

    static func titleFromSlug(_ slug: String) -> String {
        let words = slug.split(separator: "-").map(String.init)
        guard let first = words.first else { return slug }
        return ([first.prefix(1).uppercased() + first.dropFirst()] + words.dropFirst()).joined(separator: " ")
    }
}

/// Earlier reads of lesson files (the compile cache): the loader does not read a file whose stamp
/// shows it unchanged since it was hashed, nor parse one whose bytes are the same.
protocol LoadMemo: Sendable {
    func lesson(path: String, stamp: FileStamp) -> LoadedLesson?
    func lesson(path: String, digest: ContentDigest) -> LoadedLesson?
}

/// The part of a `LessonSource` that comes from its file's bytes.
struct LoadedLesson: Sendable, Equatable {
    var id: String
    var idLine: Int
    var idColumn: Int
    var meta: LessonMeta
    var bodyLineOffset: Int
    var compilable: Bool
    var origin: SourceOrigin

    init(_ lesson: LessonSource, origin: SourceOrigin) {
        id = lesson.id
        idLine = lesson.idLine
        idColumn = lesson.idColumn
        meta = lesson.meta
        bodyLineOffset = lesson.bodyLineOffset
        compilable = lesson.compilable
        self.origin = origin
    }

    init(id: String, idLine: Int, idColumn: Int, meta: LessonMeta, bodyLineOffset: Int, compilable: Bool, origin: SourceOrigin) {
        self.id = id
        self.idLine = idLine
        self.idColumn = idColumn
        self.meta = meta
        self.bodyLineOffset = bodyLineOffset
        self.compilable = compilable
        self.origin = origin
    }

    func apply(to lesson: inout LessonSource, file: String) {
        lesson.id = id
        lesson.idLine = idLine
        lesson.idColumn = idColumn
        lesson.meta = meta
        lesson.bodyLineOffset = bodyLineOffset
        lesson.compilable = compilable
        lesson.body = compilable ? .file(path: file, offset: origin.bodyOffset, digest: origin.digest, settled: origin.settledStamp) : .text("")
        lesson.origin = origin
    }
}
