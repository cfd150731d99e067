import Foundation

/// A lesson file found by the walk, to be read.
struct PendingLesson: Sendable {
    /// Absolute path of the file.
    var file: String
    var path: String
    var relativePath: String
    var unitTitles: [String]
    /// The stamp of what a symbolic link leads to, when the walk followed one to learn its kind;
    /// otherwise taken when the lesson is loaded. Lets the cache skip reading the file.
    var stamp: FileStamp?
}

/// The unit tree as walked, before lesson ids are known: a lesson is its index in the walk.
indirect enum PendingNode: Sendable {
    case unit(Unit, children: [PendingNode])
    case lesson(index: Int)
}

/// Walks a curriculum's unit folders (`NN-unit/NN-lesson.md`, up to `Loader.maxUnitDepth` deep),
/// reading `_unit.md` files and collecting lesson files in reading order.
struct UnitWalk {
    let curriculumDir: String
    let content: FolderBoundary
    private(set) var lessons: [PendingLesson] = []
    private(set) var diagnostics: [Diagnostic] = []

    init(curriculumDir: String, content: FolderBoundary) {
        self.curriculumDir = curriculumDir
        self.content = content
    }

    /// `folder` is the unit's absolute path.
    mutating func unit(_ folder: String, relative: String, depth: Int, unitTitles: [String]) -> [PendingNode] {
        var nodes: [PendingNode] = []
        var seenOrders: [Int: String] = [:]
        for entry in Loader.listing(folder) {
            let name = entry.name
            let rel = relative.isEmpty ? name : relative + "/" + name
            let path = curriculumDir + "/" + rel
            let child = folder + "/" + name
            if depth == 0 && (name == "curriculum.md" || name == "assets") { continue }
            if name == "_unit.md" { continue }
            if entry.kind == .link, let escape = content.escape(URL(fileURLWithPath: child), path: path, why: FolderBoundary.insideContent) {
                diagnostics.append(escape)
                continue
            }
            // Folders and files say their kind in the listing; only a link (or an entry of unknown
            // kind) is followed here to learn it. A lesson's stamp is taken as it is loaded, in parallel.
            let followed = entry.kind == .directory || entry.kind == .file ? nil : FileStamp.follow(child)
            let isDir = entry.kind == .directory || followed?.kind == .directory
            guard isDir || name.hasSuffix(".md") else {
                diagnostics.append(Diagnostic(.warning, .strayFile, "'\(name)' is neither a lesson (.md) nor a unit folder and is ignored; put media in assets/", path: path))
                continue
            }
            checkOrder(name, path: path, seen: &seenOrders)
            if isDir {
                if depth + 1 > Loader.maxUnitDepth {
                    diagnostics.append(Diagnostic(.error, .tooDeep, "units nest at most \(Loader.maxUnitDepth) levels deep", path: path))
                    continue
                }
                if let node = subunit(child, name: name, relative: rel, path: path, depth: depth, unitTitles: unitTitles) { nodes.append(node) }
            } else {
                lessons.append(PendingLesson(file: child, path: path, relativePath: rel, unitTitles: unitTitles, stamp: followed?.stamp))
                nodes.append(.lesson(index: lessons.count - 1))
            }
        }
        return nodes
    }

    private mutating func checkOrder(_ name: String, path: String, seen: inout [Int: String]) {
        if let order = Loader.orderPrefix(name) {
            if let other = seen[order] {
                diagnostics.append(Diagnostic(.warning, .duplicateOrder, "order prefix \(String(format: "%02d", order)) is also used by '\(other)'; their order is by name", path: path))
            } else {
                seen[order] = name
            }
        } else {
            diagnostics.append(Diagnostic(.warning, .missingOrderPrefix, "'\(name)' has no NN- order prefix; it is placed after the numbered entries", path: path))
        }
    }

    /// A unit folder: its `_unit.md` (title, summary) and what it holds.
    private mutating func subunit(_ folder: String, name: String, relative: String, path: String, depth: Int, unitTitles: [String]) -> PendingNode? {
        var title = Loader.titleFromSlug(Loader.slug(name))
        var summary = ""
        let unitFile = folder + "/_unit.md"
        let unitPath = "\(path)/_unit.md"
        if let (_, kind) = FileStamp.lstat(unitFile) {
            let unitEscape = kind == .link ? content.escape(URL(fileURLWithPath: unitFile), path: unitPath, why: FolderBoundary.insideContent) : nil
            if let unitEscape { diagnostics.append(unitEscape) }
            if unitEscape == nil, let text = Loader.readText(unitFile, path: unitPath, into: &diagnostics)?.text {
                unitFrontMatter(text, path: unitPath, title: &title, summary: &summary)
            }
        }
        let children = unit(folder, relative: relative, depth: depth + 1, unitTitles: unitTitles + [title])
        if children.isEmpty {
            diagnostics.append(Diagnostic(.warning, .emptyUnit, "unit folder '\(name)' has no lessons", path: path))
        }
        return .unit(Unit(slug: Loader.slug(name), dir: relative, title: title, summary: summary, children: []), children: children)
    }

    private mutating func unitFrontMatter(_ text: String, path unitPath: String, title: inout String, summary: inout String) {
        switch FrontMatter.split(text) {
        case .failure(let e):
            diagnostics.append(Diagnostic(.error, .frontMatterSyntax, e.message, path: unitPath, line: e.line, column: e.column))
        case .success(let split):
            let v = Schema.unit.check(split.entries, path: unitPath, into: &diagnostics)
            title = v["title"]?.first ?? title
            summary = v["summary"]?.first ?? split.body.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
