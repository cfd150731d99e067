/// A visit over a compiled lesson's tree, one method per kind of block and inline, as in
/// swift-markdown's `MarkupVisitor`. `visit(_:)` holds the one switch over each enum, so a new
/// kind of block is added here and every visitor that does not handle it fails to compile.
///
/// A visitor returning `Void` is a walker: every method's default visits the node's children,
/// so a walker overrides only what it counts or writes (see `ContentStats`, `LessonJSON`,
/// `HTMLRenderer`).
public protocol LessonVisitor {
    associatedtype Result

    // Blocks
    mutating func visitHeading(level: Int, inlines: [Inline]) -> Result
    mutating func visitParagraph(_ inlines: [Inline]) -> Result
    mutating func visitList(ordered: Bool, start: Int, items: [ListItem]) -> Result
    mutating func visitTable(alignments: [TableAlignment], header: [TableCell], rows: [[TableCell]]) -> Result
    /// A paragraph holding only an image: apps lay it out full width.
    mutating func visitImageBlock(_ image: Image) -> Result
    mutating func visitCallout(kind: CalloutKind, title: [Inline], duration: String?, blocks: [Block]) -> Result
    mutating func visitQuiz(question: [Block], options: [QuizOption], explanation: [Block]) -> Result
    mutating func visitQuote(_ blocks: [Block]) -> Result
    mutating func visitCodeBlock(language: String, text: String) -> Result
    mutating func visitRule() -> Result
    mutating func visitFootnote(number: Int, blocks: [Block]) -> Result
    mutating func visitBlock(_ block: Block, in language: TextLanguage) -> Result

    // Inlines
    mutating func visitText(_ text: String) -> Result
    mutating func visitEmphasis(_ children: [Inline]) -> Result
    mutating func visitStrong(_ children: [Inline]) -> Result
    mutating func visitStrikethrough(_ children: [Inline]) -> Result
    mutating func visitCode(_ code: String) -> Result
    mutating func visitLineBreak() -> Result
    mutating func visitLink(target: LinkTarget, title: String, children: [Inline]) -> Result
    mutating func visitImage(_ image: Image) -> Result
    mutating func visitFootnoteReference(_ number: Int) -> Result
    mutating func visitInlines(_ children: [Inline], in language: TextLanguage) -> Result
}

extension LessonVisitor {
    public mutating func visit(_ block: Block) -> Result {
        switch block {
        case .heading(let level, let inlines): return visitHeading(level: level, inlines: inlines)
        case .paragraph(let inlines): return visitParagraph(inlines)
        case .list(let ordered, let start, let items): return visitList(ordered: ordered, start: start, items: items)
        case .table(let alignments, let header, let rows): return visitTable(alignments: alignments, header: header, rows: rows)
        case .image(let image): return visitImageBlock(image)
        case .callout(let kind, let title, let duration, let blocks): return visitCallout(kind: kind, title: title, duration: duration, blocks: blocks)
        case .quiz(let question, let options, let explanation): return visitQuiz(question: question, options: options, explanation: explanation)
        case .quote(let blocks): return visitQuote(blocks)
        case .code(let language, let text): return visitCodeBlock(language: language, text: text)
        case .rule: return visitRule()
        case .footnote(let number, let blocks): return visitFootnote(number: number, blocks: blocks)
        case .inLanguage(let language, let block): return visitBlock(block, in: language)
        }
    }

    public mutating func visit(_ inline: Inline) -> Result {
        switch inline {
        case .text(let text): return visitText(text)
        case .emphasis(let children): return visitEmphasis(children)
        case .strong(let children): return visitStrong(children)
        case .strikethrough(let children): return visitStrikethrough(children)
        case .code(let code): return visitCode(code)
        case .lineBreak: return visitLineBreak()
        case .link(let target, let title, let children): return visitLink(target: target, title: title, children: children)
        case .image(let image): return visitImage(image)
        case .footnoteReference(let number): return visitFootnoteReference(number)
        case .inLanguage(let language, let children): return visitInlines(children, in: language)
        }
    }
}

/// A visitor that returns nothing: it walks, and each default descends into the children.
public protocol LessonWalker: LessonVisitor where Result == Void {}

extension LessonWalker {
    public mutating func walk(_ blocks: [Block]) { for b in blocks { visit(b) } }
    public mutating func walk(_ inlines: [Inline]) { for i in inlines { visit(i) } }

