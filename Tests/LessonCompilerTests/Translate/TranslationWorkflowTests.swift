import XCTest
@testable import LessonCompiler
import LessonSupport

/// Issue 15, as a translation team using Weblate or Translate Toolkit found it: one test per
/// problem, each asserting the fixed behaviour.
final class TranslationWorkflowTests: XCTestCase {
    func lessoncRun(_ args: [String], in dir: URL) throws -> Run {
        _ = try XCTUnwrap(CLITests.lessonc, "lessonc is not built next to the tests; run 'swift build' first")
        return try Run(Run.lessonc, args, cwd: dir)
    }

    /// Sets an attribute on a unit's `<trans-unit>` start tag, as a tool writes it.
    func setUnitAttribute(_ p: TestProject, _ locale: String, _ unitID: String, _ attribute: String) throws {
        var text = try p.xliff(locale)
        let tag = "<trans-unit id=\"\(unitID)\""
        guard let r = text.range(of: tag) else { return XCTFail("no unit \(unitID)") }
        text.replaceSubrange(r, with: tag + " " + attribute)
        try p.setXLIFF(locale, text)
    }

    // MARK: - Approval and review state

    /// Why: a re-extract erased `approved="yes"`, which Translate Toolkit and Weblate write, so
    /// Toolkit-based tools then counted every unit as fuzzy.
    func testApprovalIsKeptAndWrittenForSignedOffAndFinal() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.translate("fr", "rules/title-1", "Les règles")
        try setUnitAttribute(p, "fr", "rules/title-1", #"approved="yes""#)
        try p.translate("fr", "rules/p-1", "Nous nous réunissons chaque semaine.", state: "final")
        try p.translate("fr", "rules/p-2", "Nous épargnons 50 shillings chacun.", state: "signed-off")
        p.extract("fr")
        let units = try p.units("fr")
        XCTAssertEqual(units["rules/title-1"]?.approved, true, "kept")
        XCTAssertEqual(units["rules/p-1"]?.approved, true, "written for final")
        XCTAssertEqual(units["rules/p-2"]?.approved, true, "written for signed-off")
        XCTAssertEqual(units["saving/title-1"]?.approved, nil)
        XCTAssertTrue(try p.xliff("fr").contains(#"<trans-unit id="rules/p-1" approved="yes">"#))
        // An edited source withdraws the approval: it was for the old text.
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet every week.\n\nWe save 60 shillings each.\n")
        p.extract("fr")
        let after = try p.units("fr")
        XCTAssertEqual([after["rules/p-2"]?.state, after["rules/p-2"]?.approved.map(String.init)], ["needs-review-translation", "false"])
        XCTAssertEqual(after["rules/p-1"]?.approved, true)
    }

    /// Why: Translate Toolkit's "needs editing" (`state="needs-translation"` with a target) was counted as new.
    func testNeedsTranslationWithATargetCountsAsReview() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.translate("fr", "rules/p-1", "Nous nous réunissons chaque semaine.", state: "needs-translation")
        try p.translate("fr", "rules/p-2", "", state: "needs-translation")
        let rules = try XCTUnwrap(TranslationStatus.run(root: p.root).rows.first?.lessonRows.first { $0.id == "rules" })
        XCTAssertEqual([rules.counts.translated, rules.counts.review, rules.counts.new], [0, 1, 2])
        XCTAssertEqual(rules.counts.wordsReview, 4)
        // The build does not publish it.
        p.build()
        XCTAssertEqual(try p.compiled("rules", locale: "fr")["fallback"], true)
    }

    /// Notes translators and their tools write stay through extract (lessonc's own are rewritten).
    func testTranslatorNotesAreKept() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        var text = try p.xliff("fr")
        text = text.replacingOccurrences(of: "<source>We meet every week.</source>\n        <target state=\"new\"/>",
                                         with: "<source>We meet every week.</source>\n        <target state=\"new\"/>\n        <note from=\"translator\">Ask: which day?</note>\n        <note>A note with no author &amp; an ampersand</note>")
        try p.setXLIFF("fr", text)
        p.extract("fr")
        XCTAssertEqual(try p.units("fr")["rules/p-1"]?.notes, [XLIFFNote(from: "translator", text: "Ask: which day?"), XLIFFNote(text: "A note with no author & an ampersand")])
        XCTAssertTrue(try p.xliff("fr").contains("<note from=\"translator\">Ask: which day?</note>"))
    }

