import Foundation
import LessonSupport

/// `lessonc translate status`: how far each locale of each curriculum is, measured against the
/// current source (so it is honest even when nobody re-ran extract after an edit). Each lesson is
/// compiled and translated exactly as `build` does it (`Translator`), lessons in parallel and
/// one at a time, so the counts are the build's and memory stays flat.
public enum TranslationStatus {
    /// Texts by where they stand, and their source words.
    public struct Counts: Sendable, Equatable {
        public var segments = 0
        /// Texts the build publishes translated.
        public var translated = 0
        /// Texts with a translation that is not used: marked for review or editing, made for an
        /// older source, or failing a check (`failing` of them).
        public var review = 0
        public var failing = 0
        /// Of `review`: translations of an older version of the text, and how many of them the
        /// build shows (`--stale keep`, when they pass the checks).
        public var stale = 0
        public var kept = 0
        /// Texts with no translation.
        public var new = 0
        public var wordsTranslated = 0
        public var wordsReview = 0
        public var wordsNew = 0

        public var wordsLeft: Int { wordsReview + wordsNew }
        /// Whole percent shown translated (old translations kept included), rounded down so 99.9%
        /// never reads as complete: the build's `coverage`.
        public var percent: Int { LessonTranslation.percent(translated + kept, of: segments) }

        mutating func add(_ status: SegmentStatus, words: Int) {
            segments += 1
            switch status {
            case .translated: translated += 1; wordsTranslated += words
            case .needsReview: review += 1; wordsReview += words
            case .failsCheck: review += 1; failing += 1; wordsReview += words
            case .untranslated: new += 1; wordsNew += words
            }
        }

        static func + (a: Counts, b: Counts) -> Counts {
            Counts(segments: a.segments + b.segments, translated: a.translated + b.translated, review: a.review + b.review,
                   failing: a.failing + b.failing, stale: a.stale + b.stale, kept: a.kept + b.kept, new: a.new + b.new, wordsTranslated: a.wordsTranslated + b.wordsTranslated,
                   wordsReview: a.wordsReview + b.wordsReview, wordsNew: a.wordsNew + b.wordsNew)
        }

        var jsonFields: [String: JSON] {
            ["segments": .int(segments), "translated": .int(translated), "needs_review": .int(review), "failing_checks": .int(failing), "stale": .int(stale), "stale_kept": .int(kept),
             "new": .int(new), "words_translated": .int(wordsTranslated), "words_review": .int(wordsReview), "words_new": .int(wordsNew),
             "words_left": .int(wordsLeft)]
        }
    }

    /// One lesson in one locale, or the curriculum's own texts (`id` `_curriculum`, `published` nil).
    public struct LessonRow: Sendable, Equatable {
        public var id: String
        public var counts: Counts
        /// What the build does with the lesson: publish it translated (true) or fall back (false).
        public var published: Bool?
        /// Published with some texts in the source language (`--min-coverage`).
        public var partial = false

        public var json: JSON {
            var o = counts.jsonFields
            o["id"] = .string(id)
            o["coverage"] = .int(counts.percent)
            o["published"] = published.map { .bool($0) } ?? .null
            o["partial"] = .bool(partial)
            return .object(o)
        }
    }

    public struct Row: Sendable, Equatable {
        public var locale: String
        public var curriculum: String
        /// The lessons' texts.
        public var lessonTexts = Counts()
        /// The curriculum's own texts (title, description, units, level titles, duration units).
        public var curriculumTexts = Counts()
        public var lessons = 0
        public var published = 0
        public var fallback = 0
        /// Per lesson, in reading order, then the curriculum's texts.
        public var lessonRows: [LessonRow] = []

        public var counts: Counts { lessonTexts + curriculumTexts }
        public var segments: Int { counts.segments }
        public var translated: Int { counts.translated }
        public var needsReview: Int { counts.review }
        public var untranslated: Int { counts.new }
        /// Source words of every text not translated (to review or new).
        public var wordsLeft: Int { counts.wordsLeft }

        public static let columns = ["locale", "curriculum", "segments", "translated", "review", "new", "lessons", "published", "fallback",
                                     "words done", "words to review", "words new"]

        static func reviewCell(_ c: Counts) -> String {
            let notes = [c.failing > 0 ? "\(c.failing) failing" : nil, c.kept > 0 ? "\(c.kept) kept" : c.stale > 0 ? "\(c.stale) changed" : nil].compactMap { $0 }
            return notes.isEmpty ? "\(c.review)" : "\(c.review) (\(notes.joined(separator: ", ")))"
        }

        /// The cells of `columns`, for a table.
        public var cells: [String] {
            let c = counts
            return [locale, curriculum, "\(c.segments)", "\(c.translated) (\(c.percent)%)", Row.reviewCell(c), "\(c.new)",
                    "\(lessons)", "\(published)", "\(fallback)", "\(c.wordsTranslated)", "\(c.wordsReview)", "\(c.wordsNew)"]
        }

        public static let lessonColumns = ["locale", "curriculum", "lesson", "segments", "translated", "review", "new", "build",
                                           "words done", "words to review", "words new"]

