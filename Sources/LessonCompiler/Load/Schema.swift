import Foundation

/// What each front-matter key may hold, and the checks that make a value acceptable.
enum FieldType {
    case text
    case textOrList
    case list
    case id
    case semver
    case language
    case license
    case duration
    /// Who a lesson or curriculum is for: one of `Schema.audiences`, or a list of them.
    case audience
}

struct Schema {
    /// The audiences CONTENT.md documents; another value is a warning, so a misspelling shows.
    static let audiences = ["facilitator", "members", "advocate", "survivor"]

    let fields: [String: FieldType]
    let required: [String]
    let kind: String

    static let lesson = Schema(fields: [
        "title": .text, "id": .id, "duration": .duration, "audience": .audience, "tags": .textOrList,
        "content_warning": .text, "authors": .textOrList, "license": .license, "source": .textOrList,
    ], required: ["title"], kind: "lesson")

    static let curriculum = Schema(fields: [
        "id": .id, "title": .text, "version": .semver, "language": .language, "license": .license,
        "authors": .textOrList, "audience": .audience, "level_titles": .list, "legacy_file": .text,
    ], required: ["title", "version", "language", "license", "authors"], kind: "curriculum")

    static let unit = Schema(fields: ["title": .text, "summary": .text, "id": .id],
                             required: ["title"], kind: "unit")

    /// Checks entries against the schema; returns the accepted values as strings or string lists.
    func check(_ entries: [YAMLEntry], path: String, into diagnostics: inout [Diagnostic]) -> [String: [String]] {
        var values: [String: [String]] = [:]
        for entry in entries {
            guard let type = fields[entry.key] else {
                let known = fields.keys.sorted().joined(separator: ", ")
                var message = "unknown front-matter key '\(entry.key)' in a \(kind)"
                if let near = Schema.nearest(entry.key, in: Array(fields.keys)) { message += "; did you mean '\(near)'?" } else { message += " (known: \(known))" }
                diagnostics.append(Diagnostic(.error, .unknownKey, message, path: path, line: entry.line, column: entry.column))
                continue
            }
            if let accepted = accept(entry, type: type, path: path, into: &diagnostics) {
                values[entry.key] = accepted
            }
        }
        for key in required where values[key] == nil && !entries.contains(where: { $0.key == key }) {
            diagnostics.append(Diagnostic(.error, .missingKey, "\(kind) front matter has no '\(key)'", path: path, line: 1, column: 1))
        }
        return values
    }

    private func accept(_ entry: YAMLEntry, type: FieldType, path: String, into diagnostics: inout [Diagnostic]) -> [String]? {
        let v = entry.value
        func wrongType(_ expected: String) -> [String]? {
            var message = "'\(entry.key)' must be \(expected), not \(v.typeName)"
            if case .int = v.kind { message += "; put it in quotes if it is text" }
            if case .number = v.kind { message += "; put it in quotes if it is text" }
            if case .bool = v.kind { message += "; put it in quotes if it is text" }
            diagnostics.append(Diagnostic(.error, .wrongType, message, path: path, line: v.line, column: v.column))
            return nil
        }
        func invalid(_ message: String, _ rule: Rule = .invalidValue) -> [String]? {
            diagnostics.append(Diagnostic(.error, rule, message, path: path, line: v.line, column: v.column))
            return nil
        }
        func strings(of list: [YAMLValue]) -> [String]? {
            var out: [String] = []
            for item in list {
                guard case .string(let s) = item.kind else {
                    diagnostics.append(Diagnostic(.error, .wrongType, "items of '\(entry.key)' must be text, not \(item.typeName)", path: path, line: item.line, column: item.column))
                    return nil
                }
                out.append(s)
            }
            return out
        }
        // A version or duration YAML reads as a number (`1.0`, `20`) gets the one message that shows
        // the accepted form, not "must be text" first and "not semantic versioning" after quoting.
        if type == .semver || type == .duration, let written = v.numberText {
            return type == .semver ? invalid(Schema.versionMessage(written)) : invalid(Schema.durationMessage(written))
        }
        switch type {
        case .audience:
            let list: [String]?
            if case .string(let s) = v.kind { list = nonEmpty(s) ? [s] : invalid("'\(entry.key)' is empty") }
            else if case .list(let items) = v.kind { list = strings(of: items) }
            else { return wrongType("text or a list of text") }
            for a in list ?? [] where !Schema.audiences.contains(a) {
                let near = Schema.nearest(a, in: Schema.audiences).map { "did you mean '\($0)'? " } ?? ""
                diagnostics.append(Diagnostic(.warning, .unknownAudience, "audience '\(a)' is not one lessonc knows; \(near)Audiences are \(Schema.audiences.joined(separator: ", "))", path: path, line: v.line, column: v.column))
            }
            return list
        case .textOrList:
            if case .string(let s) = v.kind { return nonEmpty(s) ? [s] : invalid("'\(entry.key)' is empty") }
            if case .list(let list) = v.kind { return strings(of: list) }
            return wrongType("text or a list of text")
        case .list:
            if case .list(let list) = v.kind { return strings(of: list) }
            return wrongType("a list")
        default:
            guard case .string(let s) = v.kind else { return wrongType("text") }
            guard nonEmpty(s) else { return invalid("'\(entry.key)' is empty") }
            switch type {
            case .id:
                guard Pattern.id.matches(s), s.count <= 100 else {
                    return invalid("id '\(s)' must be lowercase letters, digits, '-', '_' or '.', starting with a letter or digit", .invalidId)
                }
            case .semver:
                guard Pattern.semver.matches(s) else { return invalid(Schema.versionMessage(s)) }
            case .language:
                guard Pattern.languageTag.matches(s) else {
                    return invalid("language '\(s)' is not a BCP 47 tag such as en, sw, fr-CA or zh-Hant")
                }
            case .license:
                guard Pattern.spdx.matches(s) else {
                    return invalid("license '\(s)' is not an SPDX identifier such as CC-BY-4.0")
                }
            case .duration:
                guard Pattern.duration.matches(s) else { return invalid(Schema.durationMessage(s)) }
            default: break
            }
            return [s]
        }
    }

    private func nonEmpty(_ s: String) -> Bool { s.contains { !$0.isWhitespace } }

    static func versionMessage(_ written: String) -> String {
        // `1`, `1.0`, `v1.2`: the same numbers padded to MAJOR.MINOR.PATCH.
        let parts = written.drop(while: { $0 == "v" || $0 == "V" }).split(separator: ".", omittingEmptySubsequences: false)
        if (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && Int($0) != nil }) {
            let padded = (parts.map { String(Int($0)!) } + ["0", "0"]).prefix(3).joined(separator: ".")
            return "version '\(written)' is not MAJOR.MINOR.PATCH; write version: \(padded)"
        }
        return "version '\(written)' is not MAJOR.MINOR.PATCH (semantic versioning), e.g. 1.0.0"
    }

    static func durationMessage(_ written: String) -> String {
        if Int(written) != nil { return "duration '\(written)' has no unit; write duration: \(written) min" }
        return "duration '\(written)' is not like '20 min' or '1 h 30 min'"
    }

    /// The closest known key within two edits, for "did you mean" hints.
    static func nearest(_ key: String, in candidates: [String]) -> String? {
        var best: (String, Int)?
        for c in candidates.sorted() {
            let d = editDistance(Array(key.lowercased()), Array(c.lowercased()))
            if d <= 2, best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}
