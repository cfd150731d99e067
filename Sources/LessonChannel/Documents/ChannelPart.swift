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
    public var hash: String { CanonicalJSON.sha256(json) }

    /// Every object the part refers to (the index first; an object shared by two entries twice).
    public var objects: [ObjectRef] { [index] + Array(assets.values) + Array(lessons.values) }
}
