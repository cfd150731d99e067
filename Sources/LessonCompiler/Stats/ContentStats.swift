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
                count(lesson.blocks, into: &stats)
            }
            all.append(stats)
        }
        return (all, compiled.diagnostics)
    }

    static func count(_ blocks: [Block], into s: inout CurriculumStats) {
        for b in blocks {
            switch b {
            case .heading(_, let i), .paragraph(let i): s.words += words(i)
            case .list(_, _, let items): for item in items { count(item.blocks, into: &s) }
            case .table(_, let header, let rows):
                s.tables += 1
                for c in header + rows.flatMap({ $0 }) { s.words += words(c.inlines) }
            case .image: s.images += 1
            case .callout(let kind, let title, _, let inner):
                s.callouts[kind, default: 0] += 1
                s.words += words(title)
                count(inner, into: &s)
            case .quiz(let q, let options, let e):
                s.quizzes += 1
                count(q, into: &s); count(e, into: &s)
                for o in options { s.words += words(o.inlines) }
            case .quote(let inner), .footnote(_, let inner): count(inner, into: &s)
            case .code, .rule: break
            }
        }
    }

    static func words(_ inlines: [Inline]) -> Int {
        var n = 0
        for i in inlines {
            switch i {
            case .text(let t), .code(let t): n += wordCount(t)
            case .emphasis(let c), .strong(let c), .strikethrough(let c): n += words(c)
            case .link(_, _, let c): n += words(c)
            case .image: n += 0
            case .lineBreak, .footnoteReference: break
            }
        }
        return n
    }

    static func wordCount(_ s: String) -> Int {
        s.split(whereSeparator: { $0.isWhitespace }).count
    }
}
