import Foundation

/// What a lesson may link to: every lesson of the project by its path under `content/`.
public struct LinkIndex: Sendable {
    /// `curriculum-id/relative/path.md` → the lesson there.
    var lessonsByPath: [String: LessonRef] = [:]
    /// Lesson id → `curriculum-id/relative/path.md` of each lesson with it, to answer a link written as an id.
    var pathsById: [String: [String]] = [:]

    public init(project: Project) {
        let count = project.curricula.reduce(0) { $0 + $1.lessons.count }
        lessonsByPath.reserveCapacity(count)
        pathsById.reserveCapacity(count)
        for c in project.curricula {
            // By index: copying each lesson out of the list cost more than the tables.
            for l in c.lessons.indices {
                // One string for both tables: 40,000 of them are kept for the whole run.
                let path = "\(c.id)/\(c.lessons[l].relativePath)"
                lessonsByPath[path] = LessonRef(curriculum: c.id, id: c.lessons[l].id)
                pathsById[c.lessons[l].id, default: []].append(path)
            }
        }
    }
}

/// A lesson as a link names it.
struct LessonRef: Hashable, Sendable {
    var curriculum: String
    var id: String
}

/// The result of compiling one lesson.
public struct CompiledLesson: Sendable {
    public var source: LessonSource
    public var blocks: [Block]
    /// Curriculum-relative asset paths this lesson uses, for copying and publishing.
    public var assets: Set<String>
    /// What the compiler looked up outside the lesson's file (links, assets): the compile cache
    /// reuses this result only while every answer stays the same.
    var dependencies = LessonDependencies()
}

/// Stage three: turns one lesson's Markdown into typed blocks, checking it as it goes.
public struct LessonCompiler: Sendable {
    static let allowedSchemes: Set<String> = ["http", "https", "mailto", "tel"]

    let curriculum: Curriculum
    let links: LinkIndex

    public init(curriculum: Curriculum, links: LinkIndex) {
        self.curriculum = curriculum
        self.links = links
    }

    public func compile(_ lesson: LessonSource, into diagnostics: inout [Diagnostic]) -> CompiledLesson {
        let body: Substring
        switch lesson.body.read() {
        case .success(let text): body = text
        case .failure(let error):
            diagnostics.append(Diagnostic(.error, .unreadable, error.message, path: lesson.path))
            return CompiledLesson(source: lesson, blocks: [], assets: [])
        }
        var state = State(lesson: lesson, body: body, compiler: self)
        let document = CommonMark.parse(body)
        for cut in document.nestingCuts {
            state.report(.error, .nestingTooDeep, "Markdown nests more than \(CommonMark.maxNesting) levels deep here (block quotes, lists, emphasis and links all count); what lies deeper is left out: flatten it", line: cut.line, byteColumn: cut.column)
        }
        let blocks = state.blocks(document.children)
        state.reportUnusedDefinitions(document)
        // A lesson of only raw HTML already has its own error; one of only comments has nothing to show.
        if blocks.isEmpty && !state.diagnostics.contains(where: { $0.severity == .error }) {
            diagnostics.append(Diagnostic(.error, .emptyLesson, "lesson has no content after its front matter", path: lesson.path, line: max(1, lesson.bodyLineOffset), column: 1))
        }
        diagnostics.append(contentsOf: state.diagnostics)
        return CompiledLesson(source: lesson, blocks: blocks, assets: state.assets, dependencies: state.dependencies)
    }

