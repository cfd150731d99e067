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

    /// Publish makes a release's listings from the previous release's: a bucket whose lessons are
    /// the same is the old object (not made again), and the result is what `make` alone gives.
    func testMakingFromThePreviousListingReusesUnchangedBucketsAndGivesTheSameListing() throws {
        var lessons: [String: ObjectRef] = [:]
        for i in 0..<1000 { lessons["lesson-\(i)"] = ref(i) }
        let (before, _) = PartListing.make(lessons)
        var after = lessons
        after["lesson-5"] = ref(5000)
        let (fresh, freshObjects) = PartListing.make(after)
        let (reused, reusedObjects) = PartListing.make(after, reusing: before)
        XCTAssertEqual(reused, fresh)
        XCTAssertEqual(reused.bucketLessons, fresh.bucketLessons)
        let changed = PartListing.bucket(of: "lesson-5", bits: PartListing.bits(forLessons: after.count))
        XCTAssertEqual(Set(reusedObjects.keys), [fresh.listing.sha256, fresh.buckets[changed].sha256], "only the listing and the edited bucket are made")
        for (sha, data) in reusedObjects { XCTAssertEqual(freshObjects[sha], data) }
        // Nothing changed: the old listing itself, nothing made.
        let (same, sameObjects) = PartListing.make(lessons, reusing: before)
        XCTAssertEqual(same, before)
        XCTAssertTrue(sameObjects.isEmpty)
        // Another bucket count, or bucket contents unknown (a listing as read from a manifest file
        // without its buckets): everything is made.
        var grown = after
        for i in 1000..<1100 { grown["more-\(i)"] = ref(i) }
        XCTAssertEqual(PartListing.make(grown, reusing: before).listing, PartListing.make(grown).listing)
        XCTAssertEqual(PartListing.make(grown, reusing: before).objects, PartListing.make(grown).objects)
        let unknown = PartListing(listing: before.listing, buckets: before.buckets)
        XCTAssertEqual(PartListing.make(after, reusing: unknown).objects, freshObjects)
    }

    /// Kept releases are loaded with one `BucketCache`: a part is assembled from the same part of
    /// another release, bucket by differing bucket. Whatever the order, each release's lessons are
    /// exactly what it lists (added, changed and removed lessons included), as without the cache.
    func testReleasesLoadedThroughOneCacheHaveExactlyTheirOwnLessons() throws {
        var objects: [String: Data] = [:]
        var manifests: [Manifest] = []
        var lessons: [String: ObjectRef] = [:]
        for i in 0..<600 { lessons["lesson-\(i)"] = ref(i) }
        for r in 1...4 {
            if r == 2 { lessons["lesson-7"] = ref(7000) }
            if r == 3 { lessons["lesson-8"] = nil; lessons["new-1"] = ref(7001) }
            if r == 4 { for i in 600..<700 { lessons["lesson-\(i)"] = ref(i) } }   // a new bucket count
            let cur = ManifestCurriculum(title: "Demo", version: "1.0.0", license: "CC-BY-4.0", index: ref(900), assets: [:],
                                         locales: ["en": lessons, "sw": ["lesson-1": ref(902)]])
            var m = Manifest(release: r, published: 1_700_000_000, curricula: ["demo": cur], documents: [:])
            objects.merge(m.makeListings()) { a, _ in a }
            manifests.append(m)
        }
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2]] {
            let cache = BucketCache()
            for i in order {
                let loaded = try Manifest.load(data: manifests[i].canonicalBytes, path: "m", buckets: cache) { objects[$0.sha256] }
                XCTAssertEqual(loaded.curricula, manifests[i].curricula, "release \(i + 1), order \(order)")
                XCTAssertEqual(loaded.listings["demo"]?["en"]?.bucketLessons, manifests[i].listings["demo"]?["en"]?.bucketLessons)
            }
        }
    }

    /// A publish with nothing changed compares the sources with the latest manifest file without
    /// reading its listings: `names` says what comparing the complete manifests says.
    func testAManifestFileNamesTheCurriculaTheCompleteManifestHas() throws {
        var lessons: [String: ObjectRef] = [:]
        for i in 0..<300 { lessons["lesson-\(i)"] = ref(i) }
        var cur = ManifestCurriculum(title: "Demo", version: "1.0.0", license: "CC-BY-4.0", index: ref(900), assets: ["assets/a.png": ref(901)],
                                     locales: ["en": lessons, "sw": ["lesson-1": ref(902)]])
        cur.attributions = ["en": ref(903), "sw": ref(904)]
        var manifest = Manifest(release: 3, published: 1_700_000_000, curricula: ["demo": cur], documents: [:])
        manifest.makeListings()
        let file = try ManifestFile(data: manifest.canonicalBytes, path: "m")
        XCTAssertTrue(file.names(manifest.curricula))
        var changes: [(what: String, change: (inout [String: ManifestCurriculum]) -> Void)] = [
            ("a lesson's object", { $0["demo"]!.locales["en"]!["lesson-3"] = self.ref(999) }),
            ("a lesson added", { $0["demo"]!.locales["en"]!["lesson-x"] = self.ref(1) }),
            ("a lesson removed", { $0["demo"]!.locales["en"]!["lesson-3"] = nil }),
            ("a locale added", { $0["demo"]!.locales["fr"] = ["lesson-1": self.ref(1)] }),
            ("a locale removed", { $0["demo"]!.locales["sw"] = nil }),
            ("the title", { $0["demo"]!.title = "Demo 2" }),
            ("the version", { $0["demo"]!.version = "1.0.1" }),
            ("the licence", { $0["demo"]!.license = "CC-BY-SA-4.0" }),
            ("the index", { $0["demo"]!.index = self.ref(905) }),
            ("an asset", { $0["demo"]!.assets["assets/b.png"] = self.ref(906) }),
            ("an attribution", { $0["demo"]!.attributions["sw"] = self.ref(907) }),
            ("a curriculum added", { $0["other"] = $0["demo"] }),
            ("a curriculum removed", { $0["demo"] = nil }),
        ]
        changes.append(("nothing", { _ in }))
        for (what, change) in changes {
            var curricula = manifest.curricula
            change(&curricula)
            XCTAssertEqual(file.names(curricula), curricula == manifest.curricula, what)
        }
        // A format-1 file lists every lesson (and no attribution files): compared whole.
        var format1 = manifest
        format1.version = 1
        format1.curricula["demo"]!.attributions = [:]
        let file1 = try ManifestFile(data: format1.canonicalBytes, path: "m")
        XCTAssertTrue(file1.names(format1.curricula))
        var edited = format1.curricula
        edited["demo"]!.locales["en"]!["lesson-3"] = ref(999)
        XCTAssertFalse(file1.names(edited))
    }
}
