import Foundation
import LessonSupport

public struct BuildOptions {
    public var root: URL
    /// Where to write; nil only checks (what `validate` does).
    public var output: URL?
    /// Warnings fail the run too.
    public var strict = false
    /// Called now and then from worker threads with (lessons done, lessons in all).
    public var progress: (@Sendable (Int, Int) -> Void)?
    /// Percent of a lesson's segments that must be translated to publish it in a locale;
    /// below it the lesson falls back to the source language. Gaps are filled from the source.
    public var minCoverage = 100

    public init(root: URL, output: URL? = nil, strict: Bool = false) {
        self.root = root
        self.output = output
        self.strict = strict
    }
}

public struct BuildResult {
    public var diagnostics: [Diagnostic]
    public var lessonCount: Int
    public var curriculumCount: Int
    public var succeeded: Bool
    public var errors: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warnings: Int { diagnostics.filter { $0.severity == .warning }.count }
}

/// Runs load → validate → compile and, when asked, writes `build/` atomically:
/// everything goes to a staging folder first and replaces the old output only on success.
public enum Builder {
    public static func run(_ options: BuildOptions) -> BuildResult {
        let sink = DiagnosticSink()
        let project = Loader(root: options.root).load(into: sink)
        let catalog = TranslationCatalog.load(project: project, into: sink)
        let links = LinkIndex(project: project)
        let fm = FileManager.default

        var staging: URL?
        if let out = options.output {
            do {
                try fm.createDirectory(at: out, withIntermediateDirectories: true)
                let s = out.appendingPathComponent(".staging-\(ProcessInfo.processInfo.processIdentifier)")
                try? fm.removeItem(at: s)
                try fm.createDirectory(at: s, withIntermediateDirectories: true)
                staging = s
            } catch {
                sink.add(Diagnostic(.error, .outputError, "cannot create the output folder: \(error.localizedDescription)", path: out.path))
                return BuildResult(diagnostics: sink.all, lessonCount: 0, curriculumCount: 0, succeeded: false)
            }
        }
        let total = project.curricula.reduce(0) { $0 + $1.lessons.count }
        let counter = Counter()
        let writeFailures = DiagnosticSink()
        let writer = SerialWriter()

        for curriculum in project.curricula {
            let compiler = LessonCompiler(curriculum: curriculum, links: links)
            let locale = curriculum.meta.language
            let translations = catalog.translations(of: curriculum.id)
            let locales = [locale] + translations.map(\.locale)
            if let staging {
                for l in locales { try? fm.createDirectory(atPath: "\(staging.path)/\(curriculum.id)/\(l)", withIntermediateDirectories: true) }
            }
            let usedAssets = AssetSet()
            let fallbacks = FallbackSet()
            let lessons = curriculum.lessons
            // Lessons are independent once ids are known: compile and write them in parallel,
            // keeping nothing but diagnostics, so memory stays flat however large the corpus.
            DispatchQueue.concurrentPerform(iterations: lessons.count) { i in
                let source = lessons[i]
                guard source.compilable else { counter.tick(total, options.progress); return }
                var diagnostics: [Diagnostic] = []
                let compiled = compiler.compile(source, into: &diagnostics)
                // Documents (with their HTML) are made only when writing: validate needs diagnostics alone.
                let writing = staging != nil
                var outputs = writing ? [(locale, LessonEncoder.lessonBytes(compiled, curriculum: curriculum, locale: locale))] : []
                // Every locale with an XLIFF file gets the lesson: translated when enough of it is,
                // otherwise the source marked as a fallback.
                let segments = translations.isEmpty ? [] : SegmentWalker.segments(of: compiled)
                for entry in translations {
                    let t = Translator.translate(compiled, segments: segments, file: entry.document.file(for: source.id), locale: entry.locale,
                                                 path: entry.path, diagnostics: &diagnostics)
                    let publish = t.publishes(minCoverage: options.minCoverage)
                    fallbacks.insert(lesson: source.id, locale: entry.locale, fallback: !publish)
                    if writing {
                        outputs.append((entry.locale, LessonEncoder.lessonBytes(publish ? t.lesson : compiled, curriculum: curriculum, locale: entry.locale,
                                                                            fallback: !publish, coverage: t.coverage)))
                    }
                }
                sink.add(contentsOf: diagnostics)
                usedAssets.insert(compiled.assets)
                if let staging {
                    let files = outputs.map { (l, bytes) in ("\(staging.path)/\(curriculum.id)/\(l)/\(source.id).json", bytes) }
                    writer.enqueue(files, source: source.path, failures: writeFailures)
                }
                counter.tick(total, options.progress)
            }
            let assets = usedAssets.sorted
            let used = Set(assets)
            // A lesson that could not be read may use any asset: no "not used" guesses while one is unread.
            let everyLessonRead = lessons.allSatisfy(\.compilable)
            for asset in curriculum.assets.keys.sorted() where !used.contains(asset) && everyLessonRead && !curriculum.escapingAssets.contains(asset) {
                sink.add(Diagnostic(.warning, .unusedAsset, "asset is not used by any lesson", path: "\(curriculum.dir)/\(asset)"))
            }
            if let staging {
                let dir = staging.appendingPathComponent(curriculum.id)
                do {
                    for asset in assets {
                        let dest = dir.appendingPathComponent(asset)
                        try fm.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
                        try fm.copyItem(at: project.root.appendingPathComponent(curriculum.dir).appendingPathComponent(asset).resolvingSymlinksInPath(), to: dest)
                    }
                    let index = LessonDocument.index(curriculum, lessons: curriculum.lessons, locales: locales, assets: assets,
                                                     fallbacks: fallbacks.all)
                    try FileIO.write(index.bytes(pretty: true), to: dir.appendingPathComponent("index.json").path)
                } catch {
                    writeFailures.add(Diagnostic(.error, .outputError, "cannot write output: \(error.localizedDescription)", path: curriculum.dir))
                }
            }
        }
        writer.finish()
        sink.add(contentsOf: writeFailures.all)

        let diagnostics = sink.all
        let failed = diagnostics.contains { $0.severity == .error || (options.strict && $0.severity == .warning) }
        if let out = options.output, let staging {
            if failed {
                try? fm.removeItem(at: staging)
            } else {
                let top: JSON = ["format": "lessonc-build/1", "curricula": .array(project.curricula.map { c in
                    ["id": .string(c.id), "title": .string(c.meta.title), "version": .string(c.meta.version),
                     "language": .string(c.meta.language), "index": .string("\(c.id)/index.json"),
                     "locales": .array(([c.meta.language] + catalog.translations(of: c.id).map(\.locale)).map { .string($0) })]
                })]
                do {
                    try FileIO.write(top.bytes(pretty: true), to: staging.appendingPathComponent("index.json").path)
                    try swap(staging: staging, into: out, curricula: project.curricula.map(\.id))
                } catch {
                    try? fm.removeItem(at: staging)
                    var all = diagnostics
                    all.append(Diagnostic(.error, .outputError, "cannot replace the output: \(error.localizedDescription)", path: out.path))
                    return BuildResult(diagnostics: all, lessonCount: total, curriculumCount: project.curricula.count, succeeded: false)
                }
            }
        }
        return BuildResult(diagnostics: diagnostics, lessonCount: total, curriculumCount: project.curricula.count, succeeded: !failed)
    }

