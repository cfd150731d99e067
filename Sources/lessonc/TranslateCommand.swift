import Foundation
import LessonCompiler
import LessonSupport

enum TranslateCommand: Command {
    static let name = "translate"
    static let summary = "extract XLIFF 1.2 for translators; report translation status"
    static let help = """
    Usage: lessonc translate extract --locale LL [--root DIR] [--curriculum ID[,ID...]]
           lessonc translate status  [--root DIR] [--format text|json] [--min-coverage P]

    Translators work in XLIFF 1.2 files, one per curriculum and locale:
    locales/LL/<curriculum-id>.xlf, with one <file> per lesson and one <trans-unit> per text.
    'lessonc build' merges them: a lesson is published in LL once every text is translated
    (state translated, signed-off or final), otherwise it falls back to the source language.

    Sub-commands (each has --help):
      extract   create or update locales/LL/*.xlf from content/
      status    per locale and curriculum: texts translated, to review and new; lessons
                published and falling back; words left to translate

    Exit status: 0 success, 1 invalid input, 2 wrong usage.
    """

    static let extractHelp = """
    Usage: lessonc translate extract --locale LL [--root DIR] [--curriculum ID[,ID...]]

    Creates or updates locales/LL/<curriculum-id>.xlf (XLIFF 1.2) for every curriculum not
    written in LL, or only for the curricula given. Each lesson is a <file> (original = its
    path, found again by lesson id when the file moves); each title, heading, paragraph, list
    item, table cell, callout title, quiz text and image alt text is a <trans-unit>.
    Formatting, links, code and images are inline codes (<g>, <ph>, <x/>): link targets and
    code are never text to translate.

    On re-extraction:
      - every existing translation is kept;
      - a text whose source changed keeps its translation with state="needs-review-translation",
        and the previous source in <alt-trans alttranstype="previous-version"> and a note;
      - a new text arrives as <target state="new"/> (no translation yet);
      - a removed text leaves the file;
      - re-wrapping or whitespace-only edits change nothing.

    Options:
      --locale LL         the target locale, a BCP 47 tag (sw, fr, ar, pt-BR, ...)
      --root DIR          the project folder holding content/ and locales/ (default: the nearest folder with content/, here or above)
      --curriculum IDS    only these curricula (comma-separated)
      -h, --help          show this help

    Exit status: 0 written, 1 the content or an existing XLIFF file is invalid (nothing written), 2 wrong usage.
    """

    static let statusHelp = """
    Usage: lessonc translate status [--root DIR] [--format text|json] [--min-coverage P]

    For each locale and curriculum with an XLIFF file, measured against the current source:
      segments     texts to translate
      translated   texts with a translation the build publishes
      review       texts whose translation was made for an older source, or marked for review
      new          texts with no translation yet
      published    lessons the build publishes in the locale; fallback: lessons shown in the source language
      words left   source words of the texts still to translate or review

    Options:
      --root DIR          the project folder (default: the nearest folder with content/, here or above)
      --format FORMAT     text (default, a table) or json
      --min-coverage P    count a lesson as published from P% translated, as 'build --min-coverage' does (default 100)
      -h, --help          show this help

    Exit status: 0 reported, 1 the content has errors, 2 wrong usage.
    """

    static let extractSpec = OptionSpec(options: ["locale", "root", "curriculum"])
    static let statusSpec = OptionSpec(options: ["root", "format", "min-coverage"])
    static let spec = OptionSpec(options: extractSpec.options.union(statusSpec.options))

    static func help(for args: [String]) -> String {
        switch splitSubcommand(args, valueOptions: spec.options).sub { case "extract": return extractHelp; case "status": return statusHelp; default: return help }
    }

    static func spec(for args: [String]) -> OptionSpec {
        switch splitSubcommand(args, valueOptions: spec.options).sub { case "extract": return extractSpec; case "status": return statusSpec; default: return spec }
    }

    static func run(_ argv: [String]) throws -> Int32 {
        // Options may come before or after the sub-command: `translate --root x extract` works too.
        let (found, rest) = splitSubcommand(argv, valueOptions: spec.options)
        guard let sub = found else { throw UsageError(message: "missing sub-command: extract or status") }
        switch sub {
        case "extract": return try extract(rest)
        case "status": return try status(rest)
        default: throw UsageError(message: "unknown sub-command '\(sub)'; use extract or status")
        }
    }

    static func extract(_ argv: [String]) throws -> Int32 {
        let args = try extractSpec.parse(argv)
        let location = ProjectLocation.find(args)
        guard let locale = args["locale"] else { throw UsageError(message: "--locale is required, e.g. --locale sw") }
        guard LocaleInfo.isValidTag(locale) else {
            throw UsageError(message: "--locale '\(locale)' is not a BCP 47 tag such as sw, fr-CA or ha-Arab")
        }
        let curricula = args["curriculum"].map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        let result = TranslationExtractor.run(root: location.root, locale: locale, curricula: curricula)
        for d in result.diagnostics { Console.out(location.display(d).description) }
        guard result.succeeded else {
            Console.err("extract failed: nothing was written")
            return ExitCode.invalid
        }
        for f in result.files { Console.err(f.description) }
        if result.files.isEmpty { Console.err("nothing to extract: every curriculum is written in '\(locale)'") }
        return ExitCode.success
    }

    static func status(_ argv: [String]) throws -> Int32 {
        let args = try statusSpec.parse(argv)
        let location = ProjectLocation.find(args)
        let format = try args.choice("format", ["text", "json"], default: "text")
        let minCoverage = try args.integer("min-coverage", default: 100, range: 0...100)
        let report = TranslationStatus.run(root: location.root, minCoverage: minCoverage)
        let errors = report.diagnostics.filter { $0.severity == .error }
        if report.rows.isEmpty && !errors.isEmpty {
            for d in errors { Console.err(location.display(d).description) }
            return ExitCode.invalid
        }
        if !errors.isEmpty {
            Console.err("\(errors.count) error\(errors.count == 1 ? "" : "s") in content/ or locales/; 'lessonc validate' lists them")
        }
        if format == "json" {
            Console.out(JSON.array(report.rows.map(\.json)).pretty())
        } else if report.rows.isEmpty {
            Console.out("no translations: run 'lessonc translate extract --locale LL' to start one")
        } else {
            let header = TranslationStatus.Row.columns.map { $0.uppercased() }
            Console.out(renderTable([header] + report.rows.map(\.cells), leftColumns: 2))
        }
        return errors.isEmpty ? ExitCode.success : ExitCode.invalid
    }
}
