import Foundation
import LessonChannel
import LessonSupport

/// What the store lacks for the new parts: objects to download, objects to rebuild from a delta,
/// and objects already held uncompressed (rebuilt from a delta before).
struct ObjectPlan: Sendable {
    var fetch: [ObjectRef] = []
    var patch: [Patch] = []
    /// Object sha256 → its uncompressed content's hash and size.
    var contents: [String: ObjectRef] = [:]
}

/// An object to rebuild: `delta` applied to the content of `base`, which the store holds.
struct Patch: Sendable {
    var target: ObjectRef
    var delta: DeltaRef
    var base: ObjectRef
}

extension SyncRun {
    /// True when every object the state refers to is in the store (sizes only: it is the
    /// state the store switched to, whose objects were checked when they arrived).
    func allPresent(_ state: StoreState) -> Bool {
        state.objects.allSatisfy { ref in
            if let c = state.contents[ref.sha256] { return DeviceStore.fileSize(store.contentURL(c.sha256)) == c.size }
            return DeviceStore.fileSize(store.objectURL(ref.sha256)) == ref.size
        }
    }

    /// What the store lacks. Objects of the current release are trusted by size; any other file
    /// found (left by an interrupted sync) is hashed before it is used, many at once.
    func planObjects(_ parts: [String: [String: StorePart]], deltas: [String: DeltaSource]) -> ObjectPlan {
        enum Holding: Sendable { case content(ObjectRef), object, patch(Patch), fetch }
        let store = self.store, old = self.old
        let held = Set(old?.objects.map(\.sha256) ?? [])
        let needed = Set(parts.values.flatMap { $0.values.flatMap(\.objects) }).sorted { $0.sha256 < $1.sha256 }
        @Sendable func holds(_ url: URL, _ ref: ObjectRef, trusted: Bool) -> Bool {
            guard DeviceStore.fileSize(url) == ref.size else { return false }
            return trusted || (try? DeviceStore.readChecked(url, ref)) != nil
        }
        let holdings = Parallel.map(needed) { ref -> Holding in
            if let c = old?.contents[ref.sha256], holds(store.contentURL(c.sha256), c, trusted: true) { return .content(c) }
            if holds(store.objectURL(ref.sha256), ref, trusted: held.contains(ref.sha256)) { return .object }
            if let d = deltas[ref.sha256] {
                let content = ObjectRef(sha256: d.delta.contentSHA256, size: d.delta.contentSize)
                if holds(store.contentURL(content.sha256), content, trusted: false) { return .content(content) }
                if held.contains(d.base.sha256) { return .patch(Patch(target: ref, delta: d.delta, base: d.base)) }
            }
            return .fetch
        }
        var plan = ObjectPlan()
        for (ref, holding) in zip(needed, holdings) {
            switch holding {
            case .content(let c): plan.contents[ref.sha256] = c
            case .object: break
            case .patch(let p): plan.patch.append(p)
            case .fetch: plan.fetch.append(ref)
            }
        }
        return plan
    }

    /// A pack carries the objects of one curriculum in one locale: refuse, before downloading
    /// anything, a subscription that needs others the store does not have.
    func checkPackHolds(_ plan: ObjectPlan, parts: [String: [String: StorePart]], pack: PackDocument) throws {
        let missing = Set(plan.fetch.map(\.sha256))
        var others: [String] = []
        for (c, locales) in parts {
            for (l, part) in locales where (c, l) != (pack.curriculum, pack.locale) && part.objects.contains(where: { missing.contains($0.sha256) }) {
                others.append("\(c) in \(l)")
            }
        }
        guard others.isEmpty else { throw packLacks(pack, others) }
    }

    func packLacks(_ pack: PackDocument, _ others: [String]) -> SyncError {
        SyncError(.source, "the pack holds only \(pack.curriculum) in \(pack.locale), but the store also subscribes to \(others.sorted().joined(separator: ", ")), whose lessons it does not have; sync from the channel, or narrow the subscription with --curricula and --locales")
    }

    /// Downloads (or rebuilds) what the plan lacks; returns every object held uncompressed.
    /// From a host, a part that lacks many objects reads them from its pack of `release` first.
    mutating func download(_ plan: ObjectPlan, parts: [String: [String: StorePart]], release: Int?) async throws -> [String: ObjectRef] {
        var plan = plan
        if let release, let minimum = o.bulkMinimum, let ranges = fetcher as? any RangeFetcher {
            plan.fetch = try await readPacks(plan.fetch, parts: parts, release: release, minimum: minimum, from: ranges)
        }
        let downloader = Downloader(fetcher: fetcher, writer: writer, retry: source.retry, held: old,
                                    width: max(1, o.concurrency), progress: o.progress)
        let outcome = try await downloader.run(plan)
        report.objectsFetched += outcome.fetched
        report.deltasApplied = outcome.deltas
        report.notes += outcome.notes.sorted()
        return outcome.contents
    }
}

extension SyncRun {
    /// Bulk transfer (`PackRead`): for each part, in order, that lacks at least `minimum` of the
    /// objects still to fetch, reads them from its pack. Returns what is left to fetch one by one.
    mutating func readPacks(_ fetch: [ObjectRef], parts: [String: [String: StorePart]], release: Int, minimum: Int,
                            from fetcher: any RangeFetcher) async throws -> [ObjectRef] {
        var left = fetch
        let reader = PackRead(fetcher: fetcher, writer: writer, retry: source.retry, width: max(1, o.concurrency),
                              spanBytes: max(1, o.bulkSpanBytes), progress: o.progress)
        for (curriculum, locales) in parts.sorted(by: { $0.key < $1.key }) {
            for (locale, part) in locales.sorted(by: { $0.key < $1.key }) {
                let mine = Set(part.objects.map(\.sha256))
                let wanted = left.filter { mine.contains($0.sha256) }
                guard wanted.count >= max(1, minimum) else { continue }
                let outcome = try await reader.run(path: ChannelPath.pack(release, curriculum: curriculum, locale: locale), wanted: wanted)
                left.removeAll { outcome.placed.contains($0.sha256) }
                report.objectsFetched += outcome.placed.count
                report.objectsFromPacks += outcome.placed.count
                report.packRequests += outcome.requests
                report.notes += outcome.notes
            }
        }
        return left
    }
}
