import Foundation
import LessonSupport

/// The incremental compile cache: one for build, publish and (later) the preview, in
/// `ROOT/.lessonc-cache/` unless `--cache DIR` says otherwise.
///
/// It remembers, for each lesson file, what loading it gave (keyed by the file's SHA-256) and
/// what compiling it gave (keyed by its curriculum's context, its XLIFF files' digests and the
/// answers to what it looked up in the project), plus the documents and gzip objects made from
/// it (`BlobStore`). All of it belongs to one compiler build (`CompilerIdentity`).
///
/// Nothing in it is trusted blindly: the index carries a BLAKE2b checksum and every blob is
/// checked against its SHA-256 when read; a damaged, foreign or stale cache is set aside and
/// rebuilt, a damaged blob is a miss. Deleting the folder only makes the next run slower.
struct CompileCache: Sendable {
    static let defaultFolder = ".lessonc-cache"
    static let indexName = "index"
    static let blobsName = "blobs"
    static let journalName = "journal"
    static let magic = Array("lessonc compile cache\n".utf8)
    /// 2: a lesson's files say how changed texts changed its state (`StaleChange`).
    /// 4: the lessons are written in parts of `lessonsPerPart`, each preceded by its length; a
    ///    build record keeps the `QuickDigest` of each curriculum index.
    static let formatVersion: UInt64 = 4
    /// Lessons in one part of the index: opening the cache decodes its parts on all cores.
    static let lessonsPerPart = 1024

    struct Lesson: Sendable, Equatable {
        var loaded: LoadedLesson
        var record: LessonRecord?
    }

    /// What the build folder `OUT` held after the last build into it.
    struct BuildRecord: Sendable, Equatable {
        /// Path relative to `OUT` → digest of the file written there.
        var files: [String: ContentDigest]
        /// Path → BLAKE2b of the bytes whose SHA-256 `files` holds, for the large files made on
        /// every run (the curriculum indexes).
        var quick: [String: QuickDigest] = [:]
    }

    var lessons: [String: Lesson] = [:]
    var files: [String: CachedFile] = [:]
    var translations: TranslationSet?
    /// Digest of a document or asset → its gzip object.
    var compressed: [ContentDigest: ContentRef] = [:]
    /// Build folder (absolute path) → what it holds.
    var builds: [String: BuildRecord] = [:]
    var blobIndex: [ContentDigest: BlobStore.Location] = [:]
    /// The checksum of the index this cache was read from (its journal's changes apply to it).
    var base: [UInt8]?

    init() {}

    // MARK: - Opening

    /// The cache in `folder` (its index, then the changes its journal holds), or an empty one
    /// with the reason when what is there cannot be used.
    static func open(_ folder: URL) -> (cache: CompileCache, note: String?) {
        let url = folder.appendingPathComponent(indexName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return (CompileCache(), nil) }
        let bytes = [UInt8](data)
        do {
            var cache = try decode(bytes)
            cache.base = Array(bytes.suffix(32))
            if let journal = FileManager.default.contents(atPath: folder.appendingPathComponent(journalName).path) {
                try CacheJournal.apply([UInt8](journal), to: &cache)
            }
            return (cache, nil)
        } catch is StaleCache {
            return (CompileCache(), "the compile cache in \(folder.path) was made by another build of lessonc; compiling everything")
        } catch {
            return (CompileCache(), "the compile cache in \(folder.path) is damaged; compiling everything and making it again")
        }
    }

    struct StaleCache: Error {}

    /// Checks the frame of a cache file (magic, checksum, version, identity) and returns a
    /// decoder at its string table.
    static func unframe(_ bytes: [UInt8], magic: [UInt8]) throws -> CacheDecoder {
        guard hasMagic(bytes, magic), checksumHolds(bytes) else { throw CacheCorrupt() }
        return try header(bytes, magic: magic)
    }