    public mutating func visitHeading(level: Int, inlines: [Inline]) { walk(inlines) }
    public mutating func visitParagraph(_ inlines: [Inline]) { walk(inlines) }
    public mutating func visitList(ordered: Bool, start: Int, items: [ListItem]) { for item in items { walk(item.blocks) } }
    public mutating func visitTable(alignments: [TableAlignment], header: [TableCell], rows: [[TableCell]]) {
        for cell in header { walk(cell.inlines) }
        for row in rows { for cell in row { walk(cell.inlines) } }
    }
    public mutating func visitImageBlock(_ image: Image) { visitImage(image) }
    public mutating func visitCallout(kind: CalloutKind, title: [Inline], duration: String?, blocks: [Block]) { walk(title); walk(blocks) }
    public mutating func visitQuiz(question: [Block], options: [QuizOption], explanation: [Block]) {
        walk(question)
        for option in options { walk(option.inlines) }
        walk(explanation)
    }
    public mutating func visitQuote(_ blocks: [Block]) { walk(blocks) }
    public mutating func visitCodeBlock(language: String, text: String) {}
    public mutating func visitRule() {}
    public mutating func visitFootnote(number: Int, blocks: [Block]) { walk(blocks) }
    public mutating func visitBlock(_ block: Block, in language: TextLanguage) { visit(block) }

    public mutating func visitText(_ text: String) {}
    public mutating func visitEmphasis(_ children: [Inline]) { walk(children) }
    public mutating func visitStrong(_ children: [Inline]) { walk(children) }
    public mutating func visitStrikethrough(_ children: [Inline]) { walk(children) }
    public mutating func visitCode(_ code: String) {}
    public mutating func visitLineBreak() {}
    public mutating func visitLink(target: LinkTarget, title: String, children: [Inline]) { walk(children) }
    public mutating func visitImage(_ image: Image) {}
    public mutating func visitFootnoteReference(_ number: Int) {}
    public mutating func visitInlines(_ children: [Inline], in language: TextLanguage) { walk(children) }
}

extension Block {
    /// Whether any of these blocks, or text in them, is marked with another language (lesson format 3).
    static func containsLanguageMarks(_ blocks: [Block]) -> Bool {
        struct Finder: LessonWalker {
            var found = false
            mutating func visitBlock(_ block: Block, in language: TextLanguage) { found = true }
            mutating func visitInlines(_ children: [Inline], in language: TextLanguage) { found = true }
        }
        var finder = Finder()
        finder.walk(blocks)
        return finder.found
    }

    /// The block without language marks, in it or on it.
    var unmarked: Block {
        switch self {
        case .inLanguage(_, let b): return b.unmarked
        case .heading(let level, let inl): return .heading(level: level, inlines: Inline.unmarked(inl))
        case .paragraph(let inl): return .paragraph(Inline.unmarked(inl))
        case .list(let ordered, let start, let items):
            return .list(ordered: ordered, start: start, items: items.map { ListItem(blocks: $0.blocks.map(\.unmarked), checked: $0.checked) })
        case .table(let a, let header, let rows):
            return .table(alignments: a, header: header.map { TableCell(inlines: Inline.unmarked($0.inlines)) },
                          rows: rows.map { $0.map { TableCell(inlines: Inline.unmarked($0.inlines)) } })
        case .callout(let kind, let title, let duration, let body):
            return .callout(kind: kind, title: Inline.unmarked(title), duration: duration, blocks: body.map(\.unmarked))
        case .quiz(let q, let options, let e):
            return .quiz(question: q.map(\.unmarked), options: options.map { QuizOption(inlines: Inline.unmarked($0.inlines), correct: $0.correct) },
                         explanation: e.map(\.unmarked))
        case .quote(let body): return .quote(body.map(\.unmarked))
        case .footnote(let n, let body): return .footnote(number: n, blocks: body.map(\.unmarked))
        case .image, .code, .rule: return self
        }
    }

    /// Whether any of these blocks holds a footnote or a reference to one (lesson format 2).
    static func containsFootnotes(_ blocks: [Block]) -> Bool {
        struct Finder: LessonWalker {
            var found = false
            mutating func visitFootnote(number: Int, blocks: [Block]) { found = true }
            mutating func visitFootnoteReference(_ number: Int) { found = true }
        }
        var finder = Finder()
        finder.walk(blocks)
        return finder.found
    }
}

extension Inline {
    /// The inlines without language marks (only the top level can hold one).
    static func unmarked(_ list: [Inline]) -> [Inline] {
        list.flatMap { i -> [Inline] in
            if case .inLanguage(_, let children) = i { return children }
            return [i]
        }
    }
}
