import Foundation

/// A value from front matter, with the position it was written at.
public struct YAMLValue: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case string(String)
        case int(Int)
        case number(String)   // a decimal such as 1.0: YAML reads it as a float, so it is kept apart
        case bool(Bool)
        case list([YAMLValue])
        case map([YAMLEntry])
    }
    public var kind: Kind
    public var line: Int
    public var column: Int

    /// How a number was written, for messages that quote it (`1.0` stays `1.0`).
    public var numberText: String? {
        switch kind {
        case .int(let n): return String(n)
        case .number(let s): return s
        default: return nil
        }
    }

    public var typeName: String {
        switch kind {
        case .string: return "text"
        case .int, .number: return "a number"
        case .bool: return "true/false"
        case .list: return "a list"
        case .map: return "a map"
        }
    }
}

public struct YAMLEntry: Equatable, Sendable {
    public var key: String
    public var value: YAMLValue
    public var line: Int
    public var column: Int
}

public struct FrontMatterError: Error, Equatable {
    public var message: String
    public var line: Int
    public var column: Int
    /// The Markdown after the closing '---', when the front matter was closed: it can still be checked.
    public var body: Substring?
    public var bodyLineOffset = 0

    init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }
}

/// A file split into its front matter and Markdown body.
public struct SplitSource: Sendable {
    /// Entries of the front matter; empty when the file has none.
    public var entries: [YAMLEntry]
    public var hasFrontMatter: Bool
    public var body: Substring
    /// Number of lines before the body, added to body line numbers in diagnostics.
    public var bodyLineOffset: Int
}

/// Strict parser for the YAML subset lessons use: plain and quoted strings, integers, booleans,
/// block and flow lists, one level of nested maps. Anything else is an error, never a guess.
public enum FrontMatter {
    public static func split(_ text: String) -> Result<SplitSource, FrontMatterError> {
        var lines: [Substring] = []
        let noBOM = text.hasPrefix("\u{FEFF}") ? text.dropFirst() : Substring(text)
        guard noBOM.hasPrefix("---"), firstLine(of: noBOM).trimmingTrailing() == "---" else {
            return .success(SplitSource(entries: [], hasFrontMatter: false, body: noBOM, bodyLineOffset: 0))
        }
        var index = noBOM.startIndex
        var closingFound = false
        var lineNumber = 0
        // Line ends found on the bytes (by Characters, this loop was a fifth of parsing front
        // matter). A line ends before its '\n', or before the '\r' of a "\r\n": both are where a
        // Character starts, so the lines are the ones `isLineEnd` would give.
        let bytes = noBOM.utf8
        while index < noBOM.endIndex {
            let newline = bytes[index...].firstIndex(of: 0x0A)
            var end = newline ?? noBOM.endIndex
            if let newline, newline > index, bytes[bytes.index(before: newline)] == 0x0D { end = bytes.index(before: newline) }
            let line = noBOM[index..<end]
            lineNumber += 1
            index = newline.map { bytes.index(after: $0) } ?? noBOM.endIndex
            if lineNumber == 1 { continue }
            let trimmed = line.trimmingTrailing()
            if trimmed == "---" || trimmed == "..." { closingFound = true; break }
            lines.append(line.hasSuffix("\r") ? line.dropLast() : line)
        }
        guard closingFound else {
            return .failure(FrontMatterError(message: "front matter starts with '---' on line 1 but is never closed by a '---' line", line: 1, column: 1))
        }
        do {
            var parser = Parser(lines: lines, firstLine: 2)
            let entries = try parser.parseMap(indent: 0, depth: 0)
            return .success(SplitSource(entries: entries, hasFrontMatter: true, body: noBOM[index...], bodyLineOffset: lineNumber))
        } catch var e as FrontMatterError {
            e.body = noBOM[index...]
            e.bodyLineOffset = lineNumber
            return .failure(e)
        } catch {
            return .failure(FrontMatterError(message: "\(error)", line: 1, column: 1))
        }
    }

    private static func firstLine(of s: Substring) -> Substring {
        s[..<(s.firstIndex(where: isLineEnd) ?? s.endIndex)]
    }

    /// Swift reads "\r\n" as one Character, so CRLF files need both forms.
    static func isLineEnd(_ c: Character) -> Bool { c == "\n" || c == "\r\n" }

    struct Parser {
        let lines: [Substring]
        let firstLine: Int
        var i = 0

