import Foundation

/// One XLIFF 1.2 document: the translations of one curriculum into one locale.
///
/// A document read from a file holds only its outline (which `<file>` belongs to which lesson,
/// and where its bytes are): a lesson's units are read when asked, so a build holds one lesson's
/// translations at a time however large the file (issue 14). A document made in memory holds its files.
public struct XLIFFDocument: Sendable {
    public static let namespace = "urn:oasis:names:tc:xliff:document:1.2"

    public var sourceLanguage: String
    public var targetLanguage: String
    /// Problems that leave the rest of the file usable (a second `<file>` for one lesson), as warnings.
    public var problems: [Diagnostic] = []

    /// Where one lesson's `<file>` is.
    public struct Outline: Sendable, Equatable {
        /// Taken from the unit ids (`lesson-id/kind-n`); "" for a file without units.
        public var lessonID: String
        public var original: String
        public var line: Int
        public var column: Int
        /// Bytes from its `<file` to the end of its `</file>`.
        var range: Range<Int>
        /// Whether reading it can change what the build does: false when every `<target>` is empty
        /// and every unit is in order (ids, states, codes), so each of its texts is untranslated and
        /// reading it would report nothing.
        var needsReading = true
    }

    enum Storage: Sendable {
        case memory([XLIFFFile])
        /// `prefix`: the bytes up to the end of the root's start tag (XML declaration included), which
        /// make an excerpt of one `<file>` a document of its own with `rootEnd` after it.
        case stream(bytes: XLIFFBytes, prefix: Data, rootEnd: String, path: String, outline: [Outline])
    }

    private var storage: Storage
    private var byLesson: [String: Int] = [:]

    public init(sourceLanguage: String, targetLanguage: String, files: [XLIFFFile]) {
        self.sourceLanguage = sourceLanguage
        self.targetLanguage = targetLanguage
        storage = .memory(files)
        index()
    }

    init(sourceLanguage: String, targetLanguage: String, storage: Storage, problems: [Diagnostic]) {
        self.sourceLanguage = sourceLanguage
        self.targetLanguage = targetLanguage
        self.storage = storage
        self.problems = problems
        index()
    }

    private mutating func index() {
        byLesson = [:]
        for (i, id) in lessonIDs.enumerated() where !id.isEmpty && byLesson[id] == nil { byLesson[id] = i }
    }

    /// Lesson ids of the `<file>`s in document order ("" for a file without units).
    public var lessonIDs: [String] {
        switch storage {
        case .memory(let files): return files.map(\.lessonID)
        case .stream(_, _, _, _, let outline): return outline.map(\.lessonID)
        }
    }

    public var outline: [Outline] {
        switch storage {
        case .memory(let files): return files.map { Outline(lessonID: $0.lessonID, original: $0.original, line: $0.line, column: $0.column, range: 0..<0, needsReading: true) }
        case .stream(_, _, _, _, let outline): return outline
        }
    }

    public var fileCount: Int { lessonIDs.count }

    /// The first `<file>` of a lesson (the reader reports any second one), read now, as the build
    /// uses it: a file with no translation at all in it and nothing to report comes back without
    /// units, as every text of the lesson is untranslated either way (a corpus translated in part
    /// is mostly such files). `file(at:)` always reads everything.
    public func file(for lessonID: String) -> XLIFFFile? {
        guard let i = byLesson[lessonID] else { return nil }
        if case .stream(_, _, _, _, let outline) = storage, !outline[i].needsReading {
            let entry = outline[i]
            return XLIFFFile(original: entry.original, lessonID: entry.lessonID, units: [], line: entry.line, column: entry.column)
        }
        return file(at: i)
    }

    /// The `<file>` at this position, read now.
    public func file(at index: Int) -> XLIFFFile {
        switch storage {
        case .memory(let files): return files[index]
        case .stream(let bytes, let prefix, let rootEnd, let path, let outline):
            return XLIFFReader.readFile(outline[index], bytes: bytes, prefix: prefix, rootEnd: rootEnd, path: path,
                                        sourceLanguage: sourceLanguage, targetLanguage: targetLanguage)
        }
    }

