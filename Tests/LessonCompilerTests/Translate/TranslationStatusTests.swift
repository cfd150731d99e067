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
            ["fr", "demo", "25", "3 (12%)", "1", "21", "2", "0", "2", "8", "5", "76"],
            ["sw", "demo", "25", "1 (4%)", "0", "24", "2", "0", "2", "2", "0", "87"],
        ])
        XCTAssertEqual(report.rows[0].json, [
            "locale": "fr", "curriculum": "demo", "segments": 25, "translated": 3, "needs_review": 1, "failing_checks": 0, "new": 21,
            "lessons": 2, "published": 0, "fallback": 2, "words_translated": 8, "words_review": 5, "words_new": 76, "words_left": 81,
            "curriculum_texts": ["segments": 3, "translated": 0, "needs_review": 0, "failing_checks": 0, "new": 3,
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
}
