import Foundation
import LessonSupport

/// The smallest ZIP that every unzip, phone and file manager reads: "stored" entries only (the
/// objects inside are gzip already), entries in the order given, DOS time 1980-01-01 00:00, no
/// extra fields, no data descriptors, no ZIP64. The same entries always give the same bytes.
/// Without ZIP64 an archive holds fewer than 65,535 entries and 4 GiB: beyond that `add` throws.
public struct ZipWriter {
    private(set) public var data = Data()
    private var central = Data()
    private var count = 0
    private var names = Set<String>()
    /// The archive's size limit (ZIP offsets and sizes are 32-bit); smaller in tests.
    let maxBytes: Int

    public init() { self.init(maxBytes: Int(UInt32.max) - 1) }

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    public mutating func add(_ name: String, _ contents: Data) throws {
        precondition(names.insert(name).inserted, "duplicate ZIP entry \(name)")
        precondition(ZipReader.isSafeName(name), "unsafe ZIP entry name \(name)")
        let nameBytes = Array(name.utf8)
        guard count + 1 < ZipReader.maxEntries else { throw ZipError("more than \(ZipReader.maxEntries - 1) entries: too many for a ZIP without ZIP64") }
        let end = data.count + 30 + nameBytes.count + contents.count
        guard end + central.count + 46 + nameBytes.count + 22 <= maxBytes else {
            throw ZipError("\(name): the archive would exceed \(maxBytes) bytes, the most a ZIP without ZIP64 can hold")
        }
        let crc = Gzip.crc32(contents)
        let offset = UInt32(data.count)
        // Local file header.
        data.append(le32(0x04034B50)); data.append(le16(10)); data.append(le16(0x0800)); data.append(le16(0))
        data.append(le16(0)); data.append(le16(0x21))                     // time 00:00, date 1980-01-01
        data.append(le32(crc)); data.append(le32(UInt32(contents.count))); data.append(le32(UInt32(contents.count)))
        data.append(le16(UInt16(nameBytes.count))); data.append(le16(0))
        data.append(contentsOf: nameBytes)
        data.append(contents)
        // Central directory record.
        central.append(le32(0x02014B50)); central.append(le16(0x031E)); central.append(le16(10)); central.append(le16(0x0800))
        central.append(le16(0)); central.append(le16(0)); central.append(le16(0x21))
        central.append(le32(crc)); central.append(le32(UInt32(contents.count))); central.append(le32(UInt32(contents.count)))
        central.append(le16(UInt16(nameBytes.count))); central.append(le16(0)); central.append(le16(0))
        central.append(le16(0)); central.append(le16(0)); central.append(le32(0o100644 << 16))
        central.append(le32(offset))
        central.append(contentsOf: nameBytes)
        count += 1
    }

    /// The finished archive.
    public func finish() -> Data {
        var out = data
        let start = UInt32(out.count)
        out.append(central)
        out.append(le32(0x06054B50)); out.append(le16(0)); out.append(le16(0))
        out.append(le16(UInt16(count))); out.append(le16(UInt16(count)))
        out.append(le32(UInt32(central.count))); out.append(le32(start)); out.append(le16(0))
        return out
    }

    private func le16(_ v: UInt16) -> Data { Data([UInt8(v & 0xFF), UInt8(v >> 8)]) }
    private func le32(_ v: UInt32) -> Data { Data([UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]) }
}
