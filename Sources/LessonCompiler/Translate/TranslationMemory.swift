import Foundation
import LessonSupport

/// Translations a new text can start from: the same source text translated elsewhere in the
/// locale (any curriculum), or a removed text in the translation memory, the same or nearly.
/// Only where each translated unit is, by a hash of its text, stays in memory; a unit is read
/// again when it is suggested.
struct Suggestions: Sendable {
    private struct Location: Sendable { var document: Int; var file: Int; var unit: Int }
    private struct Remembered: Sendable {
        var key: String
        var words: Set<String>
        var source: [SegmentRun]
        var target: [SegmentRun]
        var place: String
        var sourceLanguage: String
    }

    private let documents: [(curriculum: Curriculum, document: XLIFFDocument)]
    private var exact: [Int: [Location]] = [:]
    private var memory: [Remembered] = []
    private var memoryByKey: [String: Int] = [:]
    private var memoryByWord: [String: [Int]] = [:]
    /// Fewest words in common, as a share of both texts' words, for a near-identical text.
    static let nearlyTheSame = 0.8

    init(existing: [(Curriculum, XLIFFDocument)], memory files: [XLIFFFile], locale: String) {
        documents = existing.map { (curriculum: $0.0, document: $0.1) }
        var jobs: [(document: Int, file: Int)] = []
        for (d, entry) in documents.enumerated() {
            for f in 0..<entry.document.fileCount { jobs.append((d, f)) }
        }
        let docs = documents
        // Each lesson's units are read in parallel; only hashes and places are kept.
        let found = Parallel.map(jobs.map { [$0.document, $0.file] }) { job -> [(Int, Int)] in
            let file = docs[job[0]].document.file(at: job[1])
            return file.units.enumerated().compactMap { i, unit in unit.isPublishable ? (unit.sourceKey.hashValue, i) : nil }
        }
        for (job, units) in zip(jobs, found) {
            for (hash, unit) in units { exact[hash, default: []].append(Location(document: job.document, file: job.file, unit: unit)) }
        }
        for file in files {
            let curriculum = file.original
            for unit in file.units where Translator.hasText(unit.target) && !unit.isDamaged {
                let key = unit.sourceKey
                guard memoryByKey[key] == nil else { continue }
                let was = unit.otherAttributes.first { $0.name == "resname" }?.value.split(separator: "/").first.map(String.init) ?? ""
                memoryByKey[key] = memory.count
                let words = Suggestions.words(unit.source)
                for w in words { memoryByWord[w, default: []].append(memory.count) }
                memory.append(Remembered(key: key, words: words, source: unit.source, target: unit.target ?? [], place: was.isEmpty ? curriculum : "\(curriculum), lesson \(was)",
                                         sourceLanguage: file.sourceLanguage ?? ""))
            }
        }
    }

    /// Lower-cased words: runs of letters and digits (ASCII first: Unicode properties are slow to look up).
    static func words(_ runs: [SegmentRun]) -> Set<String> {
        var out = Set<String>()
        var word = String.UnicodeScalarView()
        for u in Segment.plainText(runs).lowercased().unicodeScalars {
            let wordy = u.value < 0x80 ? ((0x30...0x39).contains(u.value) || (0x61...0x7A).contains(u.value))
                : (u.properties.isAlphabetic || u.properties.numericType != nil)
            if wordy { word.append(u) } else if !word.isEmpty { out.insert(String(word)); word = String.UnicodeScalarView() }
        }
        if !word.isEmpty { out.insert(String(word)) }
        return out
    }

    /// The best suggestion for a new text, if any: the same text translated in the locale first,
    /// then the memory's same text, then its nearest with most words in common.
    func suggest(for segment: Segment, sourceLanguage: String) -> XLIFFSuggestion? {
        // A locale with nothing translated yet (a first extract) has nothing to suggest.
        if exact.isEmpty && memory.isEmpty { return nil }
        for location in exact[segment.key.hashValue] ?? [] {
            let (curriculum, document) = documents[location.document]
            guard LocaleInfo.canonical(curriculum.meta.language) == LocaleInfo.canonical(sourceLanguage) else { continue }
            let file = document.file(at: location.file)
            guard location.unit < file.units.count else { continue }
            let unit = file.units[location.unit]
            guard unit.sourceKey == segment.key, let target = unit.target else { continue }
            return XLIFFSuggestion(origin: .sameText, quality: 100, source: unit.source, target: target, place: "\(curriculum.id), lesson \(file.lessonID)")
        }
        func fits(_ r: Remembered) -> Bool { r.sourceLanguage.isEmpty || LocaleInfo.matches(r.sourceLanguage, sourceLanguage) }
        if let i = memoryByKey[segment.key], fits(memory[i]) {
            return XLIFFSuggestion(origin: .memory, quality: 100, source: memory[i].source, target: memory[i].target, place: memory[i].place)
        }
        guard !memory.isEmpty else { return nil }
        let words = Suggestions.words(segment.runs)
        guard words.count >= 3 else { return nil }
        var shared: [Int: Int] = [:]
        for w in words { for i in memoryByWord[w] ?? [] { shared[i, default: 0] += 1 } }
        var best: (score: Double, index: Int)?
        for (i, n) in shared where fits(memory[i]) {
            let score = 2 * Double(n) / Double(words.count + memory[i].words.count)
            guard score >= Suggestions.nearlyTheSame else { continue }
            if best == nil || score > best!.score || (score == best!.score && i < best!.index) { best = (score, i) }
        }
        guard let best else { return nil }
        let r = memory[best.index]
        return XLIFFSuggestion(origin: .memory, quality: Int((best.score * 100).rounded(.down)), source: r.source, target: r.target, place: r.place)
    }
}

