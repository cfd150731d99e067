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

    static let initialized: Bool = {
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
        var scanner = XMLTagScanner()
        data.withUnsafeBytes { scanner.feed($0.bindMemory(to: UInt8.self), final: true) }
        var positions: [XMLTagScanner.Tag] = []
        while let tag = scanner.next() { if tag.kind == .start { positions.append(tag) } }
        var slice = positions[...]
        placeStartTags(&tree, &slice)
        return tree
    }

    /// Gives each element the line and column of its start tag, in document order. libxml2 keeps
    /// no columns and records the line where a start tag ends, but diagnostics point at the `<`.
    /// Stops at the first name that does not match (e.g. markup coming from an entity).
    @discardableResult
    private static func placeStartTags(_ node: inout XMLNode, _ positions: inout ArraySlice<XMLTagScanner.Tag>) -> Bool {
        guard node.kind == .element else { return true }
        guard let tag = positions.first, tag.nameHash == XMLTagScanner.hash(node.name.utf8) else { return false }
        positions.removeFirst()
        node.line = tag.line
        node.column = tag.column
        for i in node.children.indices where !placeStartTags(&node.children[i], &positions) { return false }
        return true
    }

    private final class FirstError { var error: XMLParseError? }

    static func parseError(_ err: UnsafePointer<xmlError>) -> XMLParseError {
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
        if isPlain(s) { return s }
        var out = ""
        escape(s, attribute: attribute, into: &out)
        return out
    }

    /// No byte that escaping could change (a control, &, <, >, ", or the lead byte of U+FFFE/U+FFFF).
    private static func isPlain(_ s: String) -> Bool {
        for b in s.utf8 where b < 0x20 || b == 0x26 || b == 0x3C || b == 0x3E || b == 0x22 || b == 0xEF { return false }
        return true
    }

    /// `escape`, appended to `out`.
    public static func escape(_ s: String, attribute: Bool = false, into out: inout String) {
        if isPlain(s) { out += s; return }
        out.reserveCapacity(out.utf8.count + s.utf8.count)
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
    }
}

// MARK: - Streaming

/// A start tag as `XMLStream` reports it.
public struct XMLStartTag {
    /// Local name, without prefix.
    public var name: String
    public var prefix: String?
    public var namespace: String?
    /// Attributes in document order: local names, or `prefix:name` for a prefixed one, which then
    /// comes with an `xmlns:prefix` of its namespace (except `xml:`), so it can be written back as read.
    public var attributes: [(name: String, value: String)]
    /// 1-based line and UTF-16 column of the `<` (0 when the tag is not in the scanned bytes).
    public var line: Int
    public var column: Int
    /// Byte offset of the `<` in the scanned bytes, and just past the tag's `>` (-1 when not scanned).
    public var offset: Int
    public var tagEnd: Int
    /// 1 for the root element.
    public var depth: Int

    public func attribute(_ name: String) -> String? { attributes.first(where: { $0.name == name })?.value }
}

/// What a delegate wants of an element's content.
public enum XMLStreamAction {
    /// Events for every child element.
    case events
    /// The whole element as one `XMLNode` (positions included), then no events for its content.
    case capture
    /// Nothing of its content.
    case skip
}

/// Receives what `XMLStream` reads, in document order, on the thread that feeds it.
public protocol XMLStreamDelegate: AnyObject {
    func start(_ tag: XMLStartTag) -> XMLStreamAction
    /// `endOffset`: byte offset just past the end tag (or the `/>`), -1 when not in the scanned bytes.
    func end(name: String, depth: Int, endOffset: Int)
    func element(_ node: XMLNode, depth: Int, endOffset: Int)
    /// Character data between the events (not inside a captured or skipped element), when `wantsText`
    /// (asked each time, so a delegate can want the text of some elements only).
    func text(_ text: String)
    var wantsText: Bool { get }
}

extension XMLStreamDelegate {
    public func element(_ node: XMLNode, depth: Int, endOffset: Int) {}
    public func text(_ text: String) {}
    public var wantsText: Bool { false }
}

