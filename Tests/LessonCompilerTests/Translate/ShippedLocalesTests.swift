import XCTest
@testable import LessonCompiler

/// The sample translations in locales/ show real numbers: at least one complete lesson per
/// locale, others partial, and nothing claims a review that no person made.
final class ShippedLocalesTests: XCTestCase {
    func testSampleLocalesHavePublishedAndFallbackLessons() {
        let report = TranslationStatus.run(root: ContentGuideTests.repositoryRoot)
        XCTAssertEqual(report.rows.map { "\($0.locale) \($0.curriculum)" },
                       ["ar rcc-survivor-resource", "fr rcc-survivor-resource", "sw shg-business-skills", "sw shg-digital-safety"])
        for row in report.rows {
            XCTAssertGreaterThanOrEqual(row.published, 1, row.locale)
            XCTAssertGreaterThan(row.fallback, 0, row.locale)
            XCTAssertEqual(row.needsReview, 0, row.locale)
        }
    }

    func testNoSampleTranslationIsMarkedReviewed() throws {
        for path in ["locales/ar/rcc-survivor-resource.xlf", "locales/fr/rcc-survivor-resource.xlf", "locales/sw/shg-business-skills.xlf",
                     "locales/sw/shg-digital-safety.xlf"] {
            let text = try String(contentsOf: ContentGuideTests.repositoryRoot.appendingPathComponent(path), encoding: .utf8)
            XCTAssertFalse(text.contains("state=\"final\"") || text.contains("state=\"signed-off\"") || text.contains("approved=\"yes\""), path)
            XCTAssertTrue(text.contains("state=\"translated\""), path)
        }
    }
}
