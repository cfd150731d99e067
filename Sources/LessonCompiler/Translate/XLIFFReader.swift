import Foundation

/// Reads XLIFF 1.2 written by lessonc or by any translation tool, reporting every problem with
/// its line and column, with libxml2's streaming (SAX) parser: never the whole tree.
///
/// `read` makes one pass over the file: it checks that it is well-formed XLIFF 1.2 for the right
/// language pair and notes where each lesson's `<file>` is. A lesson's units are read when the
/// build, status or extract asks for them (`XLIFFDocument.file(for:)`), lessons in parallel.
///
/// Problems with the whole file (not XML, not XLIFF 1.2, another language pair) make `read` return
/// nil: nothing in it can be trusted. Problems with a unit (an unknown id, an unknown state, an
/// inline code lessonc does not use) are warnings: that unit is left out or stays untranslated
/// and the rest is used; `translate extract` refuses to rewrite a file that has any.
public enum XLIFFReader {
    public static func read(_ data: Data, path: String, sourceLanguage: String, targetLanguage: String,
                            into diagnostics: inout [Diagnostic]) -> XLIFFDocument? {
        read(.memory(data), path: path, sourceLanguage: sourceLanguage, targetLanguage: targetLanguage, into: &diagnostics)
    }

    public static func read(_ bytes: XLIFFBytes, path: String, sourceLanguage: String, targetLanguage: String,
                            into diagnostics: inout [Diagnostic]) -> XLIFFDocument? {
        guard let bytes = utf8(bytes, path: path, into: &diagnostics) else { return nil }
        let outline = OutlineReader(path: path, sourceLanguage: sourceLanguage, targetLanguage: targetLanguage)
        let stream = XMLStream(delegate: outline, bare: OutlineReader.bare)
        guard bytes.parse(stream), !stream.readFailed else {
            diagnostics.append(Diagnostic(.error, .unreadable, "cannot read the file", path: path))
            return nil
        }
        if let position = stream.doctype {
            // Translation files come from outside: no DTD, so no entity expansion and no external fetches.
            diagnostics.append(Diagnostic(.error, .xliffSyntax, "XLIFF files must not have a DOCTYPE", path: path, line: position.line, column: position.column))
            return nil
        }
        if let e = stream.error {
            diagnostics.append(Diagnostic(.error, .xliffSyntax, "not well-formed XML: \(e.message)", path: path, line: max(1, e.line), column: max(1, e.column)))
            return nil
        }
        if let fatal = outline.fatal { diagnostics.append(fatal); return nil }
        guard outline.sawRoot else {
            diagnostics.append(Diagnostic(.error, .xliffSyntax, "not well-formed XML: Document is empty", path: path))
            return nil
        }
        guard let prefix = bytes.read(0..<outline.prefixEnd) else {
            diagnostics.append(Diagnostic(.error, .unreadable, "cannot read the file", path: path))
            return nil
        }
        return XLIFFDocument(sourceLanguage: sourceLanguage, targetLanguage: targetLanguage,
                             storage: .stream(bytes: bytes, prefix: prefix, rootEnd: outline.rootEnd, path: path, outline: outline.outline),
                             problems: outline.problems)
    }

