import Foundation
import XCTest

/// How lessonc finds the project, names files, and reads its command line, as users of git and
/// compilers expect; and that `--help`, README.md and CONTENT.md name the same commands and options.
final class CLIConventionTests: XCTestCase {
    func lessonc(_ args: [String], in dir: URL? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> Run {
        _ = try XCTUnwrap(CLITests.lessonc, "lessonc is not built next to the tests; run 'swift build' first", file: file, line: line)
        return try Run(Run.lessonc, args, cwd: dir)
    }

    func project() throws -> TestProject {
        try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\n##Start\n", "02-more/01-next.md": "---\ntitle: Next\n---\nHi.\n"])
    }

    let problem = "error: '##Start' is not a heading; put a space after the '#' marks: '## Start' [heading-no-space]"

    // MARK: - Finding the project

    func testValidateInsideALessonFolderFindsTheProjectAndPrintsPathsFromThere() throws {
        let p = try project()
        let unit = try lessonc(["validate"], in: p.root.appendingPathComponent("content/demo/01-unit"))
        XCTAssertEqual(unit.status, 1)
        XCTAssertEqual(unit.stdout, "01-first.md:4:1: \(problem)\n")
        let sibling = try lessonc(["validate"], in: p.root.appendingPathComponent("content/demo/02-more"))
        XCTAssertEqual(sibling.stdout, "../01-unit/01-first.md:4:1: \(problem)\n")
        let top = try lessonc(["validate"], in: p.root)
        XCTAssertEqual(top.stdout, "content/demo/01-unit/01-first.md:4:1: \(problem)\n")
        XCTAssertEqual(top.stderr, "2 lessons in 1 curriculum: 1 error, 0 warnings\n")
    }

    func testJSONPathsAreRelativeToTheCurrentFolderToo() throws {
        let p = try project()
        let run = try lessonc(["validate", "--format", "json"], in: p.root.appendingPathComponent("content/demo"))
        XCTAssertEqual(run.stdout.components(separatedBy: "\"path\": \"01-unit/01-first.md\"").count, 2, run.stdout)
    }

    func testRootGivenRelativeToTheCurrentFolder() throws {
        let p = try project()
        let run = try lessonc(["validate", "--root", p.root.lastPathComponent], in: p.root.deletingLastPathComponent())
        XCTAssertEqual(run.stdout, "\(p.root.lastPathComponent)/content/demo/01-unit/01-first.md:4:1: \(problem)\n")
    }

    func testOutsideAnyProjectTheCurrentFolderIsTheRoot() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let run = try lessonc(["validate"], in: empty)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stdout, "content:1:1: error: no content/ folder under \(empty.resolvingSymlinksInPath().path) [no-content]\n")
    }

    // MARK: - Command line

    func testOptionsBeforeOrAfterTheCommand() throws {
        let p = try project()
        for args in [["--root", p.root.path, "validate"], ["validate", "--root", p.root.path], ["--root=\(p.root.path)", "--strict", "validate"]] {
            let run = try lessonc(args, in: p.root)
            XCTAssertEqual(run.status, 1, "\(args)")
            XCTAssertEqual(run.stdout, "content/demo/01-unit/01-first.md:4:1: \(problem)\n", "\(args)")
        }
        let status = try lessonc(["translate", "--root", p.root.path, "status"], in: p.root)
        XCTAssertEqual(status.status, 1)
        XCTAssertEqual(status.stderr, "content/demo/01-unit/01-first.md:4:1: \(problem)\n")
    }

    func testHelpWithAnUnknownOptionIsAUsageError() throws {
        let run = try lessonc(["validate", "--strikt", "--help"])
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, "lessonc validate: unknown option '--strikt'\nRun 'lessonc validate --help' for usage.\n")
        let sub = try lessonc(["translate", "extract", "--format", "json", "--help"])
        XCTAssertEqual(sub.status, 2)
        XCTAssertEqual(sub.stderr, "lessonc translate: unknown option '--format'\nRun 'lessonc translate --help' for usage.\n")
        XCTAssertEqual(try lessonc(["validate", "--strict", "--help"]).status, 0)
    }

    func testVersionIsListedInHelpAndPrinted() throws {
        let help = try lessonc(["--help"])
        XCTAssertTrue(help.stdout.contains("\n  --version    print lessonc's version\n"), help.stdout)
        let version = try lessonc(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.stdout, "lessonc 0.1.0\n")
        let helpCommand = try lessonc(["help", "stats"])
        XCTAssertTrue(helpCommand.stdout.hasPrefix("Usage: lessonc stats "), helpCommand.stdout)
    }

    // MARK: - Help and the guides agree

    /// Every command in `lessonc --help` with the options its `--help` lists, sub-commands apart.
    func commandsAndOptions() throws -> [String: Set<String>] {
        let main = try lessonc(["--help"]).stdout
        let names = main.split(separator: "\n").drop { $0 != "Commands:" }.dropFirst().prefix { $0.hasPrefix("  ") }
            .map { String($0.split(separator: " ")[0]) }
        var out: [String: Set<String>] = [:]
        for name in names {
            let subs = name == "translate" ? ["translate extract", "translate status"] : [name]
            for sub in subs {
                let help = try lessonc(sub.split(separator: " ").map(String.init) + ["--help"]).stdout
                out[sub] = Self.options(inHelp: help).subtracting(["--help"])
            }
        }
        return out
    }

    /// The options a help text declares: in its usage lines and its list of options (not in examples).
    static func options(inHelp help: String) -> Set<String> {
        var found = Set<String>()
        var inUsage = false, inOptions = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("Usage:") { inUsage = true } else if line.isEmpty { inUsage = false }
            if line == "Options:" { inOptions = true; continue }
            if line.isEmpty || !line.hasPrefix(" ") { inOptions = false }
            if inUsage { found.formUnion(options(in: line)) }
            // An option's line starts with its names: "  -h, --help", "  --root DIR   the ...".
            let names = line.drop(while: { $0 == " " }).split(separator: " ").prefix { $0.hasPrefix("-") }
            if inOptions { for name in names { found.formUnion(options(in: name)) } }
        }
        return found
    }

    static func options(in text: some StringProtocol) -> Set<String> {
        var found = Set<String>()
        var rest = Substring(text)
        while let r = rest.range(of: "--") {
            let name = rest[r.upperBound...].prefix { $0.isLetter || $0 == "-" }
            if let first = name.first, first.isLetter { found.insert("--" + name) }
            rest = rest[r.upperBound...]
        }
        return found
    }

    /// The lines of README.md's command list, by command (`lessonc sync` may have several).
    func readmeCommands() throws -> [String: Set<String>] {
        let readme = try String(contentsOf: ContentGuideTests.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try XCTUnwrap(readme.components(separatedBy: "## Commands\n\n").dropFirst().first)
        let block = try XCTUnwrap(section.components(separatedBy: "\n\n").first)
        var out: [String: Set<String>] = [:]
        var name = ""
        for line in block.split(separator: "\n") {
            let words = line.split(separator: " ")
            // A line that does not start with 'lessonc' continues the command above.
            if words.first == "lessonc", words.count > 1 { name = words[1] == "translate" ? "translate \(words[2])" : String(words[1]) }
            out[name, default: []].formUnion(Self.options(in: line))
        }
        return out
    }

    func testEveryCommandAndOptionInHelpIsInTheREADMEAndTheOtherWayRound() throws {
        let help = try commandsAndOptions()
        let readme = try readmeCommands()
        XCTAssertEqual(Set(help.keys), Set(readme.keys), "commands in --help and in README.md's command list")
        for (command, options) in help {
            XCTAssertEqual(options, readme[command] ?? [], "options of '\(command)' in --help and in README.md")
        }
    }

    /// The parser and the help text agree: every option the help lists is accepted (with `--help`,
    /// an unknown option is a usage error, so this asks the parser without running the command).
    func testEveryOptionInHelpIsOneTheCommandAccepts() throws {
        for (command, options) in try commandsAndOptions() {
            for option in options {
                let words = command.split(separator: " ").map(String.init)
                var run = try lessonc(words + ["\(option)=x", "--help"])
                if run.stderr.contains("takes no value") { run = try lessonc(words + [option, "--help"]) }
                XCTAssertEqual(run.status, 0, "\(command) \(option): \(run.stderr)")
            }
        }
    }
}
