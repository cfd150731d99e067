import Foundation
import XCTest
@testable import LessonCompiler
import LessonSupport

/// The bytes of `build/` and of a channel, release after release, against listings recorded with
/// the code on main before the in-memory pipeline (issue 12) replaced the build-then-reread publish.
/// `Golden/channel/project` holds three curricula (two from content/ with an Arabic and a partial
/// Swahili translation, one with every block kind); `test-only.key` is a key made for this test.
/// Each listing is `sha256 size path` for every file, so a difference names the file.
///
/// Run with LESSONC_UPDATE_GOLDEN=1 to rewrite the listings after an intended change to the output
/// formats, then review the diff: a change here is a change every device and app sees.
final class ChannelGoldenTests: XCTestCase {
    static let epoch = 1_700_000_000

    func testBuildAndThreeReleasesMatchTheRecordedBytes() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-channel-golden-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let golden = try XCTUnwrap(Bundle.module.url(forResource: "channel", withExtension: nil, subdirectory: "Golden"))
        let root = work.appendingPathComponent("project")
        try FileManager.default.copyItem(at: golden.appendingPathComponent("project"), to: root)
        let key = try MinisignSecretKey(fileData: Data(contentsOf: golden.appendingPathComponent("test-only.key"))) { "" }
        let channel = work.appendingPathComponent("channel")

        func build(_ name: String) {
            let out = work.appendingPathComponent("build-\(name)")
            let result = Builder.run(BuildOptions(root: root, output: out))
            XCTAssertEqual(result.errors, 0, "\(result.diagnostics)")
            assertListing(out, "build-\(name).txt")
        }
        func publish(_ release: Int, day: Int) throws {
            let report = try Publisher.run(PublishOptions(root: root, channel: channel, key: key, now: Self.epoch + day * 86400))
            XCTAssertEqual(report.build.errors, 0, "\(report.build.diagnostics)")
            XCTAssertEqual(report.release, release)
            assertListing(channel, "channel-release-\(release)\(day == 2 ? "-renewed" : "").txt")
        }

        build("1")
        try publish(1, day: 0)

        // Release 2: an edited lesson (its Arabic falls back), a translation edited, a lesson removed,
        // one moved (explicit id kept), one added, an asset changed.
        func edit(_ path: String, _ change: (String) -> String) throws {
            let url = root.appendingPathComponent(path)
            let text = try String(contentsOf: url, encoding: .utf8)
            let changed = change(text)
            XCTAssertNotEqual(changed, text, path)
            try Data(changed.utf8).write(to: url)
        }
        try edit("content/rcc-survivor-resource/01-for-you/03-your-choices.md") { $0 + "\nOne more sentence, added for the test.\n" }
        try edit("locales/sw/shg-digital-safety.xlf") {
            $0.replacingOccurrences(of: "<target state=\"translated\">Mikutano kumi ijayo", with: "<target state=\"translated\">Mikutano yote kumi ijayo")
        }
        let extras = "content/golden-extras/01-basics"
        try FileManager.default.removeItem(at: root.appendingPathComponent("\(extras)/03-to-be-removed.md"))
        try FileManager.default.moveItem(at: root.appendingPathComponent("\(extras)/01-first-steps/01-footnotes-and-tables.md"),
                                         to: root.appendingPathComponent("\(extras)/01-first-steps/02-footnotes-moved.md"))
        try edit("\(extras)/02-code-and-quiz.md") { $0.replacingOccurrences(of: "01-footnotes-and-tables.md", with: "02-footnotes-moved.md") }
        try Data("---\ntitle: A new lesson\n---\n## New\n\nIt shows ![the key](assets/key.svg) again.\n".utf8)
            .write(to: root.appendingPathComponent("content/golden-extras/02-new.md"))
        try Data("<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"5\"/></svg>\n".utf8)
            .write(to: root.appendingPathComponent("content/golden-extras/assets/key.svg"))

        build("2")
        try publish(2, day: 1)
        // Nothing changed: no new release, latest.json renewed.
        try publish(2, day: 2)
    }

    /// `sha256 size path` of every file under `dir` (hidden ones aside), sorted by path.
    static func listing(_ dir: URL) throws -> String {
        let fm = FileManager.default
        var lines: [String] = []
        let base = dir.resolvingSymlinksInPath().path
        guard let walker = fm.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else { return "" }
        for case let url as URL in walker where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            let data = try Data(contentsOf: url)
            let path = String(url.resolvingSymlinksInPath().path.dropFirst(base.count + 1))
            lines.append("\(Sodium.sha256(data).hex) \(data.count) \(path)")
        }
        return lines.sorted { $0.split(separator: " ")[2] < $1.split(separator: " ")[2] }.joined(separator: "\n") + "\n"
    }

    func assertListing(_ dir: URL, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let actual = try? Self.listing(dir) else { return XCTFail("cannot list \(dir.path)", file: file, line: line) }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Golden/channel/\(name)")
        if ProcessInfo.processInfo.environment["LESSONC_UPDATE_GOLDEN"] == "1" {
            XCTAssertNoThrow(try Data(actual.utf8).write(to: source))
            return XCTFail("updated Golden/channel/\(name); review it and run again without LESSONC_UPDATE_GOLDEN", file: file, line: line)
        }
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Golden/channel"),
              let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return XCTFail("no Golden/channel/\(name); run with LESSONC_UPDATE_GOLDEN=1 to create it", file: file, line: line)
        }
        guard actual != expected else { return }
        let want = Set(expected.split(separator: "\n")), got = Set(actual.split(separator: "\n"))
        XCTFail("\(name): the output differs from the recorded bytes.\nmissing or different:\n"
                + want.subtracting(got).sorted().joined(separator: "\n") + "\nnew or different:\n"
                + got.subtracting(want).sorted().joined(separator: "\n"), file: file, line: line)
    }
}
