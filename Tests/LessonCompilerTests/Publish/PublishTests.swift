import Foundation
import XCTest
@testable import LessonCompiler
import LessonChannel
import LessonSupport

final class PublishTests: XCTestCase {
    func testFirstPublishWritesASignedChannelThatVerifies() throws {
        let f = try ChannelFixture()
        let report = try f.publish()
        XCTAssertTrue(report.published)
        XCTAssertEqual(report.release, 1)
        let tree = try f.tree()
        for path in ["latest.json", "latest.json.minisig", "keys.json", "keys.json.minisig", "keys/1.json", "keys/1.json.minisig",
                     "releases/1/manifest.json", "releases/1/manifest.json.minisig", "releases/1/NOTES.md",
                     "releases/1/ATTRIBUTION.md", "releases/1/LICENSE", "packs/1/demo-en.zip"] {
            XCTAssertNotNil(tree[path], path)
        }
        let latest = try LatestDocument(data: tree["latest.json"]!)
        XCTAssertEqual(latest.release, 1)
        XCTAssertEqual(latest.expires, ChannelFixture.now + 30 * 86400)
        XCTAssertEqual(latest.diffsFrom, [])
        let manifest = try Manifest.read(tree["releases/1/manifest.json"]!) { tree[$0] }
        let demo = try XCTUnwrap(manifest.curricula["demo"])
        XCTAssertEqual(Set(demo.locales["en"]!.keys), ["lesson-1", "lesson-2", "lesson-3"])
        XCTAssertEqual(Array(demo.assets.keys), ["assets/box.svg"])
        // Each object is the gzip of a build file, named by its hash, sized as downloaded.
        for ref in manifest.objects {
            let data = try XCTUnwrap(tree[ChannelPath.object(ref.sha256)])
            XCTAssertEqual(ObjectRef(of: data), ref)
            XCTAssertNoThrow(try Gzip.decompress(data, maxSize: 1 << 20))
        }
        // Index, asset, three lessons; the part's listing and its one bucket (format 2).
        XCTAssertEqual(tree.keys.filter { $0.hasPrefix("objects/") }.count, 5 + 2)
        XCTAssertEqual(manifest.listings["demo"]?["en"]?.buckets.count, 1)
        // The part's attribution, named by its content.
        XCTAssertEqual(tree.keys.filter { $0.hasPrefix("attribution/") }, manifest.curricula["demo"]!.attributions.values.map { ChannelPath.attribution($0.sha256) })
        let report2 = f.verify()
        XCTAssertEqual(report2.problems, [])
        XCTAssertEqual(report2.packsChecked, 1)
    }

    func testSignedFilesAreCompactJSONWithTheRightTrustedComments() throws {
        let f = try ChannelFixture()
        try f.publish()
        for (path, release) in [("latest.json", 1), ("keys.json", 1), ("releases/1/manifest.json", 1)] {
            let text = try f.text(path)
            XCTAssertFalse(text.dropLast().contains("\n"), "\(path) is one line")
            let sig = try MinisignSignature(fileData: Data(contentsOf: f.channel.appendingPathComponent(path + ".minisig")))
            XCTAssertEqual(sig.trustedComment, "file:\(path)\trelease:\(release)")
        }
    }

