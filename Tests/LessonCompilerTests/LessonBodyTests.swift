import Foundation
import XCTest
@testable import LessonCompiler

/// A lesson body is read again when compiled: it must be the bytes whose front matter was loaded.
/// A settled stamp (the compile cache's rule) stands for those bytes without hashing them again;
/// any other file is hashed, and a change is an error.
final class LessonBodyTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lesson-body-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ text: String) throws -> String {
        let path = folder.appendingPathComponent("lesson.md").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func text(_ result: Result<Substring, LessonBodyError>) -> String? {
        if case .success(let s) = result { return String(s) }
        return nil
    }

    private func error(_ result: Result<Substring, LessonBodyError>) -> LessonBodyError? {
        if case .failure(let e) = result { return e }
        return nil
    }

    func testUnsettledFileIsHashedAndReadFromItsOffset() throws {
        let path = try write("---\ntitle: A\n---\nBody\n")
        let digest = ContentDigest(of: Array("---\ntitle: A\n---\nBody\n".utf8))
        XCTAssertEqual(text(LessonBody.file(path: path, offset: 17, digest: digest, settled: nil).read()), "Body\n")
    }

    func testUnsettledFileWithOtherBytesIsChanged() throws {
        let path = try write("---\ntitle: B\n---\nOther body\n")
        let digest = ContentDigest(of: Array("---\ntitle: A\n---\nBody\n".utf8))
        let result = LessonBody.file(path: path, offset: 17, digest: digest, settled: nil).read()
        XCTAssertEqual(error(result), .changed)
        XCTAssertEqual(error(result)?.message, "the file changed while lessonc was compiling it; run lessonc again")
    }

    /// The settled stamp is trusted: a digest that does not match is not even computed.
    func testSettledStampStandsForTheBytes() throws {
        let path = try write("---\ntitle: A\n---\nBody\n")
        let stamp = try XCTUnwrap(FileStamp.follow(path)?.stamp)
        let notTheDigest = ContentDigest(of: Array("something else".utf8))
        XCTAssertEqual(text(LessonBody.file(path: path, offset: 17, digest: notTheDigest, settled: stamp).read()), "Body\n")
    }

    /// A write after loading changes the stamp: the bytes are hashed, and do not match.
    func testFileWrittenAfterLoadingIsChangedDespiteItsSettledStamp() throws {
        let original = "---\ntitle: A\n---\nBody\n"
        let path = try write(original)
        let stamp = try XCTUnwrap(FileStamp.follow(path)?.stamp)
        let digest = ContentDigest(of: Array(original.utf8))
        usleep(20_000)
        _ = try write("---\ntitle: A\n---\nBody, edited\n")
        XCTAssertEqual(error(LessonBody.file(path: path, offset: 17, digest: digest, settled: stamp).read()), .changed)
    }

    /// A build without the compile cache does not hash a settled file: its stamp alone stands
    /// for it, and a file whose stamp moved is changed (there is no digest to look at).
    func testUnhashedBodyIsTrustedOnlyByItsSettledStamp() throws {
        let path = try write("---\ntitle: A\n---\nBody\n")
        let stamp = try XCTUnwrap(FileStamp.follow(path)?.stamp)
        XCTAssertEqual(text(LessonBody.file(path: path, offset: 17, digest: nil, settled: stamp).read()), "Body\n")
        usleep(20_000)
        _ = try write("---\ntitle: A\n---\nBody\n")
        XCTAssertEqual(error(LessonBody.file(path: path, offset: 17, digest: nil, settled: stamp).read()), .changed)
        XCTAssertEqual(error(LessonBody.file(path: path, offset: 17, digest: nil, settled: nil).read()), .changed)
    }

    /// The stamp before reading and the one after are both given; the bytes are all there.
    func testReadGivesTheStampBeforeAndAfter() throws {
        let path = try write("0123456789")
        let read = try XCTUnwrap(FileStamp.read(path))
        XCTAssertEqual(read.bytes, Array("0123456789".utf8))
        XCTAssertEqual(read.before, FileStamp.follow(path)?.stamp)
        XCTAssertEqual(read.stamp, read.before)
    }

