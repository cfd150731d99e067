import XCTest
@testable import LessonCompiler

/// Files that cannot be read and output that cannot be written.
final class FileSystemRuleTests: XCTestCase {
    func testUnreadableLesson() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\nHello.\n"])
        try FileManager.default.createSymbolicLink(atPath: p.root.appendingPathComponent("content/demo/01-unit/02-dangling.md").path,
                                                   withDestinationPath: "nowhere.md")
        XCTAssertDiagnostics(p.validate(), ["content/demo/01-unit/02-dangling.md:1:1: error: cannot read the file [unreadable]"])
    }

    func testOutputThatCannotBeCreated() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\nHello.\n"])
        try p.write("build", "a file where the output folder should be")
        let result = p.build()
        XCTAssertFalse(result.succeeded)
        XCTAssertEqual(result.diagnostics.map(\.rule.rawValue), ["output-error"])
        XCTAssertEqual(result.diagnostics.first?.path, p.outputURL.path)
        XCTAssertTrue(result.diagnostics.first?.message.hasPrefix("cannot create the output folder: ") ?? false, "\(result.diagnostics)")
    }
}
