import XCTest
@testable import LessonCompiler
import LessonSupport

/// What `build` writes: the same bytes every time, and nothing at all when it fails.
final class BuildTests: XCTestCase {
    /// A project with enough lessons to be compiled on several threads, using most constructs.
    static func sampleProject() throws -> TestProject {
        let p = try TestProject()
        try p.asset("map.svg", bytes: 300)
        try p.asset("docs/form.pdf", bytes: 900)
        for unit in 1...3 {
            try p.lesson(String(format: "%02d-unit-%d/_unit.md", unit, unit), "---\ntitle: Unit \(unit)\n---\n")
            for n in 1...12 {
                let next = n < 12 ? String(format: "%02d-lesson-%d-%d.md", n + 1, unit, n + 1) : "01-lesson-\(unit)-1.md"
                try p.lesson(String(format: "%02d-unit-%d/%02d-lesson-%d-%d.md", unit, unit, n, unit, n), title: "Lesson \(unit).\(n)", body: """
                    ## Part \(n)

                    Some *emphasis*, **strong**, ~~old~~ and `code`; see [the next one](\(next)) or www.example.org.

                    ![A map](../assets/map.svg "Map \(n)")

                    | A | B |
                    |:--|--:|
                    | \(n) | [form](../assets/docs/form.pdf) |

                    > [!ACTIVITY] Practise (\(n) min)
                    > 1. Do it.

                    > [!QUIZ]
                    > Is \(n) even?
                    >
                    > - [\(n % 2 == 0 ? "x" : " ")] Yes
                    > - [\(n % 2 == 0 ? " " : "x")] No

                    """)
            }
        }
        return p
    }

    func testTwoBuildsGiveIdenticalBytes() throws {
        let p = try BuildTests.sampleProject()
        let a = p.root.appendingPathComponent("out-a"), b = p.root.appendingPathComponent("out-b")
        XCTAssertDiagnostics(p.build(into: a), [])
        XCTAssertDiagnostics(p.build(into: b), [])
        let first = try treeContents(a), second = try treeContents(b)
        XCTAssertEqual(first.keys.sorted(), second.keys.sorted())
        XCTAssertEqual(first.filter { $0.key.hasSuffix(".json") }.count, 36 + 2)
        for (path, bytes) in first { XCTAssertEqual(bytes, second[path], "\(path) differs between two builds") }
    }

    func testOutputDoesNotDependOnWhereTheProjectLives() throws {
        let p = try BuildTests.sampleProject(), q = try BuildTests.sampleProject()
        XCTAssertTrue(p.build().succeeded)
        XCTAssertTrue(q.build().succeeded)
        let first = try treeContents(p.outputURL)
        XCTAssertEqual(first, try treeContents(q.outputURL))
        for (path, bytes) in first {
            XCTAssertNil(String(decoding: bytes, as: UTF8.self).range(of: p.root.lastPathComponent), "\(path) holds the project folder's name")
        }
    }

    func testFailedBuildLeavesThePreviousOutputUntouched() throws {
        let p = try BuildTests.sampleProject()
        XCTAssertTrue(p.build().succeeded)
        let before = try treeContents(p.outputURL)
        XCTAssertFalse(before.isEmpty)

        try p.lesson("01-unit-1/01-lesson-1-1.md", title: "Changed", body: "New text and a [broken link](nowhere.md).\n")
        let result = p.build()
        XCTAssertFalse(result.succeeded)
        XCTAssertDiagnostics(result, ["content/demo/01-unit-1/01-lesson-1-1.md:4:16: error: link to 'nowhere.md' does not resolve to a lesson [broken-link]"])
        let after = try treeContents(p.outputURL)
        XCTAssertEqual(after.keys.sorted(), before.keys.sorted())
        XCTAssertEqual(after, before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: p.outputURL.path).filter { $0.hasPrefix(".") }, [])
    }

    func testRebuildReplacesOnlyWhatTheBuildOwns() throws {
        let p = try BuildTests.sampleProject()
        try p.write("content/old/curriculum.md", "---\nid: old\n\(TestProject.curriculumFrontMatter)\n---\n")
        try p.write("content/old/01-unit/01-gone.md", "---\ntitle: Gone\n---\nHello.\n")
        XCTAssertTrue(p.build().succeeded)
        let out = p.outputURL
        try p.write("build/channel/latest.json", "{\"release\": 3}\n")
        try p.write("build/dev-key.pub", "untrusted comment: key\n")

        // Edit one lesson, delete another and the whole 'old' curriculum, then rebuild.
        try p.lesson("01-unit-1/01-lesson-1-1.md", title: "Renamed", body: "Shorter now; see [next](02-lesson-1-2.md).\n")
        try p.remove("content/demo/03-unit-3/12-lesson-3-12.md")
        try p.lesson("03-unit-3/11-lesson-3-11.md", title: "Last", body: "The end.\n")
        try p.remove("content/old")
        XCTAssertTrue(p.build().succeeded)

        let files = try treeContents(out)
        XCTAssertEqual(files["channel/latest.json"], Data("{\"release\": 3}\n".utf8))
        XCTAssertEqual(files["dev-key.pub"], Data("untrusted comment: key\n".utf8))
        XCTAssertNil(files["old/index.json"], "a curriculum that is gone is removed from the output")
        XCTAssertNil(files["demo/en/lesson-3-12.json"], "a lesson that is gone is removed from the output")
        XCTAssertEqual(try JSON.parse(XCTUnwrap(files["demo/en/lesson-1-1.json"]))["title"], "Renamed")
        XCTAssertEqual(try JSON.parse(XCTUnwrap(files["index.json"]))["curricula"]?.arrayValue?.count, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(),
                       ["channel", "demo", "dev-key.pub", "index.json"])
    }

    func testBuildCopiesOnlyUsedAssets() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\n![A map](../assets/map.svg)\n"])
        try p.asset("map.svg", bytes: 300)
        try p.asset("spare.png", bytes: 5)
        XCTAssertDiagnostics(p.build(), ["content/demo/assets/spare.png:1:1: warning: asset is not used by any lesson [unused-asset]"])
        let files = try treeContents(p.outputURL)
        XCTAssertEqual(files["demo/assets/map.svg"]?.count, 300)
        XCTAssertNil(files["demo/assets/spare.png"])
    }
}
