import LessonSupport

/// The index of one curriculum (`lessonc-index/1`): units, lessons, locales and assets, pretty
/// printed as the canonical `JSON` serializer does, written member by member. The lessons list
/// is written entry by entry, never as one tree: for 40,000 lessons that tree alone took more
/// memory than the rest of the build.
enum CurriculumIndex {
    /// `records` are the lessons' records in reading order (nil for a lesson that could not be
    /// read); `assets` the used assets, sorted.
    /// `texts`: the curriculum's own texts in each translated locale (`translations` members).
    static func bytes(_ c: Curriculum, records: [LessonRecord?], locales: [String], assets: [String], texts: [CurriculumTranslation] = []) -> [UInt8] {
        let m = c.meta
        var w = PrettyWriter()
        w.open("{")
        w.member("assets") { w in
            w.value(.array(assets.map { a in ["path": .string(a), "size": .int(c.assets[a] ?? 0)] }))
        }
        w.member("audience") { $0.strings(m.audience) }
        w.member("authors") { $0.strings(m.authors) }
        w.member("description") { $0.value(.string(c.description)) }
        let partial = records.contains { $0?.files.contains(where: \.isPartial) ?? false }
        w.member("format") { $0.value(.string(partial ? LessonDocument.indexFormatWithPartial : LessonDocument.indexFormat)) }
        w.member("id") { $0.value(.string(c.id)) }
        w.member("language") { $0.value(.string(m.language)) }
        if let legacy = m.legacyFile { w.member("legacy_file") { $0.value(.string(legacy)) } }
        w.member("lessons") { w in
            w.list(Array(c.lessons.indices)) { w, i in
                if let record = records[i], !record.indexEntry.isEmpty {
                    w.out.append(contentsOf: record.indexEntry)
                } else {
                    w.out.append(contentsOf: lessonEntry(c.lessons[i], files: records[i]?.files ?? [], locales: locales))
                }
            }
        }
        w.member("level_titles") { $0.strings(m.levelTitles) }
        w.member("license") { $0.value(.string(m.license)) }
        w.member("locales") { $0.strings(locales) }
        w.member("title") { $0.value(.string(m.title)) }
        // Per locale, each of the curriculum's own texts that is translated (issue 15.6); a text
        // missing there is shown in the source language.
        let translated = Dictionary(texts.map { ($0.locale, JSON.object($0.indexMembers(c))) }.filter { $0.1 != .object([:]) }) { a, _ in a }
        if !translated.isEmpty { w.member("translations") { $0.value(.object(translated)) } }
        w.member("tree") { $0.value(.array(tree(c.children, texts: texts))) }
        w.member("version") { $0.value(.string(m.version)) }
        w.close("}")
        w.out.append(0x0A)
        return w.out
    }

    /// One lesson's entry in the `lessons` list, as it stands there (nested two deep): made when the
    /// lesson is compiled and kept with its record, so the index of a large curriculum is put
    /// together from its entries rather than written again.
    static func lessonEntry(_ l: LessonSource, files: [LessonFile], locales: [String]) -> [UInt8] {
        // true: the source language; "partial": published with some texts in it (index format 2).
        var fallback: [String: JSON] = [:]
        for f in files { fallback[f.locale] = f.isPartial ? .string("partial") : .bool(f.fallback) }
        var w = PrettyWriter(level: 2)
        w.open("{")
        if !l.meta.audience.isEmpty { w.member("audience") { $0.strings(l.meta.audience) } }
        if let warning = l.meta.contentWarning { w.member("content_warning") { $0.value(.string(warning)) } }
        if let duration = l.meta.duration { w.member("duration") { $0.value(.string(duration)) } }
        w.member("fallback") { $0.value(.object(Dictionary(uniqueKeysWithValues: locales.map { ($0, fallback[$0] ?? .bool(false)) }))) }
        w.member("files") { $0.value(.object(Dictionary(uniqueKeysWithValues: locales.map { ($0, .string("\($0)/\(l.id).json")) }))) }
        w.member("id") { $0.value(.string(l.id)) }
        w.member("path") { $0.value(.string(l.relativePath)) }
        w.member("title") { $0.value(.string(l.meta.title)) }
        // The title in each locale that publishes the lesson translated, for menus (issue 15.6).
        var titles: [String: JSON] = [:]
        for f in files where f.coverage != nil && !f.fallback && f.title != l.meta.title { titles[f.locale] = ["title": .string(f.title)] }
        if !titles.isEmpty { w.member("translations") { $0.value(.object(titles)) } }
        w.member("units") { $0.strings(l.unitTitles) }
        w.close("}")
        return w.out
    }

    static func tree(_ nodes: [TreeNode], texts: [CurriculumTranslation] = []) -> [JSON] {
        nodes.map { node in
            switch node {
            case .lesson(let id): return ["type": "lesson", "id": .string(id)]
            case .unit(let u):
                var o: [String: JSON] = ["type": "unit", "slug": .string(u.slug), "title": .string(u.title), "children": .array(tree(u.children, texts: texts))]
                if !u.summary.isEmpty { o["summary"] = .string(u.summary) }
                var translated: [String: JSON] = [:]
                for t in texts {
                    let members = t.unitMembers(u)
                    if !members.isEmpty { translated[t.locale] = .object(members) }
                }
                if !translated.isEmpty { o["translations"] = .object(translated) }
                return .object(o)
            }
        }
    }
}

/// Writes pretty JSON (two-space indent, `"key": value`) one member at a time. Members must be
/// given in byte order of their keys, as the canonical serializer sorts them.
private struct PrettyWriter {
    var out: [UInt8] = []
    var level = 0
    /// Whether the object or array being written has no member yet.
    var empty = true

    init(level: Int = 0) {
        self.level = level
        out.reserveCapacity(level == 0 ? 64 * 1024 : 512)
    }

    mutating func newline(_ level: Int) {
        out.append(0x0A)
        for _ in 0..<level { out.append(0x20); out.append(0x20) }
    }

    mutating func open(_ bracket: StaticString) {
        out.append(bracket.utf8Start.pointee)
        level += 1
        empty = true
    }

    mutating func close(_ bracket: StaticString) {
        level -= 1
        // An object with no members is "{}"; the writers here never produce one.
        newline(level)
        out.append(bracket.utf8Start.pointee)
        empty = false
    }

    mutating func separator() {
        if !empty { out.append(UInt8(ascii: ",")) }
        empty = false
        newline(level)
    }

    mutating func member(_ key: String, _ value: (inout PrettyWriter) -> Void) {
        separator()
        JSON.writeString(key, into: &out)
        out.append(UInt8(ascii: ":")); out.append(0x20)
        value(&self)
    }

    mutating func value(_ json: JSON) { json.write(into: &out, pretty: true, level: level) }

    mutating func strings(_ list: [String]) { value(.array(list.map { .string($0) })) }

    /// An array written element by element.
    mutating func list<T>(_ items: [T], _ element: (inout PrettyWriter, T) -> Void) {
        if items.isEmpty { out.append(contentsOf: "[]".utf8); return }
        open("[")
        for item in items {
            separator()
            element(&self, item)
        }
        close("]")
    }
}
