import Foundation
import XCTest
import LessonSupport
import Synchronization
@testable import LessonSync

/// `kill -9` of `lessonc sync` at many points of a large update: after each, the store holds the
/// old or the new release, whole, and the next sync completes without fetching again what the
/// killed one finished.
final class CrashTests: XCTestCase {
    /// The lessonc that `swift build` put beside the test bundle (LessonCompilerTests' `Run`
    /// lives in another test target, which this one cannot import).
    static let lessonc = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lessonc").path

    /// A running `lessonc sync`, its stderr collected as it arrives.
    final class SyncProcess {
        let process = Process()
        private let output = Output()

        /// stderr so far, and who waits for a marker in it: written on the pipe's thread.
        private final class Output: Sendable {
            private let state = Mutex<(text: String, waiting: (marker: String, times: Int, semaphore: DispatchSemaphore)?)>(("", nil))

            func append(_ chunk: String) {
                state.withLock { s in
                    s.text += chunk
                    if let w = s.waiting, Output.count(w.marker, in: s.text) >= w.times { s.waiting = nil; w.semaphore.signal() }
                }
            }

            /// Signals `semaphore` once stderr shows `marker` `times` times; true if it already does.
            func await(_ marker: String, times: Int, semaphore: DispatchSemaphore) -> Bool {
                state.withLock { s in
                    s.waiting = (marker, times, semaphore)
                    return Output.count(marker, in: s.text) >= times
                }
            }

            var text: String { state.withLock { $0.text } }

            static func count(_ marker: String, in text: String) -> Int { text.components(separatedBy: marker).count - 1 }
        }

        init(_ args: [String]) throws {
            process.executableURL = URL(fileURLWithPath: CrashTests.lessonc)
            process.arguments = args
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            let output = self.output
            err.fileHandleForReading.readabilityHandler = { h in
                output.append(String(decoding: h.availableData, as: UTF8.self))
            }
            try process.run()
        }

        /// Waits until stderr shows `marker` `times` times (or the process ends, or 10 s pass).
        func wait(for marker: String, times: Int) {
            let sem = DispatchSemaphore(value: 0)
            if output.await(marker, times: times, semaphore: sem) { return }
            let deadline = Date().addingTimeInterval(10)
            while sem.wait(timeout: .now() + 0.01) == .timedOut, process.isRunning, Date() < deadline {}
        }

        func kill9() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        var stderr: String { output.text }
    }

