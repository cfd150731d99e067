import Foundation

/// Reads XLIFF 1.2 written by lessonc or by any translation tool, reporting every problem with
/// its line and column. Returns nil only when nothing can be trusted (not XML, not XLIFF 1.2,
/// another language pair); other problems are reported and the rest of the file is kept.
public enum XLIFFReader {
    public static func read(_ data: Data, path: String, sourceLanguage: String, targetLanguage: String,
                            into diagnostics: inout [Diagnostic]) -> XLIFFDocument? {
        func report(_ rule: Rule, _ message: String, _ line: Int, _ column: Int) {
            diagnostics.append(Diagnostic(.error, rule, message, path: path, line: max(1, line), column: max(1, column)))
        }
        func report(_ rule: Rule, _ message: String, at node: XMLNode) { report(rule, message, node.line, node.column) }

        // Translation files come from outside: no DTD, so no entity expansion and no external fetches.
        if let position = doctypePosition(data) {
            report(.xliffSyntax, "XLIFF files must not have a DOCTYPE", position.line, position.column)
            return nil
        }
        let root: XMLNode
        do {
            root = try LibXML.parseXML(data)
        } catch let e as XMLParseError {
            report(.xliffSyntax, "not well-formed XML: \(e.message)", e.line, e.column)
            return nil
        } catch {
            report(.xliffSyntax, "not well-formed XML", 1, 1)
            return nil
        }
        guard root.name == "xliff" else {
            report(.xliffVersion, "the root element is <\(root.name)>, not <xliff>", at: root)
            return nil
        }
        let version = root.attribute("version") ?? ""
        guard version == "1.2", root.namespace == XLIFFDocument.namespace else {
            let found = version.isEmpty ? "no version" : "version \(version)"
            report(.xliffVersion, "expected XLIFF 1.2 (version=\"1.2\", xmlns=\"\(XLIFFDocument.namespace)\"), found \(found)\(root.namespace.map { " in namespace \($0)" } ?? " without a namespace")", at: root)
            return nil
        }

        var files: [XLIFFFile] = []
        var seenUnits: [String: Int] = [:]
        var seenLessons: [String: Int] = [:]
        for fileNode in root.elements("file") {
            let src = fileNode.attribute("source-language") ?? ""
            let tgt = fileNode.attribute("target-language") ?? ""
            if src != sourceLanguage {
                report(.xliffLanguage, src.isEmpty ? "<file> has no source-language; expected \"\(sourceLanguage)\"" : "source-language is \"\(src)\" but the curriculum is written in \"\(sourceLanguage)\"", at: fileNode)
                return nil
            }
            if tgt != targetLanguage {
                report(.xliffLanguage, tgt.isEmpty ? "<file> has no target-language; expected \"\(targetLanguage)\"" : "target-language is \"\(tgt)\" but the file is in locales/\(targetLanguage)/", at: fileNode)
                return nil
            }
            var file = XLIFFFile(original: fileNode.attribute("original") ?? "", lessonID: "", units: [], line: fileNode.line, column: fileNode.column)
            for unitNode in transUnits(fileNode) {
                guard let id = unitNode.attribute("id"), !id.isEmpty else {
                    report(.xliffStructure, "<trans-unit> has no id", at: unitNode)
                    continue
                }
                guard let parsed = XLIFFUnit.parseID(id) else {
                    report(.xliffUnknownId, "unknown unit id \"\(id)\"; lessonc writes ids like lesson-id/p-3 and they must not change", at: unitNode)
                    continue
                }
                if file.lessonID.isEmpty { file.lessonID = parsed.lesson }
                if parsed.lesson != file.lessonID {
                    report(.xliffUnknownId, "unit id \"\(id)\" belongs to lesson \"\(parsed.lesson)\", not to this file's lesson \"\(file.lessonID)\"", at: unitNode)
                    continue
                }
                if let first = seenUnits[id] {
                    report(.xliffDuplicateId, "duplicate unit id \"\(id)\" (first on line \(first))", at: unitNode)
                    continue
                }
                seenUnits[id] = unitNode.line
                guard let sourceNode = unitNode.element("source") else {
                    report(.xliffStructure, "<trans-unit id=\"\(id)\"> has no <source>", at: unitNode)
                    continue
                }
                var unit = XLIFFUnit(id: id, source: runs(sourceNode, path: path, into: &diagnostics))
                unit.line = unitNode.line
                unit.column = unitNode.column
                if let targetNode = unitNode.element("target") {
                    unit.target = runs(targetNode, path: path, into: &diagnostics)
                    unit.targetLine = targetNode.line
                    unit.targetColumn = targetNode.column
                    if let state = targetNode.attribute("state") {
                        if XLIFFUnit.states.contains(state) { unit.state = state } else {
                            report(.xliffStructure, "unknown state \"\(state)\"; XLIFF 1.2 states are \(XLIFFUnit.states.sorted().joined(separator: ", "))", at: targetNode)
                            unit.state = "needs-translation"
                        }
                    }
                }
                for alt in unitNode.elements("alt-trans") where alt.attribute("alttranstype") == "previous-version" {
                    if let s = alt.element("source"), let t = alt.element("target") {
                        unit.previous = (runs(s, path: path, into: &diagnostics), runs(t, path: path, into: &diagnostics))
                    }
                }
                for note in unitNode.elements("note") where note.attribute("from") != "lessonc" {
                    unit.notes.append((note.attribute("from"), note.textContent))
                }
                file.units.append(unit)
            }
            if !file.lessonID.isEmpty {
                if let first = seenLessons[file.lessonID] {
                    report(.xliffDuplicateId, "a second <file> for lesson \"\(file.lessonID)\" (the first is on line \(first))", at: fileNode)
                    continue
                }
                seenLessons[file.lessonID] = fileNode.line
            }
            files.append(file)
        }
        return XLIFFDocument(sourceLanguage: sourceLanguage, targetLanguage: targetLanguage, files: files)
    }

