import LessonSupport

/// The one writer of compiled-lesson JSON (`lessonc-lesson/1`, `/2`): compact, the keys of every
/// object in byte order, straight to UTF-8 bytes. That is exactly what the canonical `JSON`
/// serializer gives for the same document (a test holds it to that), without first building a
/// tree of dictionaries: the tree was a quarter of the build's CPU time.
public struct LessonJSON: LessonWalker {
    public private(set) var out: [UInt8] = []

    init(capacity: Int = 0) { out.reserveCapacity(capacity) }

    /// One lesson in one locale. `locale` is the locale the document is for; a fallback holds the
    /// source-language text, so its direction is the source's. `coverage` (percent of segments
    /// translated) is given for translations.
    public static func document(_ compiled: CompiledLesson, curriculum: Curriculum, locale: String, fallback: Bool = false,
                                coverage: Int? = nil) -> [UInt8] {
        let s = compiled.source
        var e = LessonJSON(capacity: 16 * 1024)
        // Members in byte order of their keys.
        e.raw("{\"blocks\":"); e.blocks(compiled.blocks)
        if let coverage { e.raw(",\"coverage\":"); e.int(coverage) }
        e.raw(",\"curriculum\":"); e.string(curriculum.id)
        e.raw(",\"direction\":"); e.string(LocaleInfo.direction(fallback ? curriculum.meta.language : locale).rawValue)
        e.raw(",\"fallback\":"); e.bool(fallback)
        e.raw(",\"format\":"); e.string(LessonDocument.lessonFormat(for: compiled.blocks))
        e.raw(",\"html\":"); e.string(LessonHTML.render(compiled.blocks))
        e.raw(",\"id\":"); e.string(s.id)
        e.raw(",\"locale\":"); e.string(locale)
        e.raw(",\"metadata\":"); e.metadata(s.meta, curriculum: curriculum.meta)
        e.raw(",\"path\":"); e.string(s.relativePath)
        e.raw(",\"source_locale\":"); e.string(curriculum.meta.language)
        e.raw(",\"title\":"); e.string(s.meta.title)
        e.raw(",\"units\":"); e.strings(s.unitTitles)
        e.raw("}")
        return e.out
    }

    /// The `blocks` array alone.
    public static func blocks(_ list: [Block]) -> [UInt8] {
        var e = LessonJSON()
        e.blocks(list)
        return e.out
    }

    // MARK: Values

    mutating func raw(_ s: StaticString) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    mutating func string(_ s: String) { JSON.writeString(s, into: &out) }
    mutating func int(_ n: Int) { out.append(contentsOf: String(n).utf8) }
    mutating func bool(_ b: Bool) { raw(b ? "true" : "false") }

    mutating func strings(_ list: [String]) {
        raw("[")
        for (i, s) in list.enumerated() { if i > 0 { raw(",") }; string(s) }
        raw("]")
    }

    /// Licence and authors fall back to the curriculum's; the optional members appear when set.
    mutating func metadata(_ m: LessonMeta, curriculum: CurriculumMeta) {
        raw("{")
        if !m.audience.isEmpty { raw("\"audience\":"); strings(m.audience); raw(",") }
        raw("\"authors\":"); strings(m.authors.isEmpty ? curriculum.authors : m.authors)
        if let w = m.contentWarning { raw(",\"content_warning\":"); string(w) }
        if let d = m.duration { raw(",\"duration\":"); string(d) }
        raw(",\"license\":"); string(m.license ?? curriculum.license)
        if !m.source.isEmpty { raw(",\"source\":"); strings(m.source) }
        if !m.tags.isEmpty { raw(",\"tags\":"); strings(m.tags) }
        raw("}")
    }

    mutating func blocks(_ list: [Block]) {
        raw("[")
        for (i, b) in list.enumerated() { if i > 0 { raw(",") }; visit(b) }
        raw("]")
    }

    mutating func inlines(_ list: [Inline]) {
        raw("[")
        for (i, x) in list.enumerated() { if i > 0 { raw(",") }; visit(x) }
        raw("]")
    }

    mutating func image(_ img: Image) {
        raw("{\"alt\":"); string(img.alt)
        raw(",\"size\":"); int(img.size)
        raw(",\"src\":"); string(img.src)
        if !img.title.isEmpty { raw(",\"title\":"); string(img.title) }
        raw(",\"type\":\"image\"}")
    }

    // MARK: Blocks

    public mutating func visitHeading(level: Int, inlines list: [Inline]) {
        raw("{\"inlines\":"); inlines(list)
        raw(",\"level\":"); int(level)
        raw(",\"type\":\"heading\"}")
    }

    public mutating func visitParagraph(_ list: [Inline]) {
        raw("{\"inlines\":"); inlines(list); raw(",\"type\":\"paragraph\"}")
    }

    public mutating func visitList(ordered: Bool, start: Int, items: [ListItem]) {
        raw("{\"items\":[")
        for (i, item) in items.enumerated() {
            if i > 0 { raw(",") }
            raw("{\"blocks\":"); blocks(item.blocks)
            if let c = item.checked { raw(",\"checked\":"); bool(c) }
            raw("}")
        }
        raw("],\"ordered\":"); bool(ordered)
        if ordered { raw(",\"start\":"); int(start) }
        raw(",\"type\":\"list\"}")
    }

