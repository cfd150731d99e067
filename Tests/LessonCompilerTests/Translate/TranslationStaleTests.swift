import Foundation
import XCTest
@testable import LessonCompiler
import LessonSupport

/// Issue 15.4: a changed source text and its old translation. By default the lesson falls back,
/// with a warning; with `--stale keep` the old translation stays live until reviewed. Either way
/// the build lists the lessons whose state changed, and status counts as the build does.
final class TranslationStaleTests: XCTestCase {
    /// A project with `rules` translated into French and published, then one word of its source edited.
    func edited() throws -> TestProject {
        let p = try TestProject.translatable()
        p.extract("fr")
        for (id, text) in TranslationBuildTests.rulesFR { try p.translate("fr", id, text) }
        p.build()
        XCTAssertEqual(try p.compiled("rules", locale: "fr")["fallback"], JSON.bool(false))
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet every second week.\n\nWe save 50 shillings each.\n")
        return p
    }

    func build(_ p: TestProject, stale: StalePolicy) -> BuildResult {
        var options = BuildOptions(root: p.root, output: p.outputURL)
        options.stale = stale
        return Builder.run(options)
    }

    /// Where the lesson's `<file>` starts in the XLIFF file: the warning points there.
    func fileLine(_ p: TestProject) throws -> Int {
        let lines = try p.xliff("fr").components(separatedBy: "\n")
        return try XCTUnwrap(lines.firstIndex { $0.contains("<file original=\"content/demo/01-unit/02-rules.md\"") }) + 1
    }

    let fellBack = ": warning: rules falls back to 'en' in 'fr': 1 text changed since translated awaits review "
        + "(translate status --lessons lists them; build --stale keep keeps old translations live meanwhile) [translation-stale]"

    func testAnEditedSentenceFallsBackWithAWarningAndIsListed() throws {
        let p = try edited()
        // Before and after extract marks the unit for review, the same.
        for extracted in [false, true] {
            if extracted { p.extract("fr") }
            let result = build(p, stale: .fallback)
            XCTAssertTrue(result.succeeded, "\(result.diagnostics)")
            XCTAssertEqual(printed(result, rule: "translation-stale"), ["locales/fr/demo.xlf:\(try fileLine(p)):3" + fellBack])
            XCTAssertEqual(result.staleLessons, [StaleLesson(locale: "fr", curriculum: "demo", lesson: "rules", change: .fellBack(texts: 1))])
            XCTAssertEqual(result.staleLessons.map(\.description), ["fr: demo/rules falls back to the source language: 1 changed text awaits review"])
            let fr = try p.compiled("rules", locale: "fr")
            XCTAssertEqual([fr["fallback"], fr["title"]], [.bool(true), .string("The rules")])
        }
        // --strict makes the warning an error, for CI that wants every lesson translated.
        var strict = BuildOptions(root: p.root, output: p.outputURL, strict: true)
        strict.stale = .fallback
        XCTAssertFalse(Builder.run(strict).succeeded)
    }

    func testStaleKeepKeepsTheOldTranslationLiveAndSaysSo() throws {
        let p = try edited()
        for extracted in [false, true] {
            if extracted { p.extract("fr") }
            let result = build(p, stale: .keep)
            XCTAssertTrue(result.succeeded, "\(result.diagnostics)")
            XCTAssertEqual(printed(result, rule: "translation-stale"), [])
            XCTAssertEqual(result.staleLessons, [StaleLesson(locale: "fr", curriculum: "demo", lesson: "rules", change: .kept(texts: 1))])
            XCTAssertEqual(result.staleLessons.map(\.description),
                           ["fr: demo/rules stays translated with 1 old translation of changed text awaiting review (--stale keep)"])
            let fr = try p.compiled("rules", locale: "fr")
            XCTAssertEqual([fr["fallback"], fr["coverage"], fr["title"]], [.bool(false), .int(100), .string("Les règles")])
            XCTAssertTrue(fr["html"]!.stringValue!.contains("Nous nous réunissons chaque semaine."))
            // A reviewer approves the unit: nothing is stale any more.
        }
        try p.translate("fr", "rules/p-1", "Nous nous réunissons toutes les deux semaines.")
        let result = build(p, stale: .keep)
        XCTAssertEqual(result.staleLessons, [])
        XCTAssertTrue(try p.compiled("rules", locale: "fr")["html"]!.stringValue!.contains("toutes les deux semaines"))
    }

