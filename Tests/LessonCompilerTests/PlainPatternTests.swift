import Foundation
import XCTest
@testable import LessonCompiler

/// The byte scans that replaced regular expressions on the per-lesson path must accept exactly
/// what the expressions accept: checked against NSRegularExpression on every string built from
/// the characters that matter, up to a length.
final class PlainPatternTests: XCTestCase {
    private func regex(_ pattern: String) -> (String) -> Bool {
        let r = try! NSRegularExpression(pattern: pattern)
        return { s in r.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }
    }

    /// Every string of up to `length` characters from `alphabet`, plus `extra`.
    private func strings(_ alphabet: [String], length: Int, extra: [String]) -> [String] {
        var all = [""], layer = [""]
        for _ in 0..<length {
            layer = layer.flatMap { s in alphabet.map { s + $0 } }
            all += layer
        }
        return all + extra
    }

    private func assertSame(_ scan: (String) -> Bool, _ pattern: String, _ inputs: [String], file: StaticString = #filePath, line: UInt = #line) {
        let expected = regex(pattern)
        var checked = 0
        for s in inputs {
            XCTAssertEqual(scan(s), expected(s), "'\(s.debugDescription)' against \(pattern)", file: file, line: line)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 100, file: file, line: line)
    }

    private let terminators = ["\n", "\r\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}", "\n\n", " "]

    func testIntegerScanMatchesItsExpression() {
        let extra = ["-0", "007", "12\n", "12\r\n", "-", "+1", "1\u{2028}", "１２", "9223372036854775807"]
        assertSame(Pattern.integer.matches, #"^-?(0|[1-9][0-9]*)$"#, strings(["0", "1", "9", "-", "+", "x", "\n"], length: 4, extra: extra))
    }

    func testDecimalScanMatchesItsExpression() {
        let extra = ["1.5e10", "-.5E-3", "+3.", "0x1F", "0o17", "0b1", "1e", "1e+", ".e1", "1.5\n", "1.5\u{2029}", "0123", "0x", "٣"]
        assertSame(Pattern.decimal.matches, #"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?$|^0[0-9]+$|^0[xo]"#,
                   strings(["0", "5", ".", "e", "-", "+", "x", "o", "\n"], length: 4, extra: extra))
    }

    func testDurationScanMatchesItsExpression() {
        let words = ["1 h", "1h", "2 hour", "3 hours", "10hours", "45 min", "45min", "5 mins", "30 minutes",
                     "1 h 30 min", "1h30min", "2 hours 15 minutes", "1 hour30 mins", "0 min", "05 min", "1 hr", "min", " 30 min",
                     "1  h", "1 h  30 min", "1 h ", "90", "1 ho", "1 hourss", "1 minutess", "1 h 0 min", "1 h 30", "h"]
        let extra = words + words.flatMap { w in terminators.map { w + $0 } } + words.map { " " + $0 }
        assertSame(Pattern.duration.matches, #"^([1-9][0-9]* ?(h|hour|hours))?( ?[1-9][0-9]* ?(min|mins|minutes))?$"#,
                   strings(["1", "0", " ", "h", "min", "s", "our", "utes"], length: 4, extra: extra))
    }

    func testAsciiRangeFindsTheFirstOccurrence() {
        let text: Substring = "héllo [x] then [^note] and [^other]"[...]
        let r = text.asciiRange(of: "[^")
        XCTAssertEqual(r.map { String(text[$0]) }, "[^")
        XCTAssertEqual(r.map { String(text[$0.upperBound...].prefix(5)) }, "note]")
        XCTAssertNil(text.asciiRange(of: "[^z"))
        XCTAssertNil(Substring("[").asciiRange(of: "[^"))
        let slice = text.dropFirst(20)
        XCTAssertEqual(slice.asciiRange(of: "[^").map { String(slice[$0.upperBound...].prefix(6)) }, "other]")
    }
}
