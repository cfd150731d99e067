/// The formats of what a build writes: one document per lesson per locale (`LessonJSON` writes
/// it), one index per curriculum (`CurriculumIndex`).
public enum LessonDocument {
    public static let lessonFormat = "lessonc-lesson/1"
    /// Version 2 adds footnotes (`footnote` blocks, `footnote_ref` inlines). A lesson without
    /// them stays version 1, byte for byte, so readers of version 1 keep reading every such lesson.
    public static let lessonFormatWithFootnotes = "lessonc-lesson/2"

    /// The oldest format that can hold these blocks: what a reader must understand to show the lesson.
    public static func lessonFormat(for blocks: [Block]) -> String {
        Block.containsFootnotes(blocks) ? lessonFormatWithFootnotes : lessonFormat
    }
    public static let indexFormat = "lessonc-index/1"
}