    /// Where one lesson's `<file>` is in a file on disk, with what makes that excerpt a document of
    /// its own: the compile cache keeps the curriculum's own texts' excerpt, so a run whose XLIFF
    /// files did not change reads those few bytes instead of the whole file again.
    struct Excerpt: Sendable, Equatable {
        var prefix: Data
        var rootEnd: String
        /// nil: the document has no `<file>` for the lesson.
        var entry: Outline?
    }

    /// The excerpt of a lesson's first `<file>`; nil for a document in memory (made, or converted
    /// from UTF-16), whose byte offsets are not the file's.
    func excerpt(of lessonID: String) -> Excerpt? {
        guard case .stream(.file, let prefix, let rootEnd, _, let outline) = storage else { return nil }
        return Excerpt(prefix: prefix, rootEnd: rootEnd, entry: byLesson[lessonID].map { outline[$0] })
    }

    /// The document of one excerpt of the file at `url`, which must hold the bytes it was taken from.
    init(excerpt: Excerpt, url: URL, path: String, sourceLanguage: String, targetLanguage: String) {
        self.init(sourceLanguage: sourceLanguage, targetLanguage: targetLanguage,
                  storage: .stream(bytes: .file(path: url.path), prefix: excerpt.prefix, rootEnd: excerpt.rootEnd, path: path,
                                   outline: excerpt.entry.map { [$0] } ?? []),
                  problems: [])
    }

    /// Every `<file>`, read now: for small documents and tests; large ones go lesson by lesson.
    public var files: [XLIFFFile] { (0..<fileCount).map { file(at: $0) } }

    /// Leaves out the files whose lesson id is not kept (the catalog drops lessons a curriculum no longer has).
    mutating func keepLessons(where keep: (String) -> Bool) {
        switch storage {
        case .memory(let files): storage = .memory(files.filter { keep($0.lessonID) })
        case .stream(let bytes, let prefix, let rootEnd, let path, let outline):
            storage = .stream(bytes: bytes, prefix: prefix, rootEnd: rootEnd, path: path, outline: outline.filter { keep($0.lessonID) })
        }
        index()
    }
}

public struct XLIFFFile: Sendable {
    /// The lesson's path under the project root when it was last extracted.
    public var original: String
    /// Taken from the unit ids (`lesson-id/kind-n`); "" for a file without units.
    public var lessonID: String
    public var units: [XLIFFUnit]
    /// Notes in the file's `<header>` that are not lessonc's own.
    public var notes: [XLIFFNote] = []
    /// Problems with units that were left out or are not usable (warnings: the rest is used).
    public var problems: [Diagnostic] = []
    /// As written in the file (a translation memory has one source language per `<file>`).
    var sourceLanguage: String?
    public var line = 0
    public var column = 0

    public init(original: String, lessonID: String, units: [XLIFFUnit], line: Int = 0, column: Int = 0) {
        self.original = original
        self.lessonID = lessonID
        self.units = units
        self.line = line
        self.column = column
    }
}

/// A `<note>`: kept as written, except lessonc's own (`from="lessonc"`), which extract writes anew.
public struct XLIFFNote: Sendable, Equatable {
    public var from: String?
    public var annotates: String?
    public var priority: String?
    public var text: String

    public init(from: String? = nil, annotates: String? = nil, priority: String? = nil, text: String) {
        self.from = from
        self.annotates = annotates
        self.priority = priority
        self.text = text
    }
}

