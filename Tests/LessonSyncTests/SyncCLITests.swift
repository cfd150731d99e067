import Foundation
import XCTest
import LessonChannel
import LessonSupport
@testable import LessonSync

/// `lessonc sync` as a user runs it.
final class SyncCLITests: XCTestCase {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func lessonc(_ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CrashTests.lessonc)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func fixture() throws -> (SyncFixture, String) {
        let f = try SyncFixture()
        try f.publish()
        let pub = f.dir.appendingPathComponent("key.pub")
        try Data(f.key.publicKey.fileText.utf8).write(to: pub)
        return (f, pub.path)
    }

    func testHelpAndUsageErrors() throws {
        let help = try lessonc(["sync", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.hasPrefix("Usage: lessonc sync --from URL|DIR|PACK.zip --into DIR --pubkey BASE.pub"), help.stdout)
        XCTAssertTrue(try lessonc(["--help"]).stdout.contains("  sync       update a device store from a channel or offline pack, fetching only what changed"))
        let cases: [([String], String)] = [
            (["sync", "--from", "x"], "--into is required"),
            (["sync", "--into", "s"], "--from is required"),
            (["sync", "--from", "x", "--into", "s"], "--pubkey is required"),
            (["sync", "--from", "x", "--into", "s", "--pubkey", "k.pub", "--report", "xml"], "--report must be one of text, json, not 'xml'"),
            (["sync", "--from", "x", "--into", "s", "--pubkey", "k.pub", "--timeout", "0.5"], "--timeout must be a whole number from 1 to 3600, not '0.5'"),
            (["sync", "--from", "x", "--into", "s", "--pubkey", "k.pub", "--deadline", "0"], "--deadline must be a whole number from 1 to 86400, not '0'"),
            (["sync", "--check", "--into", "s", "--deadline", "5"], "--check takes only --into and --pubkey, not --deadline"),
            (["sync", "--from", "x", "--into", "s", "--pubkey", "k.pub", "--curricula", "a/b"], "--curricula must be a comma-separated list of names, or 'all', not 'a/b'"),
            (["sync", "--check", "--into", "s", "--from", "x"], "--check takes only --into and --pubkey, not --from"),
            (["sync", "--from", "x", "--into", "s", "--pubkey", "k.pub", "--bulk", "on"], "--bulk must be one of auto, off, not 'on'"),
            (["sync", "--check", "--into", "s", "--bulk", "off"], "--check takes only --into and --pubkey, not --bulk"),
            (["sync", "--from", "x", "--into", "s", "--pubkey", "k.pub", "--bulk-span", "10"], "--bulk-span must be a whole number from 4096 to 268435456, not '10'"),
        ]
        for (args, message) in cases {
            let r = try lessonc(args)
            XCTAssertEqual(r.status, 2, args.joined(separator: " "))
            XCTAssertEqual(r.stderr, "lessonc sync: \(message)\nRun 'lessonc sync --help' for usage.\n")
        }
    }

    /// The JSON report holds counts whatever the sync did; lesson ids only with --verbose.
    /// Progress goes to stderr only on a terminal or with --progress.
    func testReportIsCountsUnlessVerboseAndProgressOnlyWhenAsked() throws {
        let (f, pub) = try fixture()
        let store = f.storeURL.path
        let first = try lessonc(["sync", "--from", f.channel.path, "--into", store, "--pubkey", pub, "--report", "json"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stderr, "", "no progress when stderr is not a terminal")
        let report = try JSON.parse(first.stdout)
        XCTAssertNil(report["changes"])
        XCTAssertEqual(report["lessons_added"], 10, "demo (3) and other (2) in en and fr")
        XCTAssertEqual(report["objects_from_packs"], 0, "a local channel is read file by file")
        XCTAssertEqual(report["pack_requests"], 0)

        try f.lesson("demo", 2, "A changed text.")
        try f.publish()
        let second = try lessonc(["sync", "--from", f.channel.path, "--into", store, "--pubkey", pub, "--report", "json", "--verbose", "--progress"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(try JSON.parse(second.stdout)["changes"], ["added": [], "changed": ["demo/en/demo-2", "demo/fr/demo-2"], "removed": []])
        XCTAssertTrue(second.stderr.hasPrefix("lessonc sync: checking \(f.channel.path)\n"), second.stderr)
        XCTAssertTrue(second.stderr.contains("lessonc sync: switching the store to release 2\n"), second.stderr)

        // Words: every id with --verbose, none beyond 20 without.
        for n in 1...3 { try f.lesson("demo", n, "Release 3 text \(n).") }
        for n in 4...24 { try f.lesson("demo", n, "A new lesson \(n).") }
        try f.publish()
        let third = try lessonc(["sync", "--from", f.channel.path, "--into", store, "--pubkey", pub, "--verbose"])
        let listed = third.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("  ") }
        XCTAssertEqual(listed.filter { $0.hasPrefix("  added: ") }.count, 42, third.stdout)
        XCTAssertEqual(listed.filter { $0.hasPrefix("  changed: ") }.count, 6, third.stdout)
        XCTAssertTrue(third.stdout.hasPrefix("updated from release 2 to release 3 (all curricula in all locales): 42 lessons added, 6 changed, 0 removed; "), third.stdout)
    }

    /// On a terminal, progress is one line rewritten in place and cleared before the result.
    /// `script` (util-linux) gives the sync a terminal, one that can redraw a line (TERM=dumb gets none).
    func testProgressOnATerminalIsOneLineRewrittenInPlace() throws {
        let (f, pub) = try fixture()
        let command = ["TERM=xterm", CrashTests.lessonc, "sync", "--from", f.channel.path, "--into", f.storeURL.path, "--pubkey", pub].joined(separator: " ")
        let r = try run("/usr/bin/script", ["-qec", command, "/dev/null"])
        XCTAssertEqual(r.status, 0, r.stdout)
        let result = try XCTUnwrap(r.stdout.range(of: "installed release 1"), r.stdout)
        let progress = String(r.stdout[..<result.lowerBound])
        XCTAssertTrue(progress.hasPrefix("\r\u{1B}[Klessonc sync: checking \(f.channel.path)\r\u{1B}[Klessonc sync: fetching "), progress)
        XCTAssertTrue(progress.contains("\r\u{1B}[Klessonc sync: switching the store to release 1\r\u{1B}[K"), progress)
        XCTAssertFalse(progress.contains("\n"), "one line: \(progress)")
        XCTAssertTrue(progress.hasSuffix("\r\u{1B}[K"), "cleared before the result: \(progress)")
    }

    func run(_ tool: String, _ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: "")
    }

    func testReportJSONWordsAndTheStoredSubscription() throws {
        let (f, pub) = try fixture()
        let store = f.storeURL.path
        let channel = "file://" + f.channel.path
        let first = try lessonc(["sync", "--from", channel, "--into", store, "--pubkey", pub, "--curricula", "demo", "--locales", "en", "--report", "json", "--progress"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let report = try JSON.parse(first.stdout)
        XCTAssertEqual(report["from_release"], 0)
        XCTAssertEqual(report["to_release"], 1)
        XCTAssertEqual(report["objects_fetched"], 5)
        XCTAssertEqual(report["lessons_added"], 3)
        XCTAssertEqual(report["lessons_changed"], 0)
        XCTAssertEqual(report["lessons_removed"], 0)
        let metadata = ["latest.json", "keys.json", "releases/1/manifest.json"].reduce(0) { $0 + f.size($1) + f.size($1 + ".minisig") }
        let part = try XCTUnwrap(f.manifest(1).curricula["demo"]?.part("en"))
        let objects = part.objects.reduce(0) { $0 + $1.size } + (try f.listingObjects(1)).reduce(0) { $0 + $1.size }
        XCTAssertEqual(report["bytes_downloaded"]?.intValue, metadata + objects)
        XCTAssertTrue(first.stderr.contains("lessonc sync: switching the store to release 1\n"), first.stderr)

        // Only the locale changes: the stored curricula stay.
        let second = try lessonc(["sync", "--from", channel, "--into", store, "--pubkey", pub, "--locales", "en,fr"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.hasPrefix("subscription changed at release 1 (now demo in en, fr): 3 lessons added, 0 changed, 0 removed; 3 objects fetched, "), second.stdout)

        let upToDate = try lessonc(["sync", "--from", channel, "--into", store, "--pubkey", pub, "--report", "json"])
        let again = try JSON.parse(upToDate.stdout)
        XCTAssertEqual(again["from_release"], again["to_release"])
        XCTAssertEqual(again["objects_fetched"], 0)
        XCTAssertEqual(again["up_to_date"], true)
        XCTAssertEqual(again["subscription"], ["curricula": ["demo"], "locales": ["en", "fr"]])

        try f.lesson("demo", 3, "A changed text.")
        try f.publish()
        let third = try lessonc(["sync", "--from", channel, "--into", store, "--pubkey", pub])
        XCTAssertEqual(third.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("  ") }, ["  changed: demo/en/demo-3", "  changed: demo/fr/demo-3"])
        XCTAssertTrue(third.stdout.hasPrefix("updated from release 1 to release 2 (demo in en, fr): 0 lessons added, 2 changed, 0 removed; "), third.stdout)

        let check = try lessonc(["sync", "--check", "--into", store, "--pubkey", pub])
        XCTAssertEqual(check.status, 0)
        XCTAssertEqual(check.stdout, "\(store): ok, release 2, \(f.store.check().objectsChecked) objects checked, signature checked\n")
    }

    func testARefusedSyncExitsOneAndSaysTheStoreIsUnchanged() throws {
        let (f, pub) = try fixture()
        try f.flipByte(ChannelPath.manifest(1))
        let r = try lessonc(["sync", "--from", f.channel.path, "--into", f.storeURL.path, "--pubkey", pub])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stdout, "")
        XCTAssertTrue(r.stderr.hasSuffix("lessonc sync: releases/1/manifest.json: does not match the sha256 and size in latest.json; refused\nthe store \(f.storeURL.path) was not changed\n"), r.stderr)

        let check = try lessonc(["sync", "--check", "--into", f.storeURL.path])
        XCTAssertEqual(check.status, 0)
        XCTAssertEqual(check.stdout, "\(f.storeURL.path): empty (never synced)\n")
    }

    func testCheckNamesADamagedObject() throws {
        let (f, pub) = try fixture()
        XCTAssertEqual(try lessonc(["sync", "--from", f.channel.path, "--into", f.storeURL.path, "--pubkey", pub]).status, 0)
        let ref = try f.object("demo", "en", "demo-1", release: 1)
        try Data("damaged".utf8).write(to: f.store.objectURL(ref.sha256))
        let check = try lessonc(["sync", "--check", "--into", f.storeURL.path])
        XCTAssertEqual(check.status, 1)
        XCTAssertEqual(check.stdout, "\(f.store.objectURL(ref.sha256).path): damaged (its hash or size is wrong); run sync again to repair it\n")
        XCTAssertTrue(check.stderr.hasPrefix("\(f.storeURL.path): 1 problem (release 1, "), check.stderr)
    }
}
