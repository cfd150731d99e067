import Foundation
import LessonChannel
import LessonSupport
#if canImport(Glibc)
import Glibc
#endif

/// A device store on disk: the folder `lessonc sync --into` fills and an app reads.
///
///     CURRENT                   one line: the state folder of the current release (renamed into place)
///     states/<N>-<id>/          store.json (what the store holds), the signed latest.json (or
///                               pack.json) and key lists it was verified with
///     objects/<hh>/<sha256>     objects as downloaded (gzip), named by their hash
///     contents/<hh>/<sha256>    lessons rebuilt from a delta, uncompressed, named by their hash
///     partial/                  downloads in progress, kept for the next sync to resume
///
/// A state folder is written completely and flushed before `CURRENT` is renamed to name it, and
/// every object it refers to is in place before that, so a reader that follows `CURRENT` sees a
/// whole release, whatever happened to the process, the disk or the network.
public struct DeviceStore: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url.standardizedFileURL }

    static let pointer = "CURRENT"
    static let stateFile = "store.json"
    /// Largest lesson or asset the store will decompress.
    static let maxContentBytes = ChannelLimits.maxObjectBytes

    var pointerURL: URL { url.appendingPathComponent(Self.pointer) }
    var statesURL: URL { url.appendingPathComponent("states") }
    var partialURL: URL { url.appendingPathComponent("partial") }
    func stateURL(_ name: String) -> URL { statesURL.appendingPathComponent(name) }
    func objectURL(_ sha: String) -> URL { url.appendingPathComponent("objects/\(sha.prefix(2))/\(sha)") }
    func contentURL(_ sha: String) -> URL { url.appendingPathComponent("contents/\(sha.prefix(2))/\(sha)") }
    func partURL(_ sha: String) -> URL { partialURL.appendingPathComponent("\(sha).part") }

    /// The state folder `CURRENT` names, and what it holds; nil when the store was never synced.
    func loadCurrent() throws -> (name: String, state: StoreState)? {
        guard let raw = FileManager.default.contents(atPath: pointerURL.path) else {
            if FileManager.default.fileExists(atPath: pointerURL.path) { throw StoreError("\(pointerURL.path): cannot be read") }
            return nil
        }
        let name = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard ChannelName.isSafe(name) else { throw StoreError("\(pointerURL.path): does not name a state folder") }
        let path = stateURL(name).appendingPathComponent(Self.stateFile)
        guard let data = FileManager.default.contents(atPath: path.path) else { throw StoreError("\(path.path): missing, but \(Self.pointer) names it") }
        return (name, try StoreState(data: data, path: path.path))
    }

    /// The release the store holds now, for reading; nil when it was never synced.
    public func current() throws -> StoreRelease? {
        try loadCurrent().map { StoreRelease(store: self, stateName: $0.name, state: $0.state) }
    }

    // MARK: - Objects

    /// An object's content, uncompressed, checked against its hash and size first.
    func content(of ref: ObjectRef, in state: StoreState) throws -> Data {
        if let c = state.contents[ref.sha256] {
            return try Self.readChecked(contentURL(c.sha256), c)
        }
        let gz = try Self.readChecked(objectURL(ref.sha256), ref)
        do { return try Gzip.decompress(gz, maxSize: Self.maxContentBytes) } catch {
            throw StoreError("\(objectURL(ref.sha256).path): \(error)")
        }
    }

    static func readChecked(_ url: URL, _ ref: ObjectRef) throws -> Data {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw StoreError("\(url.path): missing (the store may have moved to a newer release; open it again)")
        }
        guard data.count == ref.size, Sodium.sha256(data).hex == ref.sha256 else {
            throw StoreError("\(url.path): damaged (its hash or size is wrong); run sync again to repair it")
        }
        return data
    }

    static func fileSize(_ url: URL) -> Int? {
        var st = stat()
        guard stat(url.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    // MARK: - Check

    public struct CheckReport: Sendable {
        /// The release the store holds; nil when it was never synced.
        public var release: Int?
        /// One line per problem; empty when the store is whole.
        public var problems: [String] = []
        public var objectsChecked = 0
        public var isValid: Bool { problems.isEmpty }
    }

    /// Checks that the store is one whole release: `CURRENT` names a readable state, every object
    /// it refers to is present with the right hash and size, and (when `keys` are given) its
    /// latest.json or pack.json carries a valid signature reached from one of them.
    public func check(trusting keys: [MinisignPublicKey] = []) -> CheckReport {
        var report = CheckReport()
        let loaded: (name: String, state: StoreState)?
        do { loaded = try loadCurrent() } catch { report.problems.append("\(error)"); return report }
        guard let (name, state) = loaded else { return report }
        report.release = state.release
        let dir = stateURL(name)
        let source = DirectorySource(dir)
        let head = (try? source.read(ChannelPath.latest)) != nil ? ChannelPath.latest : ChannelPath.pack
        if !keys.isEmpty {
            do {
                let resolved = try Self.resolveKeys(keys, in: source)
                let (data, sig) = try source.readSigned(head, key: resolved.keys.key, release: state.release)
                let release = head == ChannelPath.latest ? try LatestDocument(data: data).release : try PackDocument(data: data).release
                if release != state.release || sig.trustedComment != ChannelPath.trustedComment(path: head, release: state.release) {
                    report.problems.append("\(dir.path)/\(head): names release \(release), not \(state.release)")
                }
            } catch {
                report.problems.append("\(dir.path): \(error)")
            }
        }
        for ref in state.objects.sorted(by: { $0.sha256 < $1.sha256 }) {
            report.objectsChecked += 1
            let file = state.contents[ref.sha256].map { (contentURL($0.sha256), $0) } ?? (objectURL(ref.sha256), ref)
            do { _ = try Self.readChecked(file.0, file.1) } catch { report.problems.append("\(error)") }
        }
        return report
    }

    /// The channel's current key list, reached from the first of `trusted` that leads to it.
    static func resolveKeys(_ trusted: [MinisignPublicKey], in source: ChannelSource) throws -> (keys: KeysDocument, via: MinisignPublicKey) {
        var reasons: [String] = []
        for key in trusted {
            do { return (try KeyChain.resolve(trusting: key, in: source), key) } catch let e as ChannelFormatError {
                reasons.append(e.message)
            }
        }
        throw SyncError(.untrusted, reasons.count == 1 ? reasons[0] : "no trusted key leads to the channel's key: " + reasons.joined(separator: "; "))
    }
}

/// Writes into a store for one sync: holds its lock, places objects, switches the pointer and
/// removes what the new release no longer needs.
final class StoreWriter {
    let store: DeviceStore
    private let lockFD: Int32
    private var touchedDirs = Set<String>()
    private var written = 0
    private let lock = NSLock()

    init(_ store: DeviceStore) throws {
        self.store = store
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: store.url.path, isDirectory: &isDir), !isDir.boolValue {
            throw SyncError(.store, "\(store.url.path) is a file, not a store folder")
        }
        do {
            for dir in [store.url, store.statesURL, store.partialURL] { try fm.createDirectory(at: dir, withIntermediateDirectories: true) }
        } catch {
            throw SyncError(.store, "cannot create the store \(store.url.path): \(error.localizedDescription)")
        }
        lockFD = open(store.url.appendingPathComponent(".lock").path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw SyncError(.store, "cannot lock \(store.url.path): \(String(cString: strerror(errno)))") }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(lockFD)
            throw SyncError(.store, "another sync is updating \(store.url.path)")
        }
    }

    /// The lock file stays: removing it could let two syncs lock different files.
    func unlock() {
        flock(lockFD, LOCK_UN)
        Glibc.close(lockFD)
    }

    /// State folders of syncs that were interrupted before or after their switch.
    func removeStaleStates(keeping current: String?) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: store.statesURL.path)) ?? [] where name != current {
            try? fm.removeItem(at: store.stateURL(name))
        }
    }

    /// A download's bytes when it has exactly the size and hash expected, else nil. With `sync`,
    /// flushed to disk too (one open for both: opens are what costs on a phone's file system).
    func readVerified(_ file: URL, _ ref: ObjectRef, sync: Bool) throws -> Data? {
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, Int(st.st_size) == ref.size else { return nil }
        var data = Data(count: ref.size)
        let complete = data.withUnsafeMutableBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = read(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        guard complete, Sodium.sha256(data).hex == ref.sha256 else { return nil }
        if sync && fsync(fd) != 0 { throw SyncError(.store, "cannot flush \(file.path): \(String(cString: strerror(errno)))") }
        return data
    }

    /// Moves a verified, flushed download into `objects/`.
    func placeObject(_ part: URL, sha: String) throws {
        try place(part, at: store.objectURL(sha), synced: true)
    }

    /// Stores content rebuilt from a delta under its own hash.
    func placeContent(_ data: Data, sha: String) throws {
        lock.lock(); written += 1; let n = written; lock.unlock()
        let tmp = store.partialURL.appendingPathComponent("\(sha).\(n).content")
        do { try FileIO.write(data, to: tmp.path, sync: true) } catch { throw SyncError(.store, "cannot write \(tmp.path): \(error)") }
        try place(tmp, at: store.contentURL(sha), synced: true)
    }

    /// Renames a file into place, flushed first (unless it already is) so the rename never
    /// exposes a file whose bytes are not on disk.
    private func place(_ file: URL, at target: URL, synced: Bool = false) throws {
        let dir = target.deletingLastPathComponent()
        do {
            lock.lock()
            let known = touchedDirs.contains(dir.path)
            lock.unlock()
            if !known { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
            if !synced { try FileIO.syncFile(file.path) }
            try FileIO.rename(file.path, to: target.path)
        } catch {
            throw SyncError(.store, "cannot store \(target.path): \(error)")
        }
        lock.lock(); touchedDirs.insert(dir.path); lock.unlock()
    }

    /// Writes the new state folder, flushes it and everything placed before it, then renames
    /// `CURRENT` to name it: the one step that switches the store to the new release.
    func commit(_ state: StoreState, files: [String: Data]) throws -> String {
        let fm = FileManager.default
        let id = UUID().uuidString.lowercased().prefix(8)
        let tmp = store.statesURL.appendingPathComponent(".tmp-\(id)")
        let name = "\(state.release)-\(id)"
        do {
            var dirs = Set([tmp.path])
            var all = files
            all[DeviceStore.stateFile] = state.json.data(pretty: true)
            for (path, data) in all {
                precondition(ZipReader.isSafeName(path))
                let file = tmp.appendingPathComponent(path)
                try fm.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                dirs.insert(file.deletingLastPathComponent().path)
                try FileIO.write(data, to: file.path, sync: true)
            }
            lock.lock(); let touched = touchedDirs; lock.unlock()
            for dir in touched.union(dirs).sorted(by: >) { try FileIO.syncDirectory(dir) }
            for dir in Set(touched.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }) { try FileIO.syncDirectory(dir) }
            try FileIO.rename(tmp.path, to: store.stateURL(name).path)
            try FileIO.syncDirectory(store.statesURL.path)
            let pointerTmp = store.url.appendingPathComponent(DeviceStore.pointer + ".tmp")
            try FileIO.write(Data((name + "\n").utf8), to: pointerTmp.path, sync: true)
            try FileIO.rename(pointerTmp.path, to: store.pointerURL.path)
            try FileIO.syncDirectory(store.url.path)
        } catch {
            try? fm.removeItem(at: tmp)
            throw SyncError(.store, "cannot switch \(store.url.path) to release \(state.release): \(error); it still holds its previous release")
        }
        return name
    }

    /// Removes state folders, objects, contents and partial downloads the current state does
    /// not need. Returns the number of files removed and their bytes.
    @discardableResult
    func collectGarbage(keeping name: String, _ state: StoreState) -> (files: Int, bytes: Int) {
        let fm = FileManager.default
        removeStaleStates(keeping: name)
        let objects = Set(state.objects.filter { state.contents[$0.sha256] == nil }.map(\.sha256))
        let contents = Set(state.contents.values.map(\.sha256))
        var files = 0, bytes = 0
        func sweep(_ folder: String, keep: Set<String>) {
            let base = store.url.appendingPathComponent(folder)
            for dir in (try? fm.contentsOfDirectory(atPath: base.path)) ?? [] {
                let d = base.appendingPathComponent(dir)
                for file in (try? fm.contentsOfDirectory(atPath: d.path)) ?? [] where !keep.contains(file) {
                    let f = d.appendingPathComponent(file)
                    let size = DeviceStore.fileSize(f) ?? 0
                    if unlink(f.path) == 0 { files += 1; bytes += size }
                }
                rmdir(d.path)
            }
        }
        sweep("objects", keep: objects)
        sweep("contents", keep: contents)
        for file in (try? fm.contentsOfDirectory(atPath: store.partialURL.path)) ?? [] {
            unlink(store.partialURL.appendingPathComponent(file).path)
        }
        return (files, bytes)
    }
}
