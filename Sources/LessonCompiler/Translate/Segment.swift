/// XLIFF inline content of one segment: text plus inline codes that stand for the Markdown
/// the translator must not touch (link targets, code, images).
public indirect enum SegmentRun: Equatable, Sendable {
    case text(String)
    /// `<g>`: paired formatting the translator keeps around the words it belongs to.
    case group(id: String, ctype: String, children: [SegmentRun])
    /// `<x/>`: a standalone code (image, line break).
    case placeholder(id: String, ctype: String, equiv: String)
    /// `<ph>`: native code the translator sees but never translates (code spans).
    case native(id: String, ctype: String, code: String)

    var codeID: String? {
        switch self {
        case .text: return nil
        case .group(let id, _, _), .placeholder(let id, _, _), .native(let id, _, _): return id
        }
    }
}

/// Where a segment sits in a lesson; part of its unit id (`lesson-id/kind-n`).
public enum SegmentKind: String, Sendable, CaseIterable {
    case title
    case contentWarning = "content-warning"
    case heading = "h"
    case paragraph = "p"
    case listItem = "li"
    case tableHeader = "th"
    case tableCell = "td"
    case calloutTitle = "callout-title"
    case quizQuestion = "quiz-q"
    case quizOption = "quiz-option"
    case quizExplanation = "quiz-explanation"
    case imageAlt = "alt"
    case imageTitle = "caption"
    case footnote = "fn"
    // The curriculum's own texts (the pseudo-lesson `_curriculum`): devices show them in menus.
    case description
    case levelTitle = "level-title"
    case unitTitle = "unit-title"
    case unitSummary = "unit-summary"
    case durationUnit = "duration-unit"
}

/// Where a text sits, beyond its kind: what translators are told about it (extract's notes).
struct SegmentPlace: Sendable, Equatable {
    var headingLevel: Int?
    /// The callout around the text (`tip`, `warning`, …).
    var callout: String?
    /// For a quiz option: whether it is a correct answer.
    var correct: Bool?
    var inQuote = false
    /// The image an alt text or caption describes.
    var image: String?
}

/// One translatable text of a lesson.
public struct Segment: Sendable {
    public var kind: SegmentKind
    /// Whitespace-normalised runs: runs of spaces collapse and the ends are trimmed, so re-wrapping
    /// a paragraph in the Markdown gives the same segment.
    public var runs: [SegmentRun]
    /// The source inline behind each code id, to rebuild a translation with the source's links, code and images.
    var codes: [String: Inline]

    /// A plain text (a title, a description) as a segment; nil when it holds nothing to translate.
    init?(kind: SegmentKind, text: String) { self.init(kind: kind, inlines: [.text(text)]) }

    /// The segment for a text, or nil when it holds nothing to translate (only codes, spaces or symbols).
    init?(kind: SegmentKind, inlines: [Inline]) {
        var codes: [String: Inline] = [:]
        var next = 0
        let runs = Segment.normalized(Segment.runs(inlines, &next, &codes))
        guard Segment.plainText(runs).contains(where: { $0.isLetter || $0.isNumber }) else { return nil }
        self.kind = kind
        self.runs = runs
        self.codes = codes
        self.key = XLIFFWriter.inline(runs)
    }

    /// Compares segments: the XLIFF serialization of the normalised runs.
    public let key: String

    public var words: Int { Segment.wordCount(runs) }

    // MARK: Inlines → runs

    private static func runs(_ list: [Inline], _ next: inout Int, _ codes: inout [String: Inline]) -> [SegmentRun] {
        var out: [SegmentRun] = []
        func newID(_ inline: Inline) -> String {
            next += 1
            codes[String(next)] = inline
            return String(next)
        }
        for inline in list {
            switch inline {
            case .text(let s): out.append(.text(s))
            case .emphasis(let c): let id = newID(inline); out.append(.group(id: id, ctype: "italic", children: runs(c, &next, &codes)))
            case .strong(let c): let id = newID(inline); out.append(.group(id: id, ctype: "bold", children: runs(c, &next, &codes)))
            case .strikethrough(let c): let id = newID(inline); out.append(.group(id: id, ctype: "x-strikethrough", children: runs(c, &next, &codes)))
            case .link(_, _, let c): let id = newID(inline); out.append(.group(id: id, ctype: "link", children: runs(c, &next, &codes)))
            case .code(let s): out.append(.native(id: newID(inline), ctype: "x-code", code: s))
            case .lineBreak: out.append(.placeholder(id: newID(inline), ctype: "lb", equiv: ""))
            case .image(let img): out.append(.placeholder(id: newID(inline), ctype: "image", equiv: img.src))
            // The translator moves the note's number with the words it belongs to, and never changes it.
            case .footnoteReference(let n): out.append(.placeholder(id: newID(inline), ctype: "x-footnote", equiv: "[^\(n)]"))
            // Only translated lessons carry marks; their words are the text's own.
            case .inLanguage(_, let c): out += runs(c, &next, &codes)
            }
        }
        return out
    }

