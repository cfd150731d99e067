import Foundation
import LessonChannel
import LessonSupport

/// Stages the signed files of a new release, or re-signs the current one (key rotation, a
/// renewed expiry) when the content has not changed.
struct ReleaseWriter {
    let o: PublishOptions
    let state: ChannelState
    let staging: Staging
    let store: ObjectStore
    /// The bytes of the new release's objects.
    let objects: PublishObjects
    var summary: [String] = []
    /// (base object, new object) → delta, shared by the diffs from every kept release.
    private var deltas: [String: DeltaRef?] = [:]
    /// The manifest and diffs this run wrote, for pruning without reading them back.
    private(set) var written = (manifests: [Int: Manifest](), diffs: [String: DiffDocument]())

    /// Each part's attribution file (curriculum → locale → bytes).
    let attributions: [String: [String: Data]]

    init(options: PublishOptions, state: ChannelState, staging: Staging, store: ObjectStore, objects: PublishObjects,
         attributions: [String: [String: Data]] = [:]) {
        self.o = options
        self.attributions = attributions
        self.state = state
        self.staging = staging
        self.store = store
        self.objects = objects
    }

    /// Everything this run writes is signed with the new key when rotating.
    var signer: MinisignSecretKey { o.rotateTo ?? o.key }

    static func bytes(_ json: JSON) -> Data { CanonicalJSON.document(json) }

    func sign(_ path: String, _ data: Data, release: Int) throws {
        let comment = ChannelPath.trustedComment(path: path, release: release)
        try staging.write(ChannelPath.signature(path), signer.sign(data, trustedComment: comment).fileData)
    }

    func writeSigned(_ path: String, _ data: Data, release: Int) throws {
        try staging.write(path, data)
        try sign(path, data, release: release)
    }

    // MARK: - A new release

    mutating func writeRelease(_ r: Int, content: [String: CurriculumContent]) throws {
        let previous = state.latest.flatMap { state.manifests[$0.release] }
        let kept = o.keep == 0 ? [] : state.manifests.keys.filter { $0 >= r - o.keep }.sorted()
        let store = self.store
        let curricula = content.mapValues(\.entry)
        // Each diff once: the one from the previous release also feeds the release notes. The
        // listings first: a diff looks inside only the buckets whose refs differ.
        var unsigned = Manifest(release: r, published: o.now, curricula: curricula, documents: [:])
        // Buckets whose lessons did not change are the previous release's objects.
        let listingObjects = unsigned.makeListings(reusing: previous)
        var diffs: [Int: DiffDocument] = [:]
        let olds = Set(kept + (previous.map { [$0.release] } ?? [])).sorted()
        for (m, diff) in zip(olds, ReleaseDiff.between(olds.map { state.manifests[$0]! }, unsigned)) { diffs[m] = diff }
        // The content's objects; the listings and buckets (not made from the sources) come below.
        var sourced = unsigned
        sourced.listings = [:]
        try writeObjects(of: sourced)
        let input = ReleaseDocuments.Input(release: r, published: o.now, content: content, previous: previous,
                                           previousDiff: previous.flatMap { diffs[$0.release] }) { key in
            // A removed lesson's title is in its old object.
            guard let ref = previous?.ref(for: key), let gz = store.read(ref.sha256),
                  let raw = try? Gzip.decompress(gz, maxSize: Publisher.maxContentBytes), let doc = try? JSON.parse(raw) else { return nil }
            return doc["title"]?.stringValue
        }
        let documents = ReleaseDocuments.all(input)
        for (name, data) in documents { try staging.write(ChannelPath.release(r) + "/" + name, data) }
        var manifest = Manifest(release: r, published: o.now, curricula: curricula, documents: documents.mapValues { ObjectRef(of: $0) })
        manifest.listings = unsigned.listings
        for (sha, data) in listingObjects.sorted(by: { $0.key < $1.key }) {
            try store.write(ObjectRef(sha256: sha, size: data.count), data)
        }
        try writeAttributions(manifest)
        // The diffs hold the hashes of the parts that changed: each is computed once.
        var partHashes: [String: [String: String]] = [:]
        for diff in diffs.values { for (c, locales) in diff.parts { for case let (l, hash?) in locales { partHashes[c, default: [:]][l] = hash } } }
        let manifestBytes = Self.bytes(manifest.json(partHashes: partHashes))
        try writeSigned(ChannelPath.manifest(r), manifestBytes, release: r)
        written.manifests[r] = manifest

        for m in kept {
            var diff = diffs[m]!
            try addDeltas(&diff, old: state.manifests[m]!)
            try writeSigned(ChannelPath.diff(from: m, to: r), Self.bytes(diff.json), release: r)
            written.diffs[ChannelPath.diff(from: m, to: r)] = diff
        }
        try writeKeys(release: r)
        if o.rotateTo != nil {
            for m in kept { try resign(ChannelPath.manifest(m), release: m) }
        }
        try writePacks(manifest, manifestBytes: manifestBytes)
        let latest = LatestDocument(release: r, published: o.now, expires: o.now + o.expiresDays * 86400,
                                    manifest: ObjectRef(of: manifestBytes), diffsFrom: kept)
        try writeSigned(ChannelPath.latest, Self.bytes(latest.json), release: r)

        let lessons = content.values.reduce(0) { $0 + $1.entry.locales.values.reduce(0) { $0 + $1.count } }
        let pairs = content.values.reduce(0) { $0 + $1.entry.locales.count }
        let (count, size) = staging.objectTotals
        summary.append("published release \(r): \(lessons) lesson\(lessons == 1 ? "" : "s") in \(pairs) curriculum × language pair\(pairs == 1 ? "" : "s"), \(count) new object\(count == 1 ? "" : "s") (\(size) bytes)")
        summary.append(kept.isEmpty ? "no diffs (no earlier release kept)" : "diffs from release\(kept.count == 1 ? "" : "s") \(kept.map(String.init).joined(separator: ", ")) to \(r)")
        if o.rotateTo != nil { summary.append(rotationLine) }
        summary.append("latest.json expires \(Timestamp.rfc3339(latest.expires))")
    }

