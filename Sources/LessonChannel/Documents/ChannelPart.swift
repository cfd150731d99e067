import Foundation
import LessonSupport

/// One curriculum in one locale as a device holds it: the curriculum's index, its assets (shared
/// by all its locales) and that locale's lessons. A diff's `parts` gives, for each part it
/// changes, the hash of the part in the new release (`hash`), so a device that applies the diff
/// to the part it holds can check it arrived at exactly the signed result.
public struct ChannelPart: Equatable, Sendable {
    public var index: ObjectRef
    /// Asset path (`assets/x.svg`) → object.
    public var assets: [String: ObjectRef]
    /// Lesson id → object.
    public var lessons: [String: ObjectRef]

    public init(index: ObjectRef, assets: [String: ObjectRef], lessons: [String: ObjectRef]) {
        self.index = index; self.assets = assets; self.lessons = lessons
    }

    /// `{"assets": {path: ref…}, "index": ref, "lessons": {id: ref…}}`, each ref `{"object", "size"}`.
    public var json: JSON {
        ["index": index.json, "assets": .object(assets.mapValues(\.json)), "lessons": .object(lessons.mapValues(\.json))]
    }

    /// SHA-256 of the part's canonical JSON (`CanonicalJSON.sha256`), lowercase hex.
    public var hash: String { Sodium.sha256(canonicalBytes).hex }

    /// `CanonicalJSON.bytes(json)`, written straight from the refs (a test holds them equal): a
    /// part names every lesson, and building a JSON value of ten thousand objects to hash it took
    /// three times as long as the hashing.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + (lessons.count + assets.count) * 128)
        func write(_ ref: ObjectRef) {
            out.append(contentsOf: #"{"object":"#.utf8)
            JSON.writeString(ref.sha256, into: &out)
            out.append(contentsOf: #","size":"#.utf8)
            out.append(contentsOf: String(ref.size).utf8)
            out.append(UInt8(ascii: "}"))
        }
        func write(_ members: [String: ObjectRef]) {
            out.append(UInt8(ascii: "{"))
            for (n, key) in members.keys.sorted(by: JSON.keyOrder).enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                JSON.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(members[key]!)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: #"{"assets":"#.utf8)
        write(assets)
        out.append(contentsOf: #","index":"#.utf8)
        write(index)
        out.append(contentsOf: #","lessons":"#.utf8)
        write(lessons)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Every object the part refers to (the index first; an object shared by two entries twice).
    public var objects: [ObjectRef] { [index] + Array(assets.values) + Array(lessons.values) }
}
