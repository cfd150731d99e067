import Foundation
import Clibxml2

/// A parsed XML or HTML node as plain Swift values: nothing outside this file sees libxml2.
public struct XMLNode: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case element, text, comment, cdata, other }
    public var kind: Kind
    /// Element name (local name, without prefix); empty for text.
    public var name: String
    /// The element's namespace URI, if any.
    public var namespace: String?
    /// Attributes in document order (local names).
    public var attributes: [(name: String, value: String)]
    public var children: [XMLNode]
    /// Text content for text, comment and CDATA nodes.
    public var text: String
    /// 1-based line where libxml2 saw the node start (0 when unknown). For elements parsed by
    /// `parseXML`, the line of the start tag's `<`.
    public var line: Int
    /// 1-based column (in UTF-16 code units, as editors count) of an element's `<`; 0 when unknown (HTML, other nodes).
    public var column: Int = 0

    public func attribute(_ name: String) -> String? {
        attributes.first(where: { $0.name == name })?.value
    }

    public func elements(_ name: String) -> [XMLNode] {
        children.filter { $0.kind == .element && $0.name == name }
    }

    public func element(_ name: String) -> XMLNode? {
        children.first { $0.kind == .element && $0.name == name }
    }

    /// All text below this node, in document order.
    public var textContent: String {
        switch kind {
        case .text, .cdata: return text
        case .element: return children.map(\.textContent).joined()
        default: return ""
        }
    }

    public static func == (a: XMLNode, b: XMLNode) -> Bool {
        a.kind == b.kind && a.name == b.name && a.namespace == b.namespace && a.text == b.text && a.line == b.line && a.column == b.column
            && a.children == b.children && a.attributes.map(\.name) == b.attributes.map(\.name)
            && a.attributes.map(\.value) == b.attributes.map(\.value)
    }
}

public struct XMLParseError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int
    public var description: String { "\(line):\(column): \(message)" }
}

/// The one place that calls libxml2.
public enum LibXML {
    /// Deepest element nesting converted to `XMLNode`s: libxml2 itself parses any depth with
    /// XML_PARSE_HUGE without recursion, but the conversion and every reader after it recurse,
    /// and an XLIFF target of 18,000 nested `<g>` overflowed the stack. 256 is libxml2's own
    /// limit without XML_PARSE_HUGE; XLIFF needs about ten.
    public static let maxDepth = 256

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Parses well-formed XML strictly. No network access and no external entities are loaded.
    public static func parseXML(_ data: Data) throws -> XMLNode {
        _ = initialized
        guard let ctxt = xmlNewParserCtxt() else { throw XMLParseError(message: "cannot create an XML parser", line: 1, column: 1) }
        defer { xmlFreeParserCtxt(ctxt) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_HUGE.rawValue)
        // libxml2 goes on after the first error and keeps only the last one, which is often a
        // consequence ("premature end of data"); collect the first instead. The handler is per thread.
        let collector = FirstError()
        xmlSetStructuredErrorFunc(Unmanaged.passUnretained(collector).toOpaque()) { context, error in
            guard let context, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            let collector = Unmanaged<FirstError>.fromOpaque(context).takeUnretainedValue()
            if collector.error == nil { collector.error = LibXML.parseError(error) }
        }
        let doc: xmlDocPtr? = withExtendedLifetime(collector) {
            defer { xmlSetStructuredErrorFunc(nil, nil) }
            return data.withUnsafeBytes { raw in
                xmlCtxtReadMemory(ctxt, raw.bindMemory(to: CChar.self).baseAddress, Int32(data.count), "input.xml", nil, options)
            }
        }
        if let err = xmlCtxtGetLastError(ctxt), err.pointee.level.rawValue >= XML_ERR_ERROR.rawValue || doc == nil {
            if let doc { xmlFreeDoc(doc) }
            throw collector.error ?? parseError(err)
        }
        guard let doc else { throw XMLParseError(message: "XML is not well formed", line: 1, column: 1) }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { throw XMLParseError(message: "document has no root element", line: 1, column: 1) }
        var namespaces: [UnsafePointer<xmlChar>: String] = [:]
        var tooDeep: Int?
        var tree = convert(root, depth: 1, &namespaces, tooDeep: &tooDeep)
        if let line = tooDeep {
            throw XMLParseError(message: "elements nest more than \(maxDepth) levels deep", line: max(1, line), column: 1)
        }
        var scanner = StartTagScanner(Array(data))
        var positions = scanner.scan()[...]
        placeStartTags(&tree, &positions)
        return tree
    }