    static func hasMagic(_ bytes: [UInt8], _ magic: [UInt8]) -> Bool {
        bytes.count > magic.count + 32 && bytes[0..<magic.count].elementsEqual(magic)
    }

    /// Whether the last 32 bytes are the BLAKE2b of all before them.
    static func checksumHolds(_ bytes: [UInt8]) -> Bool {
        let end = bytes.count - 32
        let sum = bytes.withUnsafeBytes { Sodium.blake2b(UnsafeRawBufferPointer(rebasing: $0[0..<end]), length: 32) }
        return sum.elementsEqual(bytes[end...])
    }

    /// Reads the version, identity and string table after the magic; a decoder at what follows.
    /// Another version or identity is `StaleCache` only when the checksum holds (else it is damage).
    private static func header(_ bytes: [UInt8], magic: [UInt8]) throws -> CacheDecoder {
        var d = CacheDecoder(bytes, from: magic.count, end: bytes.count - 32)
        guard try d.uint() == formatVersion, try d.inline() == CompilerIdentity.current else {
            throw checksumHolds(bytes) ? StaleCache() as Error : CacheCorrupt()
        }
        try d.readTable(count: try d.count())
        return d
    }

    /// Magic, version, identity, the string table, `body`, then a 32-byte BLAKE2b of all before it.
    static func frame(_ body: CacheEncoder, magic: [UInt8], identity: String = CompilerIdentity.current) -> [UInt8] {
        var head = CacheEncoder(capacity: body.bytes.count + body.table.count * 24 + 256)
        head.raw(magic)
        head.uint(formatVersion)
        head.inline(identity)
        head.uint(UInt64(body.table.count))
        for s in body.table { head.inline(s) }
        head.raw(body.bytes)
        var bytes = head.bytes
        bytes += Sodium.blake2b(bytes, length: 32)
        return bytes
    }

    /// One piece of work in opening the index.
    private enum DecodeJob: Sendable {
        case checksum
        case lessons(CacheDecoder)
    }

    static func decode(_ bytes: [UInt8]) throws -> CompileCache {
        guard hasMagic(bytes, magic) else { throw CacheCorrupt() }
        var d = try header(bytes, magic: magic)
        var cache = CompileCache()
        let lessonCount = try d.count()
        var jobs = [DecodeJob.checksum]
        for _ in 0..<(try d.count()) { jobs.append(.lessons(d.reading(try d.raw(try d.count()).indices))) }
        // The checksum is computed on one core while the others decode the parts: what damaged
        // bytes decoded to is thrown away, as the checksum (the first job) fails first.
        let parts = try Parallel.map(jobs) { job -> [(path: String, lesson: Lesson)] in
            switch job {
            case .checksum:
                guard checksumHolds(bytes) else { throw CacheCorrupt() }
                return []
            case .lessons(var part):
                var lessons: [(path: String, lesson: Lesson)] = []
                lessons.reserveCapacity(lessonsPerPart)
                while !part.atEnd { lessons.append((try part.string(), try part.cachedLesson())) }
                return lessons
            }
        }
        cache.lessons.reserveCapacity(lessonCount)
        for part in parts { for entry in part { cache.lessons[entry.path] = entry.lesson } }
        guard cache.lessons.count == lessonCount else { throw CacheCorrupt() }
        for _ in 0..<(try d.count()) {
            let path = try d.string()
            cache.files[path] = try d.cachedFile()
        }
        cache.translations = try d.bool() ? try d.translations() : nil
        for _ in 0..<(try d.count()) { cache.compressed[try d.digest()] = try d.ref() }
        for _ in 0..<(try d.count()) {
            let out = try d.string()
            let n = try d.count()
            var files: [String: ContentDigest] = [:]
            files.reserveCapacity(n)
            for _ in 0..<n { files[try d.string()] = try d.digest() }
            var quick: [String: QuickDigest] = [:]
            for _ in 0..<(try d.count()) { quick[try d.string()] = QuickDigest(value: try d.digest()) }
            cache.builds[out] = BuildRecord(files: files, quick: quick)
        }
        for _ in 0..<(try d.count()) { cache.blobIndex[try d.digest()] = try d.location() }
        guard d.atEnd else { throw CacheCorrupt() }
        return cache
    }

