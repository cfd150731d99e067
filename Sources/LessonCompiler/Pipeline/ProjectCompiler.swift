import Foundation
import LessonSupport
import Synchronization

/// What one run of the pipeline is asked to make.
public struct CompileOptions: Sendable {
    /// Percent of a lesson's segments that must be translated to publish it in a locale.
    public var minCoverage = 100
    /// Make each lesson's documents (JSON with html); `validate` needs only diagnostics.
    var documents = true
    /// Called now and then from worker threads with (lessons done, lessons in all).
    public var progress: (@Sendable (Int, Int) -> Void)?

    public init() {}
}

/// Stages one to three for every output: load → (translate) → compile, each lesson taken from
/// the compile cache when nothing it depends on changed. The documents of freshly compiled lessons
/// go to an `OutputSink` as they are made (and into the cache's blobs); what stays in memory is a
/// `Compilation` of records, which the sinks (build folder, channel) finish from.
final class ProjectCompiler: Sendable {
    let root: URL
    let options: CompileOptions
    /// nil: no cache at all (nothing read, nothing written).
    let cacheFolder: URL?
    let cache: CompileCache
    /// Why the cache on disk was not used, when it was not.
    let cacheNote: String?
    let digests: FileDigests
    let blobs: BlobStore?
    /// Digest of a document or asset → its gzip object, as publish learns them.
    private let objects: Mutex<[ContentDigest: ContentRef]>

    init(root: URL, options: CompileOptions, cacheFolder: URL?) {
        self.root = root.standardizedFileURL
        self.options = options
        self.cacheFolder = cacheFolder
        var cache = CompileCache()
        var note: String?
        var blobs: BlobStore?
        if let cacheFolder {
            (cache, note) = CompileCache.open(cacheFolder)
            if options.documents, (try? FileManager.default.createDirectory(at: cacheFolder, withIntermediateDirectories: true)) != nil {
                blobs = BlobStore(url: cacheFolder.appendingPathComponent(CompileCache.blobsName), index: cache.blobIndex)
            }
        }
        self.cache = cache
        cacheNote = note
        self.blobs = blobs
        digests = FileDigests(cached: cache.files)
        objects = Mutex(cache.compressed)
    }

    /// The default cache folder of a project.
    static func defaultCacheFolder(root: URL) -> URL { root.appendingPathComponent(CompileCache.defaultFolder) }

    // MARK: - Compiling

    func compile(into sink: some OutputSink) -> Compilation {
        let diagnostics = DiagnosticSink()
        let project = Loader(root: root, memo: cacheFolder == nil ? nil : CachedLoads(lessons: cache.lessons)).load(into: diagnostics)
        let translations = TranslationSet.load(project: project, cached: cache.translations, digests: digests)
        diagnostics.add(contentsOf: translations.diagnostics)
        let catalog = LazyCatalog(project: project, translations: translations)
        let links = LinkIndex(project: project)

        var jobs: [LessonJob] = []
        for (c, curriculum) in project.curricula.enumerated() {
            let key = CurriculumKey.digest(curriculum, translations: translations.files(of: curriculum.id), options: options)
            let compiler = LessonCompiler(curriculum: curriculum, links: links)
            for lesson in curriculum.lessons {
                jobs.append(LessonJob(curriculum: c, lesson: lesson, compiler: compiler, key: key,
                                      cached: lesson.compilable ? cachedRecord(lesson, key: key, links: links, curriculum: curriculum) : nil))
            }
        }
        let total = jobs.count
        let done = ProgressCounter()
        let results = Parallel.map(jobs) { job -> LessonResult in
            defer { done.tick(total, self.options.progress) }
            guard job.lesson.compilable else { return LessonResult(record: nil, compiled: false) }
            let curriculum = project.curricula[job.curriculum]
            if let record = job.cached {
                guard options.documents, sink.needsDocuments(of: job.lesson, record: record) else { return LessonResult(record: record, compiled: false) }
                if let documents = storedDocuments(record) {
                    sink.accept(documents, of: job.lesson, in: curriculum)
                    return LessonResult(record: record, compiled: false)
                }
                // The stored documents are gone or damaged: compile the lesson again.
                let again = compileLesson(job, curriculum: curriculum, catalog: catalog)
                sink.accept(again.documents, of: job.lesson, in: curriculum)
                return LessonResult(record: again.record, compiled: true)
            }
            let made = compileLesson(job, curriculum: curriculum, catalog: catalog)
            if !made.documents.isEmpty { sink.accept(made.documents, of: job.lesson, in: curriculum) }
            return LessonResult(record: made.record, compiled: true)
        }
        return assemble(project, translations: translations, jobs: jobs, results: results, diagnostics: diagnostics)
    }

    struct LessonJob: Sendable {
        var curriculum: Int
        var lesson: LessonSource
        var compiler: LessonCompiler
        var key: ContentDigest
        var cached: LessonRecord?
    }