    func testEditingOneLessonMakesADiffNamingExactlyThatLesson() throws {
        let f = try ChannelFixture()
        try f.publish()
        try f.lesson(2, title: ChannelFixture.lessonTitles[1], body: "## Start\n\nThe group meets every week and saves a lot. Lesson 2.\n")
        let report = try f.publish(now: ChannelFixture.now + 60)
        XCTAssertTrue(report.published)
        XCTAssertEqual(report.release, 2)
        let diff = try f.diff(1, 2)
        XCTAssertEqual(diff.changes.map(\.key), [ChangeKey(curriculum: "demo", locale: "en", kind: .lesson, id: "lesson-2")])
        XCTAssertEqual(diff.changes.first?.change, .changed)
        let manifest = try Manifest.read(Data(contentsOf: f.channel.appendingPathComponent("releases/2/manifest.json"))) { try DirectorySource(f.channel).read($0) }
        XCTAssertEqual(diff.changes.first?.object, manifest.curricula["demo"]?.locales["en"]?["lesson-2"])
        XCTAssertEqual(diff.parts, ["demo": ["en": manifest.curricula["demo"]!.partHash("en")]])
        // The delta rebuilds the new lesson from the old one and is smaller than the object.
        let delta = try XCTUnwrap(diff.changes.first?.delta)
        XCTAssertLessThan(delta.delta.size, diff.changes[0].object!.size)
        let old = try Gzip.decompress(Data(contentsOf: f.channel.appendingPathComponent(ChannelPath.object(delta.base))), maxSize: 1 << 20)
        let patch = try Data(contentsOf: f.channel.appendingPathComponent(ChannelPath.object(delta.delta.sha256)))
        let rebuilt = try Gzip.applyDelta(patch, base: old, maxSize: delta.contentSize)
        XCTAssertEqual(Sodium.sha256(rebuilt).hex, delta.contentSHA256)
        XCTAssertEqual(try f.json("latest.json")["diffs_from"], [1])
        XCTAssertEqual(f.verify().problems, [])
        XCTAssertEqual(try f.text("releases/2/NOTES.md"), """
            # Release 2

            Published \(Timestamp.rfc3339(ChannelFixture.now + 60).prefix(10)) (UTC).

            What changed since release 1, for each curriculum and language.

            ## Demo curriculum — English (en)

            Changed lesson (1):

            - Shares and the group fund

            """)
    }

    func testNotesNameAddedAndRemovedLessonsByTitle() throws {
        let f = try ChannelFixture()
        try f.publish()
        try FileManager.default.removeItem(at: f.root.appendingPathComponent("content/demo/01-basics/03-lesson-3.md"))
        try f.write("content/demo/01-basics/04-lesson-4.md", "---\ntitle: Keeping records\n---\n## Start\n\nWrite it down.\n")
        try f.publish(now: ChannelFixture.now + 60)
        let notes = try f.text("releases/2/NOTES.md")
        XCTAssertTrue(notes.contains("Added lesson (1):\n\n- Keeping records\n"), notes)
        XCTAssertTrue(notes.contains("Removed lesson (1):\n\n- Lending safely\n"), notes)
        XCTAssertTrue(notes.contains("The curriculum's description or table of contents changed."), notes)
        XCTAssertEqual(Set(try f.diff(1, 2).changes.map { "\($0.key.kind.rawValue) \($0.key.id) \($0.change.rawValue)" }),
                       ["lesson lesson-3 removed", "lesson lesson-4 added", "index demo changed"])
    }

    func testUnchangedSourcesMakeNoNewRelease() throws {
        let f = try ChannelFixture()
        try f.publish()
        let before = try f.tree()
        let same = try f.publish()
        XCTAssertFalse(same.published)
        XCTAssertEqual(same.release, 1)
        XCTAssertTrue(same.lines.contains("no changes since release 1: no new release"), "\(same.lines)")
        XCTAssertEqual(try f.tree(), before)
        // Later, the same sources only renew latest.json's expiry.
        let later = try f.publish(now: ChannelFixture.now + 86400)
        XCTAssertFalse(later.published)
        let after = try f.tree()
        XCTAssertEqual(Set(after.keys), Set(before.keys))
        XCTAssertEqual(after.filter { before[$0.key] != $0.value }.keys.sorted(), ["latest.json", "latest.json.minisig"])
        XCTAssertEqual(try LatestDocument(data: after["latest.json"]!).expires, ChannelFixture.now + 31 * 86400)
        XCTAssertEqual(f.verify().problems, [])
    }

    func testSameSourcesSameTimeSameKeyGiveByteIdenticalChannels() throws {
        let key = MinisignSecretKey.generate()
        let a = try ChannelFixture(key: key), b = try ChannelFixture(key: key)
        for f in [a, b] {
            try f.publish()
            try f.lesson(3, title: "Lending safely", body: "## Start\n\nA changed lesson.\n")
            try f.publish(now: ChannelFixture.now + 3600)
        }
        let ta = try a.tree(), tb = try b.tree()
        XCTAssertEqual(ta.keys.sorted(), tb.keys.sorted())
        for (path, data) in ta { XCTAssertEqual(data, tb[path], path) }
    }