/// A translation lessonc suggests for a new text, from the locale's other files or its memory.
public struct XLIFFSuggestion: Sendable, Equatable {
    public enum Origin: String, Sendable {
        /// The same source text is translated elsewhere in the locale.
        case sameText = "lessonc:same-text"
        /// The translation memory (`_memory.xlf`): a text that was removed, the same or nearly.
        case memory = "lessonc:memory"
    }
    public var origin: Origin
    /// Percent of words in common (100: the same text).
    public var quality: Int
    /// The text the suggestion translates, and where it was (`curriculum: lesson`).
    public var source: [SegmentRun]
    public var target: [SegmentRun]
    public var place: String
}

/// An `<alt-trans>` another tool wrote (a suggestion, a machine translation): kept as it is.
public struct XLIFFAlternative: Sendable {
    public var attributes: [(name: String, value: String)]
    public var source: [SegmentRun]?
    public var target: [SegmentRun]
}

public struct XLIFFUnit: Sendable {
    /// XLIFF 1.2 target states; `state` lives on `<target>`.
    public static let states: Set<String> = ["new", "needs-translation", "needs-adaptation", "needs-l10n",
                                             "needs-review-translation", "needs-review-adaptation", "needs-review-l10n",
                                             "translated", "signed-off", "final"]
    /// States whose target is published.
    public static let publishable: Set<String> = ["translated", "signed-off", "final"]
    /// States that say a reviewer approved the target: lessonc writes `approved="yes"` with them, as
    /// Translate Toolkit and Weblate read approval from that attribute (TRANSLATING.md).
    public static let approvedStates: Set<String> = ["signed-off", "final"]

    /// The pseudo-lesson whose units are the curriculum's own texts (title, description, units,
    /// level titles); no lesson id can start with `_`.
    public static let curriculumTexts = "_curriculum"

    public var id: String
    public var source: [SegmentRun] { didSet { sourceKey = XLIFFUnit.key(source) } }
    /// The normalised source, comparable with `Segment.key`; kept so alignment does not rebuild it.
    private(set) var sourceKey: String
    /// nil when the unit has no `<target>`.
    public var target: [SegmentRun]?
    public var state: String?
    public var stateQualifier: String?
    /// `approved` on `<trans-unit>`: yes (true), no (false) or absent (nil).
    public var approved: Bool?
    /// The source (and target) the current target was translated from, kept after the source changed.
    public var previous: (source: [SegmentRun], target: [SegmentRun])?
    /// Where a pre-filled target came from, until a translator accepts it.
    public var suggestion: XLIFFSuggestion?
    public var alternatives: [XLIFFAlternative] = []
    /// Notes other tools or translators wrote; lessonc's own notes are regenerated.
    public var notes: [XLIFFNote] = []
    /// Attributes of `<trans-unit>` and `<target>` lessonc does not use, and elements of other tools: kept as written.
    public var otherAttributes: [(name: String, value: String)] = []
    public var otherTargetAttributes: [(name: String, value: String)] = []
    public var otherElements: [XMLNode] = []
    /// Something in the unit could not be read as written (an inline code lessonc does not use,
    /// nesting too deep): its target is never published.
    public var isDamaged = false
    /// What extract tells translators about the text (lessonc's note) and the longest translation a device shows well.
    public var context: String?
    public var maxWidth: Int?
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
        guard !isDamaged, Translator.hasText(target) else { return false }
        return state.map { XLIFFUnit.publishable.contains($0) } ?? true
    }

    /// A target with text that is not (yet) published: marked for review or for editing
    /// (Translate Toolkit's and Weblate's "needs editing" is `needs-translation` with a target).
    public var needsReview: Bool { Translator.hasText(target) && !isPublishable }

    /// A translation of an older version of the source, awaiting review: extract marked it
    /// `needs-review-translation` and kept the text it translates as the previous version.
    public var isStale: Bool { previous != nil && state == "needs-review-translation" && needsReview }

    /// `lesson-id/kind-n` → its parts; nil when the id is not one lessonc writes.
    public static func parseID(_ id: String) -> (lesson: String, kind: SegmentKind, number: Int)? {
        // "/" and "-" are ASCII: found on the bytes, which is much faster than on characters.
        let bytes = id.utf8
        guard let slash = bytes.lastIndex(of: 0x2F) else { return nil }
        let lesson = String(id[..<slash])
        let rest = id[bytes.index(after: slash)...]
        guard Pattern.id.matches(lesson) || lesson == curriculumTexts, let dash = rest.utf8.lastIndex(of: 0x2D),
              let kind = SegmentKind(rawValue: String(rest[..<dash])) else { return nil }
        let digits = rest[rest.utf8.index(after: dash)...]
        guard let first = digits.utf8.first, first != 0x30, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              digits.utf8.count <= 9, let n = Int(digits) else { return nil }
        return (lesson, kind, n)
    }
}

