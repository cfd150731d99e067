import Foundation
import XCTest

/// conformance/: `lessonc sync` passes every vector through the runner other clients use, the
/// runner fails a client that accepts what it must refuse, and the committed vectors are what
/// the generator makes (so they are never edited by hand or left stale after a format change).
final class ConformanceTests: XCTestCase {
    static let repo = SchemaTests.repo
    static var conformance: URL { repo.appendingPathComponent("conformance") }

    func runner(_ args: [String], env: [String: String] = [:]) throws -> Run {
        var environment = ProcessInfo.processInfo.environment
        environment["LESSONC"] = Run.lessonc
        environment.merge(env) { $1 }
        return try Run("/usr/bin/python3", [Self.conformance.appendingPathComponent("run").path] + args, environment: environment)
    }

    func testLessoncSyncPassesEveryVector() throws {
        let r = try runner([])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let vectors = try FileManager.default.contentsOfDirectory(atPath: Self.conformance.appendingPathComponent("vectors").path)
            .filter { $0.hasSuffix(".json") }
        XCTAssertGreaterThanOrEqual(vectors.count, 21)
        XCTAssertTrue(r.stdout.contains("# conformance: \(vectors.count) vectors ("), r.stdout)
        XCTAssertTrue(r.stdout.contains(", \(vectors.count) passed, 0 failed"), r.stdout)
        for name in ["update-sequence", "delta-over-32k", "pack-install", "rollback", "freeze", "expired", "wrong-key", "forged-rotation",
                     "oversize", "path-traversal", "pack-path-traversal", "duplicate-keys", "mix-and-match", "tampered-object",
                     "tampered-manifest", "tampered-diff", "tampered-delta"] {
            XCTAssertTrue(r.stdout.contains(" - \(name)\n"), "vector \(name) did not run: \(r.stdout)")
        }
    }

    /// A client that accepts everything (and stores nothing) fails every bad vector and every
    /// good one: the runner can fail.
    func testTheRunnerFailsAClientThatAcceptsEverything() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let client = work.appendingPathComponent("yes-client")
        try "#!/bin/sh\nif [ \"$1\" = dump ]; then echo '{\"release\": 0, \"items\": {}}'; fi\nexit 0\n".write(to: client, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: client.path)
        let r = try runner(["--only", "rollback,wrong-key,update-sequence", client.path])
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertTrue(r.stdout.contains("not ok 1 - rollback: step 1 (release 1): the store holds the wrong release: release 0, expected 1"), r.stdout)
        XCTAssertTrue(r.stdout.contains("not ok 3 - wrong-key: step 1 (refuse: untrusted key): the client accepted it; it must refuse (untrusted)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("# conformance: 3 vectors (11 steps), 0 passed, 3 failed"), r.stdout)
    }

    /// A client that refuses, but leaves a changed store behind, fails too.
    func testTheRunnerFailsARefusalThatChangesTheStore() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let client = work.appendingPathComponent("messy-client")
        let adapter = Self.conformance.appendingPathComponent("clients/lessonc").path
        // Syncs as lessonc does, but on a refusal empties the store first.
        try """
        #!/bin/sh
        "\(adapter)" "$@"; status=$?
        if [ "$1" = sync ] && [ $status -ne 0 ]; then
            while [ "$1" != --into ]; do shift; done
            rm -f "$2/CURRENT"
        fi
        exit $status
        """.write(to: client, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: client.path)
        let r = try runner(["--only", "rollback", client.path])
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertTrue(r.stdout.contains("not ok 1 - rollback: step 3 (refuse: release 1 is older than the store's 2): refused, but the store changed: release 0, expected 2"), r.stdout)
    }

    func testRunnerUsage() throws {
        let r = try runner(["--only", "no-such-vector"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("conformance/run: no vector named no-such-vector; see --list"), r.stderr)
        let list = try runner(["--list"])
        XCTAssertEqual(list.status, 0)
        XCTAssertTrue(list.stdout.contains("rollback"), list.stdout)
    }

    /// The generator run afresh gives the committed files byte for byte: the vectors are
    /// reproducible, and a format change that forgets to regenerate them fails here.
    func testGeneratorReproducesTheCommittedVectors() throws {
        guard Run.which("minisign") != nil else { throw XCTSkip("minisign is not installed (scripts/setup.sh test installs it)") }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-conformance-\(UUID().uuidString)")
        let copy = work.appendingPathComponent("conformance")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.copyItem(at: Self.conformance, to: copy)
        let r = try Run("/usr/bin/python3", [copy.appendingPathComponent("generate").path, "--lessonc", Run.lessonc])
        XCTAssertEqual(r.status, 0, r.stderr)
        for dir in ["channels", "vectors"] {
            let d = try Run("/usr/bin/diff", ["-r", "-q", Self.conformance.appendingPathComponent(dir).path, copy.appendingPathComponent(dir).path])
            XCTAssertEqual(d.status, 0, "conformance/\(dir) differs from what conformance/generate makes; run it and commit:\n\(d.stdout)")
        }
    }
}
