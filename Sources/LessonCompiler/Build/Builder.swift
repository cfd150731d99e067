import Foundation
import LessonSupport

public struct BuildOptions: Sendable {
    public var root: URL
    /// Where to write; nil only checks (what `validate` does).
    public var output: URL?
    /// Warnings fail the run too.
    public var strict = false
    /// Where the run is (`CompileOptions.progress`).
    public var progress: (@Sendable (WorkProgress) -> Void)?
    /// Percent of a lesson's segments that must be translated to publish it in a locale;
    /// below it the lesson falls back to the source language. Gaps are filled from the source.
    public var minCoverage = 100
    /// What a translation of an older version of its text does until reviewed (`--stale`).
    public var stale = StalePolicy.fallback
    /// The compile cache's folder (default `ROOT/.lessonc-cache`); nil with `useCache` false for none.
    public var cacheFolder: URL?
    public var useCache = true

    public init(root: URL, output: URL? = nil, strict: Bool = false) {
        self.root = root
        self.output = output
        self.strict = strict
    }

    /// The cache folder this run uses, if any.
    var resolvedCacheFolder: URL? {
        useCache ? (cacheFolder ?? ProjectCompiler.defaultCacheFolder(root: root.standardizedFileURL)) : nil
    }

    var compileOptions: CompileOptions {
        var o = CompileOptions()
        o.minCoverage = minCoverage
        o.stale = stale
        o.documents = output != nil
        o.progress = progress
        return o
    }
}

/// A lesson whose state in one locale changed because texts of its source changed since they
/// were translated: it falls back to the source language, or (`--stale keep`) shows old translations.
public struct StaleLesson: Sendable, Equatable {
    public var locale: String
    public var curriculum: String
    public var lesson: String
    public var change: StaleChange

    /// One line for the person running the build.
    public var description: String {
        switch change {
        case .fellBack(let n):
            return "\(locale): \(curriculum)/\(lesson) falls back to the source language: \(n) changed text\(n == 1 ? "" : "s") await\(n == 1 ? "s" : "") review"
        case .kept(let n):
            return "\(locale): \(curriculum)/\(lesson) stays translated with \(n) old translation\(n == 1 ? "" : "s") of changed text awaiting review (--stale keep)"
        }
    }
}

public struct BuildResult: Sendable {
    public var diagnostics: [Diagnostic]
    public var lessonCount: Int
    public var curriculumCount: Int
    public var succeeded: Bool
    /// Lessons compiled in this run; the others came from the compile cache.
    public var compiledCount = 0
    /// Files written into the output folder (0 when nothing changed).
    public var filesWritten = 0
    /// Why the compile cache was not used, when it was there but could not be.
    public var cacheNote: String?
    /// Lessons whose state in a locale changed because texts changed since they were translated.
    public var staleLessons: [StaleLesson] = []
    public var errors: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warnings: Int { diagnostics.filter { $0.severity == .warning }.count }
}

/// `validate` and `build`: load → validate → compile, from the compile cache where nothing
/// changed, and, when asked, the build folder brought up to date (`BuildFolder`). Nothing in the
/// output folder changes unless the whole build succeeds.
public enum Builder {
    public static func run(_ options: BuildOptions) -> BuildResult {
        let compiler = ProjectCompiler(root: options.root, options: options.compileOptions, cacheFolder: options.resolvedCacheFolder)
        defer { ProcessExit.keep(compiler) }
        guard let out = options.output?.standardizedFileURL else {
            let compilation = compiler.compile(into: NoOutput())
            return result(compilation, compiler: compiler, options: options, failed: failed(compilation.diagnostics, options))
        }
        let folder: BuildFolder
        do {
            folder = try BuildFolder(out: out, previous: compiler.cache.builds[out.path], digests: compiler.digests,
                                     recordsDigests: compiler.cacheFolder != nil)
        } catch {
            let d = Diagnostic(.error, .outputError, "cannot create the output folder: \(error.localizedDescription)", path: out.path)
            return BuildResult(diagnostics: [d], lessonCount: 0, curriculumCount: 0, succeeded: false, cacheNote: compiler.cacheNote)
        }
        var compilation = compiler.compile(into: folder)
        defer { ProcessExit.keep(compilation) }
        // Compiling thousands of lessons leaves free pages between the records it keeps.
        if compilation.compiledCount >= 1000 { ProcessMemory.returnFreePages() }
        var diagnostics = compilation.diagnostics
        if failed(diagnostics, options) {
            folder.discard()
        } else {
            do {
                let (changes, live) = try folder.finish(compilation)
                try? compiler.save(compilation, build: (out, changes), live: live)
                var r = result(compilation, compiler: compiler, options: options, failed: false)
                r.filesWritten = folder.filesWritten
                return r
            } catch let e as BuildFolder.WriteFailure {
                diagnostics += e.diagnostics
            } catch {
                diagnostics.append(Diagnostic(.error, .outputError, "cannot replace the output: \(error.localizedDescription)", path: out.path))
            }
            folder.discard()
        }
        try? compiler.save(compilation)
        compilation.diagnostics = Diagnostic.sorted(diagnostics)
        return result(compilation, compiler: compiler, options: options, failed: true)
    }

    static func failed(_ diagnostics: [Diagnostic], _ options: BuildOptions) -> Bool {
        diagnostics.contains { $0.severity == .error || (options.strict && $0.severity == .warning) }
    }

    static func result(_ c: Compilation, compiler: ProjectCompiler, options: BuildOptions, failed: Bool) -> BuildResult {
        BuildResult(diagnostics: c.diagnostics, lessonCount: c.lessonCount, curriculumCount: c.project.curricula.count,
                    succeeded: !failed, compiledCount: c.compiledCount, cacheNote: compiler.cacheNote, staleLessons: c.staleLessons)
    }
}
