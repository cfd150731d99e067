import Foundation
import XCTest
import LessonChannel
import LessonSupport

/// Manifest format 2's listings and buckets (docs/channel-format.md §7.2): how many buckets, which
/// bucket an id is in, the objects publish makes, and what readers refuse.
final class PartListingTests: XCTestCase {
    func ref(_ n: Int) -> ObjectRef { ObjectRef(sha256: String(format: "%064x", n), size: 100 + n) }

    func refusal(_ body: () throws -> Any, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do { _ = try body(); XCTFail("accepted, but should have been refused", file: file, line: line) } catch let e as ChannelFormatError {
            return e.message
        } catch { XCTFail("unexpected error \(error)", file: file, line: line) }
        return nil
    }

    func testBucketCountGrowsByPowersOfTwoFromOneHundredTwentyEightLessons() {
        XCTAssertEqual([0, 1, 128, 129, 256, 257, 10_000].map(PartListing.bits(forLessons:)), [0, 0, 0, 1, 1, 2, 7])
        XCTAssertEqual(PartListing.bits(forLessons: 1 << 40), 16, "at most 2^16 buckets")
    }

    /// The same as hashlib in Python: SHA-256("why-save") starts 9c 88, so with 2 bits it is in bucket 2.
    func testABucketIsTheTopBitsOfTheIdsSHA256() {
        XCTAssertEqual(Sodium.sha256(Array("why-save".utf8)).hex.prefix(4), "9c88")
        XCTAssertEqual(PartListing.bucket(of: "why-save", bits: 2), 2)
        XCTAssertEqual(PartListing.bucket(of: "why-save", bits: 16), 0x9c88)
        XCTAssertEqual(PartListing.bucket(of: "why-save", bits: 0), 0)
    }

    func testObjectsRoundTripAndEmptyBucketsAreOneObject() throws {
        let lessons = Dictionary(uniqueKeysWithValues: (1...200).map { ("lesson-\($0)", ref($0)) })
        let (listing, objects) = PartListing.make(lessons)
        XCTAssertEqual(listing.buckets.count, 2)
        let buckets = try PartListing.readListing(try XCTUnwrap(objects[listing.listing.sha256]), lessons: 200, what: "l")
        XCTAssertEqual(buckets, listing.buckets)
        var all: [String: ObjectRef] = [:]
        for (i, b) in buckets.enumerated() {
            let data = try XCTUnwrap(objects[b.sha256])
            XCTAssertEqual(ObjectRef(of: data), b)
            all.merge(try PartListing.readBucket(data, index: i, count: 2, what: "b")) { a, _ in a }
        }
        XCTAssertEqual(all, lessons)
        // Publish makes the same bytes every time (gzip with a fixed header).
        XCTAssertEqual(PartListing.make(lessons).objects, objects)
        // Three lessons in 1 bucket; a part with no lessons has one empty bucket, shared.
        let few = PartListing.make(["a": ref(1), "b": ref(2), "c": ref(3)]).listing
        XCTAssertEqual(few.buckets.count, 1)
        XCTAssertEqual(PartListing.make([:]).listing.buckets, PartListing.make([:]).listing.buckets)
    }

    func testListingsAndBucketsThatDoNotAddUpAreRefused() throws {
        let lessons = Dictionary(uniqueKeysWithValues: (1...200).map { ("lesson-\($0)", ref($0)) })
        let (listing, objects) = PartListing.make(lessons)
        let listingData = try XCTUnwrap(objects[listing.listing.sha256])
        XCTAssertEqual(refusal { try PartListing.readListing(listingData, lessons: 100, what: "L") }, "L: has 2 buckets, but a part of 100 lessons has 1")
        XCTAssertEqual(refusal { try PartListing.readListing(Data("not gzip".utf8), lessons: 1, what: "L") }?.hasPrefix("L: not valid gzip"), true)
        let bucket0 = try XCTUnwrap(objects[listing.buckets[0].sha256])
        let id = try PartListing.readBucket(bucket0, index: 0, count: 2, what: "B").keys.sorted()[0]
        XCTAssertEqual(refusal { try PartListing.readBucket(bucket0, index: 1, count: 2, what: "B") }, "B: holds lesson '\(id)', which belongs in bucket 0")
        XCTAssertEqual(refusal { try PartListing.readBucket(listingData, index: 0, count: 2, what: "B") },
                       "B: format is 'lessonc-listing/1', expected 'lessonc-bucket/1'")
        let evil = Gzip.compress(CanonicalJSON.document(["format": "lessonc-bucket/1", "lessons": ["../x": ref(1).json]]))
        XCTAssertEqual(refusal { try PartListing.readBucket(evil, index: 0, count: 1, what: "B") }, "B: bad lesson id '../x'")
    }

