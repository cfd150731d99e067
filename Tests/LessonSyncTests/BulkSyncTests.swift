import Foundation
import XCTest
import LessonChannel
import LessonSupport
@testable import LessonSync

/// Bulk transfer (`PackRead`): a part that lacks many objects reads them from its offline pack on
/// the host with a few Range requests; anything wrong with the pack costs single downloads only.
final class BulkSyncTests: XCTestCase {
    /// Every file under objects/ and contents/ with its bytes, and the state's parts.
    func snapshot(_ store: DeviceStore) throws -> ([String: Data], [String: [String: StorePart]]) {
        var files: [String: Data] = [:]
        for folder in ["objects", "contents"] {
            let base = store.url.appendingPathComponent(folder)
            for path in (try? FileManager.default.subpathsOfDirectory(atPath: base.path)) ?? [] where path.count > 3 {
                files["\(folder)/\(path)"] = try Data(contentsOf: base.appendingPathComponent(path))
            }
        }
        return (files, try XCTUnwrap(try store.loadCurrent()).state.parts)
    }

    func sync(_ f: SyncFixture, into store: URL, bulk: Int?, subscription: Subscription? = nil) throws -> SyncReport {
        var o = SyncOptions(source: try f.startServer().url, store: store, trustedKeys: [f.key.publicKey], subscription: subscription)
        o.bulkMinimum = bulk
        o.retries = 0
        o.timeout = 5
        return try Sync.run(o)
    }

    func testBulkAndSingleObjectSyncsGiveIdenticalStores() throws {
        let f = try SyncFixture(demoLessons: 120, otherLessons: 3, locales: ["fr"])
        try f.publish()
        let server = try f.startServer()
        let single = f.dir.appendingPathComponent("single"), bulk = f.dir.appendingPathComponent("bulk")

        let one = try sync(f, into: single, bulk: nil)
        XCTAssertEqual(one.objectsFromPacks, 0)
        XCTAssertEqual(try server.requests().filter { $0.path.hasPrefix("/packs/") }, [])
        server.clearLog()
        let many = try sync(f, into: bulk, bulk: 16)
        let requests = try server.requests()
        XCTAssertEqual(many.objectsFetched, one.objectsFetched)
        // demo in en and in fr are read from their packs; `other` (3 lessons each) one by one.
        let demo = try f.manifest(1).curricula["demo"]!
        XCTAssertEqual(many.objectsFromPacks, Set(demo.part("en")!.objects + demo.part("fr")!.objects).count)
        // Besides, each of the four parts' listing and bucket (they are small: one bucket each).
        let listings = try [("demo", "en"), ("demo", "fr"), ("other", "en"), ("other", "fr")].flatMap { try f.listingObjects(1, $0.0, $0.1) }
        XCTAssertEqual(requests.filter { $0.path.hasPrefix("/objects/") }.count, many.objectsFetched - many.objectsFromPacks + Set(listings).count)
        let packRequests = requests.filter { $0.path.hasPrefix("/packs/") }
        XCTAssertEqual(packRequests.count, many.packRequests)
        XCTAssertTrue(packRequests.allSatisfy { $0.headers["Range"]?.hasPrefix("bytes=") == true }, "\(packRequests)")
        XCTAssertLessThanOrEqual(many.packRequests, 4, "a tail and a span per pack")
        XCTAssertEqual(many.notes, [])
        XCTAssertEqual(many.bytesDownloaded, try server.bytesSent(), "every byte the server sent is counted")

        let (a, partsA) = try snapshot(DeviceStore(single)), (b, partsB) = try snapshot(DeviceStore(bulk))
        XCTAssertEqual(a.keys.sorted(), b.keys.sorted())
        XCTAssertEqual(a, b)
        XCTAssertEqual(partsA, partsB)
        XCTAssertEqual(DeviceStore(bulk).check(trusting: [f.key.publicKey]).problems, [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: DeviceStore(bulk).partialURL.path), [])

        // A small update then goes object by object on both, and they stay identical.
        try f.lesson("demo", 7, "A changed text for lesson 7.")
        try f.publish()
        server.clearLog()
        XCTAssertEqual(try sync(f, into: bulk, bulk: 16).objectsFromPacks, 0)
        XCTAssertEqual(try server.requests().filter { $0.path.hasPrefix("/packs/") }, [])
        _ = try sync(f, into: single, bulk: nil)
        XCTAssertEqual(try snapshot(DeviceStore(single)).0, try snapshot(DeviceStore(bulk)).0)
    }