/// Writes XLIFF 1.2 deterministically: the same translations always give the same bytes.
public enum XLIFFWriter {
    public static func write(_ doc: XLIFFDocument) -> String {
        var out = header
        for file in doc.files { out += self.file(file, sourceLanguage: doc.sourceLanguage, targetLanguage: doc.targetLanguage) }
        return out + footer
    }

    static let header = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff version=\"1.2\" xmlns=\"\(XLIFFDocument.namespace)\">\n"
    static let footer = "</xliff>\n"

    static func file(_ file: XLIFFFile, sourceLanguage: String, targetLanguage: String, datatype: String = "x-markdown", headerNote: String? = nil) -> String {
        var out = "  <file original=\"\(attr(file.original))\" source-language=\"\(attr(sourceLanguage))\" target-language=\"\(attr(targetLanguage))\" datatype=\"\(datatype)\">\n"
        out += "    <header>\n"
        let about = file.lessonID == XLIFFUnit.curriculumTexts ? "The curriculum's own texts: its title and description, unit titles, level names and duration units, which devices show in menus."
            : "Lesson \(text(file.lessonID))."
        out += "      <note from=\"lessonc\">\(headerNote ?? "\(about) Inline codes stand for formatting (g), links (g), code (ph), images and line breaks (x): keep every one, move it with the words it belongs to. Unit ids must not change.")</note>\n"
        for note in file.notes { out += "      " + self.note(note) }
        out += "    </header>\n"
        out += "    <body>\n"
        for unit in file.units { out += self.unit(unit) }
        out += "    </body>\n"
        out += "  </file>\n"
        return out
    }

    static func unit(_ u: XLIFFUnit) -> String {
        var out = "      <trans-unit id=\"\(attr(u.id))\""
        if let approved = u.approved { out += " approved=\"\(approved ? "yes" : "no")\"" }
        if let width = u.maxWidth { out += " maxwidth=\"\(width)\" size-unit=\"char\"" }
        out += attributes(u.otherAttributes) + ">\n"
        out += "        <source>\(inline(u.source))</source>\n"
        if let target = u.target {
            var a = u.state.map { " state=\"\(attr($0))\"" } ?? ""
            if let q = u.stateQualifier { a += " state-qualifier=\"\(attr(q))\"" }
            a += attributes(u.otherTargetAttributes)
            out += target.isEmpty ? "        <target\(a)/>\n" : "        <target\(a)>\(inline(target))</target>\n"
        }
        if let context = u.context { out += "        <note from=\"lessonc\">\(text(context))</note>\n" }
        if let previous = u.previous {
            out += "        <alt-trans alttranstype=\"previous-version\">\n"
            out += "          <source>\(inline(previous.source))</source>\n"
            out += "          <target>\(inline(previous.target))</target>\n"
            out += "        </alt-trans>\n"
            out += "        <note from=\"lessonc\">The source text changed; check the translation. Previous source: \(text(readable(previous.source)))</note>\n"
        }
        if let s = u.suggestion {
            // extradata keeps where it came from, so the note reads the same after every extract.
            out += "        <alt-trans alttranstype=\"proposal\" origin=\"\(s.origin.rawValue)\" match-quality=\"\(s.quality)\" extradata=\"\(attr(s.place))\">\n"
            out += "          <source>\(inline(s.source))</source>\n"
            out += "          <target>\(inline(s.target))</target>\n"
            out += "        </alt-trans>\n"
            let from = s.origin == .memory ? "the translation memory (a text that was removed from \(s.place))" : "the same text in \(s.place)"
            let match = s.quality == 100 ? "" : " It translated a text with \(s.quality)% of these words: \u{201C}\(readable(s.source))\u{201D}"
            out += "        <note from=\"lessonc\">\(text("Suggested from \(from).\(match) Check it, then mark it translated."))</note>\n"
        }
        for alt in u.alternatives {
            out += "        <alt-trans\(attributes(alt.attributes))>\n"
            if let s = alt.source { out += "          <source>\(inline(s))</source>\n" }
            out += "          <target>\(inline(alt.target))</target>\n"
            out += "        </alt-trans>\n"
        }
        for note in u.notes { out += "        " + self.note(note) }
        for element in u.otherElements { out += "        " + raw(element, parentNamespace: XLIFFDocument.namespace) + "\n" }
        out += "      </trans-unit>\n"
        return out
    }

