import Foundation
import XCTest
@testable import LessonCompiler
import LessonSupport

/// The annotated lesson in CONTENT.md must stay true: it compiles cleanly and uses what it explains.
final class ContentGuideTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func exampleLesson() throws -> String {
        let guide = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("CONTENT.md"), encoding: .utf8)
        let start = try XCTUnwrap(guide.range(of: "<!-- example-lesson:start -->\n```markdown\n"))
        let end = try XCTUnwrap(guide.range(of: "```\n<!-- example-lesson:end -->"))
        return String(guide[start.upperBound..<end.lowerBound])
    }

    func testExampleLessonInContentGuideCompilesWithoutWarnings() throws {
        let project = try TestProject(curriculum: "shg-business-skills")
        try project.lesson("01-months/08-the-cash-box.md", try exampleLesson())
        try project.lesson("01-months/10-first-loans.md", title: "First loans", body: "Loans.\n")
        try project.asset("cash-box-three-keys.svg")
        let result = project.build(strict: true)
        XCTAssertEqual(result.diagnostics.map(\.description), [])
        XCTAssertTrue(result.succeeded)

        let doc = try project.compiled("week-08-cash-box")
        let types = doc["blocks"]?.arrayValue?.compactMap { $0["type"]?.stringValue } ?? []
        for type in ["heading", "paragraph", "image", "list", "callout", "table", "quiz"] {
            XCTAssertTrue(types.contains(type), "the guide's example lesson shows no \(type)")
        }
        let kinds = Set(doc["blocks"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? [])
        XCTAssertEqual(kinds, ["prompt", "activity", "read-aloud"])
    }

    func testEveryCalloutKindInTheGuideIsOneTheCompilerAccepts() throws {
        let guide = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("CONTENT.md"), encoding: .utf8)
        let rows = guide.split(separator: "\n").filter { $0.hasPrefix("| `[!") }
        let kinds = rows.compactMap { row -> String? in
            guard let open = row.range(of: "[!"), let close = row.range(of: "]", range: open.upperBound..<row.endIndex) else { return nil }
            return String(row[open.upperBound..<close.lowerBound])
        }
        XCTAssertEqual(kinds, CalloutKind.markers)
    }
}

final class CalloutHintTests: XCTestCase {
    func testMisspeltCalloutKindSuggestsTheNearestKind() throws {
        let project = try TestProject()
        try project.lesson("01-u/01-a.md", title: "A", body: "Text.\n\n> [!PROMT]\n> Say this.\n")
        XCTAssertEqual(project.validate().diagnostics.map(\.description), [
            "content/demo/01-u/01-a.md:6:3: error: unknown callout kind 'PROMT'; did you mean PROMPT? Kinds are NOTE, TIP, WARNING, PROMPT, ACTIVITY, READ-ALOUD, CONTENT-WARNING or QUIZ [unknown-callout]",
        ])
    }
}