    // MARK: - Saving

    /// The whole index's bytes; `identity` is the compiler's (another only in tests).
    func encoded(identity: String = CompilerIdentity.current) -> [UInt8] {
        var e = CacheEncoder(capacity: lessons.count * 300 + 4096, interning: true)
        e.uint(UInt64(lessons.count))
        let all = Array(lessons)
        let parts = stride(from: 0, to: all.count, by: CompileCache.lessonsPerPart).map { $0..<min($0 + CompileCache.lessonsPerPart, all.count) }
        e.uint(UInt64(parts.count))
        for part in parts {
            e.sized { e in
                for (path, lesson) in all[part] {
                    e.string(path)
                    e.cachedLesson(lesson)
                }
            }
        }
        e.uint(UInt64(files.count))
        for (path, file) in files { e.string(path); e.cachedFile(file) }
        e.bool(translations != nil)
        if let t = translations { e.translations(t) }
        e.uint(UInt64(compressed.count))
        for (digest, ref) in compressed { e.digest(digest); e.ref(ref) }
        e.uint(UInt64(builds.count))
        for (out, record) in builds {
            e.string(out)
            e.uint(UInt64(record.files.count))
            for (path, digest) in record.files { e.string(path); e.digest(digest) }
            e.uint(UInt64(record.quick.count))
            for (path, quick) in record.quick { e.string(path); e.digest(quick.value) }
        }
        e.uint(UInt64(blobIndex.count))
        for (digest, location) in blobIndex { e.digest(digest); e.location(location) }
        return CompileCache.frame(e, magic: CompileCache.magic, identity: identity)
    }

    /// Writes the index beside the old one and renames it into place, so a reader sees one or the other.
    func save(in folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Marks for backup tools (CACHEDIR.TAG) and for git, even where the project does not ignore it.
        let tag = folder.appendingPathComponent("CACHEDIR.TAG")
        if !FileManager.default.fileExists(atPath: tag.path) {
            try? FileIO.write(Array("Signature: 8a477f597d28d172789f06886806bc55\n# lessonc's compile cache: deleting it only makes the next run slower.\n".utf8), to: tag.path)
            try? FileIO.write(Array("*\n".utf8), to: folder.appendingPathComponent(".gitignore").path)
        }
        let temp = folder.appendingPathComponent("\(CompileCache.indexName).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try FileIO.write(encoded(), to: temp.path)
        try FileIO.rename(temp.path, to: folder.appendingPathComponent(CompileCache.indexName).path)
        // The journal's changes were to the old index (and say so): a new index makes it useless.
        unlink(folder.appendingPathComponent(CompileCache.journalName).path)
    }
}

// MARK: - The memo the loader reads

/// The loader's view of the cache.
struct CachedLoads: LoadMemo {
    let lessons: [String: CompileCache.Lesson]

    func lesson(path: String, stamp: FileStamp) -> LoadedLesson? {
        guard let known = lessons[path]?.loaded, let recorded = known.origin.stamp, recorded == stamp,
              stamp.isSettled(hashedAt: known.origin.hashedAt) else { return nil }
        return known
    }

    func lesson(path: String, digest: ContentDigest) -> LoadedLesson? {
        guard let known = lessons[path]?.loaded, known.origin.digest == digest else { return nil }
        return known
    }
}

// MARK: - Encoding the model

extension CacheEncoder {
    mutating func cachedLesson(_ lesson: CompileCache.Lesson) {
        loadedLesson(lesson.loaded)
        bool(lesson.record != nil)
        if let record = lesson.record { lessonRecord(record) }
    }

    mutating func cachedFile(_ file: CachedFile) {
        stamp(file.stamp); int64(file.hashedAt); digest(file.digest)
    }

