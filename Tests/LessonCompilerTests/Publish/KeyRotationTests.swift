import Foundation
import XCTest
@testable import LessonCompiler
import LessonChannel
import LessonSupport

final class KeyRotationTests: XCTestCase {
    /// K1 publishes; K1 → K2 with no content change; K2 publishes an edit; K2 → K3 with an edit.
    func testADeviceTrustingAnyEarlierKeyFollowsTheChain() throws {
        let f = try ChannelFixture()
        let k1 = f.key, k2 = MinisignSecretKey.generate(), k3 = MinisignSecretKey.generate()
        try f.publish()
        let rotated = try f.publish(now: ChannelFixture.now + 10, rotateTo: k2)
        XCTAssertFalse(rotated.published, "the same content makes no new release")
        XCTAssertTrue(rotated.lines.contains { $0.hasPrefix("rotated from key \(k1.publicKey.keyIDString) to key \(k2.publicKey.keyIDString)") }, "\(rotated.lines)")
        let keys = try KeysDocument(data: Data(contentsOf: f.channel.appendingPathComponent("keys.json")), path: "keys.json")
        XCTAssertEqual(keys.generation, 2)
        XCTAssertEqual(keys.key, k2.publicKey)
        XCTAssertEqual(keys.previous, k1.publicKey)
        XCTAssertEqual(keys.history, [k1.publicKey.keyIDString, k2.publicKey.keyIDString])
        // keys.json is signed by the new key and, in .previous.minisig, by the old one.
        let data = try Data(contentsOf: f.channel.appendingPathComponent("keys.json"))
        XCTAssertNoThrow(try MinisignSignature(fileData: Data(contentsOf: f.channel.appendingPathComponent("keys.json.minisig"))).verify(data, with: k2.publicKey))
        XCTAssertNoThrow(try MinisignSignature(fileData: Data(contentsOf: f.channel.appendingPathComponent("keys.json.previous.minisig"))).verify(data, with: k1.publicKey))
        // Everything current is now signed by K2 alone.
        let latestSig = try MinisignSignature(fileData: Data(contentsOf: f.channel.appendingPathComponent("latest.json.minisig")))
        XCTAssertEqual(latestSig.keyID, k2.publicKey.keyID)
        XCTAssertEqual(f.verify(k1.publicKey).problems, [])
        XCTAssertEqual(f.verify(k2.publicKey).problems, [])

        XCTAssertThrowsError(try f.publish(now: ChannelFixture.now + 20)) { error in
            XCTAssertEqual((error as? PublishError)?.message,
                           "the channel is signed by key \(k2.publicKey.keyIDString), but --key is key \(k1.publicKey.keyIDString), which the channel has rotated away from")
        }
        f.key = k2
        try f.lesson(2, title: "Shares and the group fund", body: "## Start\n\nEdited once.\n")
        XCTAssertEqual(try f.publish(now: ChannelFixture.now + 30).release, 2)
        try f.lesson(2, title: "Shares and the group fund", body: "## Start\n\nEdited twice.\n")
        let third = try f.publish(now: ChannelFixture.now + 40, rotateTo: k3)
        XCTAssertEqual(third.release, 3)
        f.key = k3
        for trusted in [k1, k2, k3] {
            XCTAssertEqual(f.verify(trusted.publicKey).problems, [], "trusting \(trusted.publicKey.keyIDString)")
        }
        let stranger = MinisignSecretKey.generate().publicKey
        XCTAssertEqual(f.verify(stranger).problems.count, 1)
        // The pack carries the whole key history, so a device that trusts K1 accepts it offline.
        let pack = try ZipReader(Data(contentsOf: f.channel.appendingPathComponent("packs/3/demo-en.zip")))
        XCTAssertEqual(ChannelVerifier.verify(ZipSource(pack), trusting: k1.publicKey, now: ChannelFixture.now).problems, [])
        XCTAssertThrowsError(try f.publish(now: ChannelFixture.now + 50, rotateTo: k1)) { error in
            XCTAssertEqual((error as? PublishError)?.message,
                           "--rotate-to key \(k1.publicKey.keyIDString) has signed this channel before; rotate to a new key")
        }
    }

    /// An attacker with write access to the host but without the old key cannot introduce a key.
    func testAKeyListWithoutTheOldKeysSignatureIsRefused() throws {
        let f = try ChannelFixture()
        let k1 = f.key, k2 = MinisignSecretKey.generate()
        try f.publish()
        try f.publish(now: ChannelFixture.now + 10, rotateTo: k2)
        let attacker = MinisignSecretKey.generate()
        let path = f.channel.appendingPathComponent("keys/2.json")
        let forged = attacker.sign(try Data(contentsOf: path), trustedComment: "file:keys/2.json\trelease:1")
        try forged.fileData.write(to: f.channel.appendingPathComponent("keys/2.json.previous.minisig"))
        XCTAssertTrue(f.verify(k1.publicKey).problems.contains(
            "keys/2.json: signed with key \(attacker.publicKey.keyIDString), not with key \(k1.publicKey.keyIDString) (keys/2.json.previous.minisig)"))
    }

    func testRotationNeedsAnExistingChannelAndANewKey() throws {
        let f = try ChannelFixture()
        XCTAssertThrowsError(try f.publish(rotateTo: .generate())) { error in
            XCTAssertEqual((error as? PublishError)?.message, "--rotate-to needs a channel that has been published before")
        }
        XCTAssertThrowsError(try f.publish(rotateTo: f.key)) { error in
            XCTAssertEqual((error as? PublishError)?.message, "--rotate-to names the same key as --key")
        }
    }
}
