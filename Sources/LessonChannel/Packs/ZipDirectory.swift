import Foundation
import LessonSupport

/// A ZIP's central directory read from the archive's last bytes alone, and its entries read from
/// spans of the archive: how a device reads a pack on a host with HTTP `Range` requests (its tail,
/// then a few large spans of consecutive entries) instead of downloading the whole pack or one
/// request per object. Nothing here is trusted: the rules are `ZipReader`'s (stored entries, safe
/// names, each once, one after another), every entry is checked against its local header and its
/// CRC, and a device then checks each object's SHA-256 and size against its signed manifest.
public struct ZipDirectory: Sendable {
    /// One entry as the directory lists it. Its bytes, local header first, lie in
    /// `headerOffset..<end`: `end` is where the next entry (or the directory) starts.
    public struct Record: Sendable {
        public let name: String
        public let size: Int
        public let headerOffset: Int
        public let end: Int
        let central: ZipReader.CentralRecord
    }

    /// In archive order.
    public let records: [Record]
    public let archiveSize: Int

    /// The directory, from `directory` (the archive's bytes `end.directoryStart..<end.directoryStart
    /// + end.directorySize`) of an archive of `archiveSize` bytes.
    public init(directory: Data, end: ZipReader.EndRecord, archiveSize: Int) throws {
        let directory = Data(directory)
        guard directory.count == end.directorySize else { throw ZipError("corrupt ZIP (the central directory is not where its end record says)") }
        var centrals: [ZipReader.CentralRecord] = []
        var names = Set<String>()
        var p = 0
        for _ in 0..<end.count {
            let r = try ZipReader.CentralRecord(in: directory, at: p)
            guard names.insert(r.name).inserted else { throw ZipError("duplicate entry in ZIP: \(r.name)") }
            // Local header and data at least, before the next entry.
            if let previous = centrals.last, r.localOffset < previous.localOffset + 30 + previous.nameBytes.count + previous.size {
                throw ZipError("\(r.name): overlaps or comes before \(previous.name) (entries must follow one another)")
            }
            centrals.append(r)
            p = r.end
        }
        guard p == directory.count else { throw ZipError("corrupt ZIP (the central directory holds more than its entries)") }
        var records: [Record] = []
        for (i, r) in centrals.enumerated() {
            let next = i + 1 < centrals.count ? centrals[i + 1].localOffset : end.directoryStart
            guard r.localOffset + 30 + r.nameBytes.count + r.size <= next else { throw ZipError("\(r.name): entry data out of range") }
            records.append(Record(name: r.name, size: r.size, headerOffset: r.localOffset, end: next, central: r))
        }
        self.records = records
        self.archiveSize = archiveSize
    }

    /// An entry's bytes from `span`, the archive's bytes from `spanStart` on, which must hold the
    /// whole entry: checked against the local header and the CRC.
    public static func entry(_ record: Record, in span: Data, spanStart: Int) throws -> Data {
        let from = record.headerOffset - spanStart
        guard from >= 0, record.end - spanStart <= span.count else { throw ZipError("\(record.name): not in the bytes read") }
        let base = span.startIndex
        let local = span[(base + from)..<(base + record.end - spanStart)]
        let dataOffset = try ZipReader.dataOffset(record.central, localHeader: local)
        guard dataOffset + record.size <= record.end else { throw ZipError("\(record.name): entry data out of range") }
        let data = span.subdata(in: (base + dataOffset - spanStart)..<(base + dataOffset - spanStart + record.size))
        guard Gzip.crc32(data) == record.central.crc else { throw ZipError("\(record.name): CRC mismatch") }
        return data
    }
}
