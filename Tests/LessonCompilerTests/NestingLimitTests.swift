import XCTest
@testable import LessonCompiler
import LessonSupport

/// Nesting deep enough to overflow the stack is a diagnostic, never a crash (hardening finding 3:
/// validate, build and publish died on a 5,000-deep block quote, 30,000 `*`, and 18,000 nested
/// `<g>` in a translation).
final class NestingLimitTests: XCTestCase {
    static let path = "content/demo/01-unit/01-first.md"

    func lesson(_ body: String) throws -> TestProject {
        try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\n\(body)\n"])
    }

    func tooDeep(_ line: Int, _ column: Int) -> String {
        "\(Self.path):\(line):\(column): error: Markdown nests more than 32 levels deep here (block quotes, lists, emphasis and links all count); what lies deeper is left out: flatten it [nesting-too-deep]"
    }

    /// The audit's input: one 10 KB line of 5,000 '>'. validate, build and publish all refuse it.
    func testBlockQuotesNested5000Deep() throws {
        let p = try lesson(String(repeating: ">", count: 5000) + " deep")
        XCTAssertDiagnostics(p.validate(), [tooDeep(4, 33)])
        XCTAssertFalse(p.build().succeeded)
        let report = try Publisher.run(PublishOptions(root: p.root, channel: p.root.appendingPathComponent("channel"), key: .generate(), now: ChannelFixture.now))
        XCTAssertFalse(report.published)
        XCTAssertEqual(report.build.diagnostics.map(\.description), [tooDeep(4, 33)])
    }

    /// Paragraph and text count too: 30 quotes around a paragraph are 32 levels, the limit.
    func testTheLimitItself() throws {
        XCTAssertDiagnostics(try lesson(String(repeating: ">", count: 30) + " deep").validate(), [])
        XCTAssertDiagnostics(try lesson(String(repeating: ">", count: 31) + " deep").validate(), [tooDeep(4, 33)])
    }

    func testEmphasisRunOf30000Stars() throws {
        let stars = String(repeating: "*", count: 15000)
        XCTAssertDiagnostics(try lesson(stars + "word" + stars).validate(), [tooDeep(4, 1)])
    }

    func testListsNested600Deep() throws {
        let list = (0..<600).map { String(repeating: "  ", count: $0) + "- item" }.joined(separator: "\n")
        XCTAssertDiagnostics(try lesson(list).validate(), [tooDeep(19, 33)])
    }

    func testLinksNested20000Deep() throws {
        let p = try lesson("See " + String(repeating: "[", count: 20000) + "text" + String(repeating: "]", count: 20000) + "(https://example.org).")
        XCTAssertEqual(p.validate().diagnostics.filter { $0.severity == .error }.map(\.description), [])
    }

    // MARK: - XLIFF

    func translated(_ target: String) throws -> [String] {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.translate("fr", "rules/p-1", target)
        return p.validate().diagnostics.filter { $0.path.hasPrefix("locales/") }.map(\.description)
    }

    /// The audit's input: `<g>` nested 18,000 deep inside a target.
    func testXLIFFElementsNested18000Deep() throws {
        let target = String(repeating: "<g id=\"1\">", count: 18000) + "deep" + String(repeating: "</g>", count: 18000)
        let problems = try translated(target)
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertTrue(problems.first?.hasSuffix(": error: not well-formed XML: elements nest more than 256 levels deep [xliff-syntax]") ?? false, "\(problems)")
    }

    func testXLIFFInlineCodesNestedBeyondTheLimit() throws {
        let target = String(repeating: "<g id=\"1\" ctype=\"bold\">", count: 40) + "Nous nous réunissons" + String(repeating: "</g>", count: 40)
        let problems = try translated(target)
        XCTAssertEqual(problems.filter { $0.contains("[xliff-structure]") }.count, 1, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasSuffix("warning: inline codes nest more than 32 levels deep here; the text stays untranslated until it keeps the codes of the source [xliff-structure]") }, "\(problems)")
    }

    func testLibXMLRefusesDeepNestingWithItsLine() {
        let xml = "<a>\n" + String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 301)
        XCTAssertThrowsError(try LibXML.parseXML(Data(xml.utf8))) {
            XCTAssertEqual($0 as? XMLParseError, XMLParseError(message: "elements nest more than 256 levels deep", line: 2, column: 1))
        }
        XCTAssertNoThrow(try LibXML.parseXML(Data((String(repeating: "<a>", count: 256) + String(repeating: "</a>", count: 256)).utf8)))
    }

    /// HTML (legacy imports) stops at the same depth and says it did not read everything.
    func testHTMLDeeperThanTheLimitIsReportedIncomplete() {
        let (_, complete) = LibXML.parseHTMLReportingTruncation(String(repeating: "<div>", count: 5000) + "x")
        XCTAssertFalse(complete)
    }
}