    struct State {
        let lesson: LessonSource
        let body: Substring
        let compiler: LessonCompiler
        var diagnostics: [Diagnostic] = []
        var assets: Set<String> = []
        var dependencies = LessonDependencies()
        var lastHeadingLevel = 1
        /// Block quotes and lists around the block being compiled (lazy lines and indented code depend on them).
        var quoteDepth = 0
        var listDepth = 0
        /// Footnote definitions seen; cmark puts them last, numbered in order of first reference.
        var footnotes = 0
        /// Whether the body holds "[^" anywhere: only then can a text hold an undefined footnote reference.
        lazy var mayReferToFootnotes: Bool = body.asciiRange(of: "[^") != nil
        /// The body's lines, split at '\n' bytes (a CRLF line keeps its '\r'): the authoring checks read
        /// most paragraphs' lines, and splitting by Characters doubled the time of a validate.
        lazy var lines: [Substring] = {
            let body = self.body
            // Find the line ends on the raw bytes, then step the index from one to the next.
            // memchr from one '\n' to the next (filtering every index was a hundredth of a build).
            let ends = body.utf8.withContiguousStorageIfAvailable { bytes -> [Int] in
                guard let base = bytes.baseAddress else { return [] }
                var found: [Int] = []
                var i = 0
                while i < bytes.count, let hit = memchr(base + i, 0x0A, bytes.count - i) {
                    let at = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                    found.append(at)
                    i = at + 1
                }
                return found
            } ?? Array(body.utf8.enumerated().filter { $0.element == 0x0A }.map(\.offset))
            var out: [Substring] = []
            out.reserveCapacity(ends.count + 1)
            var start = body.utf8.startIndex
            var offset = 0
            for end in ends {
                let lineEnd = body.utf8.index(start, offsetBy: end - offset)
                out.append(body[start..<lineEnd])
                start = body.utf8.index(after: lineEnd)
                offset = end + 1
            }
            out.append(body[start...])
            return out
        }()

        init(lesson: LessonSource, body: Substring, compiler: LessonCompiler) {
            self.lesson = lesson
            self.body = body
            self.compiler = compiler
        }

        mutating func report(_ severity: Severity, _ rule: Rule, _ message: String, _ node: MarkdownNode) {
            report(severity, rule, message, line: node.line, byteColumn: node.column)
        }

        mutating func report(_ severity: Severity, _ rule: Rule, _ message: String, line: Int, byteColumn: Int) {
            var column = max(1, byteColumn)
            if line >= 1, line <= lines.count { column = utf16Column(line: lines[line - 1].utf8, byteColumn: column) }
            diagnostics.append(Diagnostic(severity, rule, message, path: lesson.path, line: line + lesson.bodyLineOffset, column: column))
        }

        // MARK: Blocks

        mutating func blocks(_ nodes: [MarkdownNode]) -> [Block] {
            var out: [Block] = []
            var previous: MarkdownNode?
            var openQuiz = false
            for node in nodes {
                if openQuiz, node.kind == .paragraph {
                    report(.warning, .quizExplanationOutside, "this paragraph follows a quiz that has no explanation; if it explains the answer, move it into the quiz: a '>' line, then the paragraph with '> ' before each line", node)
                }
                let b = block(node, previous: previous)
                if case .quiz(_, let options, let explanation)? = b { openQuiz = !options.isEmpty && explanation.isEmpty } else { openQuiz = false }
                if let b { out.append(b) }
                previous = node
            }
            return out
        }

        mutating func block(_ node: MarkdownNode, previous: MarkdownNode? = nil) -> Block? {
            switch node.kind {
            case .paragraph:
                checkParagraph(node)
                // A paragraph holding only an image is an image block: apps lay it out full width.
                if node.children.count == 1, node.children[0].kind == .image {
                    // Compile the image once: a second pass would report its problems twice.
                    let compiled = inline(node.children[0])
                    if case .image(let img)? = compiled.first { return .image(img) }
                    return .paragraph(compiled)
                }
                return .paragraph(inlines(node.children))
            case .heading:
                let level = node.headingLevel
                if level == 1 {
                    report(.warning, .headingLevel1, "level-1 heading in the body; the lesson title is level 1, start sections at '##'", node)
                } else if level > lastHeadingLevel + 1 {
                    report(.error, .headingJump, "heading level jumps from \(lastHeadingLevel) to \(level); use level \(lastHeadingLevel + 1)", node)
                }
                lastHeadingLevel = level
                return .heading(level: level, inlines: inlines(node.children))
            case .list:
                listDepth += 1
                defer { listDepth -= 1 }
                return .list(ordered: node.listOrdered, start: node.listStart,
                             items: node.children.map { ListItem(blocks: blocks($0.children), checked: $0.taskChecked) })
            case .blockQuote:
                quoteDepth += 1
                defer { quoteDepth -= 1 }
                return blockQuote(node, previous: previous)
            case .codeBlock:
                checkCodeBlock(node)
                var text = node.literal
                if text.hasSuffix("\n") { text.removeLast() }
                return .code(language: node.fenceInfo.split(separator: " ").first.map(String.init) ?? "", text: text)
            case .thematicBreak:
                return .rule
            case .htmlBlock:
                checkHTMLBlock(node)
                return nil
            case .table:
                checkTableRows(node)
                return table(node)
            case .footnoteDefinition:
                footnotes += 1
                return .footnote(number: footnotes, blocks: blocks(node.children))
            default:
                report(.error, .unsupportedMarkdown, "unsupported Markdown construct '\(node.kind)'", node)
                return nil
            }
        }

