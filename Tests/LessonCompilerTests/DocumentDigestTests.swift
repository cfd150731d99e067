import Foundation
import XCTest
import Synchronization
@testable import LessonCompiler

/// Documents are hashed (SHA-256) only when something in the run uses the digests: the compile
/// cache, or an output that compares them (publish). A build without the cache skips it.
final class DocumentDigestTests: XCTestCase {
    /// Keeps what it is given.
    final class Capture: OutputSink {
        let usesDocumentDigests: Bool
        let documents = Mutex<[LessonDocumentBytes]>([])
        init(usesDocumentDigests: Bool) { self.usesDocumentDigests = usesDocumentDigests }
        func needsDocuments(of lesson: LessonSource, record: LessonRecord) -> Bool { true }
        func accept(_ documents: [LessonDocumentBytes], of lesson: LessonSource, in curriculum: Curriculum) {
            self.documents.withLock { $0 += documents }
        }
    }

    private func compile(digests: Bool, cache: URL?) throws -> (documents: [LessonDocumentBytes], compilation: Compilation) {
        let p = try TestProject(lessons: ["01-a.md": "---\ntitle: A\n---\nText *a*.\n", "02-b.md": "---\ntitle: B\n---\nText b.\n"])
        let sink = Capture(usesDocumentDigests: digests)
        let compilation = ProjectCompiler(root: p.root, options: CompileOptions(), cacheFolder: cache).compile(into: sink)
        return (sink.documents.withLock { $0 }, compilation)
    }

    func testWithoutCacheOrUseNoDocumentIsHashed() throws {
        let (documents, compilation) = try compile(digests: false, cache: nil)
        XCTAssertEqual(documents.count, 2)
        for d in documents {
            XCTAssertEqual(d.ref.digest, .notComputed)
            XCTAssertEqual(d.ref.size, d.bytes.count)
        }
        // Records do not claim a digest they do not have.
        let files = compilation.curricula.flatMap(\.lessons).compactMap { $0 }.flatMap(\.files)
        XCTAssertEqual(files.count, 2)
        XCTAssertTrue(files.allSatisfy { $0.document == nil })
    }

    func testAnOutputThatUsesDigestsGetsTheSHA256() throws {
        let (documents, compilation) = try compile(digests: true, cache: nil)
        XCTAssertEqual(documents.count, 2)
        for d in documents { XCTAssertEqual(d.ref, ContentRef(of: d.bytes)) }
        let files = compilation.curricula.flatMap(\.lessons).compactMap { $0 }.flatMap(\.files)
        XCTAssertEqual(Set(files.compactMap(\.document)), Set(documents.map(\.ref)))
    }

    /// A build folder that no cache records hashes nothing it writes, the indexes included; one
    /// that is recorded has every digest. The files are the same.
    func testABuildFolderHashesWhatItWritesOnlyForTheCache() throws {
        let p = try TestProject(lessons: ["01-a.md": "---\ntitle: A\n---\nText *a*.\n", "02-b.md": "---\ntitle: B\n---\nText b.\n"])
        func build(records: Bool) throws -> (changes: BuildFolder.Changes, live: Set<ContentDigest>, files: Int, out: URL) {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-folder-\(UUID().uuidString)")
            let compiler = ProjectCompiler(root: p.root, options: CompileOptions(), cacheFolder: nil)
            let folder = try BuildFolder(out: out, previous: nil, digests: compiler.digests, recordsDigests: records)
            let (changes, live) = try folder.finish(compiler.compile(into: folder))
            return (changes, live, folder.filesWritten, out)
        }
        let unrecorded = try build(records: false), recorded = try build(records: true)
        defer { for out in [unrecorded.out, recorded.out] { try? FileManager.default.removeItem(at: out) } }
        XCTAssertEqual(unrecorded.files, 4)
        XCTAssertTrue(unrecorded.changes.written.isEmpty)
        XCTAssertTrue(unrecorded.changes.quick.isEmpty)
        XCTAssertTrue(unrecorded.live.isEmpty)
        XCTAssertEqual(recorded.files, 4)
        XCTAssertEqual(recorded.changes.written.map(\.0).sorted(), ["demo/en/a.json", "demo/en/b.json", "demo/index.json", "index.json"])
        for (path, digest) in recorded.changes.written {
            let bytes = try Data(contentsOf: recorded.out.appendingPathComponent(path))
            XCTAssertEqual(digest, ContentDigest(of: bytes), path)
            XCTAssertEqual(try Data(contentsOf: unrecorded.out.appendingPathComponent(path)), bytes, path)
        }
    }

    func testTheCacheAlwaysGetsTheSHA256() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-digest-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let (documents, compilation) = try compile(digests: false, cache: cache)
        XCTAssertEqual(documents.count, 2)
        for d in documents { XCTAssertEqual(d.ref, ContentRef(of: d.bytes)) }
        let files = compilation.curricula.flatMap(\.lessons).compactMap { $0 }.flatMap(\.files)
        XCTAssertEqual(Set(files.compactMap(\.document)), Set(documents.map(\.ref)))
    }
}