    /// Moves the staged entries into place. Only entries the build owns are replaced
    /// (its index.json and the curricula it lists), so `build/channel` and keys survive.
    static func swap(staging: URL, into out: URL, curricula: [String]) throws {
        let fm = FileManager.default
        let indexURL = out.appendingPathComponent("index.json")
        var owned = Set(curricula)
        if let data = fm.contents(atPath: indexURL.path), let old = try? JSON.parse(data), let list = old["curricula"]?.arrayValue {
            for c in list { if let id = c["id"]?.stringValue, !id.contains("/"), !id.hasPrefix(".") { owned.insert(id) } }
        }
        let trash = out.appendingPathComponent(".trash-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: trash)
        try fm.createDirectory(at: trash, withIntermediateDirectories: true)
        for name in owned.sorted() + ["index.json"] {
            let current = out.appendingPathComponent(name)
            if fm.fileExists(atPath: current.path) { try fm.moveItem(at: current, to: trash.appendingPathComponent(name)) }
        }
        for name in curricula.sorted() + ["index.json"] {
            try fm.moveItem(at: staging.appendingPathComponent(name), to: out.appendingPathComponent(name))
        }
        try? fm.removeItem(at: trash)
        try? fm.removeItem(at: staging)
    }
}

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func tick(_ total: Int, _ progress: (@Sendable (Int, Int) -> Void)?) {
        lock.lock(); value += 1; let v = value; lock.unlock()
        if let progress, v % 500 == 0 || v == total { progress(v, total) }
    }
}

/// Which lessons fell back to the source language in which locale, from many threads.
final class FallbackSet: @unchecked Sendable {
    private var items: [String: [String: Bool]] = [:]
    private let lock = NSLock()
    func insert(lesson: String, locale: String, fallback: Bool) { lock.lock(); items[lesson, default: [:]][locale] = fallback; lock.unlock() }
    var all: [String: [String: Bool]] { lock.lock(); defer { lock.unlock() }; return items }
}

final class AssetSet: @unchecked Sendable {
    private var items = Set<String>()
    private let lock = NSLock()
    func insert(_ s: Set<String>) { guard !s.isEmpty else { return }; lock.lock(); items.formUnion(s); lock.unlock() }
    var sorted: [String] { lock.lock(); defer { lock.unlock() }; return items.sorted() }
}

/// Writes build files from one thread while the others compile. Creating files in one folder
/// from several threads makes them queue on the folder's lock in the kernel (measured: most of
/// the build's time on ext4); one writer keeps the compilers busy instead. At most `limit`
/// lessons wait in memory, so memory stays flat.
final class SerialWriter: @unchecked Sendable {
    private let queue = DispatchQueue(label: "lessonc.build.writer")
    private let slots: DispatchSemaphore

    init(limit: Int = 64) {
        slots = DispatchSemaphore(value: limit)
    }

    func enqueue(_ files: [(String, [UInt8])], source: String, failures: DiagnosticSink) {
        slots.wait()
        queue.async { [slots] in
            for (path, bytes) in files {
                do {
                    try FileIO.write(bytes, to: path)
                } catch {
                    failures.add(Diagnostic(.error, .outputError, "cannot write output: \(error)", path: source))
                }
            }
            slots.signal()
        }
    }

    /// Waits until every queued file is written.
    func finish() {
        queue.sync {}
    }
}