    func testAPartWithFewerMissingObjectsThanTheMinimumGoesObjectByObject() throws {
        let f = try SyncFixture(demoLessons: 10, otherLessons: 0, locales: [])
        try f.publish()
        let report = try sync(f, into: f.storeURL, bulk: 16)
        XCTAssertEqual(report.objectsFromPacks, 0)
        XCTAssertEqual(try f.startServer().requests().filter { $0.path.hasPrefix("/packs/") }, [])
        let exact = try sync(f, into: f.dir.appendingPathComponent("other-store"), bulk: report.objectsFetched)
        XCTAssertEqual(exact.objectsFromPacks, report.objectsFetched)
    }

    /// What goes wrong with a pack costs single downloads, with a note saying why.
    func testAnUnusablePackFallsBackToSingleObjects() throws {
        let f = try SyncFixture(demoLessons: 40, otherLessons: 0, locales: [])
        try f.publish()
        let server = try f.startServer()
        let pack = ChannelPath.pack(1, curriculum: "demo", locale: "en")
        let cases: [([[String: Any]], String)] = [
            ([["path": "packs/*", "fault": "404", "times": -1]], "\(pack): not on the host; fetched its objects one by one"),
            ([["path": "packs/*", "fault": "ignore-range", "times": -1]],
             "\(pack) could not be read (\(pack): the server answered a request for part of the file with the whole file (it does not serve Range requests)); fetched its objects one by one"),
            // The tail is the whole pack here (it is smaller than the longest end record).
            ([["path": "packs/*", "fault": "truncate", "times": 1]],
             "\(pack) could not be read (\(pack): the connection failed: transfer closed with \(f.size(pack) - f.size(pack) / 2) bytes remaining to read); fetched its objects one by one"),
        ]
        let objects = try f.manifest(1).curricula["demo"]!.part("en")!.objects.count
        for (n, (faults, note)) in cases.enumerated() {
            try server.faults(faults)
            let store = f.dir.appendingPathComponent("store-\(n)")
            let report = try sync(f, into: store, bulk: 16)
            XCTAssertEqual(report.notes, [note], "case \(n)")
            XCTAssertEqual(report.objectsFromPacks, 0, "case \(n)")
            XCTAssertEqual(report.objectsFetched, objects, "case \(n)")
            XCTAssertEqual(DeviceStore(store).check(trusting: [f.key.publicKey]).problems, [], "case \(n)")
        }
    }

    /// A span whose bytes were damaged on the way: its objects are fetched one by one; no damaged
    /// object is ever placed.
    func testADamagedSpanCostsOnlyItsObjects() throws {
        let f = try SyncFixture(demoLessons: 40, otherLessons: 0, locales: [])
        try f.publish()
        let server = try f.startServer()
        // The first request to the pack (its tail) is healthy, the second (the span) is not.
        try server.faults([["path": "packs/*", "fault": "none", "times": 1], ["path": "packs/*", "fault": "corrupt", "times": 1]])
        let report = try sync(f, into: f.storeURL, bulk: 16)
        let pack = ChannelPath.pack(1, curriculum: "demo", locale: "en")
        XCTAssertEqual(report.objectsFromPacks, 0)
        XCTAssertEqual(report.notes.count, 1)
        XCTAssertTrue(report.notes[0].hasPrefix("1 range of \(pack) could not be used (\(pack): "), report.notes[0])
        XCTAssertTrue(report.notes[0].hasSuffix("); fetched those objects one by one"), report.notes[0])
        f.assertStore(release: 1)
    }

    func testRangeAnswersAreChecked() {
        XCTAssertEqual(HTTPFetcher.contentRange("bytes 0-9/10")?.start, 0)
        XCTAssertEqual(HTTPFetcher.contentRange("bytes 5-9/100")?.total, 100)
        for bad in [nil, "bytes 9-5/10", "bytes 0-10/10", "bytes */10", "items 0-1/2", "bytes 0-1"] {
            XCTAssertNil(HTTPFetcher.contentRange(bad), bad ?? "nil")
        }
        XCTAssertTrue(ByteRange.span(first: 5, last: 9).matches((5, 10)))
        XCTAssertFalse(ByteRange.span(first: 5, last: 9).matches((4, 10)))
        XCTAssertFalse(ByteRange.span(first: 5, last: 9).matches((5, 9)))
        XCTAssertTrue(ByteRange.suffix(count: 100).matches((0, 10)))
        XCTAssertTrue(ByteRange.suffix(count: 4).matches((6, 10)))
        XCTAssertFalse(ByteRange.suffix(count: 4).matches((5, 10)))
        XCTAssertEqual(ByteRange.span(first: 3, last: 7).header, "bytes=3-7")
        XCTAssertEqual(ByteRange.suffix(count: 22).header, "bytes=-22")
    }
}
