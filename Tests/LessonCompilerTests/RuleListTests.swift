import Foundation
import XCTest
@testable import LessonCompiler

/// CONTENT.md lists every rule id the compiler can emit, each once, and nothing else: the list is
/// checked against `Rule`, the registry every diagnostic's rule comes from.
final class RuleListTests: XCTestCase {
    func listedRules() throws -> [String] {
        let guide = try String(contentsOf: ContentGuideTests.repositoryRoot.appendingPathComponent("CONTENT.md"), encoding: .utf8)
        let section = try XCTUnwrap(guide.components(separatedBy: "\n## Every rule\n").dropFirst().first, "CONTENT.md has no '## Every rule' section")
        return section.split(separator: "\n").prefix { !$0.hasPrefix("## ") }.compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            let rest = line.dropFirst(3)
            return rest.firstIndex(of: "`").map { String(rest[..<$0]) }
        }
    }

    func testContentGuideListsEveryRuleOnce() throws {
        let listed = try listedRules()
        XCTAssertEqual(listed.count, Set(listed).count, "a rule is listed twice")
        XCTAssertEqual(Set(listed).subtracting(Rule.allCases.map(\.rawValue)).sorted(), [], "listed in CONTENT.md but no such rule")
        XCTAssertEqual(Set(Rule.allCases.map(\.rawValue)).subtracting(listed).sorted(), [], "rules missing from CONTENT.md")
        XCTAssertEqual(listed, listed.sorted(), "CONTENT.md lists rules in alphabetical order")
    }

    /// A registry entry nothing emits would be a rule the guide promises and the tool never checks.
    func testEveryRuleIsEmittedSomewhere() throws {
        let sources = ContentGuideTests.repositoryRoot.appendingPathComponent("Sources/LessonCompiler")
        var text = ""
        let files = FileManager.default.enumerator(atPath: sources.path)!
        while let file = files.nextObject() as? String {
            guard file.hasSuffix(".swift"), !file.hasSuffix("Rule.swift") else { continue }
            text += try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
        }
        for rule in Rule.allCases {
            XCTAssertTrue(text.contains(".\(rule)"), "no diagnostic uses .\(rule) (\(rule.rawValue))")
        }
    }
}
