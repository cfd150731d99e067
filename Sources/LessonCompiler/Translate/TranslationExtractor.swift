import Foundation
import LessonSupport

/// `lessonc translate extract`: creates or updates `locales/<locale>/<curriculum>.xlf` so that it
/// holds exactly the current segments, keeping every translation that still applies.
public enum TranslationExtractor {
    public struct FileSummary: Sendable, Equatable {
        public var path: String
        public var created: Bool
        public var unchanged = 0
        /// Source changed: the old target is kept for review.
        public var changed = 0
        public var added = 0
        public var removed = 0

        public var description: String {
            "\(path): \(created ? "created, " : "")\(added) new, \(changed) to review, \(removed) removed, \(unchanged) unchanged"
        }
    }

    public struct Result: Sendable {
        public var diagnostics: [Diagnostic]
        public var files: [FileSummary]
        public var succeeded: Bool { !diagnostics.contains { $0.severity == .error } }
    }

    /// - Parameter curricula: limit to these curriculum ids (nil: all but those written in `locale`).
    public static func run(root: URL, locale: String, curricula: [String]? = nil) -> Result {
        let compiled = CompiledProject.compile(root: root)
        var diagnostics = compiled.diagnostics.filter { $0.severity == .error }
        if !diagnostics.isEmpty { return Result(diagnostics: diagnostics, files: []) }
        if let curricula {
            for id in curricula where !compiled.project.curricula.contains(where: { $0.id == id }) {
                diagnostics.append(Diagnostic(.error, .unknownCurriculum, "no curriculum '\(id)' in content/", path: "content/\(id)"))
            }
            if !diagnostics.isEmpty { return Result(diagnostics: diagnostics, files: []) }
        }
        var summaries: [FileSummary] = []
        var writes: [(path: String, url: URL, text: String)] = []
        // Never read or write through a link leading outside locales/ (FolderBoundary).
        let boundary = LocalesBoundary(root: root)
        if let escape = boundary.escape { return Result(diagnostics: [escape], files: []) }
        for curriculum in compiled.project.curricula {
            if let curricula, !curricula.contains(curriculum.id) { continue }
            if curriculum.meta.language == locale {
                if curricula != nil {
                    diagnostics.append(Diagnostic(.error, .xliffLanguage, "\(curriculum.id) is written in '\(locale)'; there is nothing to translate", path: curriculum.dir))
                }
                continue
            }
            let path = TranslationCatalog.path(locale: locale, curriculum: curriculum.id)
            let url = root.appendingPathComponent(path)
            if let escape = boundary.escape(locale: locale) ?? boundary.escape(locale: locale, file: url.lastPathComponent) {
                diagnostics.append(escape)
                continue
            }
            var old: XLIFFDocument?
            if let data = FileManager.default.contents(atPath: url.path) {
                var d: [Diagnostic] = []
                old = XLIFFReader.read(data, path: path, sourceLanguage: curriculum.meta.language, targetLanguage: locale, into: &d)
                // A file we cannot read is never overwritten: it may hold the only copy of a translation.
                if old == nil { diagnostics += d; continue }
            }
            let lessons = compiled.lessons[curriculum.id] ?? []
            var (doc, summary) = update(old, lessons: lessons, sourceLanguage: curriculum.meta.language, targetLanguage: locale)
            summary.path = path
            summaries.append(summary)
            writes.append((path, url, XLIFFWriter.write(doc)))
        }
        if diagnostics.contains(where: { $0.severity == .error }) { return Result(diagnostics: diagnostics, files: []) }
        for (path, url, text) in writes {
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
                // Whatever is there (a link, planted to be written through) goes first.
                unlink(tmp.path)
                try FileIO.write(Array(text.utf8), to: tmp.path)
                // rename(2) replaces the old file in one step: a reader never sees half a file.
                if rename(tmp.path, url.path) != 0 {
                    diagnostics.append(Diagnostic(.error, .outputError, "cannot replace the file: \(String(cString: strerror(errno)))", path: path))
                }
            } catch {
                diagnostics.append(Diagnostic(.error, .outputError, "cannot write: \(error)", path: path))
            }
        }
        return Result(diagnostics: diagnostics, files: summaries)
    }

    /// The new document for these lessons, starting from the old one.
    static func update(_ old: XLIFFDocument?, lessons: [CompiledLesson], sourceLanguage: String, targetLanguage: String) -> (XLIFFDocument, FileSummary) {
        var summary = FileSummary(path: "", created: old == nil)
        let oldFiles = old?.files ?? []
        var byLesson: [String: XLIFFFile] = [:]
        for f in oldFiles where !f.lessonID.isEmpty && byLesson[f.lessonID] == nil { byLesson[f.lessonID] = f }
        let current = Set(lessons.map(\.source.id))
        // Files of lessons that no longer exist may belong to a lesson whose id changed with its
        // file name: give each to the lesson at the same path, or else to the one sharing most texts.
        var orphans = oldFiles.filter { !$0.lessonID.isEmpty && !current.contains($0.lessonID) }
        var segmentsByLesson: [String: [Segment]] = [:]
        for lesson in lessons { segmentsByLesson[lesson.source.id] = SegmentWalker.segments(of: lesson) }
        for lesson in lessons where byLesson[lesson.source.id] == nil && !orphans.isEmpty {
            let keys = Set(segmentsByLesson[lesson.source.id]!.map(\.key))
            if let i = orphans.firstIndex(where: { $0.original == lesson.source.path }) {
                byLesson[lesson.source.id] = orphans.remove(at: i)
                continue
            }
            let scored = orphans.enumerated().map { ($0.offset, $0.element.units.filter { keys.contains($0.sourceKey) }.count) }
            if let best = scored.max(by: { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 > $1.0 }), best.1 * 2 >= max(1, keys.count) {
                byLesson[lesson.source.id] = orphans.remove(at: best.0)
            }
        }
        for orphan in orphans { summary.removed += orphan.units.count }

        var files: [XLIFFFile] = []
        for lesson in lessons {
            let (file, s) = updateFile(lesson, segments: segmentsByLesson[lesson.source.id]!, old: byLesson[lesson.source.id])
            files.append(file)
            summary.unchanged += s.unchanged
            summary.changed += s.changed
            summary.added += s.added
            summary.removed += s.removed
        }
        return (XLIFFDocument(sourceLanguage: sourceLanguage, targetLanguage: targetLanguage, files: files), summary)
    }

    static func updateFile(_ lesson: CompiledLesson, segments: [Segment], old: XLIFFFile?) -> (XLIFFFile, FileSummary) {
        var summary = FileSummary(path: "", created: old == nil)
        let id = lesson.source.id
        let units = old?.units ?? []
        var lastNumber: [SegmentKind: Int] = [:]
        for u in units { if let p = XLIFFUnit.parseID(u.id) { lastNumber[p.kind] = max(lastNumber[p.kind] ?? 0, p.number) } }
        func renamed(_ unitID: String) -> String {
            guard let p = XLIFFUnit.parseID(unitID) else { return unitID }
            return "\(id)/\(p.kind.rawValue)-\(p.number)"
        }
        var file = XLIFFFile(original: lesson.source.path, lessonID: id, units: [])
        var kept = Set<Int>()
        for (segment, match) in zip(segments, Alignment.align(segments, units)) {
            var unit: XLIFFUnit
            switch match {
            case .same(let u):
                unit = units[u]
                kept.insert(u)
                if unit.isPublishable { unit.previous = nil }   // reviewed since the source changed
                if !Translator.hasText(unit.target) && (unit.state == nil || unit.target == nil) { unit.target = []; unit.state = "new" }
                summary.unchanged += 1
            case .changed(let u):
                unit = units[u]
                kept.insert(u)
                if let target = unit.target, Translator.hasText(target) {
                    // Keep the oldest source: the one the kept target translates.
                    if unit.previous == nil { unit.previous = (unit.source, target) }
                    unit.state = "needs-review-translation"
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
                summary.added += 1
            }
            unit.id = renamed(unit.id)
            unit.source = segment.runs
            file.units.append(unit)
        }
        summary.removed = units.count - kept.count
        return (file, summary)
    }
}
