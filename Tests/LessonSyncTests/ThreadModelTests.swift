import Foundation
import Synchronization
import XCTest
import LessonChannel
import LessonSupport
@testable import LessonSync

/// How a sync uses threads (`Sync`, `Downloader`, `HTTPFetcher`): at most `concurrency`
/// downloads at once, none started after a failure, and the async API usable from async code.
final class ThreadModelTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-threads-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// Serves objects from memory, each download taking a while, and records how many are in
    /// flight at once; the download of `failing` fails.
    final class SlowFetcher: Fetcher {
        struct Counts { var inFlight = 0, most = 0, started = 0 }
        let objects: [String: Data]
        let failing: String?
        let counts = Mutex(Counts())
        init(_ objects: [String: Data], failing: String? = nil) { self.objects = objects; self.failing = failing }
        var origin: String { "memory" }
        var bytesDownloaded: Int { 0 }
        func fetch(_ path: String, limit: Int) async throws -> Data? { objects[path] }
        func download(_ path: String, size: Int, into part: URL) async throws {
            counts.withLock { c in c.inFlight += 1; c.started += 1; c.most = max(c.most, c.inFlight) }
            defer { counts.withLock { $0.inFlight -= 1 } }
            try await Task.sleep(nanoseconds: 30_000_000)
            if path == failing { throw FetchFailure.notFound }
            try FileIO.write(objects[path]!, to: part.path)
        }
        func close() {}
    }

    func objects(_ n: Int) -> (refs: [ObjectRef], files: [String: Data]) {
        var refs: [ObjectRef] = [], files: [String: Data] = [:]
        for i in 0..<n {
            let data = Gzip.compress(Data("object \(i)".utf8))
            let ref = ObjectRef(of: data)
            refs.append(ref)
            files[ChannelPath.object(ref.sha256)] = data
        }
        return (refs.sorted { $0.sha256 < $1.sha256 }, files)
    }

    func downloader(_ fetcher: SlowFetcher, writer: StoreWriter, width: Int) -> Downloader {
        Downloader(fetcher: fetcher, writer: writer, retry: RetryPolicy(retries: 0, pause: 0), held: nil, width: width, progress: nil)
    }

    func testAtMostConcurrencyDownloadsAreInFlight() async throws {
        let (refs, files) = objects(10)
        let writer = try StoreWriter(DeviceStore(dir.appendingPathComponent("store")))
        defer { writer.unlock() }
        let fetcher = SlowFetcher(files)
        let outcome = try await downloader(fetcher, writer: writer, width: 3).run(ObjectPlan(fetch: refs))
        XCTAssertEqual(outcome.fetched, 10)
        XCTAssertEqual(fetcher.counts.withLock { $0.most }, 3)
        for ref in refs { XCTAssertEqual(DeviceStore.fileSize(writer.store.objectURL(ref.sha256)), ref.size) }
    }

    /// After a download fails no new one starts; those running finish (and are kept), then the
    /// failure is thrown.
    func testNoDownloadStartsAfterAFailure() async throws {
        let (refs, files) = objects(12)
        let writer = try StoreWriter(DeviceStore(dir.appendingPathComponent("store")))
        defer { writer.unlock() }
        let fetcher = SlowFetcher(files, failing: ChannelPath.object(refs[1].sha256))
        do {
            _ = try await downloader(fetcher, writer: writer, width: 2).run(ObjectPlan(fetch: refs))
            XCTFail("the download should have failed")
        } catch let e as SyncError {
            XCTAssertEqual(e, SyncError(.source, "\(ChannelPath.object(refs[1].sha256)): not found"))
        }
        let counts = fetcher.counts.withLock { $0 }
        XCTAssertEqual(counts.inFlight, 0, "every download had ended when the error was thrown")
        XCTAssertLessThanOrEqual(counts.started, 3, "the two first, and at most one started while the failing one ran")
        XCTAssertEqual(DeviceStore.fileSize(writer.store.objectURL(refs[0].sha256)), refs[0].size, "a download that finished is kept")
    }

    /// Apps in Swift concurrency call the async form; the blocking form is for everyone else.
    func testSyncRunsFromAsyncCode() async throws {
        let f = try SyncFixture(otherLessons: 0, locales: [])
        try f.publish()
        var o = SyncOptions(source: f.channel.path, store: f.storeURL, trustedKeys: [f.key.publicKey])
        let phases = Mutex<[SyncProgress.Phase]>([])
        o.progress = { p in phases.withLock { $0.append(p.phase) } }
        let report = try await Sync.run(o)
        XCTAssertEqual(report.toRelease, 1)
        XCTAssertEqual(report.method, .manifest)
        XCTAssertEqual(Set(phases.withLock { $0 }), [.checking, .downloading, .switching, .cleaning])
        f.assertStore(release: 1)
    }
}
