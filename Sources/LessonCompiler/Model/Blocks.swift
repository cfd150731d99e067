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
    /// Text in another language than its block's: a table cell, quiz option or callout title left
    /// in the source language in a lesson published in part (`--min-coverage`). Format 3.
    case inLanguage(TextLanguage, [Inline])
}

/// A language and its direction, where a block or text differs from its lesson's.
public struct TextLanguage: Equatable, Sendable {
    /// A BCP 47 tag, as the curriculum or locale folder writes it.
    public var tag: String
    public var direction: TextDirection

    public init(_ tag: String) {
        self.tag = tag
        direction = LocaleInfo.direction(tag)
    }
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
    case table(alignments: [TableAlignment], header: [TableCell], rows: [[TableCell]])
    case image(Image)
    case callout(kind: CalloutKind, title: [Inline], duration: String?, blocks: [Block])
    case quiz(question: [Block], options: [QuizOption], explanation: [Block])
    case quote([Block])
    case code(language: String, text: String)
    case rule
    /// A footnote's text; footnotes come last in a lesson, in number order.
    case footnote(number: Int, blocks: [Block])
    /// A block in another language than its lesson's: one left in the source language in a lesson
    /// published in part (`--min-coverage`). Its JSON is the block's with `lang` and `dir`. Format 3.
    case inLanguage(TextLanguage, Block)
}

/// The callouts of GitHub alert syntax, `> [!KIND]`, that lessons may use (a quiz, `[!QUIZ]`, is
/// a block of its own). The raw value is what compiled lessons carry; authors write `marker`.
public enum CalloutKind: String, CaseIterable, Sendable {
    case note
    case tip
    case warning
    /// What the facilitator says or asks.
    case prompt
    /// A group activity; its title may end with a duration.
    case activity
    /// Text a member reads aloud from the handset.
    case readAloud = "read-aloud"
    case contentWarning = "content-warning"

    /// As written in a lesson: `NOTE`, `READ-ALOUD`.
    public var marker: String { rawValue.uppercased() }

    /// The kind a marker names (`PROMPT`), or nil for an unknown marker or `QUIZ`.
    public init?(marker: String) {
        self.init(rawValue: marker.lowercased())
        guard self.marker == marker else { return nil }
    }

    /// Every marker in the order the guide lists them: NOTE, TIP, … CONTENT-WARNING.
    public static let markers = allCases.map(\.marker)
}

/// How a table column is aligned (GFM's `:---`, `:---:`, `---:`).
public enum TableAlignment: String, Sendable {
    case none, left, center, right
}
