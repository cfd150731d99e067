import XCTest
@testable import LessonCompiler
import LessonSupport

/// What a designer writes that Markdown would drop, join to something else, or read otherwise:
/// each case draws exactly this diagnostic. Lessons have three front-matter lines, so body line N
/// is file line N + 3 (`LessonBodyChecks`).
final class AuthoringRuleTests: XCTestCase, LessonBodyChecks {

    // MARK: - No silent loss

    func testExtraTableCellIsAnErrorNamingTheDroppedText() throws {
        XCTAssertDiagnostics(try check("| A | B |\n|---|---|\n| 1 | 2 | 3 |\n"), [
            at(6, 11, "error: this row has 3 cells but the table has 2 columns, so '3' would be dropped; add a column to the header and '|---|' rows, or remove the extra cell [table-extra-cells]"),
        ])
    }

    func testExtraTableCellsInAQuoteAndWithoutOuterPipes() throws {
        XCTAssertDiagnostics(try check("> | A | B |\n> |---|---|\n> | 1 | 2 | three \\| 3 | four |\n\nA | B\n--|--\n1 | 2 | 3\n"), [
            at(6, 13, "error: this row has 4 cells but the table has 2 columns, so 'three \\| 3', 'four' would be dropped; add columns to the header and '|---|' rows, or remove the extra cells [table-extra-cells]"),
            at(10, 9, "error: this row has 3 cells but the table has 2 columns, so '3' would be dropped; add a column to the header and '|---|' rows, or remove the extra cell [table-extra-cells]"),
        ])
    }

    func testAnEmptyExtraCellLosesNothing() throws {
        XCTAssertDiagnostics(try check("| A | B |\n|---|---|\n| 1 | 2 | |\n| 3 |\n"), [])
    }

    func testLineJoinedToTheLastQuizOptionIsAnErrorAtThatLine() throws {
        let body = "> [!QUIZ]\n> Who keeps the keys?\n>\n> - [x] Three members\n> - [ ] wrong\nFacilitator: thank the group.\n"
        XCTAssertDiagnostics(try check(body), [
            at(9, 1, "error: this line has no '>', so Markdown joins it to the quiz option 'wrong' on line 8; put a blank line before it to end the quiz, or '> ' at its start to keep it in the quiz [quiz-lazy-line]"),
        ])
    }

    func testLineJoinedToACalloutIsAWarning() throws {
        XCTAssertDiagnostics(try check("> [!NOTE]\n> Bring the cash box.\nThen start the meeting.\n"), [
            at(6, 1, "warning: this line has no '>', so Markdown joins it to the quoted paragraph above; put a blank line before it to end the quote, or '> ' at its start to keep it inside [lazy-continuation]"),
        ])
        XCTAssertDiagnostics(try check("> [!NOTE]\n> Bring the cash box.\n> Then start the meeting.\n\nAfter.\n"), [])
    }

    func testQuizExplanationOutsideTheQuote() throws {
        let body = "> [!QUIZ]\n> Who keeps the keys?\n>\n> - [x] Three members\n> - [ ] The treasurer\n\nNo single person can open the box.\n"
        XCTAssertDiagnostics(try check(body), [
            at(10, 1, "warning: this paragraph follows a quiz that has no explanation; if it explains the answer, move it into the quiz: a '>' line, then the paragraph with '> ' before each line [quiz-explanation-outside]"),
        ])
        // With an explanation, or with a heading between, the next paragraph is simply the next paragraph.
        XCTAssertDiagnostics(try check(body.replacingOccurrences(of: "\n\nNo single", with: "\n>\n> Because.\n\nNo single")), [])
        XCTAssertDiagnostics(try check(body.replacingOccurrences(of: "\n\nNo single", with: "\n\n## Next\n\nNo single")), [])
    }

    // MARK: - Near misses

    func testCalloutMarkerNearMisses() throws {
        let body = "> [! TIP]\n> Save weekly.\n\n> [TIP]\n> Save weekly.\n\n> [!tip ]\n> Save weekly.\n\n> [! DANGER]\n> Hot.\n"
        let how = "A marker is '[!' and the kind in capitals, then ']', with no spaces [callout-marker]"
        XCTAssertDiagnostics(try check(body), [
            at(4, 3, "error: '[! TIP]' is not a callout marker, so this is a plain quote that shows it; did you mean '[!TIP]'? \(how)"),
            at(7, 3, "error: '[TIP]' is not a callout marker, so this is a plain quote that shows it; did you mean '[!TIP]'? \(how)"),
            at(10, 3, "error: '[!tip ]' is not a callout marker, so this is a plain quote that shows it; did you mean '[!TIP]'? \(how)"),
            at(13, 3, "error: '[! DANGER]' is not a callout marker, so this is a plain quote that shows it; a marker is '[!' and the kind in capitals, then ']', with no spaces [callout-marker]"),
        ])
    }

