import Foundation
import LessonChannel
import LessonSupport

/// What the new release holds for the subscription, part by part (curriculum → locale), and the
/// deltas that can rebuild changed objects from the ones the store has (new object sha256 →).
struct PartUpdate {
    var parts: [String: [String: StorePart]]
    var deltas: [String: DeltaSource] = [:]
    /// Format 2: the bucket objects each part's lessons are known to match (`StoreState.buckets`).
    var buckets: [String: [String: [ObjectRef?]]] = [:]
}

/// A delta object that rebuilds an object from one the store holds.
struct DeltaSource: Sendable {
    var delta: DeltaRef
    var base: ObjectRef
}

extension SyncRun {
    /// From the signed diff when the store can apply one, else from the manifest.
    mutating func newParts(_ head: Head, key: MinisignPublicKey, subscription: Subscription) async throws -> PartUpdate {
        if let old, head.pack == nil, subscription == old.subscription, head.release > old.release, head.diffsFrom.contains(old.release),
           let diff = try await fetchDiff(from: old.release, head: head, key: key) {
            report.method = .diff
            return try apply(diff, to: old.parts, subscription: subscription)
        }
        report.method = .manifest
        let file = try await fetchManifest(head, key: key)
        var update = PartUpdate(parts: try select(file.manifest, subscription: subscription, release: head.release))
        if file.manifest.version >= 2 { try await readListings(file, head: head, into: &update) }
        return update
    }

    /// The signed diff from the store's release, or nil (fetch the manifest instead) when the
    /// channel does not have it or it is larger than a diff can reasonably be.
    mutating func fetchDiff(from m: Int, head: Head, key: MinisignPublicKey) async throws -> DiffDocument? {
        let path = ChannelPath.diff(from: m, to: head.release)
        // No overflow: a signed size is below ChannelLimits.sizeBound.
        let limit = min(2 * head.manifest.size + (64 << 10), ChannelLimits.maxDocumentBytes)
        do {
            guard try await source.read(path, limit: limit) != nil else {
                report.notes.append("\(path) is missing; used the manifest instead")
                return nil
            }
        } catch let e as SyncError where e.kind == .integrity || e.kind == .source {
            report.notes.append("\(e.message); used the manifest instead")
            return nil
        }
        let (data, _) = try await source.readSigned(path, key: key, release: head.release)
        let diff = try DiffDocument(data: data, path: path)
        guard diff.from == m, diff.to == head.release else {
            throw SyncError(.integrity, "\(path): says it goes from release \(diff.from) to \(diff.to); refused")
        }
        return diff
    }

    func fetchManifest(_ head: Head, key: MinisignPublicKey) async throws -> ManifestFile {
        let path = ChannelPath.manifest(head.release)
        guard let data = try await source.read(path, limit: head.manifest.size) else { throw SyncError(.source, "\(path): missing, but \(head.path) names it") }
        guard ObjectRef(of: data) == head.manifest else {
            throw SyncError(.integrity, "\(path): does not match the sha256 and size in \(head.path); refused")
        }
        _ = try await source.readSigned(path, key: key, release: head.release)
        let file = try ManifestFile(data: data, path: path)
        guard file.manifest.release == head.release else { throw SyncError(.integrity, "\(path): says it is release \(file.manifest.release); refused") }
        return file
    }

