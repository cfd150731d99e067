/// One XLIFF 1.2 document: the translations of one curriculum into one locale.
public struct XLIFFDocument: Sendable {
    public static let namespace = "urn:oasis:names:tc:xliff:document:1.2"

    public var sourceLanguage: String
    public var targetLanguage: String
    /// One `<file>` per lesson, keyed by lesson id so moving a lesson file loses nothing.
    public var files: [XLIFFFile] { didSet { indexFiles() } }
    private var byLesson: [String: Int] = [:]

    public init(sourceLanguage: String, targetLanguage: String, files: [XLIFFFile]) {
        self.sourceLanguage = sourceLanguage
        self.targetLanguage = targetLanguage
        self.files = files
        indexFiles()
    }

    /// The first `<file>` of a lesson (the reader reports any second one).
    public func file(for lessonID: String) -> XLIFFFile? { byLesson[lessonID].map { files[$0] } }

    private mutating func indexFiles() {
        byLesson = [:]
        for (i, f) in files.enumerated() where byLesson[f.lessonID] == nil { byLesson[f.lessonID] = i }
    }
}

public struct XLIFFFile: Sendable {
    /// The lesson's path under the project root when it was last extracted.
    public var original: String
    /// Taken from the unit ids (`lesson-id/kind-n`); "" for a file without units.
    public var lessonID: String
    public var units: [XLIFFUnit]
    public var line = 0
    public var column = 0
}

public struct XLIFFUnit: Sendable {
    /// XLIFF 1.2 target states; `state` lives on `<target>`.
    public static let states: Set<String> = ["new", "needs-translation", "needs-adaptation", "needs-l10n",
                                             "needs-review-translation", "needs-review-adaptation", "needs-review-l10n",
                                             "translated", "signed-off", "final"]
    /// States whose target is published.
    public static let publishable: Set<String> = ["translated", "signed-off", "final"]

    public var id: String
    public var source: [SegmentRun] { didSet { sourceKey = XLIFFUnit.key(source) } }
    /// The normalised source, comparable with `Segment.key`; kept so alignment does not rebuild it.
    private(set) var sourceKey: String
    /// nil when the unit has no `<target>`.
    public var target: [SegmentRun]?
    public var state: String?
    /// The source (and target) the current target was translated from, kept after the source changed.
    public var previous: (source: [SegmentRun], target: [SegmentRun])?
    /// Notes other tools or translators wrote; lessonc's own notes are regenerated.
    public var notes: [(from: String?, text: String)] = []
    public var line = 0
    public var column = 0
    public var targetLine = 0
    public var targetColumn = 0

    public init(id: String, source: [SegmentRun], target: [SegmentRun]? = nil, state: String? = nil) {
        self.id = id
        self.source = source
        self.sourceKey = XLIFFUnit.key(source)
        self.target = target
        self.state = state
    }

    public var kind: SegmentKind? { XLIFFUnit.parseID(id)?.kind }

    static func key(_ source: [SegmentRun]) -> String { XLIFFWriter.inline(Segment.normalized(source)) }

    /// A target the build may publish: a non-empty text in an accepted state. A target without a
    /// state counts as translated, as tools that do not write states mean it.
    public var isPublishable: Bool {
        guard Translator.hasText(target) else { return false }
        return state.map { XLIFFUnit.publishable.contains($0) } ?? true
    }

    public var needsReview: Bool { state?.hasPrefix("needs-review") ?? false }

    /// `lesson-id/kind-n` → its parts; nil when the id is not one lessonc writes.
    public static func parseID(_ id: String) -> (lesson: String, kind: SegmentKind, number: Int)? {
        guard let slash = id.lastIndex(of: "/") else { return nil }
        let lesson = String(id[..<slash])
        let rest = id[id.index(after: slash)...]
        guard Pattern.id.matches(lesson), let dash = rest.lastIndex(of: "-"),
              let kind = SegmentKind(rawValue: String(rest[..<dash])),
              let n = Int(rest[rest.index(after: dash)...]), n >= 1, String(n) == rest[rest.index(after: dash)...] else { return nil }
        return (lesson, kind, n)
    }
}

/// Writes XLIFF 1.2 deterministically: the same translations always give the same bytes.
public enum XLIFFWriter {
    public static func write(_ doc: XLIFFDocument) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<xliff version=\"1.2\" xmlns=\"\(XLIFFDocument.namespace)\">\n"
        for file in doc.files {
            out += "  <file original=\"\(attr(file.original))\" source-language=\"\(attr(doc.sourceLanguage))\" target-language=\"\(attr(doc.targetLanguage))\" datatype=\"x-markdown\">\n"
            out += "    <header>\n"
            out += "      <note from=\"lessonc\">Lesson \(text(file.lessonID)). Inline codes stand for formatting (g), links (g), code (ph), images and line breaks (x): keep every one, move it with the words it belongs to. Unit ids must not change.</note>\n"
            out += "    </header>\n"
            out += "    <body>\n"
            for unit in file.units { out += self.unit(unit) }
            out += "    </body>\n"
            out += "  </file>\n"
        }
        out += "</xliff>\n"
        return out
    }

    static func unit(_ u: XLIFFUnit) -> String {
        var out = "      <trans-unit id=\"\(attr(u.id))\">\n"
        out += "        <source>\(inline(u.source))</source>\n"
        if let target = u.target {
            let state = u.state.map { " state=\"\(attr($0))\"" } ?? ""
            out += target.isEmpty ? "        <target\(state)/>\n" : "        <target\(state)>\(inline(target))</target>\n"
        }
        if let previous = u.previous {
            out += "        <alt-trans alttranstype=\"previous-version\">\n"
            out += "          <source>\(inline(previous.source))</source>\n"
            out += "          <target>\(inline(previous.target))</target>\n"
            out += "        </alt-trans>\n"
            out += "        <note from=\"lessonc\">The source text changed; check the translation. Previous source: \(text(readable(previous.source)))</note>\n"
        }
        for note in u.notes {
            out += "        <note\(note.from.map { " from=\"\(attr($0))\"" } ?? "")>\(text(note.text))</note>\n"
        }
        out += "      </trans-unit>\n"
        return out
    }

    /// Inline content: text escaped, codes as `<g>`, `<x/>` and `<ph>`.
    public static func inline(_ runs: [SegmentRun]) -> String {
        var out = ""
        for run in runs {
            switch run {
            case .text(let s): out += text(s)
            case .group(let id, let ctype, let children):
                out += "<g id=\"\(attr(id))\" ctype=\"\(attr(ctype))\">\(inline(children))</g>"
            case .placeholder(let id, let ctype, let equiv):
                out += "<x id=\"\(attr(id))\" ctype=\"\(attr(ctype))\"" + (equiv.isEmpty ? "" : " equiv-text=\"\(attr(equiv))\"") + "/>"
            case .native(let id, let ctype, let code):
                out += "<ph id=\"\(attr(id))\" ctype=\"\(attr(ctype))\">\(text(code))</ph>"
            }
        }
        return out
    }

    /// Runs as a person reads them in a plain-text note: code shown as in Markdown.
    static func readable(_ runs: [SegmentRun]) -> String {
        Segment.text(runs) { code in
            switch code {
            case .placeholder(_, let ctype, let equiv): return ctype == "lb" ? " " : "[\(equiv)]"
            case .native(_, _, let text): return "`\(text)`"
            default: return ""
            }
        }
    }

    static func text(_ s: String) -> String { LibXML.escape(s) }
    static func attr(_ s: String) -> String { LibXML.escape(s, attribute: true) }
}