        mutating func table(_ node: MarkdownNode) -> Block {
            var header: [TableCell] = []
            var rows: [[TableCell]] = []
            for row in node.children {
                let cells = row.children.map { TableCell(inlines: inlines($0.children)) }
                if row.isHeaderRow { header = cells } else { rows.append(cells) }
            }
            return .table(alignments: node.tableAlignments, header: header, rows: rows)
        }

        /// `> [!KIND] optional title` makes a callout; `[!QUIZ]` a quiz; anything else a quote.
        mutating func blockQuote(_ node: MarkdownNode, previous: MarkdownNode?) -> Block? {
            guard let first = node.children.first, first.kind == .paragraph,
                  let text = first.children.first, text.kind == .text,
                  let marker = LessonCompiler.calloutMarker(in: text.literal)
            else {
                checkNearMissMarker(node)
                return .quote(blocks(node.children))
            }
            let written = text.literal[marker].dropFirst(2).dropLast()
            let kind = written.uppercased()
            if written != kind, CalloutKind(marker: kind) != nil || kind == "QUIZ" {
                report(.warning, .calloutMarkerCase, "write the callout kind in capitals: '[!\(kind)]', not '[!\(written)]'", line: text.line, byteColumn: text.column)
            }
            // Split the first paragraph: the rest of the marker line is the title, later lines are body.
            var titleNodes: [MarkdownNode] = []
            var restNodes: [MarkdownNode] = []
            var afterBreak = false
            var markerText = text
            markerText.literal = String(text.literal[marker.upperBound...]).drop(while: { $0 == " " }).description
            for (i, child) in first.children.enumerated() {
                let c = i == 0 ? markerText : child
                if afterBreak { restNodes.append(c); continue }
                if c.kind == .softBreak || c.kind == .lineBreak { afterBreak = true; continue }
                if !(c.kind == .text && c.literal.isEmpty) { titleNodes.append(c) }
            }
            var bodyNodes = Array(node.children.dropFirst())
            if !restNodes.isEmpty {
                var para = first
                para.children = restNodes
                para.line = restNodes[0].line
                bodyNodes.insert(para, at: 0)
            }
            if kind == "QUIZ" { return quiz(node, titleNodes: titleNodes, body: bodyNodes, previous: previous) }
            guard let callout = CalloutKind(marker: kind) else {
                let hint = Schema.nearest(kind, in: CalloutKind.markers + ["QUIZ"]).map { "did you mean \($0)? Kinds are" } ?? "use one of"
                report(.error, .unknownCallout, "unknown callout kind '\(kind)'; \(hint) \(CalloutKind.markers.joined(separator: ", ")) or QUIZ", line: text.line, byteColumn: text.column)
                return nil
            }
            var title = inlines(titleNodes)
            var duration: String?
            if callout == .activity, case .text(let last)? = title.last,
               let r = Pattern.trailingDuration.firstRange(in: last) {
                duration = last[r].trimmingCharacters(in: CharacterSet(charactersIn: "() "))
                let remaining = last[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
                title.removeLast()
                if !remaining.isEmpty { title.append(.text(remaining)) }
            }
            if callout == .activity && duration == nil {
                report(.warning, .activityDuration, "ACTIVITY callout has no duration; end its title with the time it takes, e.g. '[!ACTIVITY] Count the money (10 min)'", line: text.line, byteColumn: text.column)
            }
            let body = blocks(bodyNodes)
            if body.isEmpty && title.isEmpty {
                report(.error, .emptyCallout, "\(kind) callout has no text", node)
            }
            return .callout(kind: callout, title: title, duration: duration, blocks: body)
        }

        mutating func quiz(_ node: MarkdownNode, titleNodes: [MarkdownNode], body: [MarkdownNode], previous: MarkdownNode?) -> Block? {
            var question: [Block] = []
            if !titleNodes.isEmpty { question.append(.paragraph(inlines(titleNodes))) }
            var options: [QuizOption] = []
            var explanation: [Block] = []
            var seenOptions = false
            var questionNodes: [MarkdownNode] = []
            for child in body {
                if !seenOptions, child.kind == .list, child.children.contains(where: { $0.taskChecked != nil }) {
                    seenOptions = true
                    listDepth += 1
                    for item in child.children { quizOption(item, into: &options) }
                    listDepth -= 1
                } else if let b = block(child) {
                    if seenOptions { explanation.append(b) } else { question.append(b); questionNodes.append(child) }
                }
            }
            if question.isEmpty {
                if let previous, previous.kind == .paragraph, previous.plainText.trimmingWhitespace().hasSuffix("?") {
                    report(.error, .quizNoQuestion, "quiz has no question; the question on line \(previous.line + lesson.bodyLineOffset) is outside the quiz: move it to the line after [!QUIZ], with '> ' before it", node)
                } else {
                    report(.error, .quizNoQuestion, "quiz has no question; write it on the line after [!QUIZ]", node)
                }
            }
            if options.isEmpty {
                // Options indented 4 spaces or more continue the question's paragraph instead of starting a list.
                if let line = questionNodes.lazy.flatMap({ $0.line...$0.endLine }).first(where: { LessonCompiler.isTaskItemLine(self.lines[$0 - 1]) }) {
                    report(.error, .quizOptionIndent, "this option is indented 4 spaces or more, so it is read as part of the question, not as an option; start its '-' right after the '> '", line: line, byteColumn: 1)
                } else {
                    report(.error, .quizNoOptions, "quiz has no options; add a task list ('- [ ] wrong', '- [x] right')", node)
                }
            } else if !options.contains(where: \.correct) {
                report(.error, .quizNoCorrect, "quiz has no correct option; mark at least one with '- [x]'", node)
            }
            return .quiz(question: question, options: options, explanation: explanation)
        }

        /// One `- [ ]`/`- [x]` item of a quiz: one paragraph of text. An option indented under the
        /// one above belongs to it in Markdown; it is reported and still read as an option of its own.
        mutating func quizOption(_ item: MarkdownNode, into options: inout [QuizOption]) {
            guard let checked = item.taskChecked else {
                report(.error, .quizOptionUnmarked, "quiz option is not a task-list item; write '- [ ]' or '- [x]'", item)
                return
            }
            var children = item.children
            if children.count == 2, children[0].kind == .paragraph, children[1].kind == .list,
               children[1].children.contains(where: { $0.taskChecked != nil }) {
                let nested = children.removeLast()
                report(.error, .quizOptionIndent, "this option is indented under the option on line \(item.line + lesson.bodyLineOffset), so Markdown makes it part of that one; start its '-' in the same column as the '-' above", nested.children[0])
                appendOption(children, checked: checked, item: item, into: &options)
                for sub in nested.children { quizOption(sub, into: &options) }
                return
            }
            appendOption(children, checked: checked, item: item, into: &options)
        }

        mutating func appendOption(_ children: [MarkdownNode], checked: Bool, item: MarkdownNode, into options: inout [QuizOption]) {
            guard children.count == 1, children[0].kind == .paragraph else {
                report(.error, .quizOptionForm, "a quiz option must be one line of text", item)
                options.append(QuizOption(inlines: [], correct: checked))
                return
            }
            let paragraph = children[0]
            // A line without '>' right after the options is joined to the last one ("lazy continuation").
            if let lazy = lazyLines(paragraph).first {
                let option = self.lines[paragraph.line - 1].drop(while: { $0 != "]" }).dropFirst().trimmingCharacters(in: .whitespacesAndNewlines)
                report(.error, .quizLazyLine, "this line has no '>', so Markdown joins it to the quiz option '\(option)' on line \(paragraph.line + lesson.bodyLineOffset); put a blank line before it to end the quiz, or '> ' at its start to keep it in the quiz", line: lazy, byteColumn: 1)
            }
            options.append(QuizOption(inlines: inlines(paragraph.children), correct: checked))
        }

        // MARK: Inlines

        mutating func inlines(_ nodes: [MarkdownNode]) -> [Inline] {
            var out: [Inline] = []
            for n in nodes {
                for i in inline(n) {
                    // Merge neighbouring text runs (soft breaks become spaces).
                    if case .text(let t) = i, case .text(let prev)? = out.last {
                        out[out.count - 1] = .text(prev + t)
                    } else {
                        out.append(i)
                    }
                }
            }
            return out
        }

        mutating func inline(_ node: MarkdownNode) -> [Inline] {
            switch node.kind {
            case .text:
                checkUndefinedFootnotes(node)
                return [.text(node.literal)]
            case .footnoteReference:
                guard let number = Int(node.literal) else { return [.text(node.literal)] }
                return [.footnoteReference(number)]
            case .softBreak: return [.text(" ")]
            case .lineBreak: return [.lineBreak]
            case .code: return [.code(node.literal)]
            case .emphasis: return [.emphasis(inlines(node.children))]
            case .strong: return [.strong(inlines(node.children))]
            case .strikethrough: return [.strikethrough(inlines(node.children))]
            case .htmlInline:
                // An editor's comment for other authors: never shown, never an error.
                if HTMLComment.isComments(node.literal) { return [] }
                report(.error, .rawHtml, "raw HTML '\(node.literal)' is not passed to devices; write it in Markdown", node)
                return []
            case .link:
                let children = inlines(node.children)
                guard let target = linkTarget(node) else { return children }
                return [.link(target: target, title: node.title, children: children)]
            case .image:
                let alt = node.plainText.trimmingWhitespace()
                if alt.isEmpty {
                    report(.error, .imageAltMissing, "image '\(node.url)' has no alt text; describe what it shows in ![...]", node)
                } else if LessonCompiler.isFileName(alt, of: node.url) {
                    report(.warning, .imageAltFilename, "the alt text of image '\(node.url)' is its file name, '\(alt)'; describe what the picture shows, for people who cannot see it", node)
                }
                guard let (path, size) = resolveAsset(node.url, node, what: "image") else { return [] }
                return [.image(Image(src: path, alt: alt, title: node.title, size: size))]
            default:
                report(.error, .unsupportedMarkdown, "unsupported inline construct '\(node.kind)'", node)
                return []
            }
        }

        mutating func linkTarget(_ node: MarkdownNode) -> LinkTarget? {
            let url = node.url
            if let scheme = LessonCompiler.scheme(of: url) {
                guard LessonCompiler.allowedSchemes.contains(scheme.lowercased()) else {
                    report(.error, .unsafeUrl, "links with '\(scheme):' are not allowed; use http, https, mailto or tel", node)
                    return nil
                }
                return .url(url)
            }
            if url.hasPrefix("#") || url.isEmpty { return .url(url) }
            let pathPart = url.utf8.firstIndex(of: 0x23).map { String(url[..<$0]) } ?? url
            if pathPart.lowercased().hasSuffix(".md") {
                if pathPart.hasPrefix("/") {
                    report(.error, .absolutePath, "link '\(url)' is an absolute path; use a path relative to this lesson", node)
                    return nil
                }
                let decoded = pathPart.percentDecoded
                // Resolve against content/ so links may cross into another curriculum.
                let base = "\(lesson.curriculum)/\(lesson.relativePath)"
                guard let resolved = LessonCompiler.resolve(decoded, from: base),
                      let target = lesson(at: resolved) else {
                    report(.error, .brokenLink, "link to '\(url)' does not resolve to a lesson", node)
                    return nil
                }
                return .lesson(id: target.id, curriculum: target.curriculum)
            }
            if let hint = lessonLinkHint(pathPart) {
                report(.error, .brokenLink, "link '\(url)' \(hint)", node)
                return nil
            }
            guard let (path, _) = resolveAsset(url, node, what: "link") else { return nil }
            return .asset(path)
        }

        /// Checks that a relative path lands inside the curriculum's assets/ and exists there.
        mutating func resolveAsset(_ url: String, _ node: MarkdownNode, what: String) -> (String, Int)? {
            if let scheme = LessonCompiler.scheme(of: url) {
                report(.error, .remoteAsset, "\(what) '\(url)' uses '\(scheme):'; devices are often offline, so put the file in assets/", node)
                return nil
            }
            if url.hasPrefix("/") {
                report(.error, .absolutePath, "\(what) '\(url)' is an absolute path; use a path relative to this lesson, inside assets/", node)
                return nil
            }
            let decoded = url.percentDecoded
            guard let resolved = LessonCompiler.resolve(decoded, from: lesson.relativePath), resolved.hasPrefix("assets/") else {
                report(.error, .assetOutside, "\(what) '\(url)' points outside the curriculum's assets/ folder", node)
                return nil
            }
            let asset = self.asset(resolved)
            guard let size = asset.size else {
                report(.error, .missingAsset, "\(what) '\(url)' not found: no file \(compiler.curriculum.dir)/\(resolved)", node)
                return nil
            }
            // A symlink inside assets/ must not lead outside it.
            guard !asset.escaping else {
                report(.error, .assetOutside, "\(what) '\(url)' is a symbolic link leading outside assets/", node)
                return nil
            }
            assets.insert(resolved)
            return (resolved, size)
        }
    }

