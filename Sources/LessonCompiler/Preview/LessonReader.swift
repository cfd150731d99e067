import Foundation
import LessonSupport

/// A compiled lesson read back from its JSON document: the preview shows what a device gets,
/// so it starts from the very bytes a device downloads (fresh from the compiler or from the
/// compile cache's blobs), never from a second compile.
struct PreviewLesson: Sendable {
    var id: String
    var title: String
    var locale: String
    var sourceLocale: String
    var direction: TextDirection
    var fallback: Bool
    var coverage: Int?
    var duration: String?
    var contentWarning: String?
    var audience: [String]
    var blocks: [Block]

    /// The language the text is in: a fallback holds the source language's text.
    var textLocale: String { fallback ? sourceLocale : locale }
}

/// Reads `lessonc-lesson/1` and `/2` documents (what `LessonJSON` writes) into blocks.
enum LessonReader {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func read(_ bytes: [UInt8]) throws -> PreviewLesson {
        let json = try JSON.parse(Data(bytes))
        let meta = json["metadata"]
        return PreviewLesson(
            id: try string(json["id"], "id"), title: try string(json["title"], "title"),
            locale: try string(json["locale"], "locale"), sourceLocale: try string(json["source_locale"], "source_locale"),
            direction: TextDirection(rawValue: json["direction"]?.stringValue ?? "") ?? .ltr,
            fallback: json["fallback"]?.boolValue ?? false, coverage: json["coverage"]?.intValue,
            duration: meta?["duration"]?.stringValue, contentWarning: meta?["content_warning"]?.stringValue,
            audience: meta?["audience"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            blocks: try blocks(json["blocks"]))
    }

    private static func string(_ j: JSON?, _ what: String) throws -> String {
        guard let s = j?.stringValue else { throw Malformed(description: "'\(what)' is missing or not a string") }
        return s
    }

    static func blocks(_ j: JSON?) throws -> [Block] {
        try (j?.arrayValue ?? []).map(block)
    }

    static func inlines(_ j: JSON?) throws -> [Inline] {
        try (j?.arrayValue ?? []).map(inline)
    }

    /// A block, inside its own language when it carries `lang` and `dir` (lesson format 3).
    static func block(_ j: JSON) throws -> Block {
        let block = try plainBlock(j)
        guard let language = language(j) else { return block }
        return .inLanguage(language, block)
    }

    /// `lang` and `dir` of a block or span left in another language than the lesson's.
    static func language(_ j: JSON) -> TextLanguage? {
        guard let tag = j["lang"]?.stringValue else { return nil }
        var language = TextLanguage(tag)
        if let dir = j["dir"]?.stringValue.flatMap(TextDirection.init(rawValue:)) { language.direction = dir }
        return language
    }

    static func plainBlock(_ j: JSON) throws -> Block {
        switch j["type"]?.stringValue {
        case "heading": return .heading(level: j["level"]?.intValue ?? 2, inlines: try inlines(j["inlines"]))
        case "paragraph": return .paragraph(try inlines(j["inlines"]))
        case "list":
            let items = try (j["items"]?.arrayValue ?? []).map { ListItem(blocks: try blocks($0["blocks"]), checked: $0["checked"]?.boolValue) }
            let ordered = j["ordered"]?.boolValue ?? false
            // An unordered list has no start: the model holds 0 (LessonJSON writes none).
            return .list(ordered: ordered, start: j["start"]?.intValue ?? (ordered ? 1 : 0), items: items)
        case "table":
            let header = try (j["header"]?.arrayValue ?? []).map { TableCell(inlines: try inlines($0)) }
            let rows = try (j["rows"]?.arrayValue ?? []).map { row in try (row.arrayValue ?? []).map { TableCell(inlines: try inlines($0)) } }
            let alignments = (j["align"]?.arrayValue ?? []).map { TableAlignment(rawValue: $0.stringValue ?? "") ?? .none }
            return .table(alignments: alignments, header: header, rows: rows)
        case "image": return .image(image(j))
        case "callout":
            guard let kind = CalloutKind(rawValue: j["kind"]?.stringValue ?? "") else {
                throw Malformed(description: "unknown callout kind \(j["kind"]?.stringValue ?? "")")
            }
            return .callout(kind: kind, title: try inlines(j["title"]), duration: j["duration"]?.stringValue, blocks: try blocks(j["blocks"]))
        case "quiz":
            let options = try (j["options"]?.arrayValue ?? []).map { QuizOption(inlines: try inlines($0["inlines"]), correct: $0["correct"]?.boolValue ?? false) }
            return .quiz(question: try blocks(j["question"]), options: options, explanation: try blocks(j["explanation"]))
        case "quote": return .quote(try blocks(j["blocks"]))
        case "code": return .code(language: j["language"]?.stringValue ?? "", text: j["text"]?.stringValue ?? "")
        case "rule": return .rule
        case "footnote": return .footnote(number: j["number"]?.intValue ?? 0, blocks: try blocks(j["blocks"]))
        case let other: throw Malformed(description: "unknown block type \(other ?? "(none)")")
        }
    }

    static func inline(_ j: JSON) throws -> Inline {
        switch j["type"]?.stringValue {
        case "text": return .text(j["text"]?.stringValue ?? "")
        case "emphasis": return .emphasis(try inlines(j["children"]))
        case "strong": return .strong(try inlines(j["children"]))
        case "strikethrough": return .strikethrough(try inlines(j["children"]))
        case "code": return .code(j["text"]?.stringValue ?? "")
        case "break": return .lineBreak
        case "image": return .image(image(j))
        case "footnote_ref": return .footnoteReference(j["number"]?.intValue ?? 0)
        case "span":
            guard let language = language(j) else { throw Malformed(description: "a span without lang") }
            return .inLanguage(language, try inlines(j["children"]))
        case "link":
            let target: LinkTarget
            if let id = j["lesson"]?.stringValue {
                target = .lesson(id: id, curriculum: j["curriculum"]?.stringValue ?? "")
            } else if let asset = j["asset"]?.stringValue {
                target = .asset(asset)
            } else {
                target = .url(j["url"]?.stringValue ?? "")
            }
            return .link(target: target, title: j["title"]?.stringValue ?? "", children: try inlines(j["children"]))
        case let other: throw Malformed(description: "unknown inline type \(other ?? "(none)")")
        }
    }

    static func image(_ j: JSON) -> Image {
        Image(src: j["src"]?.stringValue ?? "", alt: j["alt"]?.stringValue ?? "", title: j["title"]?.stringValue ?? "", size: j["size"]?.intValue ?? 0)
    }
}
