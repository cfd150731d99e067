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

/// One lesson file as loaded: its metadata, and where its Markdown body is; not yet compiled.
public struct LessonSource: Sendable {
    public var id: String
    public var curriculum: String
    /// Path relative to the project root (what diagnostics print).
    public var path: String
    /// Path relative to the curriculum folder (what links resolve against).
    public var relativePath: String
    public var meta: LessonMeta
    public var body: LessonBody
    public var bodyLineOffset: Int
    /// Titles of the enclosing units, outermost first.
    public var unitTitles: [String]
    /// False when loading already found errors that make compiling pointless (bad UTF-8, too large).
    public var compilable: Bool
    /// Where the explicit id was written (1:1 when derived from the file name).
    public var idLine = 1
    public var idColumn = 1
    /// How the file was read, for the compile cache: nil for lessons made in memory.
    var origin: SourceOrigin?

    public init(id: String, curriculum: String, path: String, relativePath: String, meta: LessonMeta, body: LessonBody,
                bodyLineOffset: Int, unitTitles: [String], compilable: Bool) {
        self.id = id
        self.curriculum = curriculum
        self.path = path
        self.relativePath = relativePath
        self.meta = meta
        self.body = body
        self.bodyLineOffset = bodyLineOffset
        self.unitTitles = unitTitles
        self.compilable = compilable
    }
}

/// A lesson's Markdown after its front matter. The loader keeps only where it is: a project's
/// bodies are read again one lesson at a time as they are compiled, so they are never all in
/// memory at once (40,000 lessons hold 80 MB of Markdown).
public enum LessonBody: Sendable {
    /// Held in memory (lessons made by tests and by the legacy importer).
    case text(Substring)
    /// The UTF-8 bytes from `offset` on in the file at `path` (absolute), whose whole content
    /// hashed to `digest` when loaded. `settled`: the file's stamp then, when it was settled
    /// (`FileStamp.isSettled`), so that the same stamp now proves the same bytes. A build without
    /// the compile cache does not hash a settled file: its digest is nil.
    case file(path: String, offset: Int, digest: ContentDigest?, settled: FileStamp?)

    /// The body's text. A file that no longer hashes as it did when loaded was changed during
    /// the run: its body would not match the front matter already read, so it is an error.
    /// A file whose stamp is the settled one it had when loaded is not hashed again (the compile
    /// cache's own rule): hashing every source twice was a tenth of a cold build.
    public func read() -> Result<Substring, LessonBodyError> {
        switch self {
        case .text(let s):
            return .success(s)
        case .file(let path, let offset, let digest, let settled):
            guard let (bytes, stamp, _) = FileStamp.read(path) else { return .failure(.unreadable) }
            guard offset <= bytes.count,
                  (settled != nil && stamp == settled) || digest.map({ ContentDigest(of: bytes) == $0 }) == true else { return .failure(.changed) }
            let text = String(decoding: bytes, as: UTF8.self)
            return .success(text[text.utf8.index(text.startIndex, offsetBy: offset)...])
        }
    }
}

public enum LessonBodyError: Error, Sendable {
    case unreadable, changed

    public var message: String {
        switch self {
        case .unreadable: return "cannot read the file"
        case .changed: return "the file changed while lessonc was compiling it; run lessonc again"
        }
    }
}

/// What the compile cache needs to know about how a lesson file was read.
struct SourceOrigin: Sendable, Equatable {
    /// The file's stamp when read (nil when stat failed).
    var stamp: FileStamp?
    var digest: ContentDigest
    /// When the file was hashed (nanoseconds since 1970): see `FileStamp.isSettled`.
    var hashedAt: Int64
    /// The UTF-8 offset of the body in the file.
    var bodyOffset: Int
    /// What loading this file reported (front matter problems): kept with it in the cache.
    var diagnostics: [Diagnostic]

    /// The stamp, when it shows that the file cannot have changed unseen since it was hashed.
    var settledStamp: FileStamp? {
        FileStamp.settled(stamp, hashedAt: hashedAt)
    }
}
