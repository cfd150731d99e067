import Foundation
import LessonCompiler
import LessonSupport

enum ValidateCommand: Command {
    static let name = "validate"
    static let summary = "check content/ and print every problem, compiler-style"
    static let help = """
    Usage: lessonc validate [--root DIR] [--format text|json] [--strict] [--cache DIR | --no-cache]

    Loads and compiles every curriculum under DIR/content without writing anything, and prints
    every problem found, one per line, sorted by file and line:

        path:line:column: error|warning: message [rule-id]

    Paths are relative to the current folder; columns count UTF-16 code units, as editors do.
    CONTENT.md lists every rule id. Lessons unchanged since the last build are not compiled
    again: their problems come from the compile cache (validate reads it, never writes it).

    Options:
      --root DIR       the project folder holding content/ (default: the current folder or the
                       nearest one above it that holds content/)
      --format FORMAT  text (default) or json (a JSON array of diagnostics on stdout)
      --strict         treat warnings as errors
    \(CacheArguments.help(column: 19))
      -h, --help       show this help

    Exit status: 0 valid, 1 errors found (or warnings with --strict), 2 wrong usage.
    """

    static let spec = OptionSpec(options: CacheArguments.options.union(["root", "format"]), flags: CacheArguments.flags.union(["strict"]))

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try spec.parse(argv)
        let format = try args.choice("format", ["text", "json"], default: "text")
        let location = ProjectLocation.find(args)
        var options = BuildOptions(root: location.root, strict: args.has("strict"))
        (options.cacheFolder, options.useCache) = try CacheArguments.parse(args)
        let progress = ProgressPrinter(command: name)
        options.progress = progress.work
        let result = Builder.run(options)
        progress.finish()
        report(result, format: format, strict: options.strict, location: location)
        return result.succeeded ? ExitCode.success : ExitCode.invalid
    }

    /// Prints diagnostics (stdout), with paths as seen from the current folder, and a one-line summary (stderr).
    static func report(_ result: BuildResult, format: String, strict: Bool, location: ProjectLocation) {
        report(result.diagnostics, lessons: result.lessonCount, curricula: result.curriculumCount, cacheNote: result.cacheNote,
               staleLessons: result.staleLessons, format: format, strict: strict, location: location)
    }

    static func report(_ diagnostics: [Diagnostic], lessons: Int, curricula: Int, cacheNote: String?,
                       staleLessons: [StaleLesson] = [], format: String, strict: Bool, location: ProjectLocation) {
        if let note = cacheNote { Console.err("lessonc: \(note)") }
        let shown = diagnostics.map(location.display)
        if format == "json" {
            Console.out(JSON.array(shown.map(\.json)).pretty())
        } else {
            for d in shown { Console.out(d.description) }
        }
        for s in staleLessons { Console.err(s.description) }
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        let summary = "\(lessons) lesson\(lessons == 1 ? "" : "s") in \(curricula) curricul\(curricula == 1 ? "um" : "a"): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\(strict && warnings > 0 ? " (--strict: warnings are errors)" : "")"
        Console.err(summary)
    }
}