    func testBracketedWordsThatNameNoKindAreText() throws {
        XCTAssertDiagnostics(try check("> [1] WHO, 2021.\n\n> [Note that] this is a quote.\n"), [])
    }

    func testCalloutKindInSmallLettersWorksWithAWarning() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\n> [!Note]\n> Bring the box.\n"])
        XCTAssertDiagnostics(p.build(), [
            at(4, 3, "warning: write the callout kind in capitals: '[!NOTE]', not '[!Note]' [callout-marker-case]"),
        ])
        XCTAssertEqual(try p.compiled("first")["blocks"]?.arrayValue?.first?["kind"], "note")
    }

    func testHeadingWithoutASpace() throws {
        XCTAssertDiagnostics(try check("##Heading\n\nText.\n###Deeper title\n\n\\##escaped\n\n#hashtag\n"), [
            at(4, 1, "error: '##Heading' is not a heading; put a space after the '#' marks: '## Heading' [heading-no-space]"),
            at(7, 1, "error: '###Deeper' is not a heading; put a space after the '#' marks: '### Deeper' [heading-no-space]"),
        ])
    }

    func testTableWithoutItsDelimiterRow() throws {
        XCTAssertDiagnostics(try check("| Role | Holds |\n| Box keeper | the box |\n\n| A | B |\n|---|---|---|\n| 1 | 2 |\n"), [
            at(4, 1, "error: this is not read as a table: a table needs a delimiter row such as '|---|---|' right under its header row [table-no-delimiter]"),
            at(7, 1, "error: this is not read as a table: its header row has 2 cells but the '|---|' row under it has 3; give both the same number of cells [table-no-delimiter]"),
        ])
    }

    func testTabIndentedParagraphBecomesCodeWithAWarning() throws {
        XCTAssertDiagnostics(try check("Text.\n\n\tA paragraph indented with a tab.\n\nMore text.\n\n    And one with four spaces.\n"), [
            at(6, 2, "warning: this text is indented with a tab, so it is shown as code; remove the indentation, or fence it with ``` if it is code [indented-code]"),
            at(10, 5, "warning: this text is indented by 4 spaces or more, so it is shown as code; remove the indentation, or fence it with ``` if it is code [indented-code]"),
        ])
    }

    func testIndentedCodeInsideAListIsPlausible() throws {
        XCTAssertDiagnostics(try check("1. Type this:\n\n       balance = savings - loans\n"), [])
    }

    func testQuizWithOptionsButTheQuestionOutside() throws {
        XCTAssertDiagnostics(try check("Who keeps the keys?\n\n> [!QUIZ]\n> - [x] Three members\n> - [ ] The treasurer\n"), [
            at(6, 1, "error: quiz has no question; the question on line 4 is outside the quiz: move it to the line after [!QUIZ], with '> ' before it [quiz-no-question]"),
        ])
    }

    func testOverIndentedQuizOptionPointsAtItsOwnLine() throws {
        let body = "> [!QUIZ]\n> Who keeps the keys?\n>\n> - [x] Three members\n>    - [ ] The treasurer\n"
        XCTAssertDiagnostics(try check(body), [
            at(8, 6, "error: this option is indented under the option on line 7, so Markdown makes it part of that one; start its '-' in the same column as the '-' above [quiz-option-indent]"),
        ])
    }

    func testQuizOptionsIndentedIntoTheQuestion() throws {
        let body = "> [!QUIZ]\n> Who keeps the keys?\n>     - [x] Three members\n>     - [ ] The treasurer\n"
        XCTAssertDiagnostics(try check(body), [
            at(6, 1, "error: this option is indented 4 spaces or more, so it is read as part of the question, not as an option; start its '-' right after the '> ' [quiz-option-indent]"),
        ])
    }

    func testFencedCodeInfoBeyondTheLanguage() throws {
        XCTAssertDiagnostics(try check("```text title=\"Rules\"\nSave weekly.\n```\n"), [
            at(4, 1, "warning: only the first word after the code fence, 'text', is kept (as the code's language); 'title=\"Rules\"' is ignored [code-info-ignored]"),
        ])
    }

    func testActivityWithoutDuration() throws {
        XCTAssertDiagnostics(try check("> [!ACTIVITY] Count the money\n> Everyone counts.\n\n> [!ACTIVITY] Count again (5 min)\n> Twice.\n"), [
            at(4, 3, "warning: ACTIVITY callout has no duration; end its title with the time it takes, e.g. '[!ACTIVITY] Count the money (10 min)' [activity-duration]"),
        ])
    }

    func testAltTextThatIsAFileName() throws {
        let body = "![map.png](../assets/map.png)\n\n![cash-box](../assets/cash-box.svg)\n\n![A map of the village](../assets/map.png)\n\n![The cash box](../assets/cash-box.svg)\n"
        XCTAssertDiagnostics(try check(body, assets: ["map.png", "cash-box.svg"]), [
            at(4, 1, "warning: the alt text of image '../assets/map.png' is its file name, 'map.png'; describe what the picture shows, for people who cannot see it [image-alt-filename]"),
            at(6, 1, "warning: the alt text of image '../assets/cash-box.svg' is its file name, 'cash-box'; describe what the picture shows, for people who cannot see it [image-alt-filename]"),
        ])
    }

    // MARK: - Footnotes

    func testFootnotesCompileToFootnoteBlocksAtTheEnd() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\nSave weekly[^why] and keep records[^2].\n\n[^2]: The secretary writes them.\n[^why]: Small sums add up.\n"])
        XCTAssertDiagnostics(p.build(), [])
        let doc = try p.compiled("first")
        XCTAssertEqual(doc["format"], "lessonc-lesson/2")
        XCTAssertEqual(doc["blocks"], [
            ["type": "paragraph", "inlines": [
                ["type": "text", "text": "Save weekly"], ["type": "footnote_ref", "number": 1],
                ["type": "text", "text": " and keep records"], ["type": "footnote_ref", "number": 2], ["type": "text", "text": "."],
            ]],
            ["type": "footnote", "number": 1, "blocks": [["type": "paragraph", "inlines": [["type": "text", "text": "Small sums add up."]]]]],
            ["type": "footnote", "number": 2, "blocks": [["type": "paragraph", "inlines": [["type": "text", "text": "The secretary writes them."]]]]],
        ])
        XCTAssertEqual(doc["html"], """
            <p>Save weekly<sup class="footnote-ref"><a href="#fn-1" id="fnref-1">1</a></sup> and keep records<sup class="footnote-ref"><a href="#fn-2" id="fnref-2">2</a></sup>.</p>
            <section class="footnotes">
            <ol>
            <li id="fn-1" value="1">
            <p>Small sums add up.</p>
            <a href="#fnref-1" class="footnote-backref">\u{21A9}</a>
            </li>
            <li id="fn-2" value="2">
            <p>The secretary writes them.</p>
            <a href="#fnref-2" class="footnote-backref">\u{21A9}</a>
            </li>
            </ol>
            </section>

            """)
    }

    func testALessonWithoutFootnotesKeepsFormatVersion1() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\nHello.\n"])
        XCTAssertDiagnostics(p.build(), [])
        XCTAssertEqual(try p.compiled("first")["format"], "lessonc-lesson/1")
    }

    func testUndefinedAndUnusedFootnotes() throws {
        XCTAssertDiagnostics(try check("Save weekly[^1] and keep records[^records].\n\n[^2]: Never referred to.\n"), [
            at(4, 12, "error: footnote [^1] is not defined, so it would show as '[^1]'; add a line '[^1]: the note' at the end of the lesson [footnote-undefined]"),
            at(4, 33, "error: footnote [^records] is not defined, so it would show as '[^records]'; add a line '[^records]: the note' at the end of the lesson [footnote-undefined]"),
            at(6, 1, "warning: footnote [^2] is never referred to, so its text is not shown; put [^2] in the text where it belongs, or delete the note [footnote-unused]"),
        ])
    }

    func testFootnotesAreExtractedForTranslation() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\nid: first\n---\nSave weekly[^1].\n\n[^1]: Small sums add up.\n"])
        p.extract("fr")
        let units = try p.units("fr").mapValues { XLIFFWriter.inline($0.source) }.filter { $0.key.hasPrefix("first/") }
        XCTAssertEqual(units, [
            "first/title-1": "First",
            "first/p-1": #"Save weekly<x id="1" ctype="x-footnote" equiv-text="[^1]"/>."#,
            "first/fn-1": "Small sums add up.",
        ])
        try p.translate("fr", "first/title-1", "Premier")
        try p.translate("fr", "first/p-1", #"Épargnez chaque semaine<x id="1" ctype="x-footnote" equiv-text="[^1]"/>."#)
        try p.translate("fr", "first/fn-1", "Les petites sommes s'additionnent.")
        XCTAssertDiagnostics(p.build(), [])
        let blocks = try XCTUnwrap(p.compiled("first", locale: "fr")["blocks"]?.arrayValue)
        XCTAssertEqual(blocks.count, 2)
        XCTAssertEqual(blocks[0]["inlines"]?.arrayValue?.last, ["type": "text", "text": "."])
        XCTAssertEqual(blocks[0]["inlines"]?.arrayValue?.dropLast().last, ["type": "footnote_ref", "number": 1])
        XCTAssertEqual(blocks[1], ["type": "footnote", "number": 1, "blocks": [["type": "paragraph", "inlines": [["type": "text", "text": "Les petites sommes s'additionnent."]]]]])
    }

    // MARK: - Links to lessons

    func testLinkWrittenAsALessonIdOrWithoutMd() throws {
        let result = try check("See [next](02-second), [by id](second-lesson), [elsewhere](../02-more/01-other) and [nothing](nowhere).\n") { p in
            try p.lesson("01-unit/02-second.md", "---\ntitle: Second\nid: second-lesson\n---\nHi.\n")
            try p.lesson("02-more/01-other.md", title: "Other", body: "Hi.\n")
        }
        XCTAssertDiagnostics(result, [
            at(4, 5, "error: link '02-second' has no '.md'; link to a lesson as '02-second.md' [broken-link]"),
            at(4, 24, "error: link 'second-lesson' names the lesson with id 'second-lesson'; link to a lesson by its file, as '02-second.md' [broken-link]"),
            at(4, 48, "error: link '../02-more/01-other' has no '.md'; link to a lesson as '../02-more/01-other.md' [broken-link]"),
            at(4, 85, "error: link 'nowhere' is neither a lesson nor a file in assets/; link to a lesson as '02-name.md', the path of its file from this lesson [broken-link]"),
        ])
    }

    // MARK: - Link definitions

    func testUnusedLinkDefinition() throws {
        XCTAssertDiagnostics(try check("See [the next lesson][next].\n\n[next]: 02-second.md\n[spare]: https://example.org\n[next]: https://example.org/again\n") { p in
            try p.lesson("01-unit/02-second.md", title: "Second", body: "Hi.\n")
        }, [
            at(7, 1, "warning: link definition [spare] is not used by any link (or repeats an earlier one), so it is not shown; use it as [text][spare], or delete it [link-definition-unused]"),
            at(8, 1, "warning: link definition [next] is not used by any link (or repeats an earlier one), so it is not shown; use it as [text][next], or delete it [link-definition-unused]"),
        ])
    }

    // MARK: - Editor comments

    func testEditorCommentsAreStrippedQuietly() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\nid: first\n---\n<!-- Reviewer: check the amounts. -->\n\nSave <!-- was: keep --> weekly.\n\n<!--\nA longer note\nover lines.\n-->\n"])
        XCTAssertDiagnostics(p.build(), [])
        XCTAssertEqual(try p.compiled("first")["blocks"], [["type": "paragraph", "inlines": [["type": "text", "text": "Save  weekly."]]]])
        p.extract("fr")
        XCTAssertFalse(try p.xliff("fr").contains("Reviewer"))
        XCTAssertFalse(try p.xliff("fr").contains("was: keep"))
    }

    func testTextBesideACommentAndUnclosedComments() throws {
        XCTAssertDiagnostics(try check("<!-- note --> Save weekly.\n\nText.\n\n<!-- never closed\n\nEverything else.\n"), [
            at(4, 1, "error: text on a line with an HTML comment is hidden with the comment: 'Save weekly.'; put the comment on lines of its own [raw-html]"),
            at(8, 1, "error: this HTML comment is never closed with '-->', so everything after it is hidden; close it [raw-html]"),
        ])
    }

    func testALessonOfOnlyCommentsIsEmpty() throws {
        XCTAssertDiagnostics(try check("<!-- to do -->\n"), [at(3, 1, "error: lesson has no content after its front matter [empty-lesson]")])
    }

    // MARK: - Columns

    func testColumnsCountUTF16CodeUnitsAsEditorsDo() throws {
        // '💰' is one character but two UTF-16 code units (a surrogate pair); 'é' one.
        XCTAssertDiagnostics(try check("💰 é [x](missing.md)\n"), [at(4, 6, "error: link to 'missing.md' does not resolve to a lesson [broken-link]")])
    }
}
