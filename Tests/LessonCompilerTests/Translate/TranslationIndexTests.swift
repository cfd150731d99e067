import Foundation
import XCTest
@testable import LessonCompiler
import LessonSupport

/// Issue 15.6: everything a device shows is translatable. The curriculum's title, description,
/// level titles and duration words, its units' titles and summaries, and the lessons' titles reach
/// the curriculum index (what devices build their menus from), per locale, next to the source.
final class TranslationIndexTests: XCTestCase {
    func project() throws -> TestProject {
        let p = try TestProject(curriculumFile: "---\nid: demo\n\(TestProject.curriculumFrontMatter)\nlevel_titles: [Unit, Lesson]\n---\nFirst paragraph of the description.\n\nSecond paragraph.\n")
        try p.write("content/demo/01-start/_unit.md", "---\ntitle: Getting started\nsummary: The first meetings.\n---\n")
        try p.lesson("01-start/01-a.md", "---\ntitle: First meeting\nid: a\nduration: 1 h 30 min\n---\nCount the money together.\n")
        try p.lesson("01-start/02-b.md", "---\ntitle: Second meeting\nid: b\n---\nSave a little.\n")
        p.extract("sw")
        for (id, text) in ["_curriculum/title-1": "Mtaala wa mfano",
                           "_curriculum/description-1": "Aya ya kwanza ya maelezo.",
                           "_curriculum/description-2": "Aya ya pili.",
                           "_curriculum/level-title-1": "Kitengo",
                           "_curriculum/unit-title-1": "Kuanza",
                           "_curriculum/unit-summary-1": "Mikutano ya kwanza.",
                           "_curriculum/duration-unit-1": "saa",
                           "_curriculum/duration-unit-2": "dak.",
                           "a/title-1": "Mkutano wa kwanza",
                           "a/p-1": "Hesabuni pesa pamoja.",
                           "b/title-1": "Mkutano wa pili"] {
            try p.translate("sw", id, text)
        }
        return p
    }

    func index(_ p: TestProject) throws -> JSON {
        try JSON.parse(Data(contentsOf: p.outputURL.appendingPathComponent("demo/index.json")))
    }

    func testTheIndexCarriesEveryTranslatedTextPerLocale() throws {
        let p = try project()
        let result = p.build()
        XCTAssertEqual(result.diagnostics.map(\.description), [])
        let index = try index(p)
        // The source texts stay where they were; each translated one is added under its locale.
        XCTAssertEqual([index["title"], index["format"]], ["Demo curriculum", "lessonc-index/1"])
        XCTAssertEqual(index["translations"], ["sw": [
            "title": "Mtaala wa mfano",
            "description": "Aya ya kwanza ya maelezo.\n\nAya ya pili.",
            "duration_units": ["h": "saa", "min": "dak."],
        ]], "level_titles only when every level is translated")
        let unit = index["tree"]?.arrayValue?.first
        XCTAssertEqual([unit?["title"], unit?["translations"]], ["Getting started", ["sw": ["title": "Kuanza", "summary": "Mikutano ya kwanza."]]])
        let lessons = try XCTUnwrap(index["lessons"]?.arrayValue)
        XCTAssertEqual([lessons[0]["title"], lessons[0]["translations"]], ["First meeting", ["sw": ["title": "Mkutano wa kwanza"]]])
        // Lesson b falls back in sw: its menu entry is the source's, so no translated title.
        XCTAssertEqual([lessons[1]["fallback"]?["sw"], lessons[1]["translations"]], [true, nil])
        XCTAssertEqual(try p.compiled("a", locale: "sw")["title"], "Mkutano wa kwanza")
    }

