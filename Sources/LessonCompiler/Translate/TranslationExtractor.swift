import Foundation
import LessonSupport

/// `lessonc translate extract`: creates or updates `locales/<locale>/<curriculum>.xlf` so that it
/// holds exactly the current texts, keeping every translation and everything translators' tools wrote.
///
/// Nothing is lost: a file that does not read cleanly is never rewritten (every problem is an
/// error); translations whose text was removed go to the locale's translation memory
/// (`locales/<locale>/_memory.xlf`); a new text whose words are translated elsewhere in the locale,
/// or in the memory, arrives pre-filled for review, saying where it came from (TRANSLATING.md).
/// Lessons are compiled, matched and written a batch at a time, so memory stays flat.
public enum TranslationExtractor {
    public struct FileSummary: Sendable, Equatable {
        public var path: String
        public var created: Bool
        public var unchanged = 0
        /// Source changed: the old target is kept for review.
        public var changed = 0
        public var added = 0
        /// New texts that arrived with a suggested translation.
        public var suggested = 0
        public var removed = 0
        /// Removed translations kept in the translation memory.
        public var remembered = 0

        public var description: String {
            "\(path): \(created ? "created, " : "")\(added) new\(suggested > 0 ? " (\(suggested) with a suggestion)" : ""), \(changed) to review, "
                + "\(removed) removed\(remembered > 0 ? " (\(remembered) kept in the translation memory)" : ""), \(unchanged) unchanged"
        }

        mutating func add(_ other: FileSummary) {
            unchanged += other.unchanged
            changed += other.changed
            added += other.added
            suggested += other.suggested
            removed += other.removed
            remembered += other.remembered
        }
    }

    public struct Result: Sendable {
        public var diagnostics: [Diagnostic]
        public var files: [FileSummary]
        /// The translation memory, when this run added to it: its path and how many translations it gained.
        public var memory: (path: String, added: Int)?
        public var succeeded: Bool { !diagnostics.contains { $0.severity == .error } }

        public init(diagnostics: [Diagnostic], files: [FileSummary], memory: (path: String, added: Int)? = nil) {
            self.diagnostics = diagnostics
            self.files = files
            self.memory = memory
        }
    }

    /// Lessons matched and written at a time: bounds memory on large curricula.
    static let batchSize = 256

