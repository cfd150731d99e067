import Foundation
import Synchronization

/// A file's digest as the cache remembers it, with the stamp that says it is still current.
struct CachedFile: Sendable, Equatable {
    var stamp: FileStamp
    var hashedAt: Int64
    var digest: ContentDigest
}

/// Digests of the files besides lessons that outputs depend on (XLIFF files, assets), by path
/// relative to the project root. A file whose stamp shows it unchanged since an earlier run
/// hashed it is not read again. Every digest given out is remembered for the next run.
final class FileDigests: Sendable {
    private let cached: [String: CachedFile]
    private let used = Mutex<[String: CachedFile]>([:])

    init(cached: [String: CachedFile] = [:]) {
        self.cached = cached
    }

    /// The digest of what `url` holds (following symbolic links); nil when it cannot be read.
    func digest(of url: URL, path: String) -> ContentDigest? {
        let stamp = FileStamp.follow(url.path)?.stamp
        if let stamp, let known = cached[path], known.stamp == stamp, stamp.isSettled(hashedAt: known.hashedAt) {
            used.withLock { $0[path] = known }
            return known.digest
        }
        let hashedAt = FileStamp.now()
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let digest = ContentDigest(of: data)
        if let stamp { used.withLock { $0[path] = CachedFile(stamp: stamp, hashedAt: hashedAt, digest: digest) } }
        return digest
    }

    /// What this run looked at, for the next one.
    var remembered: [String: CachedFile] { used.withLock { $0 } }
}
