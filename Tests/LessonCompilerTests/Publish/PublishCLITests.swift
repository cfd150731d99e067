import Foundation
import XCTest
@testable import LessonCompiler
import LessonChannel
import LessonSupport

/// Debian's minisign, gzip and unzip read what lessonc writes; the lessonc binary's errors.
final class PublishInteropTests: XCTestCase {
    func minisign() throws -> String {
        guard let path = Run.which("minisign") else { throw XCTSkip("the minisign binary is not installed (apt-get install minisign)") }
        return path
    }

    func testMinisignAcceptsLatestManifestDiffAndKeys() throws {
        let minisign = try minisign()
        let f = try ChannelFixture()
        try f.publish()
        try f.lesson(2, title: "Shares and the group fund", body: "## Start\n\nEdited.\n")
        try f.publish(now: ChannelFixture.now + 60)
        let pub = f.dir.appendingPathComponent("key.pub")
        try Data(f.key.publicKey.fileText.utf8).write(to: pub)
        for path in ["latest.json", "releases/2/manifest.json", "diffs/1-2.json", "keys.json", "releases/1/manifest.json"] {
            let run = try Run(minisign, ["-Vm", f.channel.appendingPathComponent(path).path, "-p", pub.path])
            XCTAssertEqual(run.status, 0, "\(path): \(run.stderr)")
            let release = path == "releases/1/manifest.json" || path == "keys.json" ? 1 : 2
            XCTAssertTrue(run.stdout.contains("Trusted comment: file:\(path)\trelease:\(release)"), run.stdout)
        }
        // And refuses a changed file.
        let latest = f.channel.appendingPathComponent("latest.json")
        try Data(try f.text("latest.json").replacingOccurrences(of: "\"release\":2", with: "\"release\":3").utf8).write(to: latest)
        let bad = try Run(minisign, ["-Vm", latest.path, "-p", pub.path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr, "Signature verification failed\n")
    }

    func testMinisignSignsWithAnEncryptedLessoncKeyAndLessoncReadsAMinisignKey() throws {
        let minisign = try minisign()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let message = dir.appendingPathComponent("message.txt")
        try Data("hello\n".utf8).write(to: message)

        // lessonc's encrypted key file → minisign -S (the passphrase on stdin, no terminal).
        let ours = MinisignSecretKey.generate()
        try Data(try ours.fileText(passphrase: "pass phrase", limits: .testOnly).utf8).write(to: dir.appendingPathComponent("ours.key"))
        let sign = try Run(minisign, ["-S", "-s", dir.appendingPathComponent("ours.key").path, "-m", message.path, "-t", "file:message.txt"], stdin: "pass phrase\n")
        XCTAssertEqual(sign.status, 0, sign.stderr)
        let sig = try MinisignSignature(fileData: Data(contentsOf: dir.appendingPathComponent("message.txt.minisig")))
        XCTAssertNoThrow(try sig.verify(Data(contentsOf: message), with: ours.publicKey))
        XCTAssertEqual(sig.trustedComment, "file:message.txt")

        // minisign -G -W key files → lessonc signs, minisign verifies.
        let gen = try Run(minisign, ["-G", "-W", "-p", dir.appendingPathComponent("theirs.pub").path, "-s", dir.appendingPathComponent("theirs.key").path])
        XCTAssertEqual(gen.status, 0, gen.stderr)
        let theirs = try MinisignSecretKey(fileData: Data(contentsOf: dir.appendingPathComponent("theirs.key")), passphrase: { XCTFail(); return "" })
        XCTAssertEqual(try MinisignPublicKey(fileData: Data(contentsOf: dir.appendingPathComponent("theirs.pub"))), theirs.publicKey)
        try theirs.sign(Data(contentsOf: message), trustedComment: "by lessonc").fileData.write(to: dir.appendingPathComponent("message.txt.minisig"))
        let verify = try Run(minisign, ["-Vm", message.path, "-p", dir.appendingPathComponent("theirs.pub").path])
        XCTAssertEqual(verify.status, 0, verify.stderr)
    }

    func testStandardToolsReadPacksAndObjects() throws {
        guard let unzip = Run.which("unzip") else { throw XCTSkip("unzip is not installed") }
        let f = try ChannelFixture()
        try f.publish()
        let pack = f.channel.appendingPathComponent("packs/1/demo-en.zip").path
        let test = try Run(unzip, ["-t", pack])
        XCTAssertEqual(test.status, 0, test.stdout + test.stderr)
        XCTAssertTrue(test.stdout.contains("No errors detected"), test.stdout)
        let object = try XCTUnwrap(try f.tree().keys.first { $0.hasPrefix("objects/") })
        let gunzip = try Run("/bin/gzip", ["-t", f.channel.appendingPathComponent(object).path])
        XCTAssertEqual(gunzip.status, 0, gunzip.stderr)
    }
}

final class PublishCLITests: XCTestCase {
    var lessonc: String { Run.lessonc }

