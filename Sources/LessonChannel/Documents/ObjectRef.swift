import Foundation
import LessonSupport

/// An object as downloaded: the SHA-256 of its bytes (lowercase hex) and its size in bytes.
/// Objects live at `objects/<first two hex digits>/<sha256>` (`ChannelPath.object`) and never change.
public struct ObjectRef: Hashable, Sendable {
    public var sha256: String
    public var size: Int
    public init(sha256: String, size: Int) { self.sha256 = sha256; self.size = size }
    public init<D: ContiguousBytes>(of data: D) {
        sha256 = Sodium.sha256(data).hex
        size = data.withUnsafeBytes { $0.count }
    }

    /// `{"object": …, "size": …}` in manifests and diffs.
    public var json: JSON { ["object": .string(sha256), "size": .int(size)] }
    /// `{"sha256": …, "size": …}` where a file, not an object, is described.
    public var fileJSON: JSON { ["sha256": .string(sha256), "size": .int(size)] }
    /// How latest.json and pack.json point at a release's manifest: its path, hash and size.
    func manifestJSON(release: Int) -> JSON {
        ["path": .string(ChannelPath.manifest(release)), "sha256": .string(sha256), "size": .int(size)]
    }

    /// `{"object": …, "size": …}`, checked. `path` (for the error) is spelt only on an error:
    /// a bucket holds a hundred refs and a publish reads thousands of buckets.
    init(json: JSON, at path: @autoclosure () -> String) throws {
        if let o = json.objectValue, case .string(let sha)? = o["object"], ChannelPath.isSHA256(sha),
           case .int(let size)? = o["size"], size >= 0, size < ChannelLimits.sizeBound {
            self.init(sha256: sha, size: size)
            return
        }
        let r = DocumentReader(json, path())
        self.init(sha256: try r.sha256("object"), size: try r.size("size"))
    }
}
