import XCTest
@testable import LessonCompiler
import LessonSupport

/// Symbolic links may arrange content/ and locales/, never reach outside them: a content pull
/// request must not get a file of the machine that builds it signed and sent to every device
/// (hardening finding 1).
final class SymlinkContainmentTests: XCTestCase {
    var outside: URL!

    /// A folder outside every project, holding `passwd` (a secret) and `lesson.md` (a valid lesson).
    override func setUpWithError() throws {
        outside = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside.appendingPathComponent("unit"), withIntermediateDirectories: true)
        try Data("root:x:0:0:secret\n".utf8).write(to: outside.appendingPathComponent("passwd"))
        let lesson = Data("---\ntitle: Outside\n---\nA lesson from elsewhere.\n".utf8)
        try lesson.write(to: outside.appendingPathComponent("lesson.md"))
        try lesson.write(to: outside.appendingPathComponent("unit/01-lesson.md"))
        try Data("---\nid: demo\n\(TestProject.curriculumFrontMatter)\n---\nElsewhere.\n".utf8).write(to: outside.appendingPathComponent("curriculum.md"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: outside) }

    /// The real path diagnostics name (the temporary folder may itself be reached through a link).
    func real(_ name: String = "") -> String {
        FolderBoundary.realPath(outside.appendingPathComponent(name).path)!
    }

    func link(_ p: TestProject, _ path: String, to target: String) throws {
        let url = p.root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
    }

    func project() throws -> TestProject {
        try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\nHello.\n"])
    }

