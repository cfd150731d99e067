/// The numbers a channel may hold (PUBLISHING.md, "Limits"). Every reader checks them before any
/// arithmetic, so no number a channel signs (or a host or SD card forges) can overflow, and
/// publish refuses to exceed them.
public enum ChannelLimits {
    /// Sizes in bytes are below 2^40 (1 TiB): a sum of millions of them still fits in 63 bits.
    public static let sizeBound = 1 << 40
    /// Release numbers run from 1 to 2^53 - 1, the integers every JSON reader (JavaScript's too)
    /// reads exactly.
    public static let maxRelease = (1 << 53) - 1
    /// A device refuses a release more than this far ahead of the one it holds: a number signed
    /// by mistake (or by a stolen key) cannot put every device out of reach of later releases.
    /// Publishing a release an hour for a century stays below it.
    public static let maxReleaseJump = 1_000_000
    /// A signed JSON document (latest.json, a manifest, a diff, a key list, pack.json).
    public static let maxDocumentBytes = 256 << 20
    /// An object (a compiled lesson, an index, an asset), as stored and uncompressed: what a
    /// phone can hold in memory at once.
    public static let maxObjectBytes = 512 << 20

    /// The total of many sizes, refused (rather than wrapped) if it could ever overflow.
    public static func total<S: Sequence>(_ sizes: S) throws -> Int where S.Element == Int {
        try sizes.reduce(0) { sum, size in
            let (t, overflow) = sum.addingReportingOverflow(size)
            guard !overflow, size >= 0 else { throw ChannelFormatError("sizes add up to more than a device can count") }
            return t
        }
    }
}
