import Foundation
import LessonSupport
import Synchronization

public struct PublishError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// New and replaced channel files, written beside the channel (same file system) and moved into
/// place only when everything is ready: objects first, `latest.json` last, so a reader never
/// sees a release whose files are not there. If a move fails, every move so far is undone.
final class Staging: Sendable {
    let channel: URL
    let dir: URL
    private let paths = Mutex<Set<String>>([])
    /// For tests: fail just before `latest.json` would be moved, to exercise the rollback.
    let failBeforeLatest: Bool

    static let prefix = ".lessonc-staging-"
    static let trashPrefix = ".lessonc-trash-"

    init(channel: URL, failBeforeLatest: Bool = false) throws {
        self.channel = channel
        self.failBeforeLatest = failBeforeLatest
        dir = channel.appendingPathComponent(Staging.prefix + "\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func write(_ path: String, _ data: Data) throws {
        precondition(ZipReader.isSafeName(path))
        let url = dir.appendingPathComponent(path)
        let parent = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch where FileManager.default.fileExists(atPath: parent.path) {
            // Another thread created it first.
        }
        // Objects are many and content-addressed (a damaged one is rewritten by the next publish);
        // the few metadata files are flushed before they can be renamed into place.
        try FileIO.write(data, to: url.path, sync: !path.hasPrefix("objects/"))
        _ = paths.withLock { $0.insert(path) }
    }

    func contains(_ path: String) -> Bool { paths.withLock { $0.contains(path) } }

    /// The staged version of a file if there is one, else the channel's.
    func read(_ path: String) -> Data? {
        if contains(path) { return try? Data(contentsOf: dir.appendingPathComponent(path)) }
        return try? DirectorySource(channel).read(path)
    }

    var isEmpty: Bool { paths.withLock { $0.isEmpty } }

    /// How many objects are staged, and their bytes.
    var objectTotals: (count: Int, bytes: Int) {
        let objects = paths.withLock { $0.filter { $0.hasPrefix("objects/") } }
        let bytes = objects.reduce(0) { sum, p in
            sum + ((try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(p).path)[.size] as? Int) ?? 0)
        }
        return (objects.count, bytes)
    }

    /// Readers follow latest.json → manifest → objects, so files land in the reverse order.
    static func rank(_ path: String) -> Int {
        if path.hasPrefix("objects/") { return 0 }
        if path.hasPrefix("releases/") { return 1 }
        if path.hasPrefix("diffs/") { return 2 }
        if path.hasPrefix("packs/") { return 3 }
        if path.hasPrefix("keys/") { return 4 }
        if path.hasPrefix(ChannelPath.keys) { return 5 }
        if path == ChannelPath.signature(ChannelPath.latest) { return 6 }
        if path == ChannelPath.latest { return 7 }
        return 3
    }

    func commit() throws {
        let fm = FileManager.default
        let trash = channel.appendingPathComponent(Staging.trashPrefix + "\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: trash)
        let ordered = paths.withLock { $0.sorted { (Staging.rank($0), $0) < (Staging.rank($1), $1) } }
        var placed: [(path: String, replaced: Bool)] = []
        var createdDirs: [URL] = []
        var madeDirs = Set<String>()
        do {
            for path in ordered {
                if path == ChannelPath.latest && failBeforeLatest { throw PublishError("simulated failure before latest.json") }
                let target = channel.appendingPathComponent(path)
                if madeDirs.insert(target.deletingLastPathComponent().path).inserted {
                    createdDirs += try makeParents(of: target, under: channel)
                }
                var replaced = false
                if fm.fileExists(atPath: target.path) {
                    let old = trash.appendingPathComponent(path)
                    try fm.createDirectory(at: old.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try fm.moveItem(at: target, to: old)
                    replaced = true
                }
                do {
                    try FileIO.rename(dir.appendingPathComponent(path).path, to: target.path)
                } catch {
                    if replaced { try? fm.moveItem(at: trash.appendingPathComponent(path), to: target) }
                    throw error
                }
                placed.append((path, replaced))
            }
        } catch {
            for (path, replaced) in placed.reversed() {
                let target = channel.appendingPathComponent(path)
                try? fm.removeItem(at: target)
                if replaced { try? fm.moveItem(at: trash.appendingPathComponent(path), to: target) }
            }
            for d in createdDirs.reversed() { try? fm.removeItem(at: d) }
            try? fm.removeItem(at: trash)
            let reason = (error as? PublishError)?.message ?? error.localizedDescription
            throw PublishError("could not move the new release into \(channel.path): \(reason); the channel was left as it was")
        }
        try? fm.removeItem(at: trash)
        try? FileIO.syncDirectory(channel.path)
    }

    /// Creates missing parent folders of `url` and returns those it created, outermost first.
    private func makeParents(of url: URL, under root: URL) throws -> [URL] {
        var missing: [URL] = []
        var d = url.deletingLastPathComponent()
        while d.path.count > root.path.count, !FileManager.default.fileExists(atPath: d.path) {
            missing.insert(d, at: 0)
            d = d.deletingLastPathComponent()
        }
        for m in missing { try FileManager.default.createDirectory(at: m, withIntermediateDirectories: false) }
        return missing
    }

    func discard() { try? FileManager.default.removeItem(at: dir) }
}

/// The channel's objects as this publish adds to them. Objects of the kept releases are in the
/// channel already (each publish prunes everything else), so only the others are written; a file
/// found under an unknown object's name is compared first, so a damaged one is replaced rather
/// than referenced again.
final class ObjectStore: Sendable {
    let staging: Staging
    /// Objects the kept releases use, by SHA-256 hex.
    let known: Set<String>

    init(staging: Staging, known: Set<String>) {
        self.staging = staging
        self.known = known
    }

    /// Writes an object of the new release unless the channel has it.
    func write(_ ref: ObjectRef, _ data: Data) throws {
        let path = ChannelPath.object(ref.sha256)
        guard !known.contains(ref.sha256), !staging.contains(path) else { return }
        if FileStamp.lstat(staging.channel.appendingPathComponent(path).path) != nil,
           let existing = try? DirectorySource(staging.channel).read(path), existing == data { return }
        try staging.write(path, data)
    }

    /// Adds `data` (a delta) as an object.
    @discardableResult
    func put(_ data: Data) throws -> ObjectRef {
        let ref = ObjectRef(of: data)
        try write(ref, data)
        return ref
    }

    /// An object of an earlier release, read from the channel (or this publish's staging).
    func read(_ sha256: String) -> Data? { staging.read(ChannelPath.object(sha256)) }
}

/// One publish at a time per channel: an advisory lock on a file inside it.
final class ChannelLock {
    private let fd: Int32
    let url: URL

    init(channel: URL) throws {
        url = channel.appendingPathComponent(".lessonc-lock")
        fd = open(url.path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PublishError("cannot create \(url.path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw PublishError("another lessonc publish is writing to \(channel.path)")
        }
    }

    func release() {
        unlink(url.path)
        flock(fd, LOCK_UN)
        close(fd)
    }
}
