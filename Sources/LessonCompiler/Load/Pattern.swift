import Foundation

/// A regular expression compiled once. Foundation's `range(of:options: .regularExpression)`
/// compiles its pattern on every call, which dominated build time on large corpora.
/// `@unchecked Sendable` is safe: the only stored value is an NSRegularExpression, which
/// Foundation documents as immutable and safe to use from several threads at once.
struct Pattern: @unchecked Sendable {
    private let regex: NSRegularExpression

    init(_ pattern: String) {
        regex = try! NSRegularExpression(pattern: pattern)
    }

    func firstRange(in s: String) -> Range<String.Index>? {
        guard let m = regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) else { return nil }
        return Range(m.range, in: s)
    }

    func matches(_ s: String) -> Bool { firstRange(in: s) != nil }

    static let id = IdPattern()
    static let integer = IntegerPattern()
    static let decimal = DecimalPattern()
    static let semver = Pattern(#"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"#)
    static let languageTag = Pattern(#"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"#)
    static let spdx = Pattern(#"^[A-Za-z0-9][A-Za-z0-9.+-]*$"#)
    static let duration = DurationPattern()
    // Hours and minutes together ("1 h 30 min") are one duration, as in front matter.
    static let trailingDuration = Pattern(#"\(?\s*([0-9]+\s*(h|hours?)(\s+[0-9]+\s*(min|mins|minutes))?|[0-9]+\s*(min|mins|minutes))\s*\)?\s*$"#)
}

/// `^[a-z0-9][a-z0-9._-]*$`, checked byte by byte: it runs for every lesson.
struct IdPattern: Sendable {
    func matches(_ s: String) -> Bool {
        func lowerOrDigit(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard let first = s.utf8.first, lowerOrDigit(first) else { return false }
        return s.utf8.allSatisfy { lowerOrDigit($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }
}

/// The patterns met in every lesson's front matter (numbers, durations), checked on UTF-8 bytes:
/// NSRegularExpression bridges each string to NSString and runs ICU. Each matches exactly what
/// its expression does, including ICU's `$` before one final line terminator.
enum PlainScan {
    /// The bytes of `s` without one final line terminator (where ICU's `$` also matches).
    static func bytes(_ s: String) -> [UInt8] {
        var b = Array(s.utf8)
        if b.count >= 2, b[b.count - 2] == 0x0D, b[b.count - 1] == 0x0A { b.removeLast(2); return b }
        for terminator: [UInt8] in [[0x0A], [0x0B], [0x0C], [0x0D], [0xC2, 0x85], [0xE2, 0x80, 0xA8], [0xE2, 0x80, 0xA9]] where b.count >= terminator.count {
            if Array(b.suffix(terminator.count)) == terminator { b.removeLast(terminator.count); return b }
        }
        return b
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// The index after `[0-9]+` at `i` (or `[1-9][0-9]*` when `nonZero`), nil when there is no digit.
    static func digits(_ b: [UInt8], from i: Int, nonZero: Bool = false) -> Int? {
        guard i < b.count, isDigit(b[i]), !nonZero || b[i] != 0x30 else { return nil }
        var j = i + 1
        while j < b.count, isDigit(b[j]) { j += 1 }
        return j
    }

    static func hasPrefix(_ b: [UInt8], _ word: String, at i: Int) -> Bool {
        let w = Array(word.utf8)
        return b.count - i >= w.count && Array(b[i..<i + w.count]) == w
    }
}

/// `^-?(0|[1-9][0-9]*)$`
struct IntegerPattern: Sendable {
    func matches(_ s: String) -> Bool {
        let b = PlainScan.bytes(s)
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count else { return false }
        if b[i] == 0x30 { return i + 1 == b.count }
        return PlainScan.digits(b, from: i, nonZero: true) == b.count
    }
}

/// `^[-+]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?$|^0[0-9]+$|^0[xo]` (the second
/// alternative is within the first).
struct DecimalPattern: Sendable {
    func matches(_ s: String) -> Bool {
        let b = PlainScan.bytes(s)
        let raw = Array(s.utf8)
        if raw.count >= 2, raw[0] == 0x30, raw[1] == UInt8(ascii: "x") || raw[1] == UInt8(ascii: "o") { return true }
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
        let whole = PlainScan.digits(b, from: i)
        i = whole ?? i
        if i < b.count, b[i] == UInt8(ascii: ".") {
            let fraction = PlainScan.digits(b, from: i + 1)
            guard whole != nil || fraction != nil else { return false }
            i = fraction ?? i + 1
        } else if whole == nil {
            return false
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            var j = i + 1
            if j < b.count, b[j] == UInt8(ascii: "-") || b[j] == UInt8(ascii: "+") { j += 1 }
            guard let end = PlainScan.digits(b, from: j) else { return false }
            i = end
        }
        return i == b.count
    }
}

/// `^([1-9][0-9]* ?(h|hour|hours))?( ?[1-9][0-9]* ?(min|mins|minutes))?$`
struct DurationPattern: Sendable {
    func matches(_ s: String) -> Bool {
        let b = PlainScan.bytes(s)
        return hours(b) || minutesToEnd(b, from: 0)
    }

    /// The hours, then minutes or the end.
    private func hours(_ b: [UInt8]) -> Bool {
        guard var i = PlainScan.digits(b, from: 0, nonZero: true) else { return false }
        if i < b.count, b[i] == 0x20 { i += 1 }
        return ["hours", "hour", "h"].contains { PlainScan.hasPrefix(b, $0, at: i) && minutesToEnd(b, from: i + $0.utf8.count) }
    }

    /// Nothing, or ` ?[1-9][0-9]* ?(min|mins|minutes)` up to the end.
    private func minutesToEnd(_ b: [UInt8], from start: Int) -> Bool {
        if start == b.count { return true }
        var i = start
        if b[i] == 0x20 { i += 1 }
        guard var j = PlainScan.digits(b, from: i, nonZero: true) else { return false }
        if j < b.count, b[j] == 0x20 { j += 1 }
        let unit = b[j...]
        return ["min", "mins", "minutes"].contains { Array(unit) == Array($0.utf8) }
    }
}

extension String {
    /// `trimmingCharacters(in: .whitespaces)`, without a trip through Foundation when the text
    /// plainly starts and ends with something else (an ASCII byte that is not a space or tab).
    func trimmingWhitespace() -> String {
        guard let first = utf8.first, let last = utf8.last, first < 0x80, last < 0x80,
              first != 0x20, first != 0x09, last != 0x20, last != 0x09 else { return trimmingCharacters(in: .whitespaces) }
        return self
    }

    /// Percent-decoding only when there is something to decode (Foundation's is costly).
    var percentDecoded: String {
        utf8.contains(0x25) ? (removingPercentEncoding ?? self) : self
    }
}
