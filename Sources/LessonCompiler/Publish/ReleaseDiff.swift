import LessonChannel
import LessonSupport
import Synchronization

/// The diff between two manifests, exactly as `DiffDocument(from:to:)` gives it (a test holds it
/// to that), found by walking both manifests curriculum by curriculum and locale by locale: a
/// locale whose lessons are the same is passed over whole, so a release that changed one lesson of
/// ten thousand compares references instead of building, hashing and sorting every key twice.
enum ReleaseDiff {
    static func between(_ old: Manifest, _ new: Manifest) -> DiffDocument {
        between(old, new, partHashes: PartHashes(new))
    }

    /// The diffs from several old manifests to one new one, in parallel, each part's hash of the
    /// new manifest computed once (hashing a part encodes all its lessons).
    static func between(_ olds: [Manifest], _ new: Manifest) -> [DiffDocument] {
        let hashes = PartHashes(new)
        return Parallel.map(olds) { between($0, new, partHashes: hashes) }
    }

    /// The new manifest's part hashes, each computed once, from any thread.
    final class PartHashes: Sendable {
        let manifest: Manifest
        private let known = Mutex<[String: String?]>([:])

        init(_ manifest: Manifest) { self.manifest = manifest }

        func hash(_ curriculum: String, _ locale: String) -> String? {
            let key = curriculum + "\u{0}" + locale
            // Computed under the lock: a second thread asking for it waits instead of hashing again.
            return known.withLock { known in
                if let hash = known[key] { return hash }
                let hash = manifest.curricula[curriculum]?.partHash(locale)
                known[key] = .some(hash)
                return hash
            }
        }
    }

    private static func between(_ old: Manifest, _ new: Manifest, partHashes: PartHashes) -> DiffDocument {
        var changes: [DiffChange] = []
        func compareLessons(_ id: String, _ locale: String, _ a: [String: ObjectRef], _ b: [String: ObjectRef]) {
            if a == b { return }
            for lesson in Set(a.keys).union(b.keys) where a[lesson] != b[lesson] {
                compare(ChangeKey(curriculum: id, locale: locale, kind: .lesson, id: lesson), a[lesson], b[lesson])
            }
        }
        func compare(_ key: ChangeKey, _ a: ObjectRef?, _ b: ObjectRef?) {
            switch (a, b) {
            case (nil, let n?): changes.append(DiffChange(key: key, change: .added, object: n))
            case (_?, nil): changes.append(DiffChange(key: key, change: .removed, object: nil))
            case (let o?, let n?) where o != n: changes.append(DiffChange(key: key, change: .changed, object: n))
            default: break
            }
        }
        for id in Set(old.curricula.keys).union(new.curricula.keys) {
            // Not `o == n` first: that compares every lesson; equal parts cost little below.
            let o = old.curricula[id], n = new.curricula[id]
            for locale in Set(o?.locales.keys ?? [:].keys).union(n?.locales.keys ?? [:].keys) {
                // A curriculum's index and assets count once in every locale it is published in.
                let before = o?.locales[locale].map { _ in o! }, after = n?.locales[locale].map { _ in n! }
                compare(ChangeKey(curriculum: id, locale: locale, kind: .index, id: id), before?.index, after?.index)
                for path in Set(before?.assets.keys ?? [:].keys).union(after?.assets.keys ?? [:].keys) {
                    compare(ChangeKey(curriculum: id, locale: locale, kind: .asset, id: path), before?.assets[path], after?.assets[path])
                }
                // Both parts in buckets of the same count: a lesson is in the same bucket in
                // both, and equal bucket refs mean equal lessons, so only differing buckets are read.
                if let x = old.listings[id]?[locale], let y = new.listings[id]?[locale], let xs = x.bucketLessons, let ys = y.bucketLessons,
                   xs.count == x.buckets.count, ys.count == y.buckets.count, x.buckets.count == y.buckets.count {
                    for i in x.buckets.indices where x.buckets[i] != y.buckets[i] {
                        compareLessons(id, locale, xs[i], ys[i])
                    }
                    continue
                }
                compareLessons(id, locale, o?.locales[locale] ?? [:], n?.locales[locale] ?? [:])
            }
        }
        changes.sort { $0.key < $1.key }
        var parts: [String: [String: String?]] = [:]
        for c in changes where parts[c.key.curriculum]?[c.key.locale] == nil {
            parts[c.key.curriculum, default: [:]][c.key.locale] = .some(partHashes.hash(c.key.curriculum, c.key.locale))
        }
        return DiffDocument(from: old.release, to: new.release, changes: changes, parts: parts)
    }
}
