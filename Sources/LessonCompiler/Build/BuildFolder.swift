import Foundation
import LessonSupport
import Synchronization

/// The build folder as an output of the pipeline:
///
///     OUT/index.json                       the curricula in this build
///     OUT/<curriculum>/index.json          units, lessons, locales, assets
///     OUT/<curriculum>/<locale>/<id>.json  one compiled lesson
///     OUT/<curriculum>/assets/...          the images the lessons use
///
/// Everything to write goes to a staging folder inside OUT first and is moved into place only
/// when the whole build succeeded. When the cache knows what OUT holds (the record of the last
/// build into it, checked against the files there), only files whose bytes change are written and
/// files no longer produced are removed, which leaves OUT byte for byte as a cold build would;
/// otherwise everything is staged and swapped in.
final class BuildFolder: OutputSink {
    let out: URL
    let staging: URL
    /// Path under OUT → digest of the file there, for files the last build wrote that are still
    /// present; nil when OUT's content is unknown.
    let current: [String: ContentDigest]?
    /// Every file under the folders the last build owned (to remove what is no longer produced).
    private let present: Set<String>
    /// The top-level entries of OUT that `present` lists files under.
    private let presentTops: Set<String>
    private let digests: FileDigests
    private let writer: SerialWriter
    private let failures = DiagnosticSink()
    /// What was staged, with digests (nil when not hashed: see `recordsDigests`).
    private let staged = Mutex<[(String, ContentDigest?)]>([])
    /// Every path of the last build's record (to forget those no longer produced).
    private let recorded: [String]
    /// The last build's `QuickDigest`s of the indexes (`CompileCache.BuildRecord.quick`).
    private let quick: [String: QuickDigest]
    /// Whether the compile cache records what this build writes. Without it nothing compares
    /// the indexes' digests, and they are not computed (the index of 40,000 lessons is 16 MB,
    /// hashed at the end of the build while the other core waits).
    private let recordsDigests: Bool

    /// What a build changed in OUT, for the cache's record of it.
    struct Changes {
        /// OUT was built from scratch: `written` is all it holds.
        var fresh: Bool
        var written: [(String, ContentDigest)]
        var removed: [String]
        /// Indexes whose `QuickDigest` differs from the record's.
        var quick: [(String, QuickDigest)] = []
    }

    struct WriteFailure: Error {
        var diagnostics: [Diagnostic]
    }

