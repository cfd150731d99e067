import Foundation
import LessonSupport

/// Checks a whole channel or offline pack against a key the reader trusts: every signature and
/// trusted comment, every object's hash and size, and every cross-reference (latest → manifest,
/// diffs ↔ the manifests they join, deltas → the objects they rebuild, packs ↔ the channel).
/// Problems are collected, never thrown, so one run names all of them.
public struct ChannelVerifier {
    public struct Report: Sendable {
        /// One line per problem: `path: what is wrong`.
        public var problems: [String] = []
        /// What was checked, for a summary line.
        public var release = 0
        public var signaturesChecked = 0
        public var objectsChecked = 0
        public var packsChecked = 0
        public var keyGeneration = 0
    }

    /// Largest object `verify` will decompress (an asset, or a very long lesson).
    public static let maxObjectBytes = ChannelLimits.maxObjectBytes

    let source: any ChannelSource
    let trusted: MinisignPublicKey
    let now: Int
    var report = Report()
    var key: MinisignPublicKey
    /// Objects already checked: sha256 → whether they passed.
    var checkedObjects: [String: Bool] = [:]
    var manifests: [Int: Manifest] = [:]

    /// Verifies a channel folder, or an offline pack when `source` holds `pack.json`.
    public static func verify(_ source: any ChannelSource, trusting key: MinisignPublicKey, now: Int) -> Report {
        var v = ChannelVerifier(source: source, trusted: key, now: now, key: key)
        v.run()
        return v.report
    }

    mutating func problem(_ s: String) { report.problems.append(s) }

    mutating func attempt<T>(_ body: () throws -> T) -> T? {
        do { return try body() } catch let e as ChannelFormatError { problem(e.message) } catch { problem("\(error)") }
        return nil
    }

    mutating func run() {
        let trusted = self.trusted, source = self.source
        guard let keys = attempt({ try KeyChain.resolve(trusting: trusted, in: source) }) else { return }
        key = keys.key
        report.keyGeneration = keys.generation
        report.signaturesChecked += 1
        verifyKeyArchive(keys)
        if fetch(ChannelPath.pack) != nil {
            verifyPack(keys)
        } else {
            verifyChannel()
        }
    }

    mutating func signedDocument<T>(_ path: String, release: Int?, _ parse: (Data) throws -> T, releaseOf: (T) -> Int) -> T? {
        let source = self.source, key = self.key
        guard let (data, sig) = attempt({ try source.readSigned(path, key: key, release: release) }) else { return nil }
        report.signaturesChecked += 1
        guard let doc = attempt({ try parse(data) }) else { return nil }
        let expected = ChannelPath.trustedComment(path: path, release: releaseOf(doc))
        if sig.trustedComment != expected {
            problem("\(path): the signature's trusted comment is '\(sig.trustedComment)', expected '\(expected.replacingOccurrences(of: "\t", with: "\\t"))'")
            return nil
        }
        return doc
    }

    // MARK: - Channel

    /// Every generation's key list must be there, each signed by its key and (after the first) by
    /// the key before it, each naming the key the next one replaces.
    mutating func verifyKeyArchive(_ keys: KeysDocument) {
        let source = self.source
        var expected = keys.key
        if let previous = keys.previous {
            let sigPath = ChannelPath.previousKeySignature(ChannelPath.keys)
            if attempt({ try source.readSigned(ChannelPath.keys, key: previous, release: keys.release, signaturePath: sigPath) }) != nil {
                report.signaturesChecked += 1
            }
        }
        for g in stride(from: keys.generation, through: 1, by: -1) {
            let path = ChannelPath.keys(generation: g)
            guard let data = fetch(path) else { problem("\(path): missing"); return }
            if g == keys.generation, data != fetch(ChannelPath.keys) { problem("\(path): differs from \(ChannelPath.keys)") }
            guard let doc = attempt({ try KeysDocument(data: data, path: path) }) else { return }
            guard doc.generation == g, doc.key == expected else { problem("\(path): does not name key \(expected.keyIDString) as generation \(g)"); return }
            guard attempt({ try source.readSigned(path, key: doc.key, release: doc.release) }) != nil else { return }
            report.signaturesChecked += 1
            if let previous = doc.previous {
                let sigPath = ChannelPath.previousKeySignature(path)
                guard attempt({ try source.readSigned(path, key: previous, release: doc.release, signaturePath: sigPath) }) != nil else { return }
                report.signaturesChecked += 1
                expected = previous
            }
        }
    }

    // MARK: - Channel

