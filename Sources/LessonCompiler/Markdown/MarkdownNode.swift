/// A parsed Markdown node: plain Swift values, so nothing outside `CommonMark.swift` sees C.
public struct MarkdownNode: Sendable {
    public enum Kind: Equatable, Sendable {
        case document, blockQuote, list, item, codeBlock, htmlBlock, paragraph, heading, thematicBreak
        case text, softBreak, lineBreak, code, htmlInline, emphasis, strong, link, image
        case table, tableRow, tableCell, strikethrough
        case other(String)
    }

    public var kind: Kind
    /// 1-based line and byte column in the Markdown body (callers add the front-matter offset).
    public var line: Int
    public var column: Int
    public var endLine: Int
    public var children: [MarkdownNode] = []
    public var literal: String = ""
    public var url: String = ""
    public var title: String = ""
    public var headingLevel: Int = 0
    public var listOrdered = false
    public var listStart = 1
    public var listTight = true
    public var fenceInfo: String = ""
    /// nil for an ordinary list item; true/false for a task-list item.
    public var taskChecked: Bool?
    public var tableAlignments: [String] = []
    public var isHeaderRow = false
    /// On the document only: where nesting went beyond `CommonMark.maxNesting` and the deeper
    /// nodes were left out.
    public var nestingCuts: [Position] = []

    public struct Position: Equatable, Sendable {
        public var line: Int
        public var column: Int
    }

    init(kind: Kind, line: Int, column: Int, endLine: Int) {
        self.kind = kind
        self.line = line
        self.column = column
        self.endLine = endLine
    }

    /// The text of this node and its descendants, without markup.
    public var plainText: String {
        switch kind {
        case .text, .code: return literal
        case .softBreak, .lineBreak: return " "
        default: return children.map(\.plainText).joined()
        }
    }
}
