import Foundation
import XCTest
@testable import LessonCompiler
import LessonChannel
import LessonSupport

/// A tiny project (one curriculum, three lessons, one picture) and a channel folder beside it,
/// in a temporary folder removed when the test ends.
final class ChannelFixture {
    let dir: URL
    var root: URL { dir.appendingPathComponent("project") }
    var channel: URL { dir.appendingPathComponent("channel") }
    var key: MinisignSecretKey
    /// A fixed, recent time, so latest.json is not expired when verified.
    static let now = Int(Date().timeIntervalSince1970) / 86400 * 86400

    static let lessonTitles = ["Why save together", "Shares and the group fund", "Lending safely"]

    init(key: MinisignSecretKey = .generate()) throws {
        self.key = key
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-publish-test-\(UUID().uuidString)")
        try write("content/demo/curriculum.md", """
            ---
            id: demo
            title: Demo curriculum
            version: 1.0.0
            language: en
            license: CC-BY-4.0
            authors: [Test Author]
            ---
            A curriculum for tests.

            """)
        try write("content/demo/01-basics/_unit.md", "---\ntitle: Basics\n---\n")
        for n in 2...3 {
            try lesson(n, title: Self.lessonTitles[n - 1], body: "## Start\n\nThe group meets every week and saves a little. Lesson \(n).\n")
        }
        try write("content/demo/01-basics/01-lesson-1.md", """
            ---
            title: \(Self.lessonTitles[0])
            source: "WHO (2020), a guideline"
            ---
            ## Start

            The group meets every week and saves a little.

            ![A cash box with three locks](../assets/box.svg)

            """)
        try write("content/demo/assets/box.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"10\" height=\"10\"/></svg>\n")
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func lesson(_ n: Int, title: String, body: String) throws {
        try write("content/demo/01-basics/0\(n)-lesson-\(n).md", "---\ntitle: \(title)\n---\n\(body)")
    }

    /// Publishes with the fixture's key unless told otherwise.
    @discardableResult
    func publish(now: Int = ChannelFixture.now, keep: Int = 10, key: MinisignSecretKey? = nil, rotateTo: MinisignSecretKey? = nil,
                 failBeforeLatest: Bool = false) throws -> PublishReport {
        var o = PublishOptions(root: root, channel: channel, key: key ?? self.key, now: now)
        o.keep = keep
        o.rotateTo = rotateTo
        o.failBeforeLatest = failBeforeLatest
        return try Publisher.run(o)
    }

    func verify(_ key: MinisignPublicKey? = nil, now: Int = ChannelFixture.now) -> ChannelVerifier.Report {
        ChannelVerifier.verify(DirectorySource(channel), trusting: key ?? self.key.publicKey, now: now)
    }

    /// Every file of the channel (path → bytes), hidden ones (the lock) aside.
    func tree() throws -> [String: Data] {
        var out: [String: Data] = [:]
        let walker = FileManager.default.enumerator(at: channel, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walker?.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            let path = String(url.standardizedFileURL.path.dropFirst(channel.standardizedFileURL.path.count + 1))
            if !path.hasPrefix(".") { out[path] = try Data(contentsOf: url) }
        }
        return out
    }

    func json(_ path: String) throws -> JSON {
        try JSON.parse(Data(contentsOf: channel.appendingPathComponent(path)))
    }

    func diff(_ m: Int, _ n: Int) throws -> DiffDocument {
        let path = ChannelPath.diff(from: m, to: n)
        return try DiffDocument(data: Data(contentsOf: channel.appendingPathComponent(path)), path: path)
    }

    func text(_ path: String) throws -> String {
        try String(decoding: Data(contentsOf: channel.appendingPathComponent(path)), as: UTF8.self)
    }
}


extension Manifest {
    /// A manifest of either format, its listings and buckets read with `file` (channel path → bytes).
    static func read(_ data: Data, file: (String) throws -> Data?) throws -> Manifest {
        try Manifest.load(data: data, path: "m") { try file(ChannelPath.object($0.sha256)) }
    }
}