    public mutating func visitTable(alignments: [TableAlignment], header: [TableCell], rows: [[TableCell]]) {
        raw("{\"align\":"); strings(alignments.map(\.rawValue))
        raw(",\"header\":[")
        for (i, c) in header.enumerated() { if i > 0 { raw(",") }; inlines(c.inlines) }
        raw("],\"rows\":[")
        for (r, row) in rows.enumerated() {
            if r > 0 { raw(",") }
            raw("[")
            for (i, c) in row.enumerated() { if i > 0 { raw(",") }; inlines(c.inlines) }
            raw("]")
        }
        raw("],\"type\":\"table\"}")
    }

    public mutating func visitImageBlock(_ img: Image) { image(img) }

    public mutating func visitCallout(kind: CalloutKind, title: [Inline], duration: String?, blocks inner: [Block]) {
        raw("{\"blocks\":"); blocks(inner)
        if let duration { raw(",\"duration\":"); string(duration) }
        raw(",\"kind\":"); string(kind.rawValue)
        if !title.isEmpty { raw(",\"title\":"); inlines(title) }
        raw(",\"type\":\"callout\"}")
    }

    public mutating func visitQuiz(question: [Block], options: [QuizOption], explanation: [Block]) {
        raw("{")
        if !explanation.isEmpty { raw("\"explanation\":"); blocks(explanation); raw(",") }
        raw("\"options\":[")
        for (i, o) in options.enumerated() {
            if i > 0 { raw(",") }
            raw("{\"correct\":"); bool(o.correct)
            raw(",\"inlines\":"); inlines(o.inlines); raw("}")
        }
        raw("],\"question\":"); blocks(question)
        raw(",\"type\":\"quiz\"}")
    }

    public mutating func visitQuote(_ inner: [Block]) {
        raw("{\"blocks\":"); blocks(inner); raw(",\"type\":\"quote\"}")
    }

    public mutating func visitCodeBlock(language: String, text: String) {
        raw("{")
        if !language.isEmpty { raw("\"language\":"); string(language); raw(",") }
        raw("\"text\":"); string(text); raw(",\"type\":\"code\"}")
    }

    public mutating func visitRule() { raw("{\"type\":\"rule\"}") }

    /// The block's own members with `dir` and `lang` among them in byte order, written through the
    /// canonical JSON tree: only lessons published in part have such blocks.
    public mutating func visitBlock(_ block: Block, in language: TextLanguage) {
        var inner = LessonJSON()
        inner.visit(block)
        guard case .object(var members)? = try? JSON.parse(String(decoding: inner.out, as: UTF8.self)) else { out += inner.out; return }
        members["dir"] = JSON.string(language.direction.rawValue)
        members["lang"] = JSON.string(language.tag)
        out += JSON.object(members).bytes(pretty: false)
    }

    public mutating func visitFootnote(number: Int, blocks inner: [Block]) {
        raw("{\"blocks\":"); blocks(inner)
        raw(",\"number\":"); int(number)
        raw(",\"type\":\"footnote\"}")
    }

    // MARK: Inlines

    public mutating func visitText(_ s: String) { raw("{\"text\":"); string(s); raw(",\"type\":\"text\"}") }
    public mutating func visitEmphasis(_ c: [Inline]) { raw("{\"children\":"); inlines(c); raw(",\"type\":\"emphasis\"}") }
    public mutating func visitStrong(_ c: [Inline]) { raw("{\"children\":"); inlines(c); raw(",\"type\":\"strong\"}") }
    public mutating func visitStrikethrough(_ c: [Inline]) { raw("{\"children\":"); inlines(c); raw(",\"type\":\"strikethrough\"}") }
    public mutating func visitCode(_ s: String) { raw("{\"text\":"); string(s); raw(",\"type\":\"code\"}") }
    public mutating func visitLineBreak() { raw("{\"type\":\"break\"}") }
    public mutating func visitImage(_ img: Image) { image(img) }
    public mutating func visitFootnoteReference(_ n: Int) { raw("{\"number\":"); int(n); raw(",\"type\":\"footnote_ref\"}") }

    public mutating func visitInlines(_ children: [Inline], in language: TextLanguage) {
        raw("{\"children\":"); inlines(children)
        raw(",\"dir\":"); string(language.direction.rawValue)
        raw(",\"lang\":"); string(language.tag)
        raw(",\"type\":\"span\"}")
    }

    public mutating func visitLink(target: LinkTarget, title: String, children: [Inline]) {
        raw("{")
        if case .asset(let a) = target { raw("\"asset\":"); string(a); raw(",") }
        raw("\"children\":"); inlines(children)
        if case .lesson(let id, let curriculum) = target {
            raw(",\"curriculum\":"); string(curriculum)
            raw(",\"lesson\":"); string(id)
        }
        if !title.isEmpty { raw(",\"title\":"); string(title) }
        raw(",\"type\":\"link\"")
        if case .url(let u) = target { raw(",\"url\":"); string(u) }
        raw("}")
    }
}
