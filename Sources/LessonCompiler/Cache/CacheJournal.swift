import Foundation
import LessonSupport
#if canImport(Glibc)
import Glibc
#endif

/// Changes to the compile cache appended after its index: a run that compiled one lesson of ten
/// thousand writes a few hundred bytes instead of the whole index again. The journal names the
/// index it follows (its checksum), each change carries its own checksum, and the index is written
/// anew (emptying the journal) once the journal grows to half its size.
///
///     journal = magic, the index's 32-byte checksum, then changes
///     change  = length, a framed `Delta` (as the index is framed: version, identity, strings, body, BLAKE2b)
enum CacheJournal {
    static let magic = Array("lessonc cache journal\n".utf8)
    static let changeMagic = Array("change\n".utf8)

    /// What one run changed (and, applied to the cache it opened, the cache it leaves).
    struct Delta {
        var lessons: [(path: String, lesson: CompileCache.Lesson)] = []
        var removedLessons: [String] = []
        var files: [String: CachedFile] = [:]
        var translations: TranslationSet?
        var compressed: [(ContentDigest, ContentRef)] = []
        var removedCompressed: [ContentDigest] = []
        var builds: [(out: String, files: [(String, ContentDigest)], removed: [String], quick: [(String, QuickDigest)])] = []
        var removedBuilds: [String] = []
        var blobs: [(ContentDigest, BlobStore.Location)] = []
        var removedBlobs: [ContentDigest] = []

        init() {}

        func encoded() -> [UInt8] {
            var e = CacheEncoder(capacity: 4096, interning: true)
            e.array(lessons) { e, l in e.string(l.path); e.cachedLesson(l.lesson) }
            e.strings(removedLessons)
            e.uint(UInt64(files.count))
            for (path, file) in files { e.string(path); e.cachedFile(file) }
            e.bool(translations != nil)
            if let t = translations { e.translations(t) }
            e.array(compressed) { e, c in e.digest(c.0); e.ref(c.1) }
            e.array(removedCompressed) { $0.digest($1) }
            e.array(builds) { e, b in
                e.string(b.out)
                e.array(b.files) { e, f in e.string(f.0); e.digest(f.1) }
                e.strings(b.removed)
                e.array(b.quick) { e, q in e.string(q.0); e.digest(q.1.value) }
            }
            e.strings(removedBuilds)
            e.array(blobs) { e, b in e.digest(b.0); e.location(b.1) }
            e.array(removedBlobs) { $0.digest($1) }
            return CompileCache.frame(e, magic: CacheJournal.changeMagic)
        }

        static func decode(_ bytes: [UInt8]) throws -> Delta {
            var d = try CompileCache.unframe(bytes, magic: CacheJournal.changeMagic)
            var delta = Delta()
            delta.lessons = try d.array { d in (try d.string(), try d.cachedLesson()) }
            delta.removedLessons = try d.strings()
            for _ in 0..<(try d.count()) {
                let path = try d.string()
                delta.files[path] = try d.cachedFile()
            }
            delta.translations = try d.bool() ? try d.translations() : nil
            delta.compressed = try d.array { d in (try d.digest(), try d.ref()) }
            delta.removedCompressed = try d.array { try $0.digest() }
            delta.builds = try d.array { d in
                (try d.string(), try d.array { d in (try d.string(), try d.digest()) }, try d.strings(),
                 try d.array { d in (try d.string(), QuickDigest(value: try d.digest())) })
            }
            delta.removedBuilds = try d.strings()
            delta.blobs = try d.array { d in (try d.digest(), try d.location()) }
            delta.removedBlobs = try d.array { try $0.digest() }
            guard d.atEnd else { throw CacheCorrupt() }
            return delta
        }

        func apply(to cache: inout CompileCache) {
            for (path, lesson) in lessons { cache.lessons[path] = lesson }
            for path in removedLessons { cache.lessons[path] = nil }
            cache.files = files
            cache.translations = translations
            for (digest, ref) in compressed { cache.compressed[digest] = ref }
            for digest in removedCompressed { cache.compressed[digest] = nil }
            // A build folder built from scratch: its old record goes first.
            for out in removedBuilds { cache.builds[out] = nil }
            for b in builds {
                var record = cache.builds[b.out] ?? CompileCache.BuildRecord(files: [:])
                for (path, digest) in b.files { record.files[path] = digest }
                for (path, quick) in b.quick { record.quick[path] = quick }
                for path in b.removed { record.files[path] = nil; record.quick[path] = nil }
                cache.builds[b.out] = record
            }
            for (digest, location) in blobs { cache.blobIndex[digest] = location }
            for digest in removedBlobs { cache.blobIndex[digest] = nil }
        }
    }

    /// Applies the changes of `journal` to `cache` (read from the index whose checksum is
    /// `cache.base`). A journal that follows another index is out of date and ignored; a damaged
    /// one throws: the whole cache is then set aside.
    static func apply(_ journal: [UInt8], to cache: inout CompileCache) throws {
        guard journal.count >= magic.count + 32, journal[0..<magic.count].elementsEqual(magic) else { throw CacheCorrupt() }
        guard let base = cache.base, journal[magic.count..<magic.count + 32].elementsEqual(base) else { return }
        var d = CacheDecoder(journal, from: magic.count + 32)
        while !d.atEnd {
            let length = try d.count()
            try Delta.decode(Array(try d.raw(length))).apply(to: &cache)
        }
    }

    /// Appends `delta` to the journal of the index with checksum `base`, starting the journal when
    /// there is none. False when the journal has grown to half the index: write the index instead.
    static func append(_ delta: Delta, base: [UInt8], in folder: URL) throws -> Bool {
        let path = folder.appendingPathComponent(CompileCache.journalName).path
        let indexSize = FileStamp.lstat(folder.appendingPathComponent(CompileCache.indexName).path)?.stamp.size ?? 0
        var current = FileStamp.lstat(path)?.stamp.size ?? 0
        if current > 0, let head = FileHandle(forReadingAtPath: path).flatMap({ try? $0.read(upToCount: magic.count + 32) }),
           !head.elementsEqual(magic + base) {
            current = 0   // a journal of another index
        }
        let change = delta.encoded()
        guard current + Int64(change.count) < indexSize / 2 else { return false }
        var bytes: [UInt8] = current == 0 ? magic + base : []
        var length = CacheEncoder()
        length.uint(UInt64(change.count))
        bytes += length.bytes + change
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (current == 0 ? O_TRUNC : O_APPEND), 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            // A change cut short would make the journal damaged: start the index again instead.
            _ = ftruncate(fd, off_t(current))
            return false
        }
        return true
    }
}
