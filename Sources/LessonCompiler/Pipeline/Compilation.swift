import Foundation

/// A project compiled in memory: what every output (build folder, channel, preview, stats) is
/// made from. It holds each lesson's record (digests, facts, diagnostics), not the documents
/// themselves: those stream to an `OutputSink` as lessons are compiled, so memory stays flat
/// however large the project.
struct Compilation: Sendable {
    var project: Project
    var curricula: [CompiledCurriculum]
    /// Every diagnostic of load, translate and compile, sorted.
    var diagnostics: [Diagnostic]
    /// The translations, as the cache keeps them.
    var translations: TranslationSet
    /// The paths of the lessons compiled in this run (the rest came from the cache).
    var compiled: Set<String> = []
    var compiledCount: Int { compiled.count }

    var lessonCount: Int { project.curricula.reduce(0) { $0 + $1.lessons.count } }

    /// Every lesson whose state in a locale changed because texts changed since translated, by
    /// locale, then curriculum and lesson in reading order.
    var staleLessons: [StaleLesson] {
        var out: [StaleLesson] = []
        // Read in place, by index: most runs find none, and copying each lesson out to look cost more.
        for c in curricula.indices {
            let records = curricula[c].lessons
            for l in records.indices {
                guard let files = records[l]?.files, files.contains(where: { $0.stale != nil }) else { continue }
                let curriculum = curricula[c].curriculum
                for f in files {
                    if let change = f.stale { out.append(StaleLesson(locale: f.locale, curriculum: curriculum.id, lesson: curriculum.lessons[l].id, change: change)) }
                }
            }
        }
        // A stable sort: reading order within each locale.
        return out.enumerated().sorted { ($0.element.locale, $0.offset) < ($1.element.locale, $1.offset) }.map(\.element)
    }
    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

struct CompiledCurriculum: Sendable {
    var curriculum: Curriculum
    /// The source language first, then every locale with an XLIFF file, in catalog order.
    var locales: [String]
    /// One per lesson of `curriculum.lessons`, in reading order; nil for a lesson that could not be read.
    var lessons: [LessonRecord?]
    /// Assets the lessons use, sorted.
    var usedAssets: [String]
    /// Whether every lesson could be read (only then is an asset nobody uses worth a warning).
    var everyLessonRead: Bool
    /// The curriculum's own texts (title, description, units, level titles) in each translated locale.
    var texts: [CurriculumTranslation] = []
    /// Per lesson: whether the compile cache holds its entry exactly as this run leaves it (the
    /// same file origin and record), so saving the cache need not look at it again.
    var storedAsIs: [Bool] = []
}

/// What compiling one lesson leaves behind: what the cache keeps, and all that the outputs
/// need besides the documents' bytes.
struct LessonRecord: Sendable, Equatable {
    /// The curriculum context the lesson was compiled in (`CurriculumKey`).
    var curriculumKey: ContentDigest
    var unitTitles: [String]
    var dependencies: LessonDependencies
    /// Problems found compiling and translating it.
    var diagnostics: [Diagnostic]
    /// Assets it uses, sorted.
    var assets: [String]
    /// One document per locale: the source language first.
    var files: [LessonFile]
    /// The lesson's entry in its curriculum's index, as written there (`CurriculumIndex`): the
    /// index of 10,000 lessons is then put together, not written again (empty for `validate`).
    var indexEntry: [UInt8] = []
}

/// A lesson in one locale.
struct LessonFile: Sendable, Equatable {
    var locale: String
    /// The document's digest and size (nil when documents were not made: `validate`).
    var document: ContentRef?
    /// The locale's file holds the source language (the translation is not complete enough).
    var fallback: Bool
    /// Percent of segments translated (translations only).
    var coverage: Int?
    /// The title in this locale, for release notes.
    var title: String
    /// How texts changed since translated changed the lesson's state here (the build lists them).
    var stale: StaleChange? = nil

    /// Published with some texts in the source language (`--min-coverage`): "partial" in the index.
    var isPartial: Bool { !fallback && (coverage ?? 100) < 100 }
}

/// A freshly made document of one lesson in one locale.
struct LessonDocumentBytes: Sendable {
    var locale: String
    var bytes: [UInt8]
    /// Its digest and size; the digest is `ContentDigest.notComputed` when nothing in the run
    /// uses it (`OutputSink.usesDocumentDigests`).
    var ref: ContentRef
}

/// Where documents go as lessons are compiled, from worker threads: the build folder writes
/// them, publish gzips them into objects.
protocol OutputSink: Sendable {
    /// Whether this output needs the documents of a lesson whose record came from the cache
    /// (they are then read from the cache's blobs, or the lesson is compiled again).
    func needsDocuments(of lesson: LessonSource, record: LessonRecord) -> Bool
    func accept(_ documents: [LessonDocumentBytes], of lesson: LessonSource, in curriculum: Curriculum)
    /// Whether this output reads the documents' digests even when there is no compile cache
    /// (which always needs them).
    var usesDocumentDigests: Bool { get }
}

extension OutputSink {
    var usesDocumentDigests: Bool { true }
}

/// An output that needs no documents (`validate`, `stats`).
struct NoOutput: OutputSink {
    func needsDocuments(of lesson: LessonSource, record: LessonRecord) -> Bool { false }
    func accept(_ documents: [LessonDocumentBytes], of lesson: LessonSource, in curriculum: Curriculum) {}
}
