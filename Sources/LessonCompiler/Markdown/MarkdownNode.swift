/// A parsed Markdown node: plain Swift values, so nothing outside `CommonMark.swift` sees C.
public struct MarkdownNode: Sendable {
    public enum Kind: Equatable, Sendable {
        case document, blockQuote, list, item, codeBlock, htmlBlock, paragraph, heading, thematicBreak
        case text, softBreak, lineBreak, code, htmlInline, emphasis, strong, link, image
        case table, tableRow, tableCell, strikethrough
        /// Footnotes: definitions come last in the document, in the order they are first referenced.
        case footnoteDefinition, footnoteReference
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
    /// For a code block: fenced with ``` or ~~~, rather than indented.
    public var fenced = false
    /// nil for an ordinary list item; true/false for a task-list item.
    public var taskChecked: Bool?
    public var tableAlignments: [TableAlignment] = []
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

    /// Whether two trees say the same, wherever they were written: what a parse with one line
    /// changed is compared with, to learn whether that line had any effect.
    public func sameContent(as other: MarkdownNode) -> Bool {
        kind == other.kind && literal == other.literal && url == other.url && title == other.title
            && headingLevel == other.headingLevel && listOrdered == other.listOrdered && listStart == other.listStart
            && fenceInfo == other.fenceInfo && taskChecked == other.taskChecked && tableAlignments == other.tableAlignments
            && isHeaderRow == other.isHeaderRow && children.count == other.children.count
            && zip(children, other.children).allSatisfy { $0.sameContent(as: $1) }
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
