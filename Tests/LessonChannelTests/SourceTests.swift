import Foundation
import XCTest
@testable import LessonChannel
import LessonSupport

/// Reading a channel by channel path: a folder, an offline pack (the pack reader), fetched files,
/// and the one place that tells a folder from a pack.
final class SourceTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-source-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func published() throws -> (TestChannel, URL) {
        var channel = TestChannel()
        channel.publish(1)
        let root = dir.appendingPathComponent("channel")
        try channel.write(to: root)
        return (channel, root)
    }

    func testAFolderIsAChannelAndAFileMustBeAPack() throws {
        let (channel, root) = try published()
        let folder = try LocalChannel.open(root)
        XCTAssertTrue(folder is DirectorySource)
        XCTAssertEqual(try folder.read(ChannelPath.latest), channel.files[ChannelPath.latest])

        let pack = try LocalChannel.open(root.appendingPathComponent(ChannelPath.pack(1, curriculum: "demo", locale: "en")))
        XCTAssertTrue(pack is ZipSource)
        XCTAssertNotNil(try pack.read(ChannelPath.pack))
        XCTAssertEqual(try pack.read(ChannelPath.manifest(1)), channel.files[ChannelPath.manifest(1)])

        XCTAssertThrowsError(try LocalChannel.open(dir.appendingPathComponent("nothing"))) {
            XCTAssertEqual($0 as? LocalChannel.OpenError, .doesNotExist)
        }
        let text = dir.appendingPathComponent("notes.txt")
        try Data("not a pack".utf8).write(to: text)
        XCTAssertThrowsError(try LocalChannel.open(text)) {
            XCTAssertEqual($0 as? LocalChannel.OpenError, .notAPack(ZipError("not a ZIP file (no end of central directory)")))
        }
    }

    /// Only regular files at safe relative paths exist: `..`, absolute paths and folders do not.
    func testAFolderSourceStaysInsideItsFolder() throws {
        let (_, root) = try published()
        try Data("secret".utf8).write(to: dir.appendingPathComponent("outside.txt"))
        let source = DirectorySource(root)
        XCTAssertNil(try source.read("../outside.txt"))
        XCTAssertNil(try source.read(dir.appendingPathComponent("outside.txt").path))
        XCTAssertNil(try source.read("releases/1"))
        XCTAssertNil(source.size(of: "objects"))
        XCTAssertEqual(try source.list(under: "releases"), ["releases/1/ATTRIBUTION.md", "releases/1/LICENSE", "releases/1/NOTES.md",
                                                           "releases/1/manifest.json", "releases/1/manifest.json.minisig"])
        XCTAssertEqual(try source.list(under: "diffs"), [])
    }

    /// The pack reader: entries by channel path, sizes without reading, listing by folder, and
    /// an entry that fails its CRC refused as a channel format error.
    func testAPackIsReadEntryByEntry() throws {
        let (channel, root) = try published()
        let path = ChannelPath.pack(1, curriculum: "demo", locale: "en")
        let zip = try ZipReader(contentsOf: root.appendingPathComponent(path))
        let source = ZipSource(zip)
        XCTAssertEqual(zip.names.prefix(2), [ChannelPath.pack, ChannelPath.signature(ChannelPath.pack)])
        XCTAssertEqual(source.size(of: ChannelPath.manifest(1)), channel.files[ChannelPath.manifest(1)]?.count)
        XCTAssertEqual(try source.list(under: "keys"), ["keys/1.json", "keys/1.json.minisig"])
        XCTAssertEqual(try source.list(under: "objects").count, 6)
        XCTAssertNil(try source.read("latest.json"))

        // One byte of the manifest changed inside the archive.
        var bytes = try Data(contentsOf: root.appendingPathComponent(path))
        let manifest = channel.files[ChannelPath.manifest(1)]!
        let at = try XCTUnwrap(bytes.range(of: manifest)).lowerBound + 10
        bytes[at] ^= 0x01
        let damaged = ZipSource(try ZipReader(bytes))
        XCTAssertThrowsError(try damaged.read(ChannelPath.manifest(1))) {
            XCTAssertEqual($0 as? ChannelFormatError, ChannelFormatError("releases/1/manifest.json: CRC mismatch"))
        }
    }

    func testFetchedFilesAreASource() throws {
        let source = MemorySource(["keys.json": Data("k".utf8), "keys/1.json": Data("1".utf8), "keys/2.json": Data("2".utf8)])
        XCTAssertEqual(try source.list(under: "keys"), ["keys/1.json", "keys/2.json"])
        XCTAssertEqual(source.size(of: "keys.json"), 1)
        XCTAssertNil(try source.read("latest.json"))
    }
}
