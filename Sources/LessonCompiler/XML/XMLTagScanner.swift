import Foundation

/// Finds the tags of raw XML fed in chunks: where each start tag, end tag and DOCTYPE begins
/// (byte offset, line, and UTF-16 column as editors count) and ends. Comments, CDATA sections and
/// processing instructions are skipped. Pure Swift: it only reads bytes that libxml2 parses
/// alongside (`XMLStream`), because libxml2 keeps no columns and reports the line where a start
/// tag ends, while diagnostics point at its `<`. Memory stays flat: only the tags not yet taken
/// and a few bytes of an unfinished `<…` are kept between chunks.
struct XMLTagScanner {
    struct Tag {
        enum Kind { case start, end, doctype }
        var kind: Kind
        /// FNV-1a of the local name (after any prefix), to check that libxml2 and the scanner see the same tag.
        var nameHash: UInt32
        /// Byte offset of the `<`.
        var offset: Int
        /// Byte offset just past the `>`.
        var end: Int
        var line: Int
        var column: Int
        var selfClosing: Bool
    }

    private enum State {
        case text
        case startTag(quote: UInt8)
        case endTag
        case comment(dashes: Int)
        case cdata(brackets: Int)
        case processingInstruction(question: Bool)
        case declaration(depth: Int, quote: UInt8)
    }

    /// Tags found and not yet taken, in document order.
    private var queue: [Tag] = []
    private var head = 0
    private var state = State.text
    /// Bytes of a `<` whose kind needs more input to tell (at most 8).
    private var carry: [UInt8] = []
    /// Absolute offset of the first byte of the next chunk.
    private var offset: Int
    private(set) var line: Int
    /// Absolute offset where the current line starts; the first line starts `firstColumn - 1` units in.
    private var lineStart: Int
    /// Column at `cursor` on the current line: columns are counted once per byte, however many tags a line has.
    private var cursor: Int
    private var cursorColumn: Int
    // The tag being read.
    private var tag = Tag(kind: .start, nameHash: 0, offset: 0, end: 0, line: 0, column: 0, selfClosing: false)
    private var inName = false
    private var lastNonSpace: UInt8 = 0

    /// `line`, `column` and `offset`: where the first byte fed sits in a larger document.
    init(line: Int = 1, column: Int = 1, offset: Int = 0) {
        self.offset = offset
        self.line = line
        lineStart = offset
        cursor = offset
        cursorColumn = column
    }

    static let fnvBasis: UInt32 = 2_166_136_261
    static func hash(_ h: UInt32, _ b: UInt8) -> UInt32 { (h ^ UInt32(b)) &* 16_777_619 }
    static func hash(_ bytes: some Sequence<UInt8>) -> UInt32 { bytes.reduce(fnvBasis, hash) }

    /// The next tag, if the scanner has seen it.
    mutating func next() -> Tag? {
        guard head < queue.count else { return nil }
        defer {
            head += 1
            if head == queue.count { queue.removeAll(keepingCapacity: true); head = 0 }
        }
        return queue[head]
    }

    var pending: Int { queue.count - head }

    func peek() -> Tag? { head < queue.count ? queue[head] : nil }

    /// The next start or end tag (a DOCTYPE is skipped: `XMLStream` stops before one reaches libxml2).
    mutating func nextElementTag() -> Tag? {
        while let t = next() { if t.kind != .doctype { return t } }
        return nil
    }

    mutating func nextEndTag() -> Tag? { nextElementTag() }

