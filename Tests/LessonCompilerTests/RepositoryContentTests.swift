import Foundation
import XCTest
@testable import LessonCompiler
import LessonSupport

/// The curricula shipped in content/ must always pass `validate --strict` and keep what was promised.
final class RepositoryContentTests: XCTestCase {
    let root = ContentGuideTests.repositoryRoot

    func testShippedContentPassesStrictValidation() {
        let result = Builder.run(BuildOptions(root: root, strict: true))
        XCTAssertEqual(result.diagnostics.map(\.description), [])
        XCTAssertTrue(result.succeeded)
    }

    /// The Swahili sample of the digital-safety curriculum covers its first five meeting guides completely,
    /// so a build publishes them in sw, not as English fallbacks.
    func testFirstFiveDigitalSafetyGuidesBuildInSwahiliWithoutFallback() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-repo-build-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = Builder.run(BuildOptions(root: root, output: out))
        XCTAssertTrue(result.succeeded, "\(result.diagnostics)")
        let dir = out.appendingPathComponent("shg-digital-safety")
        let index = try JSON.parse(Data(contentsOf: dir.appendingPathComponent("index.json")))
        let lessons = try XCTUnwrap(index["lessons"]?.arrayValue)
        XCTAssertGreaterThanOrEqual(lessons.count, 10)
        for entry in lessons.prefix(5) {
            let id = try XCTUnwrap(entry["id"]?.stringValue)
            XCTAssertEqual(entry["fallback"]?["sw"], false, id)
            let sw = try JSON.parse(Data(contentsOf: dir.appendingPathComponent("sw/\(id).json")))
            let en = try JSON.parse(Data(contentsOf: dir.appendingPathComponent("en/\(id).json")))
            XCTAssertEqual([sw["locale"], sw["fallback"], sw["coverage"]], ["sw", false, 100], id)
            XCTAssertNotEqual(sw["title"], en["title"], id)
        }
    }

    func testShippedCurriculaHaveTheLessonsAndConstructsTheyPromise() throws {
        let (stats, diagnostics) = ContentStats.collect(root: root)
        XCTAssertEqual(diagnostics.filter { $0.severity == .error }.map(\.description), [])
        let byId = Dictionary(uniqueKeysWithValues: stats.map { ($0.id, $0) })
        let minimumLessons = ["shg-business-skills": 34, "shg-digital-safety": 10, "rcc-advocate-training": 25,
                              "rcc-advocate-resource": 8, "rcc-survivor-resource": 8]
        for (id, minimum) in minimumLessons {
            let s = try XCTUnwrap(byId[id], "missing curriculum \(id)")
            XCTAssertGreaterThanOrEqual(s.lessons, minimum, id)
        }
        let shg = try XCTUnwrap(byId["shg-business-skills"])
        XCTAssertGreaterThanOrEqual(shg.images, 6)
        XCTAssertGreaterThanOrEqual(shg.tables, 2)
        for kind in ["prompt", "activity", "read-aloud"] { XCTAssertGreaterThan(shg.callouts[kind] ?? 0, 0, kind) }
        for kind in CalloutKind.allCases.map(\.rawValue) {
            XCTAssertGreaterThan(stats.reduce(0) { $0 + ($1.callouts[kind] ?? 0) }, 0, "no \(kind) callout anywhere")
        }
        XCTAssertGreaterThan(stats.reduce(0) { $0 + $1.quizzes }, 0)
        let digital = try XCTUnwrap(byId["shg-digital-safety"])
        XCTAssertGreaterThanOrEqual(digital.images, 6)
        for kind in ["prompt", "activity", "read-aloud", "content-warning"] { XCTAssertGreaterThan(digital.callouts[kind] ?? 0, 0, kind) }
        XCTAssertGreaterThanOrEqual(digital.quizzes, 10)
    }

    func testMedicalLessonsNameTheirSource() throws {
        // Every RCC lesson that gives a medical time window, a vaccination schedule, a follow-up
        // test or a claim such as "false reports are rare" must say where it comes from.
        let compiled = CompiledProject.compile(root: root)
        let lessons = compiled.project.curricula.filter { $0.id.hasPrefix("rcc-") }.flatMap { compiled.lessons[$0.id] ?? [] }
        XCTAssertGreaterThanOrEqual(lessons.count, 40)
        XCTAssertEqual(SourcedClaims.check(lessons, facts: try MedicalFactsTests.guideFacts()), [])
    }
}