    func testAFlippedByteInAnyFileFailsVerificationNamingIt() throws {
        let f = try ChannelFixture()
        try f.publish()
        try f.lesson(2, title: "Shares and the group fund", body: "## Start\n\nEdited.\n")
        try f.publish(now: ChannelFixture.now + 60)
        let tree = try f.tree()
        XCTAssertTrue(tree.keys.contains { $0.hasPrefix("diffs/") })
        for (path, original) in tree.sorted(by: { $0.key < $1.key }) {
            var bytes = [UInt8](original)
            // In a signature flip a byte of the signature line: the first line is an untrusted comment.
            let at = path.hasSuffix(".minisig") ? (bytes.firstIndex(of: 0x0A)! + 10) : bytes.count / 2
            bytes[at] ^= 0x01
            try Data(bytes).write(to: f.channel.appendingPathComponent(path))
            let problems = f.verify().problems
            XCTAssertFalse(problems.isEmpty, "flipping a byte in \(path) went unnoticed")
            let named = path.hasSuffix(".minisig") ? String(path.dropLast(".minisig".count).replacingOccurrences(of: ".previous", with: "")) : path
            XCTAssertTrue(problems.contains { $0.contains(named) }, "\(path): \(problems)")
            try original.write(to: f.channel.appendingPathComponent(path))
        }
        XCTAssertEqual(f.verify().problems, [])
    }

    func testADifferentPublicKeyFails() throws {
        let f = try ChannelFixture()
        try f.publish()
        let other = MinisignSecretKey.generate().publicKey
        XCTAssertEqual(f.verify(other).problems, [
            "the channel is signed by key \(f.key.publicKey.keyIDString); your key \(other.keyIDString) is not in its key history, so nothing in it can be trusted",
        ])
    }

    func testExpiredLatestIsAProblem() throws {
        let f = try ChannelFixture()
        try f.publish(now: ChannelFixture.now - 40 * 86400)
        XCTAssertEqual(f.verify().problems, [
            "latest.json: expired at \(Timestamp.rfc3339(ChannelFixture.now - 10 * 86400)); devices refuse it until the channel is published again",
        ])
    }

    func testADiffThatDisagreesWithTheManifestsIsCaughtEvenWhenSigned() throws {
        let f = try ChannelFixture()
        try f.publish()
        try f.lesson(2, title: "Shares and the group fund", body: "## Start\n\nEdited.\n")
        try f.publish(now: ChannelFixture.now + 60)
        var diff = try f.diff(1, 2)
        diff.changes = []
        let data = ReleaseWriter.bytes(diff.json)
        try data.write(to: f.channel.appendingPathComponent("diffs/1-2.json"))
        try f.key.sign(data, trustedComment: "file:diffs/1-2.json\trelease:2").fileData.write(to: f.channel.appendingPathComponent("diffs/1-2.json.minisig"))
        XCTAssertEqual(f.verify().problems, ["diffs/1-2.json: does not match the difference between releases/1/manifest.json and releases/2/manifest.json"])
    }

    func testASignatureMovedToAnotherFileIsCaughtByItsTrustedComment() throws {
        let f = try ChannelFixture()
        try f.publish()
        // A manifest signature is a valid signature by the right key, but for another file.
        let manifest = try Data(contentsOf: f.channel.appendingPathComponent("releases/1/manifest.json"))
        try manifest.write(to: f.channel.appendingPathComponent("latest.json"))
        try FileManager.default.removeItem(at: f.channel.appendingPathComponent("latest.json.minisig"))
        try FileManager.default.copyItem(at: f.channel.appendingPathComponent("releases/1/manifest.json.minisig"),
                                         to: f.channel.appendingPathComponent("latest.json.minisig"))
        XCTAssertEqual(f.verify().problems, ["latest.json: format is 'lessonc-manifest/2', expected 'lessonc-latest/1'"])
    }

