import Foundation
import LessonChannel
import LessonSupport

public struct PublishOptions: Sendable {
    public var root: URL
    public var channel: URL
    /// The key that signs the channel now.
    public var key: MinisignSecretKey
    /// A new key to move the channel to; it signs everything this run writes.
    public var rotateTo: MinisignSecretKey?
    /// How many earlier releases stay in the channel, each with a diff to the newest.
    public var keep = 10
    public var expiresDays = 30
    /// Seconds since 1970: SOURCE_DATE_EPOCH for reproducible channels, otherwise the current time.
    public var now: Int
    public var strict = false
    /// What a translation of an older version of its text does until reviewed (`--stale`).
    public var stale = StalePolicy.fallback
    /// Where the run is: compiling, then writing objects and packs.
    public var progress: (@Sendable (WorkProgress) -> Void)?
    /// The compile cache's folder (default `ROOT/.lessonc-cache`); nil with `useCache` false for none.
    public var cacheFolder: URL?
    public var useCache = true
    /// For tests: fail just before latest.json is moved into place.
    var failBeforeLatest = false

    public init(root: URL, channel: URL, key: MinisignSecretKey, now: Int) {
        self.root = root
        self.channel = channel
        self.key = key
        self.now = now
    }
}

public struct PublishReport: Sendable {
    public var build: BuildResult
    /// The channel's newest release after this run (0 when nothing was ever published).
    public var release = 0
    /// A new release was made.
    public var published = false
    /// What happened, one line each, for stderr.
    public var lines: [String] = []
}

/// publish: the sources compiled in memory (through the compile cache, so unchanged lessons are
/// not compiled again), their documents gzipped into objects, and release N+1 (manifest, diffs,
/// notes, packs, latest.json), all signed, written into the channel through `Staging`.
public enum Publisher {
    /// Largest object publish will decompress to compute a delta.
    static let maxContentBytes = ChannelLimits.maxObjectBytes

    public static func run(_ o: PublishOptions) throws -> PublishReport {
        let fm = FileManager.default
        if let r = o.rotateTo, r.publicKey == o.key.publicKey { throw PublishError("--rotate-to names the same key as --key") }
        try checkChannelFolder(o.channel)
        do { try fm.createDirectory(at: o.channel, withIntermediateDirectories: true) } catch {
            throw PublishError("cannot create the channel folder \(o.channel.path): \(error.localizedDescription)")
        }
        let lock = try ChannelLock(channel: o.channel)
        defer { lock.release() }
        removeLeftovers(o.channel)
        let state = try ChannelState.load(o.channel, key: o.key.publicKey, rotateTo: o.rotateTo?.publicKey)
        defer { ProcessExit.keep(state) }
        if o.rotateTo != nil && state.latest == nil { throw PublishError("--rotate-to needs a channel that has been published before") }

        let (compiler, objects, compilation, build) = compile(o)
        defer { ProcessExit.keep(compiler); ProcessExit.keep(objects); ProcessExit.keep(compilation) }
        var report = PublishReport(build: build, release: state.latest?.release ?? 0)
        guard build.succeeded else {
            try? compiler.save(compilation)
            report.lines.append("nothing was published: the sources are not valid")
            return report
        }
        let content = try objects.content(compilation)
        defer { ProcessExit.keep(content) }
        // The cache is saved while the release is written, on the other core: they share only the
        // blobs, which are read and compacted under one lock (BlobStore).
        let (_, written) = Parallel.both({ try? compiler.save(compilation, live: objects.liveDigests) }, { [report] in
            Result { () throws -> PublishReport in
                var report = report
                try write(content, objects: objects, state: state, options: o, report: &report)
                return report
            }
        })
        return try written.get()
    }

