import Foundation
import LessonSupport
import Synchronization

/// What one run of the pipeline is asked to make.
public struct CompileOptions: Sendable {
    /// Percent of a lesson's segments that must be translated to publish it in a locale.
    public var minCoverage = 100
    /// What a translation of an older version of its text does until reviewed.
    public var stale = StalePolicy.fallback
    /// Make each lesson's documents (JSON with html); `validate` needs only diagnostics.
    var documents = true
    /// Where the run is: loading, then lessons compiled (or checked) of all, from worker threads.
    public var progress: (@Sendable (WorkProgress) -> Void)?

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
    /// Digest of a document or asset → its gzip object, as publish learns them, and those learnt
    /// in this run.
    private let objects: Mutex<(all: [ContentDigest: ContentRef], added: [(ContentDigest, ContentRef)])>

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
        objects = Mutex((cache.compressed, []))
    }

    /// The default cache folder of a project.
    static func defaultCacheFolder(root: URL) -> URL { root.appendingPathComponent(CompileCache.defaultFolder) }

    // MARK: - Compiling

    func compile(into sink: some OutputSink) -> Compilation {
        let hashDocuments = cacheFolder != nil || sink.usesDocumentDigests
        let diagnostics = DiagnosticSink()
        options.progress?(WorkProgress(.loading))
        let project = Loader(root: root, memo: cacheFolder == nil ? nil : CachedLoads(lessons: cache.lessons)).load(into: diagnostics)
        let translations = TranslationSet.load(project: project, cached: cache.translations, digests: digests)
        diagnostics.add(contentsOf: translations.diagnostics)
        let catalog = LazyCatalog(project: project, translations: translations)
        let links = LinkIndex(project: project)

        // Plan: which lessons the cache answers for, and which need work (compiling, or their
        // documents for the sink). Lessons that need neither are not touched again.
        var records: [[LessonRecord?]] = []
        var storedAsIs: [[Bool]] = []
        var compilers: [LessonCompiler] = []
        var keys: [ContentDigest] = []
        var work: [LessonWork] = []
        for (c, curriculum) in project.curricula.enumerated() {
            let key = CurriculumKey.digest(curriculum, translations: translations.files(of: curriculum.id), options: options)
            keys.append(key)
            compilers.append(LessonCompiler(curriculum: curriculum, links: links))
            var these: [LessonRecord?] = []
            these.reserveCapacity(curriculum.lessons.count)
            var stored = [Bool](repeating: false, count: curriculum.lessons.count)
            // By index: each `LessonSource` copied out of the list costs a dozen retains and releases.
            for l in curriculum.lessons.indices {
                guard curriculum.lessons[l].compilable else { these.append(nil); continue }
                let lesson = curriculum.lessons[l]
                let cached = cachedRecord(lesson, key: key, links: links, curriculum: curriculum, storedAsIs: &stored[l])
                these.append(cached)
                if let cached {
                    if options.documents, sink.needsDocuments(of: lesson, record: cached) { work.append(LessonWork(curriculum: c, lesson: l, cached: true)) }
                } else {
                    work.append(LessonWork(curriculum: c, lesson: l, cached: false))
                }
            }
            records.append(these)
            storedAsIs.append(stored)
        }
        let done = ProgressCounter(options.documents ? .compiling : .checking, total: work.count, options.progress)
        let results: [LessonRecord?]
        do {
            // `planned` ends with this scope, so filling in `records` below copies nothing.
            let (theCompilers, theKeys, planned, plan) = (compilers, keys, records, work)
            results = Parallel.map(plan) { item -> LessonRecord? in
                defer { done.tick() }
                let curriculum = project.curricula[item.curriculum]
                let lesson = curriculum.lessons[item.lesson]
                if item.cached, let record = planned[item.curriculum][item.lesson], let documents = storedDocuments(record) {
                    sink.accept(documents, of: lesson, in: curriculum)
                    return nil
                }
                // Not in the cache, or its stored documents are gone or damaged: compile it.
                let made = compileLesson(lesson, curriculum: curriculum, compiler: theCompilers[item.curriculum], key: theKeys[item.curriculum], catalog: catalog,
                                         hashDocuments: hashDocuments)
                if !made.documents.isEmpty { sink.accept(made.documents, of: lesson, in: curriculum) }
                return made.record
            }
        }
        var compiled = Set<String>()
        for (item, record) in zip(work, results) {
            guard let record else { continue }
            records[item.curriculum][item.lesson] = record
            storedAsIs[item.curriculum][item.lesson] = false
            compiled.insert(project.curricula[item.curriculum].lessons[item.lesson].path)
        }
        return assemble(project, translations: translations, catalog: catalog, records: records, storedAsIs: storedAsIs, compiled: compiled, diagnostics: diagnostics)
    }

    /// A lesson that needs work: compiling, or (`cached`) its documents for the sink. Its record,
    /// if cached, stays in the plan's records: 40,000 copies here took 7 MB.
    struct LessonWork: Sendable {
        var curriculum: Int
        var lesson: Int
        var cached: Bool
    }

    /// The cached record of a lesson, when its file, its curriculum's context, its place in the
    /// unit tree and every answer it looked up in the project are as they were. `storedAsIs`: the
    /// cache's entry is also loaded as it was (the same stamp), so there is nothing to save.
    private func cachedRecord(_ lesson: LessonSource, key: ContentDigest, links: LinkIndex, curriculum: Curriculum, storedAsIs: inout Bool) -> LessonRecord? {
        guard let entry = cache.lessons[lesson.path], let record = entry.record, let origin = lesson.origin,
              entry.loaded.origin.digest == origin.digest, record.curriculumKey == key, record.unitTitles == lesson.unitTitles,
              !options.documents || record.files.allSatisfy({ $0.document != nil }),
              record.dependencies.hold(links: links, curriculum: curriculum) else { return nil }
        storedAsIs = entry.loaded.origin == origin
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
    private func compileLesson(_ source: LessonSource, curriculum: Curriculum, compiler: LessonCompiler, key: ContentDigest,
                               catalog: LazyCatalog, hashDocuments: Bool = true) -> (record: LessonRecord, documents: [LessonDocumentBytes]) {
        var diagnostics: [Diagnostic] = []
        let compiled = compiler.compile(source, into: &diagnostics)
        var files: [LessonFile] = []
        var documents: [LessonDocumentBytes] = []
        func add(_ locale: String, _ lesson: CompiledLesson, fallback: Bool, coverage: Int?, stale: StaleChange? = nil) {
            var ref: ContentRef?
            if options.documents {
                let bytes = LessonJSON.document(lesson, curriculum: curriculum, locale: locale, fallback: fallback, coverage: coverage)
                let r = hashDocuments ? ContentRef(of: bytes) : ContentRef(digest: .notComputed, size: bytes.count)
                documents.append(LessonDocumentBytes(locale: locale, bytes: bytes, ref: r))
                blobs?.add(bytes, digest: r.digest)
                ref = hashDocuments ? r : nil
            }
            files.append(LessonFile(locale: locale, document: ref, fallback: fallback, coverage: coverage, title: lesson.source.meta.title, stale: stale))
        }
        add(curriculum.meta.language, compiled, fallback: false, coverage: nil)
        // Every locale with an XLIFF file gets the lesson: translated when enough of it is,
        // otherwise the source marked as a fallback.
        let translations = catalog.entries(of: curriculum.id)
        let segments = translations.isEmpty ? [] : SegmentWalker.segments(of: compiled)
        for entry in translations {
            let file = entry.document.file(for: source.id)
            let t = Translator.translate(compiled, segments: segments, file: file, locale: entry.locale,
                                         path: entry.path, stale: options.stale, diagnostics: &diagnostics)
            let publish = t.publishes(minCoverage: options.minCoverage)
            let change = t.staleChange(minCoverage: options.minCoverage)
            if case .fellBack(let n) = change {
                diagnostics.append(Diagnostic(.warning, .translationStale,
                    "\(source.id) falls back to '\(curriculum.meta.language)' in '\(entry.locale)': \(n) text\(n == 1 ? "" : "s") changed since translated await\(n == 1 ? "s" : "") review "
                    + "(translate status --lessons lists them; build --stale keep keeps old translations live meanwhile)",
                    path: entry.path, line: max(1, file?.line ?? 1), column: max(1, file?.column ?? 1)))
            }
            add(entry.locale, publish ? t.lesson(sourceLanguage: curriculum.meta.language) : compiled, fallback: !publish, coverage: t.coverage, stale: change)
        }
        var record = LessonRecord(curriculumKey: key, unitTitles: source.unitTitles, dependencies: compiled.dependencies,
                                  diagnostics: diagnostics, assets: compiled.assets.sorted(), files: files)
        if options.documents {
            record.indexEntry = CurriculumIndex.lessonEntry(source, files: files, locales: [curriculum.meta.language] + translations.map(\.locale))
        }
        return (record, documents)
    }

    private func assemble(_ project: Project, translations: TranslationSet, catalog: LazyCatalog, records: [[LessonRecord?]], storedAsIs: [[Bool]],
                          compiled: Set<String>, diagnostics: DiagnosticSink) -> Compilation {
        var curricula: [CompiledCurriculum] = []
        for (c, (curriculum, records)) in zip(project.curricula, records).enumerated() {
            for record in records { diagnostics.add(contentsOf: record?.diagnostics ?? []) }
            var used = Set<String>()
            for record in records { used.formUnion(record?.assets ?? []) }
            let everyLessonRead = curriculum.lessons.allSatisfy(\.compilable)
            // A lesson that could not be read may use any asset: no "not used" guesses while one is unread.
            for asset in curriculum.assets.keys.sorted() where !used.contains(asset) && everyLessonRead && !curriculum.escapingAssets.contains(asset) {
                diagnostics.add(Diagnostic(.warning, .unusedAsset, "asset is not used by any lesson", path: "\(curriculum.dir)/\(asset)"))
            }
            // The curriculum's own texts in each locale, for its index (issue 15.6): read from the
            // XLIFF files on every run, as they are not in any lesson's record.
            var texts: [CurriculumTranslation] = []
            if !translations.files(of: curriculum.id).isEmpty {
                let durationWords = Set(curriculum.lessons.compactMap(\.meta.duration).flatMap(CurriculumTexts.durationWords))
                for entry in catalog.curriculumTextEntries(of: curriculum) {
                    var found: [Diagnostic] = []
                    texts.append(entry.curriculumTranslation(curriculum, durationWords: durationWords, stale: options.stale, diagnostics: &found))
                    diagnostics.add(contentsOf: found)
                }
            }
            curricula.append(CompiledCurriculum(curriculum: curriculum,
                                                locales: [curriculum.meta.language] + translations.files(of: curriculum.id).map(\.locale),
                                                lessons: records, usedAssets: used.sorted(), everyLessonRead: everyLessonRead, texts: texts,
                                                storedAsIs: storedAsIs[c]))
        }
        return Compilation(project: project, curricula: curricula, diagnostics: diagnostics.all, translations: translations, compiled: compiled)
    }

    // MARK: - What sinks ask for later

    /// The documents of one lesson, from the blobs or compiled again (publish needs every
    /// object of a changed pack).
    func documents(of lesson: LessonSource, record: LessonRecord, in compilation: Compilation) -> [LessonDocumentBytes] {
        if let stored = storedDocuments(record) { return stored }
        guard let curriculum = compilation.project.curricula.first(where: { $0.id == lesson.curriculum }) else { return [] }
        let compiler = LessonCompiler(curriculum: curriculum, links: LinkIndex(project: compilation.project))
        return compileLesson(lesson, curriculum: curriculum, compiler: compiler, key: record.curriculumKey,
                             catalog: LazyCatalog(project: compilation.project, translations: compilation.translations)).documents
    }

    /// The gzip object made earlier from the bytes with this digest.
    func object(for digest: ContentDigest) -> ContentRef? { objects.withLock { $0.all[digest] } }

    func remember(object: ContentRef, for digest: ContentDigest) {
        objects.withLock { o in
            if o.all.updateValue(object, forKey: digest) != object { o.added.append((digest, object)) }
        }
    }

    // MARK: - Saving the cache

    /// Writes what this run learnt for the next one. `build` is what a build folder now holds
    /// (and what changed in it); `live` the digests (besides lesson documents) whose objects and
    /// blobs are worth keeping.
    func save(_ compilation: Compilation, build: (folder: URL, changes: BuildFolder.Changes)? = nil, live: Set<ContentDigest> = []) throws {
        guard let cacheFolder, options.documents else { return }
        var changes = CacheJournal.Delta()
        // Lessons are read in place, by index: copying 10,000 lessons and records to compare them
        // cost more than the comparison.
        var known = 0, loaded = 0
        for (c, curriculum) in compilation.project.curricula.enumerated() {
            let records = compilation.curricula[c].lessons, storedAsIs = compilation.curricula[c].storedAsIs
            for l in curriculum.lessons.indices {
                guard let origin = curriculum.lessons[l].origin else { continue }
                loaded += 1
                // Found in the cache as this run leaves it when planned (and not compiled since).
                if l < storedAsIs.count && storedAsIs[l] { known += 1; continue }
                let path = curriculum.lessons[l].path
                let old = cache.lessons[path]
                if old != nil { known += 1 }
                if compilation.compiled.contains(path) || old?.loaded.origin != origin || (old?.record == nil) != (records[l] == nil) {
                    changes.lessons.append((path, CompileCache.Lesson(loaded: LoadedLesson(curriculum.lessons[l], origin: origin), record: records[l])))
                }
            }
        }
        // Paths are unique in a project: when every cached lesson was met, none was removed.
        if known != cache.lessons.count {
            var current = Set<String>()
            for curriculum in compilation.project.curricula { for lesson in curriculum.lessons where lesson.origin != nil { current.insert(lesson.path) } }
            changes.removedLessons = cache.lessons.keys.filter { !current.contains($0) }
        }
        changes.files = digests.remembered
        changes.translations = compilation.translations
        changes.translations?.catalog = nil
        changes.compressed = objects.withLock { $0.added }
        if let build {
            changes.builds = [(build.folder.path, build.changes.written, build.changes.removed, build.changes.quick)]
            if build.changes.fresh { changes.removedBuilds = [build.folder.path] }
        }
        if let blobs {
            let (added, dropped) = blobs.changes
            changes.blobs = added
            changes.removedBlobs = dropped
        }
        let unchanged = changes.lessons.isEmpty && changes.removedLessons.isEmpty && changes.files == cache.files
            && changes.translations?.fingerprint == cache.translations?.fingerprint && changes.compressed.isEmpty
            && changes.builds.allSatisfy { $0.files.isEmpty && $0.removed.isEmpty && $0.quick.isEmpty } && changes.blobs.isEmpty && changes.removedBlobs.isEmpty
        // A run that learnt nothing new leaves the cache as it is.
        guard !unchanged else { return }
        // The cache after this run holds exactly the lessons loaded in it (`loaded`). It is put
        // together only for a new index: a journal entry needs none of it (applying a change to a
        // copy of 10,000 lessons took longer than writing the change).
        if let base = cache.base, changes.lessons.count + changes.removedLessons.count <= max(64, loaded / 8),
           (try? CacheJournal.append(changes, base: base, in: cacheFolder)) == true {
            return
        }
        var next = cache
        changes.apply(to: &next)
        // A new index: only what the current lessons, indexes and assets use is kept.
        var liveDigests = live
        for compiled in compilation.curricula {
            for record in compiled.lessons { for file in record?.files ?? [] { if let d = file.document { liveDigests.insert(d.digest) } } }
        }
        next.compressed = next.compressed.filter { liveDigests.contains($0.key) }
        // A few build folders at most: each record lists every file.
        while next.builds.count > 4, let oldest = next.builds.keys.sorted().first(where: { $0 != build?.folder.path }) { next.builds[oldest] = nil }
        next.blobIndex = blobs?.index(keeping: liveDigests.union(next.compressed.values.map(\.digest))) ?? [:]
        try next.save(in: cacheFolder)
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
        e.string(options.stale.rawValue)
        e.array(translations) { e, f in e.string(f.locale); e.string(f.path); e.digest(f.digest) }
        return ContentDigest(of: e.bytes)
    }
}

