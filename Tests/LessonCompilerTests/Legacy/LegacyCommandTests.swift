import XCTest
@testable import LessonCompiler
import LessonSupport

/// `lessonc import rcc-json` and `lessonc export rcc-json` as a user runs them: exit status and messages.
/// Runs the `lessonc` built beside the test bundle (`make test` builds both first).
final class LegacyCommandTests: XCTestCase {
    var folder: TemporaryFolder!
    var dir: URL { folder.url }

    override func setUpWithError() throws { folder = try TemporaryFolder("legacy-cli") }
    override func tearDown() { folder = nil }

    func lessonc(_ args: String...) throws -> (status: Int32, out: String, err: String) {
        guard FileManager.default.isExecutableFile(atPath: Run.lessonc) else {
            throw XCTSkip("no lessonc binary beside the tests at \(Run.lessonc); run 'swift build --build-tests' (make test does)")
        }
        let run = try Run(Run.lessonc, args, cwd: dir)
        return (run.status, run.stdout, run.stderr)
    }

    func testUnknownFormatIsAUsageError() throws {
        let r = try lessonc("import", "csv", "file.csv", "--id", "x")
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.err, "lessonc import: unknown format 'csv'; the only format is rcc-json\nRun 'lessonc import --help' for usage.\n")
        let i = try lessonc("import", "rcc-json", "file.json", "--id", "Bad Id")
        XCTAssertEqual(i.status, 2)
        XCTAssertEqual(i.err, "lessonc import: --id 'Bad Id' must be lowercase letters, digits, '-', '_' or '.', starting with a letter or digit\nRun 'lessonc import --help' for usage.\n")
        let e = try lessonc("export", "rcc-json")
        XCTAssertEqual(e.status, 2)
        XCTAssertEqual(e.err, "lessonc export: missing --out: the folder to write rcc-json/ into\nRun 'lessonc export --help' for usage.\n")
    }

    func testHelp() throws {
        for command in ["import", "export"] {
            let r = try lessonc(command, "--help")
            XCTAssertEqual(r.status, 0)
            XCTAssertTrue(r.out.hasPrefix("Usage: lessonc \(command) rcc-json "), r.out)
        }
    }

    func testImportThenExport() throws {
        let json = LegacyImporterTests.document([LegacyImporterTests.section("Rights", "<p>You have rights.</p>")])
        try json.data().write(to: dir.appendingPathComponent("survivor-resource.json"))

        var r = try lessonc("import", "rcc-json", "survivor-resource.json", "--id", "survivor-resource", "--root", "project")
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertEqual(r.out, "survivor-resource.json: warning: the legacy file names no authors: curriculum.md says 'unknown (imported from survivor-resource.json)'; write the real authors there before publishing, CC BY needs the attribution\n")
        XCTAssertTrue(r.err.hasPrefix("imported 1 lesson in 0 units into "), r.err)

        r = try lessonc("import", "rcc-json", "survivor-resource.json", "--id", "survivor-resource", "--root", "project")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.out, "survivor-resource.json: error: content/survivor-resource already exists; import never overwrites a curriculum: remove it first or choose another --id\n")

        r = try lessonc("export", "rcc-json", "--root", "project", "--out", "out", "--locale", "sw")
        XCTAssertEqual(r.status, 1)
        // Paths are relative to the current folder, which holds the project folder.
        XCTAssertEqual(r.out, "project/content/survivor-resource/curriculum.md:1:1: warning: 'survivor-resource' is not exported in 'sw': there is no locales/sw/survivor-resource.xlf [locale-unavailable]\nproject/locales:1:1: error: no curriculum with a legacy_file is available in 'sw' [locale-unavailable]\n")

        r = try lessonc("export", "rcc-json", "--root", "project", "--out", "out")
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertEqual(r.out, dir.appendingPathComponent("out/rcc-json/v1/english/survivor-resource.json").standardizedFileURL.path + "\n")
        let exported = try JSON.parse(Data(contentsOf: dir.appendingPathComponent("out/rcc-json/v1/english/survivor-resource.json")))
        XCTAssertEqual(exported["curriculum"]?["content"]?.arrayValue?.first?["content"], "&lt;p&gt;You have rights.&lt;/p&gt;\n")
    }

    func testInvalidFileExitsWithOne() throws {
        try Data("{\"curriculum\": [}".utf8).write(to: dir.appendingPathComponent("broken.json"))
        let r = try lessonc("import", "rcc-json", "broken.json", "--id", "broken")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.out, "broken.json:1:17: error: invalid JSON: unexpected character '}'\n")
        XCTAssertEqual(r.err, "nothing was imported\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("content").path))
    }
}
