import LessonSupport

/// The texts of a curriculum that are not in any lesson but that devices show in menus: its title
/// and description, unit titles and summaries, level titles and the units of durations ("min").
/// Extract writes them as the units of one more `<file>`, the pseudo-lesson `_curriculum`
/// (`_curriculum/title-1`, `_curriculum/unit-title-3`, …), kept in step with the curriculum by the
/// same alignment as a lesson's texts, so their ids stay put when units are added or renamed.
public struct CurriculumTexts: Sendable {
    /// Which text of the curriculum a segment is.
    public enum Item: Sendable, Hashable {
        case title
        /// A paragraph of the description (paragraphs are separated by blank lines).
        case description(paragraph: Int)
        /// The name of one level of the tree (`level_titles`: Unit, Lesson, …), from the top.
        case levelTitle(Int)
        /// A unit, by its folder under the curriculum (`01-months-one-to-three`).
        case unitTitle(dir: String)
        case unitSummary(dir: String, paragraph: Int)
        /// A word in durations: `min`, `h`, `hours`, …
        case durationUnit(String)
    }

    public struct Text: Sendable {
        public var item: Item
        public var segment: Segment
        /// For the translator: what the text is and where devices show it.
        public var context: String
        /// The longest translation that fits where devices show it, in characters (nil: no limit).
        public var maxWidth: Int?
    }

    /// Suggested limits, in characters, for texts devices show in menus and lists (TRANSLATING.md).
    public enum Limit {
        public static let curriculumTitle = 60
        public static let unitTitle = 60
        public static let lessonTitle = 70
        public static let levelTitle = 20
        public static let durationUnit = 8

        /// Never less than the source itself needs.
        static func width(_ limit: Int, _ source: String) -> Int { max(limit, source.count) }
    }

    public var texts: [Text]

    public var segments: [Segment] { texts.map(\.segment) }

    /// `durationWords`: the words lessons use in durations (front matter and ACTIVITY callouts).
    public init(_ curriculum: Curriculum, durationWords: Set<String>) {
        var texts: [Text] = []
        func add(_ item: Item, _ kind: SegmentKind, _ source: String, _ context: String, _ limit: Int? = nil) {
            guard let segment = Segment(kind: kind, text: source) else { return }
            texts.append(Text(item: item, segment: segment, context: context, maxWidth: limit.map { Limit.width($0, source) }))
        }
        add(.title, .title, curriculum.meta.title, "The curriculum's title, shown in the list of curricula.", Limit.curriculumTitle)
        for (i, p) in CurriculumTexts.paragraphs(curriculum.description).enumerated() {
            add(.description(paragraph: i + 1), .description, p, "The curriculum's description, paragraph \(i + 1), shown where a reader chooses a curriculum.")
        }
        for (i, t) in curriculum.meta.levelTitles.enumerated() {
            add(.levelTitle(i + 1), .levelTitle, t, "The name of level \(i + 1) of the curriculum's outline (as in \"\(t) 3\"), shown in menus.", Limit.levelTitle)
        }
        func walk(_ nodes: [TreeNode], depth: Int) {
            for node in nodes {
                guard case .unit(let u) = node else { continue }
                let level = depth < curriculum.meta.levelTitles.count ? " (a \(curriculum.meta.levelTitles[depth]))" : ""
                add(.unitTitle(dir: u.dir), .unitTitle, u.title, "The title of the unit \(u.dir)\(level), shown in the curriculum's outline.", Limit.unitTitle)
                for (i, p) in CurriculumTexts.paragraphs(u.summary).enumerated() {
                    add(.unitSummary(dir: u.dir, paragraph: i + 1), .unitSummary, p, "The summary of the unit \(u.dir), paragraph \(i + 1).")
                }
                walk(u.children, depth: depth + 1)
            }
        }
        walk(curriculum.children, depth: 0)
        for word in durationWords.sorted() {
            add(.durationUnit(word), .durationUnit, word, "A unit of time in durations such as \"20 \(word)\", shown with lessons and activities; keep it short.", Limit.durationUnit)
        }
        self.texts = texts
    }

