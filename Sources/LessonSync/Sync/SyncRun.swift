import Foundation
import LessonChannel
import LessonSupport

public struct SyncOptions {
    /// An `http(s)://` channel URL, a `file://` URL or path of a channel folder, or an offline
    /// pack `.zip`.
    public var source: String
    public var store: URL
    /// Public keys the app trusts; the channel's key must be one of them or be reached from one
    /// through the signed key chain.
    public var trustedKeys: [MinisignPublicKey]
    /// nil: the subscription stored in the store, or everything on a first sync (a pack's own
    /// curriculum and locale when syncing from a pack).
    public var subscription: Subscription?
    /// Seconds since 1970, for the expiry check.
    public var now = Int(Date().timeIntervalSince1970)
    /// Seconds without a byte before a transfer counts as stalled.
    public var timeout: TimeInterval = 30
    /// Seconds the whole sync may take over the network. When they run out the sync stops,
    /// keeps what it downloaded, and the next sync resumes; a host dripping bytes slowly enough
    /// never to stall cannot hold the store's lock longer than this.
    public var deadline: TimeInterval = 900
    /// Further attempts after a failure that may pass (reset, stall, 5xx, a damaged body).
    public var retries = 2
    public var retryPause: TimeInterval = 0.25
    /// Downloads in flight at once.
    public var concurrency = 4
    public var progress: ((SyncProgress) -> Void)?

    public init(source: String, store: URL, trustedKeys: [MinisignPublicKey], subscription: Subscription? = nil) {
        self.source = source
        self.store = store
        self.trustedKeys = trustedKeys
        self.subscription = subscription
    }
}

/// The update protocol (TUF's client workflow, on the channel format of DESIGN.md):
///
/// 1. fetch latest.json (or pack.json) and its signature; check it with the key the store
///    already trusts, or follow keys.json from a trusted key through the signed chain;
/// 2. refuse a release older than the store's (rollback) and an expired latest.json (freeze);
/// 3. fetch the diff from the store's release, or the manifest when there is none or the
///    subscription changed, and check its signature (and the manifest's hash);
/// 4. work out the new parts (curriculum × locale) the subscription holds, checking each part's
///    hash against the diff, so objects of two releases can never mix;
/// 5. download only the objects the store lacks (or rebuild them from deltas), each capped at its
///    signed size and checked against its hash, into `partial/` and then `objects/`;
/// 6. write the new state folder, flush it, rename `CURRENT` to it, and remove what is unused.
///
/// Completed objects and partial downloads survive an interruption, so the next sync resumes.
public enum Sync {
    public static func run(_ options: SyncOptions) throws -> SyncReport {
        guard !options.trustedKeys.isEmpty else { throw SyncError(.untrusted, "no trusted public key was given") }
        let writer = try StoreWriter(DeviceStore(options.store))
        defer { writer.unlock() }
        let current: (name: String, state: StoreState)?
        do { current = try writer.store.loadCurrent() } catch {
            throw SyncError(.store, "the store cannot be read: \(error); move it aside and sync into an empty folder")
        }
        writer.removeStaleStates(keeping: current?.name)
        let fetcher = try makeFetcher(options.source, timeout: options.timeout, deadline: SyncDeadline(seconds: options.deadline))
        defer { fetcher.close() }
        var run = SyncRun(o: options, writer: writer, current: current, fetcher: fetcher)
        do {
            return try run.execute()
        } catch let e as ChannelFormatError {
            throw SyncError(.integrity, e.message + "; refused")
        } catch let e as StoreError {
            throw SyncError(.store, e.message)
        }
    }