    /// Each part's attribution file the channel does not have yet (they are named by content).
    func writeAttributions(_ manifest: Manifest) throws {
        for (c, cur) in manifest.curricula.sorted(by: { $0.key < $1.key }) {
            for (l, ref) in cur.attributions.sorted(by: { $0.key < $1.key }) {
                let path = ChannelPath.attribution(ref.sha256)
                guard !staging.contains(path), staging.read(path).map(ObjectRef.init(of:)) != ref else { continue }
                guard let data = attributions[c]?[l] else { throw PublishError("\(path): the attribution of \(c) in \(l) was not made") }
                try staging.write(path, data)
            }
        }
    }

    /// Writes the objects of `manifest` that the channel does not have, in parallel.
    func writeObjects(of manifest: Manifest) throws {
        let (store, objects) = (self.store, self.objects)
        let new = manifest.objects.filter { !store.known.contains($0.sha256) }.sorted { $0.sha256 < $1.sha256 }
        let progress = ProgressCounter(.writingObjects, total: new.count, o.progress)
        _ = try Parallel.map(new) { ref in
            defer { progress.tick() }
            try store.write(ref, objects.bytes(of: ref))
        }
    }

    /// Adds a delta to each changed entry when rebuilding the new object from the old one's
    /// content downloads fewer bytes than the object itself. The old object is the one thing
    /// publish reads from the channel.
    mutating func addDeltas(_ diff: inout DiffDocument, old: Manifest) throws {
        for i in diff.changes.indices where diff.changes[i].change == .changed {
            guard let base = old.ref(for: diff.changes[i].key), let target = diff.changes[i].object else { continue }
            let cacheKey = base.sha256 + target.sha256
            if let cached = deltas[cacheKey] { diff.changes[i].delta = cached; continue }
            var delta: DeltaRef?
            if let oldGz = store.read(base.sha256), let newGz = try? objects.bytes(of: target),
               let oldContent = try? Gzip.decompress(oldGz, maxSize: Publisher.maxContentBytes),
               let newContent = try? Gzip.decompress(newGz, maxSize: Publisher.maxContentBytes) {
                let patch = Gzip.delta(from: oldContent, to: newContent)
                if patch.count < target.size {
                    delta = DeltaRef(base: base.sha256, delta: try store.put(patch),
                                     contentSHA256: Sodium.sha256(newContent).hex, contentSize: newContent.count)
                }
            }
            deltas[cacheKey] = delta
            diff.changes[i].delta = delta
        }
    }