    struct LessonResult: Sendable {
        var record: LessonRecord?
        var compiled: Bool
    }

    /// The cached record of a lesson, when its file, its curriculum's context, its place in the
    /// unit tree and every answer it looked up in the project are as they were.
    private func cachedRecord(_ lesson: LessonSource, key: ContentDigest, links: LinkIndex, curriculum: Curriculum) -> LessonRecord? {
        guard let entry = cache.lessons[lesson.path], let record = entry.record, let origin = lesson.origin,
              entry.loaded.origin.digest == origin.digest, record.curriculumKey == key, record.unitTitles == lesson.unitTitles,
              !options.documents || record.files.allSatisfy({ $0.document != nil }),
              record.dependencies.hold(links: links, curriculum: curriculum) else { return nil }
        return record
    }

    /// A cached lesson's documents from the blobs; nil when any is missing or damaged.
    private func storedDocuments(_ record: LessonRecord) -> [LessonDocumentBytes]? {
        guard let blobs else { return nil }
        var out: [LessonDocumentBytes] = []
        for file in record.files {
            guard let ref = file.document, let bytes = blobs.read(ref.digest) else { return nil }
            out.append(LessonDocumentBytes(locale: file.locale, bytes: bytes, ref: ref))
        }
        return out
    }

    /// Compiles one lesson and translates it into every locale of its curriculum.
    private func compileLesson(_ job: LessonJob, curriculum: Curriculum, catalog: LazyCatalog) -> (record: LessonRecord, documents: [LessonDocumentBytes]) {
        let source = job.lesson
        var diagnostics: [Diagnostic] = []
        let compiled = job.compiler.compile(source, into: &diagnostics)
        var files: [LessonFile] = []
        var documents: [LessonDocumentBytes] = []
        func add(_ locale: String, _ lesson: CompiledLesson, fallback: Bool, coverage: Int?) {
            var ref: ContentRef?
            if options.documents {
                let bytes = LessonJSON.document(lesson, curriculum: curriculum, locale: locale, fallback: fallback, coverage: coverage)
                let r = ContentRef(of: bytes)
                documents.append(LessonDocumentBytes(locale: locale, bytes: bytes, ref: r))
                blobs?.add(bytes, digest: r.digest)
                ref = r
            }
            files.append(LessonFile(locale: locale, document: ref, fallback: fallback, coverage: coverage, title: lesson.source.meta.title))
        }
        add(curriculum.meta.language, compiled, fallback: false, coverage: nil)
        // Every locale with an XLIFF file gets the lesson: translated when enough of it is,
        // otherwise the source marked as a fallback.
        let translations = catalog.entries(of: curriculum.id)
        let segments = translations.isEmpty ? [] : SegmentWalker.segments(of: compiled)
        for entry in translations {
            let t = Translator.translate(compiled, segments: segments, file: entry.document.file(for: source.id), locale: entry.locale,
                                         path: entry.path, diagnostics: &diagnostics)
            let publish = t.isComplete || (options.minCoverage < 100 && t.coverage >= options.minCoverage)
            add(entry.locale, publish ? t.lesson : compiled, fallback: !publish, coverage: t.coverage)
        }
        var record = LessonRecord(curriculumKey: job.key, unitTitles: source.unitTitles, dependencies: compiled.dependencies,
                                  diagnostics: diagnostics, assets: compiled.assets.sorted(), files: files)
        if options.documents {
            record.indexEntry = CurriculumIndex.lessonEntry(source, files: files, locales: [curriculum.meta.language] + translations.map(\.locale))
        }
        return (record, documents)
    }

    private func assemble(_ project: Project, translations: TranslationSet, jobs: [LessonJob], results: [LessonResult],
                          diagnostics: DiagnosticSink) -> Compilation {
        var curricula: [CompiledCurriculum] = []
        var next = 0
        for curriculum in project.curricula {
            let records = results[next..<next + curriculum.lessons.count].map(\.record)
            next += curriculum.lessons.count
            for record in records { diagnostics.add(contentsOf: record?.diagnostics ?? []) }
            let used = Set(records.flatMap { $0?.assets ?? [] })
            let everyLessonRead = curriculum.lessons.allSatisfy(\.compilable)
            // A lesson that could not be read may use any asset: no "not used" guesses while one is unread.
            for asset in curriculum.assets.keys.sorted() where !used.contains(asset) && everyLessonRead && !curriculum.escapingAssets.contains(asset) {
                diagnostics.add(Diagnostic(.warning, .unusedAsset, "asset is not used by any lesson", path: "\(curriculum.dir)/\(asset)"))
            }
            curricula.append(CompiledCurriculum(curriculum: curriculum,
                                                locales: [curriculum.meta.language] + translations.files(of: curriculum.id).map(\.locale),
                                                lessons: records, usedAssets: used.sorted(), everyLessonRead: everyLessonRead))
        }
        return Compilation(project: project, curricula: curricula, diagnostics: diagnostics.all, translations: translations,
                           compiled: Set(zip(jobs, results).filter { $0.1.compiled }.map { $0.0.lesson.path }))
    }

