import XCTest
@testable import LessonCompiler

/// A curriculum with many different problems: one run reports all of them, sorted.
final class PlantedProblemsTests: XCTestCase {
    static let expected = [
        "content/demo/01-unit/01-first.md:6:1: error: image '../assets/map.svg' has no alt text; describe what it shows in ![...] [image-alt-missing]",
        "content/demo/01-unit/01-first.md:8:5: error: link to '02-gone.md' does not resolve to a lesson [broken-link]",
        "content/demo/01-unit/01-first.md:10:1: error: heading level jumps from 2 to 4; use level 3 [heading-jump]",
        "content/demo/01-unit/02-second.md:2:14: error: ':' inside unquoted text; put the value in quotes [front-matter-syntax]",
        "content/demo/01-unit/notes.txt:1:1: warning: 'notes.txt' is neither a lesson (.md) nor a unit folder and is ignored; put media in assets/ [stray-file]",
        "content/demo/02-unit/01-third.md:3:5: error: lesson id 'first' is also used by content/demo/01-unit/01-first.md [duplicate-id]",
        "content/demo/02-unit/01-third.md:5:6: error: raw HTML '<b>' is not passed to devices; write it in Markdown [raw-html]",
        "content/demo/02-unit/01-third.md:5:13: error: raw HTML '</b>' is not passed to devices; write it in Markdown [raw-html]",
        "content/demo/02-unit/02-fourth.md:4:1: error: quiz has no correct option; mark at least one with '- [x]' [quiz-no-correct]",
        "content/demo/02-unit/02-fourth.md:10:3: error: unknown callout kind 'CAUTION'; use one of NOTE, TIP, WARNING, PROMPT, ACTIVITY, READ-ALOUD, CONTENT-WARNING or QUIZ [unknown-callout]",
        "content/demo/assets/unused.png:1:1: warning: asset is not used by any lesson [unused-asset]",
        "content/demo/curriculum.md:8:1: error: unknown front-matter key 'autor' in a curriculum; did you mean 'authors'? [unknown-key]",
    ]

    static func plantedProject() throws -> TestProject {
        let p = try TestProject(curriculumFile: "---\nid: demo\n\(TestProject.curriculumFrontMatter)\nautor: Someone\n---\nDemo.\n")
        try p.lesson("01-unit/01-first.md", title: "First", body: "## Start\n\n![](../assets/map.svg)\n\nSee [x](02-gone.md).\n\n#### Deep\n")
        try p.lesson("01-unit/02-second.md", "---\ntitle: Second: more\n---\nText.\n")
        try p.lesson("01-unit/notes.txt", "notes")
        try p.lesson("02-unit/01-third.md", "---\ntitle: Third\nid: first\n---\nSave <b>more</b>.\n")
        try p.lesson("02-unit/02-fourth.md", title: "Fourth", body: "> [!QUIZ]\n> Why save?\n>\n> - [ ] No reason\n> - [ ] None\n\n> [!CAUTION]\n> Careful.\n")
        try p.asset("map.svg")
        try p.asset("unused.png")
        return p
    }

    func testEveryProblemInOneRunSortedByPathAndLine() throws {
        let p = try PlantedProblemsTests.plantedProject()
        let result = p.validate()
        XCTAssertDiagnostics(result, PlantedProblemsTests.expected)
        XCTAssertEqual(result.diagnostics, Diagnostic.sorted(result.diagnostics))
        XCTAssertFalse(result.succeeded)
        XCTAssertEqual(result.errors, 10)
        XCTAssertEqual(result.warnings, 2)
    }

    func testFailedBuildWritesNothing() throws {
        let p = try PlantedProblemsTests.plantedProject()
        let result = p.build()
        XCTAssertDiagnostics(result, PlantedProblemsTests.expected)
        XCTAssertFalse(result.succeeded)
        XCTAssertEqual(try treeContents(p.outputURL), [:])
    }

    func testStrictMakesWarningsFatal() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\n# Title again\n\nText.\n"])
        let warning = "content/demo/01-unit/01-first.md:4:1: warning: level-1 heading in the body; the lesson title is level 1, start sections at '##' [heading-level-1]"
        let relaxed = p.validate()
        XCTAssertDiagnostics(relaxed, [warning])
        XCTAssertTrue(relaxed.succeeded)
        let strict = p.validate(strict: true)
        XCTAssertDiagnostics(strict, [warning])
        XCTAssertFalse(strict.succeeded)
        XCTAssertFalse(p.build(strict: true).succeeded)
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.outputURL.appendingPathComponent("index.json").path))
        XCTAssertTrue(p.build().succeeded)
        XCTAssertTrue(FileManager.default.fileExists(atPath: p.outputURL.appendingPathComponent("index.json").path))
    }
}
