import Foundation
import LessonSupport

/// `releases/<N>/manifest.json`: every curriculum × locale × lesson and asset → object, plus the
/// hashes of the release's human-readable documents (`ChannelPath.releaseDocuments`).
///
///     {"curricula":{"demo":{…ManifestCurriculum…}},"documents":{"LICENSE":{"sha256":"…","size":20}},
///      "format":"lessonc-manifest/1","published":"2024-05-02T00:00:00Z","release":3}
public struct Manifest: Equatable, Sendable {
    public static let format = "lessonc-manifest/1"
    public var release: Int
    public var published: Int
    public var curricula: [String: ManifestCurriculum]
    /// `NOTES.md`, `ATTRIBUTION.md`, `LICENSE` → hash and size.
    public var documents: [String: ObjectRef]

    public init(release: Int, published: Int, curricula: [String: ManifestCurriculum], documents: [String: ObjectRef]) {
        self.release = release; self.published = published; self.curricula = curricula; self.documents = documents
    }

    public var json: JSON {
        ["format": .string(Self.format), "release": .int(release), "published": .string(Timestamp.rfc3339(published)),
         "curricula": .object(curricula.mapValues(\.json)), "documents": .object(documents.mapValues(\.fileJSON))]
    }

    /// The file's bytes: `CanonicalJSON.document(json)`.
    public var canonicalBytes: Data { CanonicalJSON.document(json) }

    public init(data: Data, path: String) throws {
        let r = try DocumentReader.document(data, path, format: Self.format)
        release = try r.release("release")
        published = try r.time("published")
        var curricula: [String: ManifestCurriculum] = [:]
        for (id, value) in try r.members("curricula") {
            guard ChannelName.isSafe(id) else { throw ChannelFormatError("\(path): bad curriculum id '\(id)'") }
            curricula[id] = try ManifestCurriculum(json: value, id: id, path: path)
        }
        self.curricula = curricula
        documents = try r.members("documents").reduce(into: [:]) { out, e in
            let d = DocumentReader(e.value, "\(path): documents.\(e.key)")
            out[e.key] = ObjectRef(sha256: try d.sha256("sha256"), size: try d.size("size"))
        }
    }

    /// Every entry a device can subscribe to, flattened: the index and assets of a curriculum
    /// appear once per locale, because a device holds one locale and needs them all the same.
    public var entries: [ChangeKey: ObjectRef] {
        var out: [ChangeKey: ObjectRef] = [:]
        for (c, cur) in curricula {
            for (l, lessons) in cur.locales {
                out[ChangeKey(curriculum: c, locale: l, kind: .index, id: c)] = cur.index
                for (a, ref) in cur.assets { out[ChangeKey(curriculum: c, locale: l, kind: .asset, id: a)] = ref }
                for (id, ref) in lessons { out[ChangeKey(curriculum: c, locale: l, kind: .lesson, id: id)] = ref }
            }
        }
        return out
    }

    /// All objects this release needs, each once.
    public var objects: Set<ObjectRef> {
        var out = Set<ObjectRef>()
        for cur in curricula.values {
            out.insert(cur.index)
            out.formUnion(cur.assets.values)
            for lessons in cur.locales.values { out.formUnion(lessons.values) }
        }
        return out
    }

    /// True when the two releases carry the same content (documents and dates aside).
    public func sameContent(as other: Manifest) -> Bool { curricula == other.curricula }
}
