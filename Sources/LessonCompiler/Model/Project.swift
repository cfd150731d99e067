import Foundation

/// Everything `load` found under `content/`: plain data, no file handles.
public struct Project: Sendable {
    public var root: URL
    public var curricula: [Curriculum]
}

public struct Curriculum: Sendable {
    public var id: String
    /// Folder relative to the root, e.g. `content/shg-business-skills`.
    public var dir: String
    public var meta: CurriculumMeta
    public var description: String
    public var children: [TreeNode]
    /// All lessons in reading order.
    public var lessons: [LessonSource]
    /// Asset paths relative to the curriculum folder (`assets/x.svg`) and their sizes.
    public var assets: [String: Int]
    /// Assets that are symbolic links leading outside assets/ (never copied or published).
    public var escapingAssets: Set<String> = []
}

public struct CurriculumMeta: Sendable, Equatable {
    public var title = ""
    public var version = ""
    public var language = "en"
    public var license = ""
    public var authors: [String] = []
    public var audience: [String] = []
    public var levelTitles: [String] = []
    public var legacyFile: String?
}

public indirect enum TreeNode: Sendable {
    case unit(Unit)
    case lesson(id: String)
}

public struct Unit: Sendable {
    /// Folder name without its order prefix.
    public var slug: String
    /// Folder relative to the curriculum folder.
    public var dir: String
    public var title: String
    public var summary: String
    public var children: [TreeNode]
}

public struct LessonMeta: Sendable, Equatable {
    public var title = ""
    public var duration: String?
    public var audience: [String] = []
    public var tags: [String] = []
    public var contentWarning: String?
    public var authors: [String] = []
    public var license: String?
    public var source: [String] = []
}

/// One lesson file as loaded: its metadata and Markdown body, not yet compiled.
public struct LessonSource: Sendable {
    public var id: String
    public var curriculum: String
    /// Path relative to the project root (what diagnostics print).
    public var path: String
    /// Path relative to the curriculum folder (what links resolve against).
    public var relativePath: String
    public var meta: LessonMeta
    public var body: Substring
    public var bodyLineOffset: Int
    /// Titles of the enclosing units, outermost first.
    public var unitTitles: [String]
    /// False when loading already found errors that make compiling pointless (bad UTF-8, too large).
    public var compilable: Bool
    /// Where the explicit id was written (1:1 when derived from the file name).
    public var idLine = 1
    public var idColumn = 1
}
