import XCTest
import LessonSupport

/// The `lessonc` binary as users run it: exit status, stdout and stderr.
final class CLITests: XCTestCase {
    /// `lessonc` sits next to the test bundle in SwiftPM's products folder.
    static var lessonc: URL? {
        FileManager.default.isExecutableFile(atPath: Run.lessonc) ? URL(fileURLWithPath: Run.lessonc) : nil
    }

    /// Runs lessonc in `dir` (default: this process's folder); paths in its messages are relative to it.
    func lessonc(_ args: String..., in dir: URL? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> Run {
        _ = try XCTUnwrap(CLITests.lessonc, "lessonc is not built next to the tests; run 'swift build' first", file: file, line: line)
        return try Run(Run.lessonc, args, cwd: dir)
    }

    func validProject() throws -> TestProject {
        try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\nHello.\n"])
    }

    // MARK: - validate

    func testValidateAcceptsAValidProject() throws {
        let p = try validProject()
        let run = try lessonc("validate", "--root", p.root.path)
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, "1 lesson in 1 curriculum: 0 errors, 0 warnings\n")
    }

    func testRepositoryContentIsValid() throws {
        let run = try lessonc("validate", "--root", ContentGuideTests.repositoryRoot.path)
        XCTAssertEqual(run.status, 0, run.stdout)
        XCTAssertEqual(run.stdout, "")
    }

