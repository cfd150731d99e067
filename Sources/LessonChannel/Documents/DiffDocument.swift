import Foundation
import LessonSupport

/// `diffs/<M>-<N>.json`: what changed from release M to N, one entry per curriculum × locale ×
/// item, sorted, so a device reads only its curricula and locales and fetches only their objects.
/// `parts` gives, for every curriculum × locale that changed, the hash of its part of release N
/// (`ChannelPart.hash`), or null when it is gone.
///
///     {"changes":[{…DiffChange…}],"format":"lessonc-diff/1","from":2,
///      "parts":{"demo":{"en":"…sha256…","fr":null}},"to":3}
public struct DiffDocument: Equatable, Sendable {
    public static let format = "lessonc-diff/1"
    public var from: Int
    public var to: Int
    public var changes: [DiffChange]
    /// Curriculum → locale → part hash, or nil (JSON null) when the part is gone in release `to`.
    public var parts: [String: [String: String?]]

    public init(from: Int, to: Int, changes: [DiffChange], parts: [String: [String: String?]]) {
        self.from = from; self.to = to; self.changes = changes; self.parts = parts
    }

    /// The diff between two manifests, without deltas.
    public init(from old: Manifest, to new: Manifest) {
        let a = old.entries, b = new.entries
        var changes: [DiffChange] = []
        for key in Set(a.keys).union(b.keys).sorted() {
            switch (a[key], b[key]) {
            case (nil, let n?): changes.append(DiffChange(key: key, change: .added, object: n))
            case (_?, nil): changes.append(DiffChange(key: key, change: .removed, object: nil))
            case (let o?, let n?) where o != n: changes.append(DiffChange(key: key, change: .changed, object: n))
            default: break
            }
        }
        var parts: [String: [String: String?]] = [:]
        for c in changes {
            parts[c.key.curriculum, default: [:]][c.key.locale] = .some(new.curricula[c.key.curriculum]?.partHash(c.key.locale))
        }
        self.init(from: old.release, to: new.release, changes: changes, parts: parts)
    }

    public var json: JSON {
        ["format": .string(Self.format), "from": .int(from), "to": .int(to), "changes": .array(changes.map(\.json)),
         "parts": .object(parts.mapValues { .object($0.mapValues { $0.map(JSON.string) ?? .null }) })]
    }

    /// The file's bytes: `CanonicalJSON.document(json)`.
    public var canonicalBytes: Data { CanonicalJSON.document(json) }

    public init(data: Data, path: String) throws {
        let r = try DocumentReader.document(data, path, format: Self.format)
        from = try r.release("from")
        to = try r.release("to")
        guard from < to else { throw ChannelFormatError("\(path): 'from' must be before 'to'") }
        changes = try r.array("changes").enumerated().map { i, v in try DiffChange(json: v, index: i, path: path) }
        guard changes.map(\.key) == changes.map(\.key).sorted(), Set(changes.map(\.key)).count == changes.count else {
            throw ChannelFormatError("\(path): changes are not sorted or not unique")
        }
        parts = try r.members("parts").reduce(into: [:]) { out, c in
            out[c.key] = try DocumentReader(c.value, "\(path): parts.\(c.key)").members(nil).reduce(into: [String: String?]()) { o, l in
                if l.value == .null { o[l.key] = .some(nil); return }
                guard let s = l.value.stringValue, ChannelPath.isSHA256(s) else { throw ChannelFormatError("\(path): parts.\(c.key).\(l.key) must be a sha256 or null") }
                o[l.key] = s
            }
        }
    }
}