    /// Reads one `<file>` of a document `read` has checked: its bytes, wrapped in the document's
    /// own root element so namespaces and the encoding are as in the file.
    static func readFile(_ entry: XLIFFDocument.Outline, bytes: XLIFFBytes, prefix: Data, rootEnd: String, path: String,
                         sourceLanguage: String, targetLanguage: String) -> XLIFFFile {
        let reader = UnitsReader(path: path, mode: .lessons)
        let stream = XMLStream(delegate: reader, origin: (entry.line, entry.column, entry.range.lowerBound), unscannedStarts: 1)
        if let data = bytes.read(entry.range) {
            let parts = [(prefix, false), (data, true), (Data(rootEnd.utf8), false)]
            var part = 0, at = 0
            stream.parse { buffer in
                while part < parts.count {
                    let (bytes, scanned) = parts[part]
                    let n = min(buffer.count, bytes.count - at)
                    if n > 0 {
                        bytes.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: (bytes.startIndex + at)..<(bytes.startIndex + at + n))
                        at += n
                        return (n, scanned)
                    }
                    part += 1
                    at = 0
                }
                return (0, false)
            }
        } else {
            return changed(entry, path: path)
        }
        // `read` found this <file> well-formed: if it no longer is, or holds another lesson, the file changed since.
        guard !stream.failed, var file = reader.files.first, file.lessonID == entry.lessonID else { return changed(entry, path: path) }
        file.line = entry.line
        file.column = entry.column
        return file
    }

    private static func changed(_ entry: XLIFFDocument.Outline, path: String) -> XLIFFFile {
        var file = XLIFFFile(original: entry.original, lessonID: entry.lessonID, units: [], line: entry.line, column: entry.column)
        file.problems.append(Diagnostic(.error, .unreadable, "the file changed while lessonc was reading it; run the command again",
                                        path: path, line: max(1, entry.line), column: max(1, entry.column)))
        return file
    }

    /// Every `<file>` of a translation memory (`locales/LL/_memory.xlf`): any unit ids, any source
    /// language (one `<file>` per curriculum). nil when the file is not well-formed XLIFF 1.2 for `targetLanguage`.
    static func readMemory(_ bytes: XLIFFBytes, path: String, targetLanguage: String, into diagnostics: inout [Diagnostic]) -> [XLIFFFile]? {
        guard let bytes = utf8(bytes, path: path, into: &diagnostics) else { return nil }
        let outline = OutlineReader(path: path, sourceLanguage: nil, targetLanguage: targetLanguage)
        let reader = UnitsReader(path: path, mode: .memory, outline: outline)
        let stream = XMLStream(delegate: reader)
        let readable = bytes.parse(stream) && !stream.readFailed
        if let position = stream.doctype {
            diagnostics.append(Diagnostic(.error, .xliffSyntax, "XLIFF files must not have a DOCTYPE", path: path, line: position.line, column: position.column))
            return nil
        }
        if let e = stream.error {
            diagnostics.append(Diagnostic(.error, .xliffSyntax, "not well-formed XML: \(e.message)", path: path, line: max(1, e.line), column: max(1, e.column)))
            return nil
        }
        if let fatal = outline.fatal { diagnostics.append(fatal); return nil }
        guard readable else { diagnostics.append(Diagnostic(.error, .unreadable, "cannot read the file", path: path)); return nil }
        diagnostics += reader.files.flatMap(\.problems)
        return reader.files
    }

    /// UTF-8 (or an encoding that keeps ASCII bytes as they are) as it is; UTF-16 converted, since
    /// excerpts of the file are read by byte offset. nil after a diagnostic when it cannot be converted.
    private static func utf8(_ bytes: XLIFFBytes, path: String, into diagnostics: inout [Diagnostic]) -> XLIFFBytes? {
        guard let head = bytes.prefix(4), head.count >= 2 else { return bytes }
        let b = [UInt8](head)
        let bigEndian = (b[0] == 0xFE && b[1] == 0xFF) || (b.count >= 4 && b[0] == 0 && b[1] == 0x3C && b[2] == 0 && b[3] == 0x3F)
        let littleEndian = (b[0] == 0xFF && b[1] == 0xFE) || (b.count >= 4 && b[0] == 0x3C && b[1] == 0 && b[2] == 0x3F && b[3] == 0)
        guard bigEndian || littleEndian else { return bytes }
        guard let data = try? bytes.readAll(), var text = String(data: data, encoding: bigEndian ? .utf16BigEndian : .utf16LittleEndian) else {
            diagnostics.append(Diagnostic(.error, .xliffSyntax, "not well-formed XML: the file looks like UTF-16 but is not; save it as UTF-8", path: path))
            return nil
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        // The declaration must no longer say UTF-16.
        if text.hasPrefix("<?xml"), let end = text.range(of: "?>") {
            let declaration = text[..<end.lowerBound].replacingOccurrences(of: #"encoding\s*=\s*["'][^"']*["']"#, with: "encoding=\"UTF-8\"", options: .regularExpression)
            text = declaration + text[end.lowerBound...]
        }
        return .memory(Data(text.utf8))
    }

    // MARK: Units

    /// Deepest nesting of `<g>` and `<mrk>` inside a `<source>` or `<target>`: as deep as a lesson's
    /// Markdown may nest, so every translation of a valid lesson fits.
    public static let maxInlineDepth = CommonMark.maxNesting

    /// Inline content of `<source>` or `<target>`. `<mrk>` (tool markers) is transparent; codes
    /// lessonc never writes, and what nests beyond `maxInlineDepth`, are reported and make the unit unusable.
    static func runs(_ node: XMLNode, path: String, depth: Int = 0, damaged: inout Bool, into problems: inout [Diagnostic]) -> [SegmentRun] {
        var out: [SegmentRun] = []
        if depth >= maxInlineDepth, let deeper = node.children.first(where: { $0.kind == .element }) {
            problems.append(Diagnostic(.warning, .xliffStructure, "inline codes nest more than \(maxInlineDepth) levels deep here; the text stays untranslated until it keeps the codes of the source", path: path, line: max(1, deeper.line), column: max(1, deeper.column)))
            damaged = true
            return [.text(node.textContent)]
        }
        for child in node.children {
            switch child.kind {
            case .text, .cdata:
                if case .text(let prev)? = out.last { out[out.count - 1] = .text(prev + child.text) } else { out.append(.text(child.text)) }
            case .element:
                let id = child.attribute("id") ?? ""
                let ctype = child.attribute("ctype") ?? ""
                switch child.name {
                case "g": out.append(.group(id: id, ctype: ctype, children: runs(child, path: path, depth: depth + 1, damaged: &damaged, into: &problems)))
                case "x": out.append(.placeholder(id: id, ctype: ctype, equiv: child.attribute("equiv-text") ?? ""))
                case "ph": out.append(.native(id: id, ctype: ctype, code: child.textContent))
                case "mrk":
                    for r in runs(child, path: path, depth: depth + 1, damaged: &damaged, into: &problems) {
                        if case .text(let t) = r, case .text(let prev)? = out.last { out[out.count - 1] = .text(prev + t) } else { out.append(r) }
                    }
                default:
                    problems.append(Diagnostic(.warning, .inlineCodeParity, "inline element <\(child.name)> is not used by lessonc; keep the <g>, <x/> and <ph> codes of the source; the text stays untranslated until then", path: path, line: max(1, child.line), column: max(1, child.column)))
                    damaged = true
                }
            default: break
            }
        }
        return out
    }
}

/// The first pass: the root, each `<file>`'s languages and lesson, and where its bytes are.
final class OutlineReader: XMLStreamDelegate {
    let path: String
    /// nil for a translation memory, whose files each name their own source language.
    let sourceLanguage: String?
    let targetLanguage: String
    /// The problem that makes the whole file unusable.
    var fatal: Diagnostic?
    var problems: [Diagnostic] = []
    var outline: [XLIFFDocument.Outline] = []
    var sawRoot = false
    var prefixEnd = 0
    var rootEnd = "</xliff>"
    private var current: XLIFFDocument.Outline?
    private var seenLessons: [String: Int] = [:]

    init(path: String, sourceLanguage: String?, targetLanguage: String) {
        self.path = path
        self.sourceLanguage = sourceLanguage
        self.targetLanguage = targetLanguage
    }

    private func fail(_ rule: Rule, _ message: String, _ tag: XMLStartTag) {
        if fatal == nil { fatal = Diagnostic(.error, rule, message, path: path, line: max(1, tag.line), column: max(1, tag.column)) }
    }

    /// Checks the root; false when the file is not XLIFF 1.2.
    func root(_ tag: XMLStartTag) -> Bool {
        sawRoot = true
        guard tag.name == "xliff" else {
            fail(.xliffVersion, "the root element is <\(tag.name)>, not <xliff>", tag)
            return false
        }
        let version = tag.attribute("version") ?? ""
        guard version == "1.2", tag.namespace == XLIFFDocument.namespace else {
            let found = version.isEmpty ? "no version" : "version \(version)"
            fail(.xliffVersion, "expected XLIFF 1.2 (version=\"1.2\", xmlns=\"\(XLIFFDocument.namespace)\"), found \(found)\(tag.namespace.map { " in namespace \($0)" } ?? " without a namespace")", tag)
            return false
        }
        prefixEnd = tag.tagEnd
        rootEnd = "</\(tag.prefix.map { $0 + ":" } ?? "")xliff>"
        return true
    }

    /// Checks a `<file>`'s languages; false when they are not this file's.
    func file(_ tag: XMLStartTag) -> Bool {
        let src = tag.attribute("source-language") ?? ""
        let tgt = tag.attribute("target-language") ?? ""
        if let sourceLanguage, !LocaleInfo.matches(src, sourceLanguage) {
            fail(.xliffLanguage, src.isEmpty ? "<file> has no source-language; expected \"\(sourceLanguage)\"" : "source-language is \"\(src)\" but the curriculum is written in \"\(sourceLanguage)\"", tag)
            return false
        }
        if sourceLanguage == nil && !LocaleInfo.isValidTag(src) {
            fail(.xliffLanguage, "<file> has no source-language, or not a BCP 47 tag", tag)
            return false
        }
        if !LocaleInfo.matches(tgt, targetLanguage) {
            fail(.xliffLanguage, tgt.isEmpty ? "<file> has no target-language; expected \"\(targetLanguage)\"" : "target-language is \"\(tgt)\" but the file is in locales/\(targetLanguage)/", tag)
            return false
        }
        return true
    }

    /// Elements whose attributes the outline never reads: the inline codes of sources.
    static let bare: Set<String> = ["source", "g", "x", "ph", "mrk"]

    // Within the current <file>: whether anything in it could be used or reported (see Outline.needsReading).
    private var unitIDs = Set<String>()
    private var unitDepth = 0
    private var sawSource = false
    /// Depth of the open <source> or <target> of the current unit (0: none).
    private var sourceDepth = 0
    private var targetDepth = 0
    var wantsText: Bool { targetDepth > 0 }

    func start(_ tag: XMLStartTag) -> XMLStreamAction {
        guard fatal == nil else { return .skip }
        switch tag.depth {
        case 1: return root(tag) ? .events : .skip
        case 2:
            guard tag.name == "file", tag.namespace == XLIFFDocument.namespace else { return .skip }
            guard file(tag) else { return .skip }
            current = XLIFFDocument.Outline(lessonID: "", original: tag.attribute("original") ?? "", line: tag.line, column: tag.column,
                                            range: tag.offset..<tag.offset, needsReading: false)
            unitIDs = []
            unitDepth = 0
            return .events
        default:
            guard current != nil else { return .skip }
            if targetDepth > 0 {
                // A code in a target: there is a translation to read.
                current?.needsReading = true
                return .skip
            }
            if sourceDepth > 0 {
                // What the reader would report: a code lessonc does not use, or nesting too deep.
                let known: Bool
                switch tag.name {
                case "g", "x", "ph", "mrk": known = true
                default: known = false
                }
                if !known || tag.depth - sourceDepth > XLIFFReader.maxInlineDepth {
                    current?.needsReading = true
                    return .skip
                }
                return .events
            }
            if unitDepth > 0 {
                guard tag.depth == unitDepth + 1 else { return .skip }
                switch tag.name {
                case "source" where !sawSource:
                    sawSource = true
                    sourceDepth = tag.depth
                    return .events
                case "target":
                    // An unknown state is reported, and an empty target that claims to be done is checked.
                    if let state = tag.attribute("state"), !XLIFFUnit.states.contains(state) || XLIFFUnit.publishable.contains(state) {
                        current?.needsReading = true
                    }
                    targetDepth = tag.depth
                    return .events
                default: return .skip
                }
            }
            switch tag.name {
            case "body", "group": return .events
            case "trans-unit":
                let id = tag.attribute("id") ?? ""
                if let parsed = XLIFFUnit.parseID(id) {
                    if current?.lessonID.isEmpty == true { current?.lessonID = parsed.lesson }
                    if parsed.lesson != current?.lessonID { current?.needsReading = true }
                } else {
                    current?.needsReading = true
                }
                if !unitIDs.insert(id).inserted { current?.needsReading = true }
                unitDepth = tag.depth
                sawSource = false
                return .events
            default: return .skip
            }
        }
    }

    func text(_ text: String) {
        if targetDepth > 0 && text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) { current?.needsReading = true }
    }

    func end(name: String, depth: Int, endOffset: Int) {
        if targetDepth > 0 { if depth == targetDepth { targetDepth = 0 }; return }
        if sourceDepth > 0 { if depth == sourceDepth { sourceDepth = 0 }; return }
        if unitDepth > 0 && depth == unitDepth {
            if !sawSource { current?.needsReading = true }
            unitDepth = 0
            return
        }
        guard depth == 2, var file = current else { return }
        current = nil
        file.range = file.range.lowerBound..<max(file.range.lowerBound, endOffset)
        if !file.lessonID.isEmpty {
            if let first = seenLessons[file.lessonID] {
                problems.append(Diagnostic(.warning, .xliffDuplicateId, "a second <file> for lesson \"\(file.lessonID)\" (the first is on line \(first)); it is ignored",
                                           path: path, line: max(1, file.line), column: max(1, file.column)))
                return
            }
            seenLessons[file.lessonID] = file.line
        }
        outline.append(file)
    }

    func element(_ node: XMLNode, depth: Int, endOffset: Int) {}
}

