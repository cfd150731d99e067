import LessonSupport

/// Inline runs of a compiled lesson: what native apps render without parsing HTML.
public indirect enum Inline: Equatable, Sendable {
    case text(String)
    case emphasis([Inline])
    case strong([Inline])
    case strikethrough([Inline])
    case code(String)
    case lineBreak
    /// A link to another lesson (by id) or to an external URL.
    case link(target: LinkTarget, title: String, children: [Inline])
    case image(Image)
    /// A reference to the footnote with this number (numbered in order of first reference).
    case footnoteReference(Int)
}

public enum LinkTarget: Equatable, Sendable {
    case lesson(id: String, curriculum: String)
    case url(String)
    case asset(String)
}

public struct Image: Equatable, Sendable {
    /// Path relative to the curriculum folder, e.g. `assets/cash-box.svg`.
    public var src: String
    public var alt: String
    public var title: String
    public var size: Int
}

public struct ListItem: Equatable, Sendable {
    public var blocks: [Block]
    public var checked: Bool?
}

public struct QuizOption: Equatable, Sendable {
    public var inlines: [Inline]
    public var correct: Bool
}

public struct TableCell: Equatable, Sendable {
    public var inlines: [Inline]
}

/// Typed blocks of a compiled lesson.
public indirect enum Block: Equatable, Sendable {
    case heading(level: Int, inlines: [Inline])
    case paragraph([Inline])
    case list(ordered: Bool, start: Int, items: [ListItem])
    case table(alignments: [String], header: [TableCell], rows: [[TableCell]])
    case image(Image)
    case callout(kind: String, title: [Inline], duration: String?, blocks: [Block])
    case quiz(question: [Block], options: [QuizOption], explanation: [Block])
    case quote([Block])
    case code(language: String, text: String)
    case rule
    /// A footnote's text; footnotes come last in a lesson, in number order.
    case footnote(number: Int, blocks: [Block])
}

// MARK: - JSON form

extension Inline {
    public var json: JSON {
        switch self {
        case .text(let s): return ["type": "text", "text": .string(s)]
        case .emphasis(let c): return ["type": "emphasis", "children": Inline.json(c)]
        case .strong(let c): return ["type": "strong", "children": Inline.json(c)]
        case .strikethrough(let c): return ["type": "strikethrough", "children": Inline.json(c)]
        case .code(let s): return ["type": "code", "text": .string(s)]
        case .lineBreak: return ["type": "break"]
        case .link(let target, let title, let children):
            var o: [String: JSON] = ["type": "link", "children": Inline.json(children)]
            switch target {
            case .lesson(let id, let curriculum): o["lesson"] = .string(id); o["curriculum"] = .string(curriculum)
            case .url(let u): o["url"] = .string(u)
            case .asset(let a): o["asset"] = .string(a)
            }
            if !title.isEmpty { o["title"] = .string(title) }
            return .object(o)
        case .image(let img): return img.json(type: "image")
        case .footnoteReference(let n): return ["type": "footnote_ref", "number": .int(n)]
        }
    }

    public static func json(_ list: [Inline]) -> JSON { .array(list.map(\.json)) }
}

extension Image {
    func json(type: String) -> JSON {
        var o: [String: JSON] = ["type": .string(type), "src": .string(src), "alt": .string(alt), "size": .int(size)]
        if !title.isEmpty { o["title"] = .string(title) }
        return .object(o)
    }
}

extension Block {
    public var json: JSON {
        switch self {
        case .heading(let level, let inlines):
            return ["type": "heading", "level": .int(level), "inlines": Inline.json(inlines)]
        case .paragraph(let inlines):
            return ["type": "paragraph", "inlines": Inline.json(inlines)]
        case .list(let ordered, let start, let items):
            var o: [String: JSON] = ["type": "list", "ordered": .bool(ordered), "items": .array(items.map { item in
                var i: [String: JSON] = ["blocks": Block.json(item.blocks)]
                if let c = item.checked { i["checked"] = .bool(c) }
                return .object(i)
            })]
            if ordered { o["start"] = .int(start) }
            return .object(o)
        case .table(let alignments, let header, let rows):
            return ["type": "table",
                    "align": .array(alignments.map { .string($0) }),
                    "header": .array(header.map { Inline.json($0.inlines) }),
                    "rows": .array(rows.map { .array($0.map { Inline.json($0.inlines) }) })]
        case .image(let img):
            return img.json(type: "image")
        case .callout(let kind, let title, let duration, let blocks):
            var o: [String: JSON] = ["type": "callout", "kind": .string(kind), "blocks": Block.json(blocks)]
            if !title.isEmpty { o["title"] = Inline.json(title) }
            if let duration { o["duration"] = .string(duration) }
            return .object(o)
        case .quiz(let question, let options, let explanation):
            var o: [String: JSON] = ["type": "quiz", "question": Block.json(question),
                                     "options": .array(options.map { ["inlines": Inline.json($0.inlines), "correct": .bool($0.correct)] })]
            if !explanation.isEmpty { o["explanation"] = Block.json(explanation) }
            return .object(o)
        case .quote(let blocks):
            return ["type": "quote", "blocks": Block.json(blocks)]
        case .code(let language, let text):
            var o: [String: JSON] = ["type": "code", "text": .string(text)]
            if !language.isEmpty { o["language"] = .string(language) }
            return .object(o)
        case .rule:
            return ["type": "rule"]
        case .footnote(let number, let blocks):
            return ["type": "footnote", "number": .int(number), "blocks": Block.json(blocks)]
        }
    }

    public static func json(_ list: [Block]) -> JSON { .array(list.map(\.json)) }
}

extension Block {
    /// Whether any block holds a footnote or a reference to one (lesson format 2).
    static func containsFootnotes(_ blocks: [Block]) -> Bool {
        blocks.contains { b in
            switch b {
            case .footnote: return true
            case .heading(_, let i), .paragraph(let i): return Inline.containsFootnotes(i)
            case .list(_, _, let items): return items.contains { containsFootnotes($0.blocks) }
            case .table(_, let header, let rows): return (header + rows.flatMap { $0 }).contains { Inline.containsFootnotes($0.inlines) }
            case .callout(_, let title, _, let inner): return Inline.containsFootnotes(title) || containsFootnotes(inner)
            case .quiz(let q, let options, let e): return containsFootnotes(q + e) || options.contains { Inline.containsFootnotes($0.inlines) }
            case .quote(let inner): return containsFootnotes(inner)
            case .image, .code, .rule: return false
            }
        }
    }
}

extension Inline {
    static func containsFootnotes(_ list: [Inline]) -> Bool {
        list.contains { i in
            switch i {
            case .footnoteReference: return true
            case .emphasis(let c), .strong(let c), .strikethrough(let c), .link(_, _, let c): return containsFootnotes(c)
            case .text, .code, .lineBreak, .image: return false
            }
        }
    }
}
