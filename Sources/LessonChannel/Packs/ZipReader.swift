import Foundation
import LessonSupport
#if canImport(Glibc)
import Glibc
#endif

/// Reads the ZIPs `ZipWriter` makes (and any other ZIP of stored entries) without trusting them.
/// Only the central directory is read up front, and every entry is checked against its local
/// header: entries must follow one another without overlapping, in the order the directory
/// lists them, each name once, so the entries together are never larger than the archive (an
/// 8,000-record directory pointing at one 1 MiB entry once made 8 GB of copies). An entry's
/// bytes are read only when asked for, up to a limit the caller takes from signed metadata, and
/// checked against their CRC: memory holds the directory and the one entry being read. Refused:
/// compression, encryption, ZIP64, split archives, unsafe or duplicate names, bad CRCs.
public struct ZipReader: Sendable {
    /// The most entries a ZIP without ZIP64 can count.
    public static let maxEntries = 65_535
    /// A pack's directory is about 130 bytes an entry; this allows long names and extra fields.
    public static let maxDirectoryBytes = 16 << 20

    public struct Entry: Sendable {
        public let name: String
        public let size: Int
        let dataOffset: Int
        let crc: UInt32
    }

    /// Names in archive order.
    public let names: [String]
    private let index: [String: Entry]
    private let bytes: ZipBytes

    /// An archive in memory.
    public init(_ archive: Data) throws {
        try self.init(ZipBytes(archive))
    }

    /// An archive on disk: only its directory and headers are read now, entries when asked for.
    public init(contentsOf url: URL) throws {
        try self.init(ZipBytes(url))
    }

    private init(_ bytes: ZipBytes) throws {
        self.bytes = bytes
        let end = try Self.endRecord(bytes)
        let directory = try bytes.read(at: end.directoryStart, count: end.directorySize)
        var names: [String] = []
        var index: [String: Entry] = [:]
        var p = 0
        var previous: Entry?
        for _ in 0..<end.count {
            let record = try Self.record(in: directory, at: p, archive: bytes, directoryStart: end.directoryStart, after: previous, known: index)
            index[record.entry.name] = record.entry
            names.append(record.entry.name)
            previous = record.entry
            p = record.end
        }
        guard p == directory.count else { throw ZipError("corrupt ZIP (the central directory holds more than its entries)") }
        self.names = names
        self.index = index
    }

    /// Where the central directory is and how many entries it lists, from the end record.
    public struct EndRecord: Sendable {
        public var count: Int
        public var directoryStart: Int
        public var directorySize: Int

        /// The end record is the last 22 bytes plus a comment of up to 65535, and nothing after it.
        public static let maxLength = 22 + 65535

        /// Reads the end record from an archive's last bytes: `tail`, which starts at byte
        /// `tailStart` and runs to the archive's end (at least its last `maxLength` bytes, or all of it).
        public init(tail: Data, tailStart: Int) throws {
            let tail = Data(tail)
            var eocd = -1
            var i = tail.count - 22
            while i >= 0 {
                if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 0x05, tail[i + 3] == 0x06,
                   i + 22 + ZipReader.u16(tail, i + 20) == tail.count { eocd = i; break }
                i -= 1
            }
            guard eocd >= 0 else { throw ZipError("not a ZIP file (no end of central directory)") }
            let disk = ZipReader.u16(tail, eocd + 4), directoryDisk = ZipReader.u16(tail, eocd + 6)
            let onDisk = ZipReader.u16(tail, eocd + 8), count = ZipReader.u16(tail, eocd + 10)
            let directorySize = ZipReader.u32(tail, eocd + 12), directoryStart = ZipReader.u32(tail, eocd + 16)
            guard count != 0xFFFF, directorySize != 0xFFFF_FFFF, directoryStart != 0xFFFF_FFFF else { throw ZipError("ZIP64 archives are not supported") }
            guard disk == 0, directoryDisk == 0, onDisk == count else { throw ZipError("split ZIP archives are not supported") }
            let end = tailStart + eocd
            if eocd >= 20, ZipReader.u32(tail, eocd - 20) == 0x07064B50 { throw ZipError("ZIP64 archives are not supported") }
            guard directoryStart + directorySize == end else { throw ZipError("corrupt ZIP (central directory out of place)") }
            guard directorySize <= ZipReader.maxDirectoryBytes, count <= ZipReader.maxEntries else { throw ZipError("too many entries in the ZIP") }
            (self.count, self.directoryStart, self.directorySize) = (count, directoryStart, directorySize)
        }
    }

