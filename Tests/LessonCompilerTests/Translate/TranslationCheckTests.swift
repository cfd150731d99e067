import XCTest
@testable import LessonCompiler

/// One test per translation check: each diagnostic points at the unit's `<target>` in the XLIFF file.
/// A check that finds a target unusable (an inline code missing, a number changed) leaves that text
/// untranslated with a warning: one bad unit never blocks a release (issue 15).
final class TranslationCheckTests: XCTestCase {
    static let lesson = """
        ---
        title: Checks
        id: check
        ---
        Read **the guide** at https://example.org/guide and run `save-all` now.

        We save 50 shillings each week, from 2 to 3 members.

        Why do we save?

        Keep the box safe, then count the money together.

        """

    /// Diagnostics of `validate` after translating one unit of the check lesson into `locale`.
    func check(_ locale: String, _ unit: String, _ target: String, state: String = "translated") throws -> [String] {
        let p = try TestProject()
        try p.lesson("01-unit/01-check.md", TranslationCheckTests.lesson)
        p.extract(locale)
        try p.translate(locale, unit, target, state: state)
        let diagnostics = p.validate().diagnostics.map(\.description)
        // Every check reports at the unit's <target>: line of it, column 9 in the extracted layout.
        let lines = try p.xliff(locale).split(separator: "\n", omittingEmptySubsequences: false)
        let unitLine = lines.firstIndex { $0.contains("<trans-unit id=\"\(unit)\">") }!
        let prefix = "locales/\(locale)/demo.xlf:\(unitLine + 3):9: "
        for d in diagnostics { XCTAssertTrue(d.hasPrefix(prefix), "\(d) does not start with \(prefix)") }
        return diagnostics.map { String($0.dropFirst(prefix.count)) }
    }