    /// A format-2 manifest names each part by hash, count and listing; `Manifest.load` reads the
    /// listing back and checks the part hash.
    func testAFormat2ManifestLoadsThroughItsListings() throws {
        let lessons = ["why-save": ref(1), "cash-box": ref(2)]
        let cur = ManifestCurriculum(title: "Demo", version: "1.0.0", license: "CC-BY-4.0", index: ref(9), assets: [:], locales: ["en": lessons])
        var manifest = Manifest(release: 2, published: 1_700_000_000, curricula: ["demo": cur], documents: [:])
        let objects = manifest.makeListings()
        let bytes = manifest.canonicalBytes
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.contains("\"format\":\"lessonc-manifest/2\""), text)
        XCTAssertTrue(text.contains("\"locales\":{\"en\":{\"lessons\":2,\"listing\":{\"object\":\"\(manifest.listings["demo"]!["en"]!.listing.sha256)\""), text)
        XCTAssertFalse(text.contains("why-save"), "no lesson is listed in the manifest itself")
        XCTAssertEqual(refusal { try Manifest(data: bytes, path: "m") }, "m: a format-2 manifest is read with its listings")
        let loaded = try Manifest.load(data: bytes, path: "m") { objects[$0.sha256] }
        XCTAssertEqual(loaded.curricula["demo"]?.locales["en"], lessons)
        XCTAssertEqual(loaded.listings, manifest.listings)
        XCTAssertEqual(loaded.objects, manifest.objects)
        XCTAssertEqual(refusal { try Manifest.load(data: bytes, path: "m") { _ in nil } },
                       "\(ChannelPath.object(manifest.listings["demo"]!["en"]!.listing.sha256)): missing (listing of m: demo in en)")
        // Another part's listing in place of this one's: the part hash catches it.
        var other = manifest
        other.curricula["demo"]!.locales["en"] = ["why-save": ref(1)]
        let otherObjects = other.makeListings()
        other.curricula["demo"]!.locales["en"] = lessons
        let forged = other.canonicalBytes
        XCTAssertEqual(refusal { try Manifest.load(data: forged, path: "m") { otherObjects[$0.sha256] ?? objects[$0.sha256] } },
                       "m: demo in en: the lessons its listing names do not match the signed part hash")
        // A publisher reading its own channel skips that hash (listing and buckets still checked).
        let trusted = try Manifest.load(data: forged, path: "m", checkPartHashes: false) { otherObjects[$0.sha256] ?? objects[$0.sha256] }
        XCTAssertEqual(trusted.curricula["demo"]?.locales["en"], ["why-save": ref(1)])
        XCTAssertEqual(refusal { try Manifest.load(data: forged, path: "m", checkPartHashes: false) { _ in nil } },
                       "\(ChannelPath.object(other.listings["demo"]!["en"]!.listing.sha256)): missing (listing of m: demo in en)")
    }

    /// Publish unites its kept releases' objects bucket by bucket (`objectHashes`) and looks one
    /// entry up at a time (`ref(for:)`): both give what `objects` and `entries` give.
    func testObjectHashesAndRefForAgreeWithObjectsAndEntries() throws {
        var lessons: [String: ObjectRef] = [:]
        for i in 0..<300 { lessons["lesson-\(i)"] = ref(i) }
        let cur = ManifestCurriculum(title: "Demo", version: "1.0.0", license: "CC-BY-4.0", index: ref(900), assets: ["assets/a.png": ref(901)],
                                     locales: ["en": lessons, "sw": ["lesson-1": ref(902)]])
        var one = Manifest(release: 1, published: 1_700_000_000, curricula: ["demo": cur], documents: [:])
        let objectsOne = one.makeListings()
        var two = one
        two.release = 2
        two.curricula["demo"]!.locales["en"]!["lesson-5"] = ref(903)
        two.curricula["demo"]!.locales["en"]!["lesson-6"] = nil
        let objectsTwo = two.makeListings()
        XCTAssertEqual(one.listings["demo"]?["en"]?.buckets.count, 4)
        let loaded = try Manifest.load(data: two.canonicalBytes, path: "m") { objectsTwo[$0.sha256] ?? objectsOne[$0.sha256] }
        XCTAssertEqual(loaded.listings["demo"]?["en"]?.bucketLessons?.count, 4, "read through the listing: each bucket's lessons known")
        var format1 = one
        format1.version = 1
        format1.listings = [:]
        format1.curricula["demo"]!.locales["en"]!["lesson-7"] = ref(904)
        func all(_ ms: [Manifest]) -> Set<String> { Set(ms.flatMap { $0.objects.map(\.sha256) }) }
        XCTAssertEqual(Manifest.objectHashes(of: [one, two]), all([one, two]))
        XCTAssertEqual(Manifest.objectHashes(of: [one, loaded, format1]), all([one, two, format1]))
        XCTAssertTrue(Manifest.objectHashes(of: [one, two]).isSuperset(of: [ref(903).sha256, ref(5).sha256, ref(6).sha256]))
        XCTAssertFalse(Manifest.objectHashes(of: [two]).contains(ref(6).sha256))
        for (key, value) in two.entries { XCTAssertEqual(two.ref(for: key), value, "\(key)") }
        XCTAssertNil(two.ref(for: ChangeKey(curriculum: "demo", locale: "en", kind: .lesson, id: "lesson-6")))
        XCTAssertNil(two.ref(for: ChangeKey(curriculum: "demo", locale: "fr", kind: .index, id: "demo")), "not published in fr")
        XCTAssertNil(two.ref(for: ChangeKey(curriculum: "demo", locale: "en", kind: .index, id: "other")))
        XCTAssertNil(two.ref(for: ChangeKey(curriculum: "demo", locale: "en", kind: .asset, id: "assets/b.png")))
        XCTAssertNil(two.ref(for: ChangeKey(curriculum: "other", locale: "en", kind: .lesson, id: "lesson-1")))
    }
}