/// The parsed translation catalog, loaded by the first lesson that needs it (most runs need none:
/// every translated lesson comes from the cache).
final class LazyCatalog: Sendable {
    private let project: Project
    private let translated: Set<String>
    /// The cache's summary of the files, when the catalog was not parsed in this run.
    private let excerpts: [String: [TranslationSet.File]]
    private let catalog: Mutex<TranslationCatalog?>

    init(project: Project, translations: TranslationSet) {
        self.project = project
        translated = Set(translations.files.filter { !$0.value.isEmpty }.keys)
        excerpts = translations.catalog == nil ? translations.files : [:]
        catalog = Mutex(translations.catalog)
    }

    func entries(of curriculum: String) -> [TranslationCatalog.Entry] {
        guard translated.contains(curriculum) else { return [] }
        return catalog.withLock { c in
            if c == nil { c = TranslationCatalog.load(project: project, into: DiagnosticSink()) }
            return c!.translations(of: curriculum)
        }
    }

    /// The entries to read a curriculum's own texts from (`curriculumTranslation`). When no lesson
    /// needed the catalog, the cache says where those texts are in each unchanged file: the few
    /// bytes are read, not a 50 MB file for one `<file>` (a warm build, issue 14.1).
    func curriculumTextEntries(of curriculum: Curriculum) -> [TranslationCatalog.Entry] {
        let known = catalog.withLock { $0 != nil }
        if !known, let files = excerpts[curriculum.id], files.allSatisfy({ $0.curriculumTexts != nil }) {
            return files.map { f in
                TranslationCatalog.Entry(locale: f.locale, path: f.path,
                                         document: XLIFFDocument(excerpt: f.curriculumTexts!, url: project.root.appendingPathComponent(f.path), path: f.path,
                                                                 sourceLanguage: curriculum.meta.language, targetLanguage: f.locale))
            }
        }
        return entries(of: curriculum.id)
    }
}

/// Counts things done across threads for a progress display (which throttles what it draws).
final class ProgressCounter: Sendable {
    private let count = Atomic<Int>(0)
    let step: WorkProgress.Step
    let total: Int
    let progress: (@Sendable (WorkProgress) -> Void)?

    init(_ step: WorkProgress.Step, total: Int, _ progress: (@Sendable (WorkProgress) -> Void)?) {
        (self.step, self.total, self.progress) = (step, total, progress)
        if total > 0 { progress?(WorkProgress(step, done: 0, total: total)) }
    }

    func tick(_ n: Int = 1) {
        guard let progress else { return }
        progress(WorkProgress(step, done: count.wrappingAdd(n, ordering: .relaxed).newValue, total: total))
    }
}