    mutating func location(_ l: BlobStore.Location) { int(l.offset); int(l.length) }

    mutating func translations(_ t: TranslationSet) {
        digest(t.fingerprint)
        array(t.diagnostics) { $0.diagnostic($1) }
        uint(UInt64(t.files.count))
        for (curriculum, files) in t.files {
            string(curriculum)
            array(files) { e, f in
                e.string(f.locale); e.string(f.path); e.digest(f.digest)
                e.bool(f.curriculumTexts != nil)
                if let x = f.curriculumTexts {
                    e.data([UInt8](x.prefix)); e.string(x.rootEnd)
                    e.bool(x.entry != nil)
                    if let o = x.entry {
                        e.string(o.lessonID); e.string(o.original); e.int(o.line); e.int(o.column)
                        e.int(o.range.lowerBound); e.int(o.range.upperBound); e.bool(o.needsReading)
                    }
                }
            }
        }
    }

    mutating func stamp(_ s: FileStamp) {
        uint(s.device); uint(s.inode); int64(s.size); int64(s.modified); int64(s.changed)
    }

    mutating func diagnostic(_ d: Diagnostic) {
        string(d.path); int(d.line); int(d.column); bool(d.severity == .error); string(d.message); string(d.rule.rawValue)
    }

    mutating func meta(_ m: LessonMeta) {
        string(m.title); optionalString(m.duration); strings(m.audience); strings(m.tags)
        optionalString(m.contentWarning); strings(m.authors); optionalString(m.license); strings(m.source)
    }

    mutating func loadedLesson(_ l: LoadedLesson) {
        string(l.id); int(l.idLine); int(l.idColumn); meta(l.meta); int(l.bodyLineOffset); bool(l.compilable)
        bool(l.origin.stamp != nil)
        if let s = l.origin.stamp { stamp(s) }
        digest(l.origin.digest); int64(l.origin.hashedAt); int(l.origin.bodyOffset)
        array(l.origin.diagnostics) { $0.diagnostic($1) }
    }

    mutating func lessonRecord(_ r: LessonRecord) {
        digest(r.curriculumKey)
        strings(r.unitTitles)
        array(r.dependencies.lessons) { e, l in
            e.string(l.path)
            e.bool(l.answer != nil)
            if let answer = l.answer { e.string(answer.curriculum); e.string(answer.id) }
        }
        array(r.dependencies.ids) { e, l in e.string(l.id); e.strings(l.paths) }
        array(r.dependencies.assets) { e, l in
            e.string(l.path)
            e.bool(l.answer.size != nil)
            if let size = l.answer.size { e.int(size) }
            e.bool(l.answer.escaping)
        }
        array(r.diagnostics) { $0.diagnostic($1) }
        strings(r.assets)
        array(r.files) { e, f in
            e.string(f.locale)
            e.bool(f.document != nil)
            if let document = f.document { e.ref(document) }
            e.bool(f.fallback)
            e.bool(f.coverage != nil)
            if let coverage = f.coverage { e.int(coverage) }
            e.string(f.title)
            switch f.stale {
            case nil: e.uint(0)
            case .fellBack(let n)?: e.uint(1); e.int(n)
            case .kept(let n)?: e.uint(2); e.int(n)
            }
        }
        data(r.indexEntry)
    }
}

extension CacheDecoder {
    mutating func staleChange() throws -> StaleChange? {
        switch try uint() {
        case 0: return nil
        case 1: return .fellBack(texts: try int())
        case 2: return .kept(texts: try int())
        default: throw CacheCorrupt()
        }
    }

    mutating func cachedLesson() throws -> CompileCache.Lesson {
        let loaded = try loadedLesson()
        return CompileCache.Lesson(loaded: loaded, record: try bool() ? try lessonRecord() : nil)
    }

    mutating func cachedFile() throws -> CachedFile {
        CachedFile(stamp: try stamp(), hashedAt: try int64(), digest: try digest())
    }