    /// lessonc with a clean environment plus `env`.
    func run(_ args: [String], env: [String: String] = [:], cwd: URL? = nil) throws -> Run {
        guard FileManager.default.isExecutableFile(atPath: lessonc) else {
            XCTFail("\(lessonc) is missing: run swift build first"); return try Run("/bin/true", [])
        }
        return try Run(lessonc, args, environment: ["PATH": "/usr/bin:/bin"].merging(env) { $1 }, cwd: cwd)
    }

    func testKeygenPublishVerifyRoundTrip() throws {
        let f = try ChannelFixture()
        let base = f.dir.appendingPathComponent("dev").path
        let keygen = try run(["keygen", "--out", base, "--no-passphrase"])
        XCTAssertEqual(keygen.status, 0, keygen.stderr)
        let mode = try FileManager.default.attributesOfItem(atPath: base + ".key")[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        let again = try run(["keygen", "--out", base, "--no-passphrase"])
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stderr, "lessonc keygen: \(base).key already exists; use --force to replace it (the old key would be lost)\n")

        let env = ["SOURCE_DATE_EPOCH": String(ChannelFixture.now)]
        let publish = try run(["publish", "--root", f.root.path, "--channel", f.channel.path, "--key", base + ".key"], env: env)
        XCTAssertEqual(publish.status, 0, publish.stderr)
        XCTAssertEqual(publish.stdout, "\(f.channel.path): release 1 published\n")
        let same = try run(["publish", "--root", f.root.path, "--channel", f.channel.path, "--key", base + ".key"], env: env)
        XCTAssertEqual(same.status, 0, same.stderr)
        XCTAssertEqual(same.stdout, "\(f.channel.path): release 1 (unchanged)\n")
        XCTAssertTrue(same.stderr.contains("no changes since release 1: no new release\n"), same.stderr)

        let verify = try run(["verify", "--channel", f.channel.path, "--pubkey", base + ".pub"])
        XCTAssertEqual(verify.status, 0, verify.stdout)
        XCTAssertTrue(verify.stdout.hasPrefix("\(f.channel.path): ok, release 1: "), verify.stdout)
        let pack = try run(["verify", "--channel", f.channel.path + "/packs/1/demo-en.zip", "--pubkey", base + ".pub"])
        XCTAssertEqual(pack.status, 0, pack.stdout)

        // The secret key from the environment, as in CI.
        let keyText = try String(contentsOfFile: base + ".key", encoding: .utf8)
        try f.lesson(3, title: "Lending safely", body: "## Start\n\nChanged.\n")
        let ci = try run(["publish", "--root", f.root.path, "--channel", f.channel.path],
                         env: env.merging(["LESSONC_SECRET_KEY": keyText]) { $1 })
        XCTAssertEqual(ci.status, 0, ci.stderr)
        XCTAssertEqual(ci.stdout, "\(f.channel.path): release 2 published\n")

        let object = try XCTUnwrap(try f.tree().keys.sorted().first { $0.hasPrefix("objects/") })
        var bytes = try [UInt8](Data(contentsOf: f.channel.appendingPathComponent(object)))
        bytes[bytes.count / 2] ^= 0x80
        try Data(bytes).write(to: f.channel.appendingPathComponent(object))
        let broken = try run(["verify", "--channel", f.channel.path, "--pubkey", base + ".pub"])
        XCTAssertEqual(broken.status, 1)
        XCTAssertTrue(broken.stdout.hasPrefix("\(object): sha256 does not match its name ("), broken.stdout)
    }

