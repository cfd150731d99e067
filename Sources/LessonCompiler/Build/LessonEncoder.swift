import LessonSupport

/// Writes a compiled lesson document straight to compact JSON bytes, with the keys of every
/// object in sorted order, byte for byte what `LessonDocument.lesson(...).bytes(pretty: false)`
/// gives (a test holds it to that) without building a `JSON` tree of dictionaries first: that
/// tree was a quarter of the build's CPU time.
struct LessonEncoder {
    private(set) var out: [UInt8] = []

    init() { out.reserveCapacity(16 * 1024) }

    static func lessonBytes(_ compiled: CompiledLesson, curriculum: Curriculum, locale: String, fallback: Bool = false, coverage: Int? = nil) -> [UInt8] {
        // The small members go through the ordinary JSON writer; blocks and html are streamed.
        let doc = LessonDocument.lesson(compiled, curriculum: curriculum, locale: locale, fallback: fallback, coverage: coverage, includeBody: false)
        guard case .object(let members) = doc else { preconditionFailure("a lesson document is an object") }
        var e = LessonEncoder()
        e.raw("{\"blocks\":")   // "blocks" sorts before every other key
        e.blocks(compiled.blocks)
        for key in (Array(members.keys) + ["html"]).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            e.raw(",")
            e.string(key)
            e.raw(":")
            if key == "html" {
                e.string(HTMLRenderer.render(compiled.blocks))
            } else {
                e.out.append(contentsOf: members[key]!.bytes(pretty: false))
            }
        }
        e.raw("}")
        return e.out
    }

    mutating func raw(_ s: StaticString) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    mutating func string(_ s: String) { JSON.writeString(s, into: &out) }

    mutating func blocks(_ list: [Block]) {
        out.append(UInt8(ascii: "["))
        for (i, b) in list.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            block(b)
        }
        out.append(UInt8(ascii: "]"))
    }

    mutating func inlines(_ list: [Inline]) {
        out.append(UInt8(ascii: "["))
        for (i, x) in list.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            inline(x)
        }
        out.append(UInt8(ascii: "]"))
    }

    mutating func image(_ img: Image) {
        raw("{\"alt\":"); string(img.alt)
        raw(",\"size\":"); out.append(contentsOf: String(img.size).utf8)
        raw(",\"src\":"); string(img.src)
        if !img.title.isEmpty { raw(",\"title\":"); string(img.title) }
        raw(",\"type\":\"image\"}")
    }

    mutating func inline(_ i: Inline) {
        switch i {
        case .text(let s): raw("{\"text\":"); string(s); raw(",\"type\":\"text\"}")
        case .emphasis(let c): raw("{\"children\":"); inlines(c); raw(",\"type\":\"emphasis\"}")
        case .strong(let c): raw("{\"children\":"); inlines(c); raw(",\"type\":\"strong\"}")
        case .strikethrough(let c): raw("{\"children\":"); inlines(c); raw(",\"type\":\"strikethrough\"}")
        case .code(let s): raw("{\"text\":"); string(s); raw(",\"type\":\"code\"}")
        case .lineBreak: raw("{\"type\":\"break\"}")
        case .image(let img): image(img)
        case .footnoteReference(let n): raw("{\"number\":"); out.append(contentsOf: String(n).utf8); raw(",\"type\":\"footnote_ref\"}")
        case .link(let target, let title, let children):
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

    mutating func block(_ b: Block) {
        switch b {
        case .heading(let level, let inl):
            raw("{\"inlines\":"); inlines(inl)
            raw(",\"level\":"); out.append(contentsOf: String(level).utf8)
            raw(",\"type\":\"heading\"}")
        case .paragraph(let inl):
            raw("{\"inlines\":"); inlines(inl); raw(",\"type\":\"paragraph\"}")
        case .list(let ordered, let start, let items):
            raw("{\"items\":[")
            for (i, item) in items.enumerated() {
                if i > 0 { raw(",") }
                raw("{\"blocks\":"); blocks(item.blocks)
                if let c = item.checked { raw(",\"checked\":"); raw(c ? "true" : "false") }
                raw("}")
            }
            raw("],\"ordered\":"); raw(ordered ? "true" : "false")
            if ordered { raw(",\"start\":"); out.append(contentsOf: String(start).utf8) }
            raw(",\"type\":\"list\"}")
        case .table(let alignments, let header, let rows):
            raw("{\"align\":[")
            for (i, a) in alignments.enumerated() { if i > 0 { raw(",") }; string(a) }
            raw("],\"header\":[")
            for (i, c) in header.enumerated() { if i > 0 { raw(",") }; inlines(c.inlines) }
            raw("],\"rows\":[")
            for (r, row) in rows.enumerated() {
                if r > 0 { raw(",") }
                raw("[")
                for (i, c) in row.enumerated() { if i > 0 { raw(",") }; inlines(c.inlines) }
                raw("]")
            }
            raw("],\"type\":\"table\"}")
        case .image(let img):
            image(img)
        case .callout(let kind, let title, let duration, let inner):
            raw("{\"blocks\":"); blocks(inner)
            if let duration { raw(",\"duration\":"); string(duration) }
            raw(",\"kind\":"); string(kind)
            if !title.isEmpty { raw(",\"title\":"); inlines(title) }
            raw(",\"type\":\"callout\"}")
        case .quiz(let question, let options, let explanation):
            raw("{")
            if !explanation.isEmpty { raw("\"explanation\":"); blocks(explanation); raw(",") }
            raw("\"options\":[")
            for (i, o) in options.enumerated() {
                if i > 0 { raw(",") }
                raw("{\"correct\":"); raw(o.correct ? "true" : "false")
                raw(",\"inlines\":"); inlines(o.inlines); raw("}")
            }
            raw("],\"question\":"); blocks(question)
            raw(",\"type\":\"quiz\"}")
        case .quote(let inner):
            raw("{\"blocks\":"); blocks(inner); raw(",\"type\":\"quote\"}")
        case .code(let language, let text):
            raw("{")
            if !language.isEmpty { raw("\"language\":"); string(language); raw(",") }
            raw("\"text\":"); string(text); raw(",\"type\":\"code\"}")
        case .rule:
            raw("{\"type\":\"rule\"}")
        case .footnote(let number, let inner):
            raw("{\"blocks\":"); blocks(inner)
            raw(",\"number\":"); out.append(contentsOf: String(number).utf8)
            raw(",\"type\":\"footnote\"}")
        }
    }
}