/// The second pass: the units of one `<file>` (or of every `<file>` of a translation memory),
/// built straight from the parser's events: inline codes become runs as they are read.
final class UnitsReader: XMLStreamDelegate {
    enum Mode { case lessons, memory }
    let path: String
    let mode: Mode
    /// For a memory, read in one pass: checks the root and the languages.
    let outline: OutlineReader?
    var files: [XLIFFFile] = []
    var wantsText: Bool { true }
    // Touched on every event, from the one thread that parses: see XMLStream.
    @exclusivity(unchecked) private var current: XLIFFFile?
    private var seen: [String: Int] = [:]

    /// The `<trans-unit>` being read.
    private struct UnitDraft {
        var tag: XMLStartTag
        var source: [SegmentRun]?
        var target: [SegmentRun]?
        var targetTag: XMLStartTag?
        var state: String?
        var stateQualifier: String?
        var otherTargetAttributes: [(name: String, value: String)] = []
        var notes: [XLIFFNote] = []
        var captured: [XMLNode] = []
        var damaged = false
        var problems: [Diagnostic] = []
    }
    @exclusivity(unchecked) private var unit: UnitDraft?
    private var unitDepth = 0

    /// Inline content being read: one frame per open `<g>`, `<ph>` or `<mrk>`.
    private struct Frame {
        enum Kind { case top, group(id: String, ctype: String), native(id: String, ctype: String), marker }
        var kind: Kind
        var runs: [SegmentRun] = []
        var text = ""
    }
    private enum Inline { case source, target }
    private var inline: Inline?
    @exclusivity(unchecked) private var frames: [Frame] = []
    /// Per element open inside `<source>`/`<target>`: whether it opened a frame (`<x/>` and skipped ones do not).
    @exclusivity(unchecked) private var opened: [Bool] = []
    @exclusivity(unchecked) private var note: (tag: XMLStartTag, text: String)?

