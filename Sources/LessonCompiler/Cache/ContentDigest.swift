import Foundation
import LessonChannel
import LessonSupport

/// The SHA-256 of some bytes (a source file, a compiled document, a gzip object): how the compile
/// cache knows what it has seen, and, as hex, the name of a channel object.
public struct ContentDigest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 bytes as four words: cheap to hash, compare and store.
    let words: (UInt64, UInt64, UInt64, UInt64)

    public init<D: ContiguousBytes>(of data: D) {
        self.init(bytes: Sodium.sha256(data))!
    }

    /// Stands for the digest of a document made in a run that never compares or records it
    /// (a build without the compile cache): SHA-256 of every document was a twentieth of it.
    static let notComputed = ContentDigest(words: (0, 0, 0, 0))

    private init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

    /// nil unless `bytes` holds exactly 32 bytes.
    init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var i = 0
        for b in bytes {
            let v = UInt64(b)
            switch i >> 3 {
            case 0: w.0 = w.0 << 8 | v
            case 1: w.1 = w.1 << 8 | v
            case 2: w.2 = w.2 << 8 | v
            default: w.3 = w.3 << 8 | v
            }
            i += 1
        }
        words = w
    }

    /// nil unless `hex` is 64 lowercase hex digits.
    public init?(hex: String) {
        guard ChannelPath.isSHA256(hex) else { return nil }
        let digits = Array(hex.utf8).map { $0 <= 0x39 ? $0 - 0x30 : $0 - 0x61 + 10 }
        self.init(bytes: stride(from: 0, to: 64, by: 2).map { digits[$0] << 4 | digits[$0 + 1] })
    }

    var bytes: [UInt8] {
        [words.0, words.1, words.2, words.3].flatMap { w in (0..<8).reversed().map { UInt8(truncatingIfNeeded: w >> (8 * UInt64($0))) } }
    }

    /// Spelt from the words directly (no byte array): every object of a release is named so.
    public var hex: String {
        String(unsafeUninitializedCapacity: 64) { out in
            for i in 0..<32 {
                let word = i < 16 ? (i < 8 ? words.0 : words.1) : (i < 24 ? words.2 : words.3)
                let byte = UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * (i & 7)))
                out[2 * i] = Hex.digit(byte >> 4)
                out[2 * i + 1] = Hex.digit(byte & 0x0F)
            }
            return 64
        }
    }
    public var description: String { hex }

    public static func == (a: ContentDigest, b: ContentDigest) -> Bool { a.words == b.words }
    public func hash(into h: inout Hasher) { h.combine(words.0); h.combine(words.1) }
}

/// The BLAKE2b-256 of some bytes, four times faster than SHA-256 in libsodium. A build record
/// keeps it beside the SHA-256 of a large file made on every run (a curriculum's index: 4.7 MB,
/// 24 ms of SHA-256 at 10,000 lessons): bytes made again with the same one are the same bytes,
/// so their SHA-256 is the one recorded. Held as 32 bytes in a `ContentDigest`'s form.
struct QuickDigest: Hashable, Sendable {
    let value: ContentDigest

    init(value: ContentDigest) { self.value = value }

    init(of bytes: [UInt8]) {
        value = ContentDigest(bytes: Sodium.blake2b(bytes, length: 32))!
    }
}

/// A digest and a size: what a build record or a manifest needs to know about some bytes.
public struct ContentRef: Hashable, Sendable {
    public var digest: ContentDigest
    public var size: Int

    public init(digest: ContentDigest, size: Int) {
        self.digest = digest
        self.size = size
    }

    public init<D: ContiguousBytes>(of data: D) {
        digest = ContentDigest(of: data)
        size = data.withUnsafeBytes { $0.count }
    }

    /// The channel's name for the same bytes.
    public var objectRef: ObjectRef { ObjectRef(sha256: digest.hex, size: size) }
}
