import Foundation
import LessonSupport

/// `lessonc translate status`: how far each locale of each curriculum is, measured against the
/// current source (so it is honest even when nobody re-ran extract after an edit).
public enum TranslationStatus {
    public struct Row: Sendable, Equatable {
        public static let columns = ["locale", "curriculum", "segments", "translated", "review", "new", "lessons", "published", "fallback", "words left"]

        public var locale: String
        public var curriculum: String
        public var segments = 0
        public var translated = 0
        public var needsReview = 0
        public var untranslated = 0
        public var lessons = 0
        public var published = 0
        public var fallback = 0
        /// Source words of every segment not translated (needing review or new).
        public var wordsLeft = 0

        /// The cells of `columns`, for a table.
        public var cells: [String] {
            [locale, curriculum, "\(segments)", "\(translated) (\(segments == 0 ? 100 : translated * 100 / segments)%)",
             "\(needsReview)", "\(untranslated)", "\(lessons)", "\(published)", "\(fallback)", "\(wordsLeft)"]
        }

        public var json: JSON {
            ["locale": .string(locale), "curriculum": .string(curriculum), "segments": .int(segments),
             "translated": .int(translated), "needs_review": .int(needsReview), "new": .int(untranslated),
             "lessons": .int(lessons), "published": .int(published), "fallback": .int(fallback), "words_left": .int(wordsLeft)]
        }
    }

    public struct Report: Sendable {
        public var rows: [Row]
        /// Problems in the sources or the XLIFF files (`lessonc validate` prints them).
        public var diagnostics: [Diagnostic]
    }

    public static func run(root: URL, minCoverage: Int = 100) -> Report {
        let compiled = CompiledProject.compile(root: root)
        let sink = DiagnosticSink()
        let catalog = TranslationCatalog.load(project: compiled.project, into: sink)
        var rows: [Row] = []
        for curriculum in compiled.project.curricula {
            let lessons = compiled.lessons[curriculum.id] ?? []
            let segments = lessons.map { SegmentWalker.segments(of: $0) }
            for entry in catalog.translations(of: curriculum.id) {
                var row = Row(locale: entry.locale, curriculum: curriculum.id)
                for (lesson, segments) in zip(lessons, segments) {
                    var ignored: [Diagnostic] = []
                    let t = Translator.translate(lesson, segments: segments, file: entry.document.file(for: lesson.source.id), locale: entry.locale,
                                                 path: entry.path, diagnostics: &ignored)
                    row.lessons += 1
                    row.segments += t.total
                    for (segment, status) in zip(t.segments, t.statuses) {
                        switch status {
                        case .translated: row.translated += 1
                        case .needsReview: row.needsReview += 1; row.wordsLeft += segment.words
                        case .untranslated: row.untranslated += 1; row.wordsLeft += segment.words
                        }
                    }
                    if t.isComplete || (minCoverage < 100 && t.coverage >= minCoverage) { row.published += 1 } else { row.fallback += 1 }
                }
                rows.append(row)
            }
        }
        rows.sort { ($0.locale, $0.curriculum) < ($1.locale, $1.curriculum) }
        return Report(rows: rows, diagnostics: compiled.diagnostics + sink.all)
    }
}
