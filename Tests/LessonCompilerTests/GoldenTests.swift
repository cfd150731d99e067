import XCTest
@testable import LessonCompiler
import LessonSupport

/// Golden tests of the compiled output: each construct's Markdown, typed blocks and html are
/// stored together in `Golden/<name>.json`. Run with LESSONC_UPDATE_GOLDEN=1 to rewrite the
/// files after an intended change, then review the diff.
final class GoldenTests: XCTestCase {
    static let map = Data("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>\n".utf8)

    /// Two curricula: `demo` (the lesson under test, a second lesson with an explicit id,
    /// assets) and `other` (a link target in another curriculum).
    func project(body: String, frontMatter: String = "title: First lesson") throws -> TestProject {
        let p = try TestProject(curriculumFile: """
            ---
            id: demo
            \(TestProject.curriculumFrontMatter)
            audience: [facilitator]
            level_titles: [Unit, Lesson]
            ---
            A curriculum for tests.

            """)
        try p.lesson("01-basics/_unit.md", "---\ntitle: The basics\nsummary: Where to start.\n---\n")
        try p.lesson("01-basics/01-first.md", "---\n\(frontMatter)\n---\n\(body)")
        try p.lesson("01-basics/02-second.md", "---\ntitle: Second lesson\nid: second-lesson\nduration: 10 min\n---\nHello.\n")
        try p.write("content/demo/assets/map.svg", data: GoldenTests.map)
        try p.write("content/demo/assets/docs/form.pdf", data: Data(repeating: 0x25, count: 2048))
        try p.write("content/other/curriculum.md", "---\nid: other\n\(TestProject.curriculumFrontMatter)\n---\n")
        try p.write("content/other/01-unit/01-welcome.md", "---\ntitle: Welcome\nid: welcome\n---\nHello.\n")
        return p
    }

    /// Builds a lesson with `body` and compares its Markdown, blocks and html with the golden file.
    func assertConstruct(_ name: String, _ body: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let p = try project(body: body)
        let result = p.build()
        XCTAssertEqual(result.errors, 0, "\(result.diagnostics)", file: file, line: line)
        let doc = try p.compiled("first")
        let actual: JSON = ["markdown": .string(body), "blocks": doc["blocks"] ?? .null, "html": doc["html"] ?? .null]
        assertGolden("\(name).json", actual.pretty(), file: file, line: line)
    }