    /// Only a file with a stamp from well before the read counts as settled.
    func testSettledNeedsAStampFromBeforeTheSettleTime() {
        let stamp = FileStamp(device: 1, inode: 2, size: 3, modified: 10_000_000_000, changed: 10_000_000_000)
        XCTAssertEqual(FileStamp.settled(stamp, hashedAt: 13_000_000_000), stamp)
        XCTAssertNil(FileStamp.settled(stamp, hashedAt: 11_000_000_000))
        XCTAssertNil(FileStamp.settled(nil, hashedAt: 13_000_000_000))
    }

    /// Without the compile cache, a lesson file is hashed only while it is not settled (written
    /// within the last two seconds); a settled one is trusted by its stamp, and what loading it
    /// reported is still reported.
    func testLoadingWithoutTheCacheHashesOnlyUnsettledFiles() throws {
        let p = try TestProject(lessons: ["01-a.md": "---\ntitle: A\nbad: 1\n---\nText a.\n"])
        func load() throws -> (LessonSource, [Diagnostic]) {
            let sink = DiagnosticSink()
            let project = Loader(root: p.root).load(into: sink)
            return (try XCTUnwrap(project.curricula.first?.lessons.first), sink.all)
        }
        let (fresh, freshDiagnostics) = try load()
        guard case .file(_, let offset, let digest, let settled) = fresh.body else { return XCTFail("body not in the file") }
        XCTAssertEqual(offset, 24)
        XCTAssertEqual(digest, ContentDigest(of: Array("---\ntitle: A\nbad: 1\n---\nText a.\n".utf8)))
        XCTAssertNil(settled)
        XCTAssertNotNil(fresh.origin)
        XCTAssertEqual(freshDiagnostics.map(\.rule), [.unknownKey])
        XCTAssertEqual(freshDiagnostics.map(\.line), [3])
        XCTAssertEqual(freshDiagnostics.map(\.column), [1])
        XCTAssertTrue(freshDiagnostics.first?.message.hasPrefix("unknown front-matter key 'bad' in a lesson") == true, "\(freshDiagnostics)")

        usleep(2_100_000)
        let (old, oldDiagnostics) = try load()
        guard case .file(_, _, let oldDigest, let oldSettled) = old.body else { return XCTFail("body not in the file") }
        XCTAssertNil(oldDigest)
        XCTAssertNotNil(oldSettled)
        XCTAssertNil(old.origin)
        XCTAssertEqual(text(old.body.read()), "Text a.\n")
        XCTAssertEqual(oldDiagnostics.map(\.description), freshDiagnostics.map(\.description))
    }

    func testMissingFileIsUnreadable() throws {
        let path = folder.appendingPathComponent("gone.md").path
        let result = LessonBody.file(path: path, offset: 0, digest: ContentDigest(of: [UInt8]()), settled: nil).read()
        XCTAssertEqual(error(result), .unreadable)
        XCTAssertEqual(error(result)?.message, "cannot read the file")
    }

    /// Reading to the end whatever the stat said: an empty file and one larger than a read.
    func testReadReturnsEveryByte() throws {
        let big = String(repeating: "0123456789abcdef", count: 20_000)
        let path = try write(big)
        XCTAssertEqual(FileStamp.read(path)?.bytes.count, big.utf8.count)
        XCTAssertEqual(FileStamp.read(path)?.bytes, Array(big.utf8))
        let empty = try write("")
        XCTAssertEqual(FileStamp.read(empty)?.bytes, [])
        XCTAssertEqual(FileStamp.read(empty)?.stamp, FileStamp.follow(empty)?.stamp)
    }

    /// The loader hands a settled stamp only to a file hashed well after it was last written.
    func testSettledStampOnlyWhenSettled() {
        let stamp = FileStamp(device: 1, inode: 2, size: 3, modified: 10_000_000_000, changed: 10_000_000_000)
        let origin = { (hashedAt: Int64) in SourceOrigin(stamp: stamp, digest: ContentDigest(of: [UInt8]()), hashedAt: hashedAt, bodyOffset: 0, diagnostics: []) }
        XCTAssertEqual(origin(13_000_000_000).settledStamp, stamp)
        XCTAssertNil(origin(11_000_000_000).settledStamp)
        XCTAssertNil(SourceOrigin(stamp: nil, digest: ContentDigest(of: [UInt8]()), hashedAt: 13_000_000_000, bodyOffset: 0, diagnostics: []).settledStamp)
    }
}
