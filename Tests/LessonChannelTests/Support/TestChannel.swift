import Foundation
import XCTest
@testable import LessonChannel
import LessonSupport
import Synchronization

/// A small channel built file by file, the way DESIGN.md ("Channel layout") lays one out, with
/// no compiler: one curriculum `demo` in `en` (an index, two lessons, an asset), its manifest,
/// latest.json, keys.json and the offline pack. Tests then break one thing and read it back.
struct TestChannel {
    static let now = 1_700_000_000
    var files: [String: Data] = [:]
    /// The key that signs the channel now.
    var key: MinisignSecretKey
    var keys: KeysDocument
    var release = 0

    init(key: MinisignSecretKey = TestKeys.first) {
        self.key = key
        keys = KeysDocument(generation: 1, key: key.publicKey, previous: nil, history: [key.publicKey.keyIDString], release: 1)
        let bytes = keys.canonicalBytes
        for path in [ChannelPath.keys, ChannelPath.keys(generation: 1)] { put(path, bytes, signedBy: key, release: 1) }
    }

    var source: MemorySource { MemorySource(files) }

    /// Writes a file and its `.minisig` (or `signaturePath`), signed with the channel's trusted comment.
    mutating func put(_ path: String, _ data: Data, signedBy signer: MinisignSecretKey, release: Int, signaturePath: String? = nil) {
        files[path] = data
        sign(path, with: signer, release: release, signaturePath: signaturePath)
    }

    mutating func sign(_ path: String, with signer: MinisignSecretKey, release: Int, signaturePath: String? = nil) {
        let comment = ChannelPath.trustedComment(path: path, release: release)
        files[signaturePath ?? ChannelPath.signature(path)] = signer.sign(files[path]!, trustedComment: comment).fileData
    }

    /// Stores content as an object (gzip), as publish does.
    mutating func object(_ content: String) -> ObjectRef {
        let gz = Gzip.compress(Data(content.utf8))
        let ref = ObjectRef(of: gz)
        files[ChannelPath.object(ref.sha256)] = gz
        return ref
    }

    /// Release `n` of `demo` in `en`: its objects, release documents, manifest, pack and latest.json.
    @discardableResult
    mutating func publish(_ n: Int, lessonText: String = "Saving together") -> Manifest {
        release = n
        let index = object(#"{"id":"demo","title":"Demo"}"#)
        let lessons = ["demo-1": object(#"{"id":"demo-1","title":"\#(lessonText)"}"#), "demo-2": object(#"{"id":"demo-2","title":"Shares"}"#)]
        let asset = object("<svg/>")
        var documents: [String: ObjectRef] = [:]
        for name in ChannelPath.releaseDocuments {
            let data = Data("\(name) of release \(n)\n".utf8)
            files[ChannelPath.release(n) + "/" + name] = data
            documents[name] = ObjectRef(of: data)
        }
        let curriculum = ManifestCurriculum(title: "Demo", version: "1.0.0", license: "CC-BY-4.0", index: index,
                                            assets: ["assets/box.svg": asset], locales: ["en": lessons])
        var manifest = Manifest(release: n, published: Self.now, curricula: ["demo": curriculum], documents: documents)
        for (sha, data) in manifest.makeListings() { files[ChannelPath.object(sha)] = data }
        let manifestBytes = manifest.canonicalBytes
        put(ChannelPath.manifest(n), manifestBytes, signedBy: key, release: n)
        files[ChannelPath.pack(n, curriculum: "demo", locale: "en")] = pack(manifest, manifestBytes: manifestBytes)
        let latest = LatestDocument(release: n, published: Self.now, expires: Self.now + 30 * 86400,
                                    manifest: ObjectRef(of: manifestBytes), diffsFrom: [])
        put(ChannelPath.latest, latest.canonicalBytes, signedBy: key, release: n)
        return manifest
    }

    /// The offline pack of `demo` in `en`: pack.json, the key lists, the manifest, the release
    /// documents and the objects, under their channel paths.
    func pack(_ manifest: Manifest, manifestBytes: Data) -> Data {
        let n = manifest.release
        let pack = PackDocument(release: n, published: manifest.published, curriculum: "demo", locale: "en", manifest: ObjectRef(of: manifestBytes))
        var entries: [String: Data] = [:]
        for (path, data) in files where path.hasPrefix("keys") || path.hasPrefix(ChannelPath.release(n) + "/") { entries[path] = data }
        for ref in manifest.objects { entries[ChannelPath.object(ref.sha256)] = files[ChannelPath.object(ref.sha256)] }
        var zip = ZipWriter()
        let packBytes = pack.canonicalBytes
        XCTAssertNoThrow(try zip.add(ChannelPath.pack, packBytes))
        XCTAssertNoThrow(try zip.add(ChannelPath.signature(ChannelPath.pack),
                                     key.sign(packBytes, trustedComment: ChannelPath.trustedComment(path: ChannelPath.pack, release: n)).fileData))
        for path in entries.keys.sorted() { XCTAssertNoThrow(try zip.add(path, entries[path]!)) }
        return zip.finish()
    }

    /// Moves the channel to `next`: keys.json and keys/<g+1>.json signed by `next`, and by the
    /// key it replaces in `.previous.minisig`.
    mutating func rotate(to next: MinisignSecretKey, release: Int) {
        let old = key
        keys = KeysDocument(generation: keys.generation + 1, key: next.publicKey, previous: old.publicKey,
                            history: keys.history + [next.publicKey.keyIDString], release: release)
        key = next
        for path in [ChannelPath.keys, ChannelPath.keys(generation: keys.generation)] {
            put(path, keys.canonicalBytes, signedBy: next, release: release)
            sign(path, with: old, release: release, signaturePath: ChannelPath.previousKeySignature(path))
        }
    }

    func write(to dir: URL) throws {
        for (path, data) in files {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
    }
}

/// Keys made once per test run (key generation is the slow part of signing).
enum TestKeys {
    static let first = MinisignSecretKey.generate()
    static let second = MinisignSecretKey.generate()
    static let third = MinisignSecretKey.generate()
    static let stranger = MinisignSecretKey.generate()
}

/// A source that records what is read from it.
final class RecordingSource: ChannelSource {
    let inner: MemorySource
    private let log = Mutex<[String]>([])
    init(_ inner: MemorySource) { self.inner = inner }
    var reads: [String] { log.withLock { $0 } }
    func read(_ path: String) throws -> Data? {
        log.withLock { $0.append(path) }
        return try inner.read(path)
    }
    func list(under prefix: String) throws -> [String] { try inner.list(under: prefix) }
}