    static func makeFetcher(_ source: String, timeout: TimeInterval, deadline: SyncDeadline) throws -> Fetcher {
        let lower = source.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let url = URL(string: source) else { throw SyncError(.source, "\(source): not a valid URL") }
            return try HTTPFetcher(base: url, timeout: timeout, deadline: deadline)
        }
        var path = source
        if lower.hasPrefix("file://") {
            guard let url = URL(string: source), url.isFileURL, url.query == nil else { throw SyncError(.source, "\(source): not a valid file URL") }
            path = url.path
        } else if let scheme = source.range(of: "://") {
            throw SyncError(.source, "\(source): unsupported scheme '\(source[..<scheme.lowerBound])'; use http://, https://, file:// or a path")
        }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else { throw SyncError(.source, "\(path) does not exist") }
        if isDir.boolValue { return LocalFetcher.directory(url) }
        do { return LocalFetcher.zip(try ZipReader(contentsOf: url), origin: path) } catch {
            throw SyncError(.source, "\(path): not a channel folder or an offline pack (\(error))")
        }
    }
}

/// The newest release a source offers: from latest.json, or from pack.json (no expiry, no diffs).
struct Head {
    var path: String
    var release: Int
    var published: Int
    var expires: Int?
    var manifest: ObjectRef
    var diffsFrom: [Int]
    var pack: PackDocument?
}

/// One sync, step by step; see `Sync`.
struct SyncRun {
    let o: SyncOptions
    let writer: StoreWriter
    let current: (name: String, state: StoreState)?
    let fetcher: Fetcher
    let source: FetcherSource
    var report = SyncReport()
    var store: DeviceStore { writer.store }
    var retry: RetryPolicy { source.retry }

    init(o: SyncOptions, writer: StoreWriter, current: (name: String, state: StoreState)?, fetcher: Fetcher) {
        self.o = o
        self.writer = writer
        self.current = current
        self.fetcher = fetcher
        source = FetcherSource(fetcher, retry: RetryPolicy(retries: max(0, o.retries), pause: o.retryPause))
        report.fromRelease = current?.state.release ?? 0
    }

    func progress(_ phase: SyncProgress.Phase, _ message: String, _ completed: Int = 0, _ total: Int = 0) {
        o.progress?(SyncProgress(phase: phase, message: message, completed: completed, total: total))
    }