        init(lines: [Substring], firstLine: Int) {
            self.lines = lines
            self.firstLine = firstLine
        }

        func fail(_ message: String, _ lineIndex: Int, _ column: Int) -> FrontMatterError {
            FrontMatterError(message: message, line: firstLine + lineIndex, column: column)
        }

        static func indentOf(_ line: Substring) -> Int {
            line.utf8.prefix(while: { $0 == 0x20 }).count
        }

        static func isBlank(_ line: Substring) -> Bool {
            let t = line.utf8.drop(while: { $0 == 0x20 })
            return t.isEmpty || t.first == 0x23
        }

        mutating func skipBlank() throws {
            while i < lines.count, Parser.isBlank(lines[i]) {
                if lines[i].contains("\t") && !lines[i].allSatisfy({ $0 == " " || $0 == "\t" }) && !lines[i].drop(while: { $0 == " " }).hasASCIIPrefix("#") {
                    throw fail("tab character in indentation; use spaces", i, 1)
                }
                i += 1
            }
        }

        func rejectTabIndent(_ lineIndex: Int) throws {
            if lines[lineIndex].utf8.prefix(while: { $0 == 0x20 || $0 == 0x09 }).contains(0x09) {
                throw fail("tab character in indentation; use spaces", lineIndex, 1)
            }
        }

        mutating func parseMap(indent: Int, depth: Int) throws -> [YAMLEntry] {
            var entries: [YAMLEntry] = []
            // A handful of keys: a list is searched faster than a set is hashed into.
            var seen: [String] = []
            while true {
                try skipBlank()
                guard i < lines.count else { break }
                let line = lines[i]
                try rejectTabIndent(i)
                let ind = Parser.indentOf(line)
                if ind < indent { break }
                if ind > indent {
                    throw fail("unexpected indentation", i, ind + 1)
                }
                let rest = line.dropFirst(ind)
                if rest.hasASCIIPrefix("- ") || rest.utf8.elementsEqual("-".utf8) {
                    throw fail("a list item here has no key; put it under a key such as 'tags:'", i, ind + 1)
                }
                guard let colon = keyColon(in: rest) else {
                    if let tab = rest.firstIndex(of: "\t"), let colon = rest[..<tab].lastIndex(of: ":"), rest.index(after: colon) == tab {
                        throw fail("a tab after '\(rest[...colon])'; YAML needs a space there", i, ind + rest.distance(from: rest.startIndex, to: tab) + 1)
                    }
                    throw fail("expected 'key: value'", i, ind + 1)
                }
                let key = String(rest[..<colon])
                guard Parser.isValidKey(key) else {
                    throw fail("invalid key '\(key)'; keys are letters, digits, '_' and '-'", i, ind + 1)
                }
                if seen.contains(key) { throw fail("duplicate key '\(key)'", i, ind + 1) }
                seen.append(key)
                let keyLine = i
                let afterColon = rest[rest.index(after: colon)...]
                let valueText = afterColon.drop(while: { $0 == " " })
                let valueColumn = ind + key.count + 1 + (afterColon.count - valueText.count) + 1
                if Parser.stripComment(valueText).isEmpty {
                    // A block value follows: a list or (one level only) a map.
                    i += 1
                    try skipBlank()
                    if i < lines.count { try rejectTabIndent(i) }
                    guard i < lines.count, Parser.indentOf(lines[i]) >= indent else {
                        throw fail("'\(key)' has no value", keyLine, ind + key.count + 2)
                    }
                    let childIndent = Parser.indentOf(lines[i])
                    let childRest = lines[i].dropFirst(childIndent)
                    if childRest.hasASCIIPrefix("- ") || childRest.utf8.elementsEqual("-".utf8) {
                        guard childIndent >= indent else { break }
                        let list = try parseBlockList(indent: childIndent)
                        entries.append(YAMLEntry(key: key, value: YAMLValue(kind: .list(list), line: firstLine + keyLine + 1, column: childIndent + 1), line: firstLine + keyLine, column: ind + 1))
                    } else if childIndent > indent {
                        guard depth == 0 else {
                            throw fail("maps nest one level only", i, childIndent + 1)
                        }
                        let startLine = i
                        let map = try parseMap(indent: childIndent, depth: depth + 1)
                        entries.append(YAMLEntry(key: key, value: YAMLValue(kind: .map(map), line: firstLine + startLine, column: childIndent + 1), line: firstLine + keyLine, column: ind + 1))
                    } else {
                        throw fail("'\(key)' has no value", keyLine, ind + key.count + 2)
                    }
                } else {
                    let value = try parseInlineValue(valueText, lineIndex: i, column: valueColumn)
                    entries.append(YAMLEntry(key: key, value: value, line: firstLine + keyLine, column: ind + 1))
                    i += 1
                }
            }
            return entries
        }

