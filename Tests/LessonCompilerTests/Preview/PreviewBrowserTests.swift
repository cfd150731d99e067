import Foundation
import XCTest
@testable import LessonCompiler
import LessonSupport

/// The preview in headless Chromium (Debian's chromium, chromium-driver and python3-selenium,
/// installed by `scripts/setup.sh test`): one browser session, driven by
/// Tests/Browser/preview_browser.py, opens the fixture's pages from file://, answers a quiz, runs
/// axe-core on every page, and edits a lesson while `lessonc serve` shows it. Each test asserts on
/// one part of what the session saw. Screenshots are kept in .build/test-artefacts/preview.
final class PreviewBrowserTests: XCTestCase {
    struct Session {
        var facts: JSON
        var project: TestProject
    }

    /// The session runs once, for every test of this class.
    nonisolated(unsafe) static var session: Result<Session, Error>?

    static var artefacts: URL { ContentGuideTests.repositoryRoot.appendingPathComponent(".build/test-artefacts/preview") }
    static var axe: URL { ContentGuideTests.repositoryRoot.appendingPathComponent(".build/test-tools/axe.min.js") }

    func facts(file: StaticString = #filePath, line: UInt = #line) throws -> JSON {
        if PreviewBrowserTests.session == nil { PreviewBrowserTests.session = Result { try PreviewBrowserTests.open() } }
        return try PreviewBrowserTests.session!.get().facts
    }

