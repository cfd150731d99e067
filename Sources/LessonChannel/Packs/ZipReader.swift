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
    struct EndRecord {
        var count: Int
        var directoryStart: Int
        var directorySize: Int
    }

    private static func endRecord(_ bytes: ZipBytes) throws -> EndRecord {
        let total = bytes.count
        // The end record is the last 22 bytes plus a comment of up to 65535, and nothing after it.
        let tailStart = max(0, total - 22 - 65535)
        let tail = try bytes.read(at: tailStart, count: total - tailStart)
        var eocd = -1
        var i = tail.count - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 0x05, tail[i + 3] == 0x06,
               i + 22 + Self.u16(tail, i + 20) == tail.count { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw ZipError("not a ZIP file (no end of central directory)") }
        let disk = Self.u16(tail, eocd + 4), directoryDisk = Self.u16(tail, eocd + 6)
        let onDisk = Self.u16(tail, eocd + 8), count = Self.u16(tail, eocd + 10)
        let directorySize = Self.u32(tail, eocd + 12), directoryStart = Self.u32(tail, eocd + 16)
        guard count != 0xFFFF, directorySize != 0xFFFF_FFFF, directoryStart != 0xFFFF_FFFF else { throw ZipError("ZIP64 archives are not supported") }
        guard disk == 0, directoryDisk == 0, onDisk == count else { throw ZipError("split ZIP archives are not supported") }
        let end = tailStart + eocd
        if eocd >= 20, Self.u32(tail, eocd - 20) == 0x07064B50 { throw ZipError("ZIP64 archives are not supported") }
        guard directoryStart + directorySize == end else { throw ZipError("corrupt ZIP (central directory out of place)") }
        guard directorySize <= Self.maxDirectoryBytes, count <= Self.maxEntries else { throw ZipError("too many entries in the ZIP") }
        return EndRecord(count: count, directoryStart: directoryStart, directorySize: directorySize)
    }

    /// One central directory record and the entry it describes, checked against its local
    /// header, which must come after the previous entry's data and before the directory; a name
    /// in `known` is a duplicate.
    private static func record(in directory: Data, at p: Int, archive bytes: ZipBytes, directoryStart: Int,
                               after previous: Entry?, known: [String: Entry]) throws -> DirectoryRecord {
        guard p + 46 <= directory.count, Self.u32(directory, p) == 0x02014B50 else { throw ZipError("corrupt ZIP (bad central directory record)") }
        let flags = Self.u16(directory, p + 8), method = Self.u16(directory, p + 10)
        let crc = UInt32(Self.u32(directory, p + 16)), csize = Self.u32(directory, p + 20), usize = Self.u32(directory, p + 24)
        let nameLength = Self.u16(directory, p + 28), extraLength = Self.u16(directory, p + 30), commentLength = Self.u16(directory, p + 32)
        let startDisk = Self.u16(directory, p + 34), localOffset = Self.u32(directory, p + 42)
        let recordEnd = p + 46 + nameLength + extraLength + commentLength
        guard recordEnd <= directory.count else { throw ZipError("corrupt ZIP (bad central directory record)") }
        let nameBytes = directory[(p + 46)..<(p + 46 + nameLength)]
        guard let name = String(validating: nameBytes, as: UTF8.self), ZipReader.isSafeName(name) else {
            throw ZipError("unsafe entry name in ZIP: \(String(decoding: nameBytes, as: UTF8.self))")
        }
        guard flags & 0x2041 == 0 else { throw ZipError("\(name): encrypted ZIP entries are not supported") }
        guard method == 0 else { throw ZipError("\(name): compressed ZIP entries are not supported (only stored)") }
        guard csize == usize, csize != 0xFFFF_FFFF, startDisk == 0 else { throw ZipError("\(name): bad entry sizes") }
        guard known[name] == nil else { throw ZipError("duplicate entry in ZIP: \(name)") }
        // Its local header: after the previous entry's data, naming the same file.
        if let previous, localOffset < previous.dataOffset + previous.size {
            throw ZipError("\(name): overlaps or comes before \(previous.name) (entries must follow one another)")
        }
        guard localOffset + 30 + nameLength <= directoryStart else { throw ZipError("\(name): entry data out of range") }
        let local = try bytes.read(at: localOffset, count: 30 + nameLength)
        guard Self.u32(local, 0) == 0x04034B50 else { throw ZipError("\(name): bad local header") }
        let localFlags = Self.u16(local, 6)
        guard Self.u16(local, 8) == 0, Self.u16(local, 26) == nameLength, local[30...] == nameBytes,
              localFlags & 0x8 != 0 || (UInt32(Self.u32(local, 14)) == crc && Self.u32(local, 18) == csize && Self.u32(local, 22) == usize) else {
            throw ZipError("\(name): the local header does not match the central directory")
        }
        let dataOffset = localOffset + 30 + nameLength + Self.u16(local, 28)
        guard dataOffset + csize <= directoryStart else { throw ZipError("\(name): entry data out of range") }
        return DirectoryRecord(entry: Entry(name: name, size: csize, dataOffset: dataOffset, crc: crc), end: recordEnd)
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

    private static func u16(_ d: Data, _ at: Int) -> Int {
        let i = d.startIndex + at
        return Int(d[i]) | Int(d[i + 1]) << 8
    }

    private static func u32(_ d: Data, _ at: Int) -> Int {
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