        mutating func parseBlockList(indent: Int) throws -> [YAMLValue] {
            var items: [YAMLValue] = []
            while true {
                try skipBlank()
                guard i < lines.count else { break }
                let ind = Parser.indentOf(lines[i])
                let rest = lines[i].dropFirst(ind)
                guard ind == indent, rest.hasASCIIPrefix("- ") || rest.utf8.elementsEqual("-".utf8) else {
                    if ind > indent { throw fail("unexpected indentation in list", i, ind + 1) }
                    break
                }
                let valueText = rest.dropFirst(1).drop(while: { $0 == " " })
                let column = ind + 1 + (rest.count - valueText.count)
                if Parser.stripComment(valueText).isEmpty {
                    throw fail("empty list item", i, ind + 1)
                }
                if valueText.hasASCIIPrefix("- ") || valueText.hasASCIIPrefix("[") || keyColon(in: valueText) != nil && !valueText.hasASCIIPrefix("\"") && !valueText.hasASCIIPrefix("'") {
                    throw fail("nested lists and maps inside lists are not supported; quote the text if it is one value", i, column)
                }
                items.append(try parseScalar(valueText, lineIndex: i, column: column, inFlow: false))
                i += 1
            }
            return items
        }

        func parseInlineValue(_ text: Substring, lineIndex: Int, column: Int) throws -> YAMLValue {
            if text.hasASCIIPrefix("[") { return try parseFlowList(text, lineIndex: lineIndex, column: column) }
            if text.hasASCIIPrefix("{") {
                throw fail("flow maps '{...}' are not supported; write the map as indented 'key: value' lines", lineIndex, column)
            }
            if text.hasASCIIPrefix("|") || text.hasASCIIPrefix(">") {
                throw fail("block text ('|' or '>') is not supported; write the value on one line, in quotes", lineIndex, column)
            }
            return try parseScalar(text, lineIndex: lineIndex, column: column, inFlow: false)
        }

        func parseFlowList(_ text: Substring, lineIndex: Int, column: Int) throws -> YAMLValue {
            var items: [YAMLValue] = []
            var rest = text.dropFirst()
            var col = column + 1
            func skipSpaces() {
                let n = rest.prefix(while: { $0 == " " }).count
                rest = rest.dropFirst(n); col += n
            }
            skipSpaces()
            if rest.hasASCIIPrefix("]") {
                let tail = Parser.stripComment(rest.dropFirst())
                guard tail.isEmpty else { throw fail("unexpected text after ']'", lineIndex, col + 1) }
                return YAMLValue(kind: .list([]), line: firstLine + lineIndex, column: column)
            }
            while true {
                skipSpaces()
                guard let first = rest.first else {
                    throw fail("flow list is not closed with ']' on this line", lineIndex, col)
                }
                let itemText: Substring
                if first == "\"" || first == "'" {
                    guard let end = Parser.quotedEnd(rest) else { throw fail("unterminated quoted text", lineIndex, col) }
                    itemText = rest[..<end]
                } else {
                    if first == "[" || first == "{" { throw fail("nested lists or maps inside '[...]' are not supported", lineIndex, col) }
                    let end = rest.utf8.firstIndex(where: { $0 == 0x2C || $0 == 0x5D }) ?? rest.endIndex
                    itemText = rest[..<end].trimmingTrailing()
                    if itemText.isEmpty { throw fail("empty item in list", lineIndex, col) }
                }
                items.append(try parseScalar(itemText, lineIndex: lineIndex, column: col, inFlow: true))
                rest = rest[itemText.endIndex...]
                col += itemText.utf16.count
                skipSpaces()
                guard let sep = rest.first else { throw fail("flow list is not closed with ']' on this line", lineIndex, col) }
                rest = rest.dropFirst(); col += 1
                if sep == "]" {
                    let tail = Parser.stripComment(rest)
                    guard tail.isEmpty else { throw fail("unexpected text after ']'", lineIndex, col) }
                    break
                }
                guard sep == "," else { throw fail("expected ',' or ']' in list", lineIndex, col - 1) }
            }
            return YAMLValue(kind: .list(items), line: firstLine + lineIndex, column: column)
        }