    // MARK: - Same content: rotate or renew

    mutating func refresh(latest: LatestDocument, lines: inout [String]) throws {
        var renewed = latest
        renewed.expires = o.now + o.expiresDays * 86400
        if o.rotateTo != nil {
            try writeKeys(release: latest.release)
            for m in [latest.release] + latest.diffsFrom { try resign(ChannelPath.manifest(m), release: m) }
            for m in latest.diffsFrom { try resign(ChannelPath.diff(from: m, to: latest.release), release: latest.release) }
            let path = ChannelPath.manifest(latest.release)
            guard let manifestBytes = staging.read(path) else { throw PublishError("\(path): missing") }
            let staging = self.staging
            try writePacks(try Manifest.load(data: manifestBytes, path: path) { staging.read(ChannelPath.object($0.sha256)) },
                           manifestBytes: manifestBytes)
            lines.append(rotationLine)
        }
        if o.rotateTo != nil || renewed != latest {
            try writeSigned(ChannelPath.latest, Self.bytes(renewed.json), release: latest.release)
            if renewed.expires != latest.expires { lines.append("latest.json renewed: it now expires \(Timestamp.rfc3339(renewed.expires))") }
        }
    }

    var rotationLine: String {
        "rotated from key \(o.key.publicKey.keyIDString) to key \(signer.publicKey.keyIDString): keys.json is signed by both; devices that trust the old key follow keys/"
    }

    func resign(_ path: String, release: Int) throws {
        guard let data = staging.read(path) else { throw PublishError("\(path): missing, cannot sign it with the new key") }
        try sign(path, data, release: release)
    }

    // MARK: - Keys

    /// keys.json and its archived copy keys/<generation>.json: written for a new channel and at
    /// a rotation (then also signed with the old key, in `.previous.minisig`).
    func writeKeys(release: Int) throws {
        let doc: KeysDocument
        if let keys = state.keys {
            guard let next = o.rotateTo else { return }
            doc = KeysDocument(generation: keys.generation + 1, key: next.publicKey, previous: o.key.publicKey,
                               history: keys.history + [next.publicKey.keyIDString], release: release)
        } else {
            doc = KeysDocument(generation: 1, key: signer.publicKey, previous: nil, history: [signer.publicKey.keyIDString], release: release)
        }
        let data = Self.bytes(doc.json)
        for path in [ChannelPath.keys, ChannelPath.keys(generation: doc.generation)] {
            try writeSigned(path, data, release: release)
            if doc.previous != nil {
                let endorsement = o.key.sign(data, trustedComment: ChannelPath.trustedComment(path: path, release: release))
                try staging.write(ChannelPath.previousKeySignature(path), endorsement.fileData)
            }
        }
    }

    // MARK: - Offline packs

