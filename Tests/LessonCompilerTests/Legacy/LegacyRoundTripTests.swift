import XCTest
@testable import LessonCompiler
import LessonSupport

/// Issue 7, point 4: import the shared legacy file, validate, export, and compare node by node.
/// The file is test data outside the repository; the import goes to a temporary folder only.
final class LegacyRoundTripTests: XCTestCase {
    static let environmentVariable = "LESSONC_RCC_LEGACY_JSON"

    /// `$LESSONC_RCC_LEGACY_JSON`, else `<ancestor>/../shared/corpus/rcc-legacy/advocate-training.json`
    /// for the nearest ancestor of this file that has one (CI clones main/ with shared/ beside it).
    static func sharedFile() -> URL? {
        if let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("../shared/corpus/rcc-legacy/advocate-training.json").standardizedFileURL
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        return nil
    }

    func testAdvocateTrainingRoundTrip() throws {
        guard let file = Self.sharedFile() else {
            throw XCTSkip("advocate-training.json not found: set \(Self.environmentVariable) or put shared/corpus/rcc-legacy/ beside the repository")
        }
        guard FileManager.default.fileExists(atPath: file.path) else {
            return XCTFail("\(Self.environmentVariable) names \(file.path), which does not exist")
        }
        let folder = try TemporaryFolder("legacy-roundtrip")
        let dir = folder.url
        let root = dir.appendingPathComponent("project")

        let (imported, _) = try LegacyImporter.run(file: file, root: root, id: "advocate-training")
        let validation = Builder.run(BuildOptions(root: root))
        XCTAssertEqual(validation.errors, 0, validation.diagnostics.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(validation.warnings, 0, validation.diagnostics.map(\.description).joined(separator: "\n"))

        let exported = LegacyExporter.run(root: root, out: dir.appendingPathComponent("out"))
        XCTAssertEqual(exported.diagnostics.map(\.description), [])
        XCTAssertEqual(exported.written, ["rcc-json/v1/english/advocate-training.json"])

        var warnings: [LegacyIssue] = []
        let original = try LegacyCurriculum.read(Data(contentsOf: file), warnings: &warnings)
        let copy = try LegacyCurriculum.read(Data(contentsOf: dir.appendingPathComponent("out/rcc-json/v1/english/advocate-training.json")), warnings: &warnings)
        XCTAssertEqual(warnings, [])
        XCTAssertEqual([copy.title, copy.version, copy.language], [original.title, original.version, original.language])
        XCTAssertEqual(copy.levelTitles, original.levelTitles)

        var differences: [String] = []
        var total = 0
        compare(original.content, copy.content, titles: [], total: &total, differences: &differences)
        let matching = total - differences.count
        let share = Double(matching) / Double(max(1, total))
        print("rcc-legacy round trip: \(matching)/\(total) nodes match (\(String(format: "%.1f", share * 100))%); \(imported.lessonCount) lessons, \(imported.unitCount) units, \(imported.warnings.count) import warnings")
        for d in differences { print("  difference: \(d)") }
        XCTAssertEqual(differences, [])
        XCTAssertEqual(share, 1.0)
    }

    /// The comparison itself must catch what matters and ignore only markup.
    func testComparisonIgnoresMarkupButNotText() {
        let original = LegacyHTMLReaderTests.legacy("<p>- Take it slow</p>\r\n   <p>Rest&nbsp;well.</p><ol><li>Heading<p>Body</p>")
        XCTAssertEqual(Self.text(original), "Take it slow Rest well. Heading Body")
        XCTAssertEqual(Self.text(LegacyHTMLReaderTests.legacy("<ul>\n<li>Take it slow</li>\n</ul>\n<p>Rest well.</p>\n<h2>Heading</h2><p>Body</p>")), Self.text(original))
        var total = 0
        var differences: [String] = []
        compare([LegacyNode(title: "A", content: original, subsections: [LegacyNode(title: "B", content: "")])],
                [LegacyNode(title: "A", content: LegacyHTMLReaderTests.legacy("<p>Take it slow Rest well. Heading</p>"))],
                titles: [], total: &total, differences: &differences)
        XCTAssertEqual(total, 1)
        XCTAssertEqual(differences, [
            "'A': text differs after 31 characters: 'Take it slow Rest well. Heading Body' became 'Take it slow Rest well. Heading'",
            "'A': 1 subsections became 0",
        ])
    }

    func compare(_ a: [LegacyNode], _ b: [LegacyNode], titles: [String], total: inout Int, differences: inout [String]) {
        if a.count != b.count {
            differences.append("\(LegacyNode.name(titles)): \(a.count) subsections became \(b.count)")
        }
        for (x, y) in zip(a, b) {
            total += 1
            let name = LegacyNode.name(titles + [x.title])
            let (tx, ty) = (Self.text(x.content), Self.text(y.content))
            if Self.normalized(x.title) != Self.normalized(y.title) {
                differences.append("\(name): title became '\(y.title)'")
            } else if tx != ty {
                let common = zip(tx, ty).prefix { $0 == $1 }.count
                differences.append("\(name): text differs after \(common) characters: '\(tx.dropFirst(max(0, common - 40)).prefix(90))' became '\(ty.dropFirst(max(0, common - 40)).prefix(90))'")
            } else if x.subsections.count != y.subsections.count {
                differences.append("\(name): \(x.subsections.count) subsections became \(y.subsections.count)")
            }
            compare(x.subsections, y.subsections, titles: titles + [x.title], total: &total, differences: &differences)
        }
    }

    static func normalized(_ s: String) -> String {
        LibXML.decodeHTMLEntities(s).replacingOccurrences(of: "\u{a0}", with: " ").split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// A node's text as a reader sees it: the escaping undone, tags gone, whitespace collapsed, with a
    /// break at every block and `<br>`. A leading "- ", "* " or "• " is the list marker the import turns
    /// into a real list, so it is not counted as text.
    static func text(_ content: String) -> String {
        let body = LibXML.parseHTML(LibXML.decodeHTMLEntities(content))
        var segments: [String] = [""]
        func walk(_ node: XMLNode) {
            switch node.kind {
            case .text, .cdata: segments[segments.count - 1] += node.text
            case .element:
                let breaks = LegacyHTMLReader.blockTags.contains(node.name) || node.name == "br"
                if breaks { segments.append("") }
                node.children.forEach(walk)
                if breaks { segments.append("") }
            default: break
            }
        }
        walk(body)
        return segments.map { segment -> String in
            var s = normalized(segment)
            for marker in ["- ", "* ", "• "] where s.hasPrefix(marker) { s = String(s.dropFirst(marker.count)) }
            return s
        }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}