    // MARK: - Refusing to lose work

    /// Why: `translate extract` on a file with an altered or duplicated unit id deleted those
    /// translations and exited 0. Now it writes nothing, exits 1 and names every problem.
    func testExtractRefusesAFileWithAnAlteredOrDuplicatedUnitID() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.translate("fr", "rules/p-1", "Nous nous réunissons chaque semaine.")
        try p.translate("fr", "rules/p-2", "Nous épargnons 50 shillings chacun.")
        var text = try p.xliff("fr")
        text = text.replacingOccurrences(of: "<trans-unit id=\"rules/p-2\">", with: "<trans-unit id=\"rules/p-1\">")
        text = text.replacingOccurrences(of: "<trans-unit id=\"saving/h-1\">", with: "<trans-unit id=\"saving/heading-1\">")
        try p.setXLIFF("fr", text)
        let lines = text.components(separatedBy: "\n")
        let duplicate = lines.lastIndex { $0.contains("<trans-unit id=\"rules/p-1\">") }! + 1
        let first = lines.firstIndex { $0.contains("<trans-unit id=\"rules/p-1\">") }! + 1
        let altered = lines.firstIndex { $0.contains("saving/heading-1") }! + 1
        let r = TranslationExtractor.run(root: p.root, locale: "fr")
        XCTAssertFalse(r.succeeded)
        XCTAssertEqual(r.files, [])
        XCTAssertEqual(r.diagnostics.map(\.description).sorted(), [
            "locales/fr/demo.xlf:\(altered):7: error: unknown unit id \"saving/heading-1\"; lessonc writes ids like lesson-id/p-3 and they must not change; the unit is ignored; extract does not rewrite the file until this is fixed [xliff-unknown-id]",
            "locales/fr/demo.xlf:\(duplicate):7: error: duplicate unit id \"rules/p-1\" (first on line \(first)); this one is ignored; extract does not rewrite the file until this is fixed [xliff-duplicate-id]",
        ].sorted())
        XCTAssertEqual(try p.xliff("fr"), text, "the file is untouched")