    /// Gives each element the line and column of its start tag, in document order. libxml2 keeps
    /// no columns and records the line where a start tag ends, but diagnostics point at the `<`.
    /// Stops at the first name that does not match (e.g. markup coming from an entity).
    @discardableResult
    private static func placeStartTags(_ node: inout XMLNode, _ positions: inout ArraySlice<StartTagScanner.Tag>) -> Bool {
        guard node.kind == .element else { return true }
        guard let tag = positions.first, tag.name == node.name || tag.name.hasSuffix(":" + node.name) else { return false }
        positions.removeFirst()
        node.line = tag.line
        node.column = tag.column
        for i in node.children.indices where !placeStartTags(&node.children[i], &positions) { return false }
        return true
    }

    private final class FirstError { var error: XMLParseError? }

    private static func parseError(_ err: UnsafePointer<xmlError>) -> XMLParseError {
        let message = err.pointee.message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "XML is not well formed"
        return XMLParseError(message: message, line: max(1, Int(err.pointee.line)), column: max(1, Int(err.pointee.int2)))
    }

    /// Parses HTML the forgiving way browsers do; returns the `<body>` (or the root) element.
    public static func parseHTML(_ html: String) -> XMLNode {
        parseHTMLReportingTruncation(html).body
    }

    /// Like `parseHTML`, and says whether libxml2 read the whole text: it stops, keeping what it has
    /// so far, when elements nest deeper than its limit (256), which protects the stack.
    public static func parseHTMLReportingTruncation(_ html: String) -> (body: XMLNode, complete: Bool) {
        _ = initialized
        let empty = XMLNode(kind: .element, name: "body", namespace: nil, attributes: [], children: [], text: "", line: 0)
        guard let ctxt = htmlNewParserCtxt() else { return (empty, false) }
        defer { htmlFreeParserCtxt(ctxt) }
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOIMPLIED.rawValue)
        let wrapped = "<html><body>" + html + "</body></html>"
        var bytes = Array(wrapped.utf8)
        let doc = bytes.withUnsafeMutableBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { chars in
                htmlCtxtReadMemory(ctxt, chars.baseAddress, Int32(chars.count), "input.html", "UTF-8", options)
            }
        }
        // In recovery mode libxml2 disables its callbacks only when it halts before the end.
        let complete = ctxt.pointee.disableSAX == 0
        guard let doc else { return (empty, false) }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { return (empty, complete) }
        var namespaces: [UnsafePointer<xmlChar>: String] = [:]
        var tooDeep: Int?
        let tree = convert(root, depth: 1, &namespaces, tooDeep: &tooDeep)
        return (tree.element("body") ?? tree, complete && tooDeep == nil)
    }

    private static func string(_ p: UnsafePointer<xmlChar>?) -> String {
        guard let p else { return "" }
        return String(cString: p)
    }

    /// `namespaces` shares one Swift string per namespace URI: a large XLIFF file has a million nodes.
    /// Children of an element at `maxDepth` are left out, and `tooDeep` gets the line of the first.
    private static func convert(_ node: xmlNodePtr, depth: Int, _ namespaces: inout [UnsafePointer<xmlChar>: String],
                                tooDeep: inout Int?) -> XMLNode {
        let n = node.pointee
        var namespace: String?
        if let href = n.ns?.pointee.href {
            if let known = namespaces[href] { namespace = known } else { namespace = string(href); namespaces[href] = namespace }
        }
        var result = XMLNode(kind: .other, name: string(n.name), namespace: namespace,
                             attributes: [], children: [], text: "", line: Int(xmlGetLineNo(node)))
        switch n.type {
        case XML_ELEMENT_NODE:
            result.kind = .element
            var attr = n.properties
            while let a = attr {
                let value = xmlNodeGetContent(UnsafeMutableRawPointer(a).assumingMemoryBound(to: xmlNode.self))
                result.attributes.append((string(a.pointee.name), value.map { String(cString: $0) } ?? ""))
                if let value { lessonc_xmlFree(value) }
                attr = a.pointee.next
            }
            var child = n.children
            while let c = child {
                if depth >= maxDepth, c.pointee.type == XML_ELEMENT_NODE {
                    if tooDeep == nil { tooDeep = Int(xmlGetLineNo(c)) }
                } else {
                    result.children.append(convert(c, depth: depth + 1, &namespaces, tooDeep: &tooDeep))
                }
                child = c.pointee.next
            }
        case XML_TEXT_NODE, XML_ENTITY_REF_NODE:
            result.kind = .text
            result.name = ""
            result.text = n.content.map { String(cString: $0) } ?? ""
        case XML_CDATA_SECTION_NODE:
            result.kind = .cdata
            result.name = ""
            result.text = n.content.map { String(cString: $0) } ?? ""
        case XML_COMMENT_NODE:
            result.kind = .comment
            result.text = n.content.map { String(cString: $0) } ?? ""
        default:
            break
        }
        return result
    }

    /// Decodes one layer of HTML character references (`&lt;`, `&rsquo;`, `&#8217;`, `&#x2019;`)
    /// with libxml2's HTML 4 entity table. `&amp;nbsp;` becomes `&nbsp;`, not a space: exactly one
    /// layer, for text that was entity-escaped once on purpose. Unknown references stay as written.
    public static func decodeHTMLEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            // A reference is at most 32 characters long and ends with ';'.
            if let semi = after.prefix(32).firstIndex(of: ";"), let scalar = entityScalar(after[..<semi]) {
                out.unicodeScalars.append(scalar)
                rest = after[after.index(after: semi)...]
            } else {
                out += "&"
                rest = after
            }
        }
        out += rest
        return out
    }

    private static func entityScalar(_ name: Substring) -> Unicode.Scalar? {
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            // NUL and surrogates are not characters; leave such references as written.
            guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
            return scalar
        }
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        guard let desc = htmlEntityLookup(String(name)) else { return nil }
        return Unicode.Scalar(desc.pointee.value)
    }

    /// Escapes text for XML element content or attribute values.
    /// Characters XML 1.0 forbids (most C0 controls, U+FFFE, U+FFFF) are dropped, so the output is always well formed.
    public static func escape(_ s: String, attribute: Bool = false) -> String {
        // Most text needs nothing: return it without rebuilding it scalar by scalar.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0xEF }) { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\n" where attribute: out += "&#10;"
            case "\t" where attribute: out += "&#9;"
            case "\r": out += "&#13;"
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Finds element start tags in raw XML, skipping comments, CDATA, processing instructions,
/// the DOCTYPE and end tags. Pure Swift: it only reads the bytes libxml2 already accepted.
struct StartTagScanner {
    struct Tag { var name: String; var line: Int; var column: Int }

    let bytes: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func scan() -> [Tag] {
        var tags: [Tag] = []
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "<") else { advance(); continue }
            if starts("<!--") { skip(past: "-->") }
            else if starts("<![CDATA[") { skip(past: "]]>") }
            else if starts("<?") { skip(past: "?>") }
            else if starts("<!") { skipDeclaration() }
            else if starts("</") { skipTag() }
            else {
                let column = bytes[lineStart..<i].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : $1 >= 0xF0 ? 2 : 1) }
                var j = i + 1
                while j < bytes.count, !" \t\r\n/>".utf8.contains(bytes[j]) { j += 1 }
                tags.append(Tag(name: String(decoding: bytes[(i + 1)..<j], as: UTF8.self), line: line, column: column))
                skipTag()
            }
        }
        return tags
    }

    private func starts(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i + n <= bytes.count else { return false }
        let p = s.utf8Start
        for k in 0..<n where bytes[i + k] != p[k] { return false }
        return true
    }

    private mutating func advance() {
        if bytes[i] == 0x0A { line += 1; lineStart = i + 1 }
        i += 1
    }

    private mutating func skip(past end: StaticString) {
        while i < bytes.count, !starts(end) { advance() }
        for _ in 0..<end.utf8CodeUnitCount where i < bytes.count { advance() }
    }

    /// A tag ends at the first `>` outside a quoted attribute value.
    private mutating func skipTag() {
        var quote: UInt8?
        while i < bytes.count {
            let b = bytes[i]
            advance()
            if let q = quote { if b == q { quote = nil } } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { quote = b } else if b == UInt8(ascii: ">") { return }
        }
    }

    /// `<!DOCTYPE ... [ internal subset ]>`: brackets nest once, quotes hide `>`.
    private mutating func skipDeclaration() {
        var depth = 0
        var quote: UInt8?
        while i < bytes.count {
            let b = bytes[i]
            advance()
            if let q = quote { if b == q { quote = nil }; continue }
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = b
            case UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: ">") where depth <= 0: return
            default: break
            }
        }
    }
}
