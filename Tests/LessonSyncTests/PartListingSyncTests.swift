import Foundation
import XCTest
import LessonCompiler
import LessonChannel
import LessonSupport
@testable import LessonSync

/// Manifest format 2 (docs/channel-format.md §7.2): a device fetches the listing of the parts it
/// subscribes to, then only the buckets it does not know, and checks the assembled part against
/// the signed part hash; a channel whose older releases are format 1 keeps working.
final class PartListingSyncTests: XCTestCase {
    let demoEN = Subscription(curricula: ["demo"], locales: ["en"])

    func paths(_ server: ChannelServer) throws -> [String] { try server.requests().map { String($0.path.dropFirst()) } }

    /// A device beyond --keep fetches the manifest, its part's listing and the buckets that
    /// changed, then the changed lessons: never another part's listing, never a whole part.
    func testAFarBehindDeviceFetchesItsListingAndOnlyTheChangedBuckets() throws {
        let f = try SyncFixture(demoLessons: 300, otherLessons: 2, locales: ["fr"])
        try f.publish(keep: 1)
        try f.sync(subscription: demoEN)
        let first = try f.manifest(1)
        XCTAssertEqual(first.listings["demo"]?["en"]?.buckets.count, 4, "300 lessons: 4 buckets of at most 128")
        // Three releases, two lessons edited: the device is beyond --keep (diffs only from release 3).
        try f.lesson("demo", 5, "An edited lesson five.")
        try f.publish(keep: 1)
        try f.lesson("demo", 5, "Lesson five, edited again.")
        try f.publish(keep: 1)
        try f.lesson("demo", 7, "An edited lesson seven.")
        XCTAssertEqual(try f.publish(keep: 1), 4)
        XCTAssertEqual(try f.latest().diffsFrom, [3])

        let server = try f.startServer()
        server.clearLog()
        let report = try f.sync()
        XCTAssertEqual(report.method, .manifest)
        XCTAssertEqual(report.lessonsChanged, ["demo/en/demo-5", "demo/en/demo-7"])
        let latest = try f.manifest(4)
        let listing = try XCTUnwrap(latest.listings["demo"]?["en"])
        let bits = 2
        let changedBuckets = Set(["demo-5", "demo-7"].map { listing.buckets[PartListing.bucket(of: $0, bits: bits)] })
        let held = try XCTUnwrap(first.curricula["demo"]?.part("en")), now = try XCTUnwrap(latest.curricula["demo"]?.part("en"))
        let newObjects = Set(now.objects).subtracting(held.objects)
        let expected = ["latest.json", "latest.json.minisig", "releases/4/manifest.json", "releases/4/manifest.json.minisig"]
            + ([listing.listing] + Array(changedBuckets) + Array(newObjects)).map { ChannelPath.object($0.sha256) }
        XCTAssertEqual(try paths(server).sorted(), expected.sorted())
        // Never another part's listing or buckets.
        for (c, l) in [("demo", "fr"), ("other", "en"), ("other", "fr")] {
            let other = try XCTUnwrap(latest.listings[c]?[l])
            XCTAssertFalse(try paths(server).contains(ChannelPath.object(other.listing.sha256)), "\(c) in \(l)")
        }
        f.assertStore(release: 4)
        XCTAssertEqual(try f.store.loadCurrent()?.state.parts["demo"]?["en"], now)

        // The store now knows every bucket: an edit that reaches it through a diff forgets only
        // the bucket it touched, so the next far-behind sync fetches that one and the new one.
        try f.lesson("demo", 9, "An edited lesson nine.")
        try f.publish(keep: 1)
        server.clearLog()
        XCTAssertEqual(try f.sync().method, .diff)
        try f.lesson("demo", 11, "An edited lesson eleven.")
        try f.publish(keep: 1)
        try f.lesson("demo", 11, "Lesson eleven, edited again.")
        XCTAssertEqual(try f.publish(keep: 1), 7)
        server.clearLog()
        XCTAssertEqual(try f.sync().method, .manifest)
        let seventh = try XCTUnwrap(try f.manifest(7).listings["demo"]?["en"])
        let buckets = Set(["demo-9", "demo-11"].map { seventh.buckets[PartListing.bucket(of: $0, bits: bits)] })
        let fetchedMetadata = Set(try paths(server).filter { $0.hasPrefix("objects/") })
            .intersection(([seventh.listing] + seventh.buckets).map { ChannelPath.object($0.sha256) })
        XCTAssertEqual(fetchedMetadata, Set(([seventh.listing] + Array(buckets)).map { ChannelPath.object($0.sha256) }))
        f.assertStore(release: 7)
    }

