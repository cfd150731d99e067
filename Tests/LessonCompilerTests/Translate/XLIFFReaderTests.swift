import XCTest
@testable import LessonCompiler

/// Malformed XLIFF is an error with line and column, never a crash; `validate` reports it.
/// A problem with one unit is a warning: that unit is not used and the rest is (issue 15).
final class XLIFFReaderTests: XCTestCase {
    /// A file for the demo curriculum whose trans-units start on line 5.
    func xliff(_ units: String, head: String = #"<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">"#,
               languages: String = #"source-language="en" target-language="fr""#) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        \(head)
        <file original="content/demo/01-unit/02-rules.md" \(languages) datatype="x-markdown">
        <body>
        \(units)
        </body>
        </file>
        </xliff>

        """
    }

    /// Diagnostics `validate` prints for the XLIFF file.
    func validate(_ text: String) throws -> [String] {
        let p = try TestProject.translatable()
        try p.setXLIFF("fr", text)
        return p.validate().diagnostics.filter { $0.path.hasPrefix("locales/") }.map(\.description)
    }

    func testAWellFormedFileHasNoProblems() throws {
        XCTAssertEqual(try validate(xliff(#"<trans-unit id="rules/p-1"><source>We meet every week.</source><target state="translated">Nous nous réunissons chaque semaine.</target></trans-unit>"#)), [])
    }

    func testNotWellFormed() throws {
        XCTAssertEqual(try validate(xliff(#"<trans-unit id="rules/p-1"><source>We meet <b>every week.</source></trans-unit>"#)), [
            "locales/fr/demo.xlf:5:67: error: not well-formed XML: Opening and ending tag mismatch: b line 5 and source [xliff-syntax]",
        ])
    }

    func testNotXMLAtAll() throws {
        XCTAssertEqual(try validate("msgid \"hello\"\n"), ["locales/fr/demo.xlf:1:1: error: not well-formed XML: Start tag expected, '<' not found [xliff-syntax]"])
        XCTAssertEqual(try validate(""), ["locales/fr/demo.xlf:1:1: error: not well-formed XML: Document is empty [xliff-syntax]"])
    }

    func testWrongVersion() throws {
        XCTAssertEqual(try validate(xliff("", head: #"<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en">"#)), [
            "locales/fr/demo.xlf:2:1: error: expected XLIFF 1.2 (version=\"1.2\", xmlns=\"urn:oasis:names:tc:xliff:document:1.2\"), found version 2.0 in namespace urn:oasis:names:tc:xliff:document:2.0 [xliff-version]",
        ])
        XCTAssertEqual(try validate("<?xml version=\"1.0\"?>\n  <tmx version=\"1.4\"/>\n"), [
            "locales/fr/demo.xlf:2:3: error: the root element is <tmx>, not <xliff> [xliff-version]",
        ])
    }

    func testWrongLanguage() throws {
        XCTAssertEqual(try validate(xliff("", languages: #"source-language="en" target-language="de""#)), [
            "locales/fr/demo.xlf:3:1: error: target-language is \"de\" but the file is in locales/fr/ [xliff-language]",
        ])
        XCTAssertEqual(try validate(xliff("", languages: #"source-language="es" target-language="fr""#)), [
            "locales/fr/demo.xlf:3:1: error: source-language is \"es\" but the curriculum is written in \"en\" [xliff-language]",
        ])
        XCTAssertEqual(try validate(xliff("", languages: #"source-language="en" target-language="fr-CA""#)), [], "a region is allowed")
        XCTAssertEqual(try validate(xliff("", languages: #"source-language="pt-BR" target-language="fr""#)), [
            "locales/fr/demo.xlf:3:1: error: source-language is \"pt-BR\" but the curriculum is written in \"en\" [xliff-language]",
        ])
    }

    func testDuplicateUnitID() throws {
        let unit = #"<trans-unit id="rules/p-1"><source>We meet every week.</source></trans-unit>"#
        XCTAssertEqual(try validate(xliff(unit + "\n  " + unit)), [
            "locales/fr/demo.xlf:6:3: warning: duplicate unit id \"rules/p-1\" (first on line 5); this one is ignored [xliff-duplicate-id]",
        ])
    }

    func testUnknownUnitIDs() throws {
        XCTAssertEqual(try validate(xliff("""
            <trans-unit id="rules/p-1"><source>We meet every week.</source></trans-unit>
            <trans-unit id="rules/para-2"><source>We save 50 shillings each.</source></trans-unit>
            <trans-unit id="saving/p-1"><source>Saving</source></trans-unit>
            <trans-unit><source>No id</source></trans-unit>
            """)), [
            "locales/fr/demo.xlf:6:1: warning: unknown unit id \"rules/para-2\"; lessonc writes ids like lesson-id/p-3 and they must not change; the unit is ignored [xliff-unknown-id]",
            "locales/fr/demo.xlf:7:1: warning: unit id \"saving/p-1\" belongs to lesson \"saving\", not to this file's lesson \"rules\"; the unit is ignored [xliff-unknown-id]",
            "locales/fr/demo.xlf:8:1: warning: <trans-unit> has no id; the unit is ignored [xliff-structure]",
        ])
    }

    func testUnknownLesson() throws {
        XCTAssertEqual(try validate(xliff(#"<trans-unit id="gone/p-1"><source>Old text</source></trans-unit>"#)), [
            "locales/fr/demo.xlf:3:1: warning: unknown lesson id \"gone\": demo has no such lesson, so its units are not used; 'lessonc translate extract --locale fr' moves them to the translation memory [xliff-unknown-id]",
        ])
    }

    func testUnknownStateAndMissingSourceAndForeignInlineCodes() throws {
        XCTAssertEqual(try validate(xliff("""
            <trans-unit id="rules/p-1"><source>We meet every week.</source><target state="done">Nous nous réunissons.</target></trans-unit>
            <trans-unit id="rules/p-2"><target>Sans source</target></trans-unit>
            <trans-unit id="rules/title-1"><source>The rules</source><target state="translated"><bpt id="1">[</bpt>Les règles</target></trans-unit>
            """)), [
            "locales/fr/demo.xlf:5:64: warning: unknown state \"done\"; XLIFF 1.2 states are final, needs-adaptation, needs-l10n, needs-review-adaptation, needs-review-l10n, needs-review-translation, needs-translation, new, signed-off, translated; the text stays untranslated [xliff-structure]",
            "locales/fr/demo.xlf:6:1: warning: <trans-unit id=\"rules/p-2\"> has no <source>; the unit is ignored [xliff-structure]",
            "locales/fr/demo.xlf:7:85: warning: inline element <bpt> is not used by lessonc; keep the <g>, <x/> and <ph> codes of the source; the text stays untranslated until then [inline-code-parity]",
        ])
    }

    func testDoctypeIsRefused() throws {
        let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\"/>\n"
        XCTAssertEqual(try validate(text), ["locales/fr/demo.xlf:2:1: error: XLIFF files must not have a DOCTYPE [xliff-syntax]"])
    }

    func testTruncatedFilesNeverCrash() throws {
        let p = try TestProject.translatable()
        p.extract("ar")
        let full = Array(try p.xliff("ar").utf8)
        var reported = 0
        for end in stride(from: 0, to: full.count, by: 97) {
            var diagnostics: [Diagnostic] = []
            let doc = XLIFFReader.read(Data(full[..<end]), path: "x.xlf", sourceLanguage: "en", targetLanguage: "ar", into: &diagnostics)
            XCTAssertNil(doc)
            XCTAssertEqual(diagnostics.map(\.rule.rawValue), ["xliff-syntax"], "cut at \(end)")
            XCTAssertTrue(diagnostics.allSatisfy { $0.line >= 1 && $0.column >= 1 })
            reported += diagnostics.count
        }
        XCTAssertGreaterThan(reported, 10)
    }

    func testElementColumnsComeFromTheStartTag() throws {
        let root = try LibXML.parseXML(Data("<a>\n  <b x=\"1\n2\">é<c/><!-- <d> --><c/></b>\n<![CDATA[<e>]]><f\n/></a>".utf8))
        let b = root.element("b")!
        XCTAssertEqual([root.line, root.column, b.line, b.column], [1, 1, 2, 3])
        XCTAssertEqual(b.elements("c").map { [$0.line, $0.column] }, [[3, 5], [3, 21]])
        XCTAssertEqual([root.element("f")!.line, root.element("f")!.column], [4, 16])
    }

    // MARK: - Streaming (issue 14)

    /// `read` keeps only where each lesson's `<file>` is; units are read from the file when asked.
    func testALessonsUnitsAreReadFromTheFileWhenAsked() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.translate("fr", "rules/p-1", "Nous nous réunissons chaque semaine.")
        let url = p.root.appendingPathComponent(p.xliffPath("fr"))
        var d: [Diagnostic] = []
        let doc = try XCTUnwrap(XLIFFReader.read(.file(path: url.path), path: p.xliffPath("fr"), sourceLanguage: "en", targetLanguage: "fr", into: &d))
        XCTAssertEqual(d, [])
        XCTAssertEqual(doc.outline.map(\.lessonID), ["saving", "rules", "_curriculum"])
        let bytes = try Data(contentsOf: url)
        let rules = doc.outline[1]
        XCTAssertTrue(String(decoding: bytes[rules.range], as: UTF8.self).hasPrefix("<file original=\"content/demo/01-unit/02-rules.md\""))
        XCTAssertTrue(String(decoding: bytes[rules.range], as: UTF8.self).hasSuffix("</file>"))
        XCTAssertEqual(doc.file(for: "rules")?.units.map(\.id), ["rules/title-1", "rules/p-1", "rules/p-2"])
        XCTAssertEqual(doc.file(for: "rules")?.units[1].target, [.text("Nous nous réunissons chaque semaine.")])
        XCTAssertEqual(doc.file(for: "rules")?.units[1].targetLine, rules.line + 12)
        // Changed on disk in between: said so, never a crash or a wrong unit.
        try "<xliff/>".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertEqual(doc.file(for: "rules")?.problems.map(\.description), [
            "locales/fr/demo.xlf:\(rules.line):\(rules.column): error: the file changed while lessonc was reading it; run the command again [unreadable]",
        ])
    }

    func testUTF16FilesAreRead() throws {
        let text = xliff(#"<trans-unit id="rules/p-1"><source>We meet every week.</source><target state="translated">Nous nous réunissons chaque semaine.</target></trans-unit>"#)
            .replacingOccurrences(of: #"encoding="UTF-8""#, with: #"encoding="UTF-16""#)
        var d: [Diagnostic] = []
        var data = Data([0xFF, 0xFE])
        data.append(text.data(using: .utf16LittleEndian)!)
        let doc = try XCTUnwrap(XLIFFReader.read(data, path: "x.xlf", sourceLanguage: "en", targetLanguage: "fr", into: &d))
        XCTAssertEqual(d, [])
        XCTAssertEqual(doc.file(for: "rules")?.units.first?.target, [.text("Nous nous réunissons chaque semaine.")])
    }

    /// A DOCTYPE is refused wherever it is in the prolog, before libxml2 reads its declarations.
    func testDoctypeAfterALongPrologIsRefused() throws {
        let text = "<?xml version=\"1.0\"?>\n<!--" + String(repeating: "x", count: 10_000) + "-->\n<!DOCTYPE x [<!ENTITY a \"aaaa\">]>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\"/>\n"
        XCTAssertEqual(try validate(text), ["locales/fr/demo.xlf:3:1: error: XLIFF files must not have a DOCTYPE [xliff-syntax]"])
    }

    func testTheScannerFindsTagsAcrossChunkBoundaries() {
        let xml = Array("<a x=\"1>\">\n<!-- <b> --><![CDATA[<c>]]><?pi <d>?><é:e/>\n  <f></f></a>".utf8)
        for size in 1...xml.count {
            var scanner = XMLTagScanner()
            var at = 0
            while at < xml.count {
                let end = min(xml.count, at + size)
                xml[at..<end].withUnsafeBufferPointer { scanner.feed($0) }
                at = end
            }
            scanner.feed(UnsafeBufferPointer(start: nil, count: 0), final: true)
            var tags: [String] = []
            while let t = scanner.next() { tags.append("\(t.kind) \(t.offset)-\(t.end) \(t.line):\(t.column)\(t.selfClosing ? " /" : "")") }
            XCTAssertEqual(tags, ["start 0-10 1:1", "start 48-55 2:38 /", "start 58-61 3:3", "end 61-65 3:0", "end 65-69 3:0"], "chunks of \(size)")
        }
    }

    /// A lesson whose `<file>` holds no translation and nothing to report is not read again by the
    /// build: all its texts are untranslated whatever its units say. Anything else is read.
    func testOnlyFilesWithSomethingToUseOrReportAreReadAgain() throws {
        let p = try TestProject.translatable()
        func fresh() throws {
            try? p.remove(p.xliffPath("fr"))
            p.extract("fr")
        }
        func reading() throws -> [String: Bool] {
            var d: [Diagnostic] = []
            let url = p.root.appendingPathComponent(p.xliffPath("fr"))
            let doc = try XCTUnwrap(XLIFFReader.read(.file(path: url.path), path: "x.xlf", sourceLanguage: "en", targetLanguage: "fr", into: &d))
            for (i, entry) in doc.outline.enumerated() {
                // Not read again: no units, and nothing reading them would have reported.
                XCTAssertEqual(doc.file(for: entry.lessonID)?.units.isEmpty, !entry.needsReading)
                if !entry.needsReading { XCTAssertEqual(doc.file(at: i).problems, []) }
            }
            return Dictionary(uniqueKeysWithValues: doc.outline.map { ($0.lessonID, $0.needsReading) })
        }
        try fresh()
        XCTAssertEqual(try reading(), ["saving": false, "rules": false, "_curriculum": false])
        var d: [Diagnostic] = []
        let inMemory = XLIFFDocument(sourceLanguage: "en", targetLanguage: "fr",
                                     files: try XCTUnwrap(XLIFFReader.read(Data(try p.xliff("fr").utf8), path: "x.xlf", sourceLanguage: "en", targetLanguage: "fr", into: &d)).files)
        XCTAssertEqual(inMemory.file(for: "saving")?.units.count, 19, "a document made in memory always has its units")

        try p.translate("fr", "rules/p-1", "Nous nous réunissons chaque semaine.", state: "needs-review-translation")
        try p.translate("fr", "saving/p-2", "", state: "translated")
        XCTAssertEqual(try reading(), ["saving": true, "rules": true, "_curriculum": false], "a translation, and an empty one claiming to be done")

        try fresh()
        try p.translate("fr", "rules/p-1", "", state: "done")
        try p.translate("fr", "_curriculum/title-1", #"<bpt id="1">x</bpt>"#, state: "new")
        XCTAssertEqual(try reading(), ["saving": false, "rules": true, "_curriculum": true], "an unknown state, a code lessonc does not use")

        try fresh()
        try p.setXLIFF("fr", try p.xliff("fr").replacingOccurrences(of: #"<trans-unit id="saving/li-2""#, with: #"<trans-unit id="saving/li-1""#)
                                              .replacingOccurrences(of: #"<source>We meet every week.</source>"#, with: #"<source>We meet <bpt id="9">every</bpt> week.</source>"#))
        XCTAssertEqual(try reading(), ["saving": true, "rules": true, "_curriculum": false], "a duplicate id, a code lessonc does not use in a source")
    }
}