    func testEncryptedKeyNeedsItsPassphrase() throws {
        let f = try ChannelFixture()
        let path = f.dir.appendingPathComponent("enc.key").path
        try Data(try f.key.fileText(passphrase: "secret words", limits: .testOnly).utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let args = ["publish", "--root", f.root.path, "--channel", f.channel.path, "--key", path]
        let none = try run(args)
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.stderr, "lessonc publish: \(path) is encrypted: set LESSONC_PASSPHRASE or run in a terminal to type the passphrase\n")
        let wrong = try run(args, env: ["LESSONC_PASSPHRASE": "other words"])
        XCTAssertEqual(wrong.stderr, "lessonc publish: \(path): wrong passphrase for this secret key\n")
        let right = try run(args, env: ["LESSONC_PASSPHRASE": "secret words"])
        XCTAssertEqual(right.status, 0, right.stderr)
    }

    func testBadKeysAndArgumentsGiveExactErrors() throws {
        let f = try ChannelFixture()
        let pub = f.dir.appendingPathComponent("k.pub").path
        try Data(f.key.publicKey.fileText.utf8).write(to: URL(fileURLWithPath: pub))
        let junk = f.dir.appendingPathComponent("junk.key").path
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: junk))
        let channel = f.channel.path
        let usage = "Run 'lessonc publish --help' for usage.\n"
        let cases: [([String], [String: String], Int32, String)] = [
            (["publish", "--key", junk], [:], 2, "lessonc publish: --channel is required\n" + usage),
            (["publish", "--channel", channel], [:], 2, "lessonc publish: needs --key FILE or the environment variable LESSONC_SECRET_KEY\n" + usage),
            (["publish", "--channel", channel, "--key", junk], ["LESSONC_SECRET_KEY": "x"], 2,
             "lessonc publish: give the secret key either with --key or in LESSONC_SECRET_KEY, not both\n" + usage),
            (["publish", "--channel", channel, "--key", junk, "--keep", "many"], [:], 2,
             "lessonc publish: --keep must be a whole number from 0 to 1000, not 'many'\n" + usage),
            (["publish", "--channel", channel, "--key", junk, "--expires-days", "0"], [:], 2,
             "lessonc publish: --expires-days must be a whole number from 1 to 3650, not '0'\n" + usage),
            (["publish", "--channel", channel, "--key", junk], ["SOURCE_DATE_EPOCH": "yesterday"], 2,
             "lessonc publish: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not 'yesterday'\n" + usage),
            (["publish", "--channel", channel, "--key", f.dir.appendingPathComponent("none.key").path], [:], 1,
             "lessonc publish: secret key file '\(f.dir.appendingPathComponent("none.key").path)' does not exist\n"),
            (["publish", "--channel", channel, "--key", pub], [:], 1, "lessonc publish: \(pub): this is a public key, not a secret key\n"),
            (["publish", "--channel", channel, "--key", junk], [:], 1,
             "lessonc publish: \(junk): not a minisign secret key (expected an untrusted comment line and a base64 line)\n"),
            (["publish", "--channel", channel], ["LESSONC_SECRET_KEY": "garbage"], 1,
             "lessonc publish: LESSONC_SECRET_KEY: not a minisign secret key (expected an untrusted comment line and a base64 line)\n"),
            (["verify", "--channel", channel], [:], 2, "lessonc verify: --pubkey is required\nRun 'lessonc verify --help' for usage.\n"),
            (["verify", "--channel", channel, "--pubkey", junk], [:], 1,
             "lessonc verify: \(junk): not a minisign public key (expected an untrusted comment line and a base64 line)\n"),
            (["verify", "--channel", f.dir.appendingPathComponent("nowhere").path, "--pubkey", pub], [:], 1,
             "lessonc verify: \(f.dir.appendingPathComponent("nowhere").path) does not exist\n"),
            (["verify", "--channel", junk, "--pubkey", pub], [:], 1, "lessonc verify: \(junk): not a ZIP file (no end of central directory)\n"),
            (["keygen"], [:], 2, "lessonc keygen: --out is required\nRun 'lessonc keygen --help' for usage.\n"),
            (["keygen", "--out", f.dir.appendingPathComponent("p").path], [:], 1,
             "lessonc keygen: no passphrase: set LESSONC_PASSPHRASE, run in a terminal, or use --no-passphrase\n"),
            (["keygen", "--out", f.dir.appendingPathComponent("p").path], ["LESSONC_PASSPHRASE": ""], 1,
             "lessonc keygen: the passphrase is empty; use --no-passphrase for an unencrypted key\n"),
        ]
        for (args, env, status, stderr) in cases {
            let r = try run(args, env: env)
            XCTAssertEqual(r.status, status, "\(args)")
            XCTAssertEqual(r.stderr, stderr, "\(args)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: channel), "no failed command created the channel")
    }

    /// As ssh does: a secret key file that others may read is refused, naming the fix (hardening finding 6).
    func testSecretKeyReadableByOthersIsRefused() throws {
        let f = try ChannelFixture()
        let env = ["SOURCE_DATE_EPOCH": String(ChannelFixture.now)]
        for (name, mode, encrypted) in [("open.key", 0o644, false), ("group.key", 0o640, true), ("other.key", 0o604, false)] {
            let path = f.dir.appendingPathComponent(name).path
            try Data(try f.key.fileText(passphrase: encrypted ? "secret words" : nil, limits: .testOnly).utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            let r = try run(["publish", "--root", f.root.path, "--channel", f.channel.path, "--key", path], env: env.merging(["LESSONC_PASSPHRASE": "secret words"]) { $1 })
            XCTAssertEqual(r.status, 1, name)
            XCTAssertEqual(r.stderr, "lessonc publish: \(path) is accessible by others (permissions 0\(String(mode, radix: 8))): a secret key must be private to its owner, as ssh requires; run chmod 600 \(path)\n", name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: f.channel.path), name)
        }
        let rotate = f.dir.appendingPathComponent("open.key").path
        let ok = f.dir.appendingPathComponent("ok.key").path
        try Data(try f.key.fileText(passphrase: nil, limits: .testOnly).utf8).write(to: URL(fileURLWithPath: ok))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: ok)
        XCTAssertEqual(try run(["publish", "--root", f.root.path, "--channel", f.channel.path, "--key", ok], env: env).status, 0)
        let r = try run(["publish", "--root", f.root.path, "--channel", f.channel.path, "--key", ok, "--rotate-to", rotate], env: env)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "lessonc publish: \(rotate) is accessible by others (permissions 0644): a secret key must be private to its owner, as ssh requires; run chmod 600 \(rotate)\n")
    }

    func testEveryNewCommandHasHelp() throws {
        for command in ["keygen", "publish", "verify"] {
            let r = try run([command, "--help"])
            XCTAssertEqual(r.status, 0)
            XCTAssertTrue(r.stdout.hasPrefix("Usage: lessonc \(command) "), r.stdout)
        }
        XCTAssertTrue(try run(["keygen", "--help"]).stdout.contains("NOT encrypted"))
    }
}
