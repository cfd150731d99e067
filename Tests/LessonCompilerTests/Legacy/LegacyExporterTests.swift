import XCTest
@testable import LessonCompiler
import LessonSupport

final class LegacyExporterTests: XCTestCase {
    var project: TestProject!
    var root: URL { project.root }
    var out: URL { project.root.appendingPathComponent("out") }

    override func setUpWithError() throws {
        project = try TestProject(curriculum: "rcc", curriculumFile: Self.curriculumFile())
    }

    override func tearDown() {
        project = nil
    }

    func put(_ path: String, _ text: String) throws {
        try project.write(path, text)
    }

    static func curriculumFile(legacyFile: String? = "survivor-resource", language: String = "en") -> String {
        """
        ---
        title: "Survivor resource"
        version: 1.0.0
        language: \(language)
        license: CC-BY-4.0
        authors: [Tester]
        level_titles: [Unit, Module]
        \(legacyFile.map { "legacy_file: \($0)" } ?? "")
        ---

        """
    }

    func curriculum(_ id: String = "rcc", legacyFile: String? = "survivor-resource", language: String = "en") throws {
        try put("content/\(id)/curriculum.md", Self.curriculumFile(legacyFile: legacyFile, language: language))
    }

    func exported(_ path: String = "rcc-json/v1/english/survivor-resource.json") throws -> JSON {
        try JSON.parse(Data(contentsOf: out.appendingPathComponent(path)))
    }

    func testShapeUnitsAndUnitContent() throws {
        try put("content/rcc/01-rights/_unit.md", "---\ntitle: Your rights\n---\n")
        try put("content/rcc/01-rights/00-your-rights.md", "---\ntitle: Your rights\n---\n\nYou have rights & choices.\n")
        try put("content/rcc/01-rights/01-reporting.md", "---\ntitle: Reporting\n---\n\n## Steps\n\n- **Call** the *police*\n- Or [not](https://example.org/?a=1&b=2)\n")
        try put("content/rcc/02-care.md", "---\ntitle: Care\ncontent_warning: Mentions injuries\n---\n\nOne<br>\n")
        var result = LegacyExporter.run(root: root, out: out)
        // Raw HTML is an error in lessons, so nothing is written.
        XCTAssertEqual(result.diagnostics.map(\.description), ["content/rcc/02-care.md:6:4: error: raw HTML '<br>' is not passed to devices; write it in Markdown [raw-html]"])
        XCTAssertEqual(result.written, [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))

        try put("content/rcc/02-care.md", "---\ntitle: Care\ncontent_warning: Mentions injuries\n---\n\nOne\\\ntwo\n")
        result = LegacyExporter.run(root: root, out: out)
        XCTAssertEqual(result.diagnostics.map(\.description), [])
        XCTAssertEqual(result.written, ["rcc-json/v1/english/survivor-resource.json"])
        XCTAssertEqual(try exported(), [
            "curriculum": [
                "title": "Survivor resource",
                "version": "1.0",
                "settings": ["language": "English", "level_titles": ["1": "Unit", "2": "Module"]],
                "content": [
                    ["title": "Your rights", "content": "&lt;p&gt;You have rights &amp;amp; choices.&lt;/p&gt;\n", "subsections": [
                        ["title": "Reporting", "subsections": [], "content": .string(
                            "&lt;h2&gt;Steps&lt;/h2&gt;\n&lt;ul&gt;\n&lt;li&gt;&lt;strong&gt;Call&lt;/strong&gt; the &lt;em&gt;police&lt;/em&gt;&lt;/li&gt;\n"
                            + "&lt;li&gt;Or &lt;a href=&quot;https://example.org/?a=1&amp;amp;b=2&quot;&gt;not&lt;/a&gt;&lt;/li&gt;\n&lt;/ul&gt;\n")],
                    ]],
                    ["title": "Care", "subsections": [],
                     "content": "&lt;p&gt;&lt;em&gt;Mentions injuries&lt;/em&gt;&lt;/p&gt;\n&lt;p&gt;One&lt;br&gt;two&lt;/p&gt;\n"],
                ],
            ],
        ])
    }