    private static func endRecord(_ bytes: ZipBytes) throws -> EndRecord {
        let tailStart = max(0, bytes.count - EndRecord.maxLength)
        return try EndRecord(tail: try bytes.read(at: tailStart, count: bytes.count - tailStart), tailStart: tailStart)
    }

    /// One central directory record as it stands, before its local header is seen: a safe name,
    /// stored (not compressed or encrypted), on this disk.
    struct CentralRecord {
        var name: String
        var nameBytes: Data
        var size: Int
        var crc: UInt32
        var localOffset: Int
        /// Where the record ends in the directory.
        var end: Int

        init(in directory: Data, at p: Int) throws {
            guard p + 46 <= directory.count, ZipReader.u32(directory, p) == 0x02014B50 else { throw ZipError("corrupt ZIP (bad central directory record)") }
            let flags = ZipReader.u16(directory, p + 8), method = ZipReader.u16(directory, p + 10)
            let csize = ZipReader.u32(directory, p + 20), usize = ZipReader.u32(directory, p + 24)
            let nameLength = ZipReader.u16(directory, p + 28), extraLength = ZipReader.u16(directory, p + 30), commentLength = ZipReader.u16(directory, p + 32)
            let startDisk = ZipReader.u16(directory, p + 34)
            end = p + 46 + nameLength + extraLength + commentLength
            guard end <= directory.count else { throw ZipError("corrupt ZIP (bad central directory record)") }
            nameBytes = Data(directory[(directory.startIndex + p + 46)..<(directory.startIndex + p + 46 + nameLength)])
            guard let name = String(validating: nameBytes, as: UTF8.self), ZipReader.isSafeName(name) else {
                throw ZipError("unsafe entry name in ZIP: \(String(decoding: nameBytes, as: UTF8.self))")
            }
            guard flags & 0x2041 == 0 else { throw ZipError("\(name): encrypted ZIP entries are not supported") }
            guard method == 0 else { throw ZipError("\(name): compressed ZIP entries are not supported (only stored)") }
            guard csize == usize, csize != 0xFFFF_FFFF, startDisk == 0 else { throw ZipError("\(name): bad entry sizes") }
            self.name = name
            size = csize
            crc = UInt32(ZipReader.u32(directory, p + 16))
            localOffset = ZipReader.u32(directory, p + 42)
        }
    }

    /// Where an entry's data starts, from its local header (`local`, at least 30 + name bytes
    /// long): the header must name the same file, stored, with the directory's sizes and CRC.
    static func dataOffset(_ record: CentralRecord, localHeader local: Data) throws -> Int {
        let nameLength = record.nameBytes.count
        guard local.count >= 30 + nameLength, ZipReader.u32(local, 0) == 0x04034B50 else { throw ZipError("\(record.name): bad local header") }
        let localFlags = ZipReader.u16(local, 6)
        guard ZipReader.u16(local, 8) == 0, ZipReader.u16(local, 26) == nameLength,
              local[(local.startIndex + 30)..<(local.startIndex + 30 + nameLength)] == record.nameBytes,
              localFlags & 0x8 != 0 || (UInt32(ZipReader.u32(local, 14)) == record.crc && ZipReader.u32(local, 18) == record.size && ZipReader.u32(local, 22) == record.size) else {
            throw ZipError("\(record.name): the local header does not match the central directory")
        }
        return record.localOffset + 30 + nameLength + ZipReader.u16(local, 28)
    }

