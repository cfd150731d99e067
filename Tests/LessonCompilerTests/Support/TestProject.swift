import Foundation
import XCTest
@testable import LessonCompiler
import LessonSupport

/// A throw-away project folder (`content/<curriculum>/…`) for one test, removed when the test ends.
final class TestProject {
    let root: URL
    let curriculum: String

    static let curriculumFrontMatter = """
        title: Demo curriculum
        version: 1.0.0
        language: en
        license: CC-BY-4.0
        authors: [Test Author]
        """

    /// A project with a valid `curriculum.md` and nothing else; `lessons` writes lesson files
    /// (path under the curriculum folder → full file text).
    init(curriculum: String = "demo", curriculumFile: String? = nil, lessons: [String: String] = [:]) throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("lessonc-test-\(UUID().uuidString)", isDirectory: true)
        self.curriculum = curriculum
        try FileManager.default.createDirectory(at: root.appendingPathComponent("content/\(curriculum)"), withIntermediateDirectories: true)
        try write("content/\(curriculum)/curriculum.md",
                  curriculumFile ?? "---\nid: \(curriculum)\n\(TestProject.curriculumFrontMatter)\n---\nA curriculum for tests.\n")
        for (path, text) in lessons { try lesson(path, text) }
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Writes a file under the project root, creating folders as needed.
    func write(_ path: String, _ text: String) throws {
        try write(path, data: Data(text.utf8))
    }

    func write(_ path: String, data: Data) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    /// Writes a file under this project's curriculum folder.
    func lesson(_ path: String, _ text: String) throws {
        try write("content/\(curriculum)/\(path)", text)
    }

    /// A lesson with a title and the given Markdown body.
    func lesson(_ path: String, title: String = "A lesson", body: String) throws {
        try lesson(path, "---\ntitle: \(title)\n---\n\(body)")
    }

    func asset(_ name: String, bytes: Int = 10) throws {
        try write("content/\(curriculum)/assets/\(name)", data: Data(repeating: 0x41, count: bytes))
    }

    func remove(_ path: String) throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent(path))
    }

    /// Validates without writing anything, as `lessonc validate` does.
    func validate(strict: Bool = false) -> BuildResult {
        Builder.run(BuildOptions(root: root, strict: strict))
    }

    /// Builds into `out` (default `ROOT/build`).
    @discardableResult
    func build(into out: URL? = nil, strict: Bool = false) -> BuildResult {
        Builder.run(BuildOptions(root: root, output: out ?? outputURL, strict: strict))
    }

    var outputURL: URL { root.appendingPathComponent("build") }

    /// The compiled lesson document written by `build()`.
    func compiled(_ id: String, locale: String = "en") throws -> JSON {
        let url = outputURL.appendingPathComponent("\(curriculum)/\(locale)/\(id).json")
        return try JSON.parse(Data(contentsOf: url))
    }
}

/// Every file under `dir` (relative path → bytes), for byte-for-byte comparisons of whole trees.
func treeContents(_ dir: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    let base = dir.standardizedFileURL.path
    guard let e = FileManager.default.enumerator(atPath: base) else { return out }
    while let rel = e.nextObject() as? String {
        let path = base + "/" + rel
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue {
            out[rel] = try Data(contentsOf: URL(fileURLWithPath: path))
        } else if isDir.boolValue {
            out[rel + "/"] = Data()
        }
    }
    return out
}

/// Asserts the run's diagnostics, compared as printed (`path:line:column: severity: message [rule]`).
func XCTAssertDiagnostics(_ result: BuildResult, _ expected: [String], _ message: String = "",
                          file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(result.diagnostics.map(\.description), expected, message, file: file, line: line)
}

/// Tests of one lesson body: a project whose lesson `01-unit/01-first.md` has three front-matter
/// lines and then the body, so body line N is file line N + 3.
protocol LessonBodyChecks {}

extension LessonBodyChecks {
    static var path: String { "content/demo/01-unit/01-first.md" }

    /// Diagnostics of a project whose lesson `01-unit/01-first.md` has this body.
    func check(_ body: String, assets: [String] = [], setUp: (TestProject) throws -> Void = { _ in }) throws -> BuildResult {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\n\(body)"])
        for a in assets { try p.asset(a) }
        try setUp(p)
        return p.validate()
    }

    /// A diagnostic of that lesson, as printed.
    func at(_ line: Int, _ column: Int, _ rest: String) -> String {
        "\(Self.path):\(line):\(column): \(rest)"
    }
}