    func assertGolden(_ name: String, _ actual: String, file: StaticString = #filePath, line: UInt = #line) {
        if ProcessInfo.processInfo.environment["LESSONC_UPDATE_GOLDEN"] == "1" {
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
            XCTAssertNoThrow(try Data(actual.utf8).write(to: source))
            XCTFail("updated Golden/\(name); review it and run again without LESSONC_UPDATE_GOLDEN", file: file, line: line)
            return
        }
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Golden"),
              let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return XCTFail("no Golden/\(name); run with LESSONC_UPDATE_GOLDEN=1 to create it", file: file, line: line)
        }
        XCTAssertEqual(actual, expected, "differs from Golden/\(name)", file: file, line: line)
    }

    // MARK: - Blocks and inlines

    func testHeadings() throws {
        try assertConstruct("heading", "## Saving *together*\n\n### Why `weekly`\n\nText.\n")
    }

    func testParagraphInlines() throws {
        try assertConstruct("paragraph", "Plain *emphasis* and _also_, **strong**, ~~struck~~, `a < b`,\na soft break, a hard break  \nand another\\\nend.\n")
    }

    func testLists() throws {
        try assertConstruct("lists", "3. third\n4. fourth\n\n- apples\n- pears\n  - nested\n\n1. loose\n\n   second paragraph\n2. item\n")
    }

    func testTaskListOutsideAQuiz() throws {
        try assertConstruct("task-list", "- [x] Count the cash\n- [ ] Lock the box\n")
    }

    func testTableWithAlignments() throws {
        try assertConstruct("table", "| Item | Qty | Price | Note |\n|:-----|:---:|------:|------|\n| Rice | 2 | 100 | *cheap* |\n| Oil | 1 | 250 | |\n")
    }

    func testImageBlock() throws {
        XCTAssertEqual(GoldenTests.map.count, 65, "the golden files give this size in bytes")
        try assertConstruct("image-block", "![A map of the village](../assets/map.svg \"The village\")\n")
    }

    func testInlineImage() throws {
        try assertConstruct("image-inline", "Look at ![a small map](../assets/map.svg) and read on.\n")
    }

    func testCalloutsOfEveryKind() throws {
        try assertConstruct("callouts", """
            > [!NOTE]
            > A note.

            > [!TIP] A *short* title
            > A tip.

            > [!WARNING]
            > Careful.

            > [!PROMPT]
            > "What would you do with a small sum saved every week?"

            > [!ACTIVITY] Practise a loan request (15 min)
            > 1. Two members act as borrower and treasurer.
            > 2. The group listens and asks questions.

            > [!ACTIVITY] A longer one (1 h 30 min)
            > Talk it through.

            > [!READ-ALOUD]
            > We save together every week.

            > [!CONTENT-WARNING]
            > This lesson talks about violence.

            """)
    }

    func testQuiz() throws {
        try assertConstruct("quiz", """
            > [!QUIZ]
            > How long after the assault can HIV post-exposure prophylaxis be started?
            >
            > - [ ] Up to two weeks
            > - [x] As soon as possible, and no later than 72 hours
            > - [ ] Only after a **test** result
            >
            > PEP works best when started early; after 72 hours it is not recommended.

            """)
    }

    func testLinks() throws {
        try assertConstruct("links", """
            Read [the next lesson](02-second.md "Next"), [welcome](../../other/01-unit/01-welcome.md),
            [a section](02-second.md#part), [WHO](https://www.who.int/), <https://example.org/a?b=1&c=2>,
            www.example.com, [mail](mailto:help@example.org), [the form](../assets/docs/form.pdf) and [top](#top).

            """)
    }

    func testCodeBlocks() throws {
        try assertConstruct("code", "```swift title\nlet ok = 1 < 2\n```\n\n    indented <code>\n")
    }

    func testThematicBreak() throws {
        try assertConstruct("thematic-break", "Before.\n\n---\n\nAfter.\n")
    }

    func testPlainQuote() throws {
        try assertConstruct("quote", "> Just a quote,\n> over two lines.\n>\n> > And a nested one.\n")
    }

    func testTextIsEscapedInHTML() throws {
        try assertConstruct("escaping", "Text with \\<script>alert(1)\\</script>, &lt;b&gt;, & \"quotes\" and 'apostrophes'.\n")
    }

    // MARK: - Whole documents

    func testLessonDocument() throws {
        let p = try project(body: "## Start\n\nSee [the next lesson](02-second.md).\n\n![A map of the village](../assets/map.svg)\n",
                            frontMatter: """
                            title: First lesson
                            duration: 20 min
                            audience: [facilitator, members]
                            tags:
                              - savings
                              - groups
                            content_warning: Mentions money worries.
                            authors: [Asha, Ben]
                            source: "WHO (2020), guideline 3"
                            """)
        let result = p.build()
        XCTAssertEqual(result.errors, 0, "\(result.diagnostics)")
        // Lessons are written compact (they are shipped); the golden file is the same JSON, indented.
        let bytes = try Data(contentsOf: p.outputURL.appendingPathComponent("demo/en/first.json"))
        let document = try JSON.parse(bytes)
        XCTAssertEqual(bytes, document.data(pretty: false), "lesson files are compact, sorted-key JSON")
        assertGolden("lesson-document.json", document.pretty())
    }

    func testCurriculumIndexAndBuildIndex() throws {
        let p = try project(body: "Hello [welcome](../../other/01-unit/01-welcome.md) ![A map](../assets/map.svg).\n")
        try p.lesson("02-more/01-third.md", "---\ntitle: Third\n---\nSee [the form](../assets/docs/form.pdf).\n")
        try p.lesson("02-more/02-deeper/01-fourth.md", "---\ntitle: Fourth\ncontent_warning: Sad story.\naudience: survivor\n---\nHello.\n")
        let result = p.build()
        XCTAssertDiagnostics(result, [])
        let files = try treeContents(p.outputURL)
        XCTAssertEqual(files.keys.sorted(), [
            "demo/", "demo/assets/", "demo/assets/docs/", "demo/assets/docs/form.pdf", "demo/assets/map.svg",
            "demo/en/", "demo/en/first.json", "demo/en/fourth.json", "demo/en/second-lesson.json", "demo/en/third.json",
            "demo/index.json", "index.json",
            "other/", "other/en/", "other/en/welcome.json", "other/index.json",
        ])
        XCTAssertEqual(files["demo/assets/map.svg"], GoldenTests.map)
        assertGolden("curriculum-index.json", String(decoding: files["demo/index.json"] ?? Data(), as: UTF8.self))
        assertGolden("build-index.json", String(decoding: files["index.json"] ?? Data(), as: UTF8.self))
    }
}
