import XCTest
@testable import LessonCompiler
import LessonSupport

final class LegacyImporterTests: XCTestCase {
    var folder: TemporaryFolder!
    var dir: URL { folder.url }

    override func setUpWithError() throws { folder = try TemporaryFolder("legacy-import") }
    override func tearDown() { folder = nil }

    /// A legacy document with the given sections, as the apps' files are shaped.
    static func document(_ sections: [JSON], language: String = "English", version: String = "1.0") -> JSON {
        ["curriculum": ["title": "Test curriculum", "version": .string(version),
                        "settings": ["language": .string(language), "level_titles": ["1": "Unit", "2": "Module", "3": "Step", "4": ""]],
                        "content": .array(sections)]]
    }

    static func section(_ title: String, _ html: String = "", _ subsections: [JSON] = []) -> JSON {
        ["title": .string(title), "content": .string(LegacyHTMLReaderTests.legacy(html)), "subsections": .array(subsections)]
    }

    func write(_ data: Data, name: String = "survivor-resource.json") throws -> URL {
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    func importing(_ json: JSON, id: String = "survivor-resource") throws -> (LegacyImport, URL) {
        let root = dir.appendingPathComponent("project")
        return try LegacyImporter.run(file: try write(json.data()), root: root, id: id)
    }

    func files(_ folder: URL) -> [String] {
        let e = FileManager.default.enumerator(atPath: folder.path)!
        return (e.allObjects as! [String]).filter { $0.hasSuffix(".md") }.sorted()
    }

    func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    // MARK: - Layout

    func testLayoutUnitsLessonsAndNodeWithBothContentAndSubsections() throws {
        let json = Self.document([
            Self.section("Getting started", "", [
                Self.section("During the Training", "<p>Take care.</p>"),
                Self.section("What Advocates Do", "<p>They listen.</p>", [Self.section("Teamwork", "<p>Together.</p>")]),
            ]),
            Self.section("Listen", "<p>Listen first.</p>"),
            Self.section("Listen", "<p>Same title again.</p>"),
        ])
        let (result, target) = try importing(json)
        XCTAssertEqual(target.lastPathComponent, "survivor-resource")
        XCTAssertEqual(files(target), [
            "01-getting-started/01-during-the-training.md",
            "01-getting-started/02-what-advocates-do/00-what-advocates-do.md",
            "01-getting-started/02-what-advocates-do/01-teamwork.md",
            "01-getting-started/02-what-advocates-do/_unit.md",
            "01-getting-started/_unit.md",
            "02-listen.md",
            "03-listen-2.md",
            "curriculum.md",
        ])
        XCTAssertEqual([result.lessonCount, result.unitCount], [5, 2])
        XCTAssertEqual(try read(target.appendingPathComponent("curriculum.md")), """
        ---
        id: survivor-resource
        title: "Test curriculum"
        version: 1.0.0
        language: en
        license: CC-BY-4.0
        authors: ["unknown (imported from survivor-resource.json)"]
        level_titles: ["Unit", "Module", "Step", ""]
        legacy_file: "survivor-resource"
        ---

        """)
        XCTAssertEqual(try read(target.appendingPathComponent("01-getting-started/02-what-advocates-do/_unit.md")), "---\ntitle: \"What Advocates Do\"\n---\n")
        XCTAssertEqual(try read(target.appendingPathComponent("01-getting-started/02-what-advocates-do/00-what-advocates-do.md")),
                       "---\ntitle: \"What Advocates Do\"\nid: what-advocates-do\n---\n\nThey listen.\n")
        XCTAssertEqual(result.warnings.map(\.description), [
            "warning: the legacy file names no authors: curriculum.md says 'unknown (imported from survivor-resource.json)'; write the real authors there before publishing, CC BY needs the attribution",
        ])
    }

    func testImportedSourcesValidateWithoutErrorsOrWarnings() throws {
        let everything = """
        <h2>Heading</h2><p>Plain &nbsp;<strong>bold</strong>, <em>italic</em>, <u>underlined</u>, a <a href="https://example.org">link</a>, \
        <a href="mailto:a@example.org">mail</a>.</p><p>- one</p><p>- two</p><ul><li>a<ul><li>b</li></ul></li></ul><ol><li>x</li></ol>\
        <p>line<br>break # [x] *y* 1. &lt;tag&gt; | ~</p><h4>Deeper</h4><blockquote><p>quote</p></blockquote><hr>\
        <ol><li>Numbered heading<p>Text.</p>
        """
        let (_, target) = try importing(Self.document([Self.section("Everything", everything, [Self.section("Child", "<p>c</p>")])]))
        let result = Builder.run(BuildOptions(root: target.deletingLastPathComponent().deletingLastPathComponent()))
        XCTAssertEqual(result.diagnostics.map(\.description), [])
        XCTAssertEqual(result.lessonCount, 2)
    }

    func testWarningsNameTheNode() throws {
        let (result, _) = try importing(Self.document([Self.section("Listen", "", [Self.section("Privacy", "<p>H<sub>2</sub>O</p>")])]))
        XCTAssertEqual(result.warnings.dropFirst().map(\.description), [
            "warning: 'Listen › Privacy': unknown tag <sub> (1×): its text is kept as plain text",
        ])
    }

    func testSectionWithoutContentOrSubsectionsIsKeptAsAnEmptyUnit() throws {
        let (result, target) = try importing(Self.document([Self.section("Empty"), Self.section("Full", "<p>x</p>")]))
        XCTAssertEqual(files(target), ["01-empty/_unit.md", "02-full.md", "curriculum.md"])
        XCTAssertEqual(result.warnings.last?.description,
                       "warning: 'Empty' has no content and no subsections; it is kept as an empty unit, which 'lessonc validate' reports")
    }

    func testIdsFromTitles() {
        XCTAssertEqual(LegacyImporter.slug("Survivor’s Rights & Options"), "survivors-rights-options")
        XCTAssertEqual(LegacyImporter.slug("Basic Helpline Skills (The ABC Method)"), "basic-helpline-skills-the-abc-method")
        XCTAssertEqual(LegacyImporter.slug("Éducation à la santé"), "education-a-la-sante")
        XCTAssertEqual(LegacyImporter.slug("መግቢያ"), "")
        XCTAssertEqual(LegacyImporter.slug(String(repeating: "word ", count: 30)).count, 59)
    }

    func testTitlesWithoutLatinLettersGetNumberedIds() throws {
        let json = Self.document([Self.section("ማዳመጥ", "", [Self.section("መግቢያ", "<p>ሰላም</p>")])], language: "Amharic")
        let (_, target) = try importing(json)
        XCTAssertEqual(files(target), ["01-unit/01-lesson-1-1.md", "01-unit/_unit.md", "curriculum.md"])
        XCTAssertTrue(try read(target.appendingPathComponent("curriculum.md")).contains("\nlanguage: am\n"))
    }

    func testLanguageNamesAndVersions() {
        XCTAssertEqual(["English", "french", "Spanish", "Arabic", "Swahili", "Amharic", "Hindi", "Farsi", "Persian", "fr-CA", "Klingon"].map(LegacyNames.tag(forLanguage:)),
                       ["en", "fr", "es", "ar", "sw", "am", "hi", "fa", "fa", "fr-CA", nil])
        XCTAssertEqual(["en", "fr-CA", "fa", "xx"].map(LegacyNames.language(forTag:)), ["English", "French", "Farsi", nil])
        XCTAssertEqual(["1.0", "2", "v1.2.3", "1.0.0.0", "beta", ""].map(LegacyNames.semver(fromLegacy:)), ["1.0.0", "2.0.0", "1.2.3", nil, nil, nil])
        XCTAssertEqual(["1.0.0", "1.2.3", "2.1.0-rc.1"].map(LegacyNames.legacyVersion(fromSemver:)), ["1.0", "1.2.3", "2.1.0-rc.1"])
    }

    // MARK: - Malformed input: a clear error, no crash, nothing written

    func assertRefused(_ data: Data, _ expected: LegacyIssue, file: StaticString = #filePath, line: UInt = #line) throws {
        let root = dir.appendingPathComponent("project")
        XCTAssertThrowsError(try LegacyImporter.run(file: try write(data), root: root, id: "survivor-resource"), file: file, line: line) { error in
            XCTAssertEqual(error as? LegacyIssue, expected, file: file, line: line)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path), "something was written", file: file, line: line)
    }

