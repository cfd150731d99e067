import Foundation
import LessonCompiler
import LessonSupport

enum StatsCommand: Command {
    static let name = "stats"
    static let summary = "count lessons, words, callouts, quizzes, images and tables per curriculum"
    static let help = """
    Usage: lessonc stats [--root DIR] [--format text|json]

    Compiles content/ (writing nothing) and prints, per curriculum: lessons, words, callouts by
    kind, quizzes, images and tables. Invalid content is reported as by 'lessonc validate'.

    Options:
      --root DIR       the project folder holding content/ (default: the nearest folder with content/, here or above)
      --format FORMAT  text (default, a table) or json
      -h, --help       show this help

    Exit status: 0 counted, 1 the content has errors, 2 wrong usage.
    """

    static let spec = OptionSpec(options: ["root", "format"])

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try spec.parse(argv)
        let format = try args.choice("format", ["text", "json"], default: "text")
        let location = ProjectLocation.find(args)
        let (stats, diagnostics) = ContentStats.collect(root: location.root)
        let errors = diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            for d in errors { Console.err(location.display(d).description) }
            return ExitCode.invalid
        }
        if format == "json" {
            Console.out(JSON.array(stats.map(\.json)).pretty())
            return ExitCode.success
        }
        let kinds = CalloutKind.allCases.map(\.rawValue)
        var rows: [[String]] = [["curriculum", "lessons", "words", "quizzes", "images", "tables"] + kinds]
        for s in stats {
            rows.append([s.id, "\(s.lessons)", "\(s.words)", "\(s.quizzes)", "\(s.images)", "\(s.tables)"] + kinds.map { "\(s.callouts[$0] ?? 0)" })
        }
        let total = stats.reduce(into: CurriculumStats(id: "total")) { t, s in
            t.lessons += s.lessons; t.words += s.words; t.quizzes += s.quizzes; t.images += s.images; t.tables += s.tables
            for (k, v) in s.callouts { t.callouts[k, default: 0] += v }
        }
        rows.append([total.id, "\(total.lessons)", "\(total.words)", "\(total.quizzes)", "\(total.images)", "\(total.tables)"] + kinds.map { "\(total.callouts[$0] ?? 0)" })
        Console.out(renderTable(rows))
        return ExitCode.success
    }
}
