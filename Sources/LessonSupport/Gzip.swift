import Czlib
import Foundation

public struct GzipError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The only caller of zlib: deterministic gzip, gunzip with a hard size cap, CRC-32, and
/// dictionary deltas (a new version of a file compressed against the old one).
public enum Gzip {
    /// gzip header with no file name, mtime 0, XFL 2 (best compression) and OS 255 ("unknown"),
    /// written by hand because zlib's own header records the build platform.
    static let header: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0xFF]
    static let level: Int32 = 9
    static let memLevel: Int32 = 8

    /// The same bytes in always give the same bytes out (with the same zlib).
    public static func compress<D: ContiguousBytes>(_ data: D) -> Data {
        var out = Data(header)
        let (deflated, crc, count) = data.withUnsafeBytes { raw -> ([UInt8], UInt32, Int) in
            let bytes = raw.bindMemory(to: UInt8.self)
            return (deflate(bytes, windowBits: -15, dictionary: nil), crc32(bytes), bytes.count)
        }
        out.append(contentsOf: deflated)
        out.append(contentsOf: littleEndian(crc))
        out.append(contentsOf: littleEndian(UInt32(truncatingIfNeeded: count)))
        return out
    }

    /// Inflates one gzip member and nothing after it, refusing to produce more than `maxSize`
    /// bytes, so a hostile object cannot fill memory or disk.
    public static func decompress<D: ContiguousBytes>(_ data: D, maxSize: Int) throws -> Data {
        try data.withUnsafeBytes { raw in
            try inflate(raw.bindMemory(to: UInt8.self), windowBits: 15 + 16, maxSize: maxSize, dictionary: nil)
        }
    }

    public static func crc32<D: ContiguousBytes>(_ data: D) -> UInt32 {
        data.withUnsafeBytes { raw in crc32(raw.bindMemory(to: UInt8.self)) }
    }

    /// A zlib stream (RFC 1950) of `target` compressed with `base` as preset dictionary. When the
    /// two are versions of one file this is far smaller than `target` compressed alone. Only the
    /// last 32 KiB of `base` can be referred to (deflate's window), so gains shrink for larger files.
    public static func delta<B: ContiguousBytes, T: ContiguousBytes>(from base: B, to target: T) -> Data {
        base.withUnsafeBytes { b in
            target.withUnsafeBytes { t in
                Data(deflate(t.bindMemory(to: UInt8.self), windowBits: 15, dictionary: b.bindMemory(to: UInt8.self)))
            }
        }
    }

    /// Rebuilds the target of `delta(from: base, to:)`; zlib checks the dictionary's Adler-32
    /// and the output's, and the caller checks the result's hash.
    public static func applyDelta<P: ContiguousBytes, B: ContiguousBytes>(_ patch: P, base: B, maxSize: Int) throws -> Data {
        try patch.withUnsafeBytes { p in
            try base.withUnsafeBytes { b in
                try inflate(p.bindMemory(to: UInt8.self), windowBits: 15, maxSize: maxSize, dictionary: b.bindMemory(to: UInt8.self))
            }
        }
    }

    // MARK: - zlib calls

    private static func crc32(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var crc = Czlib.crc32(0, nil, 0)
        var offset = 0
        // crc32 takes a 32-bit length: feed large buffers in slices.
        while offset < bytes.count {
            let n = min(bytes.count - offset, 1 << 30)
            crc = Czlib.crc32(crc, bytes.baseAddress! + offset, uInt(n))
            offset += n
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    private static func deflate(_ input: UnsafeBufferPointer<UInt8>, windowBits: Int32, dictionary: UnsafeBufferPointer<UInt8>?) -> [UInt8] {
        var stream = z_stream()
        var rc = deflateInit2_(&stream, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY,
                               zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(rc == Z_OK, "zlib deflateInit2 failed (\(rc))")
        defer { deflateEnd(&stream) }
        if let dictionary, dictionary.count > 0 {
            // zlib keeps only the window's worth of the dictionary's end.
            let keep = min(dictionary.count, 32768)
            rc = deflateSetDictionary(&stream, dictionary.baseAddress! + (dictionary.count - keep), uInt(keep))
            precondition(rc == Z_OK, "zlib deflateSetDictionary failed (\(rc))")
        }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        var offset = 0
        var finished = false
        while !finished {
            let n = min(input.count - offset, 1 << 30)
            stream.next_in = n > 0 ? UnsafeMutablePointer(mutating: input.baseAddress! + offset) : nil
            stream.avail_in = uInt(n)
            let last = offset + n == input.count
            repeat {
                chunk.withUnsafeMutableBufferPointer { buf in
                    stream.next_out = buf.baseAddress
                    stream.avail_out = uInt(buf.count)
                    rc = Czlib.deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH)
                    out.append(contentsOf: buf[0..<(buf.count - Int(stream.avail_out))])
                }
                precondition(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR, "zlib deflate failed (\(rc))")
            } while stream.avail_out == 0 && rc != Z_STREAM_END
            offset += n
            finished = rc == Z_STREAM_END
        }
        return out
    }

    private static func inflate(_ input: UnsafeBufferPointer<UInt8>, windowBits: Int32, maxSize: Int,
                                dictionary: UnsafeBufferPointer<UInt8>?) throws -> Data {
        let what = dictionary == nil ? "gzip data" : "delta"
        guard input.count > 0 else { throw GzipError("empty \(what)") }
        guard input.count <= Int(UInt32.max) else { throw GzipError("\(what) too large") }
        var stream = z_stream()
        var rc = inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw GzipError("zlib could not start (\(rc))") }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!)
        stream.avail_in = uInt(input.count)
        var out = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            chunk.withUnsafeMutableBufferPointer { buf in
                stream.next_out = buf.baseAddress
                stream.avail_out = uInt(buf.count)
                rc = Czlib.inflate(&stream, Z_NO_FLUSH)
                out.append(buf.baseAddress!, count: buf.count - Int(stream.avail_out))
            }
            if out.count > maxSize { throw GzipError("\(what) expands beyond the limit of \(maxSize) bytes") }
            if rc == Z_NEED_DICT, let dictionary {
                let keep = min(dictionary.count, 32768)
                let base = dictionary.count > 0 ? dictionary.baseAddress! + (dictionary.count - keep) : nil
                guard inflateSetDictionary(&stream, base, uInt(keep)) == Z_OK else {
                    throw GzipError("delta was made against a different base")
                }
                continue
            }
            if rc == Z_STREAM_END { break }
            if rc == Z_OK { continue }
            if rc == Z_BUF_ERROR && stream.avail_in == 0 { throw GzipError("\(what) is truncated") }
            if rc == Z_NEED_DICT { throw GzipError("compressed data needs a dictionary") }
            let message = stream.msg.map { String(cString: $0) } ?? "error \(rc)"
            throw GzipError("\(what) is corrupt (\(message))")
        }
        if stream.avail_in != 0 { throw GzipError("unexpected bytes after the end of the \(what)") }
        return out
    }

    private static func littleEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
    }
}