    func testPruningKeepsOnlyWhatKeptReleasesUse() throws {
        let f = try ChannelFixture()
        try f.publish(keep: 1)
        let firstLesson3 = try Manifest.read(Data(contentsOf: f.channel.appendingPathComponent("releases/1/manifest.json"))) { try DirectorySource(f.channel).read($0) }
            .curricula["demo"]!.locales["en"]!["lesson-3"]!
        for n in 2...3 {
            try f.lesson(3, title: "Lending safely", body: "## Start\n\nVersion \(n).\n")
            let r = try f.publish(now: ChannelFixture.now + n, keep: 1)
            XCTAssertEqual(r.release, n)
        }
        let tree = try f.tree()
        XCTAssertNil(tree["releases/1/manifest.json"])
        XCTAssertNil(tree["diffs/1-2.json"])
        XCTAssertNil(tree["packs/2/demo-en.zip"])
        XCTAssertNotNil(tree["releases/2/manifest.json"])
        XCTAssertEqual(tree.keys.filter { $0.hasPrefix("diffs/") }.sorted(), ["diffs/2-3.json", "diffs/2-3.json.minisig"])
        XCTAssertNil(tree[ChannelPath.object(firstLesson3.sha256)], "release 1's lesson-3 is used by no kept release")
        let kept = try [2, 3].map { try Manifest.read(tree[ChannelPath.manifest($0)]!) { tree[$0] } }
        let deltas = try f.diff(2, 3).changes.compactMap { $0.delta?.delta.sha256 }
        let expected = Set(kept.flatMap { $0.objects.map(\.sha256) } + deltas).map(ChannelPath.object)
        XCTAssertEqual(Set(tree.keys.filter { $0.hasPrefix("objects/") }), Set(expected))
        XCTAssertEqual(try f.json("latest.json")["diffs_from"], [2])
        XCTAssertEqual(f.verify().problems, [])
    }

    func testKeepZeroWritesNoDiffs() throws {
        let f = try ChannelFixture()
        try f.publish(keep: 0)
        try f.lesson(3, title: "Lending safely", body: "## Start\n\nChanged.\n")
        try f.publish(now: ChannelFixture.now + 1, keep: 0)
        let tree = try f.tree()
        XCTAssertFalse(tree.keys.contains { $0.hasPrefix("diffs/") || $0.hasPrefix("releases/1/") })
        XCTAssertEqual(f.verify().problems, [])
    }

    func testInvalidSourcesPublishNothing() throws {
        let f = try ChannelFixture()
        try f.publish()
        let before = try f.tree()
        try f.lesson(2, title: "Broken", body: "## Start\n\n[missing](../01-basics/09-nothing.md)\n")
        let report = try f.publish(now: ChannelFixture.now + 60)
        XCTAssertFalse(report.build.succeeded)
        XCTAssertFalse(report.published)
        XCTAssertEqual(report.lines, ["nothing was published: the sources are not valid"])
        XCTAssertEqual(try f.tree(), before)
    }

