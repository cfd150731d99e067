import Foundation
import XCTest
import LessonChannel
import LessonSupport
@testable import LessonSync

/// The update protocol over a real HTTP server on 127.0.0.1: what is fetched, what is not, and
/// what the store holds afterwards.
final class SyncTests: XCTestCase {
    let demoEN = Subscription(curricula: ["demo"], locales: ["en"])

    /// Paths the server was asked for since the log was cleared, and the bytes they hold.
    func fetched(_ f: SyncFixture) throws -> (paths: [String], bytes: Int) {
        let paths = try f.startServer().requests().map { String($0.path.dropFirst()) }
        return (paths, paths.reduce(0) { $0 + f.size($1) })
    }

    /// Paths in the order the sync asked for them, except that a file and its signature are
    /// fetched at once (SyncSource.readWithSignature), so either may reach the server first:
    /// each signature is put right after its file.
    static func inOrder(_ paths: [String]) -> [String] {
        paths.filter { !$0.hasSuffix(".minisig") }.flatMap { path in
            [path] + paths.filter { $0 == ChannelPath.signature(path) }
        } + paths.filter { path in path.hasSuffix(".minisig") && !paths.contains(String(path.dropLast(".minisig".count))) }
    }

    func testFirstSyncFetchesTheManifestAndOnlyTheSubscribedObjects() throws {
        let f = try SyncFixture()
        try f.publish()
        let report = try f.sync(subscription: demoEN)
        XCTAssertEqual(report.fromRelease, 0)
        XCTAssertEqual(report.toRelease, 1)
        XCTAssertEqual(report.method, .manifest)
        XCTAssertEqual(report.lessonsAdded, ["demo/en/demo-1", "demo/en/demo-2", "demo/en/demo-3"])
        XCTAssertEqual(report.lessonsChanged + report.lessonsRemoved, [])
        // The index, the picture and three lessons.
        XCTAssertEqual(report.objectsFetched, 5)
        let (paths, bytes) = try fetched(f)
        XCTAssertEqual(paths.filter { !$0.hasPrefix("objects/") }.sorted(),
                       ["keys.json", "keys.json.minisig", "latest.json", "latest.json.minisig", "releases/1/manifest.json", "releases/1/manifest.json.minisig"])
        // The part's five objects, and the listing and bucket that list its lessons.
        XCTAssertEqual(paths.filter { $0.hasPrefix("objects/") }.count, 5 + 2)
        XCTAssertEqual(Set(paths.filter { $0.hasPrefix("objects/") }).intersection(try f.listingObjects(1).map { ChannelPath.object($0.sha256) }).count, 2)
        XCTAssertEqual(report.bytesDownloaded, bytes, "every byte fetched is counted, metadata and signatures included")
        f.assertStore(release: 1)
        XCTAssertEqual(try f.store.current()?.holdings, ["demo": ["en"]])
    }

    func testOneLessonEditFetchesTheDiffAndThatLessonOnly() throws {
        let f = try SyncFixture()
        try f.publish()
        try f.sync(subscription: demoEN)
        try f.lesson("demo", 2, "The group meets every week and saves a little more than before. Lesson 2 of demo.")
        try f.publish()
        f.server?.clearLog()
        let report = try f.sync()
        XCTAssertEqual(report.method, .diff)
        XCTAssertEqual([report.fromRelease, report.toRelease], [1, 2])
        XCTAssertEqual(report.lessonsChanged, ["demo/en/demo-2"])
        XCTAssertEqual(report.lessonsAdded + report.lessonsRemoved, [])
        XCTAssertEqual(report.objectsFetched, 1)
        let (paths, bytes) = try fetched(f)
        XCTAssertEqual(Self.inOrder(paths.filter { !$0.hasPrefix("objects/") }), ["latest.json", "latest.json.minisig", "diffs/1-2.json", "diffs/1-2.json.minisig"],
                       "the key list is not fetched again while latest.json verifies with the key the store has")
        XCTAssertEqual(paths.filter { $0.hasPrefix("objects/") }.count, 1)
        XCTAssertEqual(report.bytesDownloaded, bytes)
        f.assertStore(release: 2)

        f.server?.clearLog()
        let again = try f.sync()
        XCTAssertTrue(again.upToDate)
        XCTAssertEqual([again.fromRelease, again.toRelease], [2, 2])
        XCTAssertEqual(again.objectsFetched, 0)
        XCTAssertEqual(Self.inOrder(try fetched(f).paths), ["latest.json", "latest.json.minisig"])
        XCTAssertEqual(again.bytesDownloaded, f.size("latest.json") + f.size("latest.json.minisig"))
        XCTAssertEqual(again.lines, ["up to date: the store holds release 2 (demo in en); checking cost \(SyncReport.bytes(again.bytesDownloaded))"])
        f.assertStore(release: 2)
    }

