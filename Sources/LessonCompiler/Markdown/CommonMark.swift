import Foundation
import Ccmark

/// The one place that calls cmark-gfm: parses GitHub Flavored Markdown (table, tasklist,
/// strikethrough, autolink, footnotes) into `MarkdownNode` values and frees every C object itself.
public enum CommonMark {
    private static let extensionNames = ["table", "tasklist", "strikethrough", "autolink"]

    // Registering the core extensions mutates a global registry: do it exactly once.
    private static let registered: Bool = {
        cmark_gfm_core_extensions_ensure_registered()
        return true
    }()

    private static let finishLock = NSLock()

    /// Deepest nesting converted below the document: block quotes, lists, items, emphasis and
    /// links all count. cmark-gfm parses any depth without recursion, but every later stage walks
    /// the tree recursively, and a lesson of 5,000 nested quotes or 30,000 `*` overflowed the
    /// stack. Real lessons stay under 12; what lies deeper is left out and reported
    /// (`MarkdownNode.nestingCuts`).
    public static let maxNesting = 32

    public static func parse(_ markdown: Substring) -> MarkdownNode {
        _ = registered
        _ = tasklistExtension
        let options = CMARK_OPT_FOOTNOTES
        guard let parser = cmark_parser_new(options) else { preconditionFailure("cmark_parser_new failed") }
        defer { cmark_parser_free(parser) }
        for name in extensionNames {
            if let ext = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, ext)
            }
        }
        var text = String(markdown)
        text.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                cmark_parser_feed(parser, chars.baseAddress, chars.count)
            }
        }
        // Inline parsing reads a global table of the extensions' trigger characters ('~', ':', 'w')
        // that every cmark_parser_finish fills at its start and clears at its end, so two at once
        // lose strikethrough and autolinks. Block parsing (feed) stays parallel.
        finishLock.lock()
        let finished = cmark_parser_finish(parser)
        finishLock.unlock()
        guard let document = finished else { preconditionFailure("cmark_parser_finish failed") }
        defer { cmark_node_free(document) }
        cmark_consolidate_text_nodes(document)
        var cuts: [MarkdownNode.Position] = []
        var result = convert(document, depth: 0, cuts: &cuts)
        result.nestingCuts = cuts
        return result
    }

    private static func string(_ p: UnsafePointer<CChar>?) -> String {
        guard let p else { return "" }
        return String(cString: p)
    }

    /// Safe to share: set once, to cmark's own registry entry for the extension, which lives as
    /// long as the process and is only compared with, never written through.
    nonisolated(unsafe) private static let tasklistExtension: OpaquePointer? = {
        _ = registered
        return cmark_find_syntax_extension("tasklist")
    }()

    private static func convert(_ node: OpaquePointer, depth: Int, cuts: inout [MarkdownNode.Position]) -> MarkdownNode {
        let type = cmark_node_get_type(node)
        let isTask = type == CMARK_NODE_ITEM && cmark_node_get_syntax_extension(node).map { $0 == tasklistExtension } == true
        // The type's name is read only for extension nodes (a String per node was a sixth of converting).
        let kind = nodeKind(type) { string(cmark_node_get_type_string(node)) }
        var result = MarkdownNode(kind: kind,
                                  line: Int(cmark_node_get_start_line(node)),
                                  column: Int(cmark_node_get_start_column(node)),
                                  endLine: Int(cmark_node_get_end_line(node)))
        switch kind {
        case .text, .code, .htmlBlock, .htmlInline, .codeBlock, .footnoteReference:
            // A footnote reference's literal is its number, counted in order of first reference.
            result.literal = string(cmark_node_get_literal(node))
        case .link, .image:
            result.url = string(cmark_node_get_url(node))
            result.title = string(cmark_node_get_title(node))
        case .heading:
            result.headingLevel = Int(cmark_node_get_heading_level(node))
        case .list:
            result.listOrdered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST
            result.listStart = Int(cmark_node_get_list_start(node))
            result.listTight = cmark_node_get_list_tight(node) != 0
        case .table:
            let columns = Int(cmark_gfm_extensions_get_table_columns(node))
            if let aligns = cmark_gfm_extensions_get_table_alignments(node) {
                result.tableAlignments = (0..<columns).map { i in
                    switch UInt8(aligns[i]) {
                    case UInt8(ascii: "l"): return .left
                    case UInt8(ascii: "c"): return .center
                    case UInt8(ascii: "r"): return .right
                    default: return .none
                    }
                }
            }
        case .tableRow:
            result.isHeaderRow = cmark_gfm_extensions_get_table_row_is_header(node) != 0
        case .item:
            if isTask {
                result.taskChecked = cmark_gfm_extensions_get_tasklist_item_checked(node)
            }
        default:
            break
        }
        if kind == .codeBlock {
            result.fenceInfo = string(cmark_node_get_fence_info(node))
            // cmark writes the fence's length, offset and character through these; none may be null.
            var length: Int32 = 0, offset: Int32 = 0, character: CChar = 0
            result.fenced = cmark_node_get_fenced(node, &length, &offset, &character) != 0
        }
        // Sized first: growing the array node by node was a share of converting.
        var count = 0
        var sibling = cmark_node_first_child(node)
        while let c = sibling { count += 1; sibling = cmark_node_next(c) }
        if count > 1 { result.children.reserveCapacity(count) }
        var child = cmark_node_first_child(node)
        while let c = child {
            if depth + 1 > maxNesting {
                cuts.append(MarkdownNode.Position(line: Int(cmark_node_get_start_line(c)), column: Int(cmark_node_get_start_column(c))))
                break
            }
            result.children.append(convert(c, depth: depth + 1, cuts: &cuts))
            child = cmark_node_next(c)
        }
        if kind == .item && result.taskChecked == nil { recognizeTaskMarker(&result) }
        return result
    }

    /// cmark-gfm 0.29's tasklist extension misses items inside block quotes (where quizzes live),
    /// leaving `[ ] text` as plain text: recognise the marker here so both places behave alike.
    private static func recognizeTaskMarker(_ item: inout MarkdownNode) {
        guard let para = item.children.first, para.kind == .paragraph,
              let text = para.children.first, text.kind == .text else { return }
        let literal = text.literal
        let checked: Bool
        if literal.hasPrefix("[ ] ") || literal == "[ ]" { checked = false }
        else if literal.hasPrefix("[x] ") || literal.hasPrefix("[X] ") || literal == "[x]" || literal == "[X]" { checked = true }
        else { return }
        item.taskChecked = checked
        item.children[0].children[0].literal = String(literal.dropFirst(min(4, literal.count)))
        item.children[0].children[0].column += 4
    }

    private static func nodeKind(_ type: cmark_node_type, _ name: () -> String) -> MarkdownNode.Kind {
        switch type {
        case CMARK_NODE_DOCUMENT: return .document
        case CMARK_NODE_BLOCK_QUOTE: return .blockQuote
        case CMARK_NODE_LIST: return .list
        case CMARK_NODE_ITEM: return .item
        case CMARK_NODE_CODE_BLOCK: return .codeBlock
        case CMARK_NODE_HTML_BLOCK: return .htmlBlock
        case CMARK_NODE_PARAGRAPH: return .paragraph
        case CMARK_NODE_HEADING: return .heading
        case CMARK_NODE_THEMATIC_BREAK: return .thematicBreak
        case CMARK_NODE_TEXT: return .text
        case CMARK_NODE_SOFTBREAK: return .softBreak
        case CMARK_NODE_LINEBREAK: return .lineBreak
        case CMARK_NODE_CODE: return .code
        case CMARK_NODE_HTML_INLINE: return .htmlInline
        case CMARK_NODE_EMPH: return .emphasis
        case CMARK_NODE_STRONG: return .strong
        case CMARK_NODE_LINK: return .link
        case CMARK_NODE_IMAGE: return .image
        case CMARK_NODE_FOOTNOTE_DEFINITION: return .footnoteDefinition
        case CMARK_NODE_FOOTNOTE_REFERENCE: return .footnoteReference
        default:
            let typeString = name()
            switch typeString {
            case "table": return .table
            case "table_row", "table_header": return .tableRow
            case "table_cell": return .tableCell
            case "strikethrough": return .strikethrough
            case "tasklist": return .item
            default: return .other(typeString)
            }
        }
    }
}