    init(path: String, mode: Mode, outline: OutlineReader? = nil) {
        self.path = path
        self.mode = mode
        self.outline = outline
    }

    private func problem(_ rule: Rule, _ message: String, at tag: XMLStartTag) {
        unit?.problems.append(Diagnostic(.warning, rule, message, path: path, line: max(1, tag.line), column: max(1, tag.column)))
    }

    func start(_ tag: XMLStartTag) -> XMLStreamAction {
        if let outline, outline.fatal != nil { return .skip }
        if inline != nil { return inlineStart(tag) }
        if note != nil { return .skip }
        if unit != nil {
            guard tag.depth == unitDepth + 1 else { return .skip }
            switch tag.name {
            case "source" where unit?.source == nil:
                inline = .source
                frames = [Frame(kind: .top)]
                opened = []
                return .events
            case "target" where unit?.targetTag == nil:
                inline = .target
                frames = [Frame(kind: .top)]
                opened = []
                unit?.targetTag = tag
                for (name, value) in tag.attributes {
                    switch name {
                    case "state":
                        if XLIFFUnit.states.contains(value) { unit?.state = value } else {
                            problem(.xliffStructure, "unknown state \"\(value)\"; XLIFF 1.2 states are \(XLIFFUnit.states.sorted().joined(separator: ", ")); the text stays untranslated", at: tag)
                            unit?.state = "needs-translation"
                            unit?.damaged = true
                        }
                    case "state-qualifier": unit?.stateQualifier = value
                    default: unit?.otherTargetAttributes.append((name, value))
                    }
                }
                return .events
            case "note":
                note = (tag, "")
                return .events
            default:
                // <alt-trans> and what other tools add are read whole.
                return .capture
            }
        }
        switch tag.depth {
        case 1:
            if let outline, !outline.root(tag) { return .skip }
            return .events
        case 2:
            guard tag.name == "file", tag.namespace == XLIFFDocument.namespace else { return .skip }
            if let outline, !outline.file(tag) { return .skip }
            current = XLIFFFile(original: tag.attribute("original") ?? "", lessonID: "", units: [], line: tag.line, column: tag.column)
            current?.sourceLanguage = tag.attribute("source-language")
            seen = [:]
            return .events
        default:
            guard current != nil else { return .skip }
            switch tag.name {
            case "body", "group": return .events
            case "header": return .capture
            case "trans-unit":
                unit = UnitDraft(tag: tag)
                unitDepth = tag.depth
                return .events
            default: return .skip
            }
        }
    }

