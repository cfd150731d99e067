import LessonSupport

/// One entry of a diff: an item added, changed or removed, its new object (none when removed),
/// and for a changed lesson or index, optionally a delta against the old object.
///
///     {"change":"changed","curriculum":"demo","delta":{…},"id":"demo-1","kind":"lesson",
///      "locale":"en","object":"…","size":930}
public struct DiffChange: Equatable, Sendable {
    public enum Change: String, Sendable { case added, changed, removed }
    public var key: ChangeKey
    public var change: Change
    /// The new object; nil when removed (then `object` is null and `size` 0 in the file).
    public var object: ObjectRef?
    public var delta: DeltaRef?

    public init(key: ChangeKey, change: Change, object: ObjectRef?, delta: DeltaRef? = nil) {
        self.key = key; self.change = change; self.object = object; self.delta = delta
    }

    var json: JSON {
        var o: [String: JSON] = ["curriculum": .string(key.curriculum), "locale": .string(key.locale), "kind": .string(key.kind.rawValue),
                                 "id": .string(key.id), "change": .string(change.rawValue),
                                 "object": object.map { .string($0.sha256) } ?? .null, "size": .int(object?.size ?? 0)]
        if let delta { o["delta"] = delta.json }
        return .object(o)
    }

    /// Reads `changes[i]` of the diff at `path`.
    init(json: JSON, index i: Int, path: String) throws {
        let e = DocumentReader(json, "\(path): changes[\(i)]")
        guard let kind = ChangeKey.Kind(rawValue: try e.string("kind")) else { throw ChannelFormatError("\(path): changes[\(i)]: unknown kind") }
        guard let change = Change(rawValue: try e.string("change")) else { throw ChannelFormatError("\(path): changes[\(i)]: unknown change") }
        let key = ChangeKey(curriculum: try e.string("curriculum"), locale: try e.string("locale"), kind: kind, id: try e.string("id"))
        guard ChannelName.isSafe(key.curriculum), ChannelName.isSafe(key.locale), ZipReader.isSafeName(key.id) else {
            throw ChannelFormatError("\(path): changes[\(i)]: bad curriculum, locale or id")
        }
        let object: ObjectRef? = change == .removed ? nil : ObjectRef(sha256: try e.sha256("object"), size: try e.size("size"))
        let delta = try e.optional("delta").map { try DeltaRef(json: $0, at: "\(path): changes[\(i)].delta") }
        self.init(key: key, change: change, object: object, delta: delta)
    }
}
