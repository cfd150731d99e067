import Foundation
import LessonChannel
import LessonSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Writes into a store for one sync: holds its lock, places objects, switches the pointer and
/// removes what the new release no longer needs. Downloads running at once share it: the folders
/// it has created are the only state they share, behind a mutex.
final class StoreWriter: Sendable {
    let store: DeviceStore
    private let lock: FileLock
    private let placed = Mutex(Placed())

    private struct Placed {
        /// Folders known to exist, so each is created (and flushed at the switch) once.
        var dirs = Set<String>()
        /// Files written so far, to name temporary files uniquely.
        var written = 0
    }

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
        do throws(FileLock.Failure) { lock = try FileLock(path: store.url.appendingPathComponent(".lock").path) } catch {
            switch error {
            case .busy: throw SyncError(.store, "another sync is updating \(store.url.path)")
            case .cannotOpen(let why): throw SyncError(.store, "cannot lock \(store.url.path): \(why)")
            }
        }
    }

    /// Ends the sync's hold on the store (`FileLock`'s rule: the lock file goes with it).
    func unlock() { lock.release() }

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

    /// Places objects that arrived together (one span of a pack), already checked against their
    /// signed hash and size: writes each into `partial/`, flushes them all with one syncfs instead
    /// of an fsync each, then renames each into `objects/`. A crash before the renames leaves
    /// only files in `partial/`, which the next sync removes; after some renames, objects the
    /// state does not name yet, which the next sync hashes before it uses them.
    func placeObjects(_ objects: [(ObjectRef, Data)]) throws {
        guard !objects.isEmpty else { return }
        var written: [(URL, ObjectRef)] = []
        for (ref, data) in objects {
            let n = placed.withLock { p in p.written += 1; return p.written }
            let tmp = store.partialURL.appendingPathComponent("\(ref.sha256).\(n).bulk")
            do { try FileIO.write(data, to: tmp.path) } catch { throw SyncError(.store, "cannot write \(tmp.path): \(error)") }
            written.append((tmp, ref))
        }
        do { try FileIO.syncFileSystem(containing: store.partialURL.path) } catch { throw SyncError(.store, "cannot flush \(store.partialURL.path): \(error)") }
        for (tmp, ref) in written { try place(tmp, at: store.objectURL(ref.sha256), synced: true) }
    }

    /// Stores content rebuilt from a delta under its own hash.
    func placeContent(_ data: Data, sha: String) throws {
        let n = placed.withLock { p in p.written += 1; return p.written }
        let tmp = store.partialURL.appendingPathComponent("\(sha).\(n).content")
        do { try FileIO.write(data, to: tmp.path, sync: true) } catch { throw SyncError(.store, "cannot write \(tmp.path): \(error)") }
        try place(tmp, at: store.contentURL(sha), synced: true)
    }

    /// Renames a file into place, flushed first (unless it already is) so the rename never
    /// exposes a file whose bytes are not on disk.
    private func place(_ file: URL, at target: URL, synced: Bool = false) throws {
        let dir = target.deletingLastPathComponent()
        do {
            if !placed.withLock({ $0.dirs.contains(dir.path) }) { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
            if !synced { try FileIO.syncFile(file.path) }
            try FileIO.rename(file.path, to: target.path)
        } catch {
            throw SyncError(.store, "cannot store \(target.path): \(error)")
        }
        placed.withLock { _ = $0.dirs.insert(dir.path) }
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
            let touched = placed.withLock { $0.dirs }
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
    func collectGarbage(keeping name: String, _ state: StoreState) -> Removed {
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
        return Removed(files: files, bytes: bytes)
    }
}

/// Files a sync removed because the new release does not need them, and their bytes.
struct Removed {
    var files = 0
    var bytes = 0
}
