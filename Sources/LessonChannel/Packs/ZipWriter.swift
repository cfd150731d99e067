import Foundation
import LessonSupport

/// The smallest ZIP that every unzip, phone and file manager reads: "stored" entries only (the
/// objects inside are gzip already), entries in the order given, DOS time 1980-01-01 00:00, no
/// extra fields, no data descriptors, no ZIP64. The same entries always give the same bytes.
/// Without ZIP64 an archive holds fewer than 65,535 entries and 4 GiB: beyond that `add` throws.
public struct ZipWriter {
    /// Local headers and data so far; headers are appended byte by byte, not as small `Data`s
    /// (a 10,000-lesson pack once spent more time allocating them than copying the objects).
    private var local: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0
    private var names = Set<String>()
    /// The archive's size limit (ZIP offsets and sizes are 32-bit); smaller in tests.
    let maxBytes: Int

    public init() { self.init(maxBytes: Int(UInt32.max) - 1) }

    /// A writer that holds `bytes` of entries (data and local headers) without growing: a pack of
    /// ten thousand objects otherwise copies itself over and over as it doubles.
    public init(reservingCapacity bytes: Int) {
        self.init()
        local.reserveCapacity(max(0, bytes))
    }

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    /// The archive's bytes so far, without its directory.
    public var data: Data { Data(local) }

    public mutating func add(_ name: String, _ contents: Data) throws {
        try add(name, contents, crc: nil)
    }

    /// Adds an entry whose CRC-32 the caller already knows, from an entry of another archive that
    /// `ZipReader.readEntry` checked (so the bytes are not run through CRC-32 a second time).
    public mutating func add(_ name: String, _ contents: Data, crc knownCRC: UInt32?) throws {
        precondition(names.insert(name).inserted, "duplicate ZIP entry \(name)")
        precondition(ZipReader.isSafeName(name), "unsafe ZIP entry name \(name)")
        let nameBytes = Array(name.utf8)
        guard count + 1 < ZipReader.maxEntries else { throw ZipError("more than \(ZipReader.maxEntries - 1) entries: too many for a ZIP without ZIP64") }
        let end = local.count + 30 + nameBytes.count + contents.count
        guard end + central.count + 46 + nameBytes.count + 22 <= maxBytes else {
            throw ZipError("\(name): the archive would exceed \(maxBytes) bytes, the most a ZIP without ZIP64 can hold")
        }
        let crc = knownCRC ?? Gzip.crc32(contents)
        let offset = UInt32(local.count)
        let size = UInt32(contents.count)
        // Local file header.
        if local.capacity < end { local.reserveCapacity(max(end, local.capacity * 2)) }
        Self.le32(&local, 0x04034B50); Self.le16(&local, 10); Self.le16(&local, 0x0800); Self.le16(&local, 0)
        Self.le16(&local, 0); Self.le16(&local, 0x21)                     // time 00:00, date 1980-01-01
        Self.le32(&local, crc); Self.le32(&local, size); Self.le32(&local, size)
        Self.le16(&local, UInt16(nameBytes.count)); Self.le16(&local, 0)
        local.append(contentsOf: nameBytes)
        contents.withUnsafeBytes { local.append(contentsOf: $0) }
        // Central directory record.
        Self.le32(&central, 0x02014B50); Self.le16(&central, 0x031E); Self.le16(&central, 10); Self.le16(&central, 0x0800)
        Self.le16(&central, 0); Self.le16(&central, 0); Self.le16(&central, 0x21)
        Self.le32(&central, crc); Self.le32(&central, size); Self.le32(&central, size)
        Self.le16(&central, UInt16(nameBytes.count)); Self.le16(&central, 0); Self.le16(&central, 0)
        Self.le16(&central, 0); Self.le16(&central, 0); Self.le32(&central, 0o100644 << 16)
        Self.le32(&central, offset)
        central.append(contentsOf: nameBytes)
        count += 1
    }

    /// The finished archive.
    public func finish() -> Data {
        var out = Data(capacity: local.count + central.count + 22)
        out.append(contentsOf: local)
        out.append(contentsOf: central)
        var end: [UInt8] = []
        Self.le32(&end, 0x06054B50); Self.le16(&end, 0); Self.le16(&end, 0)
        Self.le16(&end, UInt16(count)); Self.le16(&end, UInt16(count))
        Self.le32(&end, UInt32(central.count)); Self.le32(&end, UInt32(local.count)); Self.le16(&end, 0)
        out.append(contentsOf: end)
        return out
    }

    private static func le16(_ out: inout [UInt8], _ v: UInt16) { out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8)) }
    private static func le32(_ out: inout [UInt8], _ v: UInt32) {
        out.append(UInt8(v & 0xFF)); out.append(UInt8((v >> 8) & 0xFF)); out.append(UInt8((v >> 16) & 0xFF)); out.append(UInt8(v >> 24))
    }
}