        func parseScalar(_ raw: Substring, lineIndex: Int, column: Int, inFlow: Bool) throws -> YAMLValue {
            let line = firstLine + lineIndex
            if raw.first == "\"" || raw.first == "'" {
                guard let end = Parser.quotedEnd(raw) else { throw fail("unterminated quoted text", lineIndex, column) }
                let tail = Parser.stripComment(raw[end...])
                guard tail.isEmpty else {
                    throw fail("unexpected text after the closing quote", lineIndex, column + raw[..<end].utf16.count)
                }
                let inner = raw[raw.index(after: raw.startIndex)..<raw.index(before: end)]
                let value: String
                if raw.first == "'" {
                    value = inner.asciiRange(of: "''") == nil ? String(inner) : inner.replacingOccurrences(of: "''", with: "'")
                } else {
                    // Most quoted text has no escapes: taken whole, not Character by Character.
                    value = inner.utf8.contains(0x5C) ? try unescapeDouble(inner, lineIndex: lineIndex, column: column) : String(inner)
                }
                return YAMLValue(kind: .string(value), line: line, column: column)
            }
            let text = Parser.stripComment(raw)
            if let c = text.first, "&*!|>%@`{}[]".contains(c) {
                throw fail("text starting with '\(c)' must be quoted", lineIndex, column)
            }
            if text.hasASCIIPrefix("- ") || text.hasASCIIPrefix("? ") {
                throw fail("text starting with '\(text.prefix(1))' must be quoted", lineIndex, column)
            }
            if let colon = text.asciiRange(of: ": ") ?? (text.hasSuffix(":") ? text.index(before: text.endIndex)..<text.endIndex : nil) {
                throw fail("':' inside unquoted text; put the value in quotes", lineIndex, column + text[..<colon.lowerBound].utf16.count)
            }
            let s = String(text)
            switch s {
            case "true": return YAMLValue(kind: .bool(true), line: line, column: column)
            case "false": return YAMLValue(kind: .bool(false), line: line, column: column)
            case "null", "~", "Null", "NULL":
                throw fail("null values are not supported; leave the key out instead", lineIndex, column)
            case "True", "TRUE", "False", "FALSE", "yes", "no", "Yes", "No", "YES", "NO", "on", "off", "On", "Off", "ON", "OFF":
                throw fail("'\(s)' is ambiguous in YAML; write true or false, or quote it if it is text", lineIndex, column)
            default: break
            }
            if let first = s.utf8.first, first == 0x2D || (first >= 0x30 && first <= 0x39), let n = Int(s), Pattern.integer.matches(s) {
                return YAMLValue(kind: .int(n), line: line, column: column)
            }
            if let first = s.utf8.first, "+-.0123456789".utf8.contains(first), Pattern.decimal.matches(s) {
                return YAMLValue(kind: .number(s), line: line, column: column)
            }
            return YAMLValue(kind: .string(s), line: line, column: column)
        }

        func unescapeDouble(_ s: Substring, lineIndex: Int, column: Int) throws -> String {
            var out = ""
            var it = s.makeIterator()
            var offset = 1
            while let c = it.next() {
                offset += 1
                guard c == "\\" else { out.append(c); continue }
                guard let e = it.next() else { break }
                offset += 1
                switch e {
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "/": out.append("/")
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "u":
                    var hex = ""
                    for _ in 0..<4 { if let h = it.next() { hex.append(h) } }
                    guard hex.count == 4, let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else {
                        throw fail("invalid \\u escape", lineIndex, column + offset)
                    }
                    offset += 4
                    out.unicodeScalars.append(scalar)
                default:
                    throw fail("unknown escape '\\\(e)' in double-quoted text", lineIndex, column + offset - 2)
                }
            }
            return out
        }