    /// A first sync with bulk transfer reads the part's listing and buckets from its pack, where
    /// publish puts them first, in one Range request (after the pack's tail), not one request each.
    func testAFirstBulkSyncReadsTheListingAndBucketsFromThePack() throws {
        let f = try SyncFixture(demoLessons: 300, otherLessons: 0, locales: [])
        try f.publish()
        let listing = try XCTUnwrap(try f.manifest(1).listings["demo"]?["en"])
        let zip = try ZipReader(contentsOf: f.channelFile(ChannelPath.pack(1, curriculum: "demo", locale: "en")))
        XCTAssertEqual(Array(zip.names.prefix(2 + 1 + 4)), ["pack.json", "pack.json.minisig"] + ([listing.listing] + listing.buckets).map { ChannelPath.object($0.sha256) })
        let server = try f.startServer()
        var o = SyncOptions(source: server.url, store: f.storeURL, trustedKeys: [f.key.publicKey], subscription: demoEN)
        o.bulkMinimum = 4
        o.retries = 0
        let report = try Sync.run(o)
        let fetched = try paths(server)
        for ref in [listing.listing] + listing.buckets { XCTAssertFalse(fetched.contains(ChannelPath.object(ref.sha256)), ref.sha256) }
        XCTAssertEqual(fetched.filter { $0.hasPrefix("objects/") }, [], "every object from the pack")
        XCTAssertEqual(report.packRequests, fetched.filter { $0.hasPrefix("packs/") }.count)
        XCTAssertLessThanOrEqual(report.packRequests, 5, "tail and listing span, tail and object span")
        XCTAssertEqual(report.notes, [])
        f.assertStore(release: 1)
        XCTAssertEqual(try f.store.loadCurrent()?.state.buckets["demo"]?["en"], listing.buckets)
    }

    // MARK: - Bad listings

    /// A channel of 130 lessons (2 buckets) whose release-1 manifest is re-signed with a forged
    /// listing of demo in en: its buckets' lessons after `lessons`, the bucket refs after `refs`.
    func forged(lessons: (inout [[String: ObjectRef]]) -> Void = { _ in }, refs editRefs: (inout [ObjectRef]) -> Void = { _ in }) throws -> SyncFixture {
        let f = try SyncFixture(demoLessons: 130, otherLessons: 0, locales: [])
        try f.publish()
        let path = ChannelPath.manifest(1)
        let manifest = try f.manifest(1)
        var buckets = [[String: ObjectRef]](repeating: [:], count: 2)
        for (id, ref) in manifest.curricula["demo"]!.locales["en"]! { buckets[PartListing.bucket(of: id, bits: 1)][id] = ref }
        func put(_ json: JSON) throws -> ObjectRef {
            let gz = Gzip.compress(CanonicalJSON.document(json))
            let ref = ObjectRef(of: gz)
            let url = f.channelFile(ChannelPath.object(ref.sha256))
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try gz.write(to: url)
            return ref
        }
        lessons(&buckets)
        var refs = try buckets.map { try put(["format": "lessonc-bucket/1", "lessons": .object($0.mapValues(\.json))]) }
        editRefs(&refs)
        let listing = try put(["format": "lessonc-listing/1", "buckets": .array(refs.map(\.json))])
        guard case .object(var top) = try JSON.parse(Data(contentsOf: f.channelFile(path))), case .object(var curricula)? = top["curricula"],
              case .object(var demo)? = curricula["demo"], case .object(var locales)? = demo["locales"], case .object(var en)? = locales["en"] else {
            throw XCTSkip("manifest layout")
        }
        en["listing"] = listing.json
        locales["en"] = .object(en); demo["locales"] = .object(locales); curricula["demo"] = .object(demo); top["curricula"] = .object(curricula)
        let bytes = CanonicalJSON.document(.object(top))
        try f.sign(path, bytes, release: 1)
        var latest = try f.latest()
        latest.manifest = ObjectRef(of: bytes)
        try f.sign(ChannelPath.latest, latest.canonicalBytes, release: 1)
        return f
    }

    func refusal(_ f: SyncFixture) -> String? {
        let message = f.syncError { try f.sync() }?.message
        f.assertStore(release: nil)
        return message
    }

    func testABucketHoldingAnotherBucketsLessonIsRefused() throws {
        var moved = ""
        let f = try forged(lessons: { buckets in
            moved = buckets[1].keys.sorted()[0]
            buckets[0][moved] = buckets[1].removeValue(forKey: moved)
        })
        let bucket = try listingBuckets(f)[0]
        XCTAssertEqual(refusal(f), "\(ChannelPath.object(bucket.sha256)) (bucket 0 of releases/1/manifest.json: demo in en): holds lesson '\(moved)', which belongs in bucket 1; refused")
    }

    func testAListingWithTheWrongNumberOfBucketsIsRefused() throws {
        let f = try forged(refs: { $0 = [$0[0]] })
        let listing = try listingRef(f)
        XCTAssertEqual(refusal(f), "\(ChannelPath.object(listing.sha256)) (listing of releases/1/manifest.json: demo in en): has 1 bucket, but a part of 130 lessons has 2; refused")
    }

