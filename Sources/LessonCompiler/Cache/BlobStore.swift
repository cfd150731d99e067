import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The compile cache's bytes: compiled lesson documents and their gzip objects, named by their
/// SHA-256, appended to one file. One file, because ten thousand small files cost more to create
/// than to compute; by digest, because every read is checked against its name, so a damaged blob
/// is a miss (the lesson is compiled again), never wrong output.
///
/// Blobs no current lesson uses stay in the file until more than half of it is unused; then
/// `compacted` copies the rest into a new file.
final class BlobStore: Sendable {
    struct Location: Sendable, Equatable {
        var offset: Int
        var length: Int
    }

    let url: URL
    private struct State {
        var index: [ContentDigest: Location]
        var fd: Int32
        var end: Int
        var failed = false
        /// Blobs added since the store was opened.
        var added: [ContentDigest] = []
        /// Blobs found damaged or missing (dropped from the index).
        var dropped: [ContentDigest] = []
    }
    private let state: Mutex<State>

    /// Opens `url` (created if missing) with the index saved with the cache. Locations past the
    /// file's end (a file cut short) are dropped.
    init(url: URL, index: [ContentDigest: Location]) {
        self.url = url
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        var end = 0
        if fd >= 0 { end = Int(lseek(fd, 0, SEEK_END)) }
        let kept = index.filter { $0.value.offset >= 0 && $0.value.offset + $0.value.length <= end }
        state = Mutex(State(index: kept, fd: fd, end: end, failed: fd < 0))
    }

    deinit {
        state.withLock { if $0.fd >= 0 { close($0.fd) } }
    }

    /// A blob's bytes, checked against its digest; nil when absent or damaged. Read under the
    /// lock: publish saves the cache (which may compact the file and close its descriptor) while
    /// it writes the release from these blobs.
    func read(_ digest: ContentDigest) -> [UInt8]? {
        // nil: not in the store. A short read gives fewer bytes, which do not match the digest.
        let bytes = state.withLock { s -> [UInt8]? in
            guard s.fd >= 0, let location = s.index[digest] else { return nil }
            var bytes = [UInt8](repeating: 0, count: location.length)
            let n = bytes.withUnsafeMutableBytes { pread(s.fd, $0.baseAddress, location.length, off_t(location.offset)) }
            return n == location.length ? bytes : Array(bytes.prefix(max(0, n)))
        }
        guard let bytes else { return nil }
        guard ContentDigest(of: bytes) == digest else {
            state.withLock { s in
                if s.index.removeValue(forKey: digest) != nil { s.dropped.append(digest) }
            }
            return nil
        }
        return bytes
    }

    func contains(_ digest: ContentDigest) -> Bool { state.withLock { $0.index[digest] != nil } }

    /// Stores `bytes` under their digest (once). A write that fails only makes later runs slower.
    func add(_ bytes: [UInt8], digest: ContentDigest) {
        state.withLock { s in
            guard !s.failed, s.index[digest] == nil else { return }
            let n = bytes.withUnsafeBytes { pwrite(s.fd, $0.baseAddress, bytes.count, off_t(s.end)) }
            guard n == bytes.count else { s.failed = true; return }
            s.index[digest] = Location(offset: s.end, length: bytes.count)
            s.added.append(digest)
            s.end += bytes.count
        }
    }

    /// What changed since the store was opened: blobs added (with their places) and dropped.
    var changes: (added: [(ContentDigest, Location)], dropped: [ContentDigest]) {
        state.withLock { s in (s.added.compactMap { d in s.index[d].map { (d, $0) } }, s.dropped) }
    }

    /// The index to save for the blobs in `live`, compacting the file first when most of it holds
    /// blobs nothing uses any more.
    func index(keeping live: Set<ContentDigest>) -> [ContentDigest: Location] {
        state.withLock { s in
            s.index = s.index.filter { live.contains($0.key) }
            let used = s.index.values.reduce(0) { $0 + $1.length }
            if s.end > 16 << 20, used < s.end / 2 { compact(&s) }
            return s.index
        }
    }

    /// Copies the live blobs into a new file that replaces the old one.
    private func compact(_ s: inout State) {
        let temp = url.path + ".compacting"
        let fd = open(temp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        var index: [ContentDigest: Location] = [:]
        var end = 0
        for (digest, location) in s.index.sorted(by: { $0.value.offset < $1.value.offset }) {
            var bytes = [UInt8](repeating: 0, count: location.length)
            let n = bytes.withUnsafeMutableBytes { pread(s.fd, $0.baseAddress, location.length, off_t(location.offset)) }
            guard n == location.length else { continue }
            guard bytes.withUnsafeBytes({ pwrite(fd, $0.baseAddress, location.length, off_t(end)) }) == location.length else {
                close(fd); unlink(temp); return
            }
            index[digest] = Location(offset: end, length: location.length)
            end += location.length
        }
        guard rename(temp, url.path) == 0 else { close(fd); unlink(temp); return }
        close(s.fd)
        s.fd = fd
        s.end = end
        s.index = index
    }
}
