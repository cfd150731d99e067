import Foundation
import LessonSupport

/// Counts what a curriculum holds, for editors and programme coordinators.
public struct CurriculumStats: Sendable {
    public var id: String
    public var lessons = 0
    public var words = 0
    public var callouts: [String: Int] = [:]
    public var quizzes = 0
    public var images = 0
    public var tables = 0

    public init(id: String) { self.id = id }

    public var json: JSON {
        ["curriculum": .string(id), "lessons": .int(lessons), "words": .int(words),
         "callouts": .object(callouts.mapValues { .int($0) }), "quizzes": .int(quizzes),
         "images": .int(images), "tables": .int(tables)]
    }
}

public enum ContentStats {
    /// Loads and compiles the project; returns nil stats when it has errors (diagnostics say why).
    public static func collect(root: URL) -> (stats: [CurriculumStats], diagnostics: [Diagnostic]) {
        let compiled = CompiledProject.compile(root: root)
        var all: [CurriculumStats] = []
        for curriculum in compiled.project.curricula {
            var stats = CurriculumStats(id: curriculum.id)
            for lesson in compiled.lessons[curriculum.id] ?? [] {
                stats.lessons += 1
                stats.words += wordCount(lesson.source.meta.title)
                var counter = Counter(stats: stats)
                counter.walk(lesson.blocks)
                stats = counter.stats
            }
            all.append(stats)
        }
        return (all, compiled.diagnostics)
    }

    /// Counts one lesson's blocks: a walker that looks at callouts, quizzes, images, tables and words.
    struct Counter: LessonWalker {
        var stats: CurriculumStats

        mutating func visitText(_ text: String) { stats.words += ContentStats.wordCount(text) }
        mutating func visitCode(_ code: String) { stats.words += ContentStats.wordCount(code) }
        // An image's alt text and a code block are not counted as words.
        mutating func visitImage(_ image: Image) {}
        mutating func visitImageBlock(_ image: Image) { stats.images += 1 }
        mutating func visitTable(alignments: [TableAlignment], header: [TableCell], rows: [[TableCell]]) {
            stats.tables += 1
            for cell in header + rows.flatMap({ $0 }) { walk(cell.inlines) }
        }
        mutating func visitCallout(kind: CalloutKind, title: [Inline], duration: String?, blocks: [Block]) {
            stats.callouts[kind.rawValue, default: 0] += 1
            walk(title)
            walk(blocks)
        }
        mutating func visitQuiz(question: [Block], options: [QuizOption], explanation: [Block]) {
            stats.quizzes += 1
            walk(question)
            walk(explanation)
            for o in options { walk(o.inlines) }
        }
    }

    static func wordCount(_ s: String) -> Int {
        s.split(whereSeparator: { $0.isWhitespace }).count
    }
}
