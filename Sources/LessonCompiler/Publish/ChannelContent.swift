import Foundation
import LessonChannel
import LessonSupport
import Synchronization

/// What a release needs to know about one lesson in one locale besides its object: the words
/// for release notes and attribution.
struct LessonFacts: Equatable, Sendable {
    var title: String
    var authors: [String]
    var license: String
    var source: [String]
}

/// One curriculum as publish sees it: objects for its index, assets and lessons, plus the facts
/// for the human-readable release documents.
struct CurriculumContent: Sendable {
    var entry: ManifestCurriculum
    var authors: [String]
    /// Locale → lesson id → facts, in the curriculum's reading order.
    var lessons: [String: [(id: String, facts: LessonFacts)]]
}

/// The channel's objects as publish makes them: every compiled document and asset, gzipped.
///
/// As an `OutputSink` it gzips each freshly compiled document (in the worker thread that made
/// it) unless the cache already knows its object; afterwards it gives the bytes of any object of
/// the new release from memory, from the cache's blobs, or by making it again, so publish never
/// reads an object back from the channel except to diff against an old one.
final class PublishObjects: OutputSink {
    let compiler: ProjectCompiler
    /// Objects gzipped in this run, by their digest.
    private let made = Mutex<[ContentDigest: Data]>([:])
    /// How to make each object of the new release again (by the object's digest): set by `content`.
    private let origins = Mutex<[ContentDigest: ObjectOrigin]>([:])
    private let compilation = Mutex<Compilation?>(nil)

    /// A lesson is named by its place in the compilation: ten thousand copies of its source and
    /// record cost more than the rest of the release's entries.
    enum ObjectOrigin: Sendable {
        case lesson(curriculum: Int, lesson: Int, locale: String)
        case index([UInt8])
        case asset(URL)
    }

    init(compiler: ProjectCompiler) {
        self.compiler = compiler
    }

    // MARK: Documents, as lessons are compiled

    func needsDocuments(of lesson: LessonSource, record: LessonRecord) -> Bool {
        record.files.contains { file in file.document.map { compiler.object(for: $0.digest) == nil } ?? true }
    }

    func accept(_ documents: [LessonDocumentBytes], of lesson: LessonSource, in curriculum: Curriculum) {
        for d in documents where compiler.object(for: d.ref.digest) == nil { _ = object(for: d.bytes, digest: d.ref.digest) }
    }

    /// The object of `bytes` (whose digest is `digest`): known, or gzipped now and remembered.
    @discardableResult
    func object<D: ContiguousBytes & Sendable>(for bytes: D, digest: ContentDigest) -> ContentRef {
        if let known = compiler.object(for: digest) { return known }
        let gz = Gzip.compress(bytes)
        let ref = ContentRef(of: gz)
        made.withLock { $0[ref.digest] = gz }
        compiler.blobs?.add([UInt8](gz), digest: ref.digest)
        compiler.remember(object: ref, for: digest)
        return ref
    }

    // MARK: The release's content

    /// The manifest entries and release facts of every curriculum.
    func content(_ compilation: Compilation) throws -> [String: CurriculumContent] {
        self.compilation.withLock { $0 = compilation }
        var out: [String: CurriculumContent] = [:]
        var origins: [ContentDigest: ObjectOrigin] = [:]
        defer { self.origins.withLock { $0.merge(origins) { _, new in new } } }
        for (ci, compiled) in compilation.curricula.enumerated() {
            let c = compiled.curriculum
            guard ChannelName.isSafe(c.id) else { throw PublishError("\(c.dir): '\(c.id)' cannot name a curriculum in a channel") }
            let index = CurriculumIndex.bytes(c, records: compiled.lessons, locales: compiled.locales, assets: compiled.usedAssets, texts: compiled.texts)
            let indexRef = object(for: index, digest: ContentDigest(of: index))
            origins[indexRef.digest] = .index(index)
            var assets: [String: ObjectRef] = [:]
            for path in compiled.usedAssets {
                let ref = try asset(path, of: c, root: compilation.project.root)
                origins[ref.digest] = .asset(compilation.project.root.appendingPathComponent(c.dir).appendingPathComponent(path))
                assets[path] = ref.objectRef
            }
            var byLocale: [String: [String: ObjectRef]] = [:]
            var facts: [String: [(id: String, facts: LessonFacts)]] = [:]
            for locale in compiled.locales {
                guard ChannelName.isSafe(locale) else { throw PublishError("\(c.dir): bad locale '\(locale)'") }
                byLocale[locale] = [:]
                facts[locale] = []
            }
            for (li, (lesson, record)) in zip(c.lessons, compiled.lessons).enumerated() {
                guard let record else { continue }
                guard ChannelName.isSafe(lesson.id) else { throw PublishError("\(lesson.path): '\(lesson.id)' cannot name a lesson in a channel") }
                for file in record.files {
                    let ref = try lessonObject(lesson, record: record, file: file)
                    origins[ref.digest] = .lesson(curriculum: ci, lesson: li, locale: file.locale)
                    byLocale[file.locale, default: [:]][lesson.id] = ref.objectRef
                    facts[file.locale, default: []].append((lesson.id, LessonFacts(
                        title: file.title, authors: lesson.meta.authors.isEmpty ? c.meta.authors : lesson.meta.authors,
                        license: lesson.meta.license ?? c.meta.license, source: lesson.meta.source)))
                }
            }
            let entry = ManifestCurriculum(title: c.meta.title, version: c.meta.version, license: c.meta.license, index: indexRef.objectRef,
                                           assets: assets, locales: byLocale)
            out[c.id] = CurriculumContent(entry: entry, authors: c.meta.authors, lessons: facts)
        }
        return out
    }

