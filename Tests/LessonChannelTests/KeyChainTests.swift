import Foundation
import XCTest
@testable import LessonChannel
import LessonSupport

/// Following key rotations from a trusted key (`KeyChain`), and the signature check every
/// channel file goes through (`SignedFile`).
final class KeyChainTests: XCTestCase {
    let first = TestKeys.first, second = TestKeys.second, third = TestKeys.third

    func resolve(_ channel: TestChannel, trusting key: MinisignSecretKey) throws -> KeysDocument {
        try KeyChain.resolve(trusting: key.publicKey, in: channel.source)
    }

    func refusal(_ channel: TestChannel, trusting key: MinisignSecretKey, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            let keys = try resolve(channel, trusting: key)
            XCTFail("resolved to generation \(keys.generation), but should have been refused", file: file, line: line)
        } catch let e as ChannelFormatError {
            return e.message
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    func testWithoutRotationTheTrustedKeyIsTheChannelsKey() throws {
        let channel = TestChannel(key: first)
        XCTAssertEqual(try resolve(channel, trusting: first), channel.keys)
        XCTAssertEqual(KeyChain.files(trusting: first.publicKey, keys: channel.keys), ["keys.json.minisig"])
    }

    func testTwoRotationsAreFollowedFromTheFirstKey() throws {
        var channel = TestChannel(key: first)
        channel.rotate(to: second, release: 4)
        channel.rotate(to: third, release: 9)
        XCTAssertEqual(try resolve(channel, trusting: first).key, third.publicKey)
        XCTAssertEqual(try resolve(channel, trusting: second).key, third.publicKey)
        XCTAssertEqual(try resolve(channel, trusting: third).key, third.publicKey)
        XCTAssertEqual(try resolve(channel, trusting: first).generation, 3)
    }

    /// `files` names exactly what `resolve` reads besides keys.json, in order: a device fetches
    /// these, then resolves from what it fetched.
    func testFilesAreWhatResolveReads() throws {
        var channel = TestChannel(key: first)
        channel.rotate(to: second, release: 4)
        channel.rotate(to: third, release: 9)
        for trusted in [first, second, third] {
            let recorder = RecordingSource(channel.source)
            _ = try KeyChain.resolve(trusting: trusted.publicKey, in: recorder)
            let files = KeyChain.files(trusting: trusted.publicKey, keys: channel.keys)
            var reads: [String] = []
            for path in recorder.reads where !reads.contains(path) { reads.append(path) }
            XCTAssertEqual(reads, ["keys.json"] + files, trusted.publicKey.keyIDString)
        }
        XCTAssertEqual(KeyChain.files(trusting: first.publicKey, keys: channel.keys),
                       ["keys/2.json", "keys/2.json.previous.minisig", "keys/2.json.minisig",
                        "keys/3.json", "keys/3.json.previous.minisig", "keys/3.json.minisig",
                        "keys.json.minisig", "keys.json.previous.minisig"])
    }

    func testAKeyOutsideTheHistoryIsRefused() {
        let channel = TestChannel(key: first)
        XCTAssertEqual(refusal(channel, trusting: TestKeys.stranger),
                       "the channel is signed by key \(first.publicKey.keyIDString); your key \(TestKeys.stranger.publicKey.keyIDString) is not in its key history, so nothing in it can be trusted")
    }

    func testAMissingStepOrSignatureIsRefused() {
        var channel = TestChannel(key: first)
        channel.rotate(to: second, release: 4)
        for (path, message) in [
            ("keys.json", "keys.json: missing"),
            ("keys/2.json", "keys/2.json: missing"),
            ("keys/2.json.previous.minisig", "keys/2.json.previous.minisig: missing"),
            ("keys/2.json.minisig", "keys/2.json.minisig: missing"),
            ("keys.json.previous.minisig", "keys.json.previous.minisig: missing"),
        ] {
            var broken = channel
            broken.files[path] = nil
            XCTAssertEqual(refusal(broken, trusting: first), message, path)
        }
    }

    /// Someone holding only a new key cannot rotate to it: the rotation must carry the old key's
    /// signature.
    func testARotationTheOldKeyDidNotSignIsRefused() {
        var channel = TestChannel(key: first)
        channel.rotate(to: second, release: 4)
        channel.sign("keys/2.json", with: TestKeys.stranger, release: 4, signaturePath: "keys/2.json.previous.minisig")
        XCTAssertEqual(refusal(channel, trusting: first),
                       "keys/2.json: signed with key \(TestKeys.stranger.publicKey.keyIDString), not with key \(first.publicKey.keyIDString) (keys/2.json.previous.minisig)")
    }

    /// A keys.json that names a key the chain does not lead to is refused, even when that key
    /// signed it.
    func testAKeyListThatLeavesTheChainIsRefused() {
        var channel = TestChannel(key: first)
        channel.rotate(to: second, release: 4)
        var forged = channel.keys
        forged.key = TestKeys.stranger.publicKey
        forged.history = [first.publicKey.keyIDString, TestKeys.stranger.publicKey.keyIDString]
        channel.put("keys.json", forged.canonicalBytes, signedBy: TestKeys.stranger, release: 4)
        XCTAssertEqual(refusal(channel, trusting: first),
                       "keys.json: signed with key \(TestKeys.stranger.publicKey.keyIDString), not with key \(second.publicKey.keyIDString) (keys.json.minisig)")
        // A step that names another predecessor does not follow, however it is signed.
        let step = KeysDocument(generation: 2, key: TestKeys.stranger.publicKey, previous: third.publicKey,
                                history: [third.publicKey.keyIDString, TestKeys.stranger.publicKey.keyIDString], release: 4)
        channel.put("keys/2.json", step.canonicalBytes, signedBy: TestKeys.stranger, release: 4)
        channel.sign("keys/2.json", with: first, release: 4, signaturePath: "keys/2.json.previous.minisig")
        XCTAssertEqual(refusal(channel, trusting: first), "keys/2.json: does not follow key \(first.publicKey.keyIDString)")
    }

    func testATrustedCommentFromAnotherReleaseIsRefused() {
        var channel = TestChannel(key: first)
        channel.sign("keys.json", with: first, release: 2)
        XCTAssertEqual(refusal(channel, trusting: first),
                       "keys.json: the signature's trusted comment is 'file:keys.json\trelease:2', expected 'file:keys.json\\trelease:1'")
    }

    // MARK: - SignedFile

    func testSignedFileRefusals() throws {
        let data = Data("{\"release\":3}\n".utf8)
        let good = first.sign(data, trustedComment: ChannelPath.trustedComment(path: "latest.json", release: 3)).fileData
        XCTAssertEqual(try SignedFile.check(data, path: "latest.json", signature: good, signaturePath: "latest.json.minisig",
                                            key: first.publicKey, release: 3).trustedComment, "file:latest.json\trelease:3")
        func refusal(_ data: Data, _ signature: Data?, release: Int? = 3, key: MinisignSecretKey? = nil) -> String? {
            do {
                _ = try SignedFile.check(data, path: "latest.json", signature: signature, signaturePath: "latest.json.minisig",
                                         key: (key ?? first).publicKey, release: release)
            } catch let e as ChannelFormatError {
                return e.message
            } catch {
                return "\(error)"
            }
            return nil
        }
        XCTAssertEqual(refusal(data, nil), "latest.json.minisig: missing")
        XCTAssertEqual(refusal(Data("{\"release\":4}\n".utf8), good), "latest.json: signature does not match the file (latest.json.minisig)")
        XCTAssertEqual(refusal(data, good, key: second),
                       "latest.json: signed with key \(first.publicKey.keyIDString), not with key \(second.publicKey.keyIDString) (latest.json.minisig)")
        XCTAssertEqual(refusal(data, Data("not a signature".utf8)), "latest.json: not a minisign signature (expected 4 lines: untrusted comment, signature, trusted comment, signature) (latest.json.minisig)")
        XCTAssertEqual(refusal(data, good, release: 2),
                       "latest.json: the signature's trusted comment is 'file:latest.json\trelease:3', expected 'file:latest.json\\trelease:2'")
        XCTAssertNil(refusal(data, good, release: nil), "without a release the caller checks the comment")
    }
}