    // MARK: Runs → inlines

    /// Rebuilds inlines from translated runs: codes become the source's inlines, so link targets,
    /// code and images come from the source whatever the translator did.
    func inlines(from runs: [SegmentRun]) -> [Inline] {
        var out: [Inline] = []
        func append(_ i: Inline) {
            if case .text(let t) = i, case .text(let prev)? = out.last { out[out.count - 1] = .text(prev + t) } else { out.append(i) }
        }
        for run in runs {
            switch run {
            case .text(let s): if !s.isEmpty { append(.text(s)) }
            case .group(let id, _, let children):
                let inner = inlines(from: children)
                switch codes[id] {
                case .emphasis?: append(.emphasis(inner))
                case .strong?: append(.strong(inner))
                case .strikethrough?: append(.strikethrough(inner))
                case .link(let target, let title, _)?: append(.link(target: target, title: title, children: inner))
                default: inner.forEach(append)   // an unknown code was reported by the checks; keep its words
                }
            case .placeholder(let id, _, _), .native(let id, _, _):
                if let code = codes[id] { append(code) }
            }
        }
        return out
    }

    // MARK: Text helpers

    /// Collapses whitespace in text (never inside code) and trims the segment's ends.
    static func normalized(_ runs: [SegmentRun]) -> [SegmentRun] {
        // What extract wrote is normalised already: most runs come back as they are.
        if isNormalized(runs, top: true) { return runs }
        var out = collapse(runs)
        if case .text(let s)? = out.first, s.unicodeScalars.first == " " { out[0] = .text(String(s.unicodeScalars.dropFirst())) }
        if case .text(let s)? = out.last, s.unicodeScalars.last == " " { out[out.count - 1] = .text(String(s.unicodeScalars.dropLast())) }
        return out.filter { if case .text(let s) = $0 { return !s.isEmpty }; return true }
    }

    /// Breaking spaces only: a no-break space is meant (French puts one before "?").
    static func isCollapsible(_ u: Unicode.Scalar) -> Bool {
        u.value < 128 ? (u == " " || u == "\n" || u == "\t" || u == "\r")
            : u.properties.isWhitespace && u != "\u{A0}" && u != "\u{202F}" && u != "\u{2007}"
    }

    private static func collapse(_ runs: [SegmentRun]) -> [SegmentRun] {
        var out: [SegmentRun] = []
        for run in runs {
            switch run {
            case .text(let s):
                var t = collapseSpaces(s)
                if case .text(let prev)? = out.last {
                    out.removeLast()
                    t = prev.hasSuffix(" ") && t.hasPrefix(" ") ? prev + t.dropFirst() : prev + t
                }
                out.append(.text(t))
            case .group(let id, let ctype, let children): out.append(.group(id: id, ctype: ctype, children: collapse(children)))
            default: out.append(run)
            }
        }
        return out
    }

    /// Whether `normalized` would return these runs unchanged.
    private static func isNormalized(_ runs: [SegmentRun], top: Bool) -> Bool {
        var previousText = false
        for (i, run) in runs.enumerated() {
            switch run {
            case .text(let s):
                if previousText || s.isEmpty || !hasCollapsedSpaces(s) { return false }
                if top && i == 0 && s.utf8.first == 0x20 { return false }
                if top && i == runs.count - 1 && s.utf8.last == 0x20 { return false }
                // Spaces collapse across neighbouring texts only; codes keep them apart.
                previousText = true
            case .group(_, _, let children):
                if !isNormalized(children, top: false) { return false }
                previousText = false
            default: previousText = false
            }
        }
        return true
    }

    /// No tab, line end, double space or non-ASCII space (lead bytes of U+0085, U+2000…, U+3000) to collapse.
    static func hasCollapsedSpaces(_ s: String) -> Bool {
        var previousSpace = false
        for b in s.utf8 {
            if (0x09...0x0D).contains(b) || b == 0xC2 || b == 0xE1 || b == 0xE2 || b == 0xE3 || (b == 0x20 && previousSpace) { return false }
            previousSpace = b == 0x20
        }
        return true
    }