    func testAFailingOrMissingTextStaysInTheSourceLanguageWithAWarning() throws {
        let p = try project()
        // A number the source has not: the check fails, the title stays English, with a warning.
        try p.translate("sw", "_curriculum/title-1", "Mtaala wa mfano 2")
        try p.translate("sw", "_curriculum/level-title-2", "Somo")
        let result = p.build()
        XCTAssertEqual(printed(result, rule: "number-kept").map { $0.replacingOccurrences(of: #":\d+:\d+:"#, with: ":L:C:", options: .regularExpression) },
                       ["locales/sw/demo.xlf:L:C: warning: unit _curriculum/title-1: numbers differ from the source (not in the source: 2); "
                        + "keep every number, in any digits; the text stays untranslated until this is fixed [number-kept]"])
        let sw = try index(p)["translations"]?["sw"]
        XCTAssertNil(sw?["title"])
        XCTAssertEqual(sw?["level_titles"], ["Kitengo", "Somo"])
        // Status counts the same texts as the build publishes.
        let row = try XCTUnwrap(TranslationStatus.run(root: p.root).rows.first)
        XCTAssertEqual([row.curriculumTexts.translated, row.curriculumTexts.failing], [8, 1])
    }

    func testAnIndexWithoutTranslationsIsUnchanged() throws {
        let p = try TestProject()
        try p.lesson("01-unit/01-a.md", "---\ntitle: First\nid: a\n---\nText.\n")
        p.extract("sw")
        p.build()
        let index = try index(p)
        XCTAssertNil(index["translations"])
        XCTAssertNil(index["lessons"]?.arrayValue?.first?["translations"])
        XCTAssertNil(index["tree"]?.arrayValue?.first?["translations"])
    }

    /// A build whose XLIFF files did not change reads the curriculum's own texts from the few bytes
    /// the compile cache points at, not by parsing the whole file again (issue 14.1: a warm build
    /// with a 50 MB file spent a second and a half on it), and gives the same index and warnings.
    func testAWarmBuildReadsOnlyTheCurriculumTextsExcerpt() throws {
        let p = try project()
        try p.translate("sw", "_curriculum/title-1", "Mtaala wa mfano 2")
        let cold = p.build()
        let coldIndex = try Data(contentsOf: p.outputURL.appendingPathComponent("demo/index.json"))
        XCTAssertEqual(printed(cold, rule: "number-kept").count, 1)
        let warm = p.build()
        XCTAssertEqual(warm.diagnostics.map(\.description), cold.diagnostics.map(\.description))
        XCTAssertEqual(try Data(contentsOf: p.outputURL.appendingPathComponent("demo/index.json")), coldIndex)

        // The cache knows where the texts are; with everything else in the file unreadable, they
        // are still found, so nothing else was read.
        let cached = try XCTUnwrap(CompileCache.open(p.root.appendingPathComponent(CompileCache.defaultFolder)).cache.translations)
        let file = try XCTUnwrap(cached.files["demo"]?.first)
        let excerpt = try XCTUnwrap(file.curriculumTexts?.entry)
        XCTAssertEqual(excerpt.lessonID, XLIFFUnit.curriculumTexts)
        let url = p.root.appendingPathComponent(file.path)
        var bytes = [UInt8](try Data(contentsOf: url))
        for i in excerpt.range.lowerBound - 200..<excerpt.range.lowerBound { bytes[i] = UInt8(ascii: "<") }
        try Data(bytes).write(to: url)
        let project = Loader(root: p.root).load(into: DiagnosticSink())
        let curriculum = try XCTUnwrap(project.curricula.first)
        let entries = LazyCatalog(project: project, translations: cached).curriculumTextEntries(of: curriculum)
        var found: [Diagnostic] = []
        let texts = entries.map { $0.curriculumTranslation(curriculum, durationWords: ["h", "min"], diagnostics: &found) }
        XCTAssertEqual(texts.map(\.locale), ["sw"])
        XCTAssertEqual(texts.first?.values.values.contains("Kitengo"), true)
        XCTAssertEqual(found.map(\.rule.rawValue), ["number-kept"])
        XCTAssertTrue(XLIFFReader.read(.file(path: url.path), path: file.path, sourceLanguage: "en", targetLanguage: "sw", into: &found) == nil,
                      "the file as a whole is no longer XML")
    }
}
