import Foundation
import XCTest
@testable import LessonChannel
import LessonSupport

/// `lessonc verify` on a channel built by hand: every file in place verifies; each thing broken
/// is named, with the file first.
final class VerifierTests: XCTestCase {
    let now = TestChannel.now + 60

    func verify(_ channel: TestChannel, trusting key: MinisignSecretKey = TestKeys.first) -> ChannelVerifier.Report {
        ChannelVerifier.verify(channel.source, trusting: key.publicKey, now: now)
    }

    func testAWholeChannelAndItsPackVerify() throws {
        var channel = TestChannel()
        channel.publish(1)
        let report = verify(channel)
        XCTAssertEqual(report.problems, [])
        XCTAssertEqual(report.release, 1)
        XCTAssertEqual(report.packsChecked, 1)
        // The index, the picture, two lessons, and the part's listing and its one bucket.
        XCTAssertEqual(report.objectsChecked, 6)
        XCTAssertEqual(report.keyGeneration, 1)

        let pack = ZipSource(try ZipReader(channel.files[ChannelPath.pack(1, curriculum: "demo", locale: "en")]!))
        XCTAssertEqual(ChannelVerifier.verify(pack, trusting: TestKeys.first.publicKey, now: now).problems, [])
    }

    func testEachProblemIsNamed() throws {
        var channel = TestChannel()
        let manifest = channel.publish(1)
        let lesson = manifest.curricula["demo"]!.locales["en"]!["demo-1"]!
        let lessonPath = ChannelPath.object(lesson.sha256)

        var truncated = channel
        truncated.files[lessonPath] = channel.files[lessonPath]!.dropLast()
        XCTAssertEqual(verify(truncated).problems, ["\(lessonPath): \(lesson.size - 1) bytes, but \(lesson.size) expected (lesson demo/en/demo-1 in releases/1/manifest.json)"])

        var noPack = channel
        noPack.files[ChannelPath.pack(1, curriculum: "demo", locale: "en")] = nil
        XCTAssertEqual(verify(noPack).problems, ["packs/1/demo-en.zip: missing"])

        let expired = ChannelVerifier.verify(channel.source, trusting: TestKeys.first.publicKey, now: TestChannel.now + 31 * 86400)
        XCTAssertEqual(expired.problems, ["latest.json: expired at 2023-12-14T22:13:20Z; devices refuse it until the channel is published again"])

        var wrongNotes = channel
        wrongNotes.files["releases/1/NOTES.md"] = Data("other notes\n".utf8)
        XCTAssertEqual(verify(wrongNotes).problems, ["releases/1/NOTES.md: does not match the sha256 and size in releases/1/manifest.json"])

        XCTAssertEqual(verify(channel, trusting: TestKeys.stranger).problems,
                       ["the channel is signed by key \(TestKeys.first.publicKey.keyIDString); your key \(TestKeys.stranger.publicKey.keyIDString) is not in its key history, so nothing in it can be trusted"])
    }

    /// A file slipped into a pack that its manifest does not list is named.
    func testAPackHoldsExactlyWhatItNeeds() throws {
        var channel = TestChannel()
        channel.publish(1)
        let zip = try ZipReader(channel.files[ChannelPath.pack(1, curriculum: "demo", locale: "en")]!)
        var writer = ZipWriter()
        for name in zip.names { try writer.add(name, try XCTUnwrap(zip.read(name))) }
        try writer.add("objects/00/extra", Data("x".utf8))
        let report = ChannelVerifier.verify(ZipSource(try ZipReader(writer.finish())), trusting: TestKeys.first.publicKey, now: now)
        XCTAssertEqual(report.problems, ["objects/00/extra: not part of this pack"])
    }
}