    /// - Parameter curricula: limit to these curriculum ids (nil: all but those written in `locale`).
    /// - Parameter progress: where the run is: loading, then lessons extracted of all.
    public static func run(root: URL, locale requested: String, curricula: [String]? = nil,
                           progress: (@Sendable (WorkProgress) -> Void)? = nil) -> Result {
        let sink = DiagnosticSink()
        progress?(WorkProgress(.loading))
        let project = Loader(root: root).load(into: sink)
        var diagnostics = sink.all.filter { $0.severity == .error }
        if !diagnostics.isEmpty { return Result(diagnostics: diagnostics, files: []) }
        for id in curricula ?? [] where !project.curricula.contains(where: { $0.id == id }) {
            diagnostics.append(Diagnostic(.error, .unknownCurriculum, "no curriculum '\(id)' in content/", path: "content/\(id)"))
        }
        if !diagnostics.isEmpty { return Result(diagnostics: diagnostics, files: []) }
        let locale = LocaleInfo.canonical(requested)
        // Never read or write through a link leading outside locales/ (FolderBoundary).
        let boundary = LocalesBoundary(root: root)
        if let escape = boundary.escape { return Result(diagnostics: [escape], files: []) }
        // An existing folder for the locale, whatever its letter case; else a new one.
        let folders = TranslationCatalog.localeFolders(root: root, into: DiagnosticSink())
        let folder = folders.first { $0.locale == locale }?.folder ?? locale
        if let escape = boundary.escape(locale: folder) { return Result(diagnostics: [escape], files: []) }
        let dir = root.appendingPathComponent(TranslationCatalog.localesFolder).appendingPathComponent(folder)

        var selected: [Curriculum] = []
        for curriculum in project.curricula {
            if let curricula, !curricula.contains(curriculum.id) { continue }
            if LocaleInfo.canonical(curriculum.meta.language) == locale {
                if curricula != nil {
                    diagnostics.append(Diagnostic(.error, .xliffLanguage, "\(curriculum.id) is written in '\(locale)'; there is nothing to translate", path: curriculum.dir))
                }
                continue
            }
            selected.append(curriculum)
        }
        if !diagnostics.isEmpty { return Result(diagnostics: diagnostics, files: []) }

        // What the locale already has: every curriculum's file (for suggestions) and the memory.
        var existing: [String: (path: String, document: XLIFFDocument)] = [:]
        for curriculum in project.curricula where LocaleInfo.canonical(curriculum.meta.language) != locale {
            let path = TranslationCatalog.path(locale: folder, curriculum: curriculum.id)
            let url = root.appendingPathComponent(path)
            if let escape = boundary.escape(locale: folder, file: url.lastPathComponent) {
                if selected.contains(where: { $0.id == curriculum.id }) { diagnostics.append(escape) }
                continue
            }
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            var d: [Diagnostic] = []
            let document = XLIFFReader.read(.file(path: url.path), path: path, sourceLanguage: curriculum.meta.language, targetLanguage: locale, into: &d)
            guard selected.contains(where: { $0.id == curriculum.id }) else {
                if let document { existing[curriculum.id] = (path, document) }
                continue
            }
            // A file we cannot read cleanly is never overwritten: it may hold the only copy of a translation.
            diagnostics += (d + (document?.problems ?? [])).map(asError)
            if let document { existing[curriculum.id] = (path, document) }
        }
        let memoryPath = "\(TranslationCatalog.localesFolder)/\(folder)/\(TranslationCatalog.memoryFile)"
        let memoryURL = root.appendingPathComponent(memoryPath)
        var memoryFiles: [XLIFFFile] = []
        if let escape = boundary.escape(locale: folder, file: TranslationCatalog.memoryFile) {
            diagnostics.append(escape)
        } else if FileManager.default.fileExists(atPath: memoryURL.path) {
            var d: [Diagnostic] = []
            memoryFiles = XLIFFReader.readMemory(.file(path: memoryURL.path), path: memoryPath, targetLanguage: locale, into: &d) ?? []
            diagnostics += d.map(asError)
        }
        if diagnostics.contains(where: { $0.severity == .error }) { return Result(diagnostics: diagnostics, files: []) }

        let documents = project.curricula.compactMap { c in existing[c.id].map { (c, $0.document) } }
        let memory = memoryFiles
        let suggestions = LazySuggestions { Suggestions(existing: documents, memory: memory, locale: locale) }
        let links = LinkIndex(project: project)
        let titles = LessonTitles(project)
        // Folders made here are removed again when nothing is written.
        var created: URL?
        if !FileManager.default.fileExists(atPath: dir.path) {
            let locales = dir.deletingLastPathComponent()
            created = FileManager.default.fileExists(atPath: locales.path) ? dir : locales
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            } catch {
                return Result(diagnostics: [Diagnostic(.error, .outputError, "cannot create the folder: \(error)", path: "locales/\(folder)")], files: [])
            }
        }
        var summaries: [FileSummary] = []
        var staged: [(tmp: URL, url: URL, path: String)] = []
        var removed: [(curriculum: Curriculum, units: [XLIFFUnit])] = []
        func discard() {
            for s in staged { unlink(s.tmp.path) }
            if let created { try? FileManager.default.removeItem(at: created) }
        }

        let counter = ProgressCounter(.extracting, total: selected.reduce(0) { $0 + $1.lessons.filter(\.compilable).count }, progress)
        for curriculum in selected {
            let path = TranslationCatalog.path(locale: folder, curriculum: curriculum.id)
            let url = root.appendingPathComponent(path)
            let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp")
            // Whatever is there (a link, planted to be written through) goes first.
            unlink(tmp.path)
            let context = FileContext(curriculum: curriculum, locale: locale, path: path, links: links, titles: titles, suggestions: suggestions)
            let outcome: Outcome
            do {
                outcome = try extract(context, old: existing[curriculum.id]?.document, to: tmp, progress: counter)
            } catch {
                diagnostics.append(Diagnostic(.error, .outputError, "cannot write: \(error)", path: path))
                continue
            }
            staged.append((tmp, url, path))
            diagnostics += outcome.diagnostics
            var summary = outcome.summary
            summary.path = path
            summary.created = existing[curriculum.id] == nil
            summaries.append(summary)
            removed.append((curriculum, outcome.removed))
        }
        if diagnostics.contains(where: { $0.severity == .error }) {
            discard()
            return Result(diagnostics: diagnostics, files: [])
        }