    func testARenewedExpiryIsRecordedWithoutANewRelease() throws {
        let f = try SyncFixture(otherLessons: 0, locales: [])
        try f.publish()
        try f.sync()
        let before = try XCTUnwrap(f.store.current()?.expires)
        XCTAssertEqual(try f.publish(), 1, "unchanged sources: no new release, a renewed latest.json")
        let report = try f.sync()
        XCTAssertTrue(report.upToDate)
        XCTAssertEqual(report.objectsFetched, 0)
        XCTAssertEqual(try f.store.current()?.expires, before + 60, "the store keeps the newest latest.json")
        f.assertStore(release: 1)
    }

    func testAnEditInAnUnsubscribedCurriculumCostsOnlyLatestAndTheDiff() throws {
        let f = try SyncFixture()
        try f.publish()
        try f.sync(subscription: demoEN)
        try f.lesson("other", 1, "A new text for another curriculum.")
        try f.publish()
        f.server?.clearLog()
        let report = try f.sync()
        XCTAssertEqual(report.toRelease, 2)
        XCTAssertEqual(report.objectsFetched, 0)
        XCTAssertEqual(report.lessonsChanged, [])
        XCTAssertEqual(Self.inOrder(try fetched(f).paths), ["latest.json", "latest.json.minisig", "diffs/1-2.json", "diffs/1-2.json.minisig"])
        f.assertStore(release: 2)
    }

