import Foundation
import XCTest
@testable import LessonCompiler
import LessonSupport

/// Translation helpers on a throw-away project: extract, edit targets the way a translator's
/// tool would (in the XLIFF text), and read units back.
extension TestProject {
    static let richLesson = """
        ---
        title: Saving together
        id: saving
        content_warning: Talks about losing money
        ---
        ## Why save

        Saving a **little** every week, as the [group rules](02-rules.md) say, adds up.
        Open the box with `key-1` and look: ![a cash box with three keys](../assets/box.svg)

        - First item
        - Second item with *emphasis*

        | Item | Cost |
        |---|---|
        | Soap | 120 shillings |

        > [!TIP] Remember this
        > Keep the box locked.

        > [!QUIZ]
        > How many keys does the box have?
        >
        > - [ ] One
        > - [x] Three
        >
        > Three members each hold one key.

        ![A circle of members](../assets/circle.svg "The meeting circle")

        """

    /// A curriculum with the rich lesson (`01-unit/01-saving.md`) and a short second one (`01-unit/02-rules.md`).
    static func translatable() throws -> TestProject {
        let p = try TestProject()
        try p.lesson("01-unit/01-saving.md", richLesson)
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet every week.\n\nWe save 50 shillings each.\n")
        try p.asset("box.svg")
        try p.asset("circle.svg")
        return p
    }

    @discardableResult
    func extract(_ locale: String, file: StaticString = #filePath, line: UInt = #line) -> TranslationExtractor.Result {
        let r = TranslationExtractor.run(root: root, locale: locale)
        XCTAssertTrue(r.succeeded, "\(r.diagnostics)", file: file, line: line)
        return r
    }

    func xliffPath(_ locale: String) -> String { "locales/\(locale)/\(curriculum).xlf" }

    func xliff(_ locale: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(xliffPath(locale)), encoding: .utf8)
    }

    func setXLIFF(_ locale: String, _ text: String) throws { try write(xliffPath(locale), text) }

    /// Replaces the `<target>` of a unit, as a translator's tool does. `target` is XLIFF inline content.
    func translate(_ locale: String, _ unitID: String, _ target: String, state: String = "translated",
                   file: StaticString = #filePath, line: UInt = #line) throws {
        var text = try xliff(locale)
        guard let start = text.range(of: "<trans-unit id=\"\(NSRegularExpression.escapedPattern(for: unitID))\"[ >]", options: .regularExpression),
              let end = text.range(of: "</trans-unit>", range: start.upperBound..<text.endIndex) else {
            XCTFail("no unit \(unitID)", file: file, line: line); return
        }
        var unit = String(text[start.lowerBound..<end.upperBound])
        if let t = unit.range(of: #"<target[^>]*/>|<target[^>]*>.*?</target>"#, options: .regularExpression) {
            unit.replaceSubrange(t, with: "<target state=\"\(state)\">\(target)</target>")
        } else {
            unit = unit.replacingOccurrences(of: "</source>", with: "</source>\n        <target state=\"\(state)\">\(target)</target>")
        }
        text.replaceSubrange(start.lowerBound..<end.upperBound, with: unit)
        try setXLIFF(locale, text)
    }

    /// The units of the locale's file as the reader sees them, by id.
    func units(_ locale: String) throws -> [String: XLIFFUnit] {
        var d: [Diagnostic] = []
        let doc = XLIFFReader.read(Data(try xliff(locale).utf8), path: xliffPath(locale), sourceLanguage: "en", targetLanguage: locale, into: &d)
        XCTAssertEqual(d, [])
        return Dictionary(uniqueKeysWithValues: (doc?.files ?? []).flatMap(\.units).map { ($0.id, $0) })
    }

    /// Extracts `locale` and translates every unit of `lesson` with `translation(source text)`.
    func translateLesson(_ locale: String, _ lesson: String, _ translation: (String) -> String) throws {
        for (id, unit) in try units(locale) where id.hasPrefix(lesson + "/") {
            try translate(locale, id, translation(XLIFFWriter.inline(unit.source)))
        }
    }
}

/// Only the diagnostics of one rule, as printed.
func printed(_ result: BuildResult, rule: String) -> [String] {
    result.diagnostics.filter { $0.rule.rawValue == rule }.map(\.description)
}