    init(out: URL, previous: CompileCache.BuildRecord?, digests: FileDigests, recordsDigests: Bool = true) throws {
        let fm = FileManager.default
        self.out = out
        self.digests = digests
        self.recordsDigests = recordsDigests
        try fm.createDirectory(at: out, withIntermediateDirectories: true)
        staging = out.appendingPathComponent(".staging-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        writer = SerialWriter(root: staging)
        recorded = previous.map { Array($0.files.keys) } ?? []
        quick = previous?.quick ?? [:]
        if let previous, fm.fileExists(atPath: out.appendingPathComponent("index.json").path) {
            let owned = Set(previous.files.keys.map(BuildFolder.topEntry))
            var present: Set<String> = [], tops: Set<String> = []
            for top in owned {
                let files = BuildFolder.files(under: out.path, top)
                if !files.isEmpty { tops.insert(top) }
                present.formUnion(files)
            }
            self.present = present
            presentTops = tops
            current = previous.files.filter { present.contains($0.key) }
        } else {
            present = []
            presentTops = []
            current = nil
        }
    }

    static func lessonPath(_ curriculum: String, _ locale: String, _ id: String) -> String { "\(curriculum)/\(locale)/\(id).json" }

    /// How many files this build wrote into OUT.
    var filesWritten: Int { staged.withLock { $0.count } }

    // MARK: Documents, as lessons are compiled

    /// Digests are compared with OUT's and recorded only through the compile cache.
    var usesDocumentDigests: Bool { recordsDigests }

    func needsDocuments(of lesson: LessonSource, record: LessonRecord) -> Bool {
        guard let current else { return true }
        return record.files.contains { current[BuildFolder.lessonPath(lesson.curriculum, $0.locale, lesson.id)] != $0.document?.digest }
    }

    func accept(_ documents: [LessonDocumentBytes], of lesson: LessonSource, in curriculum: Curriculum) {
        let files = documents.map { (BuildFolder.lessonPath(curriculum.id, $0.locale, lesson.id), $0) }
            .filter { path, d in current?[path] != d.ref.digest }
        guard !files.isEmpty else { return }
        staged.withLock { s in for (path, d) in files { s.append((path, recordsDigests ? d.ref.digest : nil)) } }
        writer.enqueue(files.map { ($0.0, $0.1.bytes) }, source: lesson.path, failures: failures)
    }

    // MARK: Finishing

    /// Writes the indexes and assets that changed, then moves everything staged into OUT and
    /// removes what the build no longer produces. Returns what changed in OUT, and the digests
    /// of its indexes and assets (worth keeping in the cache).
    func finish(_ compilation: Compilation) throws -> (changes: Changes, live: Set<ContentDigest>) {
        var expected: [String: ContentDigest] = [:]
        var live: Set<ContentDigest> = []
        var quickChanges: [(String, QuickDigest)] = []
        for compiled in compilation.curricula {
            let c = compiled.curriculum
            // Into a folder built from scratch, every lesson file was staged: `staged` lists them.
            if current != nil {
                for (lesson, record) in zip(c.lessons, compiled.lessons) {
                    for file in record?.files ?? [] { if let d = file.document { expected[BuildFolder.lessonPath(c.id, file.locale, lesson.id)] = d.digest } }
                }
            }
            let index = CurriculumIndex.bytes(c, records: compiled.lessons, locales: compiled.locales, assets: compiled.usedAssets, texts: compiled.texts)
            let path = "\(c.id)/index.json"
            let check = recordsDigests ? QuickDigest(of: index) : nil
            if let check, quick[path] != check { quickChanges.append((path, check)) }
            // The same bytes as OUT holds (by their BLAKE2b): their SHA-256 is the recorded one.
            let known = check != nil && quick[path] == check ? current?[path] : nil
            if let digest = stage(index, at: path, digest: known, expected: &expected, source: c.dir) { live.insert(digest) }
            for asset in compiled.usedAssets {
                let url = compilation.project.root.appendingPathComponent(c.dir).appendingPathComponent(asset)
                guard let digest = digests.digest(of: url, path: "\(c.dir)/\(asset)") else {
                    failures.add(Diagnostic(.error, .outputError, "cannot read the asset", path: "\(c.dir)/\(asset)"))
                    continue
                }
                expected["\(c.id)/\(asset)"] = digest
                live.insert(digest)
                if current?["\(c.id)/\(asset)"] != digest { stageCopy(of: url, at: "\(c.id)/\(asset)", digest: digest, source: c.dir) }
            }
        }
        stage(BuildFolder.topIndex(compilation), at: "index.json", expected: &expected, source: "content")
        writer.finish()
        let problems = failures.all
        guard problems.isEmpty else { throw WriteFailure(diagnostics: problems) }
        if current == nil {
            try BuildFolder.swap(staging: staging, into: out, curricula: compilation.project.curricula.map(\.id))
            return (Changes(fresh: true, written: written, removed: [], quick: quickChanges), live)
        }
        try apply(expected: expected, curricula: compilation.project.curricula.map(\.id))
        return (Changes(fresh: false, written: written, removed: recorded.filter { expected[$0] == nil }, quick: quickChanges), live)
    }

    /// What was staged, with its digests (all known when `recordsDigests`).
    private var written: [(String, ContentDigest)] {
        staged.withLock { $0.compactMap { path, digest in digest.map { (path, $0) } } }
    }

    /// Stages `bytes` unless OUT holds them already; returns their digest (`digest`, when known:
    /// hashing the index of 10,000 lessons, 4.7 MB, takes 24 ms), nil when not `recordsDigests`.
    @discardableResult
    private func stage(_ bytes: [UInt8], at path: String, digest known: ContentDigest? = nil, expected: inout [String: ContentDigest], source: String) -> ContentDigest? {
        let digest = known ?? (recordsDigests ? ContentDigest(of: bytes) : nil)
        if let digest {
            expected[path] = digest
            if current?[path] == digest { return digest }
        }
        staged.withLock { $0.append((path, digest)) }
        writer.enqueue([(path, bytes)], source: source, failures: failures)
        return digest
    }

    private func stageCopy(of url: URL, at path: String, digest: ContentDigest, source: String) {
        writer.finish()
        let dest = staging.appendingPathComponent(path)
        do {
            try FileManager.default.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: url.resolvingSymlinksInPath(), to: dest)
            staged.withLock { $0.append((path, digest)) }
        } catch {
            failures.add(Diagnostic(.error, .outputError, "cannot write output: \(error.localizedDescription)", path: source))
        }
    }

    static func topIndex(_ compilation: Compilation) -> [UInt8] {
        let top: JSON = ["format": "lessonc-build/1", "curricula": .array(compilation.curricula.map { compiled in
            let c = compiled.curriculum
            return ["id": .string(c.id), "title": .string(c.meta.title), "version": .string(c.meta.version),
                    "language": .string(c.meta.language), "index": .string("\(c.id)/index.json"),
                    "locales": .array(compiled.locales.map { .string($0) })]
        })]
        return top.bytes(pretty: true)
    }

    /// Moves the staged files over the old ones, one rename each, and removes the files of the
    /// owned folders that this build does not produce.
    private func apply(expected: [String: ContentDigest], curricula: [String]) throws {
        let fm = FileManager.default
        let base = out.path + "/"
        var madeDirs = Set<String>()
        for path in DirectoryListing.files(under: staging.path).sorted() {
            let target = base + path
            if let slash = target.lastIndex(of: "/"), madeDirs.insert(String(target[..<slash])).inserted {
                try fm.createDirectory(atPath: String(target[..<slash]), withIntermediateDirectories: true)
            }
            try FileIO.rename(staging.path + "/" + path, to: target)
        }
        for top in presentTops where !curricula.contains(top) && top != "index.json" {
            try? fm.removeItem(atPath: base + top)
        }
        // Files no longer produced, then the folders that leaves empty (a locale no longer built).
        var emptied = Set<String>()
        for path in present where expected[path] == nil {
            if unlink(base + path) == 0, let slash = path.lastIndex(of: "/") { emptied.insert(String(path[..<slash])) }
        }
        for folder in emptied.sorted(by: { $0.count > $1.count }) {
            var f = Substring(folder)
            // rmdir(2) removes only empty folders: walk up while it succeeds.
            while !f.isEmpty, rmdir(base + f) == 0, let slash = f.lastIndex(of: "/") { f = f[..<slash] }
        }
        try? fm.removeItem(at: staging)
    }