    /// The sources compiled through the compile cache, their documents gzipped as they come.
    static func compile(_ o: PublishOptions) -> (ProjectCompiler, PublishObjects, Compilation, BuildResult) {
        var options = CompileOptions()
        options.progress = o.progress
        options.stale = o.stale
        let root = o.root.standardizedFileURL
        let compiler = ProjectCompiler(root: root, options: options,
                                       cacheFolder: o.useCache ? (o.cacheFolder ?? ProjectCompiler.defaultCacheFolder(root: root)) : nil)
        let objects = PublishObjects(compiler: compiler)
        let compilation = compiler.compile(into: objects)
        let failed = compilation.diagnostics.contains { $0.severity == .error || (o.strict && $0.severity == .warning) }
        let build = BuildResult(diagnostics: compilation.diagnostics, lessonCount: compilation.lessonCount, curriculumCount: compilation.project.curricula.count,
                                succeeded: !failed, compiledCount: compilation.compiledCount, cacheNote: compiler.cacheNote,
                                staleLessons: compilation.staleLessons)
        return (compiler, objects, compilation, build)
    }

    /// Release N+1 when the content changed (else a renewed latest.json or a key rotation),
    /// staged, moved into the channel, and what no kept release needs pruned.
    static func write(_ content: [String: CurriculumContent], objects: PublishObjects, state: ChannelState, options o: PublishOptions,
                      report: inout PublishReport) throws {
        // Each part's attribution is part of its content: a changed credit is a new release.
        var content = content
        let attributions = ReleaseDocuments.partAttributions(content)
        for (c, locales) in attributions { for (l, data) in locales { content[c]!.entry.attributions[l] = ObjectRef(of: data) } }
        let staging = try Staging(channel: o.channel, failBeforeLatest: o.failBeforeLatest)
        defer { staging.discard() }
        func makeWriter(state: ChannelState, known: Set<String>) -> ReleaseWriter {
            ReleaseWriter(options: o, state: state, staging: staging, store: ObjectStore(staging: staging, known: known),
                          objects: objects, attributions: attributions)
        }
        var writer: ReleaseWriter
        if let latest = state.latest, state.latestFile?.names(content.mapValues(\.entry)) == true {
            report.lines.append("no changes since release \(latest.release): no new release")
            // No new objects: the kept releases' objects need not be collected, nor their lessons read.
            writer = makeWriter(state: state, known: [])
            try writer.refresh(latest: latest, lines: &report.lines)
        } else {
            var state = state
            try state.loadManifests()
            writer = makeWriter(state: state, known: Manifest.objectHashes(of: state.manifests.values))
            let release = (state.latest?.release ?? 0) + 1
            guard release <= ChannelLimits.maxRelease else {
                throw PublishError("release \(release - 1) is the last a channel may have (release numbers stop at 2^53 - 1, PUBLISHING.md, Limits); start a new channel")
            }
            try writer.writeRelease(release, content: content)
            report.release = release
            report.published = true
            report.lines += writer.summary
        }
        if staging.isEmpty {
            report.lines.append("the channel is up to date; nothing was written")
            return
        }
        try staging.commit()
        // Only a new release makes objects, releases or diffs unneeded (a renewal or rotation
        // keeps the same ones); the publish that made the release before pruned after it.
        guard report.published else { return }
        if let latest = try? LatestDocument(data: Data(contentsOf: o.channel.appendingPathComponent(ChannelPath.latest))) {
            report.lines += prune(o.channel, latest: latest, manifests: writer.state.manifests.merging(writer.written.manifests) { $1 },
                                  diffs: writer.written.diffs)
        }
    }

