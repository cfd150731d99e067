import Foundation

/// Checks one translated unit against its source, the way a careful reviewer would. Each problem
/// is a diagnostic at the unit's `<target>` with a rule id:
///
/// - errors: `inline-code-parity`, `url-kept`, `number-kept`, `empty-target`, `bidi-unbalanced`, `wrong-script`
/// - warnings: `target-same-as-source`, `edge-whitespace`, `end-punctuation`, `bidi-not-isolated`, `length-ratio`
enum TranslationChecks {
    /// What the checks need to know about a locale, worked out once for all its units.
    struct LocaleFacts: Sendable {
        var tag: String
        var rightToLeft: Bool
        var script: LocaleInfo.Script?
        init(_ locale: String) {
            tag = locale
            rightToLeft = LocaleInfo.direction(locale) == .rtl
            script = LocaleInfo.script(locale)
        }
    }

    static func check(_ unit: XLIFFUnit, source: [SegmentRun], locale: String, path: String) -> [Diagnostic] {
        check(unit, source: source, locale: LocaleFacts(locale), path: path)
    }

    static func check(_ unit: XLIFFUnit, source: [SegmentRun], locale facts: LocaleFacts, path: String) -> [Diagnostic] {
        guard let target = unit.target else { return [] }
        let locale = facts.tag
        var out: [Diagnostic] = []
        func report(_ severity: Severity, _ rule: Rule, _ message: String) {
            out.append(Diagnostic(severity, rule, "unit \(unit.id): \(message)", path: path,
                                  line: max(1, unit.targetLine), column: max(1, unit.targetColumn)))
        }
        let sourceText = Segment.plainText(source)
        let targetText = Segment.plainText(target)
        if !targetText.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) && !target.contains(where: { $0.codeID != nil }) {
            report(.error, .emptyTarget, "the target is empty but its state is \"\(unit.state ?? "none")\"; translate it or set state=\"needs-translation\"")
            return out
        }
        for problem in codeParity(source, target) { report(.error, .inlineCodeParity, problem) }

