import XCTest
@testable import LessonCompiler

/// One test per rule the Markdown compiler checks. Lessons have three front-matter lines,
/// so body line N is file line N + 3.
final class CompilerRuleTests: XCTestCase, LessonBodyChecks {

    // MARK: - Links and assets

    func testBrokenLink() throws {
        XCTAssertDiagnostics(try check("Hello.\n\nSee [the next lesson](../02-more/01-next.md).\n"),
                             [at(6, 5, "error: link to '../02-more/01-next.md' does not resolve to a lesson [broken-link]")])
    }

    func testLinkIntoAnotherCurriculumThatDoesNotExist() throws {
        XCTAssertDiagnostics(try check("See [x](../../other/01-unit/01-first.md).\n"),
                             [at(4, 5, "error: link to '../../other/01-unit/01-first.md' does not resolve to a lesson [broken-link]")])
    }

    func testMissingAsset() throws {
        XCTAssertDiagnostics(try check("![A map of the village](../assets/map.png)\n"),
                             [at(4, 1, "error: image '../assets/map.png' not found: no file content/demo/assets/map.png [missing-asset]")])
    }

    func testMissingAssetLink() throws {
        XCTAssertDiagnostics(try check("Print [the form](../assets/form.pdf).\n"),
                             [at(4, 7, "error: link '../assets/form.pdf' not found: no file content/demo/assets/form.pdf [missing-asset]")])
    }

    func testAssetOutsideWithDotDot() throws {
        XCTAssertDiagnostics(try check("![A map](../../../secret.png)\n\n![A map](../01-unit/map.png)\n"), [
            at(4, 1, "error: image '../../../secret.png' points outside the curriculum's assets/ folder [asset-outside]"),
            at(6, 1, "error: image '../01-unit/map.png' points outside the curriculum's assets/ folder [asset-outside]"),
        ])
    }

    func testAssetOutsideThroughASymlink() throws {
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-outside-\(UUID().uuidString).png")
        try Data("secret".utf8).write(to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }
        let result = try check("![A map](../assets/link.png)\n") { p in
            try FileManager.default.createDirectory(at: p.root.appendingPathComponent("content/demo/assets"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: p.root.appendingPathComponent("content/demo/assets/link.png"), withDestinationURL: outside)
        }
        // The link itself is an error (SymlinkContainmentTests), and so is every use of it.
        XCTAssertDiagnostics(result, [
            at(4, 1, "error: image '../assets/link.png' is a symbolic link leading outside assets/ [asset-outside]"),
            "content/demo/assets/link.png:1:1: error: symbolic link to \(FolderBoundary.realPath(outside.path)!), outside content/demo/assets/: a curriculum's assets must lie inside its assets/ folder [symlink-outside]",
        ])
    }

    func testSymlinkedFolderInAssetsIsNotFollowed() throws {
        let result = try check("![A map](../assets/loop/map.png)\n", assets: ["map.png"]) { p in
            try FileManager.default.createSymbolicLink(atPath: p.root.appendingPathComponent("content/demo/assets/loop").path,
                                                       withDestinationPath: ".")
        }
        XCTAssertDiagnostics(result, [
            at(4, 1, "error: image '../assets/loop/map.png' not found: no file content/demo/assets/loop/map.png [missing-asset]"),
            "content/demo/assets/map.png:1:1: warning: asset is not used by any lesson [unused-asset]",
        ])
    }

    func testSymlinkInsideAssetsIsFineAndHasTheTargetsSize() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\n![A map](../assets/alias.png)\n"])
        try p.asset("real/map.png", bytes: 1234)
        try FileManager.default.createSymbolicLink(atPath: p.root.appendingPathComponent("content/demo/assets/alias.png").path,
                                                   withDestinationPath: "real/map.png")
        let result = p.build()
        XCTAssertDiagnostics(result, ["content/demo/assets/real/map.png:1:1: warning: asset is not used by any lesson [unused-asset]"])
        let blocks = try p.compiled("first")["blocks"]
        XCTAssertEqual(blocks?.arrayValue?.first?["size"], 1234)
    }

    func testAbsolutePaths() throws {
        XCTAssertDiagnostics(try check("![A map](/etc/map.png)\n\nSee [x](/content/demo/01-unit/01-first.md).\n"), [
            at(4, 1, "error: image '/etc/map.png' is an absolute path; use a path relative to this lesson, inside assets/ [absolute-path]"),
            at(6, 5, "error: link '/content/demo/01-unit/01-first.md' is an absolute path; use a path relative to this lesson [absolute-path]"),
        ])
    }

    func testRemoteAsset() throws {
        XCTAssertDiagnostics(try check("![A map](https://example.org/map.png)\n"),
                             [at(4, 1, "error: image 'https://example.org/map.png' uses 'https:'; devices are often offline, so put the file in assets/ [remote-asset]")])
    }

    func testImageAltMissing() throws {
        XCTAssertDiagnostics(try check("Look: ![](../assets/map.png)\n", assets: ["map.png"]),
                             [at(4, 7, "error: image '../assets/map.png' has no alt text; describe what it shows in ![...] [image-alt-missing]")])
    }

    func testUnsafeURL() throws {
        XCTAssertDiagnostics(try check("Click [here](javascript:alert(1)) or [there](JavaScript:x) or [data](data:text/html,x).\n"), [
            at(4, 7, "error: links with 'javascript:' are not allowed; use http, https, mailto or tel [unsafe-url]"),
            at(4, 38, "error: links with 'JavaScript:' are not allowed; use http, https, mailto or tel [unsafe-url]"),
            at(4, 63, "error: links with 'data:' are not allowed; use http, https, mailto or tel [unsafe-url]"),
        ])
    }