    /// Runs of breaking whitespace become one space. Most texts have none to collapse: they are
    /// returned as they are, without walking their scalars (this was the build's hottest loop).
    static func collapseSpaces(_ s: String) -> String {
        if hasCollapsedSpaces(s) { return s }
        var t = String.UnicodeScalarView()
        var space = false
        for u in s.unicodeScalars {
            if isCollapsible(u) { space = true; continue }
            if space { t.append(" "); space = false }
            t.append(u)
        }
        if space { t.append(" ") }
        return String(t)
    }

    /// Text of runs with `<g>` contents inline and each standalone code replaced by `code(run)`.
    static func text(_ runs: [SegmentRun], code: (SegmentRun) -> String) -> String {
        runs.map { run -> String in
            switch run {
            case .text(let s): return s
            case .group(_, _, let c): return text(c, code: code)
            default: return code(run)
            }
        }.joined()
    }

    /// The translatable text only: group contents included, codes left out.
    static func plainText(_ runs: [SegmentRun]) -> String { text(runs) { _ in "" } }

    /// Words: runs of non-space characters holding a letter or a digit.
    static func wordCount(_ runs: [SegmentRun]) -> Int {
        var count = 0
        var inWord = false, counted = false
        for u in plainText(runs).unicodeScalars {
            // ASCII first: Unicode properties are slow to look up.
            let space = u.value < 0x80 ? (u == " " || (0x09...0x0D).contains(u.value)) : u.properties.isWhitespace
            if space { inWord = false; continue }
            if !inWord { inWord = true; counted = false }
            if !counted {
                let wordy = u.value < 0x80 ? ((0x30...0x39).contains(u.value) || (0x41...0x5A).contains(u.value) || (0x61...0x7A).contains(u.value))
                    : (u.properties.isAlphabetic || u.properties.numericType != nil)
                if wordy { count += 1; counted = true }
            }
        }
        return count
    }
}

/// Visits every translatable text of a compiled lesson in document order and rebuilds the lesson
/// from what the visitor returns. Extraction and merging share this one walk, so a translated
/// lesson has exactly its source's block structure and only its texts differ.
/// Counts, during a rewrite, the texts visited and those left in the source language, so that
/// blocks and texts in the source language can be marked with it (`Block.inLanguage`).
final class LanguageMarking {
    let language: TextLanguage
    private(set) var tally = (texts: 0, source: 0)

    init(_ language: TextLanguage) { self.language = language }

    /// Called by the visitor for each text it visits.
    func record(source: Bool) {
        tally.texts += 1
        if source { tally.source += 1 }
    }

    /// Whether texts were visited since `before`, and every one stayed in the source language.
    func allSource(since before: (texts: Int, source: Int)) -> Bool {
        let texts = tally.texts - before.texts
        return texts > 0 && tally.source - before.source == texts
    }
}

enum SegmentWalker {
    typealias Visit = (SegmentKind, SegmentPlace, [Inline]) -> [Inline]

    static func segments(of lesson: CompiledLesson) -> [Segment] {
        var out: [Segment] = []
        _ = rewrite(lesson) { kind, _, inlines in
            if let s = Segment(kind: kind, inlines: inlines) { out.append(s) }
            return inlines
        }
        return out
    }

    /// Segments with where each sits, for translators' notes.
    static func placedSegments(of lesson: CompiledLesson) -> [(segment: Segment, place: SegmentPlace)] {
        var out: [(segment: Segment, place: SegmentPlace)] = []
        _ = rewrite(lesson) { kind, place, inlines in
            if let s = Segment(kind: kind, inlines: inlines) { out.append((s, place)) }
            return inlines
        }
        return out
    }

    static func rewrite(_ lesson: CompiledLesson, _ visit: (SegmentKind, [Inline]) -> [Inline]) -> CompiledLesson {
        rewrite(lesson) { kind, _, inlines in visit(kind, inlines) }
    }

    static func rewrite(_ lesson: CompiledLesson, marking: LanguageMarking? = nil, _ visit: Visit) -> CompiledLesson {
        var out = lesson
        out.source.meta.title = plain(visit(.title, SegmentPlace(), [.text(lesson.source.meta.title)]))
        if let w = lesson.source.meta.contentWarning { out.source.meta.contentWarning = plain(visit(.contentWarning, SegmentPlace(), [.text(w)])) }
        out.blocks = blocks(lesson.blocks, .paragraph, SegmentPlace(), visit, marking)
        return out
    }

    private static func blocks(_ list: [Block], _ context: SegmentKind, _ place: SegmentPlace, _ visit: Visit, _ m: LanguageMarking?) -> [Block] {
        list.map { block($0, context, place, visit, m) }
    }

