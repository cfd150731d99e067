import XCTest
@testable import LessonCompiler
import LessonSupport

/// `LessonJSON` writes lesson documents straight to bytes; what it writes must be the canonical
/// serialization (compact, keys in byte order) of the document it describes: parsing it and
/// serializing it again gives the same bytes, on every shipped lesson and every construct.
final class LessonJSONTests: XCTestCase {
    func assertCanonical(_ project: Project, file: StaticString = #filePath, line: UInt = #line) throws {
        let links = LinkIndex(project: project)
        var count = 0
        for c in project.curricula {
            let compiler = LessonCompiler(curriculum: c, links: links)
            for lesson in c.lessons where lesson.compilable {
                var d: [Diagnostic] = []
                let compiled = compiler.compile(lesson, into: &d)
                for (fallback, coverage) in [(false, nil), (true, 40)] as [(Bool, Int?)] {
                    let written = LessonJSON.document(compiled, curriculum: c, locale: "ar", fallback: fallback, coverage: coverage)
                    let parsed = try JSON.parse(Data(written))
                    XCTAssertEqual(String(decoding: parsed.bytes(pretty: false), as: UTF8.self), String(decoding: written, as: UTF8.self),
                                   lesson.path, file: file, line: line)
                    XCTAssertEqual(parsed["direction"], fallback ? "ltr" : "rtl", file: file, line: line)
                    XCTAssertEqual(parsed["coverage"], coverage.map { .int($0) }, file: file, line: line)
                    XCTAssertEqual(parsed["html"]?.stringValue, LessonHTML.render(compiled.blocks), file: file, line: line)
                }
                count += 1
            }
        }
        XCTAssertGreaterThan(count, 0, file: file, line: line)
    }

    func testEveryShippedLessonIsCanonicalJSON() throws {
        let sink = DiagnosticSink()
        try assertCanonical(Loader(root: ContentGuideTests.repositoryRoot).load(into: sink))
    }

    func testEveryConstructIsCanonicalJSON() throws {
        let p = try TestProject()
        try p.asset("map.svg")
        try p.lesson("01-u/01-all.md", title: "All", body: """
            ## Heading with *emphasis*, **strong**, ~~struck~~ and `code`

            Line one\\
            line two with "quotes", a tab\there, \u{2028} and a [link](https://example.org "T") and [lesson](02-b.md) and [file](../assets/map.svg).

            3. three
            4. four

            - [ ] open
            - [x] done

            | Left | Centre | Right |
            |:-----|:------:|------:|
            | a    | b      | c     |

            ![A map](../assets/map.svg "Caption")

            Inline ![small map](../assets/map.svg) image.

            > [!ACTIVITY] Count it (10 min)
            > Do it.

            > [!NOTE]
            > Plain note.

            > [!QUIZ]
            > Which?
            >
            > - [ ] no
            > - [x] yes
            >
            > Because.

            > A quote.

            ```swift
            let x = "y"
            ```

            ---
            """)
        try p.lesson("01-u/02-b.md", title: "B", body: "B.\n")
        let sink = DiagnosticSink()
        let project = Loader(root: p.root).load(into: sink)
        XCTAssertEqual(sink.all.filter { $0.severity == .error }.map(\.description), [])
        try assertCanonical(project)
    }
}
