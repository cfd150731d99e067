import XCTest
@testable import LessonCompiler
import LessonSupport

final class TranslationStatusTests: XCTestCase {
    func testCountsPerLocaleAndCurriculumAgainstTheCurrentSource() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        p.extract("sw")
        for (id, text) in TranslationBuildTests.rulesFR { try p.translate("fr", id, text) }
        try p.translate("fr", "saving/h-1", "Pourquoi épargner")
        try p.translate("sw", "rules/title-1", "Kanuni")
        // Edited after extraction: status compares with the current source, so p-2 needs review.
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet every week.\n\nWe save 60 shillings each.\n")
        let report = TranslationStatus.run(root: p.root)
        XCTAssertEqual(report.diagnostics, [])
        // 22 texts in the lessons and 3 of the curriculum's own (its title, description and unit title).
        XCTAssertEqual(report.rows.map(\.cells), [
            ["fr", "demo", "25", "3 (12%)", "1 (1 changed)", "21", "2", "0", "2", "8", "5", "76"],
            ["sw", "demo", "25", "1 (4%)", "0", "24", "2", "0", "2", "2", "0", "87"],
        ])
        XCTAssertEqual(report.rows[0].json, [
            "locale": "fr", "curriculum": "demo", "segments": 25, "translated": 3, "needs_review": 1, "failing_checks": 0, "stale": 1, "stale_kept": 0, "new": 21,
            "lessons": 2, "published": 0, "fallback": 2, "words_translated": 8, "words_review": 5, "words_new": 76, "words_left": 81,
            "curriculum_texts": ["segments": 3, "translated": 0, "needs_review": 0, "failing_checks": 0, "stale": 0, "stale_kept": 0, "new": 3,
                                 "words_translated": 0, "words_review": 0, "words_new": 7, "words_left": 7],
        ])
        // Publishing from 60% counts the rules lesson (2 of 3 texts) as published.
        XCTAssertEqual(TranslationStatus.run(root: p.root, minCoverage: 60).rows[0].published, 1)
    }

    func testWordsLeftCountsSourceWordsOfEveryUntranslatedText() throws {
        let p = try TestProject()
        try p.lesson("01-unit/01-a.md", "---\ntitle: Two words\nid: a\n---\nThree more words, and 20 more.\n")
        p.extract("fr")
        let row = try XCTUnwrap(TranslationStatus.run(root: p.root).rows.first)
        XCTAssertEqual(row.lessonTexts.wordsLeft, 2 + 6)
        // And the curriculum's own texts: "Demo curriculum", "A curriculum for tests.", "Unit".
        XCTAssertEqual(row.wordsLeft, 2 + 6 + 2 + 4 + 1)
    }

    /// `--locale`, `--curriculum` and per-lesson rows, with words split into translated, to review and new.
    func testFiltersAndLessonRows() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        p.extract("sw")
        for (id, text) in TranslationBuildTests.rulesFR { try p.translate("fr", id, text) }
        try p.translate("fr", "saving/h-1", "Pourquoi épargner", state: "needs-review-translation")
        let fr = TranslationStatus.run(root: p.root, options: .init(locales: ["FR"], curricula: ["demo"]))
        XCTAssertEqual(fr.rows.map(\.locale), ["fr"])
        XCTAssertEqual(fr.rows[0].lessonCells, [
            ["fr", "demo", "saving", "19", "0 (0%)", "1", "18", "fallback", "0", "2", "69"],
            ["fr", "demo", "rules", "3", "3 (100%)", "0", "0", "published", "11", "0", "0"],
            ["fr", "demo", "(titles, description, units)", "3", "0 (0%)", "0", "3", "-", "0", "0", "7"],
        ])
        XCTAssertEqual(fr.rows[0].json(lessons: true)["lesson_rows"]?.arrayValue?[1], [
            "id": "rules", "segments": 3, "translated": 3, "needs_review": 0, "failing_checks": 0, "stale": 0, "stale_kept": 0, "new": 0,
            "coverage": 100, "published": true, "partial": false,
            "words_translated": 11, "words_review": 0, "words_new": 0, "words_left": 0,
        ])
        XCTAssertEqual(TranslationStatus.run(root: p.root, options: .init(locales: ["de"])).rows, [])
        XCTAssertEqual(TranslationStatus.run(root: p.root, options: .init(curricula: ["nope"])).diagnostics.map(\.description),
                       ["content/nope:1:1: error: no curriculum 'nope' in content/ [unknown-curriculum]"])
    }

    func testTheCommandLine() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        for (id, text) in TranslationBuildTests.rulesFR { try p.translate("fr", id, text) }
        _ = try XCTUnwrap(CLITests.lessonc, "lessonc is not built next to the tests; run 'swift build' first")
        let text = try Run(Run.lessonc, ["translate", "status", "--lessons", "--locale", "fr"], cwd: p.root)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertEqual(text.stdout, """
            LOCALE  CURRICULUM  LESSON                        SEGMENTS  TRANSLATED  REVIEW  NEW      BUILD  WORDS DONE  WORDS TO REVIEW  WORDS NEW
            fr      demo        saving                              19      0 (0%)       0   19   fallback           0                0         71
            fr      demo        rules                                3    3 (100%)       0    0  published          11                0          0
            fr      demo        (titles, description, units)         3      0 (0%)       0    3          -           0                0          7

            LOCALE  CURRICULUM  SEGMENTS  TRANSLATED  REVIEW  NEW  LESSONS  PUBLISHED  FALLBACK  WORDS DONE  WORDS TO REVIEW  WORDS NEW
            fr      demo              25     3 (12%)       0   22        2          1         1          11                0         78

            """)
        let json = try Run(Run.lessonc, ["translate", "status", "--format", "json", "--curriculum", "demo", "--lessons"], cwd: p.root)
        XCTAssertEqual(json.status, 0, json.stderr)
        let rows = try JSON.parse(Data(json.stdout.utf8)).arrayValue ?? []
        XCTAssertEqual(rows.first?["lesson_rows"]?.arrayValue?.map { $0["id"]! }, ["saving", "rules", "_curriculum"])
        XCTAssertEqual(rows.first?["words_translated"], 11)
        let unknown = try Run(Run.lessonc, ["translate", "status", "--curriculum", "nope"], cwd: p.root)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr, "content/nope:1:1: error: no curriculum 'nope' in content/ [unknown-curriculum]\n")
        let badTag = try Run(Run.lessonc, ["translate", "status", "--locale", "french"], cwd: p.root)
        XCTAssertEqual(badTag.status, 2)
    }
}
