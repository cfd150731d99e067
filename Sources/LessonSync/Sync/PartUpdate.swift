import Foundation
import LessonChannel
import LessonSupport

/// What the new release holds for the subscription, part by part (curriculum → locale), and the
/// deltas that can rebuild changed objects from the ones the store has (new object sha256 →).
struct PartUpdate {
    var parts: [String: [String: StorePart]]
    var deltas: [String: DeltaSource] = [:]
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
        return PartUpdate(parts: try select(try await fetchManifest(head, key: key), subscription: subscription, release: head.release))
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

    func fetchManifest(_ head: Head, key: MinisignPublicKey) async throws -> Manifest {
        let path = ChannelPath.manifest(head.release)
        guard let data = try await source.read(path, limit: head.manifest.size) else { throw SyncError(.source, "\(path): missing, but \(head.path) names it") }
        guard ObjectRef(of: data) == head.manifest else {
            throw SyncError(.integrity, "\(path): does not match the sha256 and size in \(head.path); refused")
        }
        _ = try await source.readSigned(path, key: key, release: head.release)
        let manifest = try Manifest(data: data, path: path)
        guard manifest.release == head.release else { throw SyncError(.integrity, "\(path): says it is release \(manifest.release); refused") }
        return manifest
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

    /// Applies a diff's entries to the parts the store holds. Each resulting part must hash to
    /// what the signed diff says, so a diff applied to the wrong base, or objects of two releases
    /// mixed, is refused.
    func apply(_ diff: DiffDocument, to old: [String: [String: StorePart]], subscription: Subscription) throws -> PartUpdate {
        let path = ChannelPath.diff(from: diff.from, to: diff.to)
        var update = PartUpdate(parts: old)
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
                    if update.parts[c]?.isEmpty == true { update.parts[c] = nil }
                    continue
                }
                guard let index else { throw refuse(c, l, "it has no index") }
                let part = StorePart(index: index, assets: assets, lessons: lessons)
                guard part.hash == expected else { throw refuse(c, l, "the result does not match the signed part hash") }
                update.parts[c, default: [:]][l] = part
            }
        }
        return update
    }
}