    private func inlineStart(_ tag: XMLStartTag) -> XMLStreamAction {
        let action = inlineAction(tag)
        if action != .capture { opened.append(action == .events) }
        return action
    }

    private func inlineAction(_ tag: XMLStartTag) -> XMLStreamAction {
        // As deep as a lesson's Markdown may nest, so every translation of a valid lesson fits.
        if frames.count > XLIFFReader.maxInlineDepth {
            problem(.xliffStructure, "inline codes nest more than \(XLIFFReader.maxInlineDepth) levels deep here; the text stays untranslated until it keeps the codes of the source", at: tag)
            unit?.damaged = true
            return .capture
        }
        let id = tag.attribute("id") ?? ""
        let ctype = tag.attribute("ctype") ?? ""
        switch tag.name {
        case "g": frames.append(Frame(kind: .group(id: id, ctype: ctype)))
        case "ph": frames.append(Frame(kind: .native(id: id, ctype: ctype)))
        case "mrk": frames.append(Frame(kind: .marker))
        case "x":
            append(.placeholder(id: id, ctype: ctype, equiv: tag.attribute("equiv-text") ?? ""))
            return .skip
        default:
            problem(.inlineCodeParity, "inline element <\(tag.name)> is not used by lessonc; keep the <g>, <x/> and <ph> codes of the source; the text stays untranslated until then", at: tag)
            unit?.damaged = true
            return .skip
        }
        return .events
    }

