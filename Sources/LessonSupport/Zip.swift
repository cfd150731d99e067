import Foundation

public struct ZipError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The smallest ZIP that every unzip, phone and file manager reads: "stored" entries only (the
/// objects inside are gzip already), entries in the order given, DOS time 1980-01-01 00:00, no
/// extra fields, no data descriptors, no ZIP64. The same entries always give the same bytes.
public struct ZipWriter {
    private(set) public var data = Data()
    private var central = Data()
    private var count = 0
    private var names = Set<String>()

    public init() {}

    public mutating func add(_ name: String, _ contents: Data) {
        precondition(names.insert(name).inserted, "duplicate ZIP entry \(name)")
        precondition(ZipReader.isSafeName(name), "unsafe ZIP entry name \(name)")
        let nameBytes = Array(name.utf8)
        let crc = Gzip.crc32(contents)
        let offset = UInt32(data.count)
        precondition(contents.count < Int(UInt32.max) && data.count + contents.count < Int(UInt32.max), "pack too large for a ZIP without ZIP64")
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
        precondition(count < 0xFFFF, "too many entries for a ZIP without ZIP64")
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

/// Reads the ZIPs `ZipWriter` makes (and any other ZIP of stored entries), refusing what it
/// cannot check: compression, encryption, ZIP64, unsafe or duplicate names, bad CRCs.
public struct ZipReader {
    public let entries: [String: Data]
    /// Names in archive order.
    public let names: [String]

    public init(_ archive: Data, maxEntries: Int = 1_000_000) throws {
        let bytes = [UInt8](archive)
        func u16(_ at: Int) throws -> Int {
            guard at >= 0, at + 2 <= bytes.count else { throw ZipError("truncated ZIP") }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8
        }
        func u32(_ at: Int) throws -> Int {
            guard at >= 0, at + 4 <= bytes.count else { throw ZipError("truncated ZIP") }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        }
        // The end record is the last 22 bytes plus a comment of up to 65535.
        var eocd = -1
        var i = bytes.count - 22
        while i >= 0 && i >= bytes.count - 22 - 65535 {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x05, bytes[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw ZipError("not a ZIP file (no end of central directory)") }
        let total = try u16(eocd + 10)
        let cdSize = try u32(eocd + 12)
        let cdStart = try u32(eocd + 16)
        guard total != 0xFFFF, cdStart != 0xFFFF_FFFF else { throw ZipError("ZIP64 archives are not supported") }
        guard total <= maxEntries else { throw ZipError("too many entries in the ZIP") }
        guard cdStart + cdSize <= eocd else { throw ZipError("corrupt ZIP (central directory out of range)") }
        var entries: [String: Data] = [:]
        var names: [String] = []
        var p = cdStart
        for _ in 0..<total {
            guard try u32(p) == 0x02014B50 else { throw ZipError("corrupt ZIP (bad central directory record)") }
            let flags = try u16(p + 8), method = try u16(p + 10)
            let crc = try u32(p + 16), csize = try u32(p + 20), usize = try u32(p + 24)
            let nameLen = try u16(p + 28), extraLen = try u16(p + 30), commentLen = try u16(p + 32)
            let localOffset = try u32(p + 42)
            guard p + 46 + nameLen <= bytes.count else { throw ZipError("truncated ZIP") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLen)], as: UTF8.self)
            guard flags & 0x1 == 0 else { throw ZipError("\(name): encrypted ZIP entries are not supported") }
            guard method == 0 else { throw ZipError("\(name): compressed ZIP entries are not supported (only stored)") }
            guard csize == usize, csize != 0xFFFF_FFFF else { throw ZipError("\(name): bad entry sizes") }
            guard ZipReader.isSafeName(name) else { throw ZipError("unsafe entry name in ZIP: \(name)") }
            guard entries[name] == nil else { throw ZipError("duplicate entry in ZIP: \(name)") }
            guard try u32(localOffset) == 0x04034B50 else { throw ZipError("\(name): bad local header") }
            let localNameLen = try u16(localOffset + 26), localExtraLen = try u16(localOffset + 28)
            let start = localOffset + 30 + localNameLen + localExtraLen
            guard start + csize <= cdStart else { throw ZipError("\(name): entry data out of range") }
            let contents = Data(bytes[start..<(start + csize)])
            guard Int(Gzip.crc32(contents)) == crc else { throw ZipError("\(name): CRC mismatch") }
            entries[name] = contents
            names.append(name)
            p += 46 + nameLen + extraLen + commentLen
        }
        self.entries = entries
        self.names = names
    }

    /// Relative, slash-separated, no `.`/`..` segments, no backslashes or control characters.
    public static func isSafeName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\\"), name.utf8.count < 1024 else { return false }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return false }
        return !name.split(separator: "/", omittingEmptySubsequences: false).contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }
}