    mutating func verifyChannel() {
        let latest = signedDocument(ChannelPath.latest, release: nil, { try LatestDocument(data: $0) }, releaseOf: { $0.release })
        if let latest {
            report.release = latest.release
            if latest.expires <= now {
                problem("\(ChannelPath.latest): expired at \(Timestamp.rfc3339(latest.expires)); devices refuse it until the channel is published again")
            }
            let manifestPath = ChannelPath.manifest(latest.release)
            if let bytes = fetch(manifestPath), ObjectRef(of: bytes) != latest.manifest {
                problem("\(manifestPath): does not match the sha256 and size in \(ChannelPath.latest)")
            }
        }
        // Every kept release, newest included, even when latest.json itself is bad.
        let listed = (try? source.list(under: "releases")) ?? []
        var releases = Set(listed.compactMap { p -> Int? in
            let parts = p.split(separator: "/")
            return parts.count == 3 && parts[2] == "manifest.json" ? Int(parts[1]) : nil
        })
        if let latest { releases.insert(latest.release) }
        for n in releases.sorted() {
            if let latest, n > latest.release { problem("\(ChannelPath.release(n)): newer than the release \(ChannelPath.latest) names"); continue }
            verifyRelease(n)
        }
        guard let latest else { return }
        guard let newest = manifests[latest.release] else { return }
        // Diffs: only to the latest release are useful; each must be exactly the manifests' difference.
        let diffPaths = ((try? source.list(under: "diffs")) ?? []).filter { $0.hasSuffix(".json") }
        var diffSources = Set<Int>()
        for path in diffPaths {
            let name = path.dropFirst("diffs/".count).dropLast(".json".count).split(separator: "-")
            guard name.count == 2, let m = Int(name[0]), let n = Int(name[1]) else { problem("\(path): not a diff name (M-N.json)"); continue }
            guard n == latest.release else { problem("\(path): a diff to release \(n), but the latest release is \(latest.release)"); continue }
            diffSources.insert(m)
            verifyDiff(path, from: m, to: n)
        }
        for m in latest.diffsFrom where !diffSources.contains(m) {
            problem("\(ChannelPath.diff(from: m, to: latest.release)): missing, but \(ChannelPath.latest) lists it")
        }
        for m in diffSources where !latest.diffsFrom.contains(m) {
            problem("\(ChannelPath.diff(from: m, to: latest.release)): not listed in \(ChannelPath.latest) diffs_from")
        }
        // Packs of the latest release.
        for path in (try? source.list(under: "packs")) ?? [] {
            guard path.hasPrefix(ChannelPath.packs(latest.release) + "/"), path.hasSuffix(".zip") else {
                problem("\(path): not a pack of the latest release"); continue
            }
            verifyPackFile(path, newest: newest)
        }
        for (id, cur) in newest.curricula.sorted(by: { $0.key < $1.key }) {
            for locale in cur.locales.keys.sorted() {
                let path = ChannelPath.pack(latest.release, curriculum: id, locale: locale)
                if fetch(path) == nil { problem("\(path): missing") }
            }
        }
    }

    mutating func verifyRelease(_ n: Int) {
        let path = ChannelPath.manifest(n)
        guard let manifest = signedManifest(path, release: n) else { return }
        manifests[n] = manifest
        for (name, ref) in manifest.documents.sorted(by: { $0.key < $1.key }) {
            let docPath = ChannelPath.release(n) + "/" + name
            guard let data = fetch(docPath) else { problem("\(docPath): missing"); continue }
            if ObjectRef(of: data) != ref { problem("\(docPath): does not match the sha256 and size in \(path)") }
        }
        checkListingsAndAttributions(manifest, path: path)
        for (id, cur) in manifest.curricula.sorted(by: { $0.key < $1.key }) {
            checkObject(cur.index, what: "the index of \(id) in \(path)")
            for (asset, ref) in cur.assets.sorted(by: { $0.key < $1.key }) { checkObject(ref, what: "\(id)/\(asset) in \(path)") }
            for (locale, lessons) in cur.locales.sorted(by: { $0.key < $1.key }) {
                for (lesson, ref) in lessons.sorted(by: { $0.key < $1.key }) { checkObject(ref, what: "lesson \(id)/\(locale)/\(lesson) in \(path)") }
            }
        }
    }

    /// A signed manifest of either format, complete: a format-2 manifest's listings and buckets
    /// read and checked (`Manifest.load`).
    mutating func signedManifest(_ path: String, release: Int, only part: (String, String)? = nil) -> Manifest? {
        let source = self.source
        return signedDocument(path, release: release, { data in
            guard let part else { return try Manifest.load(data: data, path: path) { try source.read(ChannelPath.object($0.sha256)) } }
            // A pack holds the listing of its own part only.
            let file = try ManifestFile(data: data, path: path)
            let mine = file.parts[part.0]?[part.1].map { [part.0: [part.1: $0]] } ?? [:]
            return try Manifest.load(data: data, path: path, only: mine) { try source.read(ChannelPath.object($0.sha256)) }
        }, releaseOf: { $0.release })
    }

