import Foundation
import LessonCompiler
import LessonSupport

enum TranslateCommand: Command {
    static let name = "translate"
    static let summary = "extract XLIFF 1.2 for translators; report translation status"
    static let help = """
    Usage: lessonc translate extract --locale LL [--root DIR] [--curriculum ID[,ID...]]
           lessonc translate status  [--root DIR] [--format text|json] [--min-coverage P]
                                     [--locale LL[,LL...]] [--curriculum ID[,ID...]] [--lessons]

    Translators work in XLIFF 1.2 files, one per curriculum and locale:
    locales/LL/<curriculum-id>.xlf, with one <file> per lesson and one <trans-unit> per text.
    'lessonc build' merges them: a lesson is published in LL once every text is translated
    (state translated, signed-off or final), otherwise it falls back to the source language.
    TRANSLATING.md is the guide for translators and coordinators.

    Sub-commands (each has --help):
      extract   create or update locales/LL/*.xlf from content/
      status    per locale and curriculum (and lesson): texts translated, to review and new;
                lessons published and falling back; words translated, to review and new

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

    The curriculum's own texts (title, description, unit titles and summaries, level titles,
    duration units) are one more <file>, with unit ids _curriculum/title-1 and so on. Each unit
    has a note from lessonc saying what the text is (a heading, a quiz option and whether it is
    correct, a callout's kind, where a link goes) and, for texts shown in menus, a suggested
    longest length (maxwidth, size-unit="char").

    On re-extraction:
      - every existing translation is kept, with its state, approved="yes" and notes; a text
        signed-off or final gets approved="yes";
      - a text whose source changed keeps its translation with state="needs-review-translation",
        and the previous source in <alt-trans alttranstype="previous-version"> and a note;
      - a new text arrives as <target state="new"/>, or pre-filled for review
        (state="needs-review-translation", <alt-trans alttranstype="proposal">) when the same
        text is translated elsewhere in the locale or the translation memory holds it or a
        nearly identical one;
      - a removed text leaves the file; its translation goes to the translation memory,
        locales/LL/_memory.xlf;
      - re-wrapping or whitespace-only edits change nothing.
    An existing file with any problem (not well-formed, an unknown or duplicate unit id, an
    unknown state) is not rewritten: extract lists the problems and exits 1.

    Options:
      --locale LL         the target locale, a BCP 47 tag (sw, fr, ar, pt-BR, ...)
      --root DIR          the project folder holding content/ and locales/ (default: the nearest folder with content/, here or above)
      --curriculum IDS    only these curricula (comma-separated)
      -h, --help          show this help

    Exit status: 0 written, 1 the content or an existing XLIFF file is invalid (nothing written), 2 wrong usage.
    """

    static let statusHelp = """
    Usage: lessonc translate status [--root DIR] [--format text|json] [--min-coverage P] [--stale fallback|keep]
                                    [--locale LL[,LL...]] [--curriculum ID[,ID...]] [--lessons]

    For each locale and curriculum with an XLIFF file, measured against the current source and
    counted exactly as 'lessonc build' uses the translations:
      segments         texts to translate (the lessons' and the curriculum's own)
      translated       texts with a translation the build publishes
      review           texts with a translation the build does not use: made for an older source,
                       marked for review or editing, or failing a check ("N failing"); of those
                       made for an older source, "N changed" pass the checks ("N kept" with
                       --stale keep: the build shows them, and counts them in the percentage)
      new              texts with no translation yet
      published        lessons the build publishes in the locale; fallback: lessons shown in the
                       source language; with --lessons, "partial": published with some texts in
                       the source language (--min-coverage)
      words done, words to review, words new
                       source words of the translated texts, of those to review, and of the new ones

    Options:
      --root DIR          the project folder (default: the nearest folder with content/, here or above)
      --format FORMAT     text (default, a table) or json
      --min-coverage P    count a lesson as published from P% translated, as 'build --min-coverage' does (default 100)
      --stale POLICY      count old translations of changed texts as 'build --stale' does: fallback (default) or keep
      --locale LLS        only these locales (comma-separated BCP 47 tags, any letter case)
      --curriculum IDS    only these curricula (comma-separated)
      --lessons           a row per lesson (and one for the curriculum's own texts) under each
                          locale and curriculum; in JSON, "lesson_rows"
      -h, --help          show this help

    Exit status: 0 reported, 1 the content has errors, 2 wrong usage.
    """