    static func paragraphs(_ text: String) -> [String] {
        text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// The unit words of a duration (`1 h 30 min` → h, min).
    static func durationWords(_ duration: String) -> [String] {
        duration.split { !$0.isLetter }.map(String.init)
    }

    /// The duration words a compiled lesson shows: its own duration and its ACTIVITY callouts'.
    static func durationWords(of lesson: CompiledLesson) -> Set<String> {
        var out = Set(lesson.source.meta.duration.map(durationWords) ?? [])
        func walk(_ blocks: [Block]) {
            for b in blocks {
                switch b {
                case .callout(_, _, let duration, let body):
                    if let duration { out.formUnion(durationWords(duration)) }
                    walk(body)
                case .quote(let body), .footnote(_, let body): walk(body)
                case .list(_, _, let items): items.forEach { walk($0.blocks) }
                default: break
                }
            }
        }
        walk(lesson.blocks)
        return out
    }
}

/// The curriculum's texts in one locale, for the index and menus (the step after issue 15 puts
/// them into the build's output): a value for each text whose translation the build would publish.
public struct CurriculumTranslation: Sendable {
    public var locale: String
    /// Item → translated text; a text missing here is shown in the source language.
    public var values: [CurriculumTexts.Item: String]

    public var title: String? { values[.title] }
    public func levelTitle(_ level: Int) -> String? { values[.levelTitle(level)] }
    public func unitTitle(dir: String) -> String? { values[.unitTitle(dir: dir)] }

    /// A unit's summary, when every paragraph of it is translated.
    public func unitSummary(dir: String, paragraphs: Int) -> String? {
        let parts = (0..<paragraphs).compactMap { values[.unitSummary(dir: dir, paragraph: $0 + 1)] }
        return parts.count == paragraphs && paragraphs > 0 ? parts.joined(separator: "\n\n") : nil
    }

    /// The level titles, when all are translated.
    public func levelTitles(count: Int) -> [String]? {
        let titles = (0..<count).compactMap { levelTitle($0 + 1) }
        return titles.count == count && count > 0 ? titles : nil
    }

    /// What the curriculum's index holds for this locale: each text that is translated (issue 15.6).
    func indexMembers(_ c: Curriculum) -> [String: JSON] {
        var o: [String: JSON] = [:]
        if let t = title { o["title"] = .string(t) }
        if let d = description(paragraphs: CurriculumTexts.paragraphs(c.description).count) { o["description"] = .string(d) }
        if let l = levelTitles(count: c.meta.levelTitles.count) { o["level_titles"] = .array(l.map { .string($0) }) }
        var durations: [String: JSON] = [:]
        for (item, value) in values { if case .durationUnit(let word) = item { durations[word] = .string(value) } }
        if !durations.isEmpty { o["duration_units"] = .object(durations) }
        return o
    }

    /// What a unit's node in the index holds for this locale.
    func unitMembers(_ u: Unit) -> [String: JSON] {
        var o: [String: JSON] = [:]
        if let t = unitTitle(dir: u.dir) { o["title"] = .string(t) }
        if let s = unitSummary(dir: u.dir, paragraphs: CurriculumTexts.paragraphs(u.summary).count) { o["summary"] = .string(s) }
        return o
    }
    public func durationUnit(_ word: String) -> String? { values[.durationUnit(word)] }

    /// The description, when every paragraph of it is translated.
    public func description(paragraphs: Int) -> String? {
        let parts = (1...max(1, paragraphs)).compactMap { values[.description(paragraph: $0)] }
        return parts.count == paragraphs && paragraphs > 0 ? parts.joined(separator: "\n\n") : nil
    }

    /// A duration with its unit words translated (`20 min` → `20 dak.`), when all are.
    public func duration(_ text: String) -> String? {
        var out = ""
        var word = ""
        for c in text + " " {
            if c.isLetter { word.append(c); continue }
            if !word.isEmpty {
                guard let t = values[.durationUnit(word)] else { return nil }
                out += t
                word = ""
            }
            out.append(c)
        }
        return String(out.dropLast())
    }
}

extension TranslationCatalog.Entry {
    /// The curriculum's own texts in this entry's locale (see `CurriculumTranslation`); problems
    /// (checks a translation fails) go to `diagnostics`, as for a lesson.
    public func curriculumTranslation(_ curriculum: Curriculum, durationWords: Set<String>, stale: StalePolicy = .fallback,
                                      diagnostics: inout [Diagnostic]) -> CurriculumTranslation {
        let texts = CurriculumTexts(curriculum, durationWords: durationWords)
        let file = document.file(for: XLIFFUnit.curriculumTexts)
        let merged = Translator.merge(texts.segments, file: file, locale: locale, path: path, stale: stale, diagnostics: &diagnostics)
        var values: [CurriculumTexts.Item: String] = [:]
        for (text, target) in zip(texts.texts, merged.targets) {
            if let target { values[text.item] = Segment.plainText(Segment.normalized(target)) }
        }
        return CurriculumTranslation(locale: locale, values: values)
    }
}
