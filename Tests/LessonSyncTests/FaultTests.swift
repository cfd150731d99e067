import Foundation
import XCTest
import LessonChannel
import LessonSupport
@testable import LessonSync

/// Every fault the test server can inject: the sync fails with a clear error (or retries and
/// succeeds), the store keeps its previous release whole, and a later sync completes.
final class FaultTests: XCTestCase {
    /// A store at release `n` and a channel with release `n + 1`: one lesson edited, one added.
    func nextRelease(_ f: SyncFixture, _ n: Int) throws {
        try f.lesson("demo", 2, "Edit \(n): the group meets every week and saves a little more.")
        try f.lesson("demo", 3 + n, "Lesson added in release \(n + 1).")
        XCTAssertEqual(try f.publish(), n + 1)
    }

    struct Case {
        var fault: String
        var kind: SyncError.Kind
        /// What the message says after the object's path.
        var says: String
        /// Whether one spoiled answer is retried away.
        var retried: Bool
    }

    func testEveryFaultOnObjects() throws {
        let cases = [
            Case(fault: "truncate", kind: .network, says: "the connection failed: transfer closed with", retried: true),
            Case(fault: "corrupt", kind: .integrity, says: "the bytes do not match the sha256 the channel signed; refused (2 attempts)", retried: true),
            Case(fault: "404", kind: .source, says: "not found", retried: false),
            Case(fault: "500", kind: .network, says: "the server answered HTTP 500 (2 attempts)", retried: true),
            Case(fault: "stall", kind: .network, says: "no data for 0.5 s: the transfer stalled (2 attempts)", retried: true),
            Case(fault: "reset", kind: .network, says: "the connection failed: ", retried: true),
            Case(fault: "oversize", kind: .integrity, says: "bytes it may have; refused (endless data)", retried: false),
            Case(fault: "endless", kind: .integrity, says: "bytes it may have; refused (endless data)", retried: false),
        ]
        let f = try SyncFixture(otherLessons: 0, locales: [])
        try f.publish()
        try f.sync()
        var release = 1
        let server = try f.startServer()
        for c in cases {
            try nextRelease(f, release)
            try server.faults([["path": "objects/*", "fault": c.fault, "times": -1]])
            // Only the stall case needs a short stall timeout; the others get room for a loaded machine.
            let timeout = c.fault == "stall" ? 0.5 : 15
            let error = f.syncError { try f.sync(timeout: timeout, retries: 1) }
            XCTAssertEqual(error?.kind, c.kind, c.fault)
            let message = error?.message ?? ""
            XCTAssertTrue(message.hasPrefix("objects/") && message.contains(c.says), "\(c.fault): \(message)")
            f.assertStore(release: release)
            XCTAssertEqual(try f.store.current()?.lesson(id: "demo-2", locale: "en").isEmpty, false, "\(c.fault): the old release can be read")

            if c.retried {
                // One spoiled answer: the retry gets a good one.
                try server.faults([["path": "objects/*", "fault": c.fault, "times": 1]])
            } else {
                try server.clearFaults()
            }
            let report = try f.sync(timeout: timeout, retries: 1)
            XCTAssertEqual([report.fromRelease, report.toRelease], [release, release + 1], c.fault)
            release += 1
            f.assertStore(release: release)
        }
    }

    func testFaultsOnMetadata() throws {
        let cases: [(path: String, fault: String, kind: SyncError.Kind, message: String)] = [
            ("latest.json", "500", .network, "latest.json: the server answered HTTP 500 (2 attempts)"),
            ("latest.json", "404", .source, "no latest.json; this is not a lessonc channel (or the URL is wrong)"),
            ("latest.json.minisig", "corrupt", .integrity, "latest.json: not a minisign signature (not text) (latest.json.minisig); refused"),
            ("latest.json", "oversize", .integrity, "latest.json: signature does not match the file (latest.json.minisig); refused"),
            ("latest.json", "endless", .integrity, "latest.json: more than the 65536 bytes it may have; refused (endless data)"),
            ("diffs/*", "stall", .network, "diffs/N.json: no data for 0.5 s: the transfer stalled (2 attempts)"),
            ("diffs/*.minisig", "404", .integrity, "diffs/N.json.minisig: missing; refused"),
            ("diffs/*.json", "corrupt", .integrity, "diffs/N.json: signature does not match the file (diffs/N.json.minisig); refused"),
        ]
        let f = try SyncFixture(otherLessons: 0, locales: [])
        try f.publish()
        try f.sync()
        var release = 1
        let server = try f.startServer()
        for c in cases {
            try nextRelease(f, release)
            try server.faults([["path": c.path, "fault": c.fault, "times": -1]])
            // Only the stall case needs a short stall timeout; the others get room for a loaded machine.
            let timeout = c.fault == "stall" ? 0.5 : 15
            let error = f.syncError { try f.sync(timeout: timeout, retries: 1) }
            let diff = "diffs/\(release)-\(release + 1)"
            let expected = c.message.replacingOccurrences(of: "diffs/N", with: diff)
            XCTAssertEqual(error, SyncError(c.kind, c.path == "latest.json" && c.fault == "404" ? "\(server.url): \(expected)" : expected), "\(c.path) \(c.fault)")
            f.assertStore(release: release)
            try server.clearFaults()
            XCTAssertEqual(try f.sync().toRelease, release + 1, "\(c.path) \(c.fault)")
            release += 1
            f.assertStore(release: release)
        }
    }

    func testAMissingDiffFallsBackToTheManifest() throws {
        let f = try SyncFixture(otherLessons: 0, locales: [])
        try f.publish()
        try f.sync()
        try f.lesson("demo", 2, "Changed.")
        try f.publish()
        try f.startServer().faults([["path": "diffs/*", "fault": "404", "times": -1]])
        let report = try f.sync()
        XCTAssertEqual(report.method, .manifest)
        XCTAssertEqual(report.lessonsChanged, ["demo/en/demo-2"])
        XCTAssertEqual(report.notes, ["diffs/1-2.json is missing; used the manifest instead"])
        f.assertStore(release: 2)
    }
}