    /// Refuses to publish into a folder that is neither empty nor a channel, since publishing
    /// prunes files there.
    static func checkChannelFolder(_ channel: URL) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: channel.path, isDirectory: &isDir), !isDir.boolValue {
            throw PublishError("\(channel.path) is a file, not a channel folder")
        }
        guard let entries = try? fm.contentsOfDirectory(atPath: channel.path) else { return }
        let visible = entries.filter { !$0.hasPrefix(".") }
        if !visible.isEmpty && !visible.contains(ChannelPath.latest) {
            throw PublishError("\(channel.path) is not empty and has no latest.json: refusing to publish into a folder that is not a channel")
        }
    }

    /// Staging and trash folders of a publish that was killed.
    static func removeLeftovers(_ channel: URL) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: channel.path)) ?? []
        where name.hasPrefix(Staging.prefix) || name.hasPrefix(Staging.trashPrefix) {
            try? FileManager.default.removeItem(at: channel.appendingPathComponent(name))
        }
    }

    /// Removes what the current latest.json no longer needs: releases it does not keep, diffs to
    /// other releases, older packs, and objects no kept release or diff refers to. Only files
    /// named the way publish names them are touched.
    /// `manifests` and `diffs` (by path) are those publish has in memory: they are not read again.
    static func prune(_ channel: URL, latest: LatestDocument, manifests: [Int: Manifest] = [:], diffs: [String: DiffDocument] = [:]) -> [String] {
        let fm = FileManager.default
        let kept = Set(latest.diffsFrom + [latest.release])
        var referenced = Set<String>()
        var attributions = Set<String>()
        var keptManifests: [Manifest] = []
        var removedReleases = 0
        func list(_ dir: String) -> [String] { ((try? fm.contentsOfDirectory(atPath: channel.appendingPathComponent(dir).path)) ?? []).sorted() }
        for name in list("releases") {
            guard let n = Int(name), String(n) == name else { continue }
            let path = ChannelPath.manifest(n)
            if kept.contains(n) {
                if let m = manifests[n] {
                    keptManifests.append(m); attributions.formUnion(m.attributionFiles.map(\.sha256)); continue
                }
                let source = DirectorySource(channel)
                guard let data = try? source.read(path),
                      let m = try? Manifest.load(data: data, path: path, object: { try source.read(ChannelPath.object($0.sha256)) }) else {
                    return ["not pruning: \(path) could not be read"]
                }
                keptManifests.append(m)
                attributions.formUnion(m.attributionFiles.map(\.sha256))
            } else {
                try? fm.removeItem(at: channel.appendingPathComponent(ChannelPath.release(n)))
                removedReleases += 1
            }
        }
        // Kept releases share most buckets: their objects are united bucket by bucket.
        referenced.formUnion(Manifest.objectHashes(of: keptManifests))
        for name in list("diffs") {
            let base = name.hasSuffix(".minisig") ? String(name.dropLast(".minisig".count)) : name
            let numbers = base.hasSuffix(".json") ? base.dropLast(5).split(separator: "-").compactMap { Int($0) } : []
            guard numbers.count == 2 else { continue }
            if numbers[1] == latest.release && latest.diffsFrom.contains(numbers[0]) {
                if !name.hasSuffix(".minisig") {
                    let path = "diffs/\(name)"
                    if let d = diffs[path] { referenced.formUnion(d.changes.compactMap { $0.delta?.delta.sha256 }); continue }
                    guard let data = try? Data(contentsOf: channel.appendingPathComponent(path)), let d = try? DiffDocument(data: data, path: path) else {
                        return ["not pruning: \(path) could not be read"]
                    }
                    referenced.formUnion(d.changes.compactMap { $0.delta?.delta.sha256 })
                }
            } else {
                try? fm.removeItem(at: channel.appendingPathComponent("diffs/\(name)"))
            }
        }
        for name in list("packs") where Int(name) != nil && Int(name) != latest.release {
            try? fm.removeItem(at: channel.appendingPathComponent("packs/\(name)"))
        }
        for name in list("attribution") where name.hasSuffix(".md") && ChannelPath.isSHA256(String(name.dropLast(3))) {
            if !attributions.contains(String(name.dropLast(3))) { try? fm.removeItem(at: channel.appendingPathComponent("attribution/\(name)")) }
        }
        var removed = 0, bytes = 0
        for dir in list("objects") where dir.count == 2 {
            let names = list("objects/\(dir)")
            var left = names.count
            for name in names where ChannelPath.isSHA256(name) && name.hasPrefix(dir) && !referenced.contains(name) {
                let url = channel.appendingPathComponent("objects/\(dir)/\(name)")
                bytes += (try? fm.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
                if (try? fm.removeItem(at: url)) != nil { removed += 1; left -= 1 }
            }
            if left == 0 { try? fm.removeItem(at: channel.appendingPathComponent("objects/\(dir)")) }
        }
        var lines: [String] = []
        if removedReleases > 0 { lines.append("pruned \(removedReleases) release\(removedReleases == 1 ? "" : "s") older than the kept ones") }
        if removed > 0 { lines.append("pruned \(removed) object\(removed == 1 ? "" : "s") (\(bytes) bytes) that no kept release uses") }
        return lines
    }
}