        /// Index just after the closing quote of a quoted scalar starting at `s.startIndex`.
        static func quotedEnd(_ s: Substring) -> Substring.Index? {
            // On the bytes: quotes and '\' are ASCII, so the index found is where a scalar starts.
            let bytes = s.utf8
            guard let quote = bytes.first, quote == 0x22 || quote == 0x27 else { return nil }
            var idx = bytes.index(after: bytes.startIndex)
            while idx < bytes.endIndex {
                let c = bytes[idx]
                if quote == 0x22 && c == 0x5C {
                    // The escaped character, whatever its length (an escape of a multi-byte one is an error later).
                    idx = bytes.index(after: idx)
                    if idx < bytes.endIndex { idx = s.unicodeScalars.index(after: idx) }
                    continue
                }
                if c == quote {
                    let next = bytes.index(after: idx)
                    if quote == 0x27 && next < bytes.endIndex && bytes[next] == 0x27 { idx = bytes.index(after: next); continue }
                    return next
                }
                idx = bytes.index(after: idx)
            }
            return nil
        }

        /// Removes a ` # comment` and trailing spaces (outside quotes only; callers pass unquoted text).
        static func stripComment(_ s: Substring) -> Substring {
            var result = s
            if s.hasASCIIPrefix("#") { return s.prefix(0) }
            if let r = s.asciiRange(of: " #") { result = s[..<r.lowerBound] }
            return result.trimmingTrailing()
        }

        static func isValidKey(_ key: String) -> Bool {
            // ASCII only, checked byte by byte: CharacterSet lookups were a measurable share of loading.
            func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
            guard let first = key.utf8.first, isLetter(first) || first == 0x5F else { return false }
            return key.utf8.allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D }
        }

        func keyColon(in rest: Substring) -> Substring.Index? {
            // On the bytes (by Characters this was a tenth of parsing front matter).
            let bytes = rest.utf8
            guard let first = bytes.first, first != 0x22, first != 0x27 else { return nil }
            var idx = bytes.startIndex
            while idx < bytes.endIndex {
                let b = bytes[idx]
                if b == 0x3A {
                    let next = bytes.index(after: idx)
                    if next == bytes.endIndex || bytes[next] == 0x20 { return idx }
                }
                if b == 0x20 { return nil }
                idx = bytes.index(after: idx)
            }
            return nil
        }
    }
}

extension Substring {
    /// Without trailing spaces, tabs and '\r's (found on the bytes: the last byte of anything
    /// else is not one of them).
    func trimmingTrailing() -> Substring {
        var end = utf8.endIndex
        while end > utf8.startIndex {
            let before = utf8.index(before: end)
            let b = utf8[before]
            guard b == 0x20 || b == 0x09 || b == 0x0D else { break }
            end = before
        }
        return self[..<end]
    }

    /// Whether the text starts with these ASCII bytes (compared as bytes: `hasPrefix` goes
    /// Character by Character, and was a tenth of parsing front matter).
    func hasASCIIPrefix(_ prefix: StaticString) -> Bool {
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        return utf8.starts(with: p)
    }
}

extension Substring {
    /// The first occurrence of an ASCII needle, found on UTF-8 bytes (Foundation's `range(of:)`
    /// bridges through NSString and dominated front-matter parsing).
    func asciiRange(of needle: StaticString) -> Range<Index>? {
        let n = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard let first = n.first else { return nil }
        let bytes = utf8
        // On contiguous bytes (any native string) by offset: stepping UTF8View indices cost a
        // lesson body's scan for "[^" 1% of a cold build.
        if let offset = bytes.withContiguousStorageIfAvailable({ b -> Int in
            guard b.count >= n.count, let base = b.baseAddress else { return -1 }
            // memchr to each candidate first byte (a body's search for "[^" looks at every byte).
            var i = 0
            let last = b.count - n.count
            while i <= last, let hit = memchr(base + i, Int32(first), last - i + 1) {
                let at = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                var k = 1
                while k < n.count, b[at + k] == n[k] { k += 1 }
                if k == n.count { return at }
                i = at + 1
            }
            return -1
        }) {
            guard offset >= 0 else { return nil }
            let start = bytes.index(bytes.startIndex, offsetBy: offset)
            return start..<bytes.index(start, offsetBy: n.count)
        }
        var i = bytes.startIndex
        while i != bytes.endIndex {
            if bytes[i] == first {
                var j = i, k = 0
                while k < n.count, j != bytes.endIndex, bytes[j] == n[k] { j = bytes.index(after: j); k += 1 }
                if k == n.count { return i..<j }
            }
            i = bytes.index(after: i)
        }
        return nil
    }
}