    // MARK: - Structure

    func testHeadingJump() throws {
        XCTAssertDiagnostics(try check("## Start\n\nText.\n\n#### Too deep\n"),
                             [at(8, 1, "error: heading level jumps from 2 to 4; use level 3 [heading-jump]")])
    }

    func testHeadingJumpFromTheTitle() throws {
        XCTAssertDiagnostics(try check("### Too deep\n"),
                             [at(4, 1, "error: heading level jumps from 1 to 3; use level 2 [heading-jump]")])
    }

    func testHeadingLevel1() throws {
        let result = try check("# Title again\n\nText.\n")
        XCTAssertDiagnostics(result, [at(4, 1, "warning: level-1 heading in the body; the lesson title is level 1, start sections at '##' [heading-level-1]")])
        XCTAssertTrue(result.succeeded, "a warning alone does not fail the run")
    }

    func testEmptyLesson() throws {
        XCTAssertDiagnostics(try check("\n\n"), [at(3, 1, "error: lesson has no content after its front matter [empty-lesson]")])
    }

    // MARK: - Callouts and quizzes

    func testUnknownCallout() throws {
        XCTAssertDiagnostics(try check("Text.\n\n> [!DANGER]\n> Hot water.\n"),
                             [at(6, 3, "error: unknown callout kind 'DANGER'; use one of NOTE, TIP, WARNING, PROMPT, ACTIVITY, READ-ALOUD, CONTENT-WARNING or QUIZ [unknown-callout]")])
    }

    func testEmptyCallout() throws {
        XCTAssertDiagnostics(try check("Text.\n\n> [!TIP]\n"), [at(6, 1, "error: TIP callout has no text [empty-callout]")])
    }

    func testQuizWithoutQuestion() throws {
        XCTAssertDiagnostics(try check("> [!QUIZ]\n> - [ ] Yes\n> - [x] No\n"),
                             [at(4, 1, "error: quiz has no question; write it on the line after [!QUIZ] [quiz-no-question]")])
    }

    func testQuizWithoutOptions() throws {
        XCTAssertDiagnostics(try check("Text.\n\n> [!QUIZ]\n> Is saving good?\n"),
                             [at(6, 1, "error: quiz has no options; add a task list ('- [ ] wrong', '- [x] right') [quiz-no-options]")])
    }

    func testQuizWithoutCorrectOption() throws {
        XCTAssertDiagnostics(try check("> [!QUIZ]\n> Is saving good?\n>\n> - [ ] Yes\n> - [ ] No\n"),
                             [at(4, 1, "error: quiz has no correct option; mark at least one with '- [x]' [quiz-no-correct]")])
    }

    func testQuizOptionUnmarked() throws {
        XCTAssertDiagnostics(try check("> [!QUIZ]\n> Is saving good?\n>\n> - [x] Yes\n> - Maybe\n"),
                             [at(8, 3, "error: quiz option is not a task-list item; write '- [ ]' or '- [x]' [quiz-option-unmarked]")])
    }

    func testQuizOptionForm() throws {
        XCTAssertDiagnostics(try check("> [!QUIZ]\n> Is saving good?\n>\n> - [x] Yes\n>\n>   More about yes.\n> - [ ] No\n"),
                             [at(7, 3, "error: a quiz option must be one line of text [quiz-option-form]")])
    }

    // MARK: - HTML

    func testRawHTMLBlock() throws {
        XCTAssertDiagnostics(try check("Text.\n\n<div class=\"box\">\nHello\n</div>\n"),
                             [at(6, 1, "error: raw HTML is not passed to devices; write it in Markdown [raw-html]")])
    }

    func testLessonOfOnlyRawHTMLIsNotAlsoEmpty() throws {
        XCTAssertDiagnostics(try check("<div>raw</div>\n"),
                             [at(4, 1, "error: raw HTML is not passed to devices; write it in Markdown [raw-html]")])
    }

    func testHTMLCommentIsAnEditorsNoteNotAnError() throws {
        XCTAssertDiagnostics(try check("Text.\n\n<!-- a note -->\n"), [])
    }

    func testRawHTMLInline() throws {
        XCTAssertDiagnostics(try check("Save <b>every</b> week.<br>\n"), [
            at(4, 6, "error: raw HTML '<b>' is not passed to devices; write it in Markdown [raw-html]"),
            at(4, 14, "error: raw HTML '</b>' is not passed to devices; write it in Markdown [raw-html]"),
            at(4, 24, "error: raw HTML '<br>' is not passed to devices; write it in Markdown [raw-html]"),
        ])
    }

    // MARK: - Positions

    func testColumnsCountCharactersNotBytes() throws {
        XCTAssertDiagnostics(try check("Épargne ✓ — [lien](../02-x/01-y.md)\n"),
                             [at(4, 13, "error: link to '../02-x/01-y.md' does not resolve to a lesson [broken-link]")])
    }

    func testPositionsInsideCalloutsListsAndTables() throws {
        let body = """
            > [!NOTE]
            > First line.
            > See [x](missing-1.md).

            - item
            - see [y](missing-2.md)

            | A | B |
            |---|---|
            | 1 | [z](missing-3.md) |

            """
        XCTAssertDiagnostics(try check(body), [
            at(6, 7, "error: link to 'missing-1.md' does not resolve to a lesson [broken-link]"),
            at(9, 7, "error: link to 'missing-2.md' does not resolve to a lesson [broken-link]"),
            at(13, 7, "error: link to 'missing-3.md' does not resolve to a lesson [broken-link]"),
        ])
    }
}
