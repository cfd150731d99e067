import Foundation
import XCTest
@testable import LessonCompiler
import LessonSupport

/// The property behind "no silent loss", over GitHub Flavored Markdown's own spec examples
/// (cmark-gfm's `test/spec.txt`, from Debian's `cmark-gfm` package, and `test/extensions.txt`,
/// kept in Tests/Fixtures/cmark-gfm): compiled as a lesson, every example either draws a
/// diagnostic or keeps every word of its source in the compiled JSON, as often as it was written.
final class SpecCorpusTests: XCTestCase {
    /// Installed by `scripts/setup.sh test` (the Debian package `cmark-gfm`, the same version as the library).
    static let specPath = "/usr/share/doc/cmark-gfm/spec.txt.gz"
    static let extensionsPath = ContentGuideTests.repositoryRoot.appendingPathComponent("Tests/Fixtures/cmark-gfm/extensions.txt")

    static func corpus() throws -> [SpecExample] {
        let spec = try Data(contentsOf: URL(fileURLWithPath: specPath))
        var examples = SpecExample.parse(String(decoding: try Gzip.decompress(spec, maxSize: 1 << 24), as: UTF8.self), file: "spec.txt")
        examples += SpecExample.parse(try String(contentsOf: extensionsPath, encoding: .utf8), file: "extensions.txt")
        return examples
    }

    func testEverySpecExampleDrawsADiagnosticOrKeepsEveryWord() throws {
        guard FileManager.default.fileExists(atPath: SpecCorpusTests.specPath) else {
            return XCTFail("\(SpecCorpusTests.specPath) is missing: install the Debian package cmark-gfm (scripts/setup.sh test does)")
        }
        let examples = try SpecCorpusTests.corpus()
        // The spec of cmark-gfm 0.29.0.gfm.6 has 673 examples; extensions.txt has 28.
        XCTAssertEqual(examples.count, 701, "the corpus was not read whole")
        var diagnosed = 0, kept = 0
        var rules: [String: Int] = [:]
        var lost: [String] = []
        for e in examples {
            let (diagnostics, json) = SpecExample.compile(e.markdown)
            if !diagnostics.isEmpty {
                diagnosed += 1
                for r in Set(diagnostics.map(\.rule.rawValue)) { rules[r, default: 0] += 1 }
                continue
            }
            let missing = SpecExample.missingWords(source: e.markdown, output: json)
            if missing.isEmpty { kept += 1 } else {
                lost.append("\(e.file) example \(e.number) (line \(e.line)) lost \(missing) without a diagnostic:\n\(e.markdown)")
            }
        }
        XCTAssertEqual(lost, [])
        print("GFM spec corpus: \(examples.count) examples, \(diagnosed) drew a diagnostic, \(kept) kept every word, \(lost.count) lost words silently")
        print("GFM spec corpus: examples per rule drawn: " + rules.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }

    /// The checker itself must see a loss: a word missing from the output, or written twice and kept once.
    func testTheWordCheckSeesLostWords() {
        let output: JSON = .array([["type": "paragraph", "inlines": .array([["type": "text", "text": "keep this keep"]])]])
        XCTAssertEqual(SpecExample.missingWords(source: "keep this keep\n", output: output), [])
        XCTAssertEqual(SpecExample.missingWords(source: "keep this keep and that\n", output: output), ["and", "that"])
        XCTAssertEqual(SpecExample.missingWords(source: "keep this keep keep\n", output: output), ["keep"])
        // Syntax is not text: list markers, task boxes, entity names, comments, definition labels.
        XCTAssertEqual(SpecExample.missingWords(source: "1. [x] keep &amp; this <!-- note --> keep\n", output: output), [])
        let link: JSON = .array([["type": "paragraph", "inlines": .array([["type": "link", "url": "/to", "children": .array([["type": "text", "text": "keep"]])]])]])
        // A full reference's label in the text counts as a word (every such spec example draws a diagnostic for its URL).
        XCTAssertEqual(SpecExample.missingWords(source: "[keep][label]\n\n[label]: /to\n", output: link), ["label"])
        XCTAssertEqual(SpecExample.missingWords(source: "[keep]\n\n[keep]: /to\n", output: link), [])
    }

    func testSpecExamplesAreReadWithTabsAndBlankLines() {
        let text = "intro\n\(SpecExample.fence) example\na\u{2192}b\n\nc\n.\n<p>a</p>\n\(SpecExample.fence)\n"
        XCTAssertEqual(SpecExample.parse(text, file: "t").map(\.markdown), ["a\tb\n\nc\n"])
    }
}

struct SpecExample {
    var file: String
    var number: Int
    var line: Int
    var markdown: String

