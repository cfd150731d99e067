import Foundation
import XCTest
@testable import LessonCompiler
import LessonSupport

/// Issue 15.5: with `--min-coverage`, source-language texts sat inside an `rtl` lesson with no
/// `lang` or `dir`, and the index said the lesson was not a fallback. Now each block (or cell,
/// quiz option, callout title) left in the source language carries its language and direction,
/// and the index says "partial".
final class TranslationMixedLanguageTests: XCTestCase {
    /// Arabic for every text of the rich lesson but a list item, a table cell, a quiz option, a
    /// callout's paragraph and the last image (alt text and caption): 13 of 19 texts.
    static let arabic: [String: String] = [
        "saving/title-1": "الادخار معًا",
        "saving/content-warning-1": "يتحدث عن خسارة المال",
        "saving/h-1": "لماذا ندخر",
        "saving/alt-1": "صندوق نقود بثلاثة مفاتيح",
        "saving/p-1": "الادخار <g id=\"1\" ctype=\"bold\">قليلًا</g> كل أسبوع، كما تقول <g id=\"2\" ctype=\"link\">قواعد المجموعة</g>، يتراكم. افتح الصندوق بـ \u{2066}<ph id=\"3\" ctype=\"x-code\">key-1</ph>\u{2069} وانظر: <x id=\"4\" ctype=\"image\" equiv-text=\"assets/box.svg\"/>",
        "saving/li-1": "البند الأول",
        "saving/th-1": "البند",
        "saving/th-2": "التكلفة",
        "saving/td-2": "\u{2066}120\u{2069} شلنًا",
        "saving/callout-title-1": "تذكّر هذا",
        "saving/quiz-q-1": "كم مفتاحًا للصندوق؟",
        "saving/quiz-option-2": "ثلاثة",
        "saving/quiz-explanation-1": "يحمل ثلاثة أعضاء مفتاحًا واحدًا لكل منهم.",
    ]

    func partial() throws -> TestProject {
        let p = try TestProject.translatable()
        p.extract("ar")
        for (id, text) in TranslationMixedLanguageTests.arabic { try p.translate("ar", id, text) }
        var options = BuildOptions(root: p.root, output: p.outputURL)
        options.minCoverage = 60
        let result = Builder.run(options)
        XCTAssertEqual(result.diagnostics.map(\.description), [])
        return p
    }

    func testEveryBlockInTheSourceLanguageSaysSo() throws {
        let p = try partial()
        let ar = try p.compiled("saving", locale: "ar")
        XCTAssertEqual([ar["direction"], ar["fallback"], ar["coverage"], ar["format"]], ["rtl", false, 68, "lessonc-lesson/3"])
        let blocks = try XCTUnwrap(ar["blocks"]?.arrayValue)
        let en: JSON = "en", ltr: JSON = "ltr"
        // Translated blocks carry nothing: they are in the lesson's language.
        XCTAssertEqual([blocks[0]["lang"], blocks[1]["lang"], blocks[5]["lang"]], [nil, nil, nil])
        // A list item's paragraph.
        XCTAssertEqual(blocks[2]["items"]?.arrayValue?[1]["blocks"]?.arrayValue?[0], ["type": "paragraph", "lang": en, "dir": ltr,
            "inlines": [["type": "text", "text": "Second item with "], ["type": "emphasis", "children": [["type": "text", "text": "emphasis"]]]]])
        XCTAssertNil(blocks[2]["items"]?.arrayValue?[0]["blocks"]?.arrayValue?[0]["lang"])
        // A table cell and a quiz option are not blocks: their text is a span.
        let span: JSON = ["type": "span", "lang": en, "dir": ltr, "children": [["type": "text", "text": "Soap"]]]
        XCTAssertEqual(blocks[3]["rows"]?.arrayValue?[0].arrayValue?[0], [span])
        XCTAssertEqual(blocks[3]["lang"], nil)
        XCTAssertEqual(blocks[5]["options"]?.arrayValue?[0]["inlines"], [["type": "span", "lang": en, "dir": ltr, "children": [["type": "text", "text": "One"]]]])
        // The callout's title is translated, its paragraph is not.
        XCTAssertEqual(blocks[4]["title"], [["type": "text", "text": "تذكّر هذا"]])
        XCTAssertEqual(blocks[4]["blocks"]?.arrayValue?[0], ["type": "paragraph", "lang": en, "dir": ltr, "inlines": [["type": "text", "text": "Keep the box locked."]]])
        // A block all in the source language is marked as a whole.
        XCTAssertEqual([blocks[6]["type"], blocks[6]["lang"], blocks[6]["dir"], blocks[6]["alt"]], ["image", en, ltr, "A circle of members"])
        // The html says the same, for WebView apps and screen readers.
        let html = try XCTUnwrap(ar["html"]?.stringValue)
        for fragment in [#"<li lang="en" dir="ltr">Second item with <em>emphasis</em></li>"#,
                         #"<tr><td><span lang="en" dir="ltr">Soap</span></td>"#,
                         #"<p lang="en" dir="ltr">Keep the box locked.</p>"#,
                         #"<li data-correct="false"><span lang="en" dir="ltr">One</span></li>"#,
                         #"<figure lang="en" dir="ltr"><img src="assets/circle.svg" alt="A circle of members""#] {
            XCTAssertTrue(html.contains(fragment), fragment)
        }
        XCTAssertTrue(html.hasPrefix("<h2>لماذا ندخر</h2>\n"))
        // The document is canonical JSON, as every lesson is.
        let bytes = try Data(contentsOf: p.outputURL.appendingPathComponent("demo/ar/saving.json"))
        XCTAssertEqual(try JSON.parse(bytes).bytes(pretty: false), Array(bytes))
    }

    func testTheIndexSaysPartialAndOnlyThenChangesFormat() throws {
        let p = try partial()
        let index = try JSON.parse(Data(contentsOf: p.outputURL.appendingPathComponent("demo/index.json")))
        XCTAssertEqual(index["format"], "lessonc-index/2")
        let saving = index["lessons"]?.arrayValue?.first { $0["id"] == "saving" }
        XCTAssertEqual(saving?["fallback"], ["en": false, "ar": "partial"])
        let rules = index["lessons"]?.arrayValue?.first { $0["id"] == "rules" }
        XCTAssertEqual(rules?["fallback"], ["en": false, "ar": true])
        let row = try XCTUnwrap(TranslationStatus.run(root: p.root, options: .init(minCoverage: 60)).rows.first)
        XCTAssertEqual(row.lessonCells.map { $0[7] }, ["partial", "fallback", "-"])
        // Without --min-coverage nothing is partial: the index keeps format 1 and true/false.
        p.build()
        let plain = try JSON.parse(Data(contentsOf: p.outputURL.appendingPathComponent("demo/index.json")))
        XCTAssertEqual(plain["format"], "lessonc-index/1")
        XCTAssertEqual(plain["lessons"]?.arrayValue?.first { $0["id"] == "saving" }?["fallback"], ["en": false, "ar": true])
        XCTAssertEqual(try p.compiled("saving", locale: "ar")["format"], "lessonc-lesson/1")
    }
}
