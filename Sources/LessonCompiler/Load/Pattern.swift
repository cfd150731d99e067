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
    static let integer = Pattern(#"^-?(0|[1-9][0-9]*)$"#)
    static let decimal = Pattern(#"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?$|^0[0-9]+$|^0[xo]"#)
    static let semver = Pattern(#"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"#)
    static let languageTag = Pattern(#"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"#)
    static let spdx = Pattern(#"^[A-Za-z0-9][A-Za-z0-9.+-]*$"#)
    static let duration = Pattern(#"^([1-9][0-9]* ?(h|hour|hours))?( ?[1-9][0-9]* ?(min|mins|minutes))?$"#)
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

extension String {
    /// Percent-decoding only when there is something to decode (Foundation's is costly).
    var percentDecoded: String {
        utf8.contains(0x25) ? (removingPercentEncoding ?? self) : self
    }
}