    static func open() throws -> Session {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/python3", axe.path] where !FileManager.default.fileExists(atPath: tool) {
            throw XCTSkipError("\(tool) is missing: run 'scripts/setup.sh test' (make test does)")
        }
        let p = try TestProject.previewProject()
        let out = p.root.appendingPathComponent("build/preview")
        let preview = try Run(Run.lessonc, ["preview", "--root", p.root.path])
        guard preview.status == 0 else { throw XCTSkipError("lessonc preview failed: \(preview.stderr)") }
        try? FileManager.default.removeItem(at: artefacts)
        let config: JSON = [
            "site": .string(out.path),
            "pages": ["home": "index.html", "contents-ar": "demo/ar/index.html", "lesson-en": "demo/en/saving.html",
                      "lesson-ar": "demo/ar/saving.html", "fallback-ar": "demo/ar/rules.html", "callouts-en": "demo/en/meeting.html",
                      "review-ar": "demo/ar/review/rules.html", "review-index-ar": "demo/ar/review/index.html"],
            "quiz_page": "demo/en/saving.html",
            "axe": .string(axe.path),
            "artefacts": .string(artefacts.path),
            "lessonc": .string(Run.lessonc),
            "root": .string(p.root.path),
            "serve_out": .string(p.root.appendingPathComponent("build/serve").path),
            "serve_page": "demo/en/rules.html",
            "lesson_file": .string(p.root.appendingPathComponent("content/demo/01-unit/02-rules.md").path),
        ]
        let configFile = p.root.appendingPathComponent("browser.json")
        try config.data().write(to: configFile)
        let driver = ContentGuideTests.repositoryRoot.appendingPathComponent("Tests/Browser/preview_browser.py")
        // A hung browser fails the tests instead of holding up the suite.
        let run = try Run("/usr/bin/timeout", ["--kill-after=10", "300", "/usr/bin/python3", driver.path, configFile.path])
        guard run.status == 0 else { throw DriverFailure(description: "preview_browser.py failed (\(run.status)): \(run.stderr.suffix(3000))") }
        return Session(facts: try JSON.parse(run.stdout), project: p)
    }

    struct DriverFailure: Error, CustomStringConvertible { var description: String }
    struct XCTSkipError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    func page(_ name: String) throws -> JSON { try XCTUnwrap(try facts()["pages"]?[name], name) }

    func testALessonsTitleAndTextAreShown() throws {
        let lesson = try page("lesson-en")
        XCTAssertEqual(lesson["title"], "Saving together")
        XCTAssertTrue(lesson["text"]?.stringValue?.contains("Saving a little every week, as the group rules say, adds up.") ?? false, "\(lesson)")
        XCTAssertEqual(lesson["lang"], "en")
        XCTAssertEqual(lesson["dir"], "ltr")
        let callouts = try page("callouts-en")["text"]?.stringValue ?? ""
        for label in ["PROMPT", "ACTIVITY", "10 min", "READ ALOUD", "CONTENT WARNING"] { XCTAssertTrue(callouts.contains(label), label) }
    }

    func testAQuizRevealsItsExplanationOnClick() throws {
        let quiz = try XCTUnwrap(try facts()["quiz"])
        XCTAssertEqual(quiz["explanation_visible_before"], false)
        XCTAssertEqual(quiz["explanation_visible_after"], true)
        XCTAssertEqual(quiz["explanation_text"], "Three members each hold one key.")
        XCTAssertEqual(quiz["option_focusable"], true)
        XCTAssertEqual(quiz["feedback"], "Right.")
    }

    func testAnArabicLessonIsRightToLeftAndAFallbackInsideItLeftToRight() throws {
        let arabic = try page("lesson-ar")
        XCTAssertEqual(arabic["lang"], "ar")
        XCTAssertEqual(arabic["dir"], "rtl")
        XCTAssertEqual(arabic["article_direction"], "rtl")
        XCTAssertEqual(arabic["article_dir"], .null)
        let fallback = try page("fallback-ar")
        XCTAssertEqual(fallback["dir"], "rtl")
        XCTAssertEqual(fallback["article_dir"], "ltr")
        XCTAssertEqual(fallback["article_lang"], "en")
        XCTAssertEqual(fallback["article_direction"], "ltr")
        XCTAssertTrue(fallback["text"]?.stringValue?.contains("Not yet translated into Arabic (ar)") ?? false)
        XCTAssertEqual(try page("contents-ar")["dir"], "rtl")
        XCTAssertEqual(try page("review-ar")["dir"], "rtl")
    }

    func testEveryImageLoadsAndHasAltText() throws {
        var count = 0
        for (name, page) in try facts()["pages"]?.objectValue ?? [:] {
            for image in page["images"]?.arrayValue ?? [] {
                XCTAssertEqual(image["loaded"], true, "\(name): \(image)")
                XCTAssertFalse((image["alt"]?.stringValue ?? "").isEmpty, "\(name): \(image)")
                count += 1
            }
        }
        XCTAssertEqual(count, 4, "two images in the lesson in en and in ar")
        XCTAssertEqual(try facts()["failed_requests"], [])
    }

    func testNoConsoleErrorsAndNoRequestLeavesTheMachine() throws {
        let f = try facts()
        XCTAssertEqual(f["console"], [])
        XCTAssertEqual(f["external_requests"], [])
        XCTAssertGreaterThan(f["request_count"]?.intValue ?? 0, 20, "the requests were seen")
    }

    func testAxeFindsNoSeriousOrCriticalViolations() throws {
        let results = try XCTUnwrap(try facts()["axe"]?.objectValue)
        XCTAssertEqual(results.count, 8)
        for (name, violations) in results {
            let bad = (violations.arrayValue ?? []).filter { ["serious", "critical"].contains($0["impact"]?.stringValue ?? "") }
            XCTAssertEqual(bad, [], name)
        }
    }

    func testEditingALessonWhileServeRunsChangesTheOpenPage() throws {
        let serve = try XCTUnwrap(try facts()["serve"])
        XCTAssertNil(serve["error"], "\(serve)")
        XCTAssertTrue(serve["announced"]?.stringValue?.hasPrefix("serving http://127.0.0.1:") ?? false, "\(serve)")
        XCTAssertFalse(serve["before"]?.stringValue?.contains("A sentence written while the preview was open.") ?? true)
        XCTAssertNotNil(serve["edit_seconds"]?.doubleValue, "the open page showed the edit: \(serve)")
        XCTAssertTrue(serve["after"]?.stringValue?.contains("A sentence written while the preview was open.") ?? false)
        XCTAssertNotNil(serve["broken_seconds"]?.doubleValue, "the page showed the error: \(serve)")
        XCTAssertTrue(serve["broken_text"]?.stringValue?.contains("content/demo/01-unit/02-rules.md:9:3 unknown callout kind 'PROMT'") ?? false, "\(serve)")
        XCTAssertEqual(serve["alive"], true, "a broken lesson does not stop the server")
        XCTAssertEqual(serve["exit_status"], 0, "Ctrl-C stops it cleanly")
        XCTAssertEqual(serve["port_released"], true)
    }
}

extension JSON {
    var doubleValue: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }
}