    /// Format 2: the lessons of each selected part. A part the store holds with the signed hash
    /// is kept as it is; for another, the listing is fetched, then only the buckets the store
    /// does not know to match, and the assembled part must have the signed hash.
    mutating func readListings(_ file: ManifestFile, head: Head, into update: inout PartUpdate) async throws {
        let path = ChannelPath.manifest(file.manifest.release)
        let pack = head.pack
        if let pack {
            // A pack holds its own part's listing only: another part the store lacks cannot come from it.
            let others = update.parts.flatMap { c, locales in
                locales.keys.filter { l in (c, l) != (pack.curriculum, pack.locale) && old?.parts[c]?[l]?.hash != file.parts[c]?[l]?.part }.map { "\(c) in \($0)" }
            }
            if !others.isEmpty { throw packLacks(pack, others) }
        }
        for (c, locales) in update.parts.sorted(by: { $0.key < $1.key }) {
            for (l, part) in locales.sorted(by: { $0.key < $1.key }) {
                guard let entry = file.parts[c]?[l] else { throw SyncError(.integrity, "\(path): \(c) in \(l) has no listing; refused") }
                let what = "\(path): \(c) in \(l)"
                let held = old?.parts[c]?[l]
                if let held, held.hash == entry.part {
                    update.parts[c]![l] = held
                    update.buckets[c, default: [:]][l] = old?.buckets[c]?[l]
                    continue
                }
                let listingWhat = "\(ChannelPath.object(entry.listing.sha256)) (listing of \(what))"
                let known = old?.buckets[c]?[l]
                // A part whose buckets are all unknown (a first sync): its pack holds its listing and
                // buckets side by side, read in one Range request instead of one request each.
                var prefetched: [String: Data] = [:]
                if known == nil, head.kind == .latest, let minimum = o.bulkMinimum, 1 << PartListing.bits(forLessons: entry.lessons) >= max(1, minimum),
                   let ranges = fetcher as? any RangeFetcher {
                    prefetched = await listingFromPack(ChannelPath.pack(head.release, curriculum: c, locale: l), entry: entry, from: ranges)
                }
                let listing = try await fetchMetadata([entry.listing], what: { _ in listingWhat }, prefetched: prefetched)
                let buckets = try PartListing.readListing(listing[entry.listing.sha256]!, lessons: entry.lessons, what: listingWhat)
                // Buckets whose object is one the store's lessons are known to match need not be fetched.
                let matching = known.flatMap { $0.count == buckets.count ? $0 : nil }
                var lessons: [[String: ObjectRef]] = []
                var fetch: [Int] = []
                for (i, ref) in buckets.enumerated() {
                    if let held, let matching, matching[i] == ref {
                        lessons.append(held.lessons.filter { PartListing.bucket(of: $0.key, bits: buckets.count.trailingZeroBitCount) == i })
                    } else {
                        lessons.append([:])
                        fetch.append(i)
                    }
                }
                @Sendable func bucketWhat(_ i: Int) -> String { "\(ChannelPath.object(buckets[i].sha256)) (bucket \(i) of \(what))" }
                let index = Dictionary(fetch.map { (buckets[$0].sha256, $0) }, uniquingKeysWith: { a, _ in a })
                let fetched = try await fetchMetadata(fetch.map { buckets[$0] }, what: { bucketWhat(index[$0.sha256]!) }, prefetched: prefetched)
                for i in fetch {
                    lessons[i] = try PartListing.readBucket(fetched[buckets[i].sha256]!, index: i, count: buckets.count, what: bucketWhat(i))
                }
                update.parts[c]![l] = try PartListing.assemble(index: part.index, assets: part.assets, buckets: lessons, hash: entry.part, what: what)
                update.buckets[c, default: [:]][l] = buckets
            }
        }
    }

    /// Listing and bucket objects, several at a time, each capped at its signed size and checked
    /// against its hash. A sync keeps none of them: the store remembers their hashes.
    /// `prefetched` (sha256 → bytes, from a pack, unchecked) is used for an object whose bytes match its ref.
    func fetchMetadata(_ refs: [ObjectRef], what: @escaping @Sendable (ObjectRef) -> String, prefetched: [String: Data] = [:]) async throws -> [String: Data] {
        var out: [String: Data] = [:]
        for ref in Set(refs) { if let data = prefetched[ref.sha256], ObjectRef(of: data) == ref { out[ref.sha256] = data } }
        let unique = Array(Set(refs)).filter { out[$0.sha256] == nil }.sorted { $0.sha256 < $1.sha256 }
        let (fetcher, retry, width) = (self.fetcher, source.retry, max(1, o.concurrency))
        try await withThrowingTaskGroup(of: (String, Data).self) { group in
            var next = 0
            func start() {
                let ref = unique[next]
                next += 1
                group.addTask {
                    let path = ChannelPath.object(ref.sha256)
                    let fetched: Data?
                    do { fetched = try await retry.run(path, { try await fetcher.fetch(path, limit: ref.size) }) } catch let e as SyncError {
                        // Name what the object is for: "objects/…/… (bucket 3 of …): …".
                        throw SyncError(e.kind, what(ref) + (e.message.hasPrefix(path) ? String(e.message.dropFirst(path.count)) : ": " + e.message))
                    }
                    guard let data = fetched else { throw SyncError(.source, "\(what(ref)): missing; refused") }
                    guard ObjectRef(of: data) == ref else {
                        throw SyncError(.integrity, "\(what(ref)): does not match the sha256 and size the channel signed; refused")
                    }
                    return (ref.sha256, data)
                }
            }
            while next < unique.count && next < width { start() }
            while let (sha, data) = try await group.next() {
                out[sha] = data
                if next < unique.count { start() }
            }
        }
        return out
    }