    /// With `m`, a block whose texts all stayed in the source language is marked with it (its parts
    /// unmarked); in a block that mixes languages, each such child block, table cell, quiz option or
    /// callout title is.
    private static func block(_ b: Block, _ context: SegmentKind, _ place: SegmentPlace, _ visit: Visit, _ m: LanguageMarking?) -> Block {
        let before = m?.tally
        let rewritten = unmarkedBlock(b, context, place, visit, m)
        guard let m, let before, m.allSource(since: before) else { return rewritten }
        return .inLanguage(m.language, rewritten.unmarked)
    }

    /// A text of a block's own (a cell, an option, a callout title), marked when it stayed in the source language.
    private static func part(_ kind: SegmentKind, _ place: SegmentPlace, _ inl: [Inline], _ visit: Visit, _ m: LanguageMarking?) -> [Inline] {
        let before = m?.tally
        let rewritten = text(kind, place, inl, visit)
        guard let m, let before, m.allSource(since: before) else { return rewritten }
        return [.inLanguage(m.language, rewritten)]
    }

    private static func unmarkedBlock(_ b: Block, _ context: SegmentKind, _ place: SegmentPlace, _ visit: Visit, _ m: LanguageMarking?) -> Block {
        switch b {
        case .heading(let level, let inl):
            var p = place
            p.headingLevel = level
            return .heading(level: level, inlines: text(.heading, p, inl, visit))
        case .paragraph(let inl): return .paragraph(text(context, place, inl, visit))
        case .list(let ordered, let start, let items):
            return .list(ordered: ordered, start: start, items: items.map { ListItem(blocks: blocks($0.blocks, .listItem, place, visit, m), checked: $0.checked) })
        case .table(let alignments, let header, let rows):
            return .table(alignments: alignments,
                          header: header.map { TableCell(inlines: part(.tableHeader, place, $0.inlines, visit, m)) },
                          rows: rows.map { $0.map { TableCell(inlines: part(.tableCell, place, $0.inlines, visit, m)) } })
        case .image(let img): return .image(image(img, place, visit))
        case .callout(let kind, let title, let duration, let body):
            var p = place
            p.callout = kind.rawValue
            return .callout(kind: kind, title: title.isEmpty ? title : part(.calloutTitle, p, title, visit, m), duration: duration,
                            blocks: blocks(body, .paragraph, p, visit, m))
        case .quiz(let question, let options, let explanation):
            var p = place
            p.callout = "quiz"
            return .quiz(question: blocks(question, .quizQuestion, p, visit, m),
                         options: options.map { option in
                             var o = p
                             o.correct = option.correct
                             return QuizOption(inlines: part(.quizOption, o, option.inlines, visit, m), correct: option.correct)
                         },
                         explanation: blocks(explanation, .quizExplanation, p, visit, m))
        case .quote(let body):
            var p = place
            p.inQuote = true
            return .quote(blocks(body, .paragraph, p, visit, m))
        case .footnote(let number, let body): return .footnote(number: number, blocks: blocks(body, .footnote, place, visit, m))
        case .code, .rule: return b
        case .inLanguage(let language, let inner): return .inLanguage(language, block(inner, context, place, visit, m))
        }
    }

    /// Images inside a text are visited first (their alt texts are segments of their own), so the
    /// text's codes already hold the translated images when the text itself is visited.
    private static func text(_ kind: SegmentKind, _ place: SegmentPlace, _ inl: [Inline], _ visit: Visit) -> [Inline] {
        visit(kind, place, nestedImages(inl, place, visit))
    }

    private static func nestedImages(_ list: [Inline], _ place: SegmentPlace, _ visit: Visit) -> [Inline] {
        list.map { i in
            switch i {
            case .image(let img): return .image(image(img, place, visit))
            case .emphasis(let c): return .emphasis(nestedImages(c, place, visit))
            case .strong(let c): return .strong(nestedImages(c, place, visit))
            case .strikethrough(let c): return .strikethrough(nestedImages(c, place, visit))
            case .link(let t, let title, let c): return .link(target: t, title: title, children: nestedImages(c, place, visit))
            default: return i
            }
        }
    }

    private static func image(_ img: Image, _ place: SegmentPlace, _ visit: Visit) -> Image {
        var out = img
        var p = place
        p.image = img.src
        if !img.alt.isEmpty { out.alt = plain(visit(.imageAlt, p, [.text(img.alt)])) }
        if !img.title.isEmpty { out.title = plain(visit(.imageTitle, p, [.text(img.title)])) }
        return out
    }

    /// Plain-text fields (title, alt text) keep only the words of a translation.
    static func plain(_ inl: [Inline]) -> String {
        inl.map { i -> String in
            switch i {
            case .text(let s): return s
            case .emphasis(let c), .strong(let c), .strikethrough(let c), .link(_, _, let c): return plain(c)
            case .code(let s): return s
            default: return ""
            }
        }.joined()
    }
}
