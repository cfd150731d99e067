import Foundation
import LessonCompiler

enum ExportCommand: Command {
    static let name = "export"
    static let summary = "write legacy RCC JSON for the apps that cannot read channels yet"
    static let help = """
    Usage: lessonc export rcc-json [--root DIR] --out DIR [--locale LL]

    Compiles every curriculum whose curriculum.md has a legacy_file and writes it in the format
    the shipped RCC apps download:
      OUT/rcc-json/v1/<language name, lowercase>/<legacy_file>.json
    e.g. OUT/rcc-json/v1/english/advocate-training.json. Sections are the units and lessons; a
    unit's 00- lesson is the unit's own content. Content is plain HTML, entity-escaped once as the
    apps expect; callouts and quizzes become quotes, images their description.

    Options:
      --root DIR     the project folder holding content/ (default: the nearest folder with content/, here or above)
      --out DIR      where to write (required)
      --locale LL    the locale to export (default: each curriculum's source language). Curricula
                     with locales/LL/<id>.xlf are exported; a lesson not fully translated is
                     written in the source language, with a warning naming it, since the apps
                     cannot fall back per lesson
      -h, --help     show this help

    Exit status: 0 written, 1 invalid input or locale not available (nothing written), 2 wrong usage.
    """

    static let spec = OptionSpec(options: ["root", "out", "locale"], positionals: 1)

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try spec.parse(argv)
        try requireFormat(args.positionals.first)
        guard let out = args["out"] else { throw UsageError(message: "missing --out: the folder to write rcc-json/ into") }
        let location = ProjectLocation.find(args)
        let result = LegacyExporter.run(root: location.root,
                                        out: URL(fileURLWithPath: out, isDirectory: true).standardizedFileURL,
                                        locale: args["locale"])
        for d in result.diagnostics { Console.out(location.display(d).description) }
        guard result.succeeded else {
            Console.err(result.written.isEmpty ? "export failed: nothing was written" : "export failed after writing \(result.written.count) file\(result.written.count == 1 ? "" : "s")")
            return ExitCode.invalid
        }
        for path in result.written { Console.out(URL(fileURLWithPath: out).appendingPathComponent(path).path) }
        Console.err("wrote \(result.written.count) RCC JSON file\(result.written.count == 1 ? "" : "s")")
        return ExitCode.success
    }
}
