import LessonSupport

/// The JSON documents a build writes: one per lesson per locale, one index per curriculum.
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

    /// `includeBody: false` leaves out blocks and html (for `LessonEncoder`, which streams them).
    /// `locale` is the locale the document is for; a fallback holds the source-language text, so its
    /// direction is the source's. `coverage` (percent of segments translated) is given for translations.
    public static func lesson(_ compiled: CompiledLesson, curriculum: Curriculum, locale: String, fallback: Bool = false, coverage: Int? = nil,
                              includeBody: Bool = true) -> JSON {
        let s = compiled.source
        var metadata: [String: JSON] = [
            "license": .string(s.meta.license ?? curriculum.meta.license),
            "authors": strings(s.meta.authors.isEmpty ? curriculum.meta.authors : s.meta.authors),
        ]
        if let d = s.meta.duration { metadata["duration"] = .string(d) }
        if !s.meta.audience.isEmpty { metadata["audience"] = strings(s.meta.audience) }
        if !s.meta.tags.isEmpty { metadata["tags"] = strings(s.meta.tags) }
        if let w = s.meta.contentWarning { metadata["content_warning"] = .string(w) }
        if !s.meta.source.isEmpty { metadata["source"] = strings(s.meta.source) }
        var doc: [String: JSON] = [
            "format": .string(lessonFormat(for: compiled.blocks)),
            "id": .string(s.id),
            "curriculum": .string(curriculum.id),
            "title": .string(s.meta.title),
            "locale": .string(locale),
            "direction": .string(LocaleInfo.direction(fallback ? curriculum.meta.language : locale)),
            "source_locale": .string(curriculum.meta.language),
            "fallback": .bool(fallback),
            "path": .string(s.relativePath),
            "units": strings(s.unitTitles),
            "metadata": .object(metadata),
        ]
        if includeBody {
            doc["blocks"] = Block.json(compiled.blocks)
            doc["html"] = .string(HTMLRenderer.render(compiled.blocks))
        }
        if let coverage { doc["coverage"] = .int(coverage) }
        return .object(doc)
    }

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