    static func note(_ note: XLIFFNote) -> String {
        var a = note.from.map { " from=\"\(attr($0))\"" } ?? ""
        if let x = note.annotates { a += " annotates=\"\(attr(x))\"" }
        if let x = note.priority { a += " priority=\"\(attr(x))\"" }
        return "<note\(a)>\(text(note.text))</note>\n"
    }

    static func attributes(_ list: [(name: String, value: String)]) -> String {
        list.map { " \($0.name)=\"\(attr($0.value))\"" }.joined()
    }

    /// An element of another tool, written back as it was read.
    static func raw(_ node: XMLNode, parentNamespace: String?) -> String {
        switch node.kind {
        case .text, .cdata: return text(node.text)
        case .element:
            var out = "<\(node.name)"
            if node.namespace != parentNamespace { out += " xmlns=\"\(attr(node.namespace ?? ""))\"" }
            out += attributes(node.attributes)
            if node.children.isEmpty { return out + "/>" }
            out += ">"
            for child in node.children { out += raw(child, parentNamespace: node.namespace) }
            return out + "</\(node.name)>"
        default: return ""
        }
    }

    /// Inline content: text escaped, codes as `<g>`, `<x/>` and `<ph>`.
    public static func inline(_ runs: [SegmentRun]) -> String {
        var out = ""
        inline(runs, into: &out)
        return out
    }

    /// Appends to one string: this is how every text's key is made, on every read.
    static func inline(_ runs: [SegmentRun], into out: inout String) {
        for run in runs {
            switch run {
            case .text(let s): LibXML.escape(s, into: &out)
            case .group(let id, let ctype, let children):
                out += "<g id=\""
                LibXML.escape(id, attribute: true, into: &out)
                out += "\" ctype=\""
                LibXML.escape(ctype, attribute: true, into: &out)
                out += "\">"
                inline(children, into: &out)
                out += "</g>"
            case .placeholder(let id, let ctype, let equiv):
                out += "<x id=\""
                LibXML.escape(id, attribute: true, into: &out)
                out += "\" ctype=\""
                LibXML.escape(ctype, attribute: true, into: &out)
                if !equiv.isEmpty {
                    out += "\" equiv-text=\""
                    LibXML.escape(equiv, attribute: true, into: &out)
                }
                out += "\"/>"
            case .native(let id, let ctype, let code):
                out += "<ph id=\""
                LibXML.escape(id, attribute: true, into: &out)
                out += "\" ctype=\""
                LibXML.escape(ctype, attribute: true, into: &out)
                out += "\">"
                LibXML.escape(code, into: &out)
                out += "</ph>"
            }
        }
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