    private func lessonObject(_ lesson: LessonSource, record: LessonRecord, file: LessonFile) throws -> ContentRef {
        guard let document = file.document else { throw PublishError("\(lesson.path): compiled without its documents") }
        if compiler.object(for: document.digest) == nil {
            // Not gzipped yet (its documents were not needed as it compiled): make them now.
            for d in compiler.documents(of: lesson, record: record, in: compilation.withLock { $0! }) where d.ref.digest == document.digest {
                object(for: d.bytes, digest: d.ref.digest)
            }
        }
        guard let ref = compiler.object(for: document.digest) else {
            throw PublishError("\(lesson.path): its \(file.locale) document could not be made again; delete \(CompileCache.defaultFolder) and publish again")
        }
        return ref
    }

    private func asset(_ path: String, of c: Curriculum, root: URL) throws -> ContentRef {
        let url = root.appendingPathComponent(c.dir).appendingPathComponent(path)
        // Devices refuse to unpack a larger object (ChannelLimits): checked before it is read.
        let size = c.assets[path] ?? 0
        guard size <= ChannelLimits.maxObjectBytes else {
            throw PublishError("\(c.dir)/\(path): \(size) bytes; an asset may be at most \(ChannelLimits.maxObjectBytes) bytes (512 MiB, PUBLISHING.md, Limits)")
        }
        guard let digest = compiler.digests.digest(of: url, path: "\(c.dir)/\(path)") else { throw PublishError("\(c.dir)/\(path): cannot read the asset") }
        if let known = compiler.object(for: digest) { return known }
        guard let data = FileManager.default.contents(atPath: url.path), ContentDigest(of: data) == digest else {
            throw PublishError("\(c.dir)/\(path): the file changed while lessonc was publishing it; publish again")
        }
        return object(for: data, digest: digest)
    }

    // MARK: Bytes of objects

    /// The gzip bytes of an object of the new release.
    func bytes(of ref: ObjectRef) throws -> Data {
        guard let digest = ContentDigest(hex: ref.sha256) else { throw PublishError("\(ref.sha256): not a SHA-256") }
        if let data = made.withLock({ $0[digest] }) { return data }
        if let blob = compiler.blobs?.read(digest) { return Data(blob) }
        switch origins.withLock({ $0[digest] }) {
        case .lesson(let c, let l, let locale)?:
            let compilation = compilation.withLock { $0! }
            let lesson = compilation.curricula[c].curriculum.lessons[l]
            guard let record = compilation.curricula[c].lessons[l] else { break }
            for d in compiler.documents(of: lesson, record: record, in: compilation) where d.locale == locale {
                let gz = Gzip.compress(d.bytes)
                if ObjectRef(of: gz) == ref { return gz }
            }
        case .index(let bytes)?:
            let gz = Gzip.compress(bytes)
            if ObjectRef(of: gz) == ref { return gz }
        case .asset(let url)?:
            if let data = FileManager.default.contents(atPath: url.path) {
                let gz = Gzip.compress(data)
                if ObjectRef(of: gz) == ref { return gz }
            }
        case nil:
            break
        }
        throw PublishError("\(ChannelPath.object(ref.sha256)): cannot be made again from the sources; publish again")
    }

    /// Digests worth keeping in the cache besides the lessons' documents: the indexes and assets.
    var liveDigests: Set<ContentDigest> {
        var live: Set<ContentDigest> = []
        for origin in origins.withLock({ Array($0.values) }) {
            switch origin {
            case .index(let bytes): live.insert(ContentDigest(of: bytes))
            case .asset(let url):
                if let c = compilation.withLock({ $0 }), let relative = url.path.dropFirstPrefix(c.project.root.path + "/"),
                   let d = compiler.digests.digest(of: url, path: relative) { live.insert(d) }
            case .lesson: break
            }
        }
        return live
    }
}

private extension String {
    func dropFirstPrefix(_ prefix: String) -> String? { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil }
}