    func testAddedAndRemovedLessonsAndUnusedObjectsAreRemoved() throws {
        let f = try SyncFixture()
        try f.publish()
        try f.sync(subscription: demoEN)
        let gone = try f.object("demo", "en", "demo-3", release: 1)
        try f.removeLesson("demo", 3)
        try f.lesson("demo", 4, "A fourth lesson.")
        try f.publish()
        let report = try f.sync()
        XCTAssertEqual(report.lessonsAdded, ["demo/en/demo-4"])
        XCTAssertEqual(report.lessonsRemoved, ["demo/en/demo-3"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.store.objectURL(gone.sha256).path), "garbage-collected after the switch")
        let state = try XCTUnwrap(f.store.loadCurrent()).state
        func files(_ folder: String) throws -> Set<String> {
            let path = f.storeURL.appendingPathComponent(folder).path
            guard FileManager.default.fileExists(atPath: path) else { return [] }
            return Set(try FileManager.default.subpathsOfDirectory(atPath: path).filter { $0.count > 3 }.map { String($0.dropFirst(3)) })
        }
        // Exactly what the release needs: objects as downloaded, and lessons rebuilt from deltas.
        XCTAssertEqual(try files("objects"), Set(state.objects.map(\.sha256).filter { state.contents[$0] == nil }))
        XCTAssertEqual(try files("contents"), Set(state.contents.values.map(\.sha256)))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: f.storeURL.appendingPathComponent("states").path).count, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: f.store.partialURL.path), [])
        f.assertStore(release: 2)
    }

    func testDeltasRebuildChangedLessonsAndLaterDeltasBuildOnThem() throws {
        let f = try SyncFixture()
        let long = (1...40).map { "Sentence \($0) of a long lesson that members read aloud together." }.joined(separator: " ")
        try f.lesson("demo", 2, long)
        try f.publish()
        try f.sync(subscription: demoEN)
        for (step, edit) in ["Members agree on one more rule.", "They write it in the record book."].enumerated() {
            try f.lesson("demo", 2, long + " " + edit)
            let release = try f.publish()
            let diff = try DiffDocument(data: Data(contentsOf: f.channelFile(ChannelPath.diff(from: release - 1, to: release))), path: "diff")
            let change = try XCTUnwrap(diff.changes.first { $0.key.id == "demo-2" && $0.key.locale == "en" })
            let delta = try XCTUnwrap(change.delta, "publish offers a delta for a small edit of a long lesson")
            f.server?.clearLog()
            let report = try f.sync()
            XCTAssertEqual(report.deltasApplied, 1, "step \(step)")
            XCTAssertEqual(report.lessonsChanged, ["demo/en/demo-2"])
            XCTAssertEqual(try fetched(f).paths.filter { $0.hasPrefix("objects/") }, [ChannelPath.object(delta.delta.sha256)],
                           "only the delta is downloaded, not the whole lesson")
            f.assertStore(release: release)
            let lesson = try XCTUnwrap(f.store.current()).lesson(id: "demo-2", locale: "en")
            let object = try Gzip.decompress(Data(contentsOf: f.channelFile(ChannelPath.object(change.object!.sha256))), maxSize: 1 << 20)
            XCTAssertEqual(lesson, object, "the rebuilt lesson is the published one")
        }
    }

    func testReadAPIListsCurriculaUnitsAndLessonsWithFallbacks() throws {
        let f = try SyncFixture()
        try f.publish()
        try f.sync()
        let release = try XCTUnwrap(f.store.current())
        XCTAssertEqual(release.release, 1)
        XCTAssertEqual(release.holdings, ["demo": ["en", "fr"], "other": ["en", "fr"]])
        XCTAssertEqual(release.subscription, .everything)

        let french = try release.curricula(locale: "fr")
        XCTAssertEqual(french.map(\.id), ["demo", "other"])
        XCTAssertEqual(french[0].title, "Demo curriculum")
        XCTAssertEqual(french[0].locale, "fr")
        XCTAssertFalse(french[0].isLocaleFallback)
        XCTAssertEqual(french[0].lessonCount, 3)
        // A locale the store does not hold falls back to the curriculum's source language.
        let swahili = try release.curricula(locale: "sw")
        XCTAssertEqual(swahili.map(\.locale), ["en", "en"])
        XCTAssertTrue(swahili[0].isLocaleFallback)

        let outline = try release.outline(curriculum: "demo", locale: "fr")
        guard case .unit(let unit)? = outline.items.first else { return XCTFail("expected a unit first: \(outline.items)") }
        XCTAssertEqual(unit.title, "Basics")
        XCTAssertEqual(outline.lessons.map(\.id), ["demo-1", "demo-2", "demo-3"])
        XCTAssertEqual(outline.lessons.map(\.isFallback), [true, true, true], "French lessons are untranslated: English text")
        XCTAssertEqual(outline.lessons[0].title, "Lesson 1 of demo")
        XCTAssertEqual(outline.lessons[0].duration, "20 min")
        XCTAssertEqual(outline.lessons[0].units, ["Basics"])
        XCTAssertEqual(outline.lessons.map(\.direction), [.ltr, .ltr, .ltr])
        XCTAssertEqual(try release.outline(curriculum: "demo", locale: "en").lessons.map(\.isFallback), [false, false, false])

        let lesson = try release.lessonJSON(id: "demo-2", locale: "en")
        XCTAssertEqual(lesson["id"], "demo-2")
        XCTAssertEqual(lesson["title"], "Lesson 2 of demo")
        XCTAssertEqual(lesson["locale"], "en")
        let published = try Gzip.decompress(Data(contentsOf: f.channelFile(ChannelPath.object(f.object("demo", "fr", "demo-2", release: 1).sha256))), maxSize: 1 << 20)
        XCTAssertEqual(try release.lesson(id: "demo-2", locale: "fr", curriculum: "demo"), published)
        XCTAssertEqual(try release.asset("assets/box.svg", curriculum: "demo"),
                       try Data(contentsOf: f.root.appendingPathComponent("content/demo/assets/box.svg")))

        XCTAssertThrowsError(try release.lesson(id: "nope", locale: "en")) {
            XCTAssertEqual($0 as? StoreError, StoreError("no lesson 'nope' in the store (release 1)"))
        }
        XCTAssertThrowsError(try release.outline(curriculum: "nope", locale: "en")) {
            XCTAssertEqual($0 as? StoreError, StoreError("the store does not hold curriculum 'nope' (release 1)"))
        }
    }

    func testReadingADamagedObjectSaysSoAndSyncRepairsIt() throws {
        let f = try SyncFixture()
        try f.publish()
        try f.sync(subscription: demoEN)
        let ref = try f.object("demo", "en", "demo-2", release: 1)
        let url = f.store.objectURL(ref.sha256)
        var data = try Data(contentsOf: url)
        data[5] ^= 0xFF
        try data.write(to: url)
        XCTAssertThrowsError(try f.store.current()!.lesson(id: "demo-2", locale: "en")) {
            XCTAssertEqual($0 as? StoreError, StoreError("\(url.path): damaged (its hash or size is wrong); run sync again to repair it"))
        }
        XCTAssertEqual(f.store.check().problems, ["\(url.path): damaged (its hash or size is wrong); run sync again to repair it"])
        try FileManager.default.removeItem(at: url)
        let report = try f.sync()
        XCTAssertEqual(report.objectsFetched, 1, "a missing object of the current release is fetched again")
        f.assertStore(release: 1)
    }

    func testTheSubscriptionIsKeptAndCanChange() throws {
        let f = try SyncFixture()
        try f.publish()
        try f.sync(subscription: demoEN)
        try f.lesson("demo", 1, "Changed.")
        try f.publish()
        XCTAssertEqual(try f.sync().subscription, demoEN, "a later sync uses the stored subscription")
        let wider = Subscription(curricula: ["demo", "other"], locales: ["en", "fr"])
        let report = try f.sync(subscription: wider)
        XCTAssertEqual([report.fromRelease, report.toRelease], [2, 2])
        XCTAssertEqual(report.method, .manifest)
        XCTAssertEqual(report.lessonsAdded.count, 3 + 2 + 2)
        // demo's French lessons, other's index and its four lessons: demo's index and picture are held.
        XCTAssertEqual(report.lines.first, "subscription changed at release 2 (now demo, other in en, fr): 7 lessons added, 0 changed, 0 removed; 8 objects fetched, \(SyncReport.bytes(report.bytesDownloaded)) downloaded")
        XCTAssertEqual(try f.store.current()?.holdings, ["demo": ["en", "fr"], "other": ["en", "fr"]])
        f.assertStore(release: 2)
        let narrower = try f.sync(subscription: Subscription(curricula: ["other"], locales: nil))
        XCTAssertEqual(narrower.lessonsRemoved.count, 6)
        XCTAssertEqual(narrower.objectsFetched, 0)
        XCTAssertEqual(try f.store.current()?.holdings, ["other": ["en", "fr"]])
        f.assertStore(release: 2)
    }

    func testUnknownCurriculumOrLocaleIsRefusedInWords() throws {
        let f = try SyncFixture()
        try f.publish()
        let e1 = f.syncError { try f.sync(subscription: Subscription(curricula: ["dmo"], locales: nil)) }
        XCTAssertEqual(e1, SyncError(.source, "curriculum 'dmo' is not in release 1 of the channel; it has demo, other"))
        let e2 = f.syncError { try f.sync(subscription: Subscription(curricula: ["demo"], locales: ["sw"])) }
        XCTAssertEqual(e2, SyncError(.source, "no subscribed curriculum is available in locale 'sw' in release 1; available: en, fr"))
        f.assertStore(release: nil)
    }

    func testFolderAndPackSources() throws {
        let f = try SyncFixture()
        try f.publish()
        let report = try f.sync(from: "file://" + f.channel.path, subscription: demoEN)
        XCTAssertEqual(report.toRelease, 1)
        XCTAssertEqual(report.objectsFetched, 5)
        f.assertStore(release: 1)

        let packStore = f.dir.appendingPathComponent("pack-store")
        var o = SyncOptions(source: f.channelFile(ChannelPath.pack(1, curriculum: "other", locale: "fr")).path, store: packStore,
                            trustedKeys: [f.key.publicKey])
        let fromPack = try Sync.run(o)
        XCTAssertEqual(fromPack.subscription, Subscription(curricula: ["other"], locales: ["fr"]), "a pack's own curriculum and locale")
        XCTAssertEqual(fromPack.lessonsAdded, ["other/fr/other-1", "other/fr/other-2"])
        XCTAssertEqual(DeviceStore(packStore).check(trusting: [f.key.publicKey]).problems, [])
        XCTAssertNil(try DeviceStore(packStore).current()?.expires, "a pack has no expiry")

        o.subscription = Subscription(curricula: ["demo", "other"], locales: ["fr"])
        XCTAssertThrowsError(try Sync.run(o)) {
            XCTAssertEqual($0 as? SyncError, SyncError(.source, "the pack holds only other in fr, but the store also subscribes to demo in fr, whose lessons it does not have; sync from the channel, or narrow the subscription with --curricula and --locales"))
        }
        XCTAssertEqual(DeviceStore(packStore).check().release, 1)
    }

    func testResumesAPartialDownloadWithARangeRequest() throws {
        let f = try SyncFixture()
        try f.publish()
        let ref = try f.object("demo", "en", "demo-2", release: 1)
        let whole = try Data(contentsOf: f.channelFile(ChannelPath.object(ref.sha256)))
        try FileManager.default.createDirectory(at: f.store.partialURL, withIntermediateDirectories: true)
        try whole.prefix(ref.size / 2).write(to: f.store.partURL(ref.sha256))
        let report = try f.sync(subscription: demoEN)
        let request = try XCTUnwrap(f.server?.requests().first { $0.path == "/" + ChannelPath.object(ref.sha256) })
        XCTAssertEqual(request.headers["Range"], "bytes=\(ref.size / 2)-")
        XCTAssertEqual(report.bytesDownloaded, try fetched(f).bytes - ref.size / 2, "only the missing half was downloaded")
        f.assertStore(release: 1)
    }

    func testObjectsAlreadyFetchedAreNotFetchedAgainAfterAFailedSync() throws {
        let f = try SyncFixture()
        try f.publish()
        try f.sync(subscription: demoEN)
        for n in 4...7 { try f.lesson("demo", n, "New lesson \(n).") }
        try f.publish()
        let added = try (4...7).map { try f.object("demo", "en", "demo-\($0)", release: 2) }.sorted { $0.sha256 < $1.sha256 }
        // One at a time, in hash order: the last one fails after the others are in place.
        let server = try f.startServer()
        try server.faults([["path": ChannelPath.object(added.last!.sha256), "fault": "404", "times": -1]])
        let error = f.syncError { try f.sync { $0.concurrency = 1 } }
        XCTAssertEqual(error, SyncError(.source, "\(ChannelPath.object(added.last!.sha256)): not found"))
        f.assertStore(release: 1)
        for ref in added.dropLast() { XCTAssertTrue(FileManager.default.fileExists(atPath: f.store.objectURL(ref.sha256).path)) }

        try server.clearFaults()
        server.clearLog()
        let report = try f.sync()
        XCTAssertEqual(report.objectsFetched, 1)
        XCTAssertEqual(try fetched(f).paths.filter { $0.hasPrefix("objects/") }, [ChannelPath.object(added.last!.sha256)])
        f.assertStore(release: 2)
    }

    func testPlainGETsWithConstantHeadersAndNoCookies() throws {
        let f = try SyncFixture()
        try f.publish()
        let server = try f.startServer()
        // The server tries to set a cookie on every answer; the client must never send it back.
        try server.faults([["path": "*", "fault": "cookie", "times": -1]])
        try f.sync(subscription: demoEN)
        try f.lesson("demo", 2, "Changed.")
        try f.publish()
        try f.sync()
        try f.sync()
        let requests = try server.requests()
        XCTAssertGreaterThan(requests.count, 10)
        let allowed: Set<String> = ["Host", "User-Agent", "Accept", "Accept-Language", "Accept-Encoding", "Connection", "Range"]
        for r in requests {
            XCTAssertFalse(r.path.contains("?") || r.path.contains("#"), r.path)
            XCTAssertTrue(Set(r.headers.keys).isSubset(of: allowed), "\(r.path): \(r.headers.keys.sorted())")
            XCTAssertEqual(r.headers["User-Agent"], "lessonc-sync/1")
            XCTAssertEqual(r.headers["Accept"], "*/*")
            XCTAssertEqual(r.headers["Accept-Language"], "*")
            XCTAssertEqual(r.headers["Accept-Encoding"], "identity")
            XCTAssertEqual(r.headers["Host"], "127.0.0.1:\(server.port)")
            XCTAssertNil(r.headers["Range"], "nothing was resumed here")
        }
    }

    func testTheSourceMustBeAChannelAndTheURLPlain() throws {
        let f = try SyncFixture()
        try f.publish()
        let server = try f.startServer()
        let cases: [(String, SyncError)] = [
            (server.url + "/channel?device=42", SyncError(.source, "\(server.url)/channel?device=42: a channel URL has no query string, fragment, user name or password; sync sends plain GETs of static files")),
            ("http://user:secret@127.0.0.1:\(server.port)", SyncError(.source, "http://user:secret@127.0.0.1:\(server.port): a channel URL has no query string, fragment, user name or password; sync sends plain GETs of static files")),
            (server.url + "/nothing-here", SyncError(.source, "\(server.url)/nothing-here: no latest.json; this is not a lessonc channel (or the URL is wrong)")),
            ("ftp://example.org/channel", SyncError(.source, "ftp://example.org/channel: unsupported scheme 'ftp'; use http://, https://, file:// or a path")),
            (f.dir.appendingPathComponent("missing").path, SyncError(.source, "\(f.dir.appendingPathComponent("missing").path) does not exist")),
        ]
        for (source, expected) in cases {
            XCTAssertEqual(f.syncError { try f.sync(from: source) }, expected, source)
        }
        f.assertStore(release: nil)
    }

    func testOneSyncAtATime() throws {
        let f = try SyncFixture()
        try f.publish()
        let writer = try StoreWriter(f.store)
        defer { writer.unlock() }
        XCTAssertEqual(f.syncError { try f.sync() }, SyncError(.store, "another sync is updating \(f.storeURL.path)"))
    }
}

extension SyncFixture {
    /// A sync from the server with options adjusted by `configure`.
    @discardableResult
    func sync(_ configure: (inout SyncOptions) -> Void) throws -> SyncReport {
        var o = SyncOptions(source: try startServer().url, store: storeURL, trustedKeys: [key.publicKey])
        o.timeout = 5
        o.retries = 1
        o.retryPause = 0.01
        configure(&o)
        return try Sync.run(o)
    }
}
