import Foundation
import LessonSupport

/// A curriculum in the RCC apps' legacy format (Gson model `ApiMainResponse`):
///
///     { "curriculum": { "title", "version", "settings": { "language", "level_titles": { "1": … } },
///                       "content": [ { "title", "content": "<escaped HTML>", "subsections": [ … ] } ] } }
public struct LegacyCurriculum: Equatable, Sendable {
    /// Empty when the file has none (older export pipelines left it out).
    public var title: String
    /// As the apps show it, e.g. `1.0`; empty when the file has none.
    public var version: String
    /// An English language name, e.g. `English`.
    public var language: String
    /// Level titles in key order ("1", "2", …); empty titles are kept, the apps index them by level.
    public var levelTitles: [String]
    public var content: [LegacyNode]

    public init(title: String, version: String, language: String, levelTitles: [String], content: [LegacyNode]) {
        self.title = title
        self.version = version
        self.language = language
        self.levelTitles = levelTitles
        self.content = content
    }
}

public struct LegacyNode: Equatable, Sendable {
    public var title: String
    /// HTML that has itself been entity-escaped once (`&lt;p&gt;…`).
    public var content: String
    public var subsections: [LegacyNode]

    public init(title: String, content: String, subsections: [LegacyNode] = []) {
        self.title = title
        self.content = content
        self.subsections = subsections
    }
}

/// A problem with a legacy file or its conversion. `line`/`column` are set when the position
/// in the input file is known (JSON syntax and encoding errors).
public struct LegacyIssue: Error, Equatable, Sendable, CustomStringConvertible {
    public var severity: Severity
    public var message: String
    public var line: Int?
    public var column: Int?

    public init(_ severity: Severity, _ message: String, line: Int? = nil, column: Int? = nil) {
        self.severity = severity
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        line.map { "\($0):\(column ?? 1): \(severity.rawValue): \(message)" } ?? "\(severity.rawValue): \(message)"
    }

    /// `FILE:line:column: severity: message`, or `FILE: severity: message` without a position.
    public func formatted(file: String) -> String {
        if let line { return "\(file):\(line):\(column ?? 1): \(severity.rawValue): \(message)" }
        return "\(file): \(severity.rawValue): \(message)"
    }
}

extension LegacyCurriculum {
    /// Legacy sections may nest five levels: four become unit folders (`Loader.maxUnitDepth`), the fifth lessons.
    public static let maxDepth = Loader.maxUnitDepth + 1

    /// Reads a legacy file strictly: every problem is a `LegacyIssue` error naming where it is.
    /// Unknown keys are reported in `warnings` rather than silently ignored.
    public static func read(_ data: Data, warnings: inout [LegacyIssue]) throws -> LegacyCurriculum {
        guard String(validating: data, as: UTF8.self) != nil else {
            let (line, column, offset) = Loader.firstInvalidUTF8(data)
            throw LegacyIssue(.error, "invalid UTF-8 at byte \(offset); save the file as UTF-8", line: line, column: column)
        }
        let json: JSON
        do {
            // Nesting is checked below with a clearer message; this cap only protects the stack.
            json = try JSON.parse(data, maxDepth: 512)
        } catch let e as JSONParseError {
            throw LegacyIssue(.error, "invalid JSON: \(e.message)", line: e.line, column: e.column)
        }
        var reader = Reader(warnings: warnings)
        defer { warnings = reader.warnings }
        return try reader.curriculum(json)
    }

    /// The legacy JSON document, exactly in the apps' shape.
    public var json: JSON {
        var levels: [String: JSON] = [:]
        for (i, t) in levelTitles.enumerated() { levels[String(i + 1)] = .string(t) }
        return ["curriculum": [
            "title": .string(title),
            "version": .string(version),
            "settings": ["language": .string(language), "level_titles": .object(levels)],
            "content": .array(content.map(\.json)),
        ]]
    }

    private struct Reader {
        var warnings: [LegacyIssue]

        func fail(_ message: String) -> LegacyIssue { LegacyIssue(.error, message) }

        /// `known` nil accepts any key.
        mutating func object(_ value: JSON?, _ where_: String, known: Set<String>?) throws -> [String: JSON] {
            guard let value else { throw fail("missing key '\(where_)'") }
            guard case .object(let o) = value else { throw fail("'\(where_)' must be an object, not \(Reader.typeName(value))") }
            for key in o.keys.sorted() where known?.contains(key) == false {
                warnings.append(LegacyIssue(.warning, "unknown key '\(where_.isEmpty ? key : "\(where_).\(key)")' is ignored"))
            }
            return o
        }

