import Foundation
import XCTest
@testable import LessonCompiler

/// Per-lesson string work moved from Characters (and Foundation) to bytes must give what the
/// Character versions gave: checked against them on every string built from the characters
/// that matter, up to a length.
final class ByteScanTests: XCTestCase {
    /// Every string of up to `length` pieces from `alphabet`.
    private func strings(_ alphabet: [String], length: Int) -> [String] {
        var all = [""], layer = [""]
        for _ in 0..<length {
            layer = layer.flatMap { s in alphabet.map { s + $0 } }
            all += layer
        }
        return all
    }

    /// The Character version `resolve` had.
    private func resolveByCharacters(_ relative: String, from file: String) -> String? {
        var parts = file.split(separator: "/").dropLast().map(String.init)
        for component in relative.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                if parts.isEmpty { return nil }
                parts.removeLast()
            default: parts.append(String(component))
            }
        }
        return parts.joined(separator: "/")
    }

    func testResolveMatchesTheCharacterVersion() {
        let relatives = strings(["/", ".", "..", "a", "ü"], length: 4)
        let files = ["l.md", "u/l.md", "c/u/l.md", "/c/u/l.md", "c//u/l.md", "ñ/ü/l.md"]
        for file in files {
            for relative in relatives {
                XCTAssertEqual(LessonCompiler.resolve(relative, from: file), resolveByCharacters(relative, from: file), "\(relative) from \(file)")
            }
        }
        XCTAssertEqual(LessonCompiler.resolve("../02-b/03-c.md", from: "demo/01-a/01-l.md"), "demo/02-b/03-c.md")
        XCTAssertNil(LessonCompiler.resolve("../../x.md", from: "01-a/01-l.md"))
    }

    func testTrimmingWhitespaceMatchesFoundation() {
        let texts = strings([" ", "\t", "a", "\u{00A0}", "\u{3000}", "\n", "é", "\u{301}"], length: 4)
        for text in texts {
            XCTAssertEqual(text.trimmingWhitespace(), text.trimmingCharacters(in: .whitespaces), "\(Array(text.unicodeScalars))")
        }
    }

    /// The version `scheme(of:)` had, without the look at the bytes first.
    private func schemeByCharacters(_ url: String) -> String? {
        guard let colon = url.firstIndex(of: ":") else { return nil }
        let s = url[..<colon]
        guard let f = s.first, f.isLetter, s.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return nil }
        return String(s)
    }

    func testSchemeMatchesTheCharacterVersion() {
        for url in strings([":", "a", "1", "/", ".", "é", "\u{301}"], length: 4) + ["https://example.org", "tel:+255", "assets/a.png", "../a.md#x"] {
            XCTAssertEqual(LessonCompiler.scheme(of: url), schemeByCharacters(url), url)
        }
        XCTAssertEqual(LessonCompiler.scheme(of: "mailto:a@example.org"), "mailto")
        XCTAssertNil(LessonCompiler.scheme(of: "assets/picture.png"))
    }

    /// The Character version of `trimmingTrailing` (spaces, tabs and '\r's at the end).
    private func trimmingTrailingByCharacters(_ s: Substring) -> Substring {
        var s = s
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
        return s
    }

    func testTrimmingTrailingMatchesTheCharacterVersion() {
        for text in strings([" ", "\t", "\r", "a", "é", "\u{301}", "\n"], length: 4) {
            XCTAssertEqual(Substring(text).trimmingTrailing(), trimmingTrailingByCharacters(Substring(text)), "\(Array(text.unicodeScalars))")
        }
    }

    /// `asciiRange` jumps with memchr from one candidate first byte to the next: the first match,
    /// as a plain search of the bytes finds it, in a slice as in a whole string.
    func testASCIIRangeFindsTheFirstMatch() {
        func naive(_ bytes: [UInt8], _ needle: [UInt8]) -> Int? {
            guard bytes.count >= needle.count else { return nil }
            return (0...(bytes.count - needle.count)).first { Array(bytes[$0..<$0 + needle.count]) == needle }
        }
        for text in strings(["[", "^", "a", "é", "]:"], length: 5) {
            for (needle, literal) in [("[^", "[^" as StaticString), ("]:", "]:"), ("^", "^")] {
                let whole = Substring(text)
                XCTAssertEqual(whole.asciiRange(of: literal).map { whole.utf8.distance(from: whole.startIndex, to: $0.lowerBound) },
                               naive(Array(text.utf8), Array(needle.utf8)), "\(text) \(needle)")
                let slice = Substring("x" + text + "y").dropFirst().dropLast()
                XCTAssertEqual(slice.asciiRange(of: literal).map { slice.utf8.distance(from: slice.startIndex, to: $0.lowerBound) },
                               naive(Array(text.utf8), Array(needle.utf8)), "slice \(text) \(needle)")
            }
        }
    }

    func testASCIIPrefixIsCompared() {
        XCTAssertTrue(Substring("- item").hasASCIIPrefix("- "))
        XCTAssertFalse(Substring("-item").hasASCIIPrefix("- "))
        XCTAssertFalse(Substring("").hasASCIIPrefix("#"))
        XCTAssertTrue(Substring("#").hasASCIIPrefix("#"))
        XCTAssertTrue(Substring("x").hasASCIIPrefix(""))
    }
}