    private func append(_ run: SegmentRun) {
        let top = frames.count - 1
        if case .text(let t) = run {
            if case .native = frames[top].kind { frames[top].text += t; return }
            if case .text(let prev)? = frames[top].runs.last { frames[top].runs[frames[top].runs.count - 1] = .text(prev + t); return }
        }
        frames[top].runs.append(run)
    }

    func text(_ text: String) {
        if inline != nil { append(.text(text)) } else if note != nil { note?.text += text }
    }

    func element(_ node: XMLNode, depth: Int, endOffset: Int) {
        if inline != nil {
            // Nested beyond the limit: only its words are kept.
            append(.text(node.textContent))
            return
        }
        if unit != nil { unit?.captured.append(node); return }
        guard node.name == "header" else { return }
        for n in node.elements("note") where n.attribute("from") != "lessonc" {
            current?.notes.append(XLIFFNote(from: n.attribute("from"), annotates: n.attribute("annotates"), priority: n.attribute("priority"), text: n.textContent))
        }
    }

    func end(name: String, depth: Int, endOffset: Int) {
        if let which = inline {
            if let framed = opened.popLast() {
                guard framed else { return }
            }
            let frame = frames.removeLast()
            guard !frames.isEmpty else {
                inline = nil
                if which == .source { unit?.source = frame.runs } else { unit?.target = frame.runs }
                return
            }
            switch frame.kind {
            case .group(let id, let ctype): append(.group(id: id, ctype: ctype, children: frame.runs))
            case .native(let id, let ctype): append(.native(id: id, ctype: ctype, code: frame.text))
            case .marker: for r in frame.runs { append(r) }
            case .top: break
            }
            return
        }
        if let n = note, depth == unitDepth + 1 {
            note = nil
            if n.tag.attribute("from") != "lessonc" {
                unit?.notes.append(XLIFFNote(from: n.tag.attribute("from"), annotates: n.tag.attribute("annotates"), priority: n.tag.attribute("priority"), text: n.text))
            }
            return
        }
        if let draft = unit, depth == unitDepth {
            unit = nil
            guard var file = current else { return }
            if let built = finish(draft, in: &file) {
                file.units.append(built)
                file.problems += draft.problems
            }
            current = file
            return
        }
        if depth == 2, let file = current {
            current = nil
            files.append(file)
        }
    }