    func testAGoodTranslationHasNoProblems() throws {
        XCTAssertEqual(try check("fr", "check/p-1", #"Lisez <g id="1" ctype="bold">le guide</g> sur <g id="2" ctype="link">https://example.org/guide</g> et lancez <ph id="3" ctype="x-code">save-all</ph> maintenant."#), [])
        XCTAssertEqual(try check("fr", "check/p-2", "Nous épargnons 50 shillings par semaine, de 2 à 3 membres."), [])
    }

    // MARK: Inline codes

    func testMissingCode() throws {
        XCTAssertEqual(try check("fr", "check/p-1", #"Lisez <g id="1" ctype="bold">le guide</g> sur <g id="2" ctype="link">https://example.org/guide</g> et lancez save-all maintenant."#),
                       [#"warning: unit check/p-1: code <ph id="3" ctype="x-code"> of the source is missing; the text stays untranslated until this is fixed [inline-code-parity]"#])
    }

    func testExtraDuplicatedAndChangedCodes() throws {
        XCTAssertEqual(try check("fr", "check/p-1", #"Lisez <g id="1" ctype="italic">le guide</g> sur <g id="2" ctype="link">https://example.org/guide</g> <x id="9" ctype="lb"/> et lancez <ph id="3" ctype="x-code">save-all</ph><ph id="3" ctype="x-code">save-all</ph>."#), [
            #"warning: unit check/p-1: code <ph id="3"> appears more than once; the text stays untranslated until this is fixed [inline-code-parity]"#,
            #"warning: unit check/p-1: code <x id="9"> is not in the source; the text stays untranslated until this is fixed [inline-code-parity]"#,
            #"warning: unit check/p-1: code id="1" is <g ctype="italic"> but the source has <g ctype="bold">; the text stays untranslated until this is fixed [inline-code-parity]"#,
        ])
    }

    func testCodeMovedIntoAnotherCode() throws {
        XCTAssertEqual(try check("fr", "check/p-1", #"Lisez <g id="1" ctype="bold">le guide et lancez <ph id="3" ctype="x-code">save-all</ph></g> sur <g id="2" ctype="link">https://example.org/guide</g> maintenant."#),
                       [#"warning: unit check/p-1: code <ph id="3"> moved inside <g id="1">; the source has it outside any <g>; the text stays untranslated until this is fixed [inline-code-parity]"#])
    }

    func testCodesMayChangeOrder() throws {
        XCTAssertEqual(try check("fr", "check/p-1", #"Lancez <ph id="3" ctype="x-code">save-all</ph> maintenant, après avoir lu <g id="1" ctype="bold">le guide</g> sur <g id="2" ctype="link">https://example.org/guide</g>."#), [])
    }

    // MARK: URLs and numbers

    func testURLKept() throws {
        XCTAssertEqual(try check("fr", "check/p-1", #"Lisez <g id="1" ctype="bold">le guide</g> sur <g id="2" ctype="link">https://example.org/guide-fr</g> et lancez <ph id="3" ctype="x-code">save-all</ph> maintenant."#),
                       ["warning: unit check/p-1: the URL https://example.org/guide of the source is missing or changed; the text stays untranslated until this is fixed [url-kept]"])
    }

    func testNumbersKept() throws {
        XCTAssertEqual(try check("fr", "check/p-2", "Nous épargnons 60 shillings par semaine, de deux à 3 membres."),
                       ["warning: unit check/p-2: numbers differ from the source (missing 2, 50; not in the source: 60); keep every number, in any digits; the text stays untranslated until this is fixed [number-kept]"])
    }

    func testNumbersInOtherDigitsAreKept() throws {
        XCTAssertEqual(try check("ar", "check/p-2", "ندخر ٥٠ شلنًا كل أسبوع، من ٢ إلى ٣ أعضاء."), [])
        XCTAssertEqual(try check("hi", "check/p-2", "हम हर सप्ताह ५० शिलिंग बचाते हैं, २ से ३ सदस्यों तक।"), [])
    }

    // MARK: Empty, identical, whitespace

    func testEmptyTarget() throws {
        XCTAssertEqual(try check("fr", "check/p-4", ""),
                       [#"warning: unit check/p-4: the target is empty but its state is "translated"; translate it or set state="needs-translation"; the text stays untranslated until this is fixed [empty-target]"#])
        // An empty target that does not claim to be translated is simply untranslated.
        XCTAssertEqual(try check("fr", "check/p-4", "", state: "needs-translation"), [])
    }

    func testTargetSameAsSource() throws {
        XCTAssertEqual(try check("fr", "check/p-4", "Keep the box safe, then count the money together."),
                       ["warning: unit check/p-4: the target is the same as the source; translate it, or confirm it needs no translation [target-same-as-source]"])
    }

    func testEdgeWhitespace() throws {
        XCTAssertEqual(try check("fr", "check/p-4", " Gardez la boîte en sécurité, puis comptez l'argent ensemble."),
                       ["warning: unit check/p-4: the target starts with whitespace; the source does not [edge-whitespace]"])
        XCTAssertEqual(try check("fr", "check/p-4", "Gardez la boîte en sécurité, puis comptez l'argent ensemble. "),
                       ["warning: unit check/p-4: the target ends with whitespace; the source does not [edge-whitespace]"])
    }

    // MARK: Punctuation per script

    func testArabicQuestionMark() throws {
        XCTAssertEqual(try check("ar", "check/p-3", "لماذا ندخر؟"), [])
        XCTAssertEqual(try check("ar", "check/p-3", "لماذا ندخر?"),
                       ["warning: unit check/p-3: the target ends with '?'; in arabic script a sentence the source ends with '?' ends with '؟' [end-punctuation]"])
    }

    func testEthiopicFullStop() throws {
        XCTAssertEqual(try check("am", "check/p-4", "ሳጥኑን በጥንቃቄ ያስቀምጡ፣ ከዚያም ገንዘቡን አብረው ይቁጠሩ።"), [])
        XCTAssertEqual(try check("am", "check/p-4", "ሳጥኑን በጥንቃቄ ያስቀምጡ፣ ከዚያም ገንዘቡን አብረው ይቁጠሩ."),
                       ["warning: unit check/p-4: the target ends with '.'; in ethiopic script a sentence the source ends with '.' ends with '።' [end-punctuation]"])
    }

    func testDevanagariDanda() throws {
        XCTAssertEqual(try check("hi", "check/p-4", "बक्से को सुरक्षित रखें, फिर मिलकर पैसे गिनें।"), [])
        XCTAssertEqual(try check("hi", "check/p-4", "बक्से को सुरक्षित रखें, फिर मिलकर पैसे गिनें"),
                       ["warning: unit check/p-4: the source ends with '.' but the target has no end punctuation; end it with '।' [end-punctuation]"])
    }

    // MARK: Bidi

    func testUnbalancedBidiControls() throws {
        XCTAssertEqual(try check("ar", "check/p-2", "ندخر \u{2066}50\u{2069} شلنًا كل أسبوع، من \u{2066}2 إلى \u{2066}3\u{2069} أعضاء.\u{202C}"), [
            "warning: unit check/p-2: 1 isolate (U+2066/U+2067/U+2068) not closed by U+2069 (PDI); the text stays untranslated until this is fixed [bidi-unbalanced]",
            "warning: unit check/p-2: U+202C (PDF) closes no embedding; the text stays untranslated until this is fixed [bidi-unbalanced]",
        ])
    }

    func testLeftToRightRunsMustBeIsolatedInRightToLeftText() throws {
        XCTAssertEqual(try check("ar", "check/p-2", "ندخر 50 شلنًا كل أسبوع، من 2 إلى 3 أعضاء."),
                       [#"warning: unit check/p-2: left-to-right text "50", "2", "3" inside right-to-left text is not isolated; wrap each in U+2066 (LRI) … U+2069 (PDI) [bidi-not-isolated]"#])
        XCTAssertEqual(try check("ar", "check/p-2", "ندخر \u{2066}50\u{2069} شلنًا كل أسبوع، من \u{2066}2\u{2069} إلى \u{2066}3\u{2069} أعضاء."), [])
        XCTAssertEqual(try check("ar", "check/p-1", #"اقرأ <g id="1" ctype="bold">الدليل</g> على <g id="2" ctype="link">https://example.org/guide</g> وشغّل <ph id="3" ctype="x-code">save-all</ph> الآن."#),
                       [#"warning: unit check/p-1: left-to-right text "https://example.org/guide", "<code>" inside right-to-left text is not isolated; wrap each in U+2066 (LRI) … U+2069 (PDI) [bidi-not-isolated]"#])
        XCTAssertEqual(try check("ar", "check/p-1", "اقرأ <g id=\"1\" ctype=\"bold\">الدليل</g> على \u{2066}<g id=\"2\" ctype=\"link\">https://example.org/guide</g>\u{2069} وشغّل \u{2066}<ph id=\"3\" ctype=\"x-code\">save-all</ph>\u{2069} الآن."), [])
    }

    // MARK: Script and length

    func testWrongScript() throws {
        XCTAssertEqual(try check("am", "check/p-4", "Saninu bet'inik'ak'e yasik'emit'u።"),
                       ["warning: unit check/p-4: the target is mostly in latin script; am is written in ethiopic script; the text stays untranslated until this is fixed [wrong-script]"])
    }

    func testSuspiciousLength() throws {
        XCTAssertEqual(try check("fr", "check/p-4", "Gardez-la."),
                       ["warning: unit check/p-4: the target is 20% of the source's length; check nothing is missing or added [length-ratio]"])
    }
}
