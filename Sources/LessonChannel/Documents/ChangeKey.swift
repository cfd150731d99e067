/// What a diff entry is about: one item (a lesson, an asset, or the curriculum's index) of one
/// curriculum in one locale. Diffs list their entries sorted by these keys.
public struct ChangeKey: Hashable, Comparable, Sendable {
    /// `kind` in a diff entry. An `index` entry is the curriculum's table of contents; its `id`
    /// is the curriculum id.
    public enum Kind: String, Sendable, CaseIterable { case index, asset, lesson }
    public var curriculum: String
    public var locale: String
    public var kind: Kind
    /// Lesson id, asset path, or the curriculum id for its index.
    public var id: String

    public init(curriculum: String, locale: String, kind: Kind, id: String) {
        self.curriculum = curriculum; self.locale = locale; self.kind = kind; self.id = id
    }

    /// By curriculum, locale, kind name and id, each compared as strings.
    public static func < (a: ChangeKey, b: ChangeKey) -> Bool {
        (a.curriculum, a.locale, a.kind.rawValue, a.id) < (b.curriculum, b.locale, b.kind.rawValue, b.id)
    }
}
