import XCTest
@testable import LessonCompiler

/// `translate extract`: what becomes a segment, and change tracking on re-extraction.
final class ExtractTests: XCTestCase {
    func testSegmentsOfEveryKindWithInlineCodes() throws {
        let p = try TestProject.translatable()
        let r = p.extract("fr")
        XCTAssertEqual(r.files.map(\.description), ["locales/fr/demo.xlf: created, 25 new, 0 to review, 0 removed, 0 unchanged"])
        let units = try p.units("fr")
        let sources = units.mapValues { XLIFFWriter.inline($0.source) }
        XCTAssertEqual(sources.filter { $0.key.hasPrefix("saving/") }, [
            "saving/title-1": "Saving together",
            "saving/content-warning-1": "Talks about losing money",
            "saving/h-1": "Why save",
            "saving/alt-1": "a cash box with three keys",
            "saving/p-1": #"Saving a <g id="1" ctype="bold">little</g> every week, as the <g id="2" ctype="link">group rules</g> say, adds up. Open the box with <ph id="3" ctype="x-code">key-1</ph> and look: <x id="4" ctype="image" equiv-text="assets/box.svg"/>"#,
            "saving/li-1": "First item",
            "saving/li-2": #"Second item with <g id="1" ctype="italic">emphasis</g>"#,
            "saving/th-1": "Item",
            "saving/th-2": "Cost",
            "saving/td-1": "Soap",
            "saving/td-2": "120 shillings",
            "saving/callout-title-1": "Remember this",
            "saving/p-2": "Keep the box locked.",
            "saving/quiz-q-1": "How many keys does the box have?",
            "saving/quiz-option-1": "One",
            "saving/quiz-option-2": "Three",
            "saving/quiz-explanation-1": "Three members each hold one key.",
            "saving/alt-2": "A circle of members",
            "saving/caption-1": "The meeting circle",
        ])
        let text = try p.xliff("fr")
        // Link targets are never translatable text.
        XCTAssertFalse(sources.values.contains { $0.contains("02-rules") })
        XCTAssertTrue(text.contains(#"<file original="content/demo/01-unit/01-saving.md" source-language="en" target-language="fr" datatype="x-markdown">"#))
        XCTAssertTrue(text.contains("<trans-unit id=\"saving/p-2\">\n        <source>Keep the box locked.</source>\n        <target state=\"new\"/>\n        <note from=\"lessonc\">A paragraph in a tip callout in the lesson “Saving together”.</note>\n      </trans-unit>"), text)
    }

    func testReExtractingChangesNothing() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.translate("fr", "saving/p-2", "Gardez la boîte fermée à clé.")
        let before = try p.xliff("fr")
        let r = p.extract("fr")
        XCTAssertEqual(r.files.map(\.description), ["locales/fr/demo.xlf: 0 new, 0 to review, 0 removed, 25 unchanged"])
        XCTAssertEqual(try p.xliff("fr"), before)
    }

    func testEditingOneParagraphMarksExactlyThatUnitForReviewAndKeepsItsTarget() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.translate("fr", "rules/p-1", "Nous nous réunissons chaque semaine.")
        try p.translate("fr", "rules/p-2", "Nous épargnons 50 shillings chacun.")
        let before = try p.units("fr")
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet every week.\n\nWe save 60 shillings each.\n")
        let r = p.extract("fr")
        XCTAssertEqual(r.files.map(\.description), ["locales/fr/demo.xlf: 0 new, 1 to review, 0 removed, 24 unchanged"])
        let after = try p.units("fr")
        XCTAssertEqual(Set(after.keys), Set(before.keys))
        let changed = after.filter { $0.value.state == "needs-review-translation" }
        XCTAssertEqual(Array(changed.keys), ["rules/p-2"])
        let unit = after["rules/p-2"]!
        XCTAssertEqual(unit.source, [.text("We save 60 shillings each.")])
        XCTAssertEqual(unit.target, [.text("Nous épargnons 50 shillings chacun.")])
        XCTAssertEqual(unit.previous?.source, [.text("We save 50 shillings each.")])
        XCTAssertEqual(unit.previous?.target, [.text("Nous épargnons 50 shillings chacun.")])
        XCTAssertTrue(try p.xliff("fr").contains("<note from=\"lessonc\">The source text changed; check the translation. Previous source: We save 50 shillings each.</note>"))
        XCTAssertEqual(after["rules/p-1"]?.state, "translated")

        // The build does not publish a translation made for another source: the lesson falls back.
        p.build()
        XCTAssertEqual(try p.compiled("rules", locale: "fr")["fallback"], true)
    }