    /// The `[!KIND]` at the start of a callout's first line (`[!` letter, letters or `-`, `]`).
    static func calloutMarker(in s: String) -> Range<String.Index>? {
        let u = s.utf8
        guard u.starts(with: "[!".utf8) else { return nil }
        func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
        var i = u.index(u.startIndex, offsetBy: 2)
        guard i != u.endIndex, isLetter(u[i]) else { return nil }
        while i != u.endIndex, isLetter(u[i]) || u[i] == 0x2D { i = u.index(after: i) }
        guard i != u.endIndex, u[i] == 0x5D else { return nil }
        return s.startIndex..<u.index(after: i)
    }

    static func scheme(of url: String) -> String? {
        // Most relative paths have no ':' at all: a look at the bytes answers them.
        guard url.utf8.contains(0x3A), let colon = url.firstIndex(of: ":") else { return nil }
        let s = url[..<colon]
        guard let f = s.first, f.isLetter, s.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return nil }
        return String(s)
    }

    /// Resolves `relative` against the folder of `file` (both `/`-separated); nil if it climbs above the top.
    static func resolve(_ relative: String, from file: String) -> String? {
        // Split at '/' bytes and joined once (Strings split by Characters, one String per
        // component, were most of resolving a lesson's links).
        var parts = Array(file.utf8.split(separator: 0x2F).dropLast())
        for component in relative.utf8.split(separator: 0x2F) {
            if component.elementsEqual(".".utf8) { continue }
            if component.elementsEqual("..".utf8) {
                if parts.isEmpty { return nil }
                parts.removeLast()
                continue
            }
            parts.append(component)
        }
        return parts.map { Substring($0) }.joined(separator: "/")
    }
}

extension LessonCompiler.State {
    // MARK: Lookups outside the lesson, recorded

    /// The lesson at `curriculum-id/relative/path.md`, if any.
    mutating func lesson(at path: String) -> LessonRef? {
        let answer = compiler.links.lessonsByPath[path]
        dependencies.asked(lessonAt: path, got: answer)
        return answer
    }

    /// The paths of the lessons with this id.
    mutating func lessonPaths(withID id: String) -> [String] {
        let answer = compiler.links.pathsById[id] ?? []
        dependencies.asked(lessonsWithID: id, got: answer)
        return answer
    }

    /// A curriculum-relative asset path: its size, nil when there is no such file.
    mutating func asset(_ path: String) -> AssetAnswer {
        let answer = AssetAnswer(curriculum: compiler.curriculum, path: path)
        dependencies.asked(asset: path, got: answer)
        return answer
    }
}