/// `Suggestions`, made the first time a new text needs one: indexing every translated text of
/// the locale means reading all of its files, which a re-extract with no new text never needs.
/// `@unchecked Sendable` is safe: `value` is only read or written while holding `lock`, and the
/// value itself is an immutable Sendable struct once made.
final class LazySuggestions: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Suggestions?
    private let make: @Sendable () -> Suggestions

    init(_ make: @escaping @Sendable () -> Suggestions) { self.make = make }

    var suggestions: Suggestions {
        lock.lock()
        defer { lock.unlock() }
        if let value { return value }
        let made = make()
        value = made
        return made
    }
}

extension TranslationExtractor.FileContext {
    func suggestion(for segment: Segment) -> XLIFFSuggestion? { suggestions.suggestions.suggest(for: segment, sourceLanguage: curriculum.meta.language) }
}

/// The translation memory of a locale, `locales/<locale>/_memory.xlf`: XLIFF 1.2 with one `<file>`
/// per curriculum (`original` is its id) holding the translations whose source text was removed,
/// each once, with the unit id it had as `resname`. Never published; extract reads it for suggestions.
enum Memory {
    /// The memory with `removed` added (nil text when nothing is new), and how many each curriculum added.
    static func update(_ files: [XLIFFFile], adding removed: [(curriculum: Curriculum, units: [XLIFFUnit])], locale: String) -> (String?, [String: Int]) {
        var files = files
        var added: [String: Int] = [:]
        var seen = Set<String>()
        func identity(_ u: XLIFFUnit) -> String { u.sourceKey + "\u{0}" + XLIFFWriter.inline(u.target ?? []) }
        for f in files { for u in f.units { seen.insert(identity(u)) } }
        for (curriculum, units) in removed {
            for unit in units where seen.insert(identity(unit)).inserted {
                var i = files.firstIndex { $0.original == curriculum.id }
                if i == nil {
                    var file = XLIFFFile(original: curriculum.id, lessonID: "", units: [])
                    file.sourceLanguage = curriculum.meta.language
                    files.append(file)
                    i = files.count - 1
                }
                var kept = XLIFFUnit(id: "m-\(files[i!].units.count + 1)", source: unit.source, target: unit.target, state: unit.state)
                kept.approved = unit.approved
                kept.stateQualifier = unit.stateQualifier
                kept.notes = unit.notes
                kept.otherAttributes = [("resname", unit.id)] + unit.otherAttributes.filter { $0.name != "resname" }
                kept.otherTargetAttributes = unit.otherTargetAttributes
                files[i!].units.append(kept)
                added[curriculum.id, default: 0] += 1
            }
        }
        guard !added.isEmpty else { return (nil, [:]) }
        var out = XLIFFWriter.header
        for file in files {
            out += XLIFFWriter.file(file, sourceLanguage: file.sourceLanguage ?? "", targetLanguage: locale,
                                    headerNote: "Translation memory: translations whose source text was removed from \(LibXML.escape(file.original)). Never published; 'lessonc translate extract' suggests them when the same or a nearly identical text comes back, in any curriculum.")
        }
        return (out + XLIFFWriter.footer, added)
    }
}

/// What extract tells translators about each text, in lessonc's `<note>`.
enum Notes {
    static func context(_ segment: Segment, _ place: SegmentPlace, lesson: LessonSource, titles: LessonTitles) -> String {
        let inLesson = "in the lesson \u{201C}\(lesson.meta.title)\u{201D}"
        let container = place.callout.map { $0 == "quiz" ? " in a quiz" : " in a \($0) callout" } ?? (place.inQuote ? " in a quotation" : "")
        var out: String
        switch segment.kind {
        case .title: out = "The lesson's title, shown in menus and at the top of the lesson."
        case .contentWarning: out = "The content warning \(inLesson), shown before the lesson opens."
        case .heading: out = "A heading (level \(place.headingLevel ?? 2))\(container) \(inLesson)."
        case .paragraph: out = "A paragraph\(container) \(inLesson)."
        case .listItem: out = "A list item\(container) \(inLesson)."
        case .tableHeader: out = "A table column heading\(container) \(inLesson)."
        case .tableCell: out = "A table cell\(container) \(inLesson)."
        case .calloutTitle: out = "The title of a \(place.callout ?? "") callout \(inLesson)."
        case .quizQuestion: out = "A quiz question \(inLesson)."
        case .quizOption: out = "A quiz answer option, \(place.correct == true ? "a correct answer" : "not a correct answer"), \(inLesson)."
        case .quizExplanation: out = "The explanation shown after a quiz is answered, \(inLesson)."
        case .imageAlt: out = "The alt text of the image \(place.image ?? "")\(container) \(inLesson): read aloud by screen readers and shown when the image cannot load."
        case .imageTitle: out = "The caption of the image \(place.image ?? "")\(container) \(inLesson)."
        case .footnote: out = "A footnote \(inLesson)."
        case .description, .levelTitle, .unitTitle, .unitSummary, .durationUnit: out = "A text of the curriculum."
        }
        for (id, code) in segment.codes.sorted(by: { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }) {
            guard case .link(let target, _, let children) = code else { continue }
            let words = "\u{201C}\(SegmentWalker.plain(children))\u{201D}"
            switch target {
            case .lesson(let lessonID, let curriculum):
                let title = titles.title(curriculum: curriculum, id: lessonID).map { " \u{201C}\($0)\u{201D}" } ?? ""
                out += " Link \(id) (\(words)) goes to the lesson\(title)\(curriculum == lesson.curriculum ? "" : " of \(curriculum)")."
            case .url(let url): out += " Link \(id) (\(words)) goes to \(url)."
            case .asset(let path): out += " Link \(id) (\(words)) opens the file \(path)."
            }
        }
        return out
    }
}