    func testReviewedUnitLosesThePreviousSource() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.translate("fr", "rules/p-2", "Nous épargnons 50 shillings chacun.")
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet every week.\n\nWe save 60 shillings each.\n")
        p.extract("fr")
        try p.translate("fr", "rules/p-2", "Nous épargnons 60 shillings chacun.")
        p.extract("fr")
        let unit = try p.units("fr")["rules/p-2"]!
        XCTAssertEqual(unit.state, "translated")
        XCTAssertNil(unit.previous)
        XCTAssertFalse(try p.xliff("fr").contains("alt-trans"))
    }

    func testRewrappingAndWhitespaceChangeNothing() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.translate("fr", "saving/p-1", #"Épargner un <g id="1" ctype="bold">peu</g> chaque semaine, comme le disent les <g id="2" ctype="link">règles du groupe</g>, finit par compter. Ouvrez la boîte avec <ph id="3" ctype="x-code">key-1</ph> et regardez : <x id="4" ctype="image" equiv-text="assets/box.svg"/>"#)
        let before = try p.xliff("fr")
        let rewrapped = TestProject.richLesson.replacingOccurrences(
            of: "Saving a **little** every week, as the [group rules](02-rules.md) say, adds up.\nOpen the box",
            with: "Saving a **little**   every\nweek, as the [group rules](02-rules.md)\nsay, adds up. Open the box")
        XCTAssertNotEqual(rewrapped, TestProject.richLesson)
        try p.lesson("01-unit/01-saving.md", rewrapped)
        let r = p.extract("fr")
        XCTAssertEqual(r.files.map(\.description), ["locales/fr/demo.xlf: 0 new, 0 to review, 0 removed, 25 unchanged"])
        XCTAssertEqual(try p.xliff("fr"), before)
    }

    func testInsertingAParagraphAddsExactlyOneNewUnit() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.translate("fr", "rules/p-1", "Nous nous réunissons chaque semaine.")
        try p.translate("fr", "rules/p-2", "Nous épargnons 50 shillings chacun.")
        let before = try p.units("fr")
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet every week.\n\nEveryone comes on time.\n\nWe save 50 shillings each.\n")
        let r = p.extract("fr")
        XCTAssertEqual(r.files.map(\.description), ["locales/fr/demo.xlf: 1 new, 0 to review, 0 removed, 25 unchanged"])
        let after = try p.units("fr")
        XCTAssertEqual(Set(after.keys).subtracting(before.keys), ["rules/p-3"])
        XCTAssertEqual(after["rules/p-3"]?.source, [.text("Everyone comes on time.")])
        XCTAssertEqual(after["rules/p-3"]?.state, "new")
        XCTAssertEqual(after["rules/p-3"]?.target, [])
        // The ids around it stay put, with their translations.
        XCTAssertEqual(after["rules/p-2"]?.target, [.text("Nous épargnons 50 shillings chacun.")])
        XCTAssertEqual(after["rules/p-2"]?.state, "translated")
        // Units are written in reading order, whatever their numbers.
        let text = try p.xliff("fr")
        XCTAssertLessThan(text.range(of: "rules/p-1")!.lowerBound, text.range(of: "rules/p-3")!.lowerBound)
        XCTAssertLessThan(text.range(of: "rules/p-3")!.lowerBound, text.range(of: "rules/p-2")!.lowerBound)
    }

    func testRemovingAParagraphRemovesItsUnit() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe save 50 shillings each.\n")
        let r = p.extract("fr")
        XCTAssertEqual(r.files.map(\.description), ["locales/fr/demo.xlf: 0 new, 0 to review, 1 removed, 24 unchanged"])
        XCTAssertNil(try p.units("fr")["rules/p-1"])
        XCTAssertEqual(try p.units("fr")["rules/p-2"]?.source, [.text("We save 50 shillings each.")])
    }

    func testMovingALessonFileLosesNothing() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.translate("fr", "rules/title-1", "Les règles")
        try p.translate("fr", "rules/p-1", "Nous nous réunissons chaque semaine.")
        try p.remove("content/demo/01-unit/02-rules.md")
        try p.lesson("02-later/05-our-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet every week.\n\nWe save 50 shillings each.\n")
        // The link's target changes, its text does not: no segment changes.
        try p.lesson("01-unit/01-saving.md", TestProject.richLesson.replacingOccurrences(of: "(02-rules.md)", with: "(../02-later/05-our-rules.md)"))
        let r = p.extract("fr")
        // The only new text is the title of the new unit folder, "Later".
        XCTAssertEqual(r.files.map(\.description), ["locales/fr/demo.xlf: 1 new, 0 to review, 0 removed, 25 unchanged"])
        XCTAssertEqual(try p.units("fr")["_curriculum/unit-title-2"]?.source, [.text("Later")])
        let text = try p.xliff("fr")
        XCTAssertTrue(text.contains(#"<file original="content/demo/02-later/05-our-rules.md""#))
        XCTAssertFalse(text.contains("01-unit/02-rules.md"))
        XCTAssertEqual(try p.units("fr")["rules/title-1"]?.target, [.text("Les règles")])
        XCTAssertEqual(try p.units("fr")["rules/p-1"]?.target, [.text("Nous nous réunissons chaque semaine.")])
    }

    func testRenamingALessonWhoseIdComesFromItsFileNameLosesNothing() throws {
        let p = try TestProject()
        try p.lesson("01-unit/01-why-save.md", "---\ntitle: Why save\n---\nSaving helps in bad times.\n\nIt builds trust.\n")
        p.extract("fr")
        try p.translate("fr", "why-save/p-1", "L'épargne aide dans les temps difficiles.")
        try p.remove("content/demo/01-unit/01-why-save.md")
        try p.lesson("01-unit/01-why-we-save.md", "---\ntitle: Why save\n---\nSaving helps in bad times.\n\nIt builds trust.\n")
        let r = p.extract("fr")
        XCTAssertEqual(r.files.map(\.description), ["locales/fr/demo.xlf: 0 new, 0 to review, 0 removed, 6 unchanged"])
        let units = try p.units("fr")
        XCTAssertEqual(units.keys.sorted(), ["_curriculum/description-1", "_curriculum/title-1", "_curriculum/unit-title-1",
                                             "why-we-save/p-1", "why-we-save/p-2", "why-we-save/title-1"])
        XCTAssertEqual(units["why-we-save/p-1"]?.target, [.text("L'épargne aide dans les temps difficiles.")])
    }

    func testRemovingALessonDropsItsFile() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.remove("content/demo/01-unit/02-rules.md")
        try p.lesson("01-unit/01-saving.md", TestProject.richLesson.replacingOccurrences(of: "[group rules](02-rules.md)", with: "group rules"))
        let r = p.extract("fr")
        XCTAssertEqual(r.files.map(\.description), ["locales/fr/demo.xlf: 0 new, 1 to review, 3 removed, 21 unchanged"])
        XCTAssertFalse(try p.xliff("fr").contains("rules/"))
    }

    func testAnUnreadableFileIsNeverOverwritten() throws {
        let p = try TestProject.translatable()
        try p.setXLIFF("fr", "<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n  <file>\n</xliff>\n")
        let r = TranslationExtractor.run(root: p.root, locale: "fr")
        XCTAssertEqual(r.diagnostics.map(\.description), [
            "locales/fr/demo.xlf:3:9: error: not well-formed XML: Opening and ending tag mismatch: file line 2 and xliff [xliff-syntax]",
        ])
        XCTAssertEqual(r.files, [])
        XCTAssertEqual(try p.xliff("fr"), "<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n  <file>\n</xliff>\n")
    }

    func testInvalidContentStopsExtraction() throws {
        let p = try TestProject()
        try p.lesson("01-unit/01-a.md", title: "A", body: "See [x](02-missing.md).\n")
        let r = TranslationExtractor.run(root: p.root, locale: "fr")
        XCTAssertEqual(r.diagnostics.map(\.rule.rawValue), ["broken-link"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.root.appendingPathComponent("locales").path))
    }

    func testUnknownCurriculumAndSourceLanguage() throws {
        let p = try TestProject.translatable()
        XCTAssertEqual(TranslationExtractor.run(root: p.root, locale: "fr", curricula: ["nope"]).diagnostics.map(\.description),
                       ["content/nope:1:1: error: no curriculum 'nope' in content/ [unknown-curriculum]"])
        XCTAssertEqual(TranslationExtractor.run(root: p.root, locale: "en", curricula: ["demo"]).diagnostics.map(\.description),
                       ["content/demo:1:1: error: demo is written in 'en'; there is nothing to translate [xliff-language]"])
    }
}

extension ExtractTests {
    func testWhitespaceNormalisationKeepsNoBreakSpaces() {
        XCTAssertEqual(Segment.collapseSpaces("a\t\tb  c\u{A0}?\u{2003}\u{2003}e\n"), "a b c\u{A0}? e ")
        XCTAssertEqual(Segment.collapseSpaces("plain text, one space"), "plain text, one space")
        XCTAssertEqual(Segment.normalized([.text(" Read "), .group(id: "1", ctype: "link", children: [.text("this")]), .text(" \n now. ")]),
                       [.text("Read "), .group(id: "1", ctype: "link", children: [.text("this")]), .text(" now.")])
    }
}
