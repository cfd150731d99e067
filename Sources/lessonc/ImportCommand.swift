import Foundation
import LessonCompiler

enum ImportCommand: Command {
    static let name = "import"
    static let summary = "turn a legacy RCC JSON curriculum into Markdown sources"
    static let help = """
    Usage: lessonc import rcc-json FILE --id CURRICULUM-ID [--root DIR] [--title TITLE] [--version X.Y.Z]

    Reads a curriculum in the RCC apps' legacy format (HTML inside JSON) and writes it as
    Markdown sources to ROOT/content/CURRICULUM-ID/:
      curriculum.md                 title, version, language, level titles, legacy_file (FILE's name)
                                    (a missing title is made from FILE's name and a missing
                                    version is 0.0.0, each with a warning; or give them below)
      NN-section/_unit.md           a folder for each section that has subsections
      NN-section/NN-lesson.md       a lesson for each section that has content
      NN-section/00-section.md      the content of a section that also has subsections

    The HTML becomes clean Markdown: pseudo-bullets become lists, numbered word-processor
    headings become headings, styling noise is dropped. Text is never dropped: whatever
    Markdown cannot say is kept as plain text and reported as a warning naming the section.
    An existing content/CURRICULUM-ID is never overwritten.

    Options:
      --id ID          the new curriculum's id and folder name (lowercase, digits, '-', '_', '.')
      --root DIR       the project folder holding content/ (default: the current folder or the
                       nearest one above it that holds content/)
      --title TITLE    the curriculum's title, instead of the file's
      --version X.Y.Z  the curriculum's version, instead of the file's (1.0 is read as 1.0.0)
      -h, --help       show this help

    Exit status: 0 imported, 1 the file is invalid or content/ID exists (nothing written), 2 wrong usage.
    """

    static let spec = OptionSpec(options: ["id", "root", "title", "version"], positionals: 2)

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try spec.parse(argv)
        try requireFormat(args.positionals.first)
        guard args.positionals.count == 2 else { throw UsageError(message: "missing the legacy FILE to import") }
        guard let id = args["id"] else { throw UsageError(message: "missing --id: the curriculum id to import into") }
        guard LegacyImporter.isValidID(id) else {
            throw UsageError(message: "--id '\(id)' must be lowercase letters, digits, '-', '_' or '.', starting with a letter or digit")
        }
        let path = args.positionals[1]
        let root = ProjectLocation.find(args).root
        do {
            let (result, target) = try LegacyImporter.run(file: URL(fileURLWithPath: path), root: root, id: id,
                                                          title: args["title"], version: args["version"])
            for w in result.warnings { Console.out(w.formatted(file: path)) }
            Console.err("imported \(result.lessonCount) lesson\(result.lessonCount == 1 ? "" : "s") in \(result.unitCount) unit\(result.unitCount == 1 ? "" : "s") into \(target.path) (\(result.warnings.count) warning\(result.warnings.count == 1 ? "" : "s")); check it with 'lessonc validate'")
            return ExitCode.success
        } catch let issue as LegacyIssue {
            Console.out(issue.formatted(file: path))
            Console.err("nothing was imported")
            return ExitCode.invalid
        }
    }
}

/// `import` and `export` take the format as their first argument; rcc-json is the only one.
func requireFormat(_ format: String?) throws {
    guard let format else { throw UsageError(message: "missing the format; the only format is rcc-json") }
    guard format == "rcc-json" else { throw UsageError(message: "unknown format '\(format)'; the only format is rcc-json") }
}
