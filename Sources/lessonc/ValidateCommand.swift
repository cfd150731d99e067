import Foundation
import LessonCompiler
import LessonSupport

enum ValidateCommand: Command {
    static let name = "validate"
    static let summary = "check content/ and print every problem, compiler-style"
    static let help = """
    Usage: lessonc validate [--root DIR] [--format text|json] [--strict]

    Loads and compiles every curriculum under DIR/content without writing anything, and prints
    every problem found, one per line, sorted by file and line:

        path:line:column: error|warning: message [rule-id]

    Options:
      --root DIR       the project folder holding content/ (default: .)
      --format FORMAT  text (default) or json (a JSON array of diagnostics on stdout)
      --strict         treat warnings as errors
      -h, --help       show this help

    Exit status: 0 valid, 1 errors found (or warnings with --strict), 2 wrong usage.
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, options: ["root", "format"], flags: ["strict", "help"])
        let format = try args.choice("format", ["text", "json"], default: "text")
        var options = BuildOptions(root: args.directory("root", default: "."), strict: args.has("strict"))
        options.progress = progressReporter("checked")
        let result = Builder.run(options)
        report(result, format: format, strict: options.strict)
        return result.succeeded ? ExitCode.success : ExitCode.invalid
    }

    /// Prints diagnostics (stdout) and a one-line summary (stderr).
    static func report(_ result: BuildResult, format: String, strict: Bool) {
        if format == "json" {
            Console.out(JSON.array(result.diagnostics.map(\.json)).pretty())
        } else {
            for d in result.diagnostics { Console.out(d.description) }
        }
        let summary = "\(result.lessonCount) lesson\(result.lessonCount == 1 ? "" : "s") in \(result.curriculumCount) curricul\(result.curriculumCount == 1 ? "um" : "a"): \(result.errors) error\(result.errors == 1 ? "" : "s"), \(result.warnings) warning\(result.warnings == 1 ? "" : "s")\(strict && result.warnings > 0 ? " (--strict: warnings are errors)" : "")"
        Console.err(summary)
    }
}

/// Progress on stderr, only when a person is watching a terminal.
func progressReporter(_ verb: String) -> (@Sendable (Int, Int) -> Void)? {
    guard Console.stderrIsTerminal else { return nil }
    return { done, total in
        guard total >= 1000 else { return }
        Console.err("\(verb) \(done)/\(total) lessons")
    }
}