    func testAssembledLessonsThatDoNotMatchThePartHashAreRefused() throws {
        let f = try forged(lessons: { $0[0].removeValue(forKey: $0[0].keys.sorted()[0]) })
        XCTAssertEqual(refusal(f), "releases/1/manifest.json: demo in en: the lessons its listing names do not match the signed part hash; refused")
    }

    func testABucketRefWithTheWrongSizeIsRefused() throws {
        // The right object, its size one byte short in the listing.
        let f = try forged(refs: { $0[1].size -= 1 })
        let bucket = try listingBuckets(f)[1]
        XCTAssertEqual(refusal(f), "\(ChannelPath.object(bucket.sha256)) (bucket 1 of releases/1/manifest.json: demo in en): more than the \(bucket.size) bytes it may have; refused (endless data)")
    }

    func listingRef(_ f: SyncFixture) throws -> ObjectRef {
        let file = try ManifestFile(data: Data(contentsOf: f.channelFile(ChannelPath.manifest(1))), path: "m")
        return try XCTUnwrap(file.parts["demo"]?["en"]?.listing)
    }

    func listingBuckets(_ f: SyncFixture) throws -> [ObjectRef] {
        let gz = try Data(contentsOf: f.channelFile(ChannelPath.object(try listingRef(f).sha256)))
        let json = try JSON.parse(Gzip.decompress(gz, maxSize: 1 << 20))
        return try XCTUnwrap(json["buckets"]?.arrayValue).map {
            ObjectRef(sha256: $0["object"]!.stringValue!, size: $0["size"]!.intValue!)
        }
    }

    // MARK: - Format 1 channels

    /// A channel published by an earlier lessonc (format 1: conformance/channels/r2 as it was,
    /// copied to Tests/Fixtures/channel-format1), then published on in format 2: devices on the
    /// format-1 release update with a diff and without one, and the channel verifies throughout.
    func testAFormat1ChannelPublishedOnInFormat2KeepsItsDevices() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
        let keys = fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("conformance/keys")
        let key = try MinisignSecretKey(fileData: Data(contentsOf: keys.appendingPathComponent("test-release.key")), passphrase: { "" })
        let f = try SyncFixture(demoLessons: 3, otherLessons: 0, locales: [], key: key)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("channel-format1"), to: f.channel)
        let verifyNow = Int(Date().timeIntervalSince1970)
        // The conformance channels carry no packs (conformance/generate leaves them out but for r6).
        func verify() -> [String] {
            ChannelVerifier.verify(DirectorySource(f.channel), trusting: key.publicKey, now: verifyNow).problems
                .filter { !($0.hasPrefix("packs/2/") && $0.hasSuffix(".zip: missing")) }
        }
        XCTAssertEqual(verify(), [])
        XCTAssertTrue(try String(contentsOf: f.channelFile("releases/2/manifest.json"), encoding: .utf8).contains("\"lessonc-manifest/1\""))
        // Two devices on release 2 (format 1).
        try f.sync(from: f.channel.path)
        let second = f.dir.appendingPathComponent("store-2")
        try FileManager.default.copyItem(at: f.storeURL, to: second)
        f.assertStore(release: 2)

        f.now = max(f.now, 1767225600 + 60)
        XCTAssertEqual(try f.publish(), 3)
        XCTAssertTrue(try String(contentsOf: f.channelFile("releases/3/manifest.json"), encoding: .utf8).contains("\"lessonc-manifest/2\""))
        XCTAssertEqual(try f.latest().diffsFrom, [1, 2], "diffs from format-1 releases")
        XCTAssertEqual(verify(), [])
        let withDiff = try f.sync(from: f.channel.path)
        XCTAssertEqual(withDiff.method, SyncMethod.diff)
        XCTAssertEqual(withDiff.toRelease, 3)
        f.assertStore(release: 3)

        // The other device after a release without diffs: the format-2 manifest and its listing.
        try f.lesson("demo", 2, "Edited for release 4.")
        XCTAssertEqual(try f.publish(keep: 0), 4)
        XCTAssertEqual(verify(), [])
        var o = SyncOptions(source: f.channel.path, store: second, trustedKeys: [key.publicKey])
        o.now = Int(Date().timeIntervalSince1970)
        let withoutDiff = try Sync.run(o)
        XCTAssertEqual(withoutDiff.method, SyncMethod.manifest)
        XCTAssertEqual(withoutDiff.fromRelease, 2)
        XCTAssertEqual(withoutDiff.toRelease, 4)
        XCTAssertEqual(DeviceStore(second).check(trusting: [key.publicKey]).problems, [])
        let expected: [String: [String: StorePart]] = try f.manifest(4).curricula.mapValues { c in
            Dictionary(uniqueKeysWithValues: c.locales.keys.map { ($0, c.part($0)!) })
        }
        XCTAssertEqual(try DeviceStore(second).loadCurrent()?.state.parts, expected)
    }
}
