import Foundation

/// Stage one: reads `content/` into a `Project`, reporting every problem it meets.
public struct Loader {
    public static let maxLessonBytes = 1 << 20
    public static let maxUnitDepth = 4

    let root: URL
    let fm = FileManager.default

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    public func load(into sink: DiagnosticSink) -> Project {
        let contentDir = root.appendingPathComponent("content")
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: contentDir.path, isDirectory: &isDir), isDir.boolValue else {
            sink.add(Diagnostic(.error, .noContent, "no content/ folder under \(root.path)", path: "content"))
            return Project(root: root, curricula: [])
        }
        // Symbolic links may arrange content/, never reach outside it (FolderBoundary).
        if let project = FolderBoundary(root, name: "the project folder"),
           let escape = project.escape(contentDir, path: "content", why: FolderBoundary.insideProject) {
            sink.add(escape)
            return Project(root: root, curricula: [])
        }
        guard let content = FolderBoundary(contentDir, name: "content/") else {
            sink.add(Diagnostic(.error, .noContent, "no content/ folder under \(root.path)", path: "content"))
            return Project(root: root, curricula: [])
        }
        var curricula: [Curriculum] = []
        for name in listing(contentDir) {
            let url = contentDir.appendingPathComponent(name)
            if let escape = content.escape(url, path: "content/\(name)", why: FolderBoundary.insideContent) {
                sink.add(escape)
                continue
            }
            guard isDirectory(url) else {
                sink.add(Diagnostic(.warning, .strayFile, "'\(name)' is not a curriculum folder and is ignored", path: "content/\(name)"))
                continue
            }
            if let c = loadCurriculum(id: name, url: url, content: content, sink: sink) { curricula.append(c) }
        }
        if curricula.isEmpty && sink.errorCount == 0 {
            sink.add(Diagnostic(.error, .noContent, "content/ holds no curriculum folder", path: "content"))
        }
        return Project(root: root, curricula: curricula)
    }

    // MARK: - Curriculum

    private func loadCurriculum(id: String, url: URL, content: FolderBoundary, sink: DiagnosticSink) -> Curriculum? {
        let dir = "content/\(id)"
        let metaPath = "\(dir)/curriculum.md"
        var diagnostics: [Diagnostic] = []
        defer { sink.add(contentsOf: diagnostics) }
        var meta = CurriculumMeta()
        var description = ""
        // Without a usable curriculum.md the lessons are still checked, so one run reports everything.
        let metaURL = url.appendingPathComponent("curriculum.md")
        let exists = fm.fileExists(atPath: metaURL.path)
        let escape = content.escape(metaURL, path: metaPath, why: FolderBoundary.insideContent)
        if let escape { diagnostics.append(escape) }
        let text = exists && escape == nil ? readText(metaURL, path: metaPath, into: &diagnostics) : nil
        if !exists {
            diagnostics.append(Diagnostic(.error, .missingCurriculumFile, "curriculum folder '\(id)' has no curriculum.md", path: dir))
        }
        switch text.map(FrontMatter.split) {
        case nil: break
        case .failure(let e)?:
            diagnostics.append(Diagnostic(.error, .frontMatterSyntax, e.message, path: metaPath, line: e.line, column: e.column))
        case .success(let split)? where !split.hasFrontMatter:
            // One problem, one diagnostic: not a 'missing-key' for every required key as well.
            diagnostics.append(Diagnostic(.error, .missingFrontMatter, "curriculum.md must start with front matter between '---' lines", path: metaPath))
        case .success(let split)?:
            let v = Schema.curriculum.check(split.entries, path: metaPath, into: &diagnostics)
            meta.title = v["title"]?.first ?? ""
            meta.version = v["version"]?.first ?? ""
            meta.language = v["language"]?.first ?? "en"
            meta.license = v["license"]?.first ?? ""
            meta.authors = v["authors"] ?? []
            meta.audience = v["audience"] ?? []
            meta.levelTitles = v["level_titles"] ?? []
            meta.legacyFile = v["legacy_file"]?.first
            if let explicit = v["id"]?.first, explicit != id, let entry = split.entries.first(where: { $0.key == "id" }) {
                diagnostics.append(Diagnostic(.error, .idMismatch, "curriculum id '\(explicit)' differs from its folder name '\(id)'", path: metaPath, line: entry.value.line, column: entry.value.column))
            }
            description = split.body.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if !Pattern.id.matches(id) {
            diagnostics.append(Diagnostic(.error, .invalidId, "curriculum folder name '\(id)' must be lowercase letters, digits, '-', '_' or '.'", path: dir))
        }

        var pending: [PendingLesson] = []
        var assets: [String: Int] = [:]
        let assetsURL = url.appendingPathComponent("assets")
        var escapingAssets = Set<String>()
        if let escape = content.escape(assetsURL, path: "\(dir)/assets", why: FolderBoundary.assetsInsideContent) {
            diagnostics.append(escape)
        } else if isDirectory(assetsURL), let boundary = FolderBoundary(assetsURL, name: "\(dir)/assets/") {
            collectAssets(assetsURL, boundary: boundary, curriculumDir: dir, into: &assets, escaping: &escapingAssets, diagnostics: &diagnostics)
        }
        let children = walkUnit(url, relative: "", depth: 0, curriculumDir: dir, unitTitles: [], content: content, pending: &pending, diagnostics: &diagnostics)

        // Read and parse every lesson's front matter in parallel; the bodies are compiled later.
        var loaded = [LessonSource?](repeating: nil, count: pending.count)
        var perLesson = [[Diagnostic]](repeating: [], count: pending.count)
        loaded.withUnsafeMutableBufferPointer { out in
            perLesson.withUnsafeMutableBufferPointer { diags in
                let outBase = out.baseAddress!, diagBase = diags.baseAddress!
                DispatchQueue.concurrentPerform(iterations: pending.count) { i in
                    var d: [Diagnostic] = []
                    (outBase + i).pointee = loadLesson(pending[i], curriculum: id, curriculumDir: dir, into: &d)
                    (diagBase + i).pointee = d
                }
            }
        }
        for d in perLesson { diagnostics.append(contentsOf: d) }
        let lessons = loaded.compactMap { $0 }

        // Ids are how translations and devices refer to lessons: one lesson per id.
        var firstById: [String: LessonSource] = [:]
        for lesson in lessons {
            if let first = firstById[lesson.id] {
                diagnostics.append(Diagnostic(.error, .duplicateId, "lesson id '\(lesson.id)' is also used by \(first.path)", path: lesson.path, line: lesson.idLine, column: lesson.idColumn))
            } else {
                firstById[lesson.id] = lesson
            }
        }
        if pending.isEmpty {
            diagnostics.append(Diagnostic(.error, .emptyCurriculum, "curriculum '\(id)' has no lessons", path: metaPath))
        }
        func resolve(_ nodes: [TreeNode]) -> [TreeNode] {
            nodes.map { node in
                switch node {
                case .unit(var u): u.children = resolve(u.children); return .unit(u)
                case .lesson(let placeholder): return .lesson(id: loaded[Int(placeholder.dropFirst())!]!.id)
                }
            }
        }
        return Curriculum(id: id, dir: dir, meta: meta, description: description, children: resolve(children),
                          lessons: lessons, assets: assets, escapingAssets: escapingAssets)
    }

    // MARK: - Units

    struct PendingLesson {
        var url: URL
        var path: String
        var relativePath: String
        var unitTitles: [String]
    }

    private func walkUnit(_ url: URL, relative: String, depth: Int, curriculumDir: String, unitTitles: [String], content: FolderBoundary,
                          pending: inout [PendingLesson], diagnostics: inout [Diagnostic]) -> [TreeNode] {
        var nodes: [TreeNode] = []
        var seenOrders: [Int: String] = [:]
        for name in listing(url) {
            let rel = relative.isEmpty ? name : "\(relative)/\(name)"
            let path = "\(curriculumDir)/\(rel)"
            let child = url.appendingPathComponent(name)
            if depth == 0 && (name == "curriculum.md" || name == "assets") { continue }
            if name == "_unit.md" { continue }
            if let escape = content.escape(child, path: path, why: FolderBoundary.insideContent) {
                diagnostics.append(escape)
                continue
            }
            let isDir = isDirectory(child)
            guard isDir || name.hasSuffix(".md") else {
                diagnostics.append(Diagnostic(.warning, .strayFile, "'\(name)' is neither a lesson (.md) nor a unit folder and is ignored; put media in assets/", path: path))
                continue
            }
            if let order = Loader.orderPrefix(name) {
                if let other = seenOrders[order] {
                    diagnostics.append(Diagnostic(.warning, .duplicateOrder, "order prefix \(String(format: "%02d", order)) is also used by '\(other)'; their order is by name", path: path))
                } else { seenOrders[order] = name }
            } else {
                diagnostics.append(Diagnostic(.warning, .missingOrderPrefix, "'\(name)' has no NN- order prefix; it is placed after the numbered entries", path: path))
            }
            if isDir {
                if depth + 1 > Loader.maxUnitDepth {
                    diagnostics.append(Diagnostic(.error, .tooDeep, "units nest at most \(Loader.maxUnitDepth) levels deep", path: path))
                    continue
                }
                var title = Loader.titleFromSlug(Loader.slug(name))
                var summary = ""
                let unitFile = child.appendingPathComponent("_unit.md")
                let unitEscape = content.escape(unitFile, path: "\(path)/_unit.md", why: FolderBoundary.insideContent)
                if let unitEscape { diagnostics.append(unitEscape) }
                if unitEscape == nil, fm.fileExists(atPath: unitFile.path), let text = readText(unitFile, path: "\(path)/_unit.md", into: &diagnostics) {
                    switch FrontMatter.split(text) {
                    case .failure(let e):
                        diagnostics.append(Diagnostic(.error, .frontMatterSyntax, e.message, path: "\(path)/_unit.md", line: e.line, column: e.column))
                    case .success(let split):
                        let v = Schema.unit.check(split.entries, path: "\(path)/_unit.md", into: &diagnostics)
                        title = v["title"]?.first ?? title
                        summary = v["summary"]?.first ?? split.body.trimmingCharacters(in: .whitespacesAndNewlines)
                    }
                }
                let children = walkUnit(child, relative: rel, depth: depth + 1, curriculumDir: curriculumDir,
                                        unitTitles: unitTitles + [title], content: content, pending: &pending, diagnostics: &diagnostics)
                if children.isEmpty {
                    diagnostics.append(Diagnostic(.warning, .emptyUnit, "unit folder '\(name)' has no lessons", path: path))
                }
                nodes.append(.unit(Unit(slug: Loader.slug(name), dir: rel, title: title, summary: summary, children: children)))
            } else {
                pending.append(PendingLesson(url: child, path: path, relativePath: rel, unitTitles: unitTitles))
                nodes.append(.lesson(id: "\u{0}\(pending.count - 1)"))   // placeholder, replaced once ids are known
            }
        }
        return nodes
    }

    // MARK: - Lessons

    private func loadLesson(_ p: PendingLesson, curriculum: String, curriculumDir: String, into diagnostics: inout [Diagnostic]) -> LessonSource {
        let derivedId = Loader.slug(String(p.url.lastPathComponent.dropLast(3)))
        var lesson = LessonSource(id: derivedId, curriculum: curriculum, path: p.path, relativePath: p.relativePath,
                                  meta: LessonMeta(), body: "", bodyLineOffset: 0, unitTitles: p.unitTitles, compilable: false)
        guard let text = readText(p.url, path: p.path, limit: Loader.maxLessonBytes, into: &diagnostics) else { return lesson }
        // One problem, one diagnostic: not "no front matter" and "no content after it" as well.
        if text.allSatisfy(\.isWhitespace) {
            diagnostics.append(Diagnostic(.error, .emptyLesson, "the lesson file is empty; start it with front matter ('---', 'title: …', '---'), then the lesson's text", path: p.path))
            return lesson
        }
        switch FrontMatter.split(text) {
        case .failure(let e):
            diagnostics.append(Diagnostic(.error, .frontMatterSyntax, e.message, path: p.path, line: e.line, column: e.column))
            // The body is still checked: every problem in one run, and its pictures count as used.
            if let body = e.body {
                lesson.body = body
                lesson.bodyLineOffset = e.bodyLineOffset
                lesson.compilable = true
            }
            return lesson
        case .success(let split):
            if !split.hasFrontMatter {
                diagnostics.append(Diagnostic(.error, .missingFrontMatter, "lesson must start with front matter between '---' lines, with at least a title", path: p.path))
            }
            let v = split.hasFrontMatter ? Schema.lesson.check(split.entries, path: p.path, into: &diagnostics) : [:]
            lesson.meta.title = v["title"]?.first ?? ""
            lesson.meta.duration = v["duration"]?.first
            lesson.meta.audience = v["audience"] ?? []
            lesson.meta.tags = v["tags"] ?? []
            lesson.meta.contentWarning = v["content_warning"]?.first
            lesson.meta.authors = v["authors"] ?? []
            lesson.meta.license = v["license"]?.first
            lesson.meta.source = v["source"] ?? []
            if let id = v["id"]?.first, let entry = split.entries.first(where: { $0.key == "id" }) {
                lesson.id = id
                lesson.idLine = entry.value.line
                lesson.idColumn = entry.value.column
            } else if !Pattern.id.matches(derivedId) {
                diagnostics.append(Diagnostic(.error, .invalidId, "the id derived from the file name, '\(derivedId)', must be lowercase letters, digits, '-', '_' or '.', starting with a letter or digit; rename the file or set 'id' in front matter", path: p.path))
            }
            lesson.body = split.body
            lesson.bodyLineOffset = split.bodyLineOffset
            lesson.compilable = true
        }
        return lesson
    }

    /// Reads a file as UTF-8, reporting size and encoding problems with their position.
    private func readText(_ url: URL, path: String, limit: Int? = nil, into diagnostics: inout [Diagnostic]) -> String? {
        guard let data = fm.contents(atPath: url.path) else {
            diagnostics.append(Diagnostic(.error, .unreadable, "cannot read the file", path: path))
            return nil
        }
        if let limit, data.count > limit {
            diagnostics.append(Diagnostic(.error, .lessonTooLarge, "lesson is \(data.count) bytes; the limit is \(limit) bytes (1 MiB): split it into several lessons", path: path))
            return nil
        }
        if let s = String(validating: data, as: UTF8.self) { return s }
        let (line, column, offset) = Loader.firstInvalidUTF8(data)
        diagnostics.append(Diagnostic(.error, .invalidUtf8, "invalid UTF-8 at byte \(offset); save the file as UTF-8", path: path, line: line, column: column))
        return nil
    }

    static func firstInvalidUTF8(_ data: Data) -> (line: Int, column: Int, offset: Int) {
        let bytes = [UInt8](data)
        var i = 0, line = 1, column = 1
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            switch b {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return (line, column, i)
            }
            if i + length > bytes.count { return (line, column, i) }
            if length > 1 {
                let slice = Array(bytes[i..<i + length])
                if String(validating: slice, as: UTF8.self) == nil { return (line, column, i) }
            }
            if b == 0x0A { line += 1; column = 1 } else { column += length == 4 ? 2 : 1 }   // UTF-16 code units
            i += length
        }
        return (line, column, i)
    }

    // MARK: - Helpers

    /// Records every file under assets/ with its size. Folders are walked from a work list, so
    /// any depth is safe; symbolic links to folders are not followed (a link to '.' would never
    /// end). A link leading outside assets/ is an error, and `escaping` keeps it from being used.
    private func collectAssets(_ assetsURL: URL, boundary: FolderBoundary, curriculumDir: String, into assets: inout [String: Int],
                               escaping: inout Set<String>, diagnostics: inout [Diagnostic]) {
        var folders = [(url: assetsURL, prefix: "assets")]
        while let (url, prefix) = folders.popLast() {
            for name in listing(url) {
                let child = url.appendingPathComponent(name)
                let rel = "\(prefix)/\(name)"
                let isLink = (try? fm.destinationOfSymbolicLink(atPath: child.path)) != nil
                if let escape = boundary.escape(child, path: "\(curriculumDir)/\(rel)", why: FolderBoundary.insideAssets) {
                    diagnostics.append(escape)
                    if !isDirectory(child) { assets[rel] = 0; escaping.insert(rel) }
                    continue
                }
                if isDirectory(child) {
                    if !isLink { folders.append((child, rel)) }
                } else {
                    // The size of what a symlink points to, not of the link itself.
                    let real = child.resolvingSymlinksInPath().path
                    assets[rel] = (try? fm.attributesOfItem(atPath: real)[.size] as? Int) ?? 0
                }
            }
        }
    }

    /// Visible entries of a folder in reading order: numbered ones by number, then the rest by name.
    func listing(_ url: URL) -> [String] {
        let names = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
        // Compute each order key once: the comparator runs O(n log n) times on large folders.
        let keyed = names.filter { !$0.hasPrefix(".") }.map { (name: $0, order: Loader.orderPrefix($0) ?? Int.max) }
        return keyed.sorted { a, b in
            if a.order != b.order { return a.order < b.order }
            return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }.map(\.name)
    }

    func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return fm.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    static func orderPrefix(_ name: String) -> Int? {
        let digits = name.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, name.dropFirst(digits.count).hasPrefix("-") else { return nil }
        return Int(digits)
    }

    static func slug(_ name: String) -> String {
        var s = Substring(name)
        if s.hasSuffix(".md") { s = s.dropLast(3) }
        if orderPrefix(String(s)) != nil { s = s.drop(while: { $0.isNumber }).dropFirst() }
        return String(s)
    }

    static func titleFromSlug(_ slug: String) -> String {
        let words = slug.split(separator: "-").map(String.init)
        guard let first = words.first else { return slug }
        return ([first.prefix(1).uppercased() + first.dropFirst()] + words.dropFirst()).joined(separator: " ")
    }
}
