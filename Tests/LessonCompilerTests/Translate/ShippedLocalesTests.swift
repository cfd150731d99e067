import XCTest
@testable import LessonCompiler
import LessonSupport

/// The translations in locales/ show real numbers: the survivor resource complete in five languages,
/// partial samples elsewhere, and nothing claims a review that no person made.
final class ShippedLocalesTests: XCTestCase {
    let root = ContentGuideTests.repositoryRoot
    /// The survivor resource is translated in full into these locales (issue 17); no person has reviewed them.
    static let survivorLocales = ["ar", "es", "fa", "fr", "sw"]

    func testSampleLocalesHavePublishedAndFallbackLessons() {
        let report = TranslationStatus.run(root: root)
        XCTAssertEqual(report.rows.map { "\($0.locale) \($0.curriculum)" },
                       ["ar rcc-survivor-resource", "es rcc-survivor-resource", "fa rcc-survivor-resource", "fr rcc-survivor-resource",
                        "sw rcc-survivor-resource", "sw shg-business-skills", "sw shg-digital-safety"])
        XCTAssertEqual(report.rows.map { "\($0.locale) \($0.curriculum): \($0.published) published, \($0.needsReview) to review" },
                       ["ar rcc-survivor-resource: 10 published, 0 to review", "es rcc-survivor-resource: 10 published, 0 to review",
                        "fa rcc-survivor-resource: 10 published, 0 to review", "fr rcc-survivor-resource: 10 published, 0 to review",
                        "sw rcc-survivor-resource: 10 published, 0 to review",
                        "sw shg-business-skills: 1 published, 0 to review", "sw shg-digital-safety: 5 published, 0 to review"])
        for row in report.rows {
            if row.curriculum == "rcc-survivor-resource" {
                // Every lesson text (the curriculum's own texts are counted apart, and translated too).
                let lessons = row.lessonTexts
                XCTAssertEqual([lessons.translated, lessons.new, row.fallback, lessons.wordsLeft], [lessons.segments, 0, 0, 0], row.locale)
                XCTAssertEqual(lessons.segments, 246, row.locale)
            } else {
                XCTAssertGreaterThan(row.fallback, 0, "\(row.locale) \(row.curriculum)")
            }
        }
    }

