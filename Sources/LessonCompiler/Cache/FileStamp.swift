import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What lstat(2) says about a file: enough to know that it still holds the bytes that were hashed,
/// without reading it again. As git's index does, the cache trusts a file whose device, inode,
/// size, modification and change times are all unchanged, but only when both times lie well
/// before the moment it was hashed: a file written in the same clock tick as it was read
/// ("racily clean") is read and hashed again. The change time cannot be set by a program, so
/// copying an old timestamp onto a new file (cp -p, rsync -t, tar) does not fool it.
public struct FileStamp: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    /// Nanoseconds since 1970.
    var modified: Int64
    var changed: Int64

    enum Kind: Sendable { case file, directory, link, other }

    /// Timestamps this close to the hashing time may hide a second write (coarse file-system
    /// clocks tick every few milliseconds; FAT every 2 seconds).
    static let settleNanoseconds: Int64 = 2_000_000_000

    /// The stamp and kind of `path` itself (a symbolic link is not followed); nil if it is missing.
    static func lstat(_ path: String) -> (stamp: FileStamp, kind: Kind)? {
        var st = Glibc.stat()
        guard Glibc.lstat(path, &st) == 0 else { return nil }
        return (FileStamp(st), kind(st.st_mode))
    }

    /// The stamp of what `path` leads to, following symbolic links (stat(2)).
    static func follow(_ path: String) -> (stamp: FileStamp, kind: Kind)? {
        var st = Glibc.stat()
        guard stat(path, &st) == 0 else { return nil }
        return (FileStamp(st), kind(st.st_mode))
    }

    /// The bytes of the file at `path` (following symbolic links), with its stamp taken after
    /// they were read (a write while reading shows in that stamp) and the one taken before.
    /// nil if it cannot be read.
    static func read(_ path: String) -> (bytes: [UInt8], stamp: FileStamp, before: FileStamp)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let before = FileStamp(st)
        // Sized from the stat (without filling the array first), then read to the end whatever
        // the size is by now.
        var failed = false, short = false
        func readChunk(_ capacity: Int) -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                count = 0
                while count < capacity {
                    let n = Glibc.read(fd, buffer.baseAddress! + count, capacity - count)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { failed = true }
                    if n <= 0 { break }
                    count += n
                    // A regular file reads short only at its end; the size checked below confirms it
                    // (one read() fewer per file than reading on to 0 bytes).
                    if count < capacity { short = true; break }
                }
            }
        }
        let expected = max(Int(st.st_size), 0) + 1
        var bytes = readChunk(expected)
        guard !failed, fstat(fd, &st) == 0 else { return nil }
        if short && Int(st.st_size) == bytes.count { return (bytes, FileStamp(st), before) }
        while !failed {
            let more = readChunk(65536)
            if more.isEmpty { break }
            bytes += more
        }
        guard !failed, fstat(fd, &st) == 0 else { return nil }
        return (bytes, FileStamp(st), before)
    }

    private init(_ st: Glibc.stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        changed = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
    }

    init(device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }

    private static func kind(_ mode: mode_t) -> Kind {
        switch mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .link
        default: return .other
        }
    }

    /// Whether a file with this stamp, hashed at `hashedAt`, could not have changed in the same tick.
    func isSettled(hashedAt: Int64) -> Bool {
        modified < hashedAt - FileStamp.settleNanoseconds && changed < hashedAt - FileStamp.settleNanoseconds
    }

    /// `stamp`, taken before a file was read at `hashedAt`, when it shows that the file cannot
    /// have changed unseen since.
    static func settled(_ stamp: FileStamp?, hashedAt: Int64) -> FileStamp? {
        guard let stamp, stamp.isSettled(hashedAt: hashedAt) else { return nil }
        return stamp
    }

    /// Now, in the file system's clock (nanoseconds since 1970).
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
