import XCTest
@testable import LessonCompiler
import LessonSupport

/// `export rcc-json --locale LL` writes the translation where a lesson is fully translated, and the
/// source language (with a warning naming the lesson) where it is not: the apps have no fallback.
final class LegacyTranslatedExportTests: XCTestCase {
    func testTranslatedLessonsAreExportedAndIncompleteOnesFallBackWithAWarning() throws {
        let p = try TestProject.translatable()
        try p.write("content/demo/curriculum.md", "---\nid: demo\n\(TestProject.curriculumFrontMatter)\nlegacy_file: survivor-resource\n---\nA curriculum for tests.\n")
        p.extract("fr")
        let rulesUnits = try p.units("fr").keys.filter { $0.hasPrefix("rules/") }.sorted()
        XCTAssertEqual(rulesUnits.count, 3)
        let french = ["Nous nous réunissons chaque semaine.", "Nous épargnons 50 shillings chacune.", "Les règles"]
        for (unit, text) in zip(rulesUnits, french) { try p.translate("fr", unit, text) }

        let out = p.root.appendingPathComponent("export")
        let result = LegacyExporter.run(root: p.root, out: out, locale: "fr")
        XCTAssertEqual(result.diagnostics.filter { $0.rule == .legacyFallback }.map(\.description), [
            "locales/fr/demo.xlf:1:1: warning: 'Saving together' is 0% translated into fr, so it is exported in en [legacy-fallback]",
        ])
        XCTAssertEqual(result.written, ["rcc-json/v1/french/survivor-resource.json"])
        let json = try JSON.parse(Data(contentsOf: out.appendingPathComponent("rcc-json/v1/french/survivor-resource.json")))
        let curriculum = try XCTUnwrap(json["curriculum"])
        XCTAssertEqual(curriculum["settings"]?["language"]?.stringValue, "French")
        let lessons = try XCTUnwrap(curriculum["content"]?.arrayValue?.first?["subsections"]?.arrayValue)
        XCTAssertEqual(lessons.map { $0["title"]?.stringValue }, ["Saving together", "Les règles"])
        XCTAssertEqual(lessons[1]["content"]?.stringValue,
                       "&lt;p&gt;Nous nous réunissons chaque semaine.&lt;/p&gt;\n&lt;p&gt;Nous épargnons 50 shillings chacune.&lt;/p&gt;\n")
    }
}
