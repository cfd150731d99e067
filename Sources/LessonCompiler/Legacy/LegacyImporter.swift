import Foundation
import LessonSupport

/// The Markdown sources made from one legacy file, held in memory until they are written.
public struct LegacyImport: Sendable {
    /// Contents by path relative to the curriculum folder (`curriculum.md`, `01-unit/_unit.md`, …).
    public var files: [String: String]
    public var warnings: [LegacyIssue]
    public var lessonCount: Int
    public var unitCount: Int
}

/// `lessonc import rcc-json`: a legacy RCC curriculum → `content/<id>/` in the lesson source format.
///
/// Layout: a node with subsections is a unit folder (`NN-slug/_unit.md`); a node with content is a
/// lesson (`NN-slug.md`). A node with both keeps both: its content becomes the unit's first lesson,
/// `00-slug.md`, titled like the unit, and export puts it back as the node's own content.
public enum LegacyImporter {
    public static let license = "CC-BY-4.0"
    /// Larger files are refused before parsing, so a wrong file cannot exhaust memory.
    public static let maxFileBytes = 64 << 20

    /// Reads, converts and writes; nothing is written unless everything converted. `title` and
    /// `version` (`--title`, `--version`) replace the file's own, or stand in where it has none.
    public static func run(file: URL, root: URL, id: String, title: String? = nil, version: String? = nil) throws -> (LegacyImport, URL) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: file.path, isDirectory: &isDir), !isDir.boolValue else {
            throw LegacyIssue(.error, "no such file")
        }
        let size = (try? fm.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        if size > maxFileBytes {
            throw LegacyIssue(.error, "the file is \(size) bytes; legacy files over \(maxFileBytes) bytes (64 MiB) are not accepted")
        }
        guard let data = fm.contents(atPath: file.path) else { throw LegacyIssue(.error, "cannot read the file") }
        let result = try convert(data, fileName: file.lastPathComponent, id: id, title: title, version: version)
        return (result, try write(result, root: root, id: id))
    }

    /// The whole conversion, in memory. Throws the first error; warnings are in the result.
    public static func convert(_ data: Data, fileName: String, id: String, title givenTitle: String? = nil, version givenVersion: String? = nil) throws -> LegacyImport {
        guard isValidID(id) else {
            throw LegacyIssue(.error, "curriculum id '\(id)' must be lowercase letters, digits, '-', '_' or '.', starting with a letter or digit")
        }
        var warnings: [LegacyIssue] = []
        let legacy = try LegacyCurriculum.read(data, warnings: &warnings)
        let legacyFile = fileName.hasSuffix(".json") ? String(fileName.dropLast(5)) : fileName
        // A missing or unreadable title or version never refuses the file: it is derived, with a warning.
        let version: String
        if let givenVersion {
            guard let v = LegacyNames.semver(fromLegacy: givenVersion) else {
                throw LegacyIssue(.error, "--version '\(givenVersion)' is not a version number such as 1.0 or 1.2.3")
            }
            version = v
        } else if let v = LegacyNames.semver(fromLegacy: legacy.version) {
            version = v
        } else {
            version = "0.0.0"
            let found = legacy.version.isEmpty ? "'curriculum.version' is missing" : "'curriculum.version' is '\(legacy.version)', not a version number such as 1.0 or 1.2.3"
            warnings.append(LegacyIssue(.warning, "\(found); curriculum.md says version 0.0.0: write the real version there, or import with --version"))
        }
        guard let language = LegacyNames.tag(forLanguage: legacy.language) else {
            throw LegacyIssue(.error, "'curriculum.settings.language' is '\(legacy.language)', which lessonc does not know; use an English language name such as English, French or Arabic, or a BCP 47 tag such as en")
        }
        var title = cleanTitle(givenTitle ?? legacy.title)
        if title.isEmpty {
            if givenTitle != nil { throw LegacyIssue(.error, "--title is empty") }
            title = Loader.titleFromSlug(slug(legacyFile).isEmpty ? id : slug(legacyFile))
            let found = legacy.title.isEmpty ? "'curriculum.title' is missing" : "'curriculum.title' is empty"
            warnings.append(LegacyIssue(.warning, "\(found); curriculum.md says '\(title)', from the file name: write the real title there, or import with --title"))
        }
        guard !legacy.content.isEmpty else { throw LegacyIssue(.error, "'curriculum.content' is empty: the curriculum has no sections") }
        if !LegacyNames.isPlainFileName(legacyFile) {
            warnings.append(LegacyIssue(.warning, "legacy_file '\(legacyFile)' (the file's name) is not a plain name such as advocate-training; 'lessonc export rcc-json' will refuse it until you rename it in curriculum.md"))
        }

        var tree = Tree(levelTitles: legacy.levelTitles)
        try tree.add(legacy.content, dir: "", titles: [], numbers: [])
        let authors = "unknown (imported from \(fileName))"
        warnings.append(LegacyIssue(.warning, "the legacy file names no authors: curriculum.md says '\(authors)'; write the real authors there before publishing, CC BY needs the attribution"))
        warnings += tree.warnings

        var meta = "---\n"
        meta += "id: \(id)\n"
        meta += "title: \(yaml(title))\n"
        meta += "version: \(version)\n"
        meta += "language: \(language)\n"
        meta += "license: \(license)\n"
        meta += "authors: [\(yaml(authors))]\n"
        if !legacy.levelTitles.isEmpty { meta += "level_titles: [\(legacy.levelTitles.map { yaml(cleanTitle($0)) }.joined(separator: ", "))]\n" }
        meta += "legacy_file: \(yaml(legacyFile))\n"
        meta += "---\n"
        tree.files["curriculum.md"] = meta
        return LegacyImport(files: tree.files, warnings: warnings, lessonCount: tree.lessons, unitCount: tree.units)
    }

    /// Writes the files to `ROOT/content/ID` through a staging folder, so a failure leaves nothing behind.
    public static func write(_ result: LegacyImport, root: URL, id: String) throws -> URL {
        let fm = FileManager.default
        let content = root.appendingPathComponent("content")
        let target = content.appendingPathComponent(id)
        if fm.fileExists(atPath: target.path) {
            throw LegacyIssue(.error, "content/\(id) already exists; import never overwrites a curriculum: remove it first or choose another --id")
        }
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: content.path, isDirectory: &isDir), !isDir.boolValue {
            throw LegacyIssue(.error, "\(content.path) is a file; it must be the folder that holds the curricula")
        }
        let staging = content.appendingPathComponent(".import-\(id)-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try fm.createDirectory(at: content, withIntermediateDirectories: true)
            try? fm.removeItem(at: staging)
            for (path, text) in result.files.sorted(by: { $0.key < $1.key }) {
                let url = staging.appendingPathComponent(path)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                // Plain writes: Foundation fsyncs every file, and an import can simply be run again.
                try FileIO.write(Array(text.utf8), to: url.path)
            }
            try fm.moveItem(at: staging, to: target)
        } catch {
            try? fm.removeItem(at: staging)
            throw LegacyIssue(.error, "cannot write content/\(id): \((error as? FileIOError)?.description ?? error.localizedDescription)")
        }
        return target
    }

    // MARK: - Tree

    struct Tree {
        let levelTitles: [String]
        var files: [String: String] = [:]
        var warnings: [LegacyIssue] = []
        var usedIds: Set<String> = []
        var lessons = 0
        var units = 0

        mutating func add(_ nodes: [LegacyNode], dir: String, titles: [String], numbers: [Int]) throws {
            let width = max(2, String(nodes.count).count)
            for (i, node) in nodes.enumerated() {
                let number = numbers + [i + 1]
                var title = cleanTitle(node.title)
                let name = LegacyNode.name(titles + [node.title])
                if title.isEmpty {
                    let level = number.count <= levelTitles.count ? cleanTitle(levelTitles[number.count - 1]) : ""
                    title = "\(level.isEmpty ? "Section" : level) \(number.map(String.init).joined(separator: "."))"
                    warnings.append(LegacyIssue(.warning, "\(name): the section has no title; it is called '\(title)'"))
                }
                let (blocks, notes) = LegacyHTMLReader.read(node.content)
                let prefix = String(repeating: "0", count: max(0, width - String(i + 1).count)) + String(i + 1)
                let slug = LegacyImporter.slug(title)
                let path = dir.isEmpty ? "" : dir + "/"
                let depth = number.count
                if node.subsections.isEmpty && !blocks.isEmpty {
                    try lesson(blocks, notes: notes, title: title, name: name, file: "\(path)\(prefix)-", slug: slug, number: number)
                    continue
                }
                // A unit folder: for subsections, or to keep an empty section's title.
                guard depth <= Loader.maxUnitDepth else {
                    throw LegacyIssue(.error, "\(name) has no content and no subsections at level \(depth), where lessonc has no room for another unit folder; give it content or remove it")
                }
                let folder = "\(path)\(prefix)-\(slug.isEmpty ? "unit" : slug)"
                files["\(folder)/_unit.md"] = "---\ntitle: \(yaml(title))\n---\n"
                units += 1
                if !blocks.isEmpty {
                    try lesson(blocks, notes: notes, title: title, name: name, file: "\(folder)/00-", slug: slug, number: number)
                } else {
                    warnings += notes.map { LegacyIssue(.warning, "\(name): \($0)") }
                }
                if node.subsections.isEmpty {
                    warnings.append(LegacyIssue(.warning, "\(name) has no content and no subsections; it is kept as an empty unit, which 'lessonc validate' reports"))
                }
                try add(node.subsections, dir: folder, titles: titles + [node.title], numbers: number)
            }
        }

        mutating func lesson(_ blocks: [Block], notes: [String], title: String, name: String, file: String, slug: String, number: [Int]) throws {
            var id = slug.isEmpty ? "lesson-" + number.map(String.init).joined(separator: "-") : slug
            if usedIds.contains(id) {
                var n = 2
                while usedIds.contains("\(id)-\(n)") { n += 1 }
                id = "\(id)-\(n)"
            }
            usedIds.insert(id)
            let (markdown, writerNotes) = MarkdownWriter.write(blocks)
            var all = notes + writerNotes
            if let difference = MarkdownWriter.readBack(markdown, matches: blocks) { all.append(difference) }
            warnings += all.map { LegacyIssue(.warning, "\(name): \($0)") }
            files["\(file)\(id).md"] = "---\ntitle: \(yaml(title))\nid: \(id)\n---\n\n" + markdown
            lessons += 1
        }
    }

    // MARK: - Names

    /// What a curriculum folder name must look like (the loader's rule).
    public static func isValidID(_ id: String) -> Bool {
        Pattern.id.matches(id) && id.count <= 100
    }

    /// Titles are plain text in the legacy files, but some carry entities or stray whitespace.
    static func cleanTitle(_ s: String) -> String {
        LibXML.decodeHTMLEntities(s).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// A lowercase-kebab id from a title: `Survivor’s Rights & Options` → `survivors-rights-options`.
    /// Letters without an ASCII form are left out; an empty result means the caller numbers it.
    static func slug(_ title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil).lowercased()
        var out = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            if scalar == "'" || scalar == "\u{2019}" || scalar == "\u{2018}" { continue }
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if pendingDash && !out.isEmpty { out += "-" }
                pendingDash = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
            if out.count >= 60 { break }
        }
        // Cut long ids at a word boundary.
        if out.count >= 60, let dash = out.lastIndex(of: "-"), out.distance(from: out.startIndex, to: dash) >= 20 {
            out = String(out[..<dash])
        }
        return out
    }

    /// A double-quoted front-matter value: always valid, whatever the text.
    static func yaml(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