        func string(_ value: JSON?, _ where_: String) throws -> String {
            guard let value else { throw fail("missing key '\(where_)'") }
            guard case .string(let s) = value else { throw fail("'\(where_)' must be a string, not \(Reader.typeName(value))") }
            return s
        }

        mutating func curriculum(_ json: JSON) throws -> LegacyCurriculum {
            guard case .object(let top) = json, top["curriculum"] != nil else {
                throw fail("the file must hold an object with a 'curriculum' key; this is not an RCC curriculum file")
            }
            _ = try object(json, "", known: ["curriculum"])
            let c = try object(top["curriculum"], "curriculum", known: ["title", "version", "settings", "content"])
            let settings = try object(c["settings"], "curriculum.settings", known: ["language", "level_titles"])
            var levelTitles: [String] = []
            if let levels = settings["level_titles"] {
                let o = try object(levels, "curriculum.settings.level_titles", known: nil)
                // Keys are level numbers; anything else would lose its place.
                var byLevel: [Int: String] = [:]
                for key in o.keys {
                    guard let n = Int(key), n >= 1, n <= 99, String(n) == key else {
                        throw fail("'curriculum.settings.level_titles' keys must be level numbers 1, 2, 3…, not '\(key)'")
                    }
                    byLevel[n] = try string(o[key], "curriculum.settings.level_titles.\(key)")
                }
                if let deepest = byLevel.keys.max() {
                    for n in 1...deepest {
                        guard let t = byLevel[n] else { throw fail("'curriculum.settings.level_titles' has no level \(n) but has level \(deepest)") }
                        levelTitles.append(t)
                    }
                }
            }
            guard case .array(let list)? = c["content"] else {
                if let v = c["content"] { throw fail("'curriculum.content' must be an array, not \(Reader.typeName(v))") }
                throw fail("missing key 'curriculum.content'")
            }
            // Older export pipelines leave out the title or the version: the importer derives them.
            return LegacyCurriculum(
                title: c["title"] == nil ? "" : try string(c["title"], "curriculum.title"),
                version: c["version"] == nil ? "" : try string(c["version"], "curriculum.version"),
                language: try string(settings["language"], "curriculum.settings.language"),
                levelTitles: levelTitles,
                content: try nodes(list, path: "curriculum.content", titles: [], depth: 1))
        }

        mutating func nodes(_ list: [JSON], path: String, titles: [String], depth: Int) throws -> [LegacyNode] {
            var result: [LegacyNode] = []
            for (i, item) in list.enumerated() {
                let here = "\(path)[\(i)]"
                let o = try object(item, here, known: ["title", "content", "subsections"])
                let title = try string(o["title"], "\(here).title")
                let names = titles + [title]
                let content = try string(o["content"], "\(here).content")
                if content.utf8.count > Loader.maxLessonBytes {
                    throw fail("'\(here).content' (\(LegacyNode.name(names))) is \(content.utf8.count) bytes; a lesson may be at most \(Loader.maxLessonBytes) bytes (1 MiB): split it in the legacy file")
                }
                var subsections: [LegacyNode] = []
                if let sub = o["subsections"] {
                    guard case .array(let children) = sub else {
                        throw fail("'\(here).subsections' must be an array, not \(Reader.typeName(sub))")
                    }
                    if !children.isEmpty && depth >= LegacyCurriculum.maxDepth {
                        throw fail("'\(here)' (\(LegacyNode.name(names))) has subsections at level \(depth + 1); lessonc nests units \(Loader.maxUnitDepth) levels deep, so legacy sections may nest at most \(LegacyCurriculum.maxDepth) levels")
                    }
                    subsections = try nodes(children, path: "\(here).subsections", titles: names, depth: depth + 1)
                }
                result.append(LegacyNode(title: title, content: content, subsections: subsections))
            }
            return result
        }

        static func typeName(_ v: JSON) -> String {
            switch v {
            case .null: return "null"
            case .bool: return "true/false"
            case .int, .double: return "a number"
            case .string: return "a string"
            case .array: return "an array"
            case .object: return "an object"
            }
        }
    }
}

extension LegacyNode {
    var json: JSON {
        ["title": .string(title), "content": .string(content), "subsections": .array(subsections.map(\.json))]
    }

    /// How warnings name a node: its titles from the top, `Listen › Ethics of Confidentiality`.
    static func name(_ titles: [String]) -> String {
        "'" + titles.joined(separator: " › ") + "'"
    }
}