    /// One central directory record and the entry it describes, checked against its local
    /// header, which must come after the previous entry's data and before the directory; a name
    /// in `known` is a duplicate.
    private static func record(in directory: Data, at p: Int, archive bytes: ZipBytes, directoryStart: Int,
                               after previous: Entry?, known: [String: Entry]) throws -> DirectoryRecord {
        let r = try CentralRecord(in: directory, at: p)
        guard known[r.name] == nil else { throw ZipError("duplicate entry in ZIP: \(r.name)") }
        // Its local header: after the previous entry's data, naming the same file.
        if let previous, r.localOffset < previous.dataOffset + previous.size {
            throw ZipError("\(r.name): overlaps or comes before \(previous.name) (entries must follow one another)")
        }
        guard r.localOffset + 30 + r.nameBytes.count <= directoryStart else { throw ZipError("\(r.name): entry data out of range") }
        let dataOffset = try Self.dataOffset(r, localHeader: try bytes.read(at: r.localOffset, count: 30 + r.nameBytes.count))
        guard dataOffset + r.size <= directoryStart else { throw ZipError("\(r.name): entry data out of range") }
        return DirectoryRecord(entry: Entry(name: r.name, size: r.size, dataOffset: dataOffset, crc: r.crc), end: r.end)
    }

    /// An entry, and where its central directory record ends.
    struct DirectoryRecord {
        var entry: Entry
        var end: Int
    }

    public func contains(_ name: String) -> Bool { index[name] != nil }

    /// An entry's size, without reading it.
    public func size(of name: String) -> Int? { index[name]?.size }

    /// An entry's bytes, checked against its CRC; nil when there is no such entry. An entry of
    /// more than `limit` bytes is refused before it is read.
    public func read(_ name: String, limit: Int = Int.max) throws -> Data? {
        guard let entry = index[name] else { return nil }
        guard entry.size <= limit else { throw ZipError("\(name): \(entry.size) bytes, more than the \(limit) it may have") }
        let data = try bytes.read(at: entry.dataOffset, count: entry.size)
        guard Gzip.crc32(data) == entry.crc else { throw ZipError("\(name): CRC mismatch") }
        return data
    }

    /// An entry's bytes and CRC-32, checked as `read` checks them, for copying the entry into
    /// another archive (`ZipWriter.add(_:_:crc:)`) without computing its CRC again.
    public func readEntry(_ name: String, limit: Int = Int.max) throws -> (data: Data, crc: UInt32)? {
        guard let data = try read(name, limit: limit) else { return nil }
        return (data, index[name]!.crc)
    }

    static func u16(_ d: Data, _ at: Int) -> Int {
        let i = d.startIndex + at
        return Int(d[i]) | Int(d[i + 1]) << 8
    }

    static func u32(_ d: Data, _ at: Int) -> Int {
        let i = d.startIndex + at
        return Int(d[i]) | Int(d[i + 1]) << 8 | Int(d[i + 2]) << 16 | Int(d[i + 3]) << 24
    }

    /// Relative, slash-separated, no `.`/`..` segments, no backslashes or control characters.
    /// Checked on the UTF-8 bytes, as a file system sees the name (every byte below 0x80 is a
    /// character of its own in UTF-8), in one pass: a pack names ten thousand objects.
    public static func isSafeName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            guard !bytes.isEmpty, bytes.count < 1024, bytes[0] != UInt8(ascii: "/") else { return false }
            var segmentStart = 0
            for i in 0...bytes.count {
                let b = i < bytes.count ? bytes[i] : UInt8(ascii: "/")
                if b < 0x20 || b == 0x7F || b == UInt8(ascii: "\\") { return false }
                guard b == UInt8(ascii: "/") else { continue }
                // A segment ends: it may not be empty, "." or "..".
                let n = i - segmentStart
                if n == 0 { return false }
                if n <= 2, bytes[segmentStart] == UInt8(ascii: "."), n == 1 || bytes[segmentStart + 1] == UInt8(ascii: ".") { return false }
                segmentStart = i + 1
            }
            return true
        }
    }
}