    func testAnOldTranslationThatFailsTheNewSourcesChecksIsNotKept() throws {
        let p = try edited()
        // The amount changed: the old "50" would now be wrong.
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet every week.\n\nWe save 60 shillings each.\n")
        let result = build(p, stale: .keep)
        XCTAssertTrue(result.succeeded, "\(result.diagnostics)")
        XCTAssertEqual(printed(result, rule: "number-kept").map { $0.replacingOccurrences(of: #":\d+:\d+:"#, with: ":L:C:", options: .regularExpression) },
                       ["locales/fr/demo.xlf:L:C: warning: unit rules/p-2: numbers differ from the source (missing 60; not in the source: 50); "
                        + "keep every number, in any digits; the old translation of the changed text is not kept [number-kept]"])
        XCTAssertEqual(result.staleLessons, [StaleLesson(locale: "fr", curriculum: "demo", lesson: "rules", change: .fellBack(texts: 1))])
        XCTAssertEqual(try p.compiled("rules", locale: "fr")["fallback"], .bool(true))
    }

    func testStatusCountsStaleTextsAsTheBuildDoes() throws {
        let p = try edited()
        p.extract("fr")
        for policy in StalePolicy.allCases {
            let result = build(p, stale: policy)
            let status = TranslationStatus.run(root: p.root, options: .init(stale: policy))
            let row = try XCTUnwrap(status.rows.first { $0.locale == "fr" })
            let rules = try XCTUnwrap(row.lessonRows.first { $0.id == "rules" })
            let built = try p.compiled("rules", locale: "fr")
            XCTAssertEqual(built["coverage"], .int(rules.counts.percent), "\(policy)")
            XCTAssertEqual(built["fallback"], .bool(!(rules.published!)), "\(policy)")
            XCTAssertEqual([rules.counts.translated, rules.counts.review, rules.counts.stale, rules.counts.kept], [2, 1, 1, policy == .keep ? 1 : 0])
            XCTAssertEqual(TranslationStatus.Row.reviewCell(rules.counts), policy == .keep ? "1 (1 kept)" : "1 (1 changed)")
            XCTAssertEqual(result.staleLessons.count, 1)
        }
    }

    func testTheCommandLineListsTheLessonsWhoseStateChanged() throws {
        let p = try edited()
        _ = try XCTUnwrap(CLITests.lessonc, "lessonc is not built next to the tests; run 'swift build' first")
        let fallback = try Run(Run.lessonc, ["build"], cwd: p.root)
        XCTAssertEqual(fallback.status, 0, fallback.stderr)
        XCTAssertTrue(fallback.stderr.contains("fr: demo/rules falls back to the source language: 1 changed text awaits review\n"), fallback.stderr)
        let keep = try Run(Run.lessonc, ["build", "--stale", "keep"], cwd: p.root)
        XCTAssertEqual(keep.status, 0, keep.stderr)
        XCTAssertTrue(keep.stderr.contains("fr: demo/rules stays translated with 1 old translation of changed text awaiting review (--stale keep)\n"), keep.stderr)
        XCTAssertFalse(keep.stdout.contains("translation-stale"))
        let status = try Run(Run.lessonc, ["translate", "status", "--stale", "keep", "--lessons"], cwd: p.root)
        XCTAssertTrue(status.stdout.contains("1 (1 kept)"), status.stdout)
        let bad = try Run(Run.lessonc, ["build", "--stale", "maybe"], cwd: p.root)
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.stderr, "lessonc build: --stale must be one of fallback, keep, not 'maybe'\nRun 'lessonc build --help' for usage.\n")
    }
}