/// Reads XML with libxml2's SAX2 parser, pulling bytes as it goes: nothing but the elements a
/// delegate captures is kept, so memory stays flat however large the file. Start tags get their
/// line and column from `XMLTagScanner`, which reads the same bytes alongside. Same safety as
/// `parseXML`: no network, no DTD (a DOCTYPE stops reading, see `doctype`), and no element deeper
/// than `maxDepth`. Captured nodes name attributes as `XMLStartTag` does.
public final class XMLStream {
    /// Fills the buffer with the next bytes of the document; returns how many (0 at the end, -1 on
    /// a read error) and whether they are bytes of the file the positions count in (false for a
    /// wrapper around an excerpt of it).
    public typealias Input = (UnsafeMutableRawBufferPointer) -> (count: Int, scanned: Bool)

    public private(set) var error: XMLParseError?
    /// Where a `<!DOCTYPE` was found; reading stops there, before libxml2 reads its declarations.
    public private(set) var doctype: (line: Int, column: Int)?
    /// The input failed to read.
    public private(set) var readFailed = false
    public var failed: Bool { error != nil || doctype != nil || readFailed }

    /// Held strongly: a weak reference makes every retain of the delegate take the slow path, once
    /// per element (the delegate does not hold the stream, so there is no cycle).
    private let delegate: XMLStreamDelegate
    private let maxDepth: Int
    // The state below is touched once or more per element, from libxml2's callbacks on the one
    // thread that called `parse`: dynamic exclusivity checks on it cost more than the rest of the
    // callbacks' work, and no two accesses can overlap.
    @exclusivity(unchecked) private var scanner: XMLTagScanner
    private var ctxt: xmlParserCtxtPtr?
    private var input: Input?
    @exclusivity(unchecked) private var depth = 0
    /// Per open element: whether its start tag came from the scanner, and where a self-closing tag ends.
    @exclusivity(unchecked) private var open: [(scanned: Bool, selfClosingEnd: Int)] = []
    /// Start tags still to come from bytes that are not scanned.
    @exclusivity(unchecked) private var unscannedStarts: Int
    /// Once libxml2 and the scanner disagree, positions are no longer trusted.
    @exclusivity(unchecked) private var inStep = true
    @exclusivity(unchecked) private var skipDepth = 0
    @exclusivity(unchecked) private var captureDepth = 0
    @exclusivity(unchecked) private var stack: [XMLNode] = []
    @exclusivity(unchecked) private var names: [UnsafePointer<xmlChar>: String] = [:]
    private var lastNamespace: (pointer: UnsafePointer<xmlChar>, string: String)?

    /// Elements whose attributes the delegate never reads (outside captured elements): reading
    /// attributes is most of the work per element, and a large file has millions of elements.
    private let bare: Set<String>

    /// `origin`: where the first scanned byte sits in the file (line, column, byte offset).
    /// `unscannedStarts`: how many start tags come before the first scanned byte (a wrapper's root).
    /// `bare`: names of elements the delegate gets without attributes.
    public init(delegate: XMLStreamDelegate, maxDepth: Int = LibXML.maxDepth, origin: (line: Int, column: Int, offset: Int) = (1, 1, 0),
                unscannedStarts: Int = 0, bare: Set<String> = []) {
        self.delegate = delegate
        self.bare = bare
        self.maxDepth = maxDepth
        self.unscannedStarts = unscannedStarts
        scanner = XMLTagScanner(line: origin.line, column: origin.column, offset: origin.offset)
    }

    /// Parses a whole document; false when it could not be read or was not well-formed.
    @discardableResult
    public func parse(_ input: Input) -> Bool {
        _ = LibXML.initialized
        return withoutActuallyEscaping(input) { input in
            self.input = input
            defer { self.input = nil }
            var sax = XMLStream.handler()
            let me = Unmanaged.passUnretained(self).toOpaque()
            guard let ctxt = xmlCreateIOParserCtxt(&sax, me, { context, buffer, length in
                guard let context, let buffer else { return -1 }
                return Unmanaged<XMLStream>.fromOpaque(context).takeUnretainedValue().read(buffer, Int(length))
            }, nil, me, XML_CHAR_ENCODING_NONE) else {
                error = XMLParseError(message: "cannot create an XML parser", line: 1, column: 1)
                return false
            }
            self.ctxt = ctxt
            defer { xmlFreeParserCtxt(ctxt); self.ctxt = nil }
            let options = XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_HUGE.rawValue
            xmlCtxtUseOptions(ctxt, Int32(options))
            xmlParseDocument(ctxt)
            if !failed && ctxt.pointee.wellFormed == 0 { error = XMLParseError(message: "XML is not well formed", line: 1, column: 1) }
            return !failed
        }
    }