        // The command line says so and exits 1.
        let run = try lessoncRun(["translate", "extract", "--locale", "fr"], in: p.root)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("extract failed: nothing was written"), run.stderr)
        XCTAssertTrue(run.stdout.contains("[xliff-duplicate-id]"), run.stdout)
        XCTAssertEqual(try p.xliff("fr"), text)
    }

    /// A problem in a file the build does not use stops nothing there, but extract still refuses it.
    func testAnUnknownStateIsAWarningForTheBuildAndAnErrorForExtract() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.translate("fr", "rules/p-1", "Nous nous réunissons chaque semaine.", state: "done")
        XCTAssertEqual(printed(p.validate(), rule: "xliff-structure").map { $0.contains(": warning: unknown state \"done\"") }, [true])
        XCTAssertTrue(p.build().succeeded)
        XCTAssertEqual(TranslationExtractor.run(root: p.root, locale: "fr").diagnostics.map(\.severity), [.error])
    }

    // MARK: - Translation memory

    /// Why: deleting a lesson and restoring it later lost all its translations.
    func testARestoredLessonGetsItsTranslationsBackFromTheMemory() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        for (id, text) in TranslationBuildTests.rulesFR { try p.translate("fr", id, text) }
        let rules = "---\ntitle: The rules\nid: rules\n---\nWe meet every week.\n\nWe save 50 shillings each.\n"
        try p.remove("content/demo/01-unit/02-rules.md")
        try p.lesson("01-unit/01-saving.md", TestProject.richLesson.replacingOccurrences(of: "[group rules](02-rules.md)", with: "group rules"))
        let removed = p.extract("fr")
        XCTAssertEqual(removed.files.map(\.description), ["locales/fr/demo.xlf: 0 new, 1 to review, 3 removed (3 kept in the translation memory), 21 unchanged"])
        let memory = try String(contentsOf: p.root.appendingPathComponent("locales/fr/_memory.xlf"), encoding: .utf8)
        XCTAssertTrue(memory.contains(#"<file original="demo" source-language="en" target-language="fr" datatype="x-markdown">"#), memory)
        XCTAssertTrue(memory.contains(#"<trans-unit id="m-2" resname="rules/p-1">"#), memory)
        XCTAssertTrue(memory.contains("<target state=\"translated\">Nous nous réunissons chaque semaine.</target>"), memory)
        // The memory is never published and never a curriculum's file.
        XCTAssertEqual(p.validate().diagnostics.filter { $0.path.contains("_memory") }, [])

        // Restored, with one sentence edited slightly.
        try p.lesson("01-unit/02-rules.md", rules.replacingOccurrences(of: "We save 50 shillings each.", with: "We save 50 shillings each week."))
        let restored = p.extract("fr")
        XCTAssertEqual(restored.files.map(\.description), ["locales/fr/demo.xlf: 3 new (3 with a suggestion), 0 to review, 0 removed, 22 unchanged"])
        let units = try p.units("fr")
        XCTAssertEqual(units["rules/p-1"]?.target, [.text("Nous nous réunissons chaque semaine.")])
        XCTAssertEqual(units["rules/p-1"]?.state, "needs-review-translation")
        XCTAssertEqual(units["rules/p-1"]?.stateQualifier, "leveraged-tm")
        XCTAssertEqual(units["rules/p-1"]?.suggestion?.origin, .memory)
        XCTAssertEqual(units["rules/p-1"]?.suggestion?.quality, 100)
        // The edited sentence shares 5 of its 6 words: a near-identical suggestion, marked as such.
        XCTAssertEqual(units["rules/p-2"]?.target, [.text("Nous épargnons 50 shillings chacun.")])
        XCTAssertEqual(units["rules/p-2"]?.stateQualifier, "fuzzy-match")
        XCTAssertEqual(units["rules/p-2"]?.suggestion?.quality, 90)
        let text = try p.xliff("fr")
        XCTAssertTrue(text.contains(#"<alt-trans alttranstype="proposal" origin="lessonc:memory" match-quality="90" extradata="demo, lesson rules">"#), text)
        XCTAssertTrue(text.contains("Suggested from the translation memory (a text that was removed from demo, lesson rules). It translated a text with 90% of these words: “We save 50 shillings each.” Check it, then mark it translated."), text)
        // Re-extracting changes nothing while it awaits review.
        p.extract("fr")
        XCTAssertEqual(try p.xliff("fr"), text)
        // A suggestion is not published until a translator accepts it; then its marks go.
        p.build()
        XCTAssertEqual(try p.compiled("rules", locale: "fr")["fallback"], true)
        try p.translate("fr", "rules/p-1", "Nous nous réunissons chaque semaine.")
        p.extract("fr")
        XCTAssertNil(try p.units("fr")["rules/p-1"]?.suggestion)
    }

    /// A text already translated elsewhere in the locale (here: another curriculum) arrives
    /// pre-filled for review, saying where it came from.
    func testTheSameTextTranslatedInAnotherCurriculumIsSuggested() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        for (id, text) in TranslationBuildTests.rulesFR { try p.translate("fr", id, text) }
        try p.write("content/second/curriculum.md", "---\nid: second\n\(TestProject.curriculumFrontMatter)\n---\nAnother curriculum.\n")
        try p.write("content/second/01-unit/01-meet.md", "---\ntitle: Meeting\nid: meet\n---\nWe meet every week.\n")
        let r = TranslationExtractor.run(root: p.root, locale: "fr", curricula: ["second"])
        XCTAssertEqual(r.files.map(\.description), ["locales/fr/second.xlf: created, 5 new (1 with a suggestion), 0 to review, 0 removed, 0 unchanged"])
        let text = try String(contentsOf: p.root.appendingPathComponent("locales/fr/second.xlf"), encoding: .utf8)
        XCTAssertTrue(text.contains("<target state=\"needs-review-translation\" state-qualifier=\"exact-match\">Nous nous réunissons chaque semaine.</target>"), text)
        XCTAssertTrue(text.contains(#"<alt-trans alttranstype="proposal" origin="lessonc:same-text" match-quality="100" extradata="demo, lesson rules">"#), text)
        XCTAssertTrue(text.contains("Suggested from the same text in demo, lesson rules. Check it, then mark it translated."), text)
    }

    // MARK: - The curriculum's own texts

    /// Why: curriculum titles and descriptions, unit titles, level_titles (and the lesson titles
    /// of the index) were never extracted, so the app's menus stayed English in every locale.
    func testTheCurriculumsOwnTextsAreExtractedWithStableIDs() throws {
        let p = try TestProject(curriculumFile: "---\nid: demo\n\(TestProject.curriculumFrontMatter)\nlevel_titles: [Unit, Lesson]\n---\nFirst paragraph of the description.\n\nSecond paragraph.\n")
        try p.write("content/demo/01-start/_unit.md", "---\ntitle: Getting started\nsummary: The first meetings.\n---\n")
        try p.lesson("01-start/01-a.md", "---\ntitle: First meeting\nid: a\nduration: 1 h 30 min\n---\n> [!ACTIVITY] Count the money (10 minutes)\n> Count it together.\n")
        p.extract("sw")
        let texts = try p.units("sw").filter { $0.key.hasPrefix("_curriculum/") }.mapValues { XLIFFWriter.inline($0.source) }
        XCTAssertEqual(texts, [
            "_curriculum/title-1": "Demo curriculum",
            "_curriculum/description-1": "First paragraph of the description.",
            "_curriculum/description-2": "Second paragraph.",
            "_curriculum/level-title-1": "Unit",
            "_curriculum/level-title-2": "Lesson",
            "_curriculum/unit-title-1": "Getting started",
            "_curriculum/unit-summary-1": "The first meetings.",
            "_curriculum/duration-unit-1": "h",
            "_curriculum/duration-unit-2": "min",
            "_curriculum/duration-unit-3": "minutes",
        ])
        let xliff = try p.xliff("sw")
        XCTAssertTrue(xliff.contains(#"<file original="content/demo/curriculum.md" source-language="en" target-language="sw" datatype="x-markdown">"#))
        XCTAssertTrue(xliff.contains(#"<trans-unit id="_curriculum/title-1" maxwidth="60" size-unit="char">"#))
        XCTAssertTrue(xliff.contains(#"<trans-unit id="_curriculum/duration-unit-2" maxwidth="8" size-unit="char">"#))

        // A unit renamed and a new one added: ids stay with their texts.
        try p.translate("sw", "_curriculum/title-1", "Mtaala wa mfano")
        try p.translate("sw", "_curriculum/unit-title-1", "Kuanza")
        try p.translate("sw", "_curriculum/level-title-1", "Kitengo")
        try p.translate("sw", "_curriculum/duration-unit-2", "dak.")
        try p.translate("sw", "_curriculum/duration-unit-1", "saa")
        try p.write("content/demo/01-start/_unit.md", "---\ntitle: Getting started together\nsummary: The first meetings.\n---\n")
        try p.lesson("02-next/01-b.md", "---\ntitle: Second\nid: b\n---\nText.\n")
        p.extract("sw")
        let after = try p.units("sw")
        XCTAssertEqual(after["_curriculum/unit-title-1"]?.source, [.text("Getting started together")])
        XCTAssertEqual(after["_curriculum/unit-title-1"]?.state, "needs-review-translation")
        XCTAssertEqual(after["_curriculum/unit-title-2"]?.source, [.text("Next")])
        XCTAssertEqual(after["_curriculum/title-1"]?.target, [.text("Mtaala wa mfano")])

        // The step that puts them into the output reads them here.
        let catalog = TranslationCatalog.load(project: Loader(root: p.root).load(into: DiagnosticSink()), into: DiagnosticSink())
        let entry = try XCTUnwrap(catalog.translations(of: "demo").first)
        var d: [Diagnostic] = []
        let curriculum = try XCTUnwrap(Loader(root: p.root).load(into: DiagnosticSink()).curricula.first)
        let t = entry.curriculumTranslation(curriculum, durationWords: ["h", "min", "minutes"], diagnostics: &d)
        XCTAssertEqual(d, [])
        XCTAssertEqual(t.title, "Mtaala wa mfano")
        XCTAssertEqual(t.levelTitle(1), "Kitengo")
        XCTAssertNil(t.unitTitle(dir: "01-start"), "awaiting review")
        XCTAssertEqual(t.duration("1 h 30 min"), "1 saa 30 dak.")
        XCTAssertNil(t.duration("10 minutes"))
        XCTAssertNil(t.description(paragraphs: 2))
        // The index keeps the source texts and adds what is translated (TranslationIndexTests).
        p.build()
        let index = try JSON.parse(Data(contentsOf: p.outputURL.appendingPathComponent("demo/index.json")))
        XCTAssertEqual(index["title"], "Demo curriculum")
        XCTAssertEqual(index["translations"]?["sw"]?["title"], "Mtaala wa mfano")
    }

    // MARK: - Context for translators

    func testEachUnitSaysWhatItIsAndWhereItsLinksGo() throws {
        let p = try TestProject.translatable()
        try p.lesson("01-unit/03-more.md", """
            ---
            title: More
            id: more
            ---
            > [!WARNING] Mind the keys
            > Read [the WHO page](https://www.who.int) and the [rules](02-rules.md).

            """)
        p.extract("fr")
        let text = try p.xliff("fr")
        func note(_ id: String) -> String? {
            guard let r = text.range(of: "<trans-unit id=\"\(id)\""), let n = text.range(of: "<note from=\"lessonc\">", range: r.upperBound..<text.endIndex),
                  let e = text.range(of: "</note>", range: n.upperBound..<text.endIndex) else { return nil }
            return String(text[n.upperBound..<e.lowerBound])
        }
        XCTAssertEqual(note("saving/quiz-option-1"), "A quiz answer option, not a correct answer, in the lesson “Saving together”.")
        XCTAssertEqual(note("saving/quiz-option-2"), "A quiz answer option, a correct answer, in the lesson “Saving together”.")
        XCTAssertEqual(note("saving/h-1"), "A heading (level 2) in the lesson “Saving together”.")
        XCTAssertEqual(note("saving/callout-title-1"), "The title of a tip callout in the lesson “Saving together”.")
        XCTAssertEqual(note("more/callout-title-1"), "The title of a warning callout in the lesson “More”.")
        XCTAssertEqual(note("more/p-1"), "A paragraph in a warning callout in the lesson “More”. Link 1 (“the WHO page”) goes to https://www.who.int. Link 2 (“rules”) goes to the lesson “The rules”.")
        XCTAssertEqual(note("saving/alt-1"), "The alt text of the image assets/box.svg in the lesson “Saving together”: read aloud by screen readers and shown when the image cannot load.")
        XCTAssertEqual(note("saving/title-1"), "The lesson's title, shown in menus and at the top of the lesson.")
        XCTAssertTrue(text.contains(#"<trans-unit id="saving/title-1" maxwidth="70" size-unit="char">"#))
        // lessonc's notes are written anew each time, never piled up.
        p.extract("fr")
        XCTAssertEqual(try p.xliff("fr"), text)
    }

    // MARK: - Language tags

    /// Why: language tags were compared case-sensitively (`FA`, `en-US` rejected), though BCP 47 tags are not.
    func testLanguageTagsIgnoreCaseAndAcceptARegion() throws {
        let p = try TestProject.translatable()
        p.extract("fa")
        let file = p.root.appendingPathComponent("locales/fa/demo.xlf")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: #"source-language="en" target-language="fa""#, with: #"source-language="EN-us" target-language="FA-ir""#)
        try p.remove("locales/fa")
        try p.write("locales/FA/demo.xlf", text)
        XCTAssertEqual(p.validate().diagnostics.filter { $0.path.hasPrefix("locales/") }, [])
        // The folder keeps its name; the locale is written as usual, and its direction found.
        p.build()
        let lesson = try JSON.parse(Data(contentsOf: p.outputURL.appendingPathComponent("demo/fa/rules.json")))
        XCTAssertEqual([lesson["locale"], lesson["fallback"]], ["fa", true])
        XCTAssertEqual(LocaleInfo.direction("FA-ir"), .rtl)
        // The script subtag decides when there is one; otherwise the language does.
        XCTAssertEqual(["ar", "ur-PK", "ha-arab", "he", "az-Arab-IR", "ku-Latn", "en", "sw-TZ", "am", "pa-Arab"].map(LocaleInfo.direction),
                       [.rtl, .rtl, .rtl, .rtl, .rtl, .ltr, .ltr, .ltr, .ltr, .rtl])
        // extract --locale in any case writes into the folder there is.
        XCTAssertTrue(TranslationExtractor.run(root: p.root, locale: "Fa").succeeded)
        XCTAssertTrue(FileManager.default.fileExists(atPath: p.root.appendingPathComponent("locales/FA/demo.xlf").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.root.appendingPathComponent("locales/fa").path))
        // Two folders for one tag would be two sources of truth.
        try p.write("locales/fa/demo.xlf", text)
        XCTAssertEqual(p.validate().diagnostics.filter { $0.rule == .invalidLocale }.map(\.description),
                       ["locales/fa:1:1: error: locale folder 'fa' names the same locale as 'locales/FA' (tags ignore letter case); keep one [invalid-locale]"])
    }

    func testTagMatching() {
        XCTAssertTrue(LocaleInfo.matches("en-US", "en"))
        XCTAssertTrue(LocaleInfo.matches("fa", "fa-IR"))
        XCTAssertTrue(LocaleInfo.matches("FA-ir", "fa-IR"))
        XCTAssertTrue(LocaleInfo.matches("sr-Latn-RS", "sr-rs"))
        XCTAssertTrue(LocaleInfo.matches("en-Latn", "en-US"))
        XCTAssertFalse(LocaleInfo.matches("pt-BR", "pt-PT"))
        XCTAssertFalse(LocaleInfo.matches("sr-Latn", "sr-Cyrl"))
        XCTAssertFalse(LocaleInfo.matches("", "en"))
        XCTAssertFalse(LocaleInfo.matches("fr", "fa"))
        XCTAssertEqual(LocaleInfo.canonical("ha-arab-ng"), "ha-Arab-NG")
        XCTAssertTrue(LocaleInfo.isValidTag("PT-br"))
        XCTAssertFalse(LocaleInfo.isValidTag("french"))
    }

    // MARK: - Bidi and inline codes

    /// Why: an isolate that crosses an inline code (`<g>…⁦PEP</g> با⁩`) passed the bidi check.
    func testAnIsolateMustCloseInsideTheCodeItOpensIn() throws {
        let p = try TestProject()
        try p.lesson("01-unit/01-pep.md", "---\ntitle: PEP\nid: pep\n---\nAsk for **medicine called PEP** soon.\n")
        p.extract("fa")
        try p.translate("fa", "pep/p-1", "زود <g id=\"1\" ctype=\"bold\">دارویی به نام \u{2066}PEP</g> بخواهید\u{2069}.")
        let problems = printed(p.validate(), rule: "bidi-unbalanced").map { String($0[$0.range(of: "warning:")!.lowerBound...]) }
        XCTAssertEqual(problems, [
            "warning: unit pep/p-1: 1 isolate (U+2066/U+2067/U+2068) opened inside <g id=\"1\"> not closed by U+2069 (PDI) inside it: an isolate must close inside the inline code it opens in; the text stays untranslated until this is fixed [bidi-unbalanced]",
            "warning: unit pep/p-1: U+2069 (PDI) closes no isolate; the text stays untranslated until this is fixed [bidi-unbalanced]",
        ])
        // Closed inside the code, it is fine.
        try p.translate("fa", "pep/p-1", "زود <g id=\"1\" ctype=\"bold\">دارویی به نام \u{2066}PEP\u{2069}</g> بخواهید.")
        XCTAssertEqual(printed(p.validate(), rule: "bidi-unbalanced"), [])
        XCTAssertEqual(printed(p.validate(), rule: "bidi-not-isolated"), [])
    }

    // MARK: - Status and build agree

    /// `translate status` counts exactly what the build does, lesson by lesson and in total.
    func testStatusAndBuildAgreeOnEveryCount() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        p.extract("ar")
        for (id, text) in TranslationBuildTests.rulesFR { try p.translate("fr", id, text) }
        try p.translateLesson("fr", "saving") { "FR " + $0 }
        try p.translate("fr", "saving/p-2", "FR Keep the box locked 99.")                    // fails a check
        try p.translate("fr", "saving/h-1", "Pourquoi", state: "needs-review-translation")   // to review
        try p.translate("ar", "rules/title-1", "القواعد")
        for minCoverage in [100, 80, 10] {
            var options = BuildOptions(root: p.root, output: p.outputURL)
            options.minCoverage = minCoverage
            let result = Builder.run(options)
            XCTAssertTrue(result.succeeded, "\(result.diagnostics)")
            let status = TranslationStatus.run(root: p.root, options: .init(minCoverage: minCoverage))
            let index = try JSON.parse(Data(contentsOf: p.outputURL.appendingPathComponent("demo/index.json")))
            for row in status.rows {
                var published = 0
                for lesson in row.lessonRows where lesson.published != nil {
                    let built = try p.compiled(lesson.id, locale: row.locale)
                    XCTAssertEqual(built["coverage"], .int(lesson.counts.percent), "\(row.locale) \(lesson.id) at \(minCoverage)%")
                    XCTAssertEqual(built["fallback"], .bool(!(lesson.published!)), "\(row.locale) \(lesson.id) at \(minCoverage)%")
                    let entry = index["lessons"]?.arrayValue?.first { $0["id"]?.stringValue == lesson.id }
                    XCTAssertEqual(entry?["fallback"]?[row.locale], lesson.partial ? "partial" : .bool(!(lesson.published!)))
                    XCTAssertEqual(lesson.partial, lesson.published! && lesson.counts.percent < 100)
                    if lesson.published! { published += 1 }
                }
                XCTAssertEqual([row.published, row.fallback], [published, row.lessons - published])
                // The failing unit is one warning in the build and one "failing" in status.
                XCTAssertEqual(row.counts.failing, result.diagnostics.filter { $0.path.contains("/\(row.locale)/") && $0.rule == .numberKept }.count)
            }
        }
        let fr = try XCTUnwrap(TranslationStatus.run(root: p.root).rows.first { $0.locale == "fr" })
        XCTAssertEqual(fr.lessonRows.map { "\($0.id) \($0.counts.translated)/\($0.counts.segments) \($0.counts.review) \($0.counts.failing)" },
                       ["saving 17/19 2 1", "rules 3/3 0 0", "_curriculum 0/3 0 0"])
    }
}
