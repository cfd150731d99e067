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
        XCTAssertEqual(report.rows.map(\.cells), [
            ["fr", "demo", "22", "3 (13%)", "1", "18", "2", "0", "2", "74"],
            ["sw", "demo", "22", "1 (4%)", "0", "21", "2", "0", "2", "80"],
        ])
        XCTAssertEqual(report.rows[0].json, [
            "locale": "fr", "curriculum": "demo", "segments": 22, "translated": 3, "needs_review": 1, "new": 18,
            "lessons": 2, "published": 0, "fallback": 2, "words_left": 74,
        ])
        // Publishing from 60% counts the rules lesson (2 of 3 texts) as published.
        XCTAssertEqual(TranslationStatus.run(root: p.root, minCoverage: 60).rows[0].published, 1)
    }

    func testWordsLeftCountsSourceWordsOfEveryUntranslatedText() throws {
        let p = try TestProject()
        try p.lesson("01-unit/01-a.md", "---\ntitle: Two words\nid: a\n---\nThree more words, and 20 more.\n")
        p.extract("fr")
        XCTAssertEqual(TranslationStatus.run(root: p.root).rows.map(\.wordsLeft), [2 + 6])
    }
}
