import Foundation
import XCTest
@testable import LessonCompiler
import LessonChannel
import LessonSupport

/// A new release's pack copies the objects it shares with the previous release's pack from that
/// pack (their CRCs checked) instead of reading each from the cache: the result must be the pack a
/// publish without the previous pack makes, byte for byte.
final class PackReuseTests: XCTestCase {
    private func pack(_ f: ChannelFixture, _ release: Int) throws -> Data {
        try Data(contentsOf: f.channel.appendingPathComponent("packs/\(release)/demo-en.zip"))
    }

    func testAPackMadeFromThePreviousPackEqualsOneMadeWithoutIt() throws {
        let key = MinisignSecretKey.generate()
        let reused = try ChannelFixture(key: key), fresh = try ChannelFixture(key: key)
        for f in [reused, fresh] { try f.publish() }
        try FileManager.default.removeItem(at: fresh.channel.appendingPathComponent("packs/1"))
        for f in [reused, fresh] {
            try f.lesson(3, title: "Lending safely", body: "## Start\n\nA changed lesson.\n")
            try f.publish(now: ChannelFixture.now + 3600)
        }
        XCTAssertEqual(try pack(reused, 2), try pack(fresh, 2))
        // The new pack holds the changed lesson's new object, not the old one.
        let zip = try ZipReader(pack(reused, 2))
        let manifest = try Manifest.read(XCTUnwrap(zip.read("releases/2/manifest.json"))) { try zip.read($0) }
        let lesson3 = try XCTUnwrap(manifest.curricula["demo"]?.locales["en"]?["lesson-3"])
        XCTAssertEqual(try zip.read(ChannelPath.object(lesson3.sha256)).map { ObjectRef(of: $0) }, lesson3)
        XCTAssertEqual(reused.verify().problems, [])
    }

    func testADamagedEntryOfThePreviousPackIsNotCopied() throws {
        let key = MinisignSecretKey.generate()
        let damaged = try ChannelFixture(key: key), fresh = try ChannelFixture(key: key)
        for f in [damaged, fresh] { try f.publish() }
        // Flip a byte inside an object that release 2 keeps (the asset), in release 1's pack.
        let url = damaged.channel.appendingPathComponent("packs/1/demo-en.zip")
        var bytes = try Data(contentsOf: url)
        let manifest = try Manifest.read(Data(contentsOf: damaged.channel.appendingPathComponent("releases/1/manifest.json"))) { try DirectorySource(damaged.channel).read($0) }
        let asset = try XCTUnwrap(manifest.curricula["demo"]?.assets["assets/box.svg"])
        let object = try Data(contentsOf: damaged.channel.appendingPathComponent(ChannelPath.object(asset.sha256)))
        let at = try XCTUnwrap(bytes.range(of: object)).lowerBound + object.count / 2
        bytes[at] ^= 0xFF
        try bytes.write(to: url)
        XCTAssertThrowsError(try ZipReader(bytes).read(ChannelPath.object(asset.sha256))) {
            XCTAssertEqual($0 as? ZipError, ZipError("\(ChannelPath.object(asset.sha256)): CRC mismatch"))
        }
        for f in [damaged, fresh] {
            try f.lesson(3, title: "Lending safely", body: "## Start\n\nA changed lesson.\n")
            try f.publish(now: ChannelFixture.now + 3600)
        }
        XCTAssertEqual(try pack(damaged, 2), try pack(fresh, 2))
        XCTAssertEqual(damaged.verify().problems, [])
    }

    func testAPreviousPackThatIsNotAZipIsIgnored() throws {
        let key = MinisignSecretKey.generate()
        let broken = try ChannelFixture(key: key), fresh = try ChannelFixture(key: key)
        for f in [broken, fresh] { try f.publish() }
        try Data("not a zip".utf8).write(to: broken.channel.appendingPathComponent("packs/1/demo-en.zip"))
        for f in [broken, fresh] {
            try f.lesson(3, title: "Lending safely", body: "## Start\n\nA changed lesson.\n")
            try f.publish(now: ChannelFixture.now + 3600)
        }
        XCTAssertEqual(try pack(broken, 2), try pack(fresh, 2))
        XCTAssertEqual(broken.verify().problems, [])
    }
}