    /// The parts of a full manifest the subscription asks for. A curriculum or locale the user
    /// names but the channel lacks is an error, unless the store held it (then it was removed).
    func select(_ manifest: Manifest, subscription: Subscription, release: Int) throws -> [String: [String: StorePart]] {
        let held = old?.parts ?? [:]
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

    /// The listing and the entries after it in a part's pack (where publish puts its buckets),
    /// read with two or three Range requests: sha256 → bytes, not yet checked. Empty when the pack
    /// cannot be read so (the objects are then fetched one by one).
    mutating func listingFromPack(_ path: String, entry: ListedPart, from fetcher: any RangeFetcher) async -> [String: Data] {
        let reader = PackRead(fetcher: fetcher, writer: writer, retry: source.retry, width: 1, spanBytes: max(1, o.bulkSpanBytes), progress: nil)
        var outcome = PackRead.Outcome()
        defer { report.packRequests += outcome.requests }
        do {
            guard let directory = try await reader.readDirectory(path, &outcome),
                  let first = directory.records.firstIndex(where: { $0.name == ChannelPath.object(entry.listing.sha256) }) else { return [:] }
            let start = directory.records[first].headerOffset
            var last = first
            let count = 1 << PartListing.bits(forLessons: entry.lessons)
            while last + 1 < directory.records.count, last - first < count, directory.records[last + 1].end - start <= max(1, o.bulkSpanBytes) { last += 1 }
            let records = directory.records[first...last]
            let end = records.last!.end
            let got = try await source.retry.run(path) { () async throws -> RangeData in
                guard let r = try await fetcher.fetchRange(path, .span(first: start, last: end - 1), limit: end - start) else { throw FetchFailure.notFound }
                guard r.fileSize == directory.archiveSize, r.start == start, r.data.count == end - start else { throw FetchFailure.badRange }
                return r
            }
            outcome.requests += 1
            var out: [String: Data] = [:]
            for record in records where record.name.hasPrefix("objects/") {
                out[String(record.name.split(separator: "/").last!)] = try ZipDirectory.entry(record, in: got.data, spanStart: start)
            }
            return out
        } catch {
            report.notes.append("\(path): the listing could not be read from it (\(error)); fetched it and its buckets one by one")
            return [:]
        }
    }

    /// Applies a diff's entries to the parts the store holds. Each resulting part must hash to
    /// what the signed diff says, so a diff applied to the wrong base, or objects of two releases
    /// mixed, is refused.
    func apply(_ diff: DiffDocument, to old: [String: [String: StorePart]], subscription: Subscription) throws -> PartUpdate {
        let path = ChannelPath.diff(from: diff.from, to: diff.to)
        var update = PartUpdate(parts: old)
        update.buckets = self.old?.buckets ?? [:]
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
                        update.deltas[next.sha256] = DeltaSource(delta: delta, base: previous)
                    }
                }
                guard let expected = hash else {
                    guard index == nil, assets.isEmpty, lessons.isEmpty else { throw refuse(c, l, "it is removed, but entries remain") }
                    update.parts[c]?[l] = nil
                    update.buckets[c]?[l] = nil
                    if update.parts[c]?.isEmpty == true { update.parts[c] = nil }
                    continue
                }
                guard let index else { throw refuse(c, l, "it has no index") }
                let part = StorePart(index: index, assets: assets, lessons: lessons)
                guard part.hash == expected else { throw refuse(c, l, "the result does not match the signed part hash") }
                update.parts[c, default: [:]][l] = part
                // The buckets holding a changed lesson are no longer known (nor any, if their number changes).
                if var known = update.buckets[c]?[l] {
                    let bits = known.count.trailingZeroBitCount
                    if PartListing.bits(forLessons: lessons.count) != bits { known = [] }
                    for change in changes[c]?[l] ?? [] where change.key.kind == .lesson && !known.isEmpty {
                        known[PartListing.bucket(of: change.key.id, bits: bits)] = nil
                    }
                    update.buckets[c]![l] = known.isEmpty ? nil : known
                }
            }
        }
        return update
    }
}