    /// One ZIP per curriculum × locale: pack.json, the key history, the manifest, the release
    /// documents and the objects that curriculum needs in that locale, all under their channel
    /// paths, so a pack is a small channel a device can read like the real one.
    func writePacks(_ manifest: Manifest, manifestBytes: Data) throws {
        let r = manifest.release
        var shared: [String: Data] = [ChannelPath.manifest(r): manifestBytes]
        var paths = [ChannelPath.signature(ChannelPath.manifest(r)), ChannelPath.keys, ChannelPath.signature(ChannelPath.keys),
                     ChannelPath.previousKeySignature(ChannelPath.keys)]
        paths += ChannelPath.releaseDocuments.map { ChannelPath.release(r) + "/" + $0 }
        let generation = (o.rotateTo != nil ? 1 : 0) + (state.keys?.generation ?? 1)
        for g in 1...generation {
            let p = ChannelPath.keys(generation: g)
            paths += [p, ChannelPath.signature(p), ChannelPath.previousKeySignature(p)]
        }
        for p in paths { if let data = staging.read(p) { shared[p] = data } }
        let progress = ProgressCounter(.writingPacks, total: manifest.curricula.values.reduce(0) { $0 + $1.locales.count }, o.progress)
        for (id, cur) in manifest.curricula.sorted(by: { $0.key < $1.key }) {
            for (locale, lessons) in cur.locales.sorted(by: { $0.key < $1.key }) {
                let pack = PackDocument(release: r, published: manifest.published, curriculum: id, locale: locale, manifest: ObjectRef(of: manifestBytes))
                let packBytes = Self.bytes(pack.json)
                var objectRefs: [String: ObjectRef] = [:]
                var metadata: [ObjectRef] = []
                if let listing = manifest.listings[id]?[locale] { metadata = [listing.listing] + listing.buckets }
                for ref in [cur.index] + Array(cur.assets.values) + Array(lessons.values) + metadata { objectRefs[ChannelPath.object(ref.sha256)] = ref }
                var files = shared
                if let ref = cur.attributions[locale] {
                    let path = ChannelPath.attribution(ref.sha256)
                    guard let data = staging.read(path) else { throw PublishError("\(path): missing, but \(ChannelPath.manifest(r)) names it") }
                    files[path] = data
                }
                let previous = previousPack(curriculum: id, locale: locale)
                let packPath = ChannelPath.pack(r, curriculum: id, locale: locale)
                let entryBytes = objectRefs.reduce(0) { $0 + $1.value.size + 30 + $1.key.utf8.count }
                    + files.reduce(0) { $0 + $1.value.count + 30 + $1.key.utf8.count } + 1024
                var zip = ZipWriter(reservingCapacity: entryBytes)
                do {
                    try zip.add(ChannelPath.pack, packBytes)
                    try zip.add(ChannelPath.signature(ChannelPath.pack),
                                signer.sign(packBytes, trustedComment: ChannelPath.trustedComment(path: ChannelPath.pack, release: r)).fileData)
                    // The part's listing and buckets first, in the listing's order: a device's
                    // first sync reads them in one Range request (PUBLISHING.md, bulk transfer).
                    var seen = Set<String>()
                    let first = metadata.map { ChannelPath.object($0.sha256) }.filter { seen.insert($0).inserted }
                    for path in first + Set(files.keys).union(objectRefs.keys).subtracting(first).sorted() {
                        if let ref = objectRefs[path] {
                            // Objects are named by their SHA-256: the previous pack's entry of that
                            // name, its CRC checked, has the same bytes, read without the cache.
                            if let copy = try? previous?.readEntry(path, limit: ref.size), copy.data.count == ref.size {
                                try zip.add(path, copy.data, crc: copy.crc)
                            } else {
                                // A listing or bucket is not made from the sources: it is in the channel.
                                try zip.add(path, try metadata.contains(ref) ? store.read(ref.sha256) ?? objects.bytes(of: ref) : objects.bytes(of: ref))
                            }
                        } else {
                            try zip.add(path, files[path]!)
                        }
                    }
                } catch let e as ZipError {
                    throw PublishError("\(packPath): \(e.message); split the curriculum or move large assets out of it (PUBLISHING.md, Limits)")
                }
                try staging.write(packPath, zip.finish())
                progress.tick()
            }
        }
    }

    /// The pack of the same curriculum and locale in the channel's latest release, if it reads.
    /// Up to `wholePackBytes` it is read whole, since nearly all of it is copied (ten thousand
    /// reads of headers and entries cost more than one read); a larger one entry by entry.
    private func previousPack(curriculum: String, locale: String) -> ZipReader? {
        guard let release = state.latest?.release else { return nil }
        let url = o.channel.appendingPathComponent(ChannelPath.pack(release, curriculum: curriculum, locale: locale))
        guard let size = FileStamp.lstat(url.path)?.stamp.size, size <= Self.wholePackBytes else { return try? ZipReader(contentsOf: url) }
        return (try? Data(contentsOf: url)).flatMap { try? ZipReader($0) }
    }

    static let wholePackBytes: Int64 = 256 << 20
}
