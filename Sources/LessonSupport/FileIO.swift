import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct FileIOError: Error, CustomStringConvertible {
    public let path: String
    public let code: Int32
    public var description: String { "\(path): \(String(cString: strerror(code)))" }
}

/// Plain POSIX file writes. Foundation's `Data.write(to:)` fsyncs every file, which made
/// writing ten thousand regenerable build files take seconds; callers that need durability
/// (publish, sync) ask for it with `sync: true`.
public enum FileIO {
    public static func write(_ bytes: [UInt8], to path: String, sync: Bool = false, mode: mode_t = 0o644) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileIOError(path: path, code: errno) }
        defer { close(fd) }
        var offset = 0
        try bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileIOError(path: path, code: errno)
                }
                offset += n
            }
        }
        if sync && fsync(fd) != 0 { throw FileIOError(path: path, code: errno) }
    }

    public static func write(_ data: Data, to path: String, sync: Bool = false, mode: mode_t = 0o644) throws {
        try write([UInt8](data), to: path, sync: sync, mode: mode)
    }

    /// fsyncs a file written through another handle (a download) before it is renamed into place.
    public static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIOError(path: path, code: errno) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw FileIOError(path: path, code: errno) }
    }

    /// rename(2): replaces `target` in one step on the same file system.
    public static func rename(_ path: String, to target: String) throws {
        if Glibc.rename(path, target) != 0 { throw FileIOError(path: target, code: errno) }
    }

    /// Flushes every file written on the file system that holds `path` (syncfs(2)): one call
    /// instead of an fsync per file, for a batch of files written together and renamed into place
    /// after it. Glibc declares syncfs only for _GNU_SOURCE, which Swift's Glibc module leaves
    /// out, so it is looked up by name; where it is missing, sync(2) flushes every file system.
    public static func syncFileSystem(containing path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIOError(path: path, code: errno) }
        defer { close(fd) }
        guard let syncfs = Self.syncfs else { Glibc.sync(); return }
        if syncfs(fd) != 0 { throw FileIOError(path: path, code: errno) }
    }

    private static let syncfs: (@convention(c) (Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    /// fsyncs a directory so that renames and new entries in it survive a power cut.
    public static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIOError(path: path, code: errno) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw FileIOError(path: path, code: errno) }
    }
}