    mutating func execute() throws -> SyncReport {
        progress(.checking, "checking \(fetcher.origin)")
        let headPath: String
        if try source.read(ChannelPath.latest) != nil {
            headPath = ChannelPath.latest
        } else if fetcher is LocalFetcher, try source.read(ChannelPath.pack) != nil {
            headPath = ChannelPath.pack
        } else {
            throw SyncError(.source, "\(fetcher.origin): no latest.json; this is not a lessonc channel (or the URL is wrong)")
        }
        let (key, generation, via, keyFiles) = try trustedKey(for: headPath)
        let head = try readHead(headPath, key: key)
        let old = current?.state
        if let old, head.release < old.release {
            throw SyncError(.rollback, "\(headPath) offers release \(head.release), older than release \(old.release) in the store; refused (a replayed or rolled-back channel)")
        }
        if let old, head.release - old.release > ChannelLimits.maxReleaseJump {
            throw SyncError(.integrity, "\(headPath) offers release \(head.release), more than \(ChannelLimits.maxReleaseJump) releases after release \(old.release) in the store; refused (a release number signed by mistake would leave the store behind every later release)")
        }
        if let expires = head.expires, expires <= o.now {
            throw SyncError(.expired, "\(headPath) (release \(head.release)) expired at \(Timestamp.rfc3339(expires)); refused, since a stale channel may hide newer releases (the publisher must publish again)")
        }
        let subscription = o.subscription ?? old?.subscription
            ?? head.pack.map { Subscription(curricula: [$0.curriculum], locales: [$0.locale]) } ?? .everything
        report.subscription = subscription
        report.toRelease = head.release

        if var state = old, var name = current?.name, head.release == old?.release, subscription == state.subscription, allPresent(state) {
            // Up to date. A renewed expiry or a key rotation without a new release is recorded,
            // so the store's latest.json stays the newest the channel signed; a replayed older
            // copy of it is not.
            if renews(head, generation: generation, state) {
                (state.published, state.expires, state.key, state.keyGeneration, state.trustedVia) = (head.published, head.expires, key, generation, via)
                name = try writer.commit(state, files: try stateFiles(head, keyFiles))
            }
            report.bytesDownloaded = fetcher.bytesDownloaded
            let removed = writer.collectGarbage(keeping: name, state)
            (report.filesRemoved, report.bytesFreed) = (removed.files, removed.bytes)
            return report
        }

        // What the new release holds for this subscription, and the deltas that can rebuild it.
        var parts: [String: [String: StorePart]]
        var deltas: [String: (delta: DeltaRef, base: ObjectRef)] = [:]
        if let old, head.pack == nil, subscription == old.subscription, head.release > old.release, head.diffsFrom.contains(old.release),
           let diff = try fetchDiff(from: old.release, head: head, key: key) {
            report.method = "diff"
            (parts, deltas) = try apply(diff, to: old.parts, subscription: subscription)
        } else {
            report.method = "manifest"
            parts = try select(try fetchManifest(head, key: key), subscription: subscription, release: head.release)
        }

        let plan = planObjects(parts, deltas: deltas)
        if let pack = head.pack { try checkPackHolds(plan, parts: parts, pack: pack) }
        var contents = plan.contents
        try download(plan, contents: &contents)

        let needed = Set(parts.values.flatMap { $0.values.flatMap { $0.objects.map(\.sha256) } })
        var state = StoreState(release: head.release, published: head.published, expires: head.expires, key: key,
                               keyGeneration: generation, trustedVia: via, subscription: subscription, parts: parts,
                               contents: contents.filter { needed.contains($0.key) })
        var files = try stateFiles(head, keyFiles)
        if let old, let oldName = current?.name, old.release == head.release, !renews(head, generation: generation, old) {
            // Same release, new subscription: keep the newer signed head the store already has.
            let dir = DirectorySource(store.stateURL(oldName))
            let oldHead = (try? dir.read(ChannelPath.latest)) != nil ? ChannelPath.latest : ChannelPath.pack
            files[head.path] = nil
            files[ChannelPath.signature(head.path)] = nil
            for path in [oldHead, ChannelPath.signature(oldHead)] { files[path] = try dir.read(path) }
            (state.published, state.expires) = (old.published, old.expires)
        }
        countLessons(from: old?.parts ?? [:], to: parts)
        progress(.switching, "switching the store to release \(head.release)")
        let name = try writer.commit(state, files: files)
        report.bytesDownloaded = fetcher.bytesDownloaded
        progress(.cleaning, "removing what release \(head.release) no longer needs")
        let removed = writer.collectGarbage(keeping: name, state)
        (report.filesRemoved, report.bytesFreed) = (removed.files, removed.bytes)
        return report
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
    func stateFiles(_ head: Head, _ keyFiles: [String: Data]) throws -> [String: Data] {
        var files = keyFiles
        for path in [head.path, ChannelPath.signature(head.path)] { files[path] = try source.read(path) }
        return files
    }

    // MARK: - Keys and the head

    /// The key that signs the channel now. The key the store reached last time is tried first, so
    /// an unchanged channel costs no key list download; otherwise keys.json is fetched and
    /// followed from a trusted key through the signed chain.
    func trustedKey(for headPath: String) throws -> (MinisignPublicKey, Int, [String], [String: Data]) {
        let trustedIDs = Set(o.trustedKeys.map(\.keyIDString))
        if let (name, old) = current, old.trustedVia.contains(where: trustedIDs.contains) || trustedIDs.contains(old.key.keyIDString),
           (try? source.readSigned(headPath, key: old.key, release: nil)) != nil {
            let dir = DirectorySource(store.stateURL(name))
            var files: [String: Data] = [:]
            for path in try dir.list(under: "keys") + [ChannelPath.keys, ChannelPath.signature(ChannelPath.keys), ChannelPath.previousKeySignature(ChannelPath.keys)] {
                if let data = try dir.read(path) { files[path] = data }
            }
            return (old.key, old.keyGeneration, old.trustedVia, files)
        }
        let (keys, via) = try DeviceStore.resolveKeys(o.trustedKeys, in: source)
        if let old = current?.state, keys.generation < old.keyGeneration {
            throw SyncError(.rollback, "keys.json is generation \(keys.generation), older than generation \(old.keyGeneration) this store has seen; refused (a rolled-back key list)")
        }
        return (keys.key, keys.generation, [via.keyIDString], source.fetched([ChannelPath.keys, "keys/"]))
    }

    func readHead(_ path: String, key: MinisignPublicKey) throws -> Head {
        let (data, sig): (Data, MinisignSignature)
        do { (data, sig) = try source.readSigned(path, key: key, release: nil) } catch let e as ChannelFormatError {
            throw SyncError(.integrity, e.message + "; refused")
        }
        let head: Head
        if path == ChannelPath.latest {
            let l = try LatestDocument(data: data)
            head = Head(path: path, release: l.release, published: l.published, expires: l.expires, manifest: l.manifest, diffsFrom: l.diffsFrom)
        } else {
            let p = try PackDocument(data: data)
            head = Head(path: path, release: p.release, published: p.published, expires: nil, manifest: p.manifest, diffsFrom: [], pack: p)
        }
        let expected = ChannelPath.trustedComment(path: path, release: head.release)
        guard sig.trustedComment == expected else {
            throw SyncError(.integrity, "\(path): its signature's trusted comment does not name release \(head.release); refused")
        }
        return head
    }

    // MARK: - Diff or manifest

    /// The signed diff from the store's release, or nil (fetch the manifest instead) when the
    /// channel does not have it or it is larger than a diff can reasonably be.
    mutating func fetchDiff(from m: Int, head: Head, key: MinisignPublicKey) throws -> DiffDocument? {
        let path = ChannelPath.diff(from: m, to: head.release)
        // No overflow: a signed size is below ChannelLimits.sizeBound.
        source.limits[path] = min(2 * head.manifest.size + (64 << 10), ChannelLimits.maxDocumentBytes)
        do {
            guard try source.read(path) != nil else {
                report.notes.append("\(path) is missing; used the manifest instead")
                return nil
            }
        } catch let e as SyncError where e.kind == .integrity || e.kind == .source {
            report.notes.append("\(e.message); used the manifest instead")
            return nil
        }
        let (data, _) = try source.readSigned(path, key: key, release: head.release)
        let diff = try DiffDocument(data: data, path: path)
        guard diff.from == m, diff.to == head.release else {
            throw SyncError(.integrity, "\(path): says it goes from release \(diff.from) to \(diff.to); refused")
        }
        return diff
    }

    func fetchManifest(_ head: Head, key: MinisignPublicKey) throws -> Manifest {
        let path = ChannelPath.manifest(head.release)
        source.limits[path] = head.manifest.size
        guard let data = try source.read(path) else { throw SyncError(.source, "\(path): missing, but \(head.path) names it") }
        guard ObjectRef(of: data) == head.manifest else {
            throw SyncError(.integrity, "\(path): does not match the sha256 and size in \(head.path); refused")
        }
        _ = try source.readSigned(path, key: key, release: head.release)
        let manifest = try Manifest(data: data, path: path)
        guard manifest.release == head.release else { throw SyncError(.integrity, "\(path): says it is release \(manifest.release); refused") }
        return manifest
    }

    /// The parts of a full manifest the subscription asks for. A curriculum or locale the user
    /// names but the channel lacks is an error, unless the store held it (then it was removed).
    func select(_ manifest: Manifest, subscription: Subscription, release: Int) throws -> [String: [String: StorePart]] {
        let held = current?.state.parts ?? [:]
        var parts: [String: [String: StorePart]] = [:]
        for (c, cur) in manifest.curricula where subscription.curricula?.contains(c) ?? true {
            for l in cur.locales.keys where subscription.locales?.contains(l) ?? true {
                parts[c, default: [:]][l] = StorePart(cur, locale: l)
            }
        }
        for c in subscription.curricula ?? [] where manifest.curricula[c] == nil && held[c] == nil {
            throw SyncError(.source, "curriculum '\(c)' is not in release \(release) of the channel; it has \(manifest.curricula.keys.sorted().joined(separator: ", "))")
        }
        let offered = Set(manifest.curricula.filter { subscription.curricula?.contains($0.key) ?? true }.values.flatMap(\.locales.keys))
        let heldLocales = Set(held.values.flatMap(\.keys))
        for l in subscription.locales ?? [] where !offered.contains(l) && !heldLocales.contains(l) {
            throw SyncError(.source, "no subscribed curriculum is available in locale '\(l)' in release \(release); available: \(offered.sorted().joined(separator: ", "))")
        }
        return parts
    }

    /// Applies a diff's entries to the parts the store holds. Each resulting part must hash to
    /// what the signed diff says, so a diff applied to the wrong base, or objects of two releases
    /// mixed, is refused.
    func apply(_ diff: DiffDocument, to old: [String: [String: StorePart]], subscription: Subscription) throws
        -> ([String: [String: StorePart]], [String: (delta: DeltaRef, base: ObjectRef)]) {
        let path = ChannelPath.diff(from: diff.from, to: diff.to)
        var parts = old
        var deltas: [String: (delta: DeltaRef, base: ObjectRef)] = [:]
        var changes: [String: [String: [DiffChange]]] = [:]
        for change in diff.changes where subscription.includes(curriculum: change.key.curriculum, locale: change.key.locale) {
            changes[change.key.curriculum, default: [:]][change.key.locale, default: []].append(change)
        }
        func refuse(_ c: String, _ l: String, _ why: String) -> SyncError {
            SyncError(.integrity, "\(path) does not apply to release \(diff.from) in the store for \(c) in \(l): \(why); refused")
        }
        for (c, locales) in changes {
            for l in locales.keys where diff.parts[c]?[l] == nil {
                throw refuse(c, l, "the diff changes it but gives no part hash")
            }
        }
        for (c, locales) in diff.parts {
            for (l, hash) in locales where subscription.includes(curriculum: c, locale: l) {
                let before = old[c]?[l]
                var index = before?.index
                var assets = before?.assets ?? [:]
                var lessons = before?.lessons ?? [:]
                for change in changes[c]?[l] ?? [] {
                    let id = change.key.id
                    let previous: ObjectRef?
                    switch change.key.kind {
                    case .index: previous = index
                    case .asset: previous = assets[id]
                    case .lesson: previous = lessons[id]
                    }
                    switch (change.change, previous) {
                    case (.added, nil), (.changed, _?), (.removed, _?): break
                    default: throw refuse(c, l, "\(change.key.kind.rawValue) \(id) is \(change.change.rawValue), but the store \(previous == nil ? "does not have it" : "already has it")")
                    }
                    let next = change.change == .removed ? nil : change.object
                    switch change.key.kind {
                    case .index: index = next
                    case .asset: assets[id] = next
                    case .lesson: lessons[id] = next
                    }
                    if let delta = change.delta, let next, let previous, delta.base == previous.sha256 {
                        deltas[next.sha256] = (delta, previous)
                    }
                }
                guard let expected = hash else {
                    guard index == nil, assets.isEmpty, lessons.isEmpty else { throw refuse(c, l, "it is removed, but entries remain") }
                    parts[c]?[l] = nil
                    if parts[c]?.isEmpty == true { parts[c] = nil }
                    continue
                }
                guard let index else { throw refuse(c, l, "it has no index") }
                let part = StorePart(index: index, assets: assets, lessons: lessons)
                guard part.hash == expected else { throw refuse(c, l, "the result does not match the signed part hash") }
                parts[c, default: [:]][l] = part
            }
        }
        return (parts, deltas)
    }

    // MARK: - Objects

    struct Plan {
        /// Objects to download, and objects to rebuild from a delta.
        var fetch: [ObjectRef] = []
        var patch: [(target: ObjectRef, delta: DeltaRef, base: ObjectRef)] = []
        /// Objects already held uncompressed.
        var contents: [String: ObjectRef] = [:]
    }

    /// True when every object the state refers to is in the store (sizes only: it is the
    /// state the store switched to, whose objects were checked when they arrived).
    func allPresent(_ state: StoreState) -> Bool {
        state.objects.allSatisfy { ref in
            if let c = state.contents[ref.sha256] { return DeviceStore.fileSize(store.contentURL(c.sha256)) == c.size }
            return DeviceStore.fileSize(store.objectURL(ref.sha256)) == ref.size
        }
    }

    /// What the store lacks. Objects of the current release are trusted by size; any other file
    /// found (left by an interrupted sync) is hashed before it is used.
    func planObjects(_ parts: [String: [String: StorePart]], deltas: [String: (delta: DeltaRef, base: ObjectRef)]) -> Plan {
        var plan = Plan()
        let old = current?.state
        let held = Set(old?.objects.map(\.sha256) ?? [])
        let needed = Set(parts.values.flatMap { $0.values.flatMap(\.objects) })
        func holds(_ url: URL, _ ref: ObjectRef, trusted: Bool) -> Bool {
            guard DeviceStore.fileSize(url) == ref.size else { return false }
            return trusted || (try? DeviceStore.readChecked(url, ref)) != nil
        }
        for ref in needed.sorted(by: { $0.sha256 < $1.sha256 }) {
            if let c = old?.contents[ref.sha256], holds(store.contentURL(c.sha256), c, trusted: true) { plan.contents[ref.sha256] = c; continue }
            if holds(store.objectURL(ref.sha256), ref, trusted: held.contains(ref.sha256)) { continue }
            if let (delta, base) = deltas[ref.sha256] {
                let content = ObjectRef(sha256: delta.contentSHA256, size: delta.contentSize)
                if holds(store.contentURL(content.sha256), content, trusted: false) { plan.contents[ref.sha256] = content; continue }
                if held.contains(base.sha256) { plan.patch.append((ref, delta, base)); continue }
            }
            plan.fetch.append(ref)
        }
        return plan
    }

    /// A pack carries the objects of one curriculum in one locale: refuse, before downloading
    /// anything, a subscription that needs others the store does not have.
    func checkPackHolds(_ plan: Plan, parts: [String: [String: StorePart]], pack: PackDocument) throws {
        let missing = Set(plan.fetch.map(\.sha256))
        var others: [String] = []
        for (c, locales) in parts {
            for (l, part) in locales where (c, l) != (pack.curriculum, pack.locale) && part.objects.contains(where: { missing.contains($0.sha256) }) {
                others.append("\(c) in \(l)")
            }
        }
        guard others.isEmpty else {
            throw SyncError(.source, "the pack holds only \(pack.curriculum) in \(pack.locale), but the store also subscribes to \(others.sorted().joined(separator: ", ")), whose lessons it does not have; sync from the channel, or narrow the subscription with --curricula and --locales")
        }
    }

    mutating func download(_ plan: Plan, contents: inout [String: ObjectRef]) throws {
        // One job per object downloaded: several lessons can share one delta object.
        typealias Patch = (target: ObjectRef, delta: DeltaRef, base: ObjectRef)
        enum Job { case fetch(ObjectRef), patch(ObjectRef, [Patch]) }
        let byDelta = Dictionary(grouping: plan.patch, by: { $0.delta.delta })
        let jobs = byDelta.keys.sorted { $0.sha256 < $1.sha256 }.map { Job.patch($0, byDelta[$0]!) } + plan.fetch.map { Job.fetch($0) }
        guard !jobs.isEmpty else { return }
        let bytes = try ChannelLimits.total(plan.fetch.map(\.size) + byDelta.keys.map(\.size))
        progress(.downloading, "fetching \(SyncReport.count(jobs.count, "object")) (\(SyncReport.bytes(bytes)))", 0, jobs.count)
        let shared = Shared(contents)
        let run = self
        try Parallel.run(jobs.count, width: max(1, o.concurrency)) { i in
            switch jobs[i] {
            case .fetch(let ref):
                try run.fetchObject(ref)
                shared.update { $0.fetched += 1 }
            case .patch(let deltaObject, let targets):
                var patch: Data?
                do {
                    patch = try run.downloadChecked(deltaObject, sync: false)
                    unlink(run.store.partURL(deltaObject.sha256).path)
                    shared.update { $0.fetched += 1 }
                } catch let e as SyncError where e.kind == .network || e.kind == .store {
                    throw e
                } catch {
                    shared.update { $0.notes.append("the delta \(ChannelPath.object(deltaObject.sha256)) could not be used (\(error)); fetched the whole objects") }
                }
                for (target, delta, base) in targets {
                    do {
                        guard let patch else { throw SyncError(.integrity, "no delta") }
                        let content = try run.rebuild(target, patch: patch, delta: delta, base: base)
                        shared.update { $0.contents[target.sha256] = content; $0.deltas += 1 }
                    } catch let e as SyncError where e.kind == .store {
                        throw e
                    } catch {
                        // A damaged delta or base costs only the whole object, which is checked too.
                        if patch != nil {
                            shared.update { $0.notes.append("the delta for \(ChannelPath.object(target.sha256)) could not be used (\(error)); fetched the whole object") }
                        }
                        try run.fetchObject(target)
                        shared.update { $0.fetched += 1 }
                    }
                }
            }
            let done = shared.update { s -> Int in s.done += 1; return s.done }
            run.progress(.downloading, "\(done)/\(jobs.count) objects", done, jobs.count)
        }
        let s = shared.value
        contents = s.contents
        report.objectsFetched = s.fetched
        report.deltasApplied = s.deltas
        report.notes += s.notes.sorted()
    }

    /// Downloads one object into `partial/` (resuming what an earlier sync left there) and
    /// checks its size and hash; returns its bytes, flushed to disk when `sync`.
    @discardableResult
    func downloadChecked(_ ref: ObjectRef, sync: Bool) throws -> Data {
        let path = ChannelPath.object(ref.sha256)
        let part = store.partURL(ref.sha256)
        return try retry.run(path) {
            try fetcher.download(path, size: ref.size, into: part)
            guard let data = try writer.readVerified(part, ref, sync: sync) else {
                unlink(part.path)
                throw FetchFailure.corrupt("the bytes do not match the sha256 the channel signed; refused")
            }
            return data
        }
    }

    /// Downloads one object and moves it into `objects/`.
    func fetchObject(_ ref: ObjectRef) throws {
        try downloadChecked(ref, sync: true)
        try writer.placeObject(store.partURL(ref.sha256), sha: ref.sha256)
    }

    /// Applies a delta to the content the store holds; the result must have the signed content
    /// hash. Returns the content's hash and size.
    func rebuild(_ target: ObjectRef, patch: Data, delta: DeltaRef, base: ObjectRef) throws -> ObjectRef {
        let rebuilt = try Gzip.applyDelta(patch, base: try store.content(of: base, in: current!.state), maxSize: delta.contentSize)
        let content = ObjectRef(of: rebuilt)
        guard content == ObjectRef(sha256: delta.contentSHA256, size: delta.contentSize) else {
            throw SyncError(.integrity, "the rebuilt lesson does not match its signed content hash")
        }
        try writer.placeContent(rebuilt, sha: content.sha256)
        return content
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

/// Counters and results the download workers share.
final class Shared: @unchecked Sendable {
    struct Value {
        var contents: [String: ObjectRef]
        var fetched = 0
        var deltas = 0
        var done = 0
        var notes: [String] = []
    }
    private var v: Value
    private let lock = NSLock()
    init(_ contents: [String: ObjectRef]) { v = Value(contents: contents) }
    @discardableResult
    func update<T>(_ body: (inout Value) -> T) -> T { lock.lock(); defer { lock.unlock() }; return body(&v) }
    var value: Value { update { $0 } }
}

/// Runs `count` blocking jobs on `width` threads; after the first error no new job starts, and
/// that error is thrown once the running ones finish.
final class Parallel: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var failure: Error?
    private let count: Int

    private init(count: Int) { self.count = count }

    /// The next job to run, or nil when all are taken or one failed.
    private func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard failure == nil, next < count else { return nil }
        next += 1
        return next - 1
    }

    private func fail(_ error: Error) {
        lock.lock(); defer { lock.unlock() }
        if failure == nil { failure = error }
    }

    static func run(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        let state = Parallel(count: count)
        let group = DispatchGroup()
        for _ in 0..<min(width, count) {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while let i = state.take() {
                    do { try body(i) } catch { state.fail(error) }
                }
            }
        }
        group.wait()
        if let failure = state.failure { throw failure }
    }
}