    /// The first component of a path relative to OUT (`bench` of `bench/en/x.json`).
    static func topEntry(_ path: String) -> String {
        path.firstIndex(of: "/").map { String(path[..<$0]) } ?? path
    }

    /// Files (not folders) under `root/top`, as paths relative to `root`.
    static func files(under root: String, _ top: String) -> [String] {
        guard let (_, kind) = FileStamp.lstat(root + "/" + top) else { return [] }
        if kind != .directory { return [top] }
        return DirectoryListing.files(under: root + "/" + top).map { top + "/" + $0 }
    }

    func discard() {
        writer.finish()
        try? FileManager.default.removeItem(at: staging)
    }

    /// Moves the staged entries into place. Only entries the build owns are replaced
    /// (its index.json and the curricula it lists), so `build/channel` and keys survive.
    static func swap(staging: URL, into out: URL, curricula: [String]) throws {
        let fm = FileManager.default
        let indexURL = out.appendingPathComponent("index.json")
        var owned = Set(curricula)
        if let data = fm.contents(atPath: indexURL.path), let old = try? JSON.parse(data), let list = old["curricula"]?.arrayValue {
            for c in list { if let id = c["id"]?.stringValue, !id.contains("/"), !id.hasPrefix(".") { owned.insert(id) } }
        }
        let trash = out.appendingPathComponent(".trash-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: trash)
        try fm.createDirectory(at: trash, withIntermediateDirectories: true)
        for name in owned.sorted() + ["index.json"] {
            let current = out.appendingPathComponent(name)
            if fm.fileExists(atPath: current.path) { try fm.moveItem(at: current, to: trash.appendingPathComponent(name)) }
        }
        for name in curricula.sorted() + ["index.json"] {
            try fm.moveItem(at: staging.appendingPathComponent(name), to: out.appendingPathComponent(name))
        }
        try? fm.removeItem(at: trash)
        try? fm.removeItem(at: staging)
    }
}

/// Writes build files from one thread while the others compile. Creating files in one folder
/// from several threads makes them queue on the folder's lock in the kernel (measured: most of
/// the build's time on ext4); one writer keeps the compilers busy instead. Lessons are handed to
/// it in batches of `batch` (waking it for each lesson was most of a build's futex calls), and at
/// most `limit` batches wait in memory, so memory stays flat.
final class SerialWriter: Sendable {
    let root: URL
    private let rootPath: String
    private let queue = DispatchQueue(label: "lessonc.build.writer")
    private let slots: DispatchSemaphore
    private let batch: Int
    /// Files given but not yet handed to the writer, with where each came from.
    private let pending = Mutex<[Job]>([])
    /// Folders made so far (touched only on `queue`).
    private let folders = Mutex<Set<String>>([])

    private struct Job: Sendable {
        var path: String
        var bytes: [UInt8]
        var source: String
        var failures: DiagnosticSink
    }

    init(root: URL, limit: Int = 8, batch: Int = 16) {
        self.root = root
        rootPath = root.path
        slots = DispatchSemaphore(value: limit)
        self.batch = batch
    }

    /// Writes each (path relative to `root`, bytes), now or with the next batch.
    func enqueue(_ files: [(String, [UInt8])], source: String, failures: DiagnosticSink) {
        let full: [Job]? = pending.withLock { p in
            for (path, bytes) in files { p.append(Job(path: path, bytes: bytes, source: source, failures: failures)) }
            guard p.count >= batch else { return nil }
            defer { p = [] }
            return p
        }
        if let full { submit(full) }
    }

    private func submit(_ jobs: [Job]) {
        slots.wait()
        queue.async { [self] in
            for job in jobs {
                // Plain strings: URL.appendingPathComponent stats the file system to learn whether
                // the path is a folder (one failed stat per file, 3% of a cold build's time).
                let file = rootPath + "/" + job.path
                do {
                    let parent = String(file[..<file.lastIndex(of: "/")!])
                    if folders.withLock({ $0.insert(parent).inserted }) {
                        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
                    }
                    try FileIO.write(job.bytes, to: file)
                } catch {
                    job.failures.add(Diagnostic(.error, .outputError, "cannot write output: \(error)", path: job.source))
                }
            }
            slots.signal()
        }
    }

    /// Waits until every file given so far is written.
    func finish() {
        let rest = pending.withLock { p in defer { p = [] }; return p }
        if !rest.isEmpty { submit(rest) }
        queue.sync {}
    }
}