    /// Trans-units of a file, also inside `<group>`s that tools may add.
    private static func transUnits(_ node: XMLNode) -> [XMLNode] {
        node.children.flatMap { child -> [XMLNode] in
            guard child.kind == .element else { return [] }
            switch child.name {
            case "trans-unit": return [child]
            case "body", "group": return transUnits(child)
            default: return []
            }
        }
    }

    /// Deepest nesting of `<g>` and `<mrk>` inside a `<source>` or `<target>`: as deep as a lesson's
    /// Markdown may nest, so every translation of a valid lesson fits.
    public static let maxInlineDepth = CommonMark.maxNesting

    /// Inline content of `<source>` or `<target>`. `<mrk>` (tool markers) is transparent; codes
    /// lessonc never writes are reported and dropped, and so is what nests beyond `maxInlineDepth`.
    static func runs(_ node: XMLNode, path: String, depth: Int = 0, into diagnostics: inout [Diagnostic]) -> [SegmentRun] {
        var out: [SegmentRun] = []
        if depth >= maxInlineDepth, let deeper = node.children.first(where: { $0.kind == .element }) {
            diagnostics.append(Diagnostic(.error, .xliffStructure, "inline codes nest more than \(maxInlineDepth) levels deep here; the deeper codes are dropped and only their text is kept: keep the codes of the source", path: path, line: max(1, deeper.line), column: max(1, deeper.column)))
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
                case "g": out.append(.group(id: id, ctype: ctype, children: runs(child, path: path, depth: depth + 1, into: &diagnostics)))
                case "x": out.append(.placeholder(id: id, ctype: ctype, equiv: child.attribute("equiv-text") ?? ""))
                case "ph": out.append(.native(id: id, ctype: ctype, code: child.textContent))
                case "mrk":
                    for r in runs(child, path: path, depth: depth + 1, into: &diagnostics) {
                        if case .text(let t) = r, case .text(let prev)? = out.last { out[out.count - 1] = .text(prev + t) } else { out.append(r) }
                    }
                default:
                    diagnostics.append(Diagnostic(.error, .inlineCodeParity, "inline element <\(child.name)> is not used by lessonc; keep the <g>, <x/> and <ph> codes of the source", path: path, line: max(1, child.line), column: max(1, child.column)))
                }
            default: break
            }
        }
        return out
    }

    /// Where a `<!DOCTYPE` appears before the root element, if it does.
    static func doctypePosition(_ data: Data) -> (line: Int, column: Int)? {
        let bytes = [UInt8](data.prefix(4096))
        let needle = Array("<!DOCTYPE".utf8)
        guard bytes.count >= needle.count else { return nil }
        var line = 1, column = 1
        for i in 0...(bytes.count - needle.count) {
            if bytes[i] == UInt8(ascii: "<"), Array(bytes[i..<(i + needle.count)]) == needle { return (line, column) }
            if bytes[i] == UInt8(ascii: "<"), i + 1 < bytes.count, bytes[i + 1] != UInt8(ascii: "?"), bytes[i + 1] != UInt8(ascii: "!") { return nil }
            if bytes[i] == 0x0A { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
        }
        return nil
    }
}