/// What the channel holds before this publish, checked with the publisher's key: latest.json,
/// the keys and the latest manifest's file at once; the kept releases' lessons (`loadManifests`)
/// only when a new release is made, since a publish with nothing changed does not need them.
struct ChannelState: Sendable {
    var latest: LatestDocument?
    var keys: KeysDocument?
    /// The latest release's manifest file, signed and matching latest.json (a format-2 file's
    /// listings not read yet).
    var latestFile: ManifestFile?
    /// The latest release and the ones latest.json keeps diffs from, complete (`loadManifests`).
    var manifests: [Int: Manifest] = [:]
    /// Where the manifests are read from, and the key their signatures are checked with.
    private var source: DirectorySource?
    private var key: MinisignPublicKey?

    static func load(_ channel: URL, key: MinisignPublicKey, rotateTo: MinisignPublicKey?) throws -> ChannelState {
        let source = DirectorySource(channel)
        var state = ChannelState()
        guard (try source.read(ChannelPath.latest)) != nil else {
            if (try source.read(ChannelPath.keys)) != nil { throw PublishError("\(channel.path) has keys.json but no latest.json; it is not a usable channel") }
            return state
        }
        guard let keyData = try source.read(ChannelPath.keys) else { throw PublishError("\(channel.path) has no keys.json") }
        let keys = try checked { try KeysDocument(data: keyData, path: ChannelPath.keys) }
        if keys.key != key {
            var message = "the channel is signed by key \(keys.key.keyIDString), but --key is key \(key.keyIDString)"
            if keys.history.contains(key.keyIDString) { message += ", which the channel has rotated away from" }
            throw PublishError(message)
        }
        if let rotateTo, keys.history.contains(rotateTo.keyIDString) {
            throw PublishError("--rotate-to key \(rotateTo.keyIDString) has signed this channel before; rotate to a new key")
        }
        state.keys = try checked { try KeyChain.resolve(trusting: key, in: source) }
        let latest = try checked { () -> LatestDocument in
            let (data, sig) = try source.readSigned(ChannelPath.latest, key: key, release: nil)
            let doc = try LatestDocument(data: data)
            guard sig.trustedComment == ChannelPath.trustedComment(path: ChannelPath.latest, release: doc.release) else {
                throw ChannelFormatError("\(ChannelPath.latest): the trusted comment does not name release \(doc.release)")
            }
            return doc
        }
        state.latest = latest
        state.source = source
        state.key = key
        let data = try checked { try state.manifestData(latest.release) }
        state.latestFile = try checked { try ManifestFile(data: data, path: ChannelPath.manifest(latest.release)) }
        return state
    }

    /// Reads every kept release's manifest complete into `manifests` (once).
    mutating func loadManifests() throws {
        guard let latest, let source, manifests.isEmpty else { return }
        let state = self
        // Each kept manifest lists every lesson: they are parsed in parallel (an error is the
        // one of the first release in this order, as when they were read one by one).
        let releases = [latest.release] + latest.diffsFrom
        // Kept format-2 releases share most buckets: each is parsed once.
        let buckets = BucketCache()
        let loaded = try Parallel.map(releases) { n in
            try Self.checked {
                // Listing and buckets are checked against the signed hashes; hashing every part of
                // every kept release again is left to lessonc verify (Manifest.load).
                try Manifest.load(data: try state.manifestData(n), path: ChannelPath.manifest(n), buckets: buckets, checkPartHashes: false) {
                    try source.read(ChannelPath.object($0.sha256))
                }
            }
        }
        for (n, manifest) in zip(releases, loaded) { manifests[n] = manifest }
    }

    /// Release `n`'s manifest file, its signature checked (and the latest's hash and size against
    /// latest.json).
    private func manifestData(_ n: Int) throws -> Data {
        guard let source, let key, let latest else { throw ChannelFormatError("\(ChannelPath.manifest(n)): no channel to read it from") }
        let path = ChannelPath.manifest(n)
        let (data, _) = try source.readSigned(path, key: key, release: n)
        if n == latest.release && ObjectRef(of: data) != latest.manifest {
            throw ChannelFormatError("\(path): does not match the sha256 and size in latest.json")
        }
        return data
    }

    private static func checked<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as ChannelFormatError {
            throw PublishError("the channel does not verify with --key: \(e.message) (run lessonc verify for details)")
        }
    }
}
