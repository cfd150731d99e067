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
    func loadCurrent() throws -> CurrentState? {
        guard let raw = FileManager.default.contents(atPath: pointerURL.path) else {
            if FileManager.default.fileExists(atPath: pointerURL.path) { throw StoreError("\(pointerURL.path): cannot be read") }
            return nil
        }
        let name = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard ChannelName.isSafe(name) else { throw StoreError("\(pointerURL.path): does not name a state folder") }
        let path = stateURL(name).appendingPathComponent(Self.stateFile)
        guard let data = FileManager.default.contents(atPath: path.path) else { throw StoreError("\(path.path): missing, but \(Self.pointer) names it") }
        return CurrentState(name: name, state: try StoreState(data: data, path: path.path))
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
        let loaded: CurrentState?
        do { loaded = try loadCurrent() } catch { report.problems.append("\(error)"); return report }
        guard let name = loaded?.name, let state = loaded?.state else { return report }
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
        // Hashing every object is CPU work: done in parallel, reported in order.
        let objects = state.objects.sorted { $0.sha256 < $1.sha256 }
        let store = self
        let problems = Parallel.map(objects) { ref -> String? in
            let file = state.contents[ref.sha256].map { (store.contentURL($0.sha256), $0) } ?? (store.objectURL(ref.sha256), ref)
            do { _ = try Self.readChecked(file.0, file.1) } catch { return "\(error)" }
            return nil
        }
        report.objectsChecked += objects.count
        report.problems += problems.compactMap { $0 }
        return report
    }

    /// The channel's current key list, reached from the first of `trusted` that leads to it.
    static func resolveKeys(_ trusted: [MinisignPublicKey], in source: any ChannelSource) throws -> ResolvedKeys {
        var reasons: [String] = []
        for key in trusted {
            do { return ResolvedKeys(keys: try KeyChain.resolve(trusting: key, in: source), via: key) } catch let e as ChannelFormatError {
                reasons.append(e.message)
            }
        }
        throw untrusted(reasons)
    }

    /// Why none of the trusted keys leads to the channel's key: each one's reason.
    static func untrusted(_ reasons: [String]) -> SyncError {
        SyncError(.untrusted, reasons.count == 1 ? reasons[0] : "no trusted key leads to the channel's key: " + reasons.joined(separator: "; "))
    }
}

/// The state folder `CURRENT` names, and the state it holds.
struct CurrentState: Sendable {
    var name: String
    var state: StoreState
}

/// The channel's current key list, and the trusted key it was reached from.
struct ResolvedKeys {
    var keys: KeysDocument
    var via: MinisignPublicKey
}
