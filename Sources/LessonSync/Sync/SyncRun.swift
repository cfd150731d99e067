import Foundation
import LessonChannel
import LessonSupport

/// One sync, step by step; see `Sync`. Each step is a method, in the order `execute` runs them:
/// here the head of the channel and the switch, in `KeyTrust.swift` the key, in
/// `PartUpdate.swift` the diff or manifest, in `ObjectPlan.swift` and `Downloader.swift` the objects.
struct SyncRun {
    let o: SyncOptions
    let writer: StoreWriter
    /// What the store holds before the sync; nil when it was never synced.
    let current: CurrentState?
    let fetcher: any Fetcher
    let source: SyncSource
    var report = SyncReport()
    var store: DeviceStore { writer.store }
    var old: StoreState? { current?.state }

    init(o: SyncOptions, writer: StoreWriter, current: CurrentState?, fetcher: any Fetcher) {
        self.o = o
        self.writer = writer
        self.current = current
        self.fetcher = fetcher
        source = SyncSource(fetcher, retry: RetryPolicy(retries: max(0, o.retries), pause: o.retryPause))
        report.fromRelease = current?.state.release ?? 0
    }

    func progress(_ phase: SyncProgress.Phase, _ message: String, _ completed: Int = 0, _ total: Int = 0) {
        o.progress?(SyncProgress(phase: phase, message: message, completed: completed, total: total))
    }

    mutating func execute() async throws -> SyncReport {
        progress(.checking, "checking \(fetcher.origin)")
        let kind = try await headKind()
        let trust = try await trustedKey(for: kind)
        let head = try await readHead(kind, key: trust.key)
        try refuseOlderOrStale(head)
        let subscription = o.subscription ?? old?.subscription
            ?? head.pack.map { Subscription(curricula: [$0.curriculum], locales: [$0.locale]) } ?? .everything
        report.subscription = subscription
        report.toRelease = head.release
        if let current, head.release == current.state.release, subscription == current.state.subscription, allPresent(current.state) {
            return try await stayUpToDate(current, head: head, trust: trust)
        }

        let update = try await newParts(head, key: trust.key, subscription: subscription)
        let plan = planObjects(update.parts, deltas: update.deltas)
        if let pack = head.pack { try checkPackHolds(plan, parts: update.parts, pack: pack) }
        let contents = try await download(plan, parts: update.parts, release: head.kind == .latest ? head.release : nil)
        var folder = try await newStateFolder(head, trust: trust, subscription: subscription, parts: update.parts, contents: contents)
        folder.state.buckets = update.buckets
        countLessons(from: old?.parts ?? [:], to: update.parts)
        progress(.switching, "switching the store to release \(head.release)")
        let name = try writer.commit(folder.state, files: folder.files)
        return finish(keeping: name, folder.state, cleaning: head.release)
    }

    /// Counts what the sync cost, and removes what the state it switched to does not need.
    mutating func finish(keeping name: String, _ state: StoreState, cleaning release: Int? = nil) -> SyncReport {
        report.bytesDownloaded = fetcher.bytesDownloaded
        if let release { progress(.cleaning, "removing what release \(release) no longer needs") }
        let removed = writer.collectGarbage(keeping: name, state)
        (report.filesRemoved, report.bytesFreed) = (removed.files, removed.bytes)
        return report
    }

    // MARK: - The head

    /// latest.json for a channel; pack.json only for a pack on this machine.
    func headKind() async throws -> HeadKind {
        if try await source.readWithSignature(ChannelPath.latest) != nil { return .latest }
        if fetcher is LocalFetcher, try await source.read(ChannelPath.pack) != nil { return .pack }
        throw SyncError(.source, "\(fetcher.origin): no latest.json; this is not a lessonc channel (or the URL is wrong)")
    }

    func readHead(_ kind: HeadKind, key: MinisignPublicKey) async throws -> Head {
        let (data, sig): (Data, MinisignSignature)
        do { (data, sig) = try await source.readSigned(kind.path, key: key, release: nil) } catch let e as ChannelFormatError {
            throw SyncError(.integrity, e.message + "; refused")
        }
        let head: Head
        switch kind {
        case .latest:
            let l = try LatestDocument(data: data)
            head = Head(kind: kind, release: l.release, published: l.published, expires: l.expires, manifest: l.manifest, diffsFrom: l.diffsFrom)
        case .pack:
            let p = try PackDocument(data: data)
            head = Head(kind: kind, release: p.release, published: p.published, expires: nil, manifest: p.manifest, diffsFrom: [], pack: p)
        }
        guard sig.trustedComment == ChannelPath.trustedComment(path: kind.path, release: head.release) else {
            throw SyncError(.integrity, "\(kind.path): its signature's trusted comment does not name release \(head.release); refused")
        }
        return head
    }

