import XCTest
@testable import LessonCompiler
import LessonSupport

/// The build merges translations: published when complete, fallback otherwise, locale and direction always.
final class TranslationBuildTests: XCTestCase {
    static let rulesFR = [
        "rules/title-1": "Les règles",
        "rules/p-1": "Nous nous réunissons chaque semaine.",
        "rules/p-2": "Nous épargnons 50 shillings chacun.",
    ]

    func index(_ p: TestProject) throws -> JSON {
        try JSON.parse(Data(contentsOf: p.outputURL.appendingPathComponent("demo/index.json")))
    }

    /// Block types, nested, so structures can be compared without their texts.
    func shape(_ json: JSON) -> JSON {
        switch json {
        case .object(let o):
            var out: [String: JSON] = [:]
            for (k, v) in o where !["text", "alt", "title"].contains(k) { out[k] = shape(v) }
            return .object(out)
        case .array(let a): return .array(a.map(shape))
        default: return json
        }
    }

    func testACompleteTranslationIsPublished() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        for (id, text) in TranslationBuildTests.rulesFR { try p.translate("fr", id, text) }
        let result = p.build()
        XCTAssertTrue(result.succeeded, "\(result.diagnostics)")
        let fr = try p.compiled("rules", locale: "fr")
        XCTAssertEqual(fr["locale"], "fr")
        XCTAssertEqual(fr["direction"], "ltr")
        XCTAssertEqual(fr["fallback"], false)
        XCTAssertEqual(fr["coverage"], 100)
        XCTAssertEqual(fr["title"], "Les règles")
        XCTAssertEqual(fr["html"], "<p>Nous nous réunissons chaque semaine.</p>\n<p>Nous épargnons 50 shillings chacun.</p>\n")
        XCTAssertEqual(shape(fr["blocks"]!), shape(try p.compiled("rules")["blocks"]!))
        // The source lesson is unchanged and carries no coverage.
        XCTAssertEqual(try p.compiled("rules")["title"], "The rules")
        XCTAssertNil(try p.compiled("rules")["coverage"])
    }

    func testAPartialTranslationFallsBackAndTheIndexSaysSo() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        for (id, text) in TranslationBuildTests.rulesFR { try p.translate("fr", id, text) }
        try p.translate("fr", "saving/title-1", "Épargner ensemble")
        XCTAssertTrue(p.build().succeeded)
        let saving = try p.compiled("saving", locale: "fr")
        XCTAssertEqual(saving["fallback"], true)
        XCTAssertEqual(saving["locale"], "fr")
        XCTAssertEqual(saving["source_locale"], "en")
        XCTAssertEqual(saving["coverage"], 5)
        XCTAssertEqual(saving["title"], "Saving together")
        XCTAssertEqual(saving["blocks"], try p.compiled("saving")["blocks"])

        let lessons = try index(p)["lessons"]!.arrayValue!
        XCTAssertEqual(try index(p)["locales"], ["en", "fr"])
        XCTAssertEqual(lessons.map { $0["fallback"]! }, [["en": false, "fr": true], ["en": false, "fr": false]])
        XCTAssertEqual(lessons[0]["files"], ["en": "en/saving.json", "fr": "fr/saving.json"])
        let top = try JSON.parse(Data(contentsOf: p.outputURL.appendingPathComponent("index.json")))
        XCTAssertEqual(top["curricula"]?.arrayValue?.first?["locales"], ["en", "fr"])
    }

    func testMinCoveragePublishesWithGapsFilledFromTheSource() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.translate("fr", "rules/title-1", "Les règles")
        try p.translate("fr", "rules/p-1", "Nous nous réunissons chaque semaine.")
        var options = BuildOptions(root: p.root, output: p.outputURL)
        options.minCoverage = 60
        XCTAssertTrue(Builder.run(options).succeeded)
        let fr = try p.compiled("rules", locale: "fr")
        XCTAssertEqual(fr["fallback"], false)
        XCTAssertEqual(fr["coverage"], 66)
        XCTAssertEqual(fr["html"], "<p>Nous nous réunissons chaque semaine.</p>\n<p lang=\"en\" dir=\"ltr\">We save 50 shillings each.</p>\n")
        options.minCoverage = 70
        XCTAssertTrue(Builder.run(options).succeeded)
        XCTAssertEqual(try p.compiled("rules", locale: "fr")["fallback"], true)
    }

    func testRightToLeftLocaleAndInlineCodesRebuiltFromTheSource() throws {
        let p = try TestProject.translatable()
        p.extract("ar")
        let arabic: [String: String] = [
            "saving/title-1": "الادخار معًا",
            "saving/content-warning-1": "يتحدث عن خسارة المال",
            "saving/h-1": "لماذا ندخر",
            "saving/alt-1": "صندوق نقود بثلاثة مفاتيح",
            "saving/p-1": "الادخار <g id=\"1\" ctype=\"bold\">قليلًا</g> كل أسبوع، كما تقول <g id=\"2\" ctype=\"link\">قواعد المجموعة</g>، يتراكم. افتح الصندوق بـ \u{2066}<ph id=\"3\" ctype=\"x-code\">key-1</ph>\u{2069} وانظر: <x id=\"4\" ctype=\"image\" equiv-text=\"assets/box.svg\"/>",
            "saving/li-1": "البند الأول",
            "saving/li-2": "البند الثاني مع <g id=\"1\" ctype=\"italic\">تأكيد</g>",
            "saving/th-1": "البند",
            "saving/th-2": "التكلفة",
            "saving/td-1": "صابون",
            "saving/td-2": "\u{2066}120\u{2069} شلنًا",
            "saving/callout-title-1": "تذكّر هذا",
            "saving/p-2": "أبقِ الصندوق مقفلًا.",
            "saving/quiz-q-1": "كم مفتاحًا للصندوق؟",
            "saving/quiz-option-1": "واحد",
            "saving/quiz-option-2": "ثلاثة",
            "saving/quiz-explanation-1": "يحمل ثلاثة أعضاء مفتاحًا واحدًا لكل منهم.",
            "saving/alt-2": "دائرة من الأعضاء",
            "saving/caption-1": "دائرة الاجتماع",
        ]
        for (id, text) in arabic { try p.translate("ar", id, text) }
        let result = p.build()
        XCTAssertEqual(result.diagnostics.map(\.description), [])
        let ar = try p.compiled("saving", locale: "ar")
        XCTAssertEqual(ar["direction"], "rtl")
        XCTAssertEqual(ar["locale"], "ar")
        XCTAssertEqual(ar["fallback"], false)
        XCTAssertEqual(ar["metadata"]?["content_warning"], "يتحدث عن خسارة المال")
        let en = try p.compiled("saving")
        XCTAssertEqual(shape(ar["blocks"]!), shape(en["blocks"]!))
        // The link keeps its target lesson, the code its text, the image its file; alt texts are translated.
        let paragraph = ar["blocks"]!.arrayValue![1]["inlines"]!.arrayValue!
        XCTAssertEqual(paragraph[3], ["type": "link", "lesson": "rules", "curriculum": "demo", "children": [["type": "text", "text": "قواعد المجموعة"]]])
        XCTAssertEqual(paragraph[5], ["type": "code", "text": "key-1"])
        XCTAssertEqual(paragraph[7]["src"], "assets/box.svg")
        XCTAssertEqual(paragraph[7]["alt"], "صندوق نقود بثلاثة مفاتيح")
        XCTAssertTrue(ar["html"]!.stringValue!.contains(#"<figure><img src="assets/circle.svg" alt="دائرة من الأعضاء" title="دائرة الاجتماع"><figcaption>دائرة الاجتماع</figcaption></figure>"#))
        // A fallback lesson holds English text, so its direction is the source's.
        let rules = try p.compiled("rules", locale: "ar")
        XCTAssertEqual([rules["locale"], rules["direction"], rules["fallback"]], ["ar", "ltr", true])
    }

    /// Issue 15: one target with a missing inline code made `build` refuse every curriculum in
    /// every locale, English included, while `translate status` counted the unit as translated.
    /// Now that unit stays untranslated with a warning naming file, line and rule; its lesson falls
    /// back, everything else is published, and status counts the unit as one to review.
    func testAUnitFailingACheckFallsBackWithAWarningAndBlocksNothing() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        p.extract("sw")
        for (id, text) in TranslationBuildTests.rulesFR { try p.translate("fr", id, text) }
        try p.translate("sw", "rules/title-1", "Kanuni")
        try p.translate("sw", "rules/p-1", "Tunakutana kila wiki.")
        try p.translate("sw", "rules/p-2", "Tunaweka akiba shilingi 50 kila mmoja.")
        try p.translateLesson("fr", "saving") { "FR " + $0 }
        // The link code of the source is missing from this target.
        try p.translate("fr", "saving/p-1", #"Épargner un <g id="1" ctype="bold">peu</g> chaque semaine, comme le disent les règles du groupe, finit par compter. Ouvrez la boîte avec <ph id="3" ctype="x-code">key-1</ph> et regardez : <x id="4" ctype="image" equiv-text="assets/box.svg"/>"#)
        let line = try p.xliff("fr").components(separatedBy: "\n").firstIndex { $0.contains(#"<trans-unit id="saving/p-1""#) }! + 3
        let result = p.build()
        XCTAssertTrue(result.succeeded, "\(result.diagnostics)")
        XCTAssertEqual(result.diagnostics.map(\.description), [
            #"locales/fr/demo.xlf:\#(line):9: warning: unit saving/p-1: code <g id="2" ctype="link"> of the source is missing; the text stays untranslated until this is fixed [inline-code-parity]"#,
        ])
        // English, the other lesson in French and the Swahili translation are all published.
        XCTAssertEqual(try p.compiled("saving")["title"], "Saving together")
        XCTAssertEqual([try p.compiled("rules", locale: "fr")["fallback"], try p.compiled("rules", locale: "sw")["fallback"]], [false, false])
        XCTAssertEqual(try p.compiled("saving", locale: "fr")["fallback"], true)
        // Status counts what the build did: the unit is to review (failing), not translated.
        let row = try XCTUnwrap(TranslationStatus.run(root: p.root, options: .init(locales: ["fr"])).rows.first)
        let saving = try XCTUnwrap(row.lessonRows.first { $0.id == "saving" })
        XCTAssertEqual([saving.counts.segments, saving.counts.translated, saving.counts.review, saving.counts.failing], [19, 18, 1, 1])
        XCTAssertEqual(saving.published, false)
        // With --min-coverage the lesson is published with the source text for that unit.
        var options = BuildOptions(root: p.root, output: p.outputURL)
        options.minCoverage = 90
        XCTAssertTrue(Builder.run(options).succeeded)
        let fr = try p.compiled("saving", locale: "fr")
        XCTAssertEqual(fr["fallback"], false)
        XCTAssertTrue(fr["html"]!.stringValue!.contains("Saving a <strong>little</strong> every week"), "\(fr["html"]!)")
        // --strict, for CI that wants every translation clean, makes it fatal and writes nothing.
        let out = p.root.appendingPathComponent("strict-out")
        let strict = p.build(into: out, strict: true)
        XCTAssertFalse(strict.succeeded)
        XCTAssertEqual(printed(strict, rule: "inline-code-parity").count, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("demo").path))
    }

    func testBuildIsDeterministicWithTranslations() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        for (id, text) in TranslationBuildTests.rulesFR { try p.translate("fr", id, text) }
        p.build()
        let first = try treeContents(p.outputURL)
        p.build()
        XCTAssertEqual(try treeContents(p.outputURL), first)
        XCTAssertNotNil(first["demo/fr/rules.json"])
    }

    func testStrayAndMisplacedLocaleFiles() throws {
        let p = try TestProject.translatable()
        try p.write("locales/fr/other.xlf", "<xliff/>")
        try p.write("locales/en/demo.xlf", "<xliff/>")
        try p.write("locales/README.md", "notes")
        try p.write("locales/french/demo.xlf", "<xliff/>")
        XCTAssertEqual(p.validate().diagnostics.map(\.description), [
            "locales/README.md:1:1: warning: 'README.md' is not a locale folder and is ignored [stray-file]",
            "locales/en/demo.xlf:1:1: error: translates demo into its own language 'en' [xliff-language]",
            "locales/fr/other.xlf:1:1: warning: 'other.xlf' is not <curriculum-id>.xlf for a curriculum in content/ and is ignored [stray-file]",
            "locales/french:1:1: error: locale folder 'french' is not a BCP 47 tag such as sw, fr-CA or ha-Arab [invalid-locale]",
        ])
    }
}
