/// The compile cache's binary encoding: variable-length integers, and strings either inline
/// (length-prefixed UTF-8) or, when `interning`, as an index into a table written once, so the
/// ten thousand "en"s and unit titles of a large project are read as one string each. Read with
/// a bounds check on every step, so damaged bytes give `CacheCorrupt`, never a crash. A binary
/// form because the cache of a 10,000-lesson project is read on every run: parsing it as JSON
/// alone took longer than a whole one-lesson rebuild may.
struct CacheEncoder {
    private(set) var bytes: [UInt8] = []
    let interning: Bool
    private var index: [String: Int] = [:]
    /// The interned strings, in index order.
    private(set) var table: [String] = []

    init(capacity: Int = 0, interning: Bool = false) {
        bytes.reserveCapacity(capacity)
        self.interning = interning
    }

    mutating func uint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    /// Zigzag: small negative numbers stay small.
    mutating func int(_ value: Int) { uint(UInt64(bitPattern: Int64(value << 1 ^ value >> 63))) }
    mutating func int64(_ value: Int64) { uint(UInt64(bitPattern: value << 1 ^ value >> 63)) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func string(_ s: String) {
        guard interning else { return inline(s) }
        if let i = index[s] { return uint(UInt64(i)) }
        index[s] = table.count
        uint(UInt64(table.count))
        table.append(s)
    }

    /// A string written out, length first.
    mutating func inline(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            uint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func data(_ data: [UInt8]) {
        uint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    mutating func strings(_ list: [String]) {
        uint(UInt64(list.count))
        for s in list { string(s) }
    }

    mutating func optionalString(_ s: String?) {
        bool(s != nil)
        if let s { string(s) }
    }

    mutating func digest(_ d: ContentDigest) {
        for w in [d.words.0, d.words.1, d.words.2, d.words.3] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: w >> UInt64(shift))) }
        }
    }

    mutating func ref(_ r: ContentRef) { digest(r.digest); int(r.size) }

    mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }

    /// What `write` encodes, preceded by its length in bytes: a reader can hand it to another thread.
    mutating func sized(_ write: (inout CacheEncoder) -> Void) {
        let start = bytes.count
        write(&self)
        var length = CacheEncoder()
        length.uint(UInt64(bytes.count - start))
        bytes.insert(contentsOf: length.bytes, at: start)
    }

    mutating func array<T>(_ list: [T], _ element: (inout CacheEncoder, T) -> Void) {
        uint(UInt64(list.count))
        for e in list { element(&self, e) }
    }
}

/// Damaged or foreign bytes where the cache was expected: the whole cache is then set aside.
struct CacheCorrupt: Error {}

struct CacheDecoder {
    let bytes: [UInt8]
    private(set) var position: Int
    /// Where the bytes to read end (a checksum may follow).
    let end: Int
    /// Interned strings, once read: then `string()` reads an index into it.
    private var table: [String]?

    init(_ bytes: [UInt8], from position: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.position = position
        self.end = end ?? bytes.count
    }

    var atEnd: Bool { position == end }

    /// A decoder of `range` alone, with the strings read so far (a part read on another thread).
    func reading(_ range: Range<Int>) -> CacheDecoder {
        var part = CacheDecoder(bytes, from: range.lowerBound, end: range.upperBound)
        part.table = table
        return part
    }

    /// Reads a table of `count` inline strings; later `string()`s are indexes into it.
    mutating func readTable(count: Int) throws {
        var t: [String] = []
        t.reserveCapacity(count)
        for _ in 0..<count { t.append(try inline()) }
        table = t
    }

    mutating func uint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end, shift < 64 else { throw CacheCorrupt() }
            let b = bytes[position]
            position += 1
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
        }
    }

    mutating func int64() throws -> Int64 {
        let v = try uint()
        return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }

    mutating func int() throws -> Int { Int(try int64()) }

    /// A count of things that each take at least one byte: larger than what is left means damage.
    mutating func count() throws -> Int {
        let n = try uint()
        guard n <= UInt64(end - position) else { throw CacheCorrupt() }
        return Int(n)
    }

    mutating func bool() throws -> Bool {
        guard position < end, bytes[position] <= 1 else { throw CacheCorrupt() }
        position += 1
        return bytes[position - 1] == 1
    }

    mutating func string() throws -> String {
        guard let table else { return try inline() }
        let i = try uint()
        guard i < UInt64(table.count) else { throw CacheCorrupt() }
        return table[Int(i)]
    }

    mutating func inline() throws -> String {
        let n = try count()
        defer { position += n }
        guard let s = String(validating: bytes[position..<position + n], as: UTF8.self) else { throw CacheCorrupt() }
        return s
    }

    mutating func strings() throws -> [String] {
        let n = try count()
        var out: [String] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try string()) }
        return out
    }

    mutating func optionalString() throws -> String? { try bool() ? try string() : nil }

    mutating func digest() throws -> ContentDigest {
        guard end - position >= 32, let d = ContentDigest(bytes: bytes[position..<position + 32]) else { throw CacheCorrupt() }
        position += 32
        return d
    }

    mutating func ref() throws -> ContentRef { ContentRef(digest: try digest(), size: try int()) }

    mutating func data() throws -> [UInt8] {
        let n = try count()
        defer { position += n }
        return Array(bytes[position..<position + n])
    }

    mutating func raw(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, end - position >= n else { throw CacheCorrupt() }
        defer { position += n }
        return bytes[position..<position + n]
    }

    mutating func array<T>(_ element: (inout CacheDecoder) throws -> T) throws -> [T] {
        let n = try count()
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try element(&self)) }
        return out
    }
}
