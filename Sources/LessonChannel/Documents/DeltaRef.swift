import LessonSupport

/// How a device may rebuild a changed object from the version it holds: apply the zlib delta
/// object (`Gzip.applyDelta`) to the old object's uncompressed content and check the result's
/// SHA-256. A device that does so keeps the uncompressed content; one that does not downloads
/// `object` instead.
///
///     "delta":{"base":"…old object…","content_sha256":"…","content_size":2048,"object":"…delta…","size":210}
public struct DeltaRef: Equatable, Sendable {
    /// The object the device holds (release `from`).
    public var base: String
    /// The delta object and its size as downloaded.
    public var delta: ObjectRef
    /// SHA-256 and size of the uncompressed result, which is the uncompressed new object.
    public var contentSHA256: String
    public var contentSize: Int

    public init(base: String, delta: ObjectRef, contentSHA256: String, contentSize: Int) {
        self.base = base; self.delta = delta; self.contentSHA256 = contentSHA256; self.contentSize = contentSize
    }

    var json: JSON {
        ["base": .string(base), "object": .string(delta.sha256), "size": .int(delta.size),
         "content_sha256": .string(contentSHA256), "content_size": .int(contentSize)]
    }

    init(json: JSON, at path: String) throws {
        let r = DocumentReader(json, path)
        base = try r.sha256("base")
        delta = ObjectRef(sha256: try r.sha256("object"), size: try r.size("size"))
        contentSHA256 = try r.sha256("content_sha256")
        contentSize = try r.size("content_size")
    }
}