    /// The audit's attack: `ln -s /etc content/c/assets` and an image of `../assets/passwd`.
    func testAssetsFolderLinkedOutsideIsRefusedAndNothingIsPublished() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\n![The file](../assets/passwd)\n"])
        try link(p, "content/demo/assets", to: outside.path)
        XCTAssertDiagnostics(p.validate(), [
            "content/demo/01-unit/01-first.md:4:1: error: image '../assets/passwd' not found: no file content/demo/assets/passwd [missing-asset]",
            "content/demo/assets:1:1: error: symbolic link to \(real()), outside content/: a curriculum's assets/ folder must lie inside content/ [symlink-outside]",
        ])
        let channel = p.root.appendingPathComponent("channel")
        let report = try Publisher.run(PublishOptions(root: p.root, channel: channel, key: .generate(), now: ChannelFixture.now))
        XCTAssertFalse(report.build.succeeded)
        XCTAssertFalse(report.published)
        XCTAssertFalse(FileManager.default.fileExists(atPath: channel.appendingPathComponent("latest.json").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: channel.appendingPathComponent("objects").path), "no object was written")
    }

    func testAssetFileLinkedOutsideIsRefused() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\n![The file](../assets/passwd)\n"])
        try link(p, "content/demo/assets/passwd", to: real("passwd"))
        XCTAssertDiagnostics(p.validate(), [
            "content/demo/01-unit/01-first.md:4:1: error: image '../assets/passwd' is a symbolic link leading outside assets/ [asset-outside]",
            "content/demo/assets/passwd:1:1: error: symbolic link to \(real("passwd")), outside content/demo/assets/: a curriculum's assets must lie inside its assets/ folder [symlink-outside]",
        ])
    }

    /// A link from assets/ to a lesson of the same curriculum is inside content/ but outside assets/.
    func testAssetLinkedToALessonIsOutsideAssets() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\nHello.\n"])
        try p.asset("map.png")
        try link(p, "content/demo/assets/copy.md", to: "../01-unit/01-first.md")
        let lesson = FolderBoundary.realPath(p.root.appendingPathComponent("content/demo/01-unit/01-first.md").path)!
        XCTAssertEqual(printed(p.validate(), rule: "symlink-outside"), [
            "content/demo/assets/copy.md:1:1: error: symbolic link to \(lesson), outside content/demo/assets/: a curriculum's assets must lie inside its assets/ folder [symlink-outside]",
        ])
    }

    func testAssetFolderLinkedOutsideIsRefused() throws {
        let p = try project()
        try p.asset("map.png")
        try link(p, "content/demo/assets/etc", to: outside.path)
        XCTAssertEqual(printed(p.validate(), rule: "symlink-outside"), [
            "content/demo/assets/etc:1:1: error: symbolic link to \(real()), outside content/demo/assets/: a curriculum's assets must lie inside its assets/ folder [symlink-outside]",
        ])
    }

    func testLessonLinkedOutsideIsRefused() throws {
        let p = try project()
        try link(p, "content/demo/01-unit/02-elsewhere.md", to: real("lesson.md"))
        let result = p.validate()
        XCTAssertDiagnostics(result, [
            "content/demo/01-unit/02-elsewhere.md:1:1: error: symbolic link to \(real("lesson.md")), outside content/: lessons, units and curriculum files must lie inside content/ [symlink-outside]",
        ])
        XCTAssertFalse(p.build().succeeded)
    }

    func testUnitFolderLinkedOutsideIsRefused() throws {
        let p = try project()
        try link(p, "content/demo/02-elsewhere", to: real("unit"))
        XCTAssertDiagnostics(p.validate(), [
            "content/demo/02-elsewhere:1:1: error: symbolic link to \(real("unit")), outside content/: lessons, units and curriculum files must lie inside content/ [symlink-outside]",
        ])
    }

    func testUnitFileLinkedOutsideIsRefused() throws {
        let p = try project()
        try link(p, "content/demo/01-unit/_unit.md", to: real("lesson.md"))
        XCTAssertDiagnostics(p.validate(), [
            "content/demo/01-unit/_unit.md:1:1: error: symbolic link to \(real("lesson.md")), outside content/: lessons, units and curriculum files must lie inside content/ [symlink-outside]",
        ])
    }

    func testCurriculumFileLinkedOutsideIsRefused() throws {
        let p = try project()
        try p.remove("content/demo/curriculum.md")
        try link(p, "content/demo/curriculum.md", to: real("curriculum.md"))
        XCTAssertDiagnostics(p.validate(), [
            "content/demo/curriculum.md:1:1: error: symbolic link to \(real("curriculum.md")), outside content/: lessons, units and curriculum files must lie inside content/ [symlink-outside]",
        ])
    }

    func testCurriculumFolderLinkedOutsideIsRefused() throws {
        let p = try project()
        try FileManager.default.createDirectory(at: outside.appendingPathComponent("c/01-unit"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: outside.appendingPathComponent("curriculum.md"), to: outside.appendingPathComponent("c/curriculum.md"))
        try link(p, "content/other", to: real("c"))
        XCTAssertDiagnostics(p.validate(), [
            "content/other:1:1: error: symbolic link to \(real("c")), outside content/: lessons, units and curriculum files must lie inside content/ [symlink-outside]",
        ])
    }

    func testContentFolderLinkedOutsideTheProjectIsRefused() throws {
        let p = try project()
        let moved = outside.appendingPathComponent("content")
        try FileManager.default.moveItem(at: p.root.appendingPathComponent("content"), to: moved)
        try link(p, "content", to: moved.path)
        XCTAssertDiagnostics(p.validate(), [
            "content:1:1: error: symbolic link to \(real("content")), outside the project folder: content may not reach outside the project [symlink-outside]",
        ])
    }

    /// Links that stay inside are how some projects share files: they keep working.
    func testLinksInsideContentAreFine() throws {
        let p = try project()
        try p.lesson("02-unit/01-shared.md", "---\ntitle: Shared\nid: shared\n---\nShared text.\n")
        try link(p, "content/demo/03-alias.md", to: "02-unit/01-shared.md")
        try link(p, "content/demo/04-linked-unit", to: "02-unit")
        XCTAssertDiagnostics(p.validate(), [
            "content/demo/03-alias.md:3:5: error: lesson id 'shared' is also used by content/demo/02-unit/01-shared.md [duplicate-id]",
            "content/demo/04-linked-unit/01-shared.md:3:5: error: lesson id 'shared' is also used by content/demo/02-unit/01-shared.md [duplicate-id]",
        ])
    }

    // MARK: - locales/

    func testTranslationFileLinkedOutsideIsRefused() throws {
        let p = try TestProject.translatable()
        p.extract("fr")
        try p.remove(p.xliffPath("fr"))
        try Data(try String(contentsOf: p.root.appendingPathComponent("content/demo/curriculum.md"), encoding: .utf8).utf8)
            .write(to: outside.appendingPathComponent("demo.xlf"))
        try link(p, p.xliffPath("fr"), to: real("demo.xlf"))
        XCTAssertDiagnostics(p.validate(), [
            "locales/fr/demo.xlf:1:1: error: symbolic link to \(real("demo.xlf")), outside locales/: translations must lie inside locales/ [symlink-outside]",
        ])
    }

    func testLocaleFolderLinkedOutsideIsRefused() throws {
        let p = try TestProject.translatable()
        try link(p, "locales/fr", to: outside.path)
        XCTAssertDiagnostics(p.validate(), [
            "locales/fr:1:1: error: symbolic link to \(real()), outside locales/: translations must lie inside locales/ [symlink-outside]",
        ])
    }

    func testLocalesFolderLinkedOutsideTheProjectIsRefused() throws {
        let p = try TestProject.translatable()
        try link(p, "locales", to: outside.path)
        XCTAssertDiagnostics(p.validate(), [
            "locales:1:1: error: symbolic link to \(real()), outside the project folder: translations may not reach outside the project [symlink-outside]",
        ])
    }

    /// extract neither reads nor replaces a file outside through a link, nor writes through a
    /// planted temporary file.
    func testExtractDoesNotWriteThroughLinks() throws {
        let p = try TestProject.translatable()
        try link(p, p.xliffPath("fr"), to: real("passwd"))
        let result = TranslationExtractor.run(root: p.root, locale: "fr")
        XCTAssertEqual(result.diagnostics.map(\.description), [
            "locales/fr/demo.xlf:1:1: error: symbolic link to \(real("passwd")), outside locales/: translations must lie inside locales/ [symlink-outside]",
        ])
        XCTAssertEqual(try String(contentsOf: outside.appendingPathComponent("passwd"), encoding: .utf8), "root:x:0:0:secret\n")

        try p.remove(p.xliffPath("fr"))
        try link(p, "locales/fr/.demo.xlf.tmp", to: real("passwd"))
        p.extract("fr")
        XCTAssertEqual(try String(contentsOf: outside.appendingPathComponent("passwd"), encoding: .utf8), "root:x:0:0:secret\n")
        XCTAssertTrue(try p.xliff("fr").contains("<xliff"))
    }
}
