import Foundation
import XCTest
@testable import LessonCompiler
import LessonChannel
import LessonSupport

/// The compile cache (issue 13, point 3): an incremental build must leave exactly what a cold
/// build writes, whatever changed, and compile only what the change touched; a damaged, foreign
/// or lying cache is noticed and never trusted.
final class IncrementalBuildTests: XCTestCase {
    var work: URL!
    var root: URL { work.appendingPathComponent("project") }
    var out: URL { work.appendingPathComponent("build") }
    var cache: URL { root.appendingPathComponent(".lessonc-cache") }

    /// The channel fixture: three curricula, an Arabic and a partial Swahili translation,
    /// assets, footnotes, links across curricula.
    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-incremental-\(UUID().uuidString)")
        let fixture = try XCTUnwrap(Bundle.module.url(forResource: "channel", withExtension: nil, subdirectory: "Golden"))
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture.appendingPathComponent("project"), to: root)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// Builds incrementally into `out`, then cold (no cache) into a fresh folder, and asserts the
    /// two trees and the two sets of diagnostics are the same. Returns the incremental result.
    @discardableResult
    func assertIncrementalEqualsCold(_ step: String, file: StaticString = #filePath, line: UInt = #line) throws -> BuildResult {
        let incremental = Builder.run(BuildOptions(root: root, output: out))
        let coldOut = work.appendingPathComponent("cold-\(UUID().uuidString)")
        var coldOptions = BuildOptions(root: root, output: coldOut)
        coldOptions.useCache = false
        let cold = Builder.run(coldOptions)
        defer { try? FileManager.default.removeItem(at: coldOut) }
        XCTAssertEqual(incremental.diagnostics, cold.diagnostics, step, file: file, line: line)
        XCTAssertEqual(incremental.succeeded, cold.succeeded, step, file: file, line: line)
        guard cold.succeeded else { return incremental }
        let (a, b) = (try treeContents(out), try treeContents(coldOut))
        XCTAssertEqual(a.keys.sorted(), b.keys.sorted(), "\(step): different files", file: file, line: line)
        for (path, data) in b where a[path] != data { XCTFail("\(step): \(path) differs from a cold build", file: file, line: line) }
        return incremental
    }

    func edit(_ path: String, _ change: (String) -> String) throws {
        let url = root.appendingPathComponent(path)
        let text = try String(contentsOf: url, encoding: .utf8)
        let changed = change(text)
        XCTAssertNotEqual(changed, text, "the edit of \(path) changed nothing")
        try Data(changed.utf8).write(to: url)
    }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func move(_ from: String, _ to: String) throws {
        try FileManager.default.moveItem(at: root.appendingPathComponent(from), to: root.appendingPathComponent(to))
    }

    static let survivor = "content/rcc-survivor-resource/01-for-you"
    static let safety = "content/shg-digital-safety/01-phones-money-and-records"
    static let extras = "content/golden-extras/01-basics"

    /// A digest spells itself from its four words: the same hex as SHA-256 of the bytes, and back.
    func testADigestsHexIsTheSHA256OfItsBytes() throws {
        for text in ["", "a", "lessonc", String(repeating: "x", count: 1000)] {
            let digest = ContentDigest(of: Data(text.utf8))
            XCTAssertEqual(digest.hex, Sodium.sha256(Data(text.utf8)).hex)
            XCTAssertEqual(ContentDigest(hex: digest.hex), digest)
        }
    }

    func testIncrementalBuildEqualsColdBuildAfterEditsRenamesDeletionsAndTranslationChanges() throws {
        let first = try assertIncrementalEqualsCold("first build")
        XCTAssertEqual(first.compiledCount, first.lessonCount)
        XCTAssertEqual(try assertIncrementalEqualsCold("nothing changed").compiledCount, 0)

        // A sentence in one lesson: that lesson, in every locale (its Arabic now falls back), and nothing else.
        try edit("\(Self.survivor)/03-your-choices.md") { $0 + "\nOne more sentence.\n" }
        XCTAssertEqual(try assertIncrementalEqualsCold("one lesson edited").compiledCount, 1)
        // Its id: the lessons that link to it are compiled again (and the translations' files for the old id are an error).
        try edit("\(Self.survivor)/03-your-choices.md") { $0.replacingOccurrences(of: "id: your-choices", with: "id: your-options") }
        XCTAssertEqual(try assertIncrementalEqualsCold("an id changed").compiledCount, 4)
        try edit("\(Self.survivor)/03-your-choices.md") { $0.replacingOccurrences(of: "id: your-options", with: "id: your-choices") }
        XCTAssertEqual(try assertIncrementalEqualsCold("the id changed back").compiledCount, 4)

        // A title: the curriculum index changes too.
        try edit("\(Self.extras)/02-code-and-quiz.md") { $0.replacingOccurrences(of: "title: Code and quiz", with: "title: Code, and a quiz") }
        XCTAssertEqual(try assertIncrementalEqualsCold("a title changed").compiledCount, 1)

        // A lesson moved, its explicit id kept: the lessons linking to it are compiled again.
        try move("\(Self.extras)/01-first-steps/01-footnotes-and-tables.md", "\(Self.extras)/01-first-steps/05-footnotes-moved.md")
        try edit("\(Self.extras)/02-code-and-quiz.md") { $0.replacingOccurrences(of: "01-footnotes-and-tables.md", with: "05-footnotes-moved.md") }
        try assertIncrementalEqualsCold("a lesson moved")

        // A lesson renamed with a derived id, one deleted, one added.
        try move("\(Self.extras)/03-to-be-removed.md", "\(Self.extras)/04-renamed.md")
        try assertIncrementalEqualsCold("a lesson renamed (new id)")
        try FileManager.default.removeItem(at: root.appendingPathComponent("\(Self.extras)/04-renamed.md"))
        try write("content/golden-extras/02-more/01-added.md", "---\ntitle: Added\n---\n## New\n\nIt shows ![the key](../assets/key.svg).\n")
        try assertIncrementalEqualsCold("a lesson deleted and one added")

        // Translations: a target edited; an XLIFF file removed (the locale is no longer built).
        try edit("locales/sw/shg-digital-safety.xlf") {
            $0.replacingOccurrences(of: "<target state=\"translated\">Mikutano kumi ijayo", with: "<target state=\"translated\">Mikutano yote kumi ijayo")
        }
        try assertIncrementalEqualsCold("a translation edited")
        try FileManager.default.removeItem(at: root.appendingPathComponent("locales/ar"))
        try assertIncrementalEqualsCold("a locale removed")

        // An asset changed, and one no longer used; a unit title; the curriculum's licence.
        try write("content/golden-extras/assets/box.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"12\" height=\"12\"/></svg>\n")
        try edit("\(Self.extras)/01-first-steps/05-footnotes-moved.md") { $0.replacingOccurrences(of: "Inline ![a key](../../assets/key.svg) in text", with: "Inline text") }
        try assertIncrementalEqualsCold("an asset changed, another unused")
        try edit("\(Self.extras)/_unit.md") { $0.replacingOccurrences(of: "title: The basics", with: "title: The very basics") }
        try assertIncrementalEqualsCold("a unit title changed")
        try edit("content/golden-extras/curriculum.md") { $0.replacingOccurrences(of: "license: CC-BY-SA-4.0", with: "license: CC-BY-4.0") }
        try assertIncrementalEqualsCold("the curriculum's licence changed")

        // A whole curriculum removed.
        try FileManager.default.removeItem(at: root.appendingPathComponent("content/rcc-survivor-resource"))
        try edit("content/golden-extras/01-basics/02-code-and-quiz.md") {
            $0.replacingOccurrences(of: " and to\n[a survivor lesson](../../rcc-survivor-resource/01-for-you/01-not-your-fault.md)", with: "")
        }
        try assertIncrementalEqualsCold("a curriculum removed")
        XCTAssertEqual(try assertIncrementalEqualsCold("nothing changed at the end").compiledCount, 0)
    }

    func testAFailedBuildLeavesTheOutputAndTheNextBuildRecovers() throws {
        try assertIncrementalEqualsCold("first build")
        let before = try treeContents(out)
        try edit("\(Self.extras)/02-code-and-quiz.md") { $0.replacingOccurrences(of: "> [!TIP]", with: "> [!TIPP]") }
        let failed = Builder.run(BuildOptions(root: root, output: out))
        XCTAssertFalse(failed.succeeded)
        XCTAssertTrue(failed.diagnostics.contains { $0.rule == .unknownCallout })
        XCTAssertEqual(try treeContents(out), before, "a failed build changed the output")
        try edit("\(Self.extras)/02-code-and-quiz.md") { $0.replacingOccurrences(of: "> [!TIPP]", with: "> [!TIP]") }
        try assertIncrementalEqualsCold("fixed")
    }

    func testAFileChangedWithItsOldSizeAndTimeIsStillNoticed() throws {
        let path = root.appendingPathComponent("\(Self.survivor)/03-your-choices.md").path
        // Written long enough ago that its stamp alone would be trusted.
        let old = timespec(tv_sec: Int(Date().timeIntervalSince1970) - 3600, tv_nsec: 0)
        var times = [old, old]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        try assertIncrementalEqualsCold("first build")
        // Same length, same modification time: only the change time (which no program can set) tells.
        try edit("\(Self.survivor)/03-your-choices.md") { $0.replacingOccurrences(of: "your choices", with: "your CHOICES") }
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        XCTAssertEqual(try assertIncrementalEqualsCold("edited behind the stamp").compiledCount, 1)
    }

    func testADamagedBlobIsCompiledAgain() throws {
        try assertIncrementalEqualsCold("first build")
        // Every stored document damaged, and the output gone: the documents must be made again.
        let blobs = cache.appendingPathComponent("blobs")
        var bytes = try Data(contentsOf: blobs)
        for i in stride(from: 100, to: bytes.count, by: 997) { bytes[i] ^= 0x20 }
        try bytes.write(to: blobs)
        try FileManager.default.removeItem(at: out)
        let rebuilt = try assertIncrementalEqualsCold("blobs damaged")
        XCTAssertGreaterThan(rebuilt.compiledCount, 0)
        XCTAssertNil(rebuilt.cacheNote)
    }

    func testADamagedIndexIsSetAsideAndRebuilt() throws {
        try assertIncrementalEqualsCold("first build")
        let index = cache.appendingPathComponent("index")
        var bytes = try Data(contentsOf: index)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: index)
        let rebuilt = try assertIncrementalEqualsCold("index damaged")
        XCTAssertEqual(rebuilt.compiledCount, rebuilt.lessonCount)
        XCTAssertEqual(rebuilt.cacheNote, "the compile cache in \(cache.path) is damaged; compiling everything and making it again")
        let again = try assertIncrementalEqualsCold("cache made again")
        XCTAssertEqual(again.compiledCount, 0)
        XCTAssertNil(again.cacheNote)
    }

    func testADamagedJournalIsNotTrusted() throws {
        try assertIncrementalEqualsCold("first build")
        // Files written in the last two seconds are read again every run (`FileStamp.isSettled`):
        // let the fixture's settle, so that a one-lesson edit changes one entry.
        Thread.sleep(forTimeInterval: 2.1)
        XCTAssertEqual(try assertIncrementalEqualsCold("settled").compiledCount, 0)
        try edit("\(Self.survivor)/03-your-choices.md") { $0 + "\nOne more sentence.\n" }
        try assertIncrementalEqualsCold("one lesson edited")
        // That run's changes went to the journal, not into a new index.
        let journal = cache.appendingPathComponent("journal")
        var bytes = try Data(contentsOf: journal)
        XCTAssertGreaterThan(bytes.count, 64)
        try edit("\(Self.survivor)/03-your-choices.md") { $0 + "\nAnd another.\n" }
        XCTAssertEqual(try assertIncrementalEqualsCold("another edit, read through the journal").compiledCount, 1)
        bytes = try Data(contentsOf: journal)
        bytes[bytes.count - 40] ^= 0x04
        try bytes.write(to: journal)
        let rebuilt = try assertIncrementalEqualsCold("journal damaged")
        XCTAssertEqual(rebuilt.compiledCount, rebuilt.lessonCount)
        XCTAssertEqual(rebuilt.cacheNote, "the compile cache in \(cache.path) is damaged; compiling everything and making it again")
        XCTAssertEqual(try assertIncrementalEqualsCold("made again").compiledCount, 0)
    }

    /// What `save` writes: nothing when the run learnt nothing, one journal entry (the index left
    /// as it is) after a one-lesson edit, and a new index once a lesson is gone.
    func testSavingWritesOnlyWhatTheRunLearnt() throws {
        try assertIncrementalEqualsCold("first build")
        Thread.sleep(forTimeInterval: 2.1)   // let the fixture's files settle (`FileStamp.isSettled`)
        try assertIncrementalEqualsCold("settled")
        let index = cache.appendingPathComponent("index"), journal = cache.appendingPathComponent("journal")
        let (indexBytes, journalBytes) = (try Data(contentsOf: index), FileManager.default.contents(atPath: journal.path))
        XCTAssertEqual(try assertIncrementalEqualsCold("nothing changed").compiledCount, 0)
        XCTAssertEqual(try Data(contentsOf: index), indexBytes, "a run with nothing changed rewrote the index")
        XCTAssertEqual(FileManager.default.contents(atPath: journal.path), journalBytes, "a run with nothing changed wrote to the journal")

        try edit("\(Self.survivor)/03-your-choices.md") { $0 + "\nOne more sentence.\n" }
        XCTAssertEqual(try assertIncrementalEqualsCold("one lesson edited").compiledCount, 1)
        XCTAssertEqual(try Data(contentsOf: index), indexBytes, "a one-lesson edit rewrote the index")
        let appended = try Data(contentsOf: journal)
        XCTAssertGreaterThan(appended.count, journalBytes?.count ?? 0)
        // What the journal says is what the next run reads: the edited lesson is not compiled again.
        let edited = try Data(contentsOf: root.appendingPathComponent("\(Self.survivor)/03-your-choices.md"))
        XCTAssertEqual(CompileCache.open(cache).cache.lessons["\(Self.survivor)/03-your-choices.md"]?.loaded.origin.digest, ContentDigest(of: edited))
        XCTAssertEqual(try assertIncrementalEqualsCold("read through the journal").compiledCount, 0)

        let cachedBefore = CompileCache.open(cache).cache.lessons.count
        try FileManager.default.removeItem(at: root.appendingPathComponent("\(Self.survivor)/03-your-choices.md"))
        try assertIncrementalEqualsCold("a lesson removed")
        let after = CompileCache.open(cache).cache
        XCTAssertEqual(after.lessons.count, cachedBefore - 1)
        XCTAssertNil(after.lessons["\(Self.survivor)/03-your-choices.md"])
    }

    func testACacheFromAnotherCompilerIsNotUsed() throws {
        try assertIncrementalEqualsCold("first build")
        let index = cache.appendingPathComponent("index")
        let (saved, _) = CompileCache.open(cache)
        try Data(saved.encoded(identity: "lessonc 0.0.1 build-id 00")).write(to: index)
        let rebuilt = try assertIncrementalEqualsCold("another compiler's cache")
        XCTAssertEqual(rebuilt.compiledCount, rebuilt.lessonCount)
        XCTAssertEqual(rebuilt.cacheNote, "the compile cache in \(cache.path) was made by another build of lessonc; compiling everything")
    }

    /// An index of more lessons than one part holds, as `open` reads it: every part decoded (on
    /// several threads) into the same lessons; a damaged part, even under a checksum made to
    /// match, is damage, never a crash or a lesson lost.
    func testAnIndexOfManyPartsReadsBackWholeAndADamagedPartIsDamage() throws {
        try assertIncrementalEqualsCold("first build")
        var (saved, _) = CompileCache.open(cache)
        let sample = try XCTUnwrap(saved.lessons["\(Self.survivor)/03-your-choices.md"])
        let count = 2 * CompileCache.lessonsPerPart + 7
        for i in 0..<count {
            var lesson = sample
            lesson.loaded.id = "copy-\(i)"
            saved.lessons["content/many/lesson-\(i).md"] = lesson
        }
        let bytes = saved.encoded()
        let decoded = try CompileCache.decode(bytes)
        XCTAssertEqual(decoded.lessons.count, saved.lessons.count)
        XCTAssertEqual(decoded.lessons, saved.lessons)
        XCTAssertEqual(decoded.builds, saved.builds)
        XCTAssertEqual(decoded.blobIndex, saved.blobIndex)

        // A flipped bit in the middle (inside some part of the lessons): the checksum says so.
        var damaged = bytes
        damaged[damaged.count / 2] ^= 0x01
        XCTAssertThrowsError(try CompileCache.decode(damaged)) { XCTAssertTrue($0 is CacheCorrupt, "\($0)") }
        // The same bytes under a checksum that matches them: the parts themselves must not be believed.
        for offset in [damaged.count / 3, damaged.count / 2, damaged.count - 200] {
            var forged = Array(bytes.dropLast(32))
            forged[offset] ^= 0xFF
            forged += Sodium.blake2b(forged, length: 32)
            if let read = try? CompileCache.decode(forged) {
                XCTAssertEqual(read.lessons.count, saved.lessons.count, "a lesson went missing at \(offset)")
            }
        }
    }

    /// A curriculum index made again with the bytes OUT holds is known by its BLAKE2b, without
    /// SHA-256; a record whose BLAKE2b does not match is not believed, and is set right.
    func testAnIndexMadeAgainIsKnownByItsQuickDigest() throws {
        try assertIncrementalEqualsCold("first build")
        func record() throws -> CompileCache.BuildRecord { try XCTUnwrap(CompileCache.open(cache).cache.builds[out.path]) }
        let indexes = try record().files.keys.filter { $0.hasSuffix("/index.json") }.sorted()
        XCTAssertEqual(indexes.count, 3)
        for path in indexes {
            let bytes = [UInt8](try Data(contentsOf: out.appendingPathComponent(path)))
            XCTAssertEqual(try record().quick[path], QuickDigest(of: bytes), path)
            XCTAssertEqual(try record().files[path], ContentDigest(of: bytes), path)
        }
        // A record whose quick digest is wrong: the index is hashed in full, and the record mended.
        var (saved, _) = CompileCache.open(cache)
        saved.builds[out.path]?.quick[indexes[0]] = QuickDigest(of: [1, 2, 3])
        try saved.save(in: cache)
        try assertIncrementalEqualsCold("a wrong quick digest")
        let bytes = [UInt8](try Data(contentsOf: out.appendingPathComponent(indexes[0])))
        XCTAssertEqual(try record().quick[indexes[0]], QuickDigest(of: bytes))
        // A title edited: the index changes, and so does its quick digest.
        try edit("\(Self.survivor)/03-your-choices.md") { $0.replacingOccurrences(of: "title: ", with: "title: New ") }
        try assertIncrementalEqualsCold("a title edited")
        for path in indexes {
            let bytes = [UInt8](try Data(contentsOf: out.appendingPathComponent(path)))
            XCTAssertEqual(try record().quick[path], QuickDigest(of: bytes), path)
        }
    }

    func testACacheThatLiesAboutALessonIsNotBelieved() throws {
        try assertIncrementalEqualsCold("first build")
        // A well-formed cache whose record of a lesson names a file digest the lesson does not have.
        var (saved, _) = CompileCache.open(cache)
        let path = "\(Self.survivor)/03-your-choices.md"
        var entry = try XCTUnwrap(saved.lessons[path])
        entry.loaded.origin.digest = ContentDigest(of: Data("something else".utf8))
        entry.loaded.origin.stamp = nil
        saved.lessons[path] = entry
        try saved.save(in: cache)
        XCTAssertEqual(try assertIncrementalEqualsCold("lying cache").compiledCount, 1)
    }

    func testTheCacheGoesWhereToldAndValidateOnlyReadsIt() throws {
        let elsewhere = work.appendingPathComponent("elsewhere-cache")
        var options = BuildOptions(root: root, output: out)
        options.cacheFolder = elsewhere
        XCTAssertTrue(Builder.run(options).succeeded)
        XCTAssertTrue(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("index").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.path))
        XCTAssertEqual(try String(contentsOf: elsewhere.appendingPathComponent(".gitignore"), encoding: .utf8), "*\n")
        // validate uses the cache and writes nothing.
        var validate = BuildOptions(root: root)
        validate.cacheFolder = elsewhere
        let before = try treeContents(elsewhere)
        let checked = Builder.run(validate)
        XCTAssertTrue(checked.succeeded)
        XCTAssertEqual(checked.compiledCount, 0)
        XCTAssertEqual(try treeContents(elsewhere), before)
    }

    func testPublishReusesTheBuildsCacheAndMatchesAPublishWithout() throws {
        let key = MinisignSecretKey.generate()
        let first = try assertIncrementalEqualsCold("first build")
        XCTAssertEqual(first.compiledCount, first.lessonCount)
        let now = 1_700_000_000
        func publish(_ channel: String, cache: Bool) throws -> PublishReport {
            var o = PublishOptions(root: root, channel: work.appendingPathComponent(channel), key: key, now: now)
            o.useCache = cache
            return try Publisher.run(o)
        }
        let cached = try publish("channel-cached", cache: true)
        XCTAssertTrue(cached.published)
        XCTAssertEqual(cached.build.compiledCount, 0, "publish compiled again what the build had compiled")
        let uncached = try publish("channel-uncached", cache: false)
        XCTAssertEqual(uncached.build.compiledCount, uncached.build.lessonCount)
        XCTAssertEqual(try treeContents(work.appendingPathComponent("channel-cached")), try treeContents(work.appendingPathComponent("channel-uncached")))

        try edit("\(Self.survivor)/03-your-choices.md") { $0 + "\nOne more sentence.\n" }
        let second = try publish("channel-cached", cache: true)
        XCTAssertEqual(second.build.compiledCount, 1)
        XCTAssertEqual(second.release, 2)
        let secondUncached = try publish("channel-uncached", cache: false)
        XCTAssertEqual(secondUncached.release, 2)
        XCTAssertEqual(try treeContents(work.appendingPathComponent("channel-cached")), try treeContents(work.appendingPathComponent("channel-uncached")))
    }
}
