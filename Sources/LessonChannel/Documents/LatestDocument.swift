import Foundation
import LessonSupport

/// `latest.json`: the newest release, its manifest, until when this statement is fresh, and the
/// releases a diff to it exists from. The only file that changes in place; devices fetch it (and
/// its signature) first, and refuse it once `expires` has passed.
///
///     {"diffs_from":[1,2],"expires":"2024-06-01T00:00:00Z","format":"lessonc-latest/1",
///      "manifest":{"path":"releases/3/manifest.json","sha256":"…","size":1234},
///      "published":"2024-05-02T00:00:00Z","release":3}
public struct LatestDocument: Equatable, Sendable {
    public static let format = "lessonc-latest/1"
    public var release: Int
    public var published: Int
    public var expires: Int
    public var manifest: ObjectRef
    public var diffsFrom: [Int]

    public init(release: Int, published: Int, expires: Int, manifest: ObjectRef, diffsFrom: [Int]) {
        self.release = release; self.published = published; self.expires = expires
        self.manifest = manifest; self.diffsFrom = diffsFrom
    }

    public var json: JSON {
        ["format": .string(Self.format), "release": .int(release), "published": .string(Timestamp.rfc3339(published)),
         "expires": .string(Timestamp.rfc3339(expires)), "manifest": manifest.manifestJSON(release: release),
         "diffs_from": .array(diffsFrom.map { .int($0) })]
    }

    /// The file's bytes: `CanonicalJSON.document(json)`.
    public var canonicalBytes: Data { CanonicalJSON.document(json) }

    public init(data: Data) throws {
        let r = try DocumentReader.document(data, ChannelPath.latest, format: Self.format)
        release = try r.release("release")
        published = try r.time("published")
        expires = try r.time("expires")
        manifest = try r.manifestRef(release: release)
        let n = release
        diffsFrom = try r.array("diffs_from").enumerated().map { i, v in
            guard case .int(let m) = v, m >= 1, m < n else { throw ChannelFormatError("\(ChannelPath.latest): diffs_from[\(i)] must be a release before \(n)") }
            return m
        }
    }
}