    /// Scans a chunk; `final` says no more bytes follow.
    mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, final: Bool = false) {
        if carry.isEmpty {
            scan(chunk, final: final)
        } else {
            let joined = carry + Array(chunk)
            offset -= carry.count
            carry = []
            joined.withUnsafeBufferPointer { scan($0, final: final) }
        }
    }

    private mutating func column(at absolute: Int, _ p: UnsafeBufferPointer<UInt8>, base: Int) -> Int {
        if lineStart > cursor { cursor = lineStart; cursorColumn = 1 }
        var i = cursor - base
        let end = absolute - base
        var c = cursorColumn
        while i < end {
            let b = p[i]
            if b & 0xC0 != 0x80 { c += b >= 0xF0 ? 2 : 1 }
            i += 1
        }
        cursor = absolute
        cursorColumn = c
        return c
    }

    private mutating func emit(_ end: Int) {
        tag.end = end
        queue.append(tag)
    }

    private mutating func scan(_ p: UnsafeBufferPointer<UInt8>, final: Bool) {
        let base = offset
        let n = p.count
        var i = 0
        func starts(_ s: StaticString, at i: Int) -> Bool {
            let m = s.utf8CodeUnitCount
            guard i + m <= n else { return false }
            let q = s.utf8Start
            for k in 0..<m where p[i + k] != q[k] { return false }
            return true
        }
        while i < n {
            switch state {
            case .text:
                // Text is most of a file: memchr finds the next tag and the line ends before it.
                let start = p.baseAddress! + i
                let lt = memchr(start, 0x3C, n - i).map { UnsafeRawPointer($0) - UnsafeRawPointer(p.baseAddress!) } ?? n
                var q = i
                while q < lt, let nl = memchr(p.baseAddress! + q, 0x0A, lt - q) {
                    q = UnsafeRawPointer(nl) - UnsafeRawPointer(p.baseAddress!) + 1
                    line += 1
                    lineStart = base + q
                }
                i = lt
                guard i < n else { break }
                // `<![CDATA[` is the longest opening to tell apart.
                if n - i < 9 && !final {
                    carry = Array(p[i..<n])
                    offset = base + n
                    advanceCursor(to: base + i, p, base: base)
                    return
                }
                let at = base + i
                if starts("<!--", at: i) { state = .comment(dashes: 0); i += 4; continue }
                if starts("<![CDATA[", at: i) { state = .cdata(brackets: 0); i += 9; continue }
                if starts("<?", at: i) { state = .processingInstruction(question: false); i += 2; continue }
                if starts("<!", at: i) {
                    if starts("<!DOCTYPE", at: i) {
                        queue.append(Tag(kind: .doctype, nameHash: 0, offset: at, end: at, line: line, column: column(at: at, p, base: base), selfClosing: false))
                    }
                    state = .declaration(depth: 0, quote: 0)
                    i += 2
                    continue
                }
                let closing = i + 1 < n && p[i + 1] == 0x2F
                tag = Tag(kind: closing ? .end : .start, nameHash: XMLTagScanner.fnvBasis, offset: at, end: at, line: line,
                          column: closing ? 0 : column(at: at, p, base: base), selfClosing: false)
                inName = true
                lastNonSpace = 0
                state = closing ? .endTag : .startTag(quote: 0)
                i += closing ? 2 : 1
            case .startTag(var quote):
                while i < n {
                    let b = p[i]
                    i += 1
                    if b == 0x0A { line += 1; lineStart = base + i }
                    if quote != 0 { if b == quote { quote = 0 }; continue }
                    if inName {
                        if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A || b == 0x2F || b == 0x3E { inName = false } else {
                            tag.nameHash = b == 0x3A ? XMLTagScanner.fnvBasis : XMLTagScanner.hash(tag.nameHash, b)
                            continue
                        }
                    }
                    if b == 0x22 || b == 0x27 { quote = b; lastNonSpace = b; continue }
                    if b == 0x3E {
                        tag.selfClosing = lastNonSpace == 0x2F
                        emit(base + i)
                        state = .text
                        break
                    }
                    if !(b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A) { lastNonSpace = b }
                }
                if case .startTag = state { state = .startTag(quote: quote) }
            case .endTag:
                while i < n {
                    let b = p[i]
                    i += 1
                    if b == 0x0A { line += 1; lineStart = base + i }
                    if b == 0x3E { emit(base + i); state = .text; break }
                    if inName {
                        if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A { inName = false } else {
                            tag.nameHash = b == 0x3A ? XMLTagScanner.fnvBasis : XMLTagScanner.hash(tag.nameHash, b)
                        }
                    }
                }
            case .comment(var dashes):
                while i < n {
                    let b = p[i]
                    i += 1
                    if b == 0x0A { line += 1; lineStart = base + i }
                    if b == 0x3E && dashes >= 2 { state = .text; break }
                    dashes = b == 0x2D ? dashes + 1 : 0
                }
                if case .comment = state { state = .comment(dashes: dashes) }
            case .cdata(var brackets):
                while i < n {
                    let b = p[i]
                    i += 1
                    if b == 0x0A { line += 1; lineStart = base + i }
                    if b == 0x3E && brackets >= 2 { state = .text; break }
                    brackets = b == 0x5D ? brackets + 1 : 0
                }
                if case .cdata = state { state = .cdata(brackets: brackets) }
            case .processingInstruction(var question):
                while i < n {
                    let b = p[i]
                    i += 1
                    if b == 0x0A { line += 1; lineStart = base + i }
                    if b == 0x3E && question { state = .text; break }
                    question = b == 0x3F
                }
                if case .processingInstruction = state { state = .processingInstruction(question: question) }
            case .declaration(var depth, var quote):
                // `<!DOCTYPE … [ internal subset ]>`: brackets nest once, quotes hide `>`.
                while i < n {
                    let b = p[i]
                    i += 1
                    if b == 0x0A { line += 1; lineStart = base + i }
                    if quote != 0 { if b == quote { quote = 0 }; continue }
                    if b == 0x22 || b == 0x27 { quote = b } else if b == 0x5B { depth += 1 } else if b == 0x5D { depth -= 1 } else if b == 0x3E && depth <= 0 {
                        state = .text
                        break
                    }
                }
                if case .declaration = state { state = .declaration(depth: depth, quote: quote) }
            }
        }
        offset = base + n
        advanceCursor(to: base + n, p, base: base)
    }

    /// Counts the columns of the bytes about to be dropped, so the next chunk goes on from them.
    private mutating func advanceCursor(to absolute: Int, _ p: UnsafeBufferPointer<UInt8>, base: Int) {
        _ = column(at: absolute, p, base: base)
    }
}
