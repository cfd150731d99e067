import Foundation
import LessonCompiler

enum BuildCommand: Command {
    static let name = "build"
    static let summary = "compile content/ into JSON lessons under build/"
    static let help = """
    Usage: lessonc build [--root DIR] [--out DIR] [--strict] [--format text|json] [--min-coverage P]
                         [--stale fallback|keep] [--cache DIR | --no-cache]

    Compiles every curriculum under DIR/content and writes:
      OUT/index.json                         the curricula in this build
      OUT/<curriculum>/index.json            units, lessons, locales and assets of one curriculum
      OUT/<curriculum>/<locale>/<id>.json    one compiled lesson: typed blocks plus sanitized html,
                                             for the source language and every locale in locales/
      OUT/<curriculum>/assets/...            the images the lessons use

    A lesson is published in a locale when every text has a translation in state translated,
    signed-off or final; otherwise that locale's file holds the source text with "fallback": true,
    and the curriculum index records it. Every lesson carries its locale and direction (ltr/rtl).
    A translation made for an older version of its text (extract marks it for review) is not
    published unless --stale keep says so; either way the build lists, on stderr, each lesson
    whose state in a locale this changed.

    Output is written to a staging folder first; if anything is invalid, nothing in OUT changes.
    The same sources always give byte-identical files.

    The build is incremental: a lesson whose file, translations and the lessons and assets it
    refers to have not changed since the last run comes from the compile cache, and only files
    whose bytes change are written into OUT (the result is the same as a build from scratch).

    Options:
      --root DIR       the project folder holding content/ (default: the nearest folder with content/, here or above)
      --out DIR        where to write (default: ROOT/build)
      --strict         treat warnings as errors
      --format FORMAT  diagnostics as text (default) or json
      --min-coverage P publish a translated lesson from P% of its texts translated, the rest
                       from the source (default 100)
      --stale POLICY   what a translation of a text changed since does until reviewed: fallback
                       (default: counts as untranslated) or keep (stays live if it passes the checks)
    \(CacheArguments.help(column: 19))
      -h, --help       show this help

    Exit status: 0 built, 1 invalid input (nothing written), 2 wrong usage.
    """

    static let spec = OptionSpec(options: CacheArguments.options.union(["root", "out", "format", "min-coverage", "stale"]),
                                 flags: CacheArguments.flags.union(["strict"]))

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try spec.parse(argv)
        let format = try args.choice("format", ["text", "json"], default: "text")
        let location = ProjectLocation.find(args)
        let root = location.root
        let out = args["out"].map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL } ?? root.appendingPathComponent("build")
        var options = BuildOptions(root: root, output: out, strict: args.has("strict"))
        let progress = ProgressPrinter(command: name)
        options.progress = progress.work
        options.minCoverage = try args.integer("min-coverage", default: 100, range: 0...100)
        options.stale = try StalePolicy.parse(args)
        (options.cacheFolder, options.useCache) = try CacheArguments.parse(args)
        let result = Builder.run(options)
        progress.finish()
        ValidateCommand.report(result, format: format, strict: options.strict, location: location)
        if result.succeeded {
            Console.err("wrote \(out.path)" + (CacheArguments.summary(result).map { " (\($0))" } ?? ""))
            return ExitCode.success
        }
        Console.err("build failed: \(out.path) was left unchanged")
        return ExitCode.invalid
    }
}