    /// The unit, or nil (after a problem) when it cannot be used at all.
    private func finish(_ draft: UnitDraft, in file: inout XLIFFFile) -> XLIFFUnit? {
        let tag = draft.tag
        func problem(_ rule: Rule, _ message: String) {
            file.problems.append(Diagnostic(.warning, rule, message, path: path, line: max(1, tag.line), column: max(1, tag.column)))
        }
        guard let id = tag.attribute("id"), !id.isEmpty else {
            problem(.xliffStructure, "<trans-unit> has no id; the unit is ignored")
            return nil
        }
        if mode == .lessons {
            guard let parsed = XLIFFUnit.parseID(id) else {
                problem(.xliffUnknownId, "unknown unit id \"\(id)\"; lessonc writes ids like lesson-id/p-3 and they must not change; the unit is ignored")
                return nil
            }
            if file.lessonID.isEmpty { file.lessonID = parsed.lesson }
            if parsed.lesson != file.lessonID {
                problem(.xliffUnknownId, "unit id \"\(id)\" belongs to lesson \"\(parsed.lesson)\", not to this file's lesson \"\(file.lessonID)\"; the unit is ignored")
                return nil
            }
        }
        if let first = seen[id] {
            problem(.xliffDuplicateId, "duplicate unit id \"\(id)\" (first on line \(first)); this one is ignored")
            return nil
        }
        seen[id] = tag.line
        guard let source = draft.source else {
            problem(.xliffStructure, "<trans-unit id=\"\(id)\"> has no <source>; the unit is ignored")
            return nil
        }
        var unit = XLIFFUnit(id: id, source: source, target: draft.target, state: draft.state)
        unit.line = tag.line
        unit.column = tag.column
        if let t = draft.targetTag {
            unit.targetLine = t.line
            unit.targetColumn = t.column
            unit.target = unit.target ?? []
        }
        unit.stateQualifier = draft.stateQualifier
        unit.otherTargetAttributes = draft.otherTargetAttributes
        unit.notes = draft.notes
        for (name, value) in tag.attributes {
            switch name {
            case "id": break
            case "approved" where value == "yes" || value == "no": unit.approved = value == "yes"
            // lessonc's own: written anew by extract.
            case "maxwidth", "size-unit": break
            default: unit.otherAttributes.append((name, value))
            }
        }
        // Other tools' alternatives are kept as they are; what is odd in them never makes the unit unusable.
        var ignored: [Diagnostic] = []
        var odd = false
        func inline(_ n: XMLNode) -> [SegmentRun] { XLIFFReader.runs(n, path: path, damaged: &odd, into: &ignored) }
        for child in draft.captured {
            guard child.name == "alt-trans", let target = child.element("target").map(inline) else { unit.otherElements.append(child); continue }
            let type = child.attribute("alttranstype")
            let origin = child.attribute("origin") ?? ""
            let source = child.element("source").map(inline)
            if type == "previous-version", unit.previous == nil, let source, origin.isEmpty {
                unit.previous = (source, target)
            } else if type == "proposal", let o = XLIFFSuggestion.Origin(rawValue: origin), let source, unit.suggestion == nil {
                unit.suggestion = XLIFFSuggestion(origin: o, quality: Int(child.attribute("match-quality") ?? "") ?? 100, source: source, target: target,
                                                  place: child.attribute("extradata") ?? "")
            } else {
                unit.alternatives.append(XLIFFAlternative(attributes: child.attributes, source: source, target: target))
            }
        }
        unit.isDamaged = draft.damaged
        return unit
    }
}