        let sourceURLs = urls(in: sourceText)
        var targetURLs = urls(in: targetText)
        for url in sourceURLs {
            if let i = targetURLs.firstIndex(of: url) { targetURLs.remove(at: i) } else {
                report(.error, .urlKept, "the URL \(url) of the source is missing or changed")
            }
        }
        let (missing, extra) = numberDifference(source: sourceText, target: targetText, ignoring: sourceURLs)
        if !missing.isEmpty || !extra.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("not in the source: \(extra.joined(separator: ", "))") }
            report(.error, .numberKept, "numbers differ from the source (\(parts.joined(separator: "; "))); keep every number, in any digits")
        }
        // Plain texts first: comparing them is cheap, and they differ in nearly every translation.
        if sameIgnoringSpaces(targetText, sourceText), Segment.normalized(target) == Segment.normalized(source),
           sourceText.contains(where: \.isLetter) {
            report(.warning, .targetSameAsSource, "the target is the same as the source; translate it, or confirm it needs no translation")
        }
        let flatTarget = flatten(target)
        if let first = flatTarget.first, first.isWhitespace || flatTarget.last!.isWhitespace {
            report(.warning, .edgeWhitespace, "the target \(first.isWhitespace ? "starts" : "ends") with whitespace; the source does not")
        }
        let script = facts.script
        if let script, let problem = endPunctuation(source: flatten(source), target: flatTarget, script: script) {
            report(.warning, .endPunctuation, problem)
        }
        // Most targets have no bidi controls, and in left-to-right text nothing else is checked.
        let rightToLeft = facts.rightToLeft && targetText.unicodeScalars.contains(where: isStrongRTL)
        if rightToLeft || hasBidiControls(targetText) {
            let (balanceProblems, unisolated) = bidi(target)
            for problem in balanceProblems { report(.error, .bidiUnbalanced, problem) }
            if rightToLeft, !unisolated.isEmpty {
                let runs = unisolated.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")
                report(.warning, .bidiNotIsolated, "left-to-right text \(runs)\(unisolated.count > 3 ? " and \(unisolated.count - 3) more" : "") inside right-to-left text is not isolated; wrap each in U+2066 (LRI) … U+2069 (PDI)")
            }
        }
        if let script, let problem = wrongScript(flatTarget, expected: script, locale: locale) {
            report(.error, .wrongScript, problem)
        }
        // Scalars, not characters: a ratio needs no grapheme breaking.
        let sourceLength = scalarCount(sourceText), targetLength = scalarCount(targetText)
        if sourceLength >= 20 {
            let ratio = Double(targetLength) / Double(sourceLength)
            if ratio < 0.4 || ratio > 2.5 {
                report(.warning, .lengthRatio, "the target is \(Int((ratio * 100).rounded()))% of the source's length; check nothing is missing or added")
            }
        }
        return out
    }

    // MARK: Inline codes

    /// Every code of the source exactly once, of the same element and type, inside the same `<g>`.
    /// Order among siblings may change: languages order words differently.
    static func codeParity(_ source: [SegmentRun], _ target: [SegmentRun]) -> [String] {
        struct Code { var element: String; var ctype: String; var parent: String? }
        func collect(_ runs: [SegmentRun], parent: String?, into codes: inout [(String, Code)]) {
            for run in runs {
                switch run {
                case .text: break
                case .group(let id, let ctype, let children):
                    codes.append((id, Code(element: "g", ctype: ctype, parent: parent)))
                    collect(children, parent: id, into: &codes)
                case .placeholder(let id, let ctype, _): codes.append((id, Code(element: "x", ctype: ctype, parent: parent)))
                case .native(let id, let ctype, _): codes.append((id, Code(element: "ph", ctype: ctype, parent: parent)))
                }
            }
        }
        var s: [(String, Code)] = [], t: [(String, Code)] = []
        collect(source, parent: nil, into: &s)
        collect(target, parent: nil, into: &t)
        let sourceCodes = Dictionary(s, uniquingKeysWith: { a, _ in a })
        var problems: [String] = []
        var seen = Set<String>()
        for (id, code) in t {
            guard let expected = sourceCodes[id] else { problems.append("code <\(code.element) id=\"\(id)\"> is not in the source"); continue }
            if !seen.insert(id).inserted { problems.append("code <\(code.element) id=\"\(id)\"> appears more than once"); continue }
            if expected.element != code.element || expected.ctype != code.ctype {
                problems.append("code id=\"\(id)\" is <\(code.element) ctype=\"\(code.ctype)\"> but the source has <\(expected.element) ctype=\"\(expected.ctype)\">")
            } else if expected.parent != code.parent {
                let place = { (p: String?) in p.map { "inside <g id=\"\($0)\">" } ?? "outside any <g>" }
                problems.append("code <\(code.element) id=\"\(id)\"> moved \(place(code.parent)); the source has it \(place(expected.parent))")
            }
        }
        for (id, code) in s where !seen.contains(id) {
            problems.append("code <\(code.element) id=\"\(id)\"\(code.ctype.isEmpty ? "" : " ctype=\"\(code.ctype)\"")> of the source is missing")
        }
        return problems
    }

    // MARK: URLs and numbers

    /// Bidi controls around a URL (isolates in right-to-left text) are not part of it.
    static let urlPattern = Pattern(#"(https?://|mailto:|www\.)[^\s<>"'«»“”\u200E\u200F\u202A-\u202E\u2066-\u2069]+"#)

    static func urls(in text: String) -> [String] {
        // The pattern is costly; most texts hold none of its openings.
        guard contains(text, "http") || contains(text, "www.") || contains(text, "mailto:") else { return [] }
        var out: [String] = []
        var rest = text[...]
        while let r = urlPattern.firstRange(in: String(rest)) {
            let s = String(rest)
            var url = s[r]
            while let last = url.last, ".,;:!?)".contains(last) { url = url.dropLast() }
            out.append(String(url))
            rest = s[r.upperBound...]
        }
        return out
    }

    /// Decimal numbers as ASCII digit strings, in any script's digits (٧٢ and ७२ are 72).
    /// Separators split numbers, so 1,000 / 1 000 / 1.000 all read as 1 and 000.
    static func numbers(in text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 {
                // ASCII: only 0-9 are digits (Unicode properties are slow to look up).
                if scalar.value >= 0x30 && scalar.value <= 0x39 { current.unicodeScalars.append(scalar) } else if !current.isEmpty { out.append(current); current = "" }
                continue
            }
            if scalar.properties.numericType == .decimal, let v = scalar.properties.numericValue {
                current.append(String(Int(v)))
            } else if !current.isEmpty {
                out.append(current); current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// The decimal digits of a text as values 0–9, with 10 between numbers.
    static func digitSequence(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var inNumber = false
        for scalar in text.unicodeScalars {
            var digit: UInt8?
            if scalar.value < 0x80 {
                if scalar.value >= 0x30 && scalar.value <= 0x39 { digit = UInt8(scalar.value - 0x30) }
            } else if scalar.properties.numericType == .decimal, let v = scalar.properties.numericValue {
                digit = UInt8(v)
            }
            if let digit { out.append(digit); inNumber = true } else if inNumber { out.append(10); inNumber = false }
        }
        return out
    }

    static func numberDifference(source: String, target: String, ignoring urls: [String]) -> (missing: [String], extra: [String]) {
        var s = source, t = target
        // The common case: the same numbers in the same order, seen without building any string.
        if urls.isEmpty && digitSequence(s) == digitSequence(t) { return ([], []) }
        for url in urls { s = s.replacingOccurrences(of: url, with: " "); t = t.replacingOccurrences(of: url, with: " ") }
        var counts: [String: Int] = [:]
        for n in numbers(in: s) { counts[n, default: 0] += 1 }
        for n in numbers(in: t) { counts[n, default: 0] -= 1 }
        let missing = counts.filter { $0.value > 0 }.keys.sorted { Int($0) ?? 0 < Int($1) ?? 0 }
        let extra = counts.filter { $0.value < 0 }.keys.sorted { Int($0) ?? 0 < Int($1) ?? 0 }
        return (missing, extra)
    }

    /// Whether two texts are the same once spaces are left out: most translations differ in their
    /// first bytes, so this stops early, without building anything.
    static func sameIgnoringSpaces(_ a: String, _ b: String) -> Bool {
        var i = a.utf8.makeIterator(), j = b.utf8.makeIterator()
        func next(_ it: inout String.UTF8View.Iterator) -> UInt8? {
            while let c = it.next() { if !(c == 0x20 || (0x09...0x0D).contains(c)) { return c } }
            return nil
        }
        while true {
            let x = next(&i), y = next(&j)
            if x != y { return false }
            if x == nil { return true }
        }
    }

    /// Unicode scalars in a text, counted on its UTF-8 bytes.
    static func scalarCount(_ text: String) -> Int {
        var n = 0
        for b in text.utf8 where b & 0xC0 != 0x80 { n += 1 }
        return n
    }

    /// Whether `text` holds `needle` (ASCII), without Foundation.
    static func contains(_ text: String, _ needle: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { buf in
            let n = needle.utf8CodeUnitCount, p = needle.utf8Start
            guard buf.count >= n else { return false }
            for i in 0...(buf.count - n) where buf[i] == p[0] {
                var k = 1
                while k < n && buf[i + k] == p[k] { k += 1 }
                if k == n { return true }
            }
            return false
        }
    }

    // MARK: Text with codes

    /// Stands for a code span in flattened text: strongly left-to-right.
    static let codeMark: Unicode.Scalar = "\u{E000}"
    /// Stands for an image or a line break: neutral.
    static let objectMark: Unicode.Scalar = "\u{FFFC}"

    /// Text with `<g>` contents inline and standalone codes as marks.
    static func flatten(_ runs: [SegmentRun]) -> String {
        Segment.text(runs) { code in
            if case .native = code { return String(Character(codeMark)) }
            return String(Character(objectMark))
        }
    }

    // MARK: Punctuation

    static let closers: Set<Character> = ["\"", "'", "”", "’", "»", "›", ")", "]", "\u{2069}", "\u{202C}", "\u{200E}", "\u{200F}"]

    static func lastMark(_ text: String) -> Character? {
        var s = Substring(text)
        while let c = s.last, c.isWhitespace || closers.contains(c) { s = s.dropLast() }
        if s.hasSuffix("...") { return "…" }
        return s.last
    }

    static func endPunctuation(source: String, target: String, script: LocaleInfo.Script) -> String? {
        guard let s = lastMark(source), let allowed = LocaleInfo.endMarks(for: s, in: script) else { return nil }
        let t = lastMark(target)
        if let t, allowed.contains(t) { return nil }
        let expected = allowed.sorted().map { "'\($0)'" }.joined(separator: " or ")
        guard let t, LocaleInfo.allEndMarks.contains(t) else {
            return "the source ends with '\(s)' but the target has no end punctuation; end it with \(expected)"
        }
        return "the target ends with '\(t)'; in \(script.rawValue) script a sentence the source ends with '\(s)' ends with \(expected)"
    }

    // MARK: Bidi

    static let isolateOpeners: Set<Unicode.Scalar> = ["\u{2066}", "\u{2067}", "\u{2068}"]
    static let embeddingOpeners: Set<Unicode.Scalar> = ["\u{202A}", "\u{202B}", "\u{202D}", "\u{202E}"]

    /// Whether a text holds any of U+202A…U+202E or U+2066…U+2069 (E2 80 AA–AE, E2 81 A6–A9 in UTF-8).
    static func hasBidiControls(_ text: String) -> Bool {
        var previous: (UInt8, UInt8) = (0, 0)
        for b in text.utf8 {
            if previous.0 == 0xE2 && ((previous.1 == 0x80 && (0xAA...0xAE).contains(b)) || (previous.1 == 0x81 && (0xA6...0xA9).contains(b))) { return true }
            previous = (previous.1, b)
        }
        return false
    }

    static func isStrongRTL(_ s: Unicode.Scalar) -> Bool {
        guard s.value >= 0x590, s.properties.isAlphabetic else { return false }
        let script = LocaleInfo.script(of: s)
        return script == .arabic || script == .hebrew || (0x700...0x74F).contains(s.value) || (0x780...0x7BF).contains(s.value)
    }

    static func isLTRRunCharacter(_ s: Unicode.Scalar) -> Bool {
        if s == codeMark { return true }
        if s.value < 0x80 { return (0x30...0x39).contains(s.value) || (0x41...0x5A).contains(s.value) || (0x61...0x7A).contains(s.value) }
        return s.properties.isAlphabetic && !isStrongRTL(s) && s.properties.numericType == nil
            && LocaleInfo.script(of: s) != nil
    }

    /// Unbalanced controls (every LRI/RLI/FSI closed by PDI, every LRE/RLE/LRO/RLO by PDF, properly
    /// nested) and left-to-right runs (Latin words, European digits, URLs, code) outside isolates.
    /// Inline codes are boundaries: what opens inside a `<g>` must close inside it, as the `<g>`
    /// may become an element of its own (a link, a bold run) in the output.
    static func bidi(_ runs: [SegmentRun]) -> (problems: [String], unisolated: [String]) {
        var problems: [String] = []
        var unisolated: [String] = []
        bidi(runs, group: nil, insideIsolate: false, &problems, &unisolated)
        return (problems, unisolated)
    }

    private static func bidi(_ runs: [SegmentRun], group: String?, insideIsolate outer: Bool, _ problems: inout [String], _ runsOut: inout [String]) {
        var stack: [Bool] = []   // true: isolate, false: embedding
        var run = ""
        var pending = ""        // neutrals after a run, kept only if the run goes on
        let place = group.map { " inside <g id=\"\($0)\">" } ?? ""
        func endRun() {
            if !run.isEmpty {
                runsOut.append(run.unicodeScalars.contains(codeMark) ? run.replacingOccurrences(of: String(Character(codeMark)), with: "<code>") : run)
            }
            run = ""; pending = ""
        }
        func scan(_ text: String) {
            for scalar in text.unicodeScalars {
                if isolateOpeners.contains(scalar) { endRun(); stack.append(true); continue }
                if embeddingOpeners.contains(scalar) { endRun(); stack.append(false); continue }
                if scalar == "\u{2069}" {
                    endRun()
                    if let i = stack.lastIndex(of: true) { stack.removeSubrange(i...) } else {
                        problems.append(group == nil ? "U+2069 (PDI) closes no isolate" : "U+2069 (PDI)\(place) closes no isolate opened inside it")
                    }
                    continue
                }
                if scalar == "\u{202C}" {
                    endRun()
                    if stack.last == false { stack.removeLast() } else {
                        problems.append(group == nil ? "U+202C (PDF) closes no embedding" : "U+202C (PDF)\(place) closes no embedding opened inside it")
                    }
                    continue
                }
                let insideIsolate = outer || stack.contains(true)
                if !insideIsolate && isLTRRunCharacter(scalar) {
                    run += pending; pending = ""
                    run.unicodeScalars.append(scalar)
                } else if !run.isEmpty && !isStrongRTL(scalar) && !insideIsolate {
                    pending.unicodeScalars.append(scalar)
                } else {
                    endRun()
                }
            }
        }
        for r in runs {
            switch r {
            case .text(let t): scan(t)
            case .native: scan(String(Character(codeMark)))
            case .placeholder: scan(String(Character(objectMark)))
            case .group(let id, _, let children):
                endRun()
                bidi(children, group: id, insideIsolate: outer || stack.contains(true), &problems, &runsOut)
            }
        }
        endRun()
        let openIsolates = stack.filter { $0 }.count, openEmbeddings = stack.count - openIsolates
        if openIsolates > 0 {
            problems.append("\(openIsolates) isolate\(openIsolates == 1 ? "" : "s") (U+2066/U+2067/U+2068)\(group == nil ? "" : " opened" + place) not closed by U+2069 (PDI)\(group == nil ? "" : " inside it: an isolate must close inside the inline code it opens in")")
        }
        if openEmbeddings > 0 {
            problems.append("\(openEmbeddings) embedding\(openEmbeddings == 1 ? "" : "s") (U+202A/B/D/E)\(group == nil ? "" : " opened" + place) not closed by U+202C (PDF)\(group == nil ? "" : " inside it: an embedding must close inside the inline code it opens in")")
        }
    }

    // MARK: Script

    /// Most letters outside isolates must be in the locale's script; isolated runs are quoted foreign text.
    static func wrongScript(_ text: String, expected: LocaleInfo.Script, locale: String) -> String? {
        let scripts = LocaleInfo.Script.allCases
        var counts = [Int](repeating: 0, count: scripts.count)
        let latin = scripts.firstIndex(of: .latin)!
        var total = 0
        var depth = 0
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 {
                // ASCII letters are Latin; looking up properties is the slow path.
                if depth == 0 && ((0x41...0x5A).contains(scalar.value) || (0x61...0x7A).contains(scalar.value)) { counts[latin] += 1; total += 1 }
                continue
            }
            if isolateOpeners.contains(scalar) { depth += 1; continue }
            if scalar == "\u{2069}" { depth = max(0, depth - 1); continue }
            guard depth == 0, scalar.properties.isAlphabetic, let script = LocaleInfo.script(of: scalar) else { continue }
            counts[scripts.firstIndex(of: script)!] += 1
            total += 1
        }
        guard total >= 4 else { return nil }
        let inScript = counts[scripts.firstIndex(of: expected)!]
        guard inScript * 2 < total else { return nil }
        let found = scripts.indices.max { counts[$0] != counts[$1] ? counts[$0] < counts[$1] : scripts[$0].rawValue > scripts[$1].rawValue }.map { scripts[$0] }!
        return "the target is mostly in \(found.rawValue) script; \(locale) is written in \(expected.rawValue) script"
    }
}