    /// A release older than the store's (rollback), absurdly far ahead of it, or an expired
    /// latest.json (freeze) is refused.
    func refuseOlderOrStale(_ head: Head) throws {
        if let old, head.release < old.release {
            throw SyncError(.rollback, "\(head.path) offers release \(head.release), older than release \(old.release) in the store; refused (a replayed or rolled-back channel)")
        }
        if let old, head.release - old.release > ChannelLimits.maxReleaseJump {
            throw SyncError(.integrity, "\(head.path) offers release \(head.release), more than \(ChannelLimits.maxReleaseJump) releases after release \(old.release) in the store; refused (a release number signed by mistake would leave the store behind every later release)")
        }
        if let expires = head.expires, expires <= o.now {
            throw SyncError(.expired, "\(head.path) (release \(head.release)) expired at \(Timestamp.rfc3339(expires)); refused, since a stale channel may hide newer releases (the publisher must publish again)")
        }
    }

    // MARK: - The switch

    /// Up to date. A renewed expiry or a key rotation without a new release is recorded, so the
    /// store's latest.json stays the newest the channel signed; a replayed older copy of it is not.
    mutating func stayUpToDate(_ current: CurrentState, head: Head, trust: TrustedKey) async throws -> SyncReport {
        var state = current.state, name = current.name
        if renews(head, generation: trust.generation, state) {
            (state.published, state.expires, state.key, state.keyGeneration, state.trustedVia) = (head.published, head.expires, trust.key, trust.generation, trust.via)
            name = try writer.commit(state, files: try await stateFiles(head, trust.files))
        }
        return finish(keeping: name, state)
    }

    /// Whether `head`, of the release the store holds, should replace the signed head the store
    /// keeps: a later expiry (a renewal) or a newer key (a rotation) does; a replayed older copy,
    /// or a pack (which never expires) in place of a latest.json, does not.
    func renews(_ head: Head, generation: Int, _ state: StoreState) -> Bool {
        if generation > state.keyGeneration { return true }
        guard let expires = head.expires else { return false }
        return expires > (state.expires ?? Int.min)
    }

    /// What a state folder keeps besides store.json: the signed head and the key lists that
    /// prove its key, so `DeviceStore.check` can verify it again.
    func stateFiles(_ head: Head, _ keyFiles: [String: Data]) async throws -> [String: Data] {
        var files = keyFiles
        for path in [head.path, ChannelPath.signature(head.path)] { files[path] = try await source.read(path) }
        return files
    }

    /// The state folder of the new release (or of the same release, subscribed to differently).
    func newStateFolder(_ head: Head, trust: TrustedKey, subscription: Subscription, parts: [String: [String: StorePart]],
                        contents: [String: ObjectRef]) async throws -> StateFolder {
        let needed = Set(parts.values.flatMap { $0.values.flatMap { $0.objects.map(\.sha256) } })
        var state = StoreState(release: head.release, published: head.published, expires: head.expires, key: trust.key,
                               keyGeneration: trust.generation, trustedVia: trust.via, subscription: subscription, parts: parts,
                               contents: contents.filter { needed.contains($0.key) })
        var files = try await stateFiles(head, trust.files)
        if let current, current.state.release == head.release, !renews(head, generation: trust.generation, current.state) {
            // Same release, new subscription: keep the newer signed head the store already has.
            let dir = DirectorySource(store.stateURL(current.name))
            let kept: HeadKind = (try? dir.read(ChannelPath.latest)) != nil ? .latest : .pack
            files[head.path] = nil
            files[ChannelPath.signature(head.path)] = nil
            for path in [kept.path, ChannelPath.signature(kept.path)] { files[path] = try dir.read(path) }
            (state.published, state.expires) = (current.state.published, current.state.expires)
        }
        return StateFolder(state: state, files: files)
    }

    mutating func countLessons(from old: [String: [String: StorePart]], to new: [String: [String: StorePart]]) {
        func flat(_ p: [String: [String: StorePart]]) -> [String: String] {
            var out: [String: String] = [:]
            for (c, locales) in p { for (l, part) in locales { for (id, ref) in part.lessons { out["\(c)/\(l)/\(id)"] = ref.sha256 } } }
            return out
        }
        let a = flat(old), b = flat(new)
        report.lessonsAdded = b.keys.filter { a[$0] == nil }.sorted()
        report.lessonsRemoved = a.keys.filter { b[$0] == nil }.sorted()
        report.lessonsChanged = b.keys.filter { a[$0] != nil && a[$0] != b[$0] }.sorted()
    }
}

/// The signed file a sync starts from: latest.json from a channel, pack.json from a pack.
enum HeadKind: Sendable {
    case latest, pack
    var path: String { self == .latest ? ChannelPath.latest : ChannelPath.pack }
}

/// The newest release a source offers: from latest.json, or from pack.json (no expiry, no diffs).
struct Head {
    var kind: HeadKind
    var release: Int
    var published: Int
    var expires: Int?
    var manifest: ObjectRef
    var diffsFrom: [Int]
    var pack: PackDocument?
    var path: String { kind.path }
}

/// What a state folder holds: store.json's state, and the signed files kept beside it.
struct StateFolder {
    var state: StoreState
    var files: [String: Data]
}
