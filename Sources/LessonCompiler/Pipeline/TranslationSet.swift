import Foundation
import LessonSupport

/// The project's translations as the pipeline needs them: which locales each curriculum has, the
/// digest of each XLIFF file (part of every lesson's cache key), the catalog's diagnostics and,
/// only when some lesson must be compiled again, the parsed documents.
///
/// Parsing XLIFF is the slow part. A fingerprint of everything `TranslationCatalog.load` looks at
/// (the names, kinds and link targets under `locales/`, every XLIFF file's digest, and each
/// curriculum's id, language and lesson ids) tells when the cached summary still holds.
struct TranslationSet: Sendable {
    struct File: Sendable, Equatable {
        var locale: String
        /// Relative to the project root, as diagnostics print it.
        var path: String
        var digest: ContentDigest
        /// Where the curriculum's own texts are in it (nil: not known, or not a file read in place).
        var curriculumTexts: XLIFFDocument.Excerpt? = nil
    }

    /// Curriculum id → its XLIFF files, in catalog order.
    var files: [String: [File]] = [:]
    /// What loading the catalog reported (file-level problems; lessons' own are in their records).
    var diagnostics: [Diagnostic] = []
    var fingerprint: ContentDigest
    /// The parsed catalog, once loaded.
    var catalog: TranslationCatalog?

    func files(of curriculum: String) -> [File] { files[curriculum] ?? [] }

    /// The summary from the cache when its fingerprint still holds; otherwise the catalog, parsed.
    static func load(project: Project, cached: TranslationSet?, digests: FileDigests) -> TranslationSet {
        let scan = LocalesScan(project: project, digests: digests)
        if let cached, cached.fingerprint == scan.fingerprint {
            var set = cached
            set.catalog = nil
            return set
        }
        var set = TranslationSet(fingerprint: scan.fingerprint)
        set.parse(project: project, scan: scan)
        return set
    }

    /// Parses every XLIFF file (when a lesson of a translated curriculum must be compiled).
    mutating func parse(project: Project, digests: FileDigests) {
        guard catalog == nil else { return }
        parse(project: project, scan: LocalesScan(project: project, digests: digests))
    }

    private mutating func parse(project: Project, scan: LocalesScan) {
        let sink = DiagnosticSink()
        let catalog = TranslationCatalog.load(project: project, into: sink)
        self.catalog = catalog
        diagnostics = sink.all
        files = [:]
        for c in project.curricula {
            let entries = catalog.translations(of: c.id)
            guard !entries.isEmpty else { continue }
            files[c.id] = entries.map { e in
                File(locale: e.locale, path: e.path,
                     digest: scan.digests[e.path] ?? ContentDigest(of: FileManager.default.contents(atPath: project.root.appendingPathComponent(e.path).path) ?? Data()),
                     curriculumTexts: e.document.excerpt(of: XLIFFUnit.curriculumTexts))
            }
        }
    }
}

/// Everything under `locales/` that the catalog looks at, reduced to one digest.
struct LocalesScan {
    /// `locales/<locale>/<file>` → the digest of what it holds.
    var digests: [String: ContentDigest] = [:]
    var fingerprint: ContentDigest

    init(project: Project, digests memo: FileDigests) {
        var e = CacheEncoder(capacity: 4096)
        e.string(FolderBoundary.realPath(project.root.path) ?? project.root.path)
        for c in project.curricula {
            e.string(c.id)
            e.string(c.meta.language)
            e.strings(c.lessons.map(\.id))
        }
        let base = project.root.appendingPathComponent(TranslationCatalog.localesFolder)
        func entry(_ url: URL, _ path: String) -> FileStamp.Kind? {
            e.string(path)
            guard let (stamp, kind) = FileStamp.lstat(url.path) else { e.uint(0); return nil }
            switch kind {
            case .link:
                e.uint(1)
                e.string((try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) ?? "")
                e.string(FolderBoundary.realPath(url.path) ?? "")
                return FileStamp.follow(url.path)?.kind
            default:
                e.uint(2)
                e.uint(UInt64(stamp.size))
                return kind
            }
        }
        if entry(base, TranslationCatalog.localesFolder) == .directory {
            for locale in Loader.sortedNames(base) {
                let localeURL = base.appendingPathComponent(locale)
                guard entry(localeURL, "\(TranslationCatalog.localesFolder)/\(locale)") == .directory else { continue }
                for name in Loader.sortedNames(localeURL) {
                    let path = "\(TranslationCatalog.localesFolder)/\(locale)/\(name)"
                    let url = localeURL.appendingPathComponent(name)
                    guard entry(url, path) == .file else { continue }
                    if let digest = memo.digest(of: url, path: path) {
                        digests[path] = digest
                        e.digest(digest)
                    }
                }
            }
        }
        fingerprint = ContentDigest(of: e.bytes)
    }
}