    /// The listing and bucket objects and the attribution files a format-2 manifest names.
    mutating func checkListingsAndAttributions(_ manifest: Manifest, path: String) {
        for (id, locales) in manifest.listings.sorted(by: { $0.key < $1.key }) {
            for (locale, listing) in locales.sorted(by: { $0.key < $1.key }) {
                checkObject(listing.listing, what: "the listing of \(id) in \(locale) in \(path)")
                for (i, ref) in listing.buckets.enumerated() { checkObject(ref, what: "bucket \(i) of \(id) in \(locale) in \(path)") }
            }
        }
        for (id, cur) in manifest.curricula.sorted(by: { $0.key < $1.key }) {
            for (locale, ref) in cur.attributions.sorted(by: { $0.key < $1.key }) {
                let file = ChannelPath.attribution(ref.sha256)
                guard let data = fetch(file) else { problem("\(file): missing (the attribution of \(id) in \(locale) in \(path))"); continue }
                if ObjectRef(of: data) != ref { problem("\(file): does not match the sha256 and size in \(path)") }
            }
        }
    }

    /// Checks an object once: there, the right size, the right hash, and gzip unless a delta.
    @discardableResult
    mutating func checkObject(_ ref: ObjectRef, what: String, isDelta: Bool = false) -> Bool {
        if let ok = checkedObjects[ref.sha256] { return ok }
        report.objectsChecked += 1
        let path = ChannelPath.object(ref.sha256)
        var failure: String?
        if let size = source.size(of: path), size != ref.size {
            // Known without reading it: a huge file planted among the objects is never loaded.
            failure = "\(size) bytes, but \(ref.size) expected"
        } else if let data = fetch(path) {
            if data.count != ref.size {
                failure = "\(data.count) bytes, but \(ref.size) expected"
            } else if Sodium.sha256(data).hex != ref.sha256 {
                failure = "sha256 does not match its name"
            } else if !isDelta {
                do { _ = try Gzip.decompress(data, maxSize: Self.maxObjectBytes) } catch { failure = "not valid gzip: \(error)" }
            }
        } else {
            failure = "missing"
        }
        if let failure { problem("\(path): \(failure) (\(what))") }
        checkedObjects[ref.sha256] = failure == nil
        return failure == nil
    }

    /// A checked object's bytes, uncompressed unless it is a delta.
    mutating func content(_ ref: ObjectRef, what: String, isDelta: Bool = false) -> Data? {
        guard checkObject(ref, what: what, isDelta: isDelta), let data = fetch(ChannelPath.object(ref.sha256)) else { return nil }
        return isDelta ? data : try? Gzip.decompress(data, maxSize: Self.maxObjectBytes)
    }

    func fetch(_ path: String) -> Data? { try? source.read(path) }

    mutating func verifyDiff(_ path: String, from m: Int, to n: Int) {
        guard let diff = signedDocument(path, release: n, { try DiffDocument(data: $0, path: path) }, releaseOf: { $0.to }) else { return }
        guard diff.from == m, diff.to == n else { problem("\(path): says it is from \(diff.from) to \(diff.to)"); return }
        guard let old = manifests[m] else { problem("\(path): release \(m) is not in the channel, so the diff cannot be checked"); return }
        guard let new = manifests[n] else { return }
        let expected = DiffDocument(from: old, to: new)
        let oldEntries = old.entries
        if diff.changes.map({ DiffChange(key: $0.key, change: $0.change, object: $0.object) }) != expected.changes || diff.parts != expected.parts {
            problem("\(path): does not match the difference between \(ChannelPath.manifest(m)) and \(ChannelPath.manifest(n))")
            return
        }
        for change in diff.changes {
            guard let delta = change.delta, let object = change.object else { continue }
            let item = "\(change.key.curriculum)/\(change.key.locale)/\(change.key.id)"
            let what = "delta for \(item) in \(path)"
            guard change.change == .changed, let baseRef = oldEntries[change.key], baseRef.sha256 == delta.base else {
                problem("\(path): the delta for \(item) is not based on the object release \(m) has"); continue
            }
            guard let patch = content(delta.delta, what: what, isDelta: true), let base = content(baseRef, what: what),
                  let target = content(object, what: what) else { continue }
            do {
                let rebuilt = try Gzip.applyDelta(patch, base: base, maxSize: delta.contentSize)
                if rebuilt.count != delta.contentSize || Sodium.sha256(rebuilt).hex != delta.contentSHA256 || rebuilt != target {
                    problem("\(ChannelPath.object(delta.delta.sha256)): does not rebuild \(ChannelPath.object(object.sha256)) (\(what))")
                }
            } catch {
                problem("\(ChannelPath.object(delta.delta.sha256)): \(error) (\(what))")
            }
        }
    }

