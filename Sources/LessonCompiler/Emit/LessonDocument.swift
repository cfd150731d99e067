import LessonSupport

/// The formats of what a build writes: one document per lesson per locale (`LessonJSON` writes
/// it), one index per curriculum.
public enum LessonDocument {
    public static let lessonFormat = "lessonc-lesson/1"
    /// Version 2 adds footnotes (`footnote` blocks, `footnote_ref` inlines). A lesson without
    /// them stays version 1, byte for byte, so readers of version 1 keep reading every such lesson.
    public static let lessonFormatWithFootnotes = "lessonc-lesson/2"

    /// The oldest format that can hold these blocks: what a reader must understand to show the lesson.
    public static func lessonFormat(for blocks: [Block]) -> String {
        Block.containsFootnotes(blocks) ? lessonFormatWithFootnotes : lessonFormat
    }
    public static let indexFormat = "lessonc-index/1"

    /// `fallbacks`: lesson id → locale → true when that locale's file holds the source language.
    public static func index(_ curriculum: Curriculum, lessons: [LessonSource], locales: [String], assets: [String],
                             fallbacks: [String: [String: Bool]] = [:]) -> JSON {
        let m = curriculum.meta
        var o: [String: JSON] = [
            "format": .string(indexFormat),
            "id": .string(curriculum.id),
            "title": .string(m.title),
            "version": .string(m.version),
            "language": .string(m.language),
            "license": .string(m.license),
            "authors": strings(m.authors),
            "audience": strings(m.audience),
            "level_titles": strings(m.levelTitles),
            "description": .string(curriculum.description),
            "locales": strings(locales),
            "tree": .array(tree(curriculum.children)),
            "lessons": .array(lessons.map { l in
                var e: [String: JSON] = ["id": .string(l.id), "title": .string(l.meta.title), "path": .string(l.relativePath),
                                         "units": strings(l.unitTitles),
                                         "files": .object(Dictionary(uniqueKeysWithValues: locales.map { ($0, .string("\($0)/\(l.id).json")) })),
                                         "fallback": .object(Dictionary(uniqueKeysWithValues: locales.map { ($0, .bool(fallbacks[l.id]?[$0] ?? false)) }))]
                if let d = l.meta.duration { e["duration"] = .string(d) }
                if !l.meta.audience.isEmpty { e["audience"] = strings(l.meta.audience) }
                if let w = l.meta.contentWarning { e["content_warning"] = .string(w) }
                return .object(e)
            }),
            "assets": .array(assets.sorted().map { a in ["path": .string(a), "size": .int(curriculum.assets[a] ?? 0)] }),
        ]
        if let legacy = m.legacyFile { o["legacy_file"] = .string(legacy) }
        return .object(o)
    }

    static func tree(_ nodes: [TreeNode]) -> [JSON] {
        nodes.map { node in
            switch node {
            case .lesson(let id): return ["type": "lesson", "id": .string(id)]
            case .unit(let u):
                var o: [String: JSON] = ["type": "unit", "slug": .string(u.slug), "title": .string(u.title), "children": .array(tree(u.children))]
                if !u.summary.isEmpty { o["summary"] = .string(u.summary) }
                return .object(o)
            }
        }
    }

    static func strings(_ list: [String]) -> JSON { .array(list.map { .string($0) }) }
}