    /// A copy of a store whose files are hard links: a store never changes a file in place
    /// (it writes new ones and renames), so the copy stays as it was.
    func restore(_ from: URL, to: URL) throws {
        let fm = FileManager.default
        try? fm.removeItem(at: to)
        try fm.createDirectory(at: to, withIntermediateDirectories: true)
        for path in try fm.subpathsOfDirectory(atPath: from.path).sorted() {
            let source = from.appendingPathComponent(path), target = to.appendingPathComponent(path)
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: source.path, isDirectory: &isDir)
            if isDir.boolValue { try fm.createDirectory(at: target, withIntermediateDirectories: true) } else { try fm.linkItem(at: source, to: target) }
        }
    }

    func testKillNineAtManyPointsOfALargeUpdate() throws {
        let f = try SyncFixture(demoLessons: 200, otherLessons: 0, locales: [])
        let pub = f.dir.appendingPathComponent("key.pub")
        try Data(f.key.publicKey.fileText.utf8).write(to: pub)
        try f.publish()
        try f.sync(from: f.channel.path)
        let pristine = f.dir.appendingPathComponent("pristine-store")
        try FileManager.default.copyItem(at: f.storeURL, to: pristine)
        // Release 2 changes 190 lessons, adds 20 and removes 10: a few hundred objects to fetch.
        for n in 11...220 { try f.lesson("demo", n, "Release 2 text of lesson \(n): members save, lend and repay on time.") }
        for n in 1...10 { try f.removeLesson("demo", n) }
        XCTAssertEqual(try f.publish(), 2)
        let total = try f.manifest(2).objects.count
        XCTAssertGreaterThan(total, 200)

        let server = try f.startServer()
        // One object per request (a diff's update; bulk transfer has a test of its own below).
        let args = ["sync", "--from", server.url, "--into", f.storeURL.path, "--pubkey", pub.path, "--retries", "0", "--timeout", "5",
                    "--bulk", "off", "--progress"]
        // Kill points: 18 spread over time (start-up, metadata, downloads), then 4 at the moments
        // the sync reports reaching each later step (downloading, half way, the switch, cleaning).
        let delays = (0..<18).map { 0.005 + Double($0) * 0.035 }
        let markers = [("lessonc sync: fetching ", 1), (" objects\n", 6), ("switching the store", 1), ("removing what release 2", 1)]
        func heldFiles(_ store: URL) -> Int {
            ["objects", "contents"].reduce(0) { n, folder in
                n + ((try? FileManager.default.subpathsOfDirectory(atPath: store.appendingPathComponent(folder).path).filter { $0.count > 3 }.count) ?? 0)
            }
        }
        let pristineFiles = heldFiles(pristine)
        var outcomes: [String] = []
        var midDownload = 0
        var resumedWithRange = 0
        for point in 0..<(delays.count + markers.count) {
            try restore(pristine, to: f.storeURL)
            // Slow objects (two halves, 5 ms apart) so kills land mid-transfer.
            try server.faults([["path": "objects/*", "fault": "slow", "chunks": 2, "seconds": 0.005, "times": -1]])
            let p = try SyncProcess(args)
            if point < delays.count {
                Thread.sleep(forTimeInterval: delays[point])
            } else {
                let (marker, times) = markers[point - delays.count]
                p.wait(for: marker, times: times)
            }
            p.kill9()
            let killed = p.process.terminationReason == .uncaughtSignal
            let check = f.store.check(trusting: [f.key.publicKey])
            XCTAssertEqual(check.problems, [], "kill point \(point)")
            XCTAssertTrue(check.release == 1 || check.release == 2, "kill point \(point): release \(String(describing: check.release))")
            let parts = (try? FileManager.default.contentsOfDirectory(atPath: f.store.partialURL.path))?.count ?? 0
            let held = heldFiles(f.storeURL)
            if killed && check.release == 1 && (held > pristineFiles || parts > 0) { midDownload += 1 }
            outcomes.append("\(point):\(killed ? "killed" : "done")@\(check.release ?? 0),files=\(held),parts=\(parts)")

            // The next sync, against a healthy server, completes.
            try server.clearFaults()
            server.clearLog()
            let before = Set(try FileManager.default.subpathsOfDirectory(atPath: f.storeURL.appendingPathComponent("objects").path).filter { $0.count > 3 })
            var o = SyncOptions(source: server.url, store: f.storeURL, trustedKeys: [f.key.publicKey])
            o.retries = 0
            let report = try Sync.run(o)
            XCTAssertEqual(report.toRelease, 2, "kill point \(point)")
            f.assertStore(release: 2)
            let requests = try server.requests()
            let fetchedAgain = requests.filter { before.contains(String($0.path.dropFirst("/objects/".count))) }
            XCTAssertEqual(fetchedAgain.map(\.path), [], "kill point \(point): objects completed before the kill are not fetched again")
            resumedWithRange += requests.filter { $0.headers["Range"] != nil }.count
        }
        let summary = outcomes.joined(separator: " ")
        // The kills landed where they should: some mid-download (old release, objects already
        // fetched), some after the switch (new release).
        XCTAssertGreaterThanOrEqual(midDownload, 5, summary)
        XCTAssertGreaterThanOrEqual(outcomes.filter { $0.contains("killed@2") }.count, 1, summary)
        XCTAssertGreaterThan(resumedWithRange, 0, "some partial downloads were resumed with Range: \(summary)")
        print("kill points: \(summary); \(resumedWithRange) ranged resumptions")
    }

    /// kill -9 during a first sync that reads its objects from the pack in spans (bulk transfer):
    /// the store stays empty or holds the whole release, and the next sync fetches no object
    /// again that a killed one placed.
    func testKillNineDuringABulkSync() throws {
        let f = try SyncFixture(demoLessons: 400, otherLessons: 0, locales: [])
        let pub = f.dir.appendingPathComponent("key.pub")
        try Data(f.key.publicKey.fileText.utf8).write(to: pub)
        try f.publish()
        let server = try f.startServer()
        let total = try f.manifest(1).objects.count - f.manifest(1).listings.values.flatMap(\.values).reduce(0) { $0 + Set([$1.listing] + $1.buckets).count }
        let args = ["sync", "--from", server.url, "--into", f.storeURL.path, "--pubkey", pub.path, "--retries", "0", "--timeout", "5", "--progress",
                    "--bulk-span", "16384"]
        func placed() -> Set<String> {
            Set((try? FileManager.default.subpathsOfDirectory(atPath: f.storeURL.appendingPathComponent("objects").path).filter { $0.count > 3 }
                .map { String($0.split(separator: "/").last!) }) ?? [])
        }
        var outcomes: [String] = []
        var partial = 0
        for point in 0..<10 {
            try? FileManager.default.removeItem(at: f.storeURL)
            // Spans of 16 KiB (about 20 of them), each arriving in four pieces 20 ms apart, so
            // kills land while spans arrive and are placed.
            try server.faults([["path": "packs/*", "fault": "slow", "chunks": 4, "seconds": 0.02, "times": -1]])
            let p = try SyncProcess(args)
            // Six kills spread over time, then four as the sync reports spans placed (a line per tenth).
            if point < 6 { Thread.sleep(forTimeInterval: 0.1 + Double(point) * 0.1) } else { p.wait(for: " objects\n", times: point - 5) }
            p.kill9()
            let check = f.store.check(trusting: [f.key.publicKey])
            XCTAssertEqual(check.problems, [], "kill point \(point)")
            XCTAssertTrue(check.release == nil || check.release == 1, "kill point \(point)")
            let before = placed()
            if check.release == nil && !before.isEmpty { partial += 1 }
            outcomes.append("\(point):\(check.release ?? 0),placed=\(before.count)")

            try server.clearFaults()
            server.clearLog()
            var o = SyncOptions(source: server.url, store: f.storeURL, trustedKeys: [f.key.publicKey])
            o.retries = 0
            let report = try Sync.run(o)
            XCTAssertEqual(report.toRelease, 1, "kill point \(point)")
            f.assertStore(release: 1)
            let fetchedAgain = try server.requests().filter { before.contains(String($0.path.split(separator: "/").last ?? "")) }
            XCTAssertEqual(fetchedAgain.map(\.path), [], "kill point \(point)")
            if check.release == nil { XCTAssertEqual(report.objectsFetched, total - before.count, "kill point \(point): objects placed before the kill are kept") }
        }
        XCTAssertGreaterThanOrEqual(partial, 2, "some kills landed between spans: \(outcomes)")
        print("bulk kill points: \(outcomes.joined(separator: " "))")
    }
}