    mutating func verifyPackFile(_ path: String, newest: Manifest) {
        report.packsChecked += 1
        let zip: ZipReader
        do {
            guard let opened = try source.zip(path) else { problem("\(path): cannot be read"); return }
            zip = opened
        } catch {
            problem("\(path): \(error)"); return
        }
        let inner = ChannelVerifier.verify(ZipSource(zip), trusting: trusted, now: now)
        report.problems += inner.problems.map { "\(path): \($0)" }
        report.signaturesChecked += inner.signaturesChecked
        if inner.problems.isEmpty, let bytes = try? zip.read(ChannelPath.pack) {
            if let pack = try? PackDocument(data: bytes), path != ChannelPath.pack(pack.release, curriculum: pack.curriculum, locale: pack.locale) {
                problem("\(path): holds \(pack.curriculum) in \(pack.locale), release \(pack.release)")
            }
            if (try? zip.read(ChannelPath.manifest(newest.release))) != fetch(ChannelPath.manifest(newest.release)) {
                problem("\(path): its manifest is not the channel's \(ChannelPath.manifest(newest.release))")
            }
        }
    }

    // MARK: - Offline pack

    mutating func verifyPack(_ keys: KeysDocument) {
        guard let pack = signedDocument(ChannelPath.pack, release: nil, { try PackDocument(data: $0) }, releaseOf: { $0.release }) else { return }
        report.release = pack.release
        let manifestPath = ChannelPath.manifest(pack.release)
        guard let bytes = fetch(manifestPath) else { problem("\(manifestPath): missing"); return }
        if ObjectRef(of: bytes) != pack.manifest { problem("\(manifestPath): does not match the sha256 and size in \(ChannelPath.pack)") }
        guard let manifest = signedManifest(manifestPath, release: pack.release, only: (pack.curriculum, pack.locale)) else { return }
        guard let cur = manifest.curricula[pack.curriculum], let lessons = cur.locales[pack.locale] else {
            problem("\(ChannelPath.pack): \(pack.curriculum) in \(pack.locale) is not in \(manifestPath)"); return
        }
        var expected: Set<String> = [ChannelPath.pack, ChannelPath.signature(ChannelPath.pack), manifestPath, ChannelPath.signature(manifestPath),
                                     ChannelPath.keys, ChannelPath.signature(ChannelPath.keys)]
        if keys.previous != nil { expected.insert(ChannelPath.previousKeySignature(ChannelPath.keys)) }
        for g in 1...keys.generation {
            let p = ChannelPath.keys(generation: g)
            expected.formUnion([p, ChannelPath.signature(p)])
            if g > 1 { expected.insert(ChannelPath.previousKeySignature(p)) }
        }
        for (name, ref) in manifest.documents.sorted(by: { $0.key < $1.key }) {
            let docPath = ChannelPath.release(pack.release) + "/" + name
            expected.insert(docPath)
            guard let data = fetch(docPath) else { problem("\(docPath): missing"); continue }
            if ObjectRef(of: data) != ref { problem("\(docPath): does not match the sha256 and size in \(manifestPath)") }
        }
        let id = pack.curriculum
        var refs: [(ObjectRef, String)] = [(cur.index, "the index of \(id)")]
        refs += cur.assets.sorted(by: { $0.key < $1.key }).map { ($0.value, "\(id)/\($0.key)") }
        refs += lessons.sorted(by: { $0.key < $1.key }).map { ($0.value, "lesson \(id)/\(pack.locale)/\($0.key)") }
        if let listing = manifest.listings[id]?[pack.locale] {
            refs.append((listing.listing, "the listing of \(id) in \(pack.locale)"))
            refs += listing.buckets.enumerated().map { ($1, "bucket \($0) of \(id) in \(pack.locale)") }
        }
        if let ref = cur.attributions[pack.locale] {
            let file = ChannelPath.attribution(ref.sha256)
            expected.insert(file)
            if let data = fetch(file) {
                if ObjectRef(of: data) != ref { problem("\(file): does not match the sha256 and size in \(manifestPath)") }
            } else { problem("\(file): missing (the attribution of \(id) in \(pack.locale))") }
        }
        for (ref, what) in refs {
            expected.insert(ChannelPath.object(ref.sha256))
            checkObject(ref, what: what)
        }
        if let zip = source as? ZipSource {
            for name in zip.zip.names where !expected.contains(name) { problem("\(name): not part of this pack") }
        }
    }
}
