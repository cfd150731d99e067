import Foundation
import XCTest
import LessonCompiler
import LessonChannel
import LessonSupport
@testable import LessonSync

/// A project with two curricula (`demo`: three lessons and a picture, `other`: two lessons), a
/// French locale of untranslated (fallback) lessons, a channel published from it with the
/// compiler, a device store, and the server, all in a temporary folder removed at the end.
final class SyncFixture {
    let dir: URL
    var root: URL { dir.appendingPathComponent("project") }
    var channel: URL { dir.appendingPathComponent("channel") }
    var storeURL: URL { dir.appendingPathComponent("store") }
    var store: DeviceStore { DeviceStore(storeURL) }
    let key: MinisignSecretKey
    let locales: [String]
    /// The time releases are published at; each publish moves it on a minute.
    var now = Int(Date().timeIntervalSince1970) / 60 * 60
    private(set) var server: ChannelServer?

    init(demoLessons: Int = 3, otherLessons: Int = 2, locales: [String] = ["fr"], key: MinisignSecretKey = .generate()) throws {
        self.key = key
        self.locales = locales
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-sync-test-\(UUID().uuidString)")
        try curriculum("demo", title: "Demo curriculum", lessons: demoLessons)
        try write("content/demo/assets/box.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"10\" height=\"10\"/></svg>\n")
        try write("content/demo/01-basics/001-lesson-1.md", """
            ---
            title: Lesson 1 of demo
            id: demo-1
            duration: 20 min
            ---
            ## Start

            The group meets every week and saves a little.

            ![A cash box with three locks](../assets/box.svg)

            """)
        if otherLessons > 0 { try curriculum("other", title: "Other curriculum", lessons: otherLessons) }
        for locale in locales {
            let result = TranslationExtractor.run(root: root, locale: locale)
            precondition(result.succeeded, "\(result.diagnostics)")
        }
    }

    deinit {
        server?.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func curriculum(_ id: String, title: String, lessons: Int) throws {
        try write("content/\(id)/curriculum.md", """
            ---
            id: \(id)
            title: \(title)
            version: 1.0.0
            language: en
            license: CC-BY-4.0
            authors: [Test Author]
            ---
            A curriculum for sync tests.

            """)
        try write("content/\(id)/01-basics/_unit.md", "---\ntitle: Basics\n---\n")
        for n in 1...lessons { try lesson(id, n, "The group meets every week and saves a little. Lesson \(n) of \(id).") }
    }

    /// Writes (or rewrites) lesson `n` of a curriculum with `text` as its body.
    func lesson(_ curriculum: String, _ n: Int, _ text: String) throws {
        try write("content/\(curriculum)/01-basics/\(String(format: "%03d", n))-lesson-\(n).md",
                  "---\ntitle: Lesson \(n) of \(curriculum)\nid: \(curriculum)-\(n)\n---\n## Start\n\n\(text)\n")
    }

    /// Removes a lesson and, as a translator would, extracts the locales again so they drop it.
    func removeLesson(_ curriculum: String, _ n: Int) throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent("content/\(curriculum)/01-basics/\(String(format: "%03d", n))-lesson-\(n).md"))
        for locale in locales { _ = TranslationExtractor.run(root: root, locale: locale) }
    }

    /// Publishes a new release (failing the test's setup if none is made).
    @discardableResult
    func publish(expiresDays: Int = 30, rotateTo: MinisignSecretKey? = nil, signWith: MinisignSecretKey? = nil, keep: Int = 10) throws -> Int {
        now += 60
        var o = PublishOptions(root: root, channel: channel, key: signWith ?? key, now: now)
        o.expiresDays = expiresDays
        o.keep = keep
        o.rotateTo = rotateTo
        let report = try Publisher.run(o)
        guard report.build.succeeded else { throw SyncError(.source, "fixture does not build: \(report.build.diagnostics)") }
        return report.release
    }

    func startServer() throws -> ChannelServer {
        if let server { return server }
        let s = try ChannelServer(root: channel, workDir: dir)
        server = s
        return s
    }

    /// Syncs from the server (started on first use) unless another source is given.
    @discardableResult
    func sync(from source: String? = nil, subscription: Subscription? = nil, keys: [MinisignPublicKey]? = nil,
              timeout: TimeInterval = 5, deadline: TimeInterval = 900, retries: Int = 1, now: Int? = nil) throws -> SyncReport {
        var o = SyncOptions(source: try source ?? startServer().url, store: storeURL, trustedKeys: keys ?? [key.publicKey], subscription: subscription)
        o.timeout = timeout
        o.deadline = deadline
        o.retries = retries
        o.retryPause = 0.01
        o.now = now ?? Int(Date().timeIntervalSince1970)
        return try Sync.run(o)
    }

    /// The sync's error, failing the test when it succeeded.
    func syncError(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> SyncReport) -> SyncError? {
        do {
            let report = try body()
            XCTFail("the sync succeeded (release \(report.toRelease)) but should have been refused", file: file, line: line)
        } catch let e as SyncError {
            return e
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    /// The store holds exactly `release` (nil: never synced), whole: every object present and
    /// hash-correct, latest.json signed by the fixture's key chain.
    func assertStore(release: Int?, file: StaticString = #filePath, line: UInt = #line) {
        let report = store.check(trusting: [key.publicKey])
        XCTAssertEqual(report.release, release, "store release", file: file, line: line)
        XCTAssertEqual(report.problems, [], "store problems", file: file, line: line)
        if release != nil { XCTAssertGreaterThan(report.objectsChecked, 0, file: file, line: line) }
    }

    func channelFile(_ path: String) -> URL { channel.appendingPathComponent(path) }

    /// The listing and bucket objects of a part of release `n` (format 2): what a sync that
    /// reads the manifest fetches besides the part's own objects.
    func listingObjects(_ n: Int, _ curriculum: String = "demo", _ locale: String = "en") throws -> [ObjectRef] {
        let listing = try XCTUnwrap(try manifest(n).listings[curriculum]?[locale])
        return [listing.listing] + Array(Set(listing.buckets)).sorted { $0.sha256 < $1.sha256 }
    }

    /// The channel's manifest of release `n`.
    func manifest(_ n: Int) throws -> Manifest {
        let source = DirectorySource(channel)
        return try Manifest.load(data: Data(contentsOf: channelFile(ChannelPath.manifest(n))), path: ChannelPath.manifest(n)) {
            try source.read(ChannelPath.object($0.sha256))
        }
    }

    /// The object a lesson has in release `n`.
    func object(_ curriculum: String, _ locale: String, _ lesson: String, release n: Int) throws -> ObjectRef {
        try XCTUnwrap(try manifest(n).curricula[curriculum]?.locales[locale]?[lesson])
    }

    func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: channelFile(path).path)[.size] as? Int) ?? -1
    }

    /// Writes a channel file and signs it with the fixture's key, as the publisher (or a thief
    /// of its key) could: the numbers in it are then the only defence.
    func sign(_ path: String, _ data: Data, release: Int) throws {
        let url = channelFile(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        try key.sign(data, trustedComment: ChannelPath.trustedComment(path: path, release: release)).fileData
            .write(to: channelFile(ChannelPath.signature(path)))
    }

    /// The channel's latest.json.
    func latest() throws -> LatestDocument { try LatestDocument(data: Data(contentsOf: channelFile(ChannelPath.latest))) }

    /// Flips one byte in the middle of a channel file.
    func flipByte(_ path: String) throws {
        var data = try Data(contentsOf: channelFile(path))
        data[data.count / 2] ^= 0x01
        try data.write(to: channelFile(path))
    }
}