    func testInvalidJSONGivesLineAndColumn() throws {
        try assertRefused(Data("{\n  \"curriculum\": {\n    \"title\": \"x\",,\n  }\n}".utf8),
                          LegacyIssue(.error, "invalid JSON: expected a string key", line: 3, column: 18))
    }

    func testMissingKeys() throws {
        try assertRefused(Data(#"{"content": []}"#.utf8),
                          LegacyIssue(.error, "the file must hold an object with a 'curriculum' key; this is not an RCC curriculum file"))
        try assertRefused(Self.document([["title": "A", "subsections": []]]).data(), LegacyIssue(.error, "missing key 'curriculum.content[0].content'"))
        try assertRefused(Data(#"{"curriculum": {"title": "t", "version": "1.0", "settings": {}, "content": []}}"#.utf8),
                          LegacyIssue(.error, "missing key 'curriculum.settings.language'"))
    }

    func testNonStringContent() throws {
        try assertRefused(Self.document([Self.section("A", "", [["title": "B", "content": 5, "subsections": []]])]).data(),
                          LegacyIssue(.error, "'curriculum.content[0].subsections[0].content' must be a string, not a number"))
    }

    func testNestingHundredLevelsDeep() throws {
        var node = Self.section("Level 100", "<p>deep</p>")
        for level in stride(from: 99, through: 1, by: -1) { node = Self.section("Level \(level)", "", [node]) }
        try assertRefused(Self.document([node]).data(), LegacyIssue(.error,
            "'curriculum.content[0].subsections[0].subsections[0].subsections[0].subsections[0]' ('Level 1 › Level 2 › Level 3 › Level 4 › Level 5') has subsections at level 6; lessonc nests units 4 levels deep, so legacy sections may nest at most 5 levels"))
    }

    func testTenMegabyteContent() throws {
        let big = String(repeating: "a", count: 10 << 20)
        let data = Data(#"{"curriculum": {"title": "t", "version": "1.0", "settings": {"language": "English"}, "content": [{"title": "Big", "content": ""#.utf8)
            + Data(big.utf8) + Data(#"", "subsections": []}]}}"#.utf8)
        try assertRefused(data, LegacyIssue(.error,
            "'curriculum.content[0].content' ('Big') is 10485760 bytes; a lesson may be at most 1048576 bytes (1 MiB): split it in the legacy file"))
    }

    func testInvalidUTF8() throws {
        let data = Data("{\"curriculum\": {\n\"title\": \"ab".utf8) + Data([0xC3, 0x28]) + Data("\"}}".utf8)
        try assertRefused(data, LegacyIssue(.error, "invalid UTF-8 at byte 29; save the file as UTF-8", line: 2, column: 13))
    }

    func testInvalidCurriculumId() {
        XCTAssertThrowsError(try LegacyImporter.convert(Data("{}".utf8), fileName: "a.json", id: "../etc")) { error in
            XCTAssertEqual(error as? LegacyIssue, LegacyIssue(.error, "curriculum id '../etc' must be lowercase letters, digits, '-', '_' or '.', starting with a letter or digit"))
        }
    }

    /// Older export pipelines leave out the title or the version: derived with a warning, never a refusal.
    func testMissingTitleAndVersionAreDerivedWithWarnings() throws {
        var doc = Self.document([Self.section("A", "<p>x</p>")])
        doc = ["curriculum": .object(doc["curriculum"]!.objectValue!.filter { $0.key != "title" && $0.key != "version" })]
        let result = try LegacyImporter.convert(doc.data(), fileName: "advocate-training.json", id: "advocate-training")
        XCTAssertEqual(result.warnings.map(\.description), [
            "warning: 'curriculum.version' is missing; curriculum.md says version 0.0.0: write the real version there, or import with --version",
            "warning: 'curriculum.title' is missing; curriculum.md says 'Advocate training', from the file name: write the real title there, or import with --title",
            "warning: the legacy file names no authors: curriculum.md says 'unknown (imported from advocate-training.json)'; write the real authors there before publishing, CC BY needs the attribution",
        ])
        XCTAssertTrue(result.files["curriculum.md"]!.hasPrefix("---\nid: advocate-training\ntitle: \"Advocate training\"\nversion: 0.0.0\n"), result.files["curriculum.md"]!)
    }

    func testTitleAndVersionFromTheCommandLine() throws {
        var doc = Self.document([Self.section("A", "<p>x</p>")], version: "beta")
        doc = ["curriculum": .object(doc["curriculum"]!.objectValue!.filter { $0.key != "title" })]
        let result = try LegacyImporter.convert(doc.data(), fileName: "advocate-training.json", id: "advocate-training", title: "Advocate training course", version: "2.1")
        XCTAssertEqual(result.warnings.count, 1, "only the authors warning: \(result.warnings)")
        XCTAssertTrue(result.files["curriculum.md"]!.hasPrefix("---\nid: advocate-training\ntitle: \"Advocate training course\"\nversion: 2.1.0\n"), result.files["curriculum.md"]!)
        XCTAssertThrowsError(try LegacyImporter.convert(doc.data(), fileName: "a.json", id: "a", version: "two")) { error in
            XCTAssertEqual(error as? LegacyIssue, LegacyIssue(.error, "--version 'two' is not a version number such as 1.0 or 1.2.3"))
        }
    }

    func testUnreadableVersionIsAWarning() throws {
        let result = try LegacyImporter.convert(Self.document([Self.section("A", "<p>x</p>")], version: "beta").data(), fileName: "a.json", id: "a")
        XCTAssertEqual(result.warnings.first?.description, "warning: 'curriculum.version' is 'beta', not a version number such as 1.0 or 1.2.3; curriculum.md says version 0.0.0: write the real version there, or import with --version")
        XCTAssertTrue(result.files["curriculum.md"]!.contains("\nversion: 0.0.0\n"))
    }

    func testUnknownLanguage() throws {
        try assertRefused(Self.document([Self.section("A", "<p>x</p>")], language: "Klingon").data(),
                          LegacyIssue(.error, "'curriculum.settings.language' is 'Klingon', which lessonc does not know; use an English language name such as English, French or Arabic, or a BCP 47 tag such as en"))
    }

    func testUnknownKeysAreReported() throws {
        var doc = Self.document([["title": "A", "content": "x", "subsections": [], "image": "a.png"]])
        doc = ["curriculum": doc["curriculum"]!, "generated": "2017"]
        let (result, _) = try importing(doc)
        XCTAssertEqual(result.warnings.prefix(2).map(\.description), [
            "warning: unknown key 'generated' is ignored",
            "warning: unknown key 'curriculum.content[0].image' is ignored",
        ])
    }

    func testExistingCurriculumIsNeverOverwritten() throws {
        let existing = dir.appendingPathComponent("project/content/survivor-resource")
        try FileManager.default.createDirectory(at: existing, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: existing.appendingPathComponent("curriculum.md"))
        XCTAssertThrowsError(try importing(Self.document([Self.section("A", "<p>x</p>")]))) { error in
            XCTAssertEqual(error as? LegacyIssue, LegacyIssue(.error, "content/survivor-resource already exists; import never overwrites a curriculum: remove it first or choose another --id"))
        }
        XCTAssertEqual(try read(existing.appendingPathComponent("curriculum.md")), "keep")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: existing.deletingLastPathComponent().path), ["survivor-resource"])
    }

    func testContentThatIsAFileIsRefused() throws {
        let root = dir.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data("not a folder".utf8).write(to: root.appendingPathComponent("content"))
        XCTAssertThrowsError(try importing(Self.document([Self.section("A", "<p>x</p>")]))) { error in
            XCTAssertEqual(error as? LegacyIssue, LegacyIssue(.error, "\(root.appendingPathComponent("content").path) is a file; it must be the folder that holds the curricula"))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), ["content"])
    }
}
