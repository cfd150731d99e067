import Foundation
import LessonSupport

/// `pack.json` at the top of an offline pack: which release, curriculum and locale it holds, and
/// the manifest's hash. No expiry: a pack is for places without a network, where freshness cannot
/// be checked; a device still refuses a release older than the one it has.
///
///     {"curriculum":"demo","format":"lessonc-pack/1","locale":"en",
///      "manifest":{"path":"releases/3/manifest.json","sha256":"…","size":1234},
///      "published":"2024-05-02T00:00:00Z","release":3}
public struct PackDocument: Equatable, Sendable {
    public static let format = "lessonc-pack/1"
    public var release: Int
    public var published: Int
    public var curriculum: String
    public var locale: String
    public var manifest: ObjectRef

    public init(release: Int, published: Int, curriculum: String, locale: String, manifest: ObjectRef) {
        self.release = release; self.published = published; self.curriculum = curriculum; self.locale = locale; self.manifest = manifest
    }

    public var json: JSON {
        ["format": .string(Self.format), "release": .int(release), "published": .string(Timestamp.rfc3339(published)),
         "curriculum": .string(curriculum), "locale": .string(locale), "manifest": manifest.manifestJSON(release: release)]
    }

    /// The file's bytes: `CanonicalJSON.document(json)`.
    public var canonicalBytes: Data { CanonicalJSON.document(json) }

    public init(data: Data) throws {
        let r = try DocumentReader.document(data, ChannelPath.pack, format: Self.format)
        release = try r.release("release")
        published = try r.time("published")
        curriculum = try r.string("curriculum")
        locale = try r.string("locale")
        manifest = try r.manifestRef(release: release)
    }
}