    func testValidatePrintsEveryPlantedProblemAndExits1() throws {
        let p = try PlantedProblemsTests.plantedProject()
        let run = try lessonc("validate", "--root", p.root.path, in: p.root)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stdout, PlantedProblemsTests.expected.joined(separator: "\n") + "\n")
        XCTAssertEqual(run.stderr, "4 lessons in 1 curriculum: 10 errors, 2 warnings\n")
    }

    func testValidateAsJSON() throws {
        let p = try PlantedProblemsTests.plantedProject()
        let run = try lessonc("validate", "--root", p.root.path, "--format", "json", in: p.root)
        XCTAssertEqual(run.status, 1)
        let list = try XCTUnwrap(JSON.parse(run.stdout).arrayValue)
        XCTAssertEqual(list.count, PlantedProblemsTests.expected.count)
        XCTAssertEqual(list.first, [
            "path": "content/demo/01-unit/01-first.md", "line": 6, "column": 1, "severity": "error",
            "message": "image '../assets/map.svg' has no alt text; describe what it shows in ![...]", "rule": "image-alt-missing",
        ])
        let printed = list.map { d in
            "\(d["path"]?.stringValue ?? ""):\(d["line"]?.intValue ?? 0):\(d["column"]?.intValue ?? 0): \(d["severity"]?.stringValue ?? ""): \(d["message"]?.stringValue ?? "") [\(d["rule"]?.stringValue ?? "")]"
        }
        XCTAssertEqual(printed, PlantedProblemsTests.expected)
    }

    func testValidateStrict() throws {
        let p = try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\n# Again\n"])
        XCTAssertEqual(try lessonc("validate", "--root", p.root.path).status, 0)
        let strict = try lessonc("validate", "--root", p.root.path, "--strict")
        XCTAssertEqual(strict.status, 1)
        XCTAssertEqual(strict.stderr, "1 lesson in 1 curriculum: 0 errors, 1 warning (--strict: warnings are errors)\n")
    }

    func testUnknownOptionIsAUsageError() throws {
        let run = try lessonc("validate", "--bogus")
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, "lessonc validate: unknown option '--bogus'\nRun 'lessonc validate --help' for usage.\n")
    }

    func testOtherUsageErrors() throws {
        let badFormat = try lessonc("validate", "--format", "xml")
        XCTAssertEqual(badFormat.status, 2)
        XCTAssertEqual(badFormat.stderr, "lessonc validate: --format must be one of text, json, not 'xml'\nRun 'lessonc validate --help' for usage.\n")
        let missingValue = try lessonc("build", "--out")
        XCTAssertEqual(missingValue.status, 2)
        XCTAssertEqual(missingValue.stderr, "lessonc build: option '--out' needs a value\nRun 'lessonc build --help' for usage.\n")
        let unknownCommand = try lessonc("frobnicate")
        XCTAssertEqual(unknownCommand.status, 2)
        XCTAssertEqual(unknownCommand.stderr, "lessonc: unknown command 'frobnicate'\nRun 'lessonc --help' for the list of commands.\n")
        XCTAssertEqual(try lessonc().status, 2)
    }

    func testHelp() throws {
        for command in ["validate", "build"] {
            for flag in ["--help", "-h"] {
                let run = try lessonc(command, flag)
                XCTAssertEqual(run.status, 0, "\(command) \(flag)")
                XCTAssertTrue(run.stdout.hasPrefix("Usage: lessonc \(command) "), run.stdout)
                XCTAssertTrue(run.stdout.contains("--root DIR"), run.stdout)
                XCTAssertTrue(run.stdout.contains("Exit status: 0"), run.stdout)
            }
        }
        let main = try lessonc("--help")
        XCTAssertEqual(main.status, 0)
        XCTAssertTrue(main.stdout.contains("  validate   check content/"), main.stdout)
        XCTAssertTrue(main.stdout.contains("  build      compile content/"), main.stdout)
    }

    // MARK: - build

    func testBuildWritesOutputAndFailsWithoutTouchingIt() throws {
        let p = try validProject()
        let out = p.root.appendingPathComponent("elsewhere")
        let ok = try lessonc("build", "--root", p.root.path, "--out", out.path)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, "")
        XCTAssertEqual(ok.stderr, "1 lesson in 1 curriculum: 0 errors, 0 warnings\nwrote \(out.path)\n")
        let before = try treeContents(out)
        XCTAssertEqual(try JSON.parse(XCTUnwrap(before["demo/en/first.json"]))["title"], "First")

        try p.lesson("01-unit/01-first.md", "---\ntitle: First\n---\n<div>raw</div>\n")
        let failed = try lessonc("build", "--root", p.root.path, "--out", out.path, in: p.root)
        XCTAssertEqual(failed.status, 1)
        XCTAssertEqual(failed.stdout, "content/demo/01-unit/01-first.md:4:1: error: raw HTML is not passed to devices; write it in Markdown [raw-html]\n")
        XCTAssertTrue(failed.stderr.hasSuffix("build failed: \(out.path) was left unchanged\n"), failed.stderr)
        XCTAssertEqual(try treeContents(out), before)
    }

    func testBuildDefaultsToRootBuild() throws {
        let p = try validProject()
        XCTAssertEqual(try lessonc("build", "--root", p.root.path).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: p.outputURL.appendingPathComponent("demo/en/first.json").path))
    }

    // MARK: - the compile cache

    func testBuildSaysWhatCameFromTheCacheAndHonoursCacheOptions() throws {
        let p = try validProject()
        try p.lesson("01-unit/02-second.md", "---\ntitle: Second\n---\nHello again.\n")
        let out = p.root.appendingPathComponent("elsewhere")
        let cache = p.root.appendingPathComponent("my-cache")
        XCTAssertEqual(try lessonc("build", "--root", p.root.path, "--out", out.path, "--cache", cache.path).stderr,
                       "2 lessons in 1 curriculum: 0 errors, 0 warnings\nwrote \(out.path)\n")
        try p.lesson("01-unit/02-second.md", "---\ntitle: Second\n---\nHello once more.\n")
        XCTAssertEqual(try lessonc("build", "--root", p.root.path, "--out", out.path, "--cache", cache.path).stderr,
                       "2 lessons in 1 curriculum: 0 errors, 0 warnings\nwrote \(out.path) (compiled 1 lesson; 1 unchanged, from the compile cache)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.root.appendingPathComponent(".lessonc-cache").path))

        // A damaged cache is said to be so, and made again.
        let index = cache.appendingPathComponent("index")
        try Data("not a cache".utf8).write(to: index)
        let damaged = try lessonc("build", "--root", p.root.path, "--out", out.path, "--cache", cache.path)
        XCTAssertEqual(damaged.status, 0)
        XCTAssertEqual(damaged.stderr, "lessonc: the compile cache in \(cache.path) is damaged; compiling everything and making it again\n"
                       + "2 lessons in 1 curriculum: 0 errors, 0 warnings\nwrote \(out.path)\n")

        // --no-cache neither reads nor writes it.
        try FileManager.default.removeItem(at: cache)
        let uncached = try lessonc("build", "--root", p.root.path, "--out", out.path, "--no-cache")
        XCTAssertEqual(uncached.stderr, "2 lessons in 1 curriculum: 0 errors, 0 warnings\nwrote \(out.path)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.root.appendingPathComponent(".lessonc-cache").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.path))

        let both = try lessonc("build", "--root", p.root.path, "--cache", cache.path, "--no-cache")
        XCTAssertEqual(both.status, 2)
        XCTAssertEqual(both.stderr, "lessonc build: --cache and --no-cache cannot be used together\nRun 'lessonc build --help' for usage.\n")
    }
}
