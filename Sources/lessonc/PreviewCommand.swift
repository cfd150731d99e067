import Foundation
import LessonCompiler

enum PreviewCommand: Command {
    static let name = "preview"
    static let summary = "write a static HTML preview of every lesson in every locale (build/preview)"
    static let help = """
    Usage: lessonc preview [--root DIR] [--out DIR] [--format text|json] [--cache DIR | --no-cache]

    Writes a static site that shows every lesson as devices get it, in every locale:
      OUT/index.html                            curricula × locales: lesson counts, translation coverage
      OUT/<curriculum>/<locale>/index.html      table of contents (units, lessons, order)
      OUT/<curriculum>/<locale>/<id>.html       one lesson: callouts, answerable quizzes, tables, images
      OUT/<curriculum>/<locale>/review/...      a translation side by side with its source, with each
                                                text's XLIFF state (new, needs review, translated, final)
      OUT/<curriculum>/assets/...               the images the lessons use

    Open OUT/index.html in a browser, or upload OUT to any static host: the site loads nothing
    from elsewhere. Every page carries lang and dir; a lesson shown in the source language inside
    a translation is marked "not yet translated" and keeps its own direction. A lesson with
    problems shows them at the top, with file:line:column; a lesson with errors is still shown, so
    the preview is written even when validate would fail (the exit status says so).

    Lessons come from the compile cache when nothing they depend on changed, pages whose inputs
    did not change are not rendered again, and only files whose bytes change are written. The
    same sources always give byte-identical files.
    'lessonc serve' shows the preview on 127.0.0.1 and reloads it as you edit.

    Options:
      --root DIR       the project folder holding content/ (default: the nearest folder with content/, here or above)
      --out DIR        where to write (default: ROOT/build/preview); an empty or new folder, or an earlier preview
      --format FORMAT  diagnostics as text (default) or json
    \(CacheArguments.help(column: 19))
      -h, --help       show this help

    Exit status: 0 written without errors, 1 written but some lessons have errors (or OUT could not
    be written), 2 wrong usage.
    """

    static let spec = OptionSpec(options: CacheArguments.options.union(["root", "out", "format"]), flags: CacheArguments.flags)

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try spec.parse(argv)
        let format = try args.choice("format", ["text", "json"], default: "text")
        let location = ProjectLocation.find(args)
        var options = try previewOptions(args, location: location)
        let progress = ProgressPrinter(command: name)
        options.progress = progress.work
        let result = PreviewSite(options).run()
        progress.finish()
        report(result, format: format, location: location)
        guard result.written else {
            Console.err("preview failed: nothing written to \(options.output.path)")
            return ExitCode.invalid
        }
        Console.err("wrote \(options.output.path)/index.html (\(result.filesWritten) file\(result.filesWritten == 1 ? "" : "s") changed)"
                    + (summary(result).map { "; \($0)" } ?? ""))
        return result.errors > 0 ? ExitCode.invalid : ExitCode.success
    }

    /// The options `preview` and `serve` share.
    static func previewOptions(_ args: Arguments, location: ProjectLocation) throws -> PreviewOptions {
        let out = args["out"].map { URL(fileURLWithPath: $0, isDirectory: true, relativeTo: location.cwd).standardizedFileURL }
            ?? location.root.appendingPathComponent("build/preview")
        var options = PreviewOptions(root: location.root, output: out)
        (options.cacheFolder, options.useCache) = try CacheArguments.parse(args)
        return options
    }

    static func report(_ result: PreviewResult, format: String, location: ProjectLocation) {
        ValidateCommand.report(result.diagnostics, lessons: result.lessonCount, curricula: result.curriculumCount, cacheNote: result.cacheNote,
                               format: format, strict: false, location: location)
    }

    static func summary(_ result: PreviewResult) -> String? {
        let reused = result.lessonCount - result.compiledCount
        guard reused > 0 else { return nil }
        return "compiled \(result.compiledCount) lesson\(result.compiledCount == 1 ? "" : "s"); \(reused) unchanged, from the compile cache"
    }
}