    static let fence = String(repeating: "`", count: 32)

    static func parse(_ text: String, file: String) -> [SpecExample] {
        var out: [SpecExample] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        var lineNumber = 0
        var current: [Substring]?
        var start = 0
        var inMarkdown = false
        while let line = lines.popFirst() {
            lineNumber += 1
            if current == nil {
                if line.hasPrefix(fence + " example") { current = []; start = lineNumber; inMarkdown = true }
                continue
            }
            if line == fence {
                out.append(SpecExample(file: file, number: out.count + 1, line: start,
                                       markdown: current!.map { $0 + "\n" }.joined().replacingOccurrences(of: "\u{2192}", with: "\t")))
                current = nil
                continue
            }
            if inMarkdown {
                if line == "." { inMarkdown = false } else { current!.append(line) }
            }
        }
        return out
    }

    static func compile(_ markdown: String) -> ([Diagnostic], JSON) {
        let curriculum = Curriculum(id: "spec", dir: "content/spec", meta: CurriculumMeta(), description: "", children: [],
                                    lessons: [], assets: [:])
        let lesson = LessonSource(id: "example", curriculum: "spec", path: "content/spec/01-example.md", relativePath: "01-example.md",
                                  meta: LessonMeta(title: "Example"), body: .text(Substring(markdown)), bodyLineOffset: 0, unitTitles: [], compilable: true)
        let compiler = LessonCompiler(curriculum: curriculum, links: LinkIndex(project: Project(root: URL(fileURLWithPath: "/"), curricula: [curriculum])))
        var diagnostics: [Diagnostic] = []
        let compiled = compiler.compile(lesson, into: &diagnostics)
        return (diagnostics, try! JSON.parse(Data(LessonJSON.blocks(compiled.blocks))))
    }

    static let entity = try! NSRegularExpression(pattern: "&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

    static func words(_ s: String) -> [String] {
        s.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    static func strings(_ json: JSON, into out: inout [String]) {
        switch json {
        case .string(let s): out.append(s)
        case .array(let a): for x in a { strings(x, into: &out) }
        case .object(let o): for (k, v) in o where k != "type" && k != "align" { strings(v, into: &out) }
        default: break
        }
    }

    /// The label of a link definition (`[label]: /url`), and footnote labels (`[^1]`): names, not text.
    static let label = try! NSRegularExpression(pattern: "^([ \\t>]*)\\[[^\\]^][^\\]]*\\]:", options: [.anchorsMatchLines])
    static let footnoteLabel = try! NSRegularExpression(pattern: "\\[\\^[^\\]\\s]+\\]")
    static let comment = try! NSRegularExpression(pattern: "<!--[\\s\\S]*?-->")
    /// List markers and task boxes at the start of a line, after any quote markers.
    static let marker = try! NSRegularExpression(pattern: "^([ \\t>]*([-+*]|[0-9]{1,9}[.)])([ \\t]+\\[[ xX]\\])?(?=[ \\t]|$))+", options: [.anchorsMatchLines])

    /// The source without what is syntax rather than text: entity references become the characters
    /// they stand for, and comments (which lessonc strips by design) and list markers go.
    /// An entity the output still spells out (escaped, or in code) was not decoded: it stays as written.
    static func text(of source: String, output: String) -> String {
        var s = comment.stringByReplacingMatches(in: source, range: NSRange(source.startIndex..., in: source), withTemplate: " ")
        s = marker.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: " ")
        s = label.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: "$1 ")
        s = footnoteLabel.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: " ")
        var out = ""
        var last = s.startIndex
        for m in entity.matches(in: s, range: NSRange(s.startIndex..., in: s)) {
            let r = Range(m.range, in: s)!
            out += s[last..<r.lowerBound]
            let written = String(s[r])
            let decoded = LibXML.decodeHTMLEntities(written)
            out += output.contains(written) ? written : decoded == written ? " " : decoded
            last = r.upperBound
        }
        return out + s[last...]
    }

    static func missingWords(source: String, output: JSON) -> [String] {
        var texts: [String] = []
        strings(output, into: &texts)
        let cleaned = text(of: source, output: texts.joined(separator: " "))
        var have: [String: Int] = [:]
        for w in texts.flatMap(words) { have[w, default: 0] += 1 }
        var missing: [String] = []
        for w in words(cleaned) {
            if let n = have[w], n > 0 { have[w] = n - 1 } else { missing.append(w) }
        }
        return missing
    }
}