    static let extractSpec = OptionSpec(options: ["locale", "root", "curriculum"])
    static let statusSpec = OptionSpec(options: ["root", "format", "min-coverage", "stale", "locale", "curriculum"], flags: ["lessons"])
    static let spec = OptionSpec(options: extractSpec.options.union(statusSpec.options), flags: statusSpec.flags)

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
        let curricula = list(args["curriculum"])
        let progress = ProgressPrinter(command: "translate extract")
        let result = TranslationExtractor.run(root: location.root, locale: locale, curricula: curricula, progress: progress.work)
        progress.finish()
        for d in result.diagnostics { Console.out(location.display(d).description) }
        guard result.succeeded else {
            Console.err("extract failed: nothing was written")
            return ExitCode.invalid
        }
        for f in result.files { Console.err(f.description) }
        if let memory = result.memory {
            Console.err("\(location.display(memory.path)): \(memory.added) removed translation\(memory.added == 1 ? "" : "s") kept for suggestions")
        }
        if result.files.isEmpty { Console.err("nothing to extract: every curriculum is written in '\(locale)'") }
        return ExitCode.success
    }

    /// A comma-separated option value as a list.
    static func list(_ value: String?) -> [String]? {
        value.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    static func status(_ argv: [String]) throws -> Int32 {
        let args = try statusSpec.parse(argv)
        let location = ProjectLocation.find(args)
        let format = try args.choice("format", ["text", "json"], default: "text")
        let minCoverage = try args.integer("min-coverage", default: 100, range: 0...100)
        let locales = list(args["locale"])
        for l in locales ?? [] where !LocaleInfo.isValidTag(l) {
            throw UsageError(message: "--locale '\(l)' is not a BCP 47 tag such as sw, fr-CA or ha-Arab")
        }
        let lessons = args.has("lessons")
        let report = TranslationStatus.run(root: location.root, options: TranslationStatus.Options(locales: locales, curricula: list(args["curriculum"]),
                                                                                                   minCoverage: minCoverage, stale: try StalePolicy.parse(args)))
        let errors = report.diagnostics.filter { $0.severity == .error }
        if report.rows.isEmpty && !errors.isEmpty {
            for d in errors { Console.err(location.display(d).description) }
            return ExitCode.invalid
        }
        if !errors.isEmpty {
            Console.err("\(errors.count) error\(errors.count == 1 ? "" : "s") in content/ or locales/; 'lessonc validate' lists them")
        }
        if format == "json" {
            Console.out(JSON.array(report.rows.map { $0.json(lessons: lessons) }).pretty())
        } else if report.rows.isEmpty {
            Console.out("no translations\(locales == nil ? "" : " in \(locales!.joined(separator: ", "))"): run 'lessonc translate extract --locale LL' to start one")
        } else if lessons {
            let header = TranslationStatus.Row.lessonColumns.map { $0.uppercased() }
            Console.out(renderTable([header] + report.rows.flatMap(\.lessonCells), leftColumns: 3))
            Console.out("")
            Console.out(renderTable([TranslationStatus.Row.columns.map { $0.uppercased() }] + report.rows.map(\.cells), leftColumns: 2))
        } else {
            let header = TranslationStatus.Row.columns.map { $0.uppercased() }
            Console.out(renderTable([header] + report.rows.map(\.cells), leftColumns: 2))
        }
        return errors.isEmpty ? ExitCode.success : ExitCode.invalid
    }
}