    func testAFailureWhileMovingFilesLeavesTheChannelAsItWas() throws {
        let f = try ChannelFixture()
        try f.publish()
        let before = try f.tree()
        try f.lesson(2, title: "Shares and the group fund", body: "## Start\n\nEdited.\n")
        XCTAssertThrowsError(try f.publish(now: ChannelFixture.now + 60, failBeforeLatest: true)) { error in
            XCTAssertEqual((error as? PublishError)?.message,
                           "could not move the new release into \(f.channel.path): simulated failure before latest.json; the channel was left as it was")
        }
        XCTAssertEqual(try f.tree(), before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: f.channel.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: f.channel.appendingPathComponent("releases").path), ["1"])
    }

    func testRefusesAFolderThatIsNotAChannel() throws {
        let f = try ChannelFixture()
        try FileManager.default.createDirectory(at: f.channel, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: f.channel.appendingPathComponent("notes.txt"))
        XCTAssertThrowsError(try f.publish()) { error in
            XCTAssertEqual((error as? PublishError)?.message,
                           "\(f.channel.path) is not empty and has no latest.json: refusing to publish into a folder that is not a channel")
        }
    }

    func testRefusesAFileAsChannel() throws {
        let f = try ChannelFixture()
        try FileManager.default.createDirectory(at: f.dir, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: f.channel)
        XCTAssertThrowsError(try f.publish()) { error in
            XCTAssertEqual((error as? PublishError)?.message, "\(f.channel.path) is a file, not a channel folder")
        }
    }

    func testRefusesTheWrongKey() throws {
        let f = try ChannelFixture()
        try f.publish()
        let other = MinisignSecretKey.generate()
        XCTAssertThrowsError(try f.publish(key: other)) { error in
            XCTAssertEqual((error as? PublishError)?.message,
                           "the channel is signed by key \(f.key.publicKey.keyIDString), but --key is key \(other.publicKey.keyIDString)")
        }
    }

    func testRefusesToBuildOnATamperedChannel() throws {
        let f = try ChannelFixture()
        try f.publish()
        let url = f.channel.appendingPathComponent("latest.json")
        try Data(try f.text("latest.json").replacingOccurrences(of: "\"release\":1", with: "\"release\":7").utf8).write(to: url)
        XCTAssertThrowsError(try f.publish()) { error in
            XCTAssertEqual((error as? PublishError)?.message,
                           "the channel does not verify with --key: latest.json: signature does not match the file (latest.json.minisig) (run lessonc verify for details)")
        }
    }

    /// A publish with nothing changed reads only latest.json, the keys and the latest manifest
    /// file (its part hashes say the content is the same); the kept releases' listings and
    /// buckets are read, and checked, only to make a new release. A missing bucket then stops it
    /// with the object's name, before anything is written.
    func testANoChangePublishReadsNoListingAndANewReleaseChecksThem() throws {
        let f = try ChannelFixture()
        try f.publish(now: ChannelFixture.now)
        let tree = try f.tree()
        let manifest = try Manifest.read(try XCTUnwrap(tree["releases/1/manifest.json"])) { tree[$0] }
        let listing = try XCTUnwrap(manifest.listings["demo"]?["en"])
        for ref in [listing.listing] + listing.buckets {
            try FileManager.default.removeItem(at: f.channel.appendingPathComponent(ChannelPath.object(ref.sha256)))
        }
        let renewed = try f.publish(now: ChannelFixture.now + 60)
        XCTAssertFalse(renewed.published)
        XCTAssertEqual(renewed.lines.first, "no changes since release 1: no new release")
        let before = try f.tree()
        try f.lesson(2, title: ChannelFixture.lessonTitles[1], body: "## Start\n\nEdited.\n")
        XCTAssertThrowsError(try f.publish(now: ChannelFixture.now + 120)) { error in
            XCTAssertEqual((error as? PublishError)?.message,
                           "the channel does not verify with --key: \(ChannelPath.object(listing.listing.sha256)): missing (listing of releases/1/manifest.json: demo in en) (run lessonc verify for details)")
        }
        XCTAssertEqual(try f.tree(), before, "nothing written")
    }

    func testOfflinePackHoldsOneCurriculumInOneLocaleAndVerifies() throws {
        let f = try ChannelFixture()
        try f.publish()
        let data = try Data(contentsOf: f.channel.appendingPathComponent("packs/1/demo-en.zip"))
        let zip = try ZipReader(data)
        let manifest = try Manifest.read(XCTUnwrap(zip.read("releases/1/manifest.json"))) { try zip.read($0) }
        var expected = ["pack.json", "pack.json.minisig", "keys.json", "keys.json.minisig", "keys/1.json", "keys/1.json.minisig",
                        "releases/1/manifest.json", "releases/1/manifest.json.minisig",
                        "releases/1/ATTRIBUTION.md", "releases/1/LICENSE", "releases/1/NOTES.md"]
        expected += manifest.objects.map { ChannelPath.object($0.sha256) }
        expected += manifest.attributionFiles.map { ChannelPath.attribution($0.sha256) }
        XCTAssertEqual(Set(zip.names), Set(expected))
        XCTAssertEqual(Array(zip.names.prefix(2)), ["pack.json", "pack.json.minisig"])
        let pack = try PackDocument(data: XCTUnwrap(zip.read("pack.json")))
        XCTAssertEqual([pack.curriculum, pack.locale], ["demo", "en"])
        let report = ChannelVerifier.verify(ZipSource(zip), trusting: f.key.publicKey, now: ChannelFixture.now)
        XCTAssertEqual(report.problems, [])
        XCTAssertEqual(report.release, 1)
        // An entry a pack should not hold.
        var w = ZipWriter()
        for name in zip.names { try w.add(name, XCTUnwrap(zip.read(name))) }
        try w.add("extra.txt", Data("hello".utf8))
        XCTAssertEqual(ChannelVerifier.verify(ZipSource(try ZipReader(w.finish())), trusting: f.key.publicKey, now: ChannelFixture.now).problems,
                       ["extra.txt: not part of this pack"])
        let other = MinisignSecretKey.generate().publicKey
        XCTAssertEqual(ChannelVerifier.verify(ZipSource(zip), trusting: other, now: ChannelFixture.now).problems.count, 1)
    }

    func testAttributionAndLicence() throws {
        let f = try ChannelFixture()
        try f.publish()
        // The release's ATTRIBUTION.md links each part's file, stored once per distinct content.
        let index = try f.text("releases/1/ATTRIBUTION.md")
        let manifest = try Manifest.read(Data(contentsOf: f.channel.appendingPathComponent("releases/1/manifest.json"))) { try DirectorySource(f.channel).read($0) }
        let ref = try XCTUnwrap(manifest.curricula["demo"]?.attributions["en"])
        XCTAssertTrue(index.contains("- [Demo curriculum — English (en)](../../attribution/\(ref.sha256).md) (`demo`, version 1.0.0)\n"), index)
        let attribution = try f.text(ChannelPath.attribution(ref.sha256))
        XCTAssertEqual(ObjectRef(of: Data(attribution.utf8)), ref)
        XCTAssertTrue(attribution.hasPrefix("# Attribution — Demo curriculum — English (en)\n"), attribution)
        XCTAssertTrue(attribution.contains("## Demo curriculum (`demo`, version 1.0.0)\n\nBy Test Author. Licence: [CC-BY-4.0](https://creativecommons.org/licenses/by/4.0/).\n"), attribution)
        XCTAssertTrue(attribution.contains("- **Why save together** — by Test Author; licence [CC-BY-4.0](https://creativecommons.org/licenses/by/4.0/); source: WHO (2020), a guideline.\n"), attribution)
        XCTAssertTrue(attribution.contains("- **Lending safely** — by Test Author; licence [CC-BY-4.0](https://creativecommons.org/licenses/by/4.0/).\n"), attribution)
        XCTAssertTrue(attribution.contains("### Pictures and other files\n\n- `assets/box.svg` — by Test Author; licence [CC-BY-4.0](https://creativecommons.org/licenses/by/4.0/).\n"), attribution)
        let licence = try f.text("releases/1/LICENSE")
        XCTAssertTrue(licence.contains("Creative Commons Attribution 4.0 International (CC BY 4.0)"))
        XCTAssertTrue(licence.contains("https://creativecommons.org/licenses/by/4.0/legalcode"))
        XCTAssertFalse(licence.contains("Other licences"))
    }

    func testLicenceURLs() {
        XCTAssertEqual(ReleaseDocuments.licenceURL("CC-BY-SA-4.0"), "https://creativecommons.org/licenses/by-sa/4.0/legalcode")
        XCTAssertEqual(ReleaseDocuments.licenceURL("CC-BY-4.0", deed: true), "https://creativecommons.org/licenses/by/4.0/")
        XCTAssertEqual(ReleaseDocuments.licenceURL("CC0-1.0"), "https://creativecommons.org/publicdomain/zero/1.0/legalcode")
        XCTAssertEqual(ReleaseDocuments.licenceURL("MIT"), "https://spdx.org/licenses/MIT.html")
        XCTAssertEqual(ReleaseDocuments.md("A *bold* [link]"), "A \\*bold\\* \\[link\\]")
    }
}
