import Foundation
import XCTest
import LessonCompiler
import LessonChannel
import LessonSupport
@testable import LessonSync

/// TUF's attacks on an updater, played by a hostile host or network: each is refused and the
/// store keeps exactly the release it had.
final class AttackTests: XCTestCase {
    /// A store at release 1 (demo in English) and a channel at release 2 with one lesson edited
    /// and one added.
    func storeBehindByOne() throws -> SyncFixture {
        let f = try SyncFixture(otherLessons: 0, locales: [])
        try f.publish()
        try f.sync()
        try f.lesson("demo", 2, "The group meets every week and saves a little more than before.")
        try f.lesson("demo", 4, "A lesson added in release 2.")
        try f.publish()
        return f
    }

    func copy(_ f: SyncFixture, _ from: String, to: String) throws {
        try? FileManager.default.removeItem(at: f.channelFile(to))
        try FileManager.default.copyItem(at: f.channelFile(from), to: f.channelFile(to))
    }

    func testTamperedObjectIsRefused() throws {
        let f = try storeBehindByOne()
        let added = try f.object("demo", "en", "demo-4", release: 2)
        try f.flipByte(ChannelPath.object(added.sha256))
        let error = f.syncError { try f.sync() }
        XCTAssertEqual(error, SyncError(.integrity, "\(ChannelPath.object(added.sha256)): the bytes do not match the sha256 the channel signed; refused (2 attempts)"))
        f.assertStore(release: 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.store.objectURL(added.sha256).path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.store.partURL(added.sha256).path), "the bad bytes are not kept for resuming")
    }

    func testTamperedManifestIsRefused() throws {
        let f = try SyncFixture(otherLessons: 0, locales: [])
        try f.publish()
        try f.flipByte(ChannelPath.manifest(1))
        XCTAssertEqual(f.syncError { try f.sync() },
                       SyncError(.integrity, "releases/1/manifest.json: does not match the sha256 and size in latest.json; refused"))
        f.assertStore(release: nil)
    }

    func testTamperedDiffIsRefused() throws {
        let f = try storeBehindByOne()
        try f.flipByte(ChannelPath.diff(from: 1, to: 2))
        XCTAssertEqual(f.syncError { try f.sync() },
                       SyncError(.integrity, "diffs/1-2.json: signature does not match the file (diffs/1-2.json.minisig); refused"))
        f.assertStore(release: 1)
    }

    func testTamperedLatestIsRefused() throws {
        let f = try storeBehindByOne()
        let latest = try String(contentsOf: f.channelFile(ChannelPath.latest), encoding: .utf8)
        try latest.replacingOccurrences(of: "\"release\":2", with: "\"release\":3").write(to: f.channelFile(ChannelPath.latest), atomically: true, encoding: .utf8)
        XCTAssertEqual(f.syncError { try f.sync() }, SyncError(.integrity, "latest.json: signature does not match the file (latest.json.minisig); refused"))
        f.assertStore(release: 1)
    }

    /// Mix and match: validly signed files and objects, but of different releases.
    func testFilesAndObjectsOfAnotherReleaseAreRefused() throws {
        let f = try storeBehindByOne()
        let diff12 = try Data(contentsOf: f.channelFile(ChannelPath.diff(from: 1, to: 2)))
        let sig12 = try Data(contentsOf: f.channelFile(ChannelPath.signature(ChannelPath.diff(from: 1, to: 2))))
        let old2 = try f.object("demo", "en", "demo-2", release: 2)
        let oldBytes = try Data(contentsOf: f.channelFile(ChannelPath.object(old2.sha256)))
        try f.lesson("demo", 2, "Edited once more for release 3.")
        XCTAssertEqual(try f.publish(), 3)

        // Release 2's diff served as the diff to release 3.
        let path13 = ChannelPath.diff(from: 1, to: 3)
        try diff12.write(to: f.channelFile(path13))
        try sig12.write(to: f.channelFile(ChannelPath.signature(path13)))
        XCTAssertEqual(f.syncError { try f.sync() },
                       SyncError(.integrity, "diffs/1-3.json: the signature's trusted comment is 'file:diffs/1-2.json\trelease:2', expected 'file:diffs/1-3.json\\trelease:3'; refused"))
        f.assertStore(release: 1)

        // Release 2's manifest served as release 3's (a store that must read the manifest).
        let manifest3 = try Data(contentsOf: f.channelFile(ChannelPath.manifest(3)))
        let manifestSig3 = try Data(contentsOf: f.channelFile(ChannelPath.signature(ChannelPath.manifest(3))))
        try copy(f, ChannelPath.manifest(2), to: ChannelPath.manifest(3))
        try copy(f, ChannelPath.signature(ChannelPath.manifest(2)), to: ChannelPath.signature(ChannelPath.manifest(3)))
        let fresh = f.dir.appendingPathComponent("fresh-store")
        func syncFresh() throws -> SyncReport {
            var o = SyncOptions(source: try f.startServer().url, store: fresh, trustedKeys: [f.key.publicKey])
            o.retries = 0
            return try Sync.run(o)
        }
        XCTAssertEqual(f.syncError { try syncFresh() },
                       SyncError(.integrity, "releases/3/manifest.json: does not match the sha256 and size in latest.json; refused"))
        XCTAssertNil(DeviceStore(fresh).check().release)
        try manifest3.write(to: f.channelFile(ChannelPath.manifest(3)))
        try manifestSig3.write(to: f.channelFile(ChannelPath.signature(ChannelPath.manifest(3))))

        // Release 2's object of a lesson served under release 3's name for it.
        let new3 = try f.object("demo", "en", "demo-2", release: 3)
        try oldBytes.write(to: f.channelFile(ChannelPath.object(new3.sha256)))
        let error = f.syncError { try syncFresh() }
        XCTAssertEqual(error?.kind, .integrity)
        XCTAssertTrue(error?.message.hasPrefix("\(ChannelPath.object(new3.sha256)): ") == true, error?.message ?? "")
        XCTAssertNil(DeviceStore(fresh).check().release)
        f.assertStore(release: 1)
    }

    func testReplayedOlderLatestOrPackIsRefused() throws {
        let f = try SyncFixture(otherLessons: 0, locales: [])
        try f.publish()
        let latest1 = try Data(contentsOf: f.channelFile(ChannelPath.latest))
        let sig1 = try Data(contentsOf: f.channelFile(ChannelPath.signature(ChannelPath.latest)))
        let pack1 = f.dir.appendingPathComponent("demo-en-1.zip")
        try FileManager.default.copyItem(at: f.channelFile(ChannelPath.pack(1, curriculum: "demo", locale: "en")), to: pack1)
        try f.lesson("demo", 2, "Changed.")
        try f.publish()
        try f.sync()
        f.assertStore(release: 2)
        try latest1.write(to: f.channelFile(ChannelPath.latest))
        try sig1.write(to: f.channelFile(ChannelPath.signature(ChannelPath.latest)))
        XCTAssertEqual(f.syncError { try f.sync() },
                       SyncError(.rollback, "latest.json offers release 1, older than release 2 in the store; refused (a replayed or rolled-back channel)"))
        f.assertStore(release: 2)
        XCTAssertEqual(f.syncError { try f.sync(from: pack1.path) },
                       SyncError(.rollback, "pack.json offers release 1, older than release 2 in the store; refused (a replayed or rolled-back channel)"))
        f.assertStore(release: 2)
    }

    func testExpiredLatestIsRefused() throws {
        let f = try SyncFixture(otherLessons: 0, locales: [])
        try f.publish(expiresDays: 1)
        let expires = f.now + 86400
        XCTAssertEqual(f.syncError { try f.sync(now: expires + 60) },
                       SyncError(.expired, "latest.json (release 1) expired at \(Timestamp.rfc3339(expires)); refused, since a stale channel may hide newer releases (the publisher must publish again)"))
        f.assertStore(release: nil)
        XCTAssertEqual(try f.sync(now: expires - 60).toRelease, 1)
        f.assertStore(release: 1)
    }

    func testWrongKeyIsRefused() throws {
        let f = try SyncFixture(otherLessons: 0, locales: [])
        try f.publish()
        let stranger = MinisignSecretKey.generate()
        XCTAssertEqual(f.syncError { try f.sync(keys: [stranger.publicKey]) },
                       SyncError(.untrusted, "the channel is signed by key \(f.key.publicKey.keyIDString); your key \(stranger.publicKey.keyIDString) is not in its key history, so nothing in it can be trusted"))
        f.assertStore(release: nil)

        // A host that replaces the whole channel with one it signed itself.
        try f.sync()
        let forged = try SyncFixture(otherLessons: 0, locales: [], key: stranger)
        try forged.lesson("demo", 2, "Forged.")
        forged.now = f.now + 600
        try forged.publish()
        try forged.publish()
        for path in [ChannelPath.latest, ChannelPath.keys] {
            for file in [path, ChannelPath.signature(path)] { try Data(contentsOf: forged.channelFile(file)).write(to: f.channelFile(file)) }
        }
        XCTAssertEqual(f.syncError { try f.sync() },
                       SyncError(.untrusted, "the channel is signed by key \(stranger.publicKey.keyIDString); your key \(f.key.publicKey.keyIDString) is not in its key history, so nothing in it can be trusted"))
        f.assertStore(release: 1)
    }

    func testObjectLargerThanItsSignedSizeIsRefused() throws {
        let f = try storeBehindByOne()
        let added = try f.object("demo", "en", "demo-4", release: 2)
        var bytes = try Data(contentsOf: f.channelFile(ChannelPath.object(added.sha256)))
        bytes.append(Data(repeating: 0x58, count: 100_000))
        try bytes.write(to: f.channelFile(ChannelPath.object(added.sha256)))
        XCTAssertEqual(f.syncError { try f.sync() },
                       SyncError(.integrity, "\(ChannelPath.object(added.sha256)): more than the \(added.size) bytes it may have; refused (endless data)"))
        f.assertStore(release: 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.store.partURL(added.sha256).path))
    }

    func testKeyRotationIsFollowedOnlyThroughTheSignedChain() throws {
        let f = try SyncFixture(otherLessons: 0, locales: [])
        try f.publish()
        try f.sync()
        let next = MinisignSecretKey.generate()
        try f.lesson("demo", 2, "After the rotation.")
        try f.publish(rotateTo: next)
        let report = try f.sync()
        XCTAssertEqual(report.toRelease, 2, "the old key leads to the new one through keys/2.json")
        XCTAssertEqual(try f.store.loadCurrent()?.state.key, next.publicKey)
        XCTAssertEqual(try f.store.loadCurrent()?.state.keyGeneration, 2)
        f.assertStore(release: 2)
        try f.lesson("demo", 3, "Signed with the new key only.")
        try f.publish(signWith: next)
        XCTAssertEqual(try f.sync().toRelease, 3)
        f.assertStore(release: 3)

        // A forged rotation: a stranger's key list naming the original key as its predecessor,
        // but not signed by it.
        let stranger = MinisignSecretKey.generate()
        let doc = KeysDocument(generation: 3, key: stranger.publicKey, previous: next.publicKey,
                               history: [f.key.publicKey.keyIDString, next.publicKey.keyIDString, stranger.publicKey.keyIDString], release: 4)
        let bytes = Data((doc.json.serialized() + "\n").utf8)
        for path in [ChannelPath.keys, ChannelPath.keys(generation: 3)] {
            let comment = ChannelPath.trustedComment(path: path, release: 4)
            try bytes.write(to: f.channelFile(path))
            try stranger.sign(bytes, trustedComment: comment).fileData.write(to: f.channelFile(ChannelPath.signature(path)))
            try stranger.sign(bytes, trustedComment: comment).fileData.write(to: f.channelFile(ChannelPath.previousKeySignature(path)))
        }
        let latest = try LatestDocument(data: Data(contentsOf: f.channelFile(ChannelPath.latest)))
        var forgedLatest = latest
        forgedLatest.release = 4
        let latestBytes = Data((forgedLatest.json.serialized() + "\n").utf8)
        try latestBytes.write(to: f.channelFile(ChannelPath.latest))
        try stranger.sign(latestBytes, trustedComment: ChannelPath.trustedComment(path: ChannelPath.latest, release: 4)).fileData
            .write(to: f.channelFile(ChannelPath.signature(ChannelPath.latest)))
        XCTAssertEqual(f.syncError { try f.sync() },
                       SyncError(.untrusted, "keys/3.json: signed with key \(stranger.publicKey.keyIDString), not with key \(next.publicKey.keyIDString) (keys/3.json.previous.minisig)"))
        f.assertStore(release: 3)
    }
}