        /// One row per lesson (and the curriculum's texts), for `--lessons`.
        public var lessonCells: [[String]] {
            lessonRows.map { r in
                let c = r.counts
                let build = r.published.map { $0 ? (r.partial ? "partial" : "published") : "fallback" } ?? "-"
                return [locale, curriculum, r.id == XLIFFUnit.curriculumTexts ? "(titles, description, units)" : r.id, "\(c.segments)",
                        "\(c.translated) (\(c.percent)%)", Row.reviewCell(c), "\(c.new)", build, "\(c.wordsTranslated)", "\(c.wordsReview)", "\(c.wordsNew)"]
            }
        }

        public var json: JSON { json(lessons: false) }

        public func json(lessons withRows: Bool) -> JSON {
            var o = counts.jsonFields
            o["locale"] = .string(locale)
            o["curriculum"] = .string(curriculum)
            o["lessons"] = .int(lessons)
            o["published"] = .int(published)
            o["fallback"] = .int(fallback)
            o["curriculum_texts"] = .object(curriculumTexts.jsonFields)
            if withRows { o["lesson_rows"] = .array(lessonRows.map(\.json)) }
            return .object(o)
        }
    }

    public struct Options: Sendable {
        /// Only these locales and curricula (nil: all).
        public var locales: [String]?
        public var curricula: [String]?
        /// Count a lesson as published from this percent, as `build --min-coverage` does.
        public var minCoverage = 100
        /// Count old translations of changed texts as `build --stale` does.
        public var stale = StalePolicy.fallback

        public init(locales: [String]? = nil, curricula: [String]? = nil, minCoverage: Int = 100, stale: StalePolicy = .fallback) {
            self.locales = locales
            self.curricula = curricula
            self.minCoverage = minCoverage
            self.stale = stale
        }
    }

    public struct Report: Sendable {
        public var rows: [Row]
        /// Problems in the sources or the XLIFF files (`lessonc validate` prints them).
        public var diagnostics: [Diagnostic]
    }

    public static func run(root: URL, minCoverage: Int = 100) -> Report {
        run(root: root, options: Options(minCoverage: minCoverage))
    }

    public static func run(root: URL, options: Options) -> Report {
        let sink = DiagnosticSink()
        let project = Loader(root: root).load(into: sink)
        for id in options.curricula ?? [] where !project.curricula.contains(where: { $0.id == id }) {
            sink.add(Diagnostic(.error, .unknownCurriculum, "no curriculum '\(id)' in content/", path: "content/\(id)"))
        }
        let catalog = TranslationCatalog.load(project: project, into: sink)
        let links = LinkIndex(project: project)
        let locales = options.locales.map { Set($0.map(LocaleInfo.canonical)) }
        var rows: [Row] = []
        for curriculum in project.curricula where options.curricula?.contains(curriculum.id) ?? true {
            // Lessons are compiled even without translations: their problems make status fail, as validate would.
            let entries = catalog.translations(of: curriculum.id).filter { locales?.contains($0.locale) ?? true }
            let (minCoverage, stale) = (options.minCoverage, options.stale)
            // Per lesson: its row in each locale, its problems and the duration words it shows.
            let results = Parallel.map(curriculum.lessons) { source -> (rows: [LessonRow], diagnostics: [Diagnostic], words: Set<String>)? in
                guard source.compilable else { return nil }
                var diagnostics: [Diagnostic] = []
                let compiled = LessonCompiler(curriculum: curriculum, links: links).compile(source, into: &diagnostics)
                let segments = SegmentWalker.segments(of: compiled)
                let rows = entries.map { entry -> LessonRow in
                    var ignored: [Diagnostic] = []
                    let t = Translator.translate(compiled, segments: segments, file: entry.document.file(for: source.id), locale: entry.locale,
                                                 path: entry.path, stale: stale, diagnostics: &ignored)
                    var counts = Counts()
                    for (segment, status) in zip(t.segments, t.statuses) { counts.add(status, words: segment.words) }
                    (counts.stale, counts.kept) = (t.stale, t.kept)
                    return LessonRow(id: source.id, counts: counts, published: t.publishes(minCoverage: minCoverage),
                                     partial: t.isPartial(minCoverage: minCoverage))
                }
                return (rows, diagnostics, CurriculumTexts.durationWords(of: compiled))
            }
            var words = Set<String>()
            for r in results.compactMap({ $0 }) {
                sink.add(contentsOf: r.diagnostics)
                words.formUnion(r.words)
            }
            let texts = CurriculumTexts(curriculum, durationWords: words)
            for (e, entry) in entries.enumerated() {
                var row = Row(locale: entry.locale, curriculum: curriculum.id)
                for r in results.compactMap({ $0 }) {
                    let lesson = r.rows[e]
                    row.lessons += 1
                    row.lessonTexts = row.lessonTexts + lesson.counts
                    if lesson.published == true { row.published += 1 } else { row.fallback += 1 }
                    row.lessonRows.append(lesson)
                }
                var ignored: [Diagnostic] = []
                let merged = Translator.merge(texts.segments, file: entry.document.file(for: XLIFFUnit.curriculumTexts), locale: entry.locale,
                                              path: entry.path, stale: options.stale, diagnostics: &ignored)
                for (segment, status) in zip(texts.segments, merged.statuses) { row.curriculumTexts.add(status, words: segment.words) }
                row.lessonRows.append(LessonRow(id: XLIFFUnit.curriculumTexts, counts: row.curriculumTexts, published: nil))
                rows.append(row)
            }
        }
        rows.sort { ($0.locale, $0.curriculum) < ($1.locale, $1.curriculum) }
        return Report(rows: rows, diagnostics: sink.all)
    }
}
