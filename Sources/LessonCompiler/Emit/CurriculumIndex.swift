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
        // What follows the lessons is written first, apart, so that the whole index is allocated
        // once at its size: growing it by doubling (16 MB at 40,000 lessons, copied into 32 MB)
        // was the build's peak of memory.
        var tail = PrettyWriter(level: 1, capacity: 4096)
        tail.empty = false
        tail.member("level_titles") { $0.strings(m.levelTitles) }
        tail.member("license") { $0.value(.string(m.license)) }
        tail.member("locales") { $0.strings(locales) }
        tail.member("title") { $0.value(.string(m.title)) }
        // Per locale, each of the curriculum's own texts that is translated (issue 15.6); a text
        // missing there is shown in the source language.
        var translated: [String: JSON] = [:]
        for t in texts {
            let members: [String: JSON] = t.indexMembers(c)
            if !members.isEmpty && translated[t.locale] == nil { translated[t.locale] = JSON.object(members) }
        }
        if !translated.isEmpty { tail.member("translations") { $0.value(JSON.object(translated)) } }
        tail.member("tree") { $0.tree(c.children, texts: texts) }
        tail.member("version") { $0.value(.string(m.version)) }
        tail.close("}")
        tail.out.append(0x0A)

        func entry(_ i: Int) -> [UInt8] {
            // The entry alone, not the whole record copied out of the list (twice per lesson).
            if let entry = records[i]?.indexEntry, !entry.isEmpty { return entry }
            return lessonEntry(c.lessons[i], files: records[i]?.files ?? [], locales: locales)
        }
        // "lessons": [ then each entry on its own line two levels deep, then "\n  ]".
        let listed = c.lessons.indices.reduce(0) { $0 + entry($1).count + 6 } + 8
        w.out.reserveCapacity(w.out.count + 64 + listed + tail.out.count)
        w.member("lessons") { w in
            w.list(Array(c.lessons.indices)) { w, i in w.out.append(contentsOf: entry(i)) }
        }
        w.out.append(contentsOf: tail.out)
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
        // Written member by member: two dictionaries of JSON values per lesson were a fortieth of a build.
        w.member("fallback") { $0.object(locales) { w, locale in w.value(fallback[locale] ?? .bool(false)) } }
        w.member("files") { $0.object(locales) { w, locale in JSON.writeString("\(locale)/\(l.id).json", into: &w.out) } }
        w.member("id") { $0.value(.string(l.id)) }
        w.member("path") { $0.value(.string(l.relativePath)) }
        w.member("title") { $0.value(.string(l.meta.title)) }
        // The title in each locale that publishes the lesson translated, for menus (issue 15.6).
        var titles: [String: JSON] = [:]
        for f in files where f.coverage != nil && !f.fallback && f.title != l.meta.title {
            titles[f.locale] = JSON.object(["title": JSON.string(f.title)])
        }
        if !titles.isEmpty { w.member("translations") { $0.value(.object(titles)) } }
        w.member("units") { $0.strings(l.unitTitles) }
        w.close("}")
        // Kept with the lesson's record for the rest of the run: no spare capacity (40,000 of them).
        return [UInt8](unsafeUninitializedCapacity: w.out.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: w.out)
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

    init(level: Int = 0, capacity: Int? = nil) {
        self.level = level
        out.reserveCapacity(capacity ?? (level == 0 ? 64 * 1024 : 512))
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

    /// An object written member by member, its keys (distinct) in the canonical serializer's order.
    mutating func object(_ keys: [String], _ value: (inout PrettyWriter, String) -> Void) {
        if keys.isEmpty { out.append(contentsOf: "{}".utf8); return }
        open("{")
        for key in keys.sorted(by: JSON.keyOrder) { member(key) { value(&$0, key) } }
        close("}")
    }

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

extension PrettyWriter {
    /// The unit tree, node by node (the same bytes as the whole tree as one `JSON` value, without
    /// holding 40,000 lesson nodes as dictionaries at once).
    mutating func tree(_ nodes: [TreeNode], texts: [CurriculumTranslation]) {
        list(nodes) { w, node in
            switch node {
            case .lesson(let id):
                w.value(["id": .string(id), "type": "lesson"])
            case .unit(let u):
                w.open("{")
                w.member("children") { $0.tree(u.children, texts: texts) }
                w.member("slug") { $0.value(.string(u.slug)) }
                if !u.summary.isEmpty { w.member("summary") { $0.value(.string(u.summary)) } }
                w.member("title") { $0.value(.string(u.title)) }
                var translated: [String: JSON] = [:]
                for t in texts {
                    let members = t.unitMembers(u)
                    if !members.isEmpty { translated[t.locale] = .object(members) }
                }
                if !translated.isEmpty { w.member("translations") { $0.value(.object(translated)) } }
                w.member("type") { $0.value("unit") }
                w.close("}")
            }
        }
    }
}