    // MARK: - What sinks ask for later

    /// The documents of one lesson, from the blobs or compiled again (publish needs every
    /// object of a changed pack).
    func documents(of lesson: LessonSource, record: LessonRecord, in compilation: Compilation) -> [LessonDocumentBytes] {
        if let stored = storedDocuments(record) { return stored }
        guard let c = compilation.project.curricula.firstIndex(where: { $0.id == lesson.curriculum }) else { return [] }
        let curriculum = compilation.project.curricula[c]
        let compiler = LessonCompiler(curriculum: curriculum, links: LinkIndex(project: compilation.project))
        let job = LessonJob(curriculum: c, lesson: lesson, compiler: compiler, key: record.curriculumKey, cached: nil)
        return compileLesson(job, curriculum: curriculum, catalog: LazyCatalog(project: compilation.project, translations: compilation.translations)).documents
    }

    /// The gzip object made earlier from the bytes with this digest.
    func object(for digest: ContentDigest) -> ContentRef? { objects.withLock { $0[digest] } }

    func remember(object: ContentRef, for digest: ContentDigest) { objects.withLock { $0[digest] = object } }

    // MARK: - Saving the cache

    /// Writes what this run learnt for the next one. `build` is what a build folder now holds;
    /// `live` the digests (besides lesson documents) whose objects and blobs are worth keeping.
    func save(_ compilation: Compilation, build: (folder: URL, record: CompileCache.BuildRecord)? = nil, live: Set<ContentDigest> = []) throws {
        guard let cacheFolder, options.documents else { return }
        var next = CompileCache()
        var liveDocuments = live
        for (c, curriculum) in compilation.project.curricula.enumerated() {
            for (lesson, record) in zip(curriculum.lessons, compilation.curricula[c].lessons) {
                guard let origin = lesson.origin else { continue }
                next.lessons[lesson.path] = CompileCache.Lesson(loaded: LoadedLesson(lesson, origin: origin), record: record)
                for file in record?.files ?? [] { if let d = file.document { liveDocuments.insert(d.digest) } }
            }
        }
        next.files = digests.remembered
        next.translations = compilation.translations
        next.translations?.catalog = nil
        let objects = self.objects.withLock { $0 }.filter { liveDocuments.contains($0.key) }
        next.compressed = objects
        next.builds = cache.builds
        if let build { next.builds[build.folder.path] = build.record }
        // A few build folders at most: each record lists every file.
        while next.builds.count > 4, let oldest = next.builds.keys.sorted().first(where: { $0 != build?.folder.path }) { next.builds[oldest] = nil }
        next.blobIndex = blobs?.index(keeping: liveDocuments.union(objects.values.map(\.digest))) ?? [:]
        // A run that learnt nothing new leaves the cache as it is.
        guard !next.same(as: cache, noLessonCompiled: compilation.compiledCount == 0) else { return }
        try next.save(in: cacheFolder, replacing: cache, compiled: compilation.compiled)
    }
}

/// The digest of everything about a curriculum that goes into each of its lessons' documents
/// besides the lesson's own file: a lesson compiled under another key is compiled again.
enum CurriculumKey {
    static func digest(_ c: Curriculum, translations: [TranslationSet.File], options: CompileOptions) -> ContentDigest {
        var e = CacheEncoder(capacity: 256, interning: false)
        e.string(c.id); e.string(c.dir)
        e.string(c.meta.language); e.string(c.meta.license); e.strings(c.meta.authors)
        e.int(options.minCoverage)
        e.array(translations) { e, f in e.string(f.locale); e.string(f.path); e.digest(f.digest) }
        return ContentDigest(of: e.bytes)
    }
}

/// The parsed translation catalog, loaded by the first lesson that needs it (most runs need none:
/// every translated lesson comes from the cache).
final class LazyCatalog: Sendable {
    private let project: Project
    private let translated: Set<String>
    private let catalog: Mutex<TranslationCatalog?>

    init(project: Project, translations: TranslationSet) {
        self.project = project
        translated = Set(translations.files.filter { !$0.value.isEmpty }.keys)
        catalog = Mutex(translations.catalog)
    }

    func entries(of curriculum: String) -> [TranslationCatalog.Entry] {
        guard translated.contains(curriculum) else { return [] }
        return catalog.withLock { c in
            if c == nil { c = TranslationCatalog.load(project: project, into: DiagnosticSink()) }
            return c!.translations(of: curriculum)
        }
    }
}

/// Counts finished lessons across threads for the progress line.
final class ProgressCounter: Sendable {
    private let count = Atomic<Int>(0)

    func tick(_ total: Int, _ progress: (@Sendable (Int, Int) -> Void)?) {
        let v = count.wrappingAdd(1, ordering: .relaxed).newValue
        if let progress, v % 500 == 0 || v == total { progress(v, total) }
    }
}
