/// The formats of what a build writes: one document per lesson per locale (`LessonJSON` writes
/// it), one index per curriculum (`CurriculumIndex`).
public enum LessonDocument {
    public static let lessonFormat = "lessonc-lesson/1"
    /// Version 2 adds footnotes (`footnote` blocks, `footnote_ref` inlines). A lesson without
    /// them stays version 1, byte for byte, so readers of version 1 keep reading every such lesson.
    public static let lessonFormatWithFootnotes = "lessonc-lesson/2"

    /// Version 3 adds language marks: `lang` and `dir` on a block in another language than the
    /// lesson's, and `span` inlines for such text inside a block (a lesson published in part,
    /// `--min-coverage`). Every other lesson keeps its version, byte for byte.
    public static let lessonFormatWithLanguages = "lessonc-lesson/3"

    /// The oldest format that can hold these blocks: what a reader must understand to show the lesson.
    public static func lessonFormat(for blocks: [Block]) -> String {
        if Block.containsLanguageMarks(blocks) { return lessonFormatWithLanguages }
        return Block.containsFootnotes(blocks) ? lessonFormatWithFootnotes : lessonFormat
    }
    public static let indexFormat = "lessonc-index/1"
    /// Version 2: a lesson's `fallback` in a locale may be "partial" (published with some texts in
    /// the source language) besides true and false. An index without such a lesson stays version 1.
    public static let indexFormatWithPartial = "lessonc-index/2"
}