        // Removed translations join the memory, each once.
        let (memoryText, remembered) = Memory.update(memoryFiles, adding: removed, locale: locale)
        for (i, r) in removed.enumerated() where i < summaries.count { summaries[i].remembered = remembered[r.curriculum.id] ?? 0 }
        if let memoryText {
            let tmp = dir.appendingPathComponent(".\(TranslationCatalog.memoryFile).tmp")
            unlink(tmp.path)
            do {
                try FileIO.write(Array(memoryText.utf8), to: tmp.path)
                staged.append((tmp, memoryURL, memoryPath))
            } catch {
                discard()
                return Result(diagnostics: diagnostics + [Diagnostic(.error, .outputError, "cannot write: \(error)", path: memoryPath)], files: [])
            }
        }
        for s in staged {
            // rename(2) replaces the old file in one step: a reader never sees half a file.
            if rename(s.tmp.path, s.url.path) != 0 {
                diagnostics.append(Diagnostic(.error, .outputError, "cannot replace the file: \(String(cString: strerror(errno)))", path: s.path))
            }
        }
        let added = remembered.values.reduce(0, +)
        return Result(diagnostics: diagnostics, files: summaries, memory: added > 0 ? (memoryPath, added) : nil)
    }

    static func asError(_ d: Diagnostic) -> Diagnostic {
        var e = d
        if e.severity == .warning {
            e.severity = .error
            e.message += "; extract does not rewrite the file until this is fixed"
        }
        return e
    }

    // MARK: One curriculum

    struct FileContext: Sendable {
        var curriculum: Curriculum
        var locale: String
        var path: String
        var links: LinkIndex
        var titles: LessonTitles
        var suggestions: LazySuggestions
    }

    struct Outcome {
        var summary = FileSummary(path: "", created: false)
        var diagnostics: [Diagnostic] = []
        /// Units with a translation whose text is gone, for the memory.
        var removed: [XLIFFUnit] = []
    }

    /// What one lesson gives: its `<file>` as text, and what happened.
    struct LessonOutcome: Sendable {
        var text: String
        var summary: FileSummary
        var diagnostics: [Diagnostic]
        var removed: [XLIFFUnit]
        var durationWords: Set<String>
    }

    /// Writes the new file for one curriculum to `tmp`, lessons a batch at a time.
    static func extract(_ context: FileContext, old: XLIFFDocument?, to tmp: URL, progress: ProgressCounter? = nil) throws -> Outcome {
        let curriculum = context.curriculum
        var outcome = Outcome()
        let lessons = curriculum.lessons.filter(\.compilable)
        let current = Set(curriculum.lessons.map(\.id))
        // Old files by lesson; files of lessons that no longer exist may belong to a lesson whose id
        // changed with its file name: each goes to the lesson at the same path, or else to the one
        // sharing most texts. The rest go to the memory.
        var oldIndex: [String: Int] = [:]
        var orphans: [Int] = []
        for (i, entry) in (old?.outline ?? []).enumerated() where !entry.lessonID.isEmpty {
            if current.contains(entry.lessonID) || entry.lessonID == XLIFFUnit.curriculumTexts { oldIndex[entry.lessonID] = oldIndex[entry.lessonID] ?? i } else { orphans.append(i) }
        }
        var orphanFiles = orphans.map { old!.file(at: $0) }
        for f in orphanFiles { outcome.diagnostics += f.problems.map(asError) }
        var adopted: [String: XLIFFFile] = [:]
        let homeless = lessons.filter { oldIndex[$0.id] == nil }
        if !orphanFiles.isEmpty && !homeless.isEmpty {
            let links = context.links
            let keys = Parallel.map(homeless) { source -> Set<String> in
                var ignored: [Diagnostic] = []
                return Set(SegmentWalker.segments(of: LessonCompiler(curriculum: curriculum, links: links).compile(source, into: &ignored)).map(\.key))
            }
            for (lesson, keys) in zip(homeless, keys) where !orphanFiles.isEmpty {
                if let i = orphanFiles.firstIndex(where: { $0.original == lesson.path }) {
                    adopted[lesson.id] = orphanFiles.remove(at: i)
                    continue
                }
                let scored = orphanFiles.enumerated().map { ($0.offset, $0.element.units.filter { keys.contains($0.sourceKey) }.count) }
                if let best = scored.max(by: { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 > $1.0 }), best.1 * 2 >= max(1, keys.count) {
                    adopted[lesson.id] = orphanFiles.remove(at: best.0)
                }
            }
        }
        for orphan in orphanFiles {
            outcome.summary.removed += orphan.units.count
            outcome.removed += orphan.units.filter { Translator.hasText($0.target) && !$0.isDamaged }
        }

        // A new file, never through a link planted there.
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: tmp.path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)]) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: Data(XLIFFWriter.header.utf8))
        var durationWords = Set<String>()
        let (oldFiles, adoptedFiles) = (oldIndex, adopted)
        var start = 0
        while start < lessons.count {
            let batch = Array(lessons[start..<min(lessons.count, start + batchSize)])
            start += batchSize
            let results = Parallel.map(batch) { source -> LessonOutcome in
                var diagnostics: [Diagnostic] = []
                let compiled = LessonCompiler(curriculum: curriculum, links: context.links).compile(source, into: &diagnostics)
                let oldFile = oldFiles[source.id].map { old!.file(at: $0) } ?? adoptedFiles[source.id]
                diagnostics += (oldFile?.problems ?? []).map(asError)
                let (file, summary, removed) = lessonFile(compiled, old: oldFile, context: context)
                return LessonOutcome(text: XLIFFWriter.file(file, sourceLanguage: curriculum.meta.language, targetLanguage: context.locale),
                                     summary: summary, diagnostics: diagnostics, removed: removed, durationWords: CurriculumTexts.durationWords(of: compiled))
            }
            progress?.tick(batch.count)
            for r in results {
                try handle.write(contentsOf: Data(r.text.utf8))
                outcome.summary.add(r.summary)
                outcome.diagnostics += r.diagnostics
                outcome.removed += r.removed
                durationWords.formUnion(r.durationWords)
            }
        }
        // The curriculum's own texts come last, in a file of their own.
        let texts = CurriculumTexts(curriculum, durationWords: durationWords)
        let oldTexts = oldIndex[XLIFFUnit.curriculumTexts].map { old!.file(at: $0) }
        outcome.diagnostics += (oldTexts?.problems ?? []).map(asError)
        var (file, summary, removed) = updateFile(id: XLIFFUnit.curriculumTexts, original: curriculum.dir + "/curriculum.md", segments: texts.segments,
                                                  notes: texts.texts.map(\.context), widths: texts.texts.map(\.maxWidth), old: oldTexts, context: context)
        file.notes = oldTexts?.notes ?? []
        try handle.write(contentsOf: Data(XLIFFWriter.file(file, sourceLanguage: curriculum.meta.language, targetLanguage: context.locale).utf8))
        try handle.write(contentsOf: Data(XLIFFWriter.footer.utf8))
        outcome.summary.add(summary)
        outcome.removed += removed
        return outcome
    }

    /// The new `<file>` of one compiled lesson, starting from its old one: units, context notes,
    /// widths, and the old file's own notes.
    static func lessonFile(_ compiled: CompiledLesson, old: XLIFFFile?, context: FileContext) -> (XLIFFFile, FileSummary, [XLIFFUnit]) {
        let placed = SegmentWalker.placedSegments(of: compiled)
        let notes = placed.map { Notes.context($0.segment, $0.place, lesson: compiled.source, titles: context.titles) }
        let widths = placed.map { $0.segment.kind == .title ? CurriculumTexts.Limit.width(CurriculumTexts.Limit.lessonTitle, compiled.source.meta.title) : nil }
        var (file, summary, removed) = updateFile(id: compiled.source.id, original: compiled.source.path, segments: placed.map(\.segment), notes: notes,
                                                  widths: widths, old: old, context: context)
        file.notes = old?.notes ?? []
        return (file, summary, removed)
    }

    /// What extract writes for these lessons of one curriculum, in memory and without suggestions
    /// or the curriculum's own texts: for the fuzz targets and tests of the lesson step alone.
    static func update(_ old: XLIFFDocument?, lessons: [CompiledLesson], curriculum: Curriculum, links: LinkIndex,
                       targetLanguage: String) -> (XLIFFDocument, FileSummary) {
        let project = Project(root: URL(fileURLWithPath: "/"), curricula: [curriculum])
        let context = FileContext(curriculum: curriculum, locale: targetLanguage, path: "", links: links, titles: LessonTitles(project),
                                  suggestions: LazySuggestions { Suggestions(existing: [], memory: [], locale: targetLanguage) })
        var total = FileSummary(path: "", created: old == nil)
        var files: [XLIFFFile] = []
        for compiled in lessons {
            let (file, summary, _) = lessonFile(compiled, old: old?.file(for: compiled.source.id), context: context)
            files.append(file)
            total.add(summary)
        }
        return (XLIFFDocument(sourceLanguage: curriculum.meta.language, targetLanguage: targetLanguage, files: files), total)
    }

    /// The new `<file>` of one lesson (or of the curriculum's texts), starting from the old one.
    static func updateFile(id: String, original: String, segments: [Segment], notes: [String], widths: [Int?], old: XLIFFFile?,
                           context: FileContext) -> (XLIFFFile, FileSummary, [XLIFFUnit]) {
        var summary = FileSummary(path: "", created: old == nil)
        let units = old?.units ?? []
        var lastNumber: [SegmentKind: Int] = [:]
        for u in units { if let p = XLIFFUnit.parseID(u.id) { lastNumber[p.kind] = max(lastNumber[p.kind] ?? 0, p.number) } }
        func renamed(_ unitID: String) -> String {
            guard let p = XLIFFUnit.parseID(unitID) else { return unitID }
            return "\(id)/\(p.kind.rawValue)-\(p.number)"
        }
        var file = XLIFFFile(original: original, lessonID: id, units: [])
        var kept = Set<Int>()
        for (i, (segment, match)) in zip(segments, Alignment.align(segments, units)).enumerated() {
            var unit: XLIFFUnit
            switch match {
            case .same(let u):
                unit = units[u]
                kept.insert(u)
                if unit.isPublishable {
                    // Reviewed since the source changed, or a suggestion accepted.
                    unit.previous = nil
                    unit.suggestion = nil
                }
                if !Translator.hasText(unit.target) && (unit.state == nil || unit.target == nil) { unit.target = []; unit.state = "new" }
                summary.unchanged += 1
            case .changed(let u):
                unit = units[u]
                kept.insert(u)
                unit.suggestion = nil
                if let target = unit.target, Translator.hasText(target) {
                    // Keep the oldest source: the one the kept target translates.
                    if unit.previous == nil { unit.previous = (unit.source, target) }
                    unit.state = "needs-review-translation"
                    unit.stateQualifier = nil
                    // Approval was for the old text; tools read approved="yes" as done whatever the state.
                    if unit.approved != nil { unit.approved = false }
                } else {
                    unit.target = []
                    unit.state = "new"
                    unit.previous = nil
                }
                summary.changed += 1
            case .new:
                let n = (lastNumber[segment.kind] ?? 0) + 1
                lastNumber[segment.kind] = n
                unit = XLIFFUnit(id: "\(id)/\(segment.kind.rawValue)-\(n)", source: segment.runs, target: [], state: "new")
                if let s = context.suggestion(for: segment) {
                    unit.target = s.target
                    unit.state = "needs-review-translation"
                    unit.stateQualifier = s.origin == .memory ? (s.quality == 100 ? "leveraged-tm" : "fuzzy-match") : "exact-match"
                    unit.suggestion = s
                    summary.suggested += 1
                }
                summary.added += 1
            }
            // Approval is written for the states that mean it, for tools that read only the attribute.
            if let state = unit.state, XLIFFUnit.approvedStates.contains(state) { unit.approved = true }
            unit.id = renamed(unit.id)
            unit.source = segment.runs
            unit.context = notes[i]
            unit.maxWidth = widths[i]
            file.units.append(unit)
        }
        summary.removed = units.count - kept.count
        let removed = units.indices.filter { !kept.contains($0) }.map { units[$0] }.filter { Translator.hasText($0.target) && !$0.isDamaged }
        return (file, summary, removed)
    }
}

/// Every lesson's title by curriculum and id, for notes about where a link goes.
struct LessonTitles: Sendable {
    private var titles: [String: String] = [:]
    init(_ project: Project) {
        for c in project.curricula { for l in c.lessons { titles["\(c.id)/\(l.id)"] = l.meta.title } }
    }
    func title(curriculum: String, id: String) -> String? { titles["\(curriculum)/\(id)"] }
}