    func testCalloutsQuizzesImagesAndLessonLinksDegradeToPlainHTML() throws {
        try put("content/rcc/assets/kit.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        try put("content/rcc/01-a.md", "---\ntitle: A\n---\n\nSee [B](02-b.md).\n\n![An evidence kit](assets/kit.svg)\n\n> [!ACTIVITY] Practise (10 min)\n> Two people talk.\n\n> [!QUIZ]\n> When?\n>\n> - [ ] Later\n> - [x] Now\n>\n> Early is best.\n\n| Drug | Dose |\n|---|---|\n| PEP | 28 days |\n")
        try put("content/rcc/02-b.md", "---\ntitle: B\n---\n\nB.\n")
        let result = LegacyExporter.run(root: root, out: out)
        XCTAssertEqual(result.diagnostics.map(\.description), [])
        let content = try XCTUnwrap(exported()["curriculum"]?["content"]?.arrayValue?.first?["content"]?.stringValue)
        XCTAssertEqual(LibXML.decodeHTMLEntities(content), """
        <p>See B.</p>
        <p><em>An evidence kit</em></p>
        <blockquote>
        <p><strong>Practise (10 min)</strong></p>
        <p>Two people talk.</p>
        </blockquote>
        <blockquote>
        <p>When?</p>
        <ol>
        <li>Later</li>
        <li><strong>Now</strong> ✓</li>
        </ol>
        <p>Early is best.</p>
        </blockquote>
        <p><strong>Drug:</strong> PEP<br><strong>Dose:</strong> 28 days</p>

        """)
    }

    /// The apps have no footnote markup: references become "[N]" and the notes follow a rule.
    func testFootnotesDegradeToNumberedNotesAfterARule() {
        let blocks: [Block] = [
            .paragraph([.text("Save weekly"), .footnoteReference(1), .text(".")]),
            .footnote(number: 1, blocks: [.paragraph([.text("Small sums add up.")])]),
        ]
        XCTAssertEqual(LegacyHTML.render(blocks), "<p>Save weekly[1].</p>\n<hr>\n<p>[1] Small sums add up.</p>\n")
    }

    func testLocaleThatIsNotAvailable() throws {
        try put("content/rcc/01-a.md", "---\ntitle: A\n---\n\nA.\n")
        let result = LegacyExporter.run(root: root, out: out, locale: "fr")
        XCTAssertEqual(result.diagnostics.map(\.description), [
            "content/rcc/curriculum.md:1:1: warning: 'rcc' is not exported in 'fr': there is no locales/fr/rcc.xlf [locale-unavailable]",
            "locales:1:1: error: no curriculum with a legacy_file is available in 'fr' [locale-unavailable]",
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        XCTAssertEqual(LegacyExporter.run(root: root, out: out, locale: "en").written, ["rcc-json/v1/english/survivor-resource.json"])
    }

    func testOnlyCurriculaWithALegacyFileAreExported() throws {
        try project.remove("content/rcc")
        try curriculum("other", legacyFile: nil)
        try put("content/other/01-a.md", "---\ntitle: A\n---\n\n[broken](missing.md)\n")
        var result = LegacyExporter.run(root: root, out: out)
        XCTAssertEqual(result.diagnostics.map(\.description), [
            "content:1:1: error: no curriculum has a 'legacy_file' in its curriculum.md, so there is nothing to export [no-legacy-curriculum]",
        ])
        try curriculum("rcc", language: "fr")
        try put("content/rcc/01-a.md", "---\ntitle: A\n---\n\nA.\n")
        result = LegacyExporter.run(root: root, out: out)
        // The other curriculum's broken link does not stop the export.
        XCTAssertEqual(result.diagnostics.map(\.description), [])
        XCTAssertEqual(result.written, ["rcc-json/v1/french/survivor-resource.json"])
    }

    func testLegacyFileMustBeAPlainName() throws {
        try curriculum(legacyFile: "\"../../etc/passwd\"")
        try put("content/rcc/01-a.md", "---\ntitle: A\n---\n\nA.\n")
        XCTAssertEqual(LegacyExporter.run(root: root, out: out).diagnostics.map(\.description), [
            "content/rcc/curriculum.md:1:1: error: legacy_file '../../etc/passwd' must be a plain file name such as advocate-training (letters, digits, '-', '_', '.') [legacy-file-name]",
        ])
    }

    func testOutputIsDeterministic() throws {
        try put("content/rcc/01-a.md", "---\ntitle: A\n---\n\nA *b* **c**.\n")
        _ = LegacyExporter.run(root: root, out: out)
        let first = try Data(contentsOf: out.appendingPathComponent("rcc-json/v1/english/survivor-resource.json"))
        _ = LegacyExporter.run(root: root, out: out)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("rcc-json/v1/english/survivor-resource.json")), first)
    }
}