    /// Every survivor-resource lesson reaches a reader in each of the five languages in her own
    /// script and direction: the build publishes it translated, never as an English fallback.
    func testSurvivorResourcePublishesInFiveLocalesWithNoFallback() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-survivor-locales-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = Builder.run(BuildOptions(root: root, output: out, strict: true))
        XCTAssertTrue(result.succeeded, "\(result.diagnostics)")
        let dir = out.appendingPathComponent("rcc-survivor-resource")
        let index = try JSON.parse(Data(contentsOf: dir.appendingPathComponent("index.json")))
        XCTAssertEqual(index["locales"]?.arrayValue?.compactMap(\.stringValue), ["en"] + Self.survivorLocales)
        let lessons = try XCTUnwrap(index["lessons"]?.arrayValue)
        XCTAssertEqual(lessons.count, 10)
        for entry in lessons {
            let id = try XCTUnwrap(entry["id"]?.stringValue)
            let en = try JSON.parse(Data(contentsOf: dir.appendingPathComponent("en/\(id).json")))
            for locale in Self.survivorLocales {
                XCTAssertEqual(entry["fallback"]?[locale], false, "\(locale) \(id)")
                let lesson = try JSON.parse(Data(contentsOf: dir.appendingPathComponent("\(locale)/\(id).json")))
                let direction: JSON = ["ar", "fa"].contains(locale) ? "rtl" : "ltr"
                XCTAssertEqual([lesson["locale"], lesson["direction"], lesson["fallback"], lesson["coverage"]],
                               [.string(locale), direction, false, 100], "\(locale) \(id)")
                XCTAssertNotEqual(lesson["title"], en["title"], "\(locale) \(id)")
                // The menus show the same title as the lesson (issue 15.6).
                XCTAssertEqual(entry["translations"]?[locale]?["title"], lesson["title"], "\(locale) \(id)")
            }
        }
        // The curriculum's own texts reach the menus in every locale: title, description, level
        // names, the unit's title and summary, and the duration word.
        let unit = try XCTUnwrap(index["tree"]?.arrayValue?.first)
        for locale in Self.survivorLocales {
            let texts = try XCTUnwrap(index["translations"]?[locale], locale)
            for key in ["title", "description"] {
                let text = try XCTUnwrap(texts[key]?.stringValue, "\(locale) \(key)")
                XCTAssertFalse(text.isEmpty || .string(text) == index[key], "\(locale) \(key)")
            }
            XCTAssertEqual(texts["level_titles"]?.arrayValue?.count, 2, locale)
            XCTAssertNotNil(texts["duration_units"]?["min"]?.stringValue, locale)
            for key in ["title", "summary"] {
                let text = try XCTUnwrap(unit["translations"]?[locale]?[key]?.stringValue, "\(locale) unit \(key)")
                XCTAssertFalse(text.isEmpty || .string(text) == unit[key], "\(locale) unit \(key)")
            }
        }
    }

    func testNoSampleTranslationIsMarkedReviewed() throws {
        let locales = root.appendingPathComponent("locales")
        var paths: [String] = []
        for locale in try FileManager.default.contentsOfDirectory(atPath: locales.path).sorted() {
            let files = try FileManager.default.contentsOfDirectory(atPath: locales.appendingPathComponent(locale).path)
            paths += files.filter { $0.hasSuffix(".xlf") }.sorted().map { "locales/\(locale)/\($0)" }
        }
        // The walk must find what this test is about, so it cannot pass on an empty folder.
        for locale in Self.survivorLocales { XCTAssertTrue(paths.contains("locales/\(locale)/rcc-survivor-resource.xlf"), locale) }
        XCTAssertTrue(paths.contains("locales/sw/shg-business-skills.xlf"))
        XCTAssertTrue(paths.contains("locales/sw/shg-digital-safety.xlf"))
        for path in paths {
            let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            XCTAssertFalse(text.contains("state=\"final\"") || text.contains("state=\"signed-off\"") || text.contains("approved=\"yes\""), path)
            XCTAssertTrue(text.contains("state=\"translated\""), path)
        }
    }

    func testSampleTranslationsAddressAReaderOfAnyGender() throws {
        // The English speaks to survivors of any gender. Arabic "you" written with a kasra (كِ, تِ)
        // and French "accompagnatrice" chose one; each file's titles carry the translators' note.
        func targets(_ path: String) throws -> [String] {
            let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            return text.components(separatedBy: "<target").dropFirst().map { String($0.prefix { $0 != "\n" }) }
        }
        let arabic = try targets("locales/ar/rcc-survivor-resource.xlf")
        XCTAssertEqual(arabic.filter { $0.contains("\u{0643}\u{0650}") || $0.contains("\u{062A}\u{0650}") }, [])
        let french = try targets("locales/fr/rcc-survivor-resource.xlf")
        XCTAssertEqual(french.filter { $0.localizedCaseInsensitiveContains("accompagnatrice") || $0.localizedCaseInsensitiveContains("accompagnateur") }, [])
        // Every lesson title (not the curriculum's) tells the next translator or reviewer how the file addresses the reader
        // (ar, fr, es) or which terms it chose (fa, sw).
        let notes = ["ar": "Gender:", "fr": "Genre :", "es": "Género:", "fa": "Terms (for the reviewer):", "sw": "Terms (for the reviewer):"]
        for (locale, words) in notes {
            let path = "locales/\(locale)/rcc-survivor-resource.xlf"
            let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            let titles = text.components(separatedBy: "<trans-unit id=\"").dropFirst().filter { let id = $0.prefix { $0 != "\"" }; return id.hasSuffix("/title-1") && !id.hasPrefix("_curriculum/") }
            XCTAssertEqual(titles.count, 10, path)
            XCTAssertEqual(titles.filter { !$0.contains("<note from=\"translator\">\(words)") }.count, 0, path)
        }
    }
}