    /// Parses a document held in memory.
    @discardableResult
    public func parse(_ data: Data) -> Bool {
        var at = 0
        return parse { buffer in
            let n = min(buffer.count, data.count - at)
            if n > 0 { data.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: (data.startIndex + at)..<(data.startIndex + at + n)) }
            at += n
            return (n, true)
        }
    }

    private func read(_ buffer: UnsafeMutablePointer<CChar>, _ length: Int) -> Int32 {
        guard !failed, let input else { return 0 }
        let raw = UnsafeMutableRawBufferPointer(start: buffer, count: length)
        let (n, scanned) = input(raw)
        if n < 0 { readFailed = true; return -1 }
        if scanned || n == 0 {
            scanner.feed(UnsafeBufferPointer(start: buffer.withMemoryRebound(to: UInt8.self, capacity: max(n, 1)) { $0 }, count: n), final: n == 0)
            // A DOCTYPE can only come before the root: the first tag found says.
            if depth == 0, let first = scanner.peek(), first.kind == .doctype {
                doctype = (first.line, first.column)
                return 0
            }
        }
        return Int32(n)
    }

    private func stop(_ e: XMLParseError) {
        guard doctype == nil else { return }
        if error == nil { error = e }
        if let ctxt { xmlStopParser(ctxt) }
    }

    // MARK: SAX callbacks

    /// The callbacks, made per parse: a C struct of function pointers is not Sendable, so it is not kept in a static.
    private static func handler() -> xmlSAXHandler {
        var h = xmlSAXHandler()
        h.initialized = UInt32(XML_SAX2_MAGIC)
        h.startElementNs = { ctx, localname, prefix, uri, _, _, count, _, attributes in
            guard let ctx else { return }
            Unmanaged<XMLStream>.fromOpaque(ctx).takeUnretainedValue().start(localname, prefix, uri, Int(count), attributes)
        }
        h.endElementNs = { ctx, localname, _, _ in
            guard let ctx else { return }
            Unmanaged<XMLStream>.fromOpaque(ctx).takeUnretainedValue().end(localname)
        }
        h.characters = { ctx, ch, len in
            guard let ctx, let ch else { return }
            Unmanaged<XMLStream>.fromOpaque(ctx).takeUnretainedValue().characters(ch, Int(len))
        }
        h.ignorableWhitespace = h.characters
        h.serror = { ctx, error in
            guard let ctx, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            // libxml2 goes on after the first error and keeps the last, often a consequence: keep the first.
            Unmanaged<XMLStream>.fromOpaque(ctx).takeUnretainedValue().stop(LibXML.parseError(UnsafePointer(error)))
        }
        return h
    }

    private func string(_ p: UnsafePointer<xmlChar>?) -> String { p.map { String(cString: $0) } ?? "" }

    /// Element names and namespace URIs come from the parser's dictionary: one pointer per distinct
    /// string for the whole parse, so each is made into a Swift string once.
    private func interned(_ p: UnsafePointer<xmlChar>) -> String {
        if let known = names[p] { return known }
        let s = String(cString: p)
        names[p] = s
        return s
    }

    private func namespace(_ uri: UnsafePointer<xmlChar>?) -> String? {
        guard let uri else { return nil }
        if uri == lastNamespace?.pointer { return lastNamespace?.string }
        let s = interned(uri)
        lastNamespace = (uri, s)
        return s
    }

    private func start(_ localname: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?, _ count: Int,
                       _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        guard error == nil else { return }
        depth += 1
        // The scanner's tag for this element, unless it came from unscanned bytes.
        var tag: XMLTagScanner.Tag?
        if unscannedStarts > 0 {
            unscannedStarts -= 1
        } else {
            tag = scanner.nextElementTag()
            if let t = tag, t.kind == .start, inStep, let localname,
               t.nameHash == XMLTagScanner.hash(UnsafeBufferPointer(start: localname, count: Int(xmlStrlen(localname)))) {
            } else if tag != nil {
                inStep = false
            }
        }
        let line = inStep ? tag?.line ?? 0 : Int(xmlSAX2GetLineNumber(ctxt))
        let column = inStep ? tag?.column ?? 0 : 0
        open.append((tag != nil, tag.map { $0.selfClosing ? $0.end : -2 } ?? -1))
        if depth > maxDepth {
            stop(XMLParseError(message: "elements nest more than \(maxDepth) levels deep", line: max(1, line), column: max(1, column)))
            return
        }
        if skipDepth > 0 { return }
        let name = localname.map(interned) ?? ""
        var attrs: [(name: String, value: String)] = []
        if count > 0, let attributes, captureDepth > 0 || !bare.contains(name) {
            attrs.reserveCapacity(count)
            for k in 0..<count {
                let a = attributes + 5 * k
                guard let valueStart = a[3], let valueEnd = a[4] else { continue }
                let value = String(decoding: UnsafeBufferPointer(start: valueStart, count: valueEnd - valueStart), as: UTF8.self)
                if let p = a[1] {
                    let prefix = string(p)
                    attrs.append(("\(prefix):\(string(a[0]))", value))
                    if prefix != "xml", !attrs.contains(where: { $0.name == "xmlns:" + prefix }) { attrs.append(("xmlns:" + prefix, string(a[2]))) }
                } else if let name = a[0] {
                    attrs.append((interned(name), value))
                }
            }
        }
        if captureDepth > 0 {
            stack.append(XMLNode(kind: .element, name: name, namespace: namespace(uri), attributes: attrs, children: [], text: "",
                                 line: line, column: column))
            return
        }
        let startTag = XMLStartTag(name: name, prefix: prefix.map { string($0) }, namespace: namespace(uri), attributes: attrs,
                                   line: line, column: column, offset: tag?.offset ?? -1, tagEnd: tag?.end ?? -1, depth: depth)
        switch delegate.start(startTag) {
        case .events: break
        case .skip: skipDepth = depth
        case .capture:
            captureDepth = depth
            stack = [XMLNode(kind: .element, name: startTag.name, namespace: startTag.namespace, attributes: attrs, children: [], text: "",
                             line: line, column: column)]
        }
    }

    private func end(_ localname: UnsafePointer<xmlChar>?) {
        guard error == nil, let (scanned, selfClosingEnd) = open.popLast() else { return }
        defer { depth -= 1 }
        var endOffset = selfClosingEnd
        if selfClosingEnd == -2 {
            endOffset = -1
            if scanned, let t = scanner.nextEndTag() { endOffset = t.end }
        }
        if skipDepth > 0 {
            if depth == skipDepth { skipDepth = 0 } else { return }
        } else if captureDepth > 0 {
            let node = stack.removeLast()
            if depth == captureDepth {
                captureDepth = 0
                delegate.element(node, depth: depth, endOffset: endOffset)
            } else {
                stack[stack.count - 1].children.append(node)
            }
            return
        }
        delegate.end(name: localname.map(interned) ?? "", depth: depth, endOffset: endOffset)
    }

    private func characters(_ ch: UnsafePointer<xmlChar>, _ len: Int) {
        guard skipDepth == 0, error == nil else { return }
        if captureDepth == 0 {
            if delegate.wantsText { delegate.text(String(decoding: UnsafeBufferPointer(start: ch, count: len), as: UTF8.self)) }
            return
        }
        guard !stack.isEmpty else { return }
        let text = String(decoding: UnsafeBufferPointer(start: ch, count: len), as: UTF8.self)
        let top = stack.count - 1
        if let last = stack[top].children.last, last.kind == .text {
            stack[top].children[stack[top].children.count - 1].text += text
        } else {
            stack[top].children.append(XMLNode(kind: .text, name: "", namespace: nil, attributes: [], children: [], text: text, line: 0))
        }
    }
}