    mutating func location() throws -> BlobStore.Location { BlobStore.Location(offset: try int(), length: try int()) }

    mutating func translations() throws -> TranslationSet {
        var set = TranslationSet(fingerprint: try digest())
        set.diagnostics = try array { try $0.diagnostic() }
        for _ in 0..<(try count()) {
            let curriculum = try string()
            set.files[curriculum] = try array { d in
                var file = TranslationSet.File(locale: try d.string(), path: try d.string(), digest: try d.digest())
                if try d.bool() {
                    let prefix = Data(try d.data()), rootEnd = try d.string()
                    var entry: XLIFFDocument.Outline?
                    if try d.bool() {
                        let (lessonID, original, line, column) = (try d.string(), try d.string(), try d.int(), try d.int())
                        let (lower, upper) = (try d.int(), try d.int())
                        guard lower >= 0, upper >= lower else { throw CacheCorrupt() }
                        entry = XLIFFDocument.Outline(lessonID: lessonID, original: original, line: line, column: column,
                                                      range: lower..<upper, needsReading: try d.bool())
                    }
                    file.curriculumTexts = XLIFFDocument.Excerpt(prefix: prefix, rootEnd: rootEnd, entry: entry)
                }
                return file
            }
        }
        return set
    }

    mutating func stamp() throws -> FileStamp {
        FileStamp(device: try uint(), inode: try uint(), size: try int64(), modified: try int64(), changed: try int64())
    }

    mutating func diagnostic() throws -> Diagnostic {
        let path = try string(), line = try int(), column = try int(), error = try bool(), message = try string()
        guard let rule = Rule(rawValue: try string()) else { throw CacheCorrupt() }
        return Diagnostic(error ? .error : .warning, rule, message, path: path, line: line, column: column)
    }

    mutating func meta() throws -> LessonMeta {
        LessonMeta(title: try string(), duration: try optionalString(), audience: try strings(), tags: try strings(),
                   contentWarning: try optionalString(), authors: try strings(), license: try optionalString(), source: try strings())
    }

    mutating func loadedLesson() throws -> LoadedLesson {
        let id = try string(), idLine = try int(), idColumn = try int(), meta = try meta(), bodyLineOffset = try int(), compilable = try bool()
        let stamp = try bool() ? try stamp() : nil
        let origin = SourceOrigin(stamp: stamp, digest: try digest(), hashedAt: try int64(), bodyOffset: try int(),
                                  diagnostics: try array { try $0.diagnostic() })
        return LoadedLesson(id: id, idLine: idLine, idColumn: idColumn, meta: meta, bodyLineOffset: bodyLineOffset, compilable: compilable, origin: origin)
    }

    mutating func lessonRecord() throws -> LessonRecord {
        let key = try digest()
        let unitTitles = try strings()
        let lessons = try array { d in
            LessonDependencies.LessonLookup(path: try d.string(), answer: try d.bool() ? LessonRef(curriculum: try d.string(), id: try d.string()) : nil)
        }
        let ids = try array { d in LessonDependencies.IDLookup(id: try d.string(), paths: try d.strings()) }
        let assets = try array { d in
            LessonDependencies.AssetLookup(path: try d.string(), answer: AssetAnswer(size: try d.bool() ? try d.int() : nil, escaping: try d.bool()))
        }
        let diagnostics = try array { try $0.diagnostic() }
        let used = try strings()
        let files = try array { d in
            LessonFile(locale: try d.string(), document: try d.bool() ? try d.ref() : nil, fallback: try d.bool(),
                       coverage: try d.bool() ? try d.int() : nil, title: try d.string(), stale: try d.staleChange())
        }
        return LessonRecord(curriculumKey: key, unitTitles: unitTitles, dependencies: LessonDependencies(lessons: lessons, ids: ids, assets: assets),
                            diagnostics: diagnostics, assets: used, files: files, indexEntry: try data())
    }
}
