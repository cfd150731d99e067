import XCTest
import LessonSupport

/// Progress of long commands: one line redrawn in place on a terminal (`script` from util-linux
/// gives lessonc one), cleared before diagnostics and results; nothing at all on a pipe or with
/// TERM=dumb.
final class ProgressCLITests: XCTestCase {
    let erase = "\r\u{1B}[K"

    func project() throws -> TestProject {
        try TestProject(lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\nHello.\n",
                                  "01-unit/02-second.md": "---\ntitle: Second\n---\nHello again.\n",
                                  "01-unit/03-third.md": "---\ntitle: Third\n---\nGoodbye.\n"])
    }

    /// lessonc with a terminal for stdin, stdout and stderr: what it printed, both streams in the
    /// order written (the terminal's "\r\n" read back as "\n").
    func onTerminal(_ args: [String], term: String = "xterm", file: StaticString = #filePath, line: UInt = #line) throws -> (status: Int32, output: String) {
        let script = try XCTUnwrap(Run.which("script"), "needs script (Debian: bsdutils)", file: file, line: line)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Run.lessonc), "build lessonc first", file: file, line: line)
        let command = "TERM=\(term) " + ([Run.lessonc] + args).map { "'\($0)'" }.joined(separator: " ")
        let r = try Run(script, ["-qec", command, "/dev/null"])
        return (r.status, r.stdout.replacingOccurrences(of: "\r\n", with: "\n"))
    }

    /// What the progress line showed before `end` was printed, one entry per redraw.
    func draws(_ output: String, before end: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let at = try XCTUnwrap(output.range(of: end), "\(end) in \(output)", file: file, line: line)
        let progress = String(output[..<at.lowerBound])
        XCTAssertFalse(progress.contains("\n"), "one line, redrawn in place: \(progress)", file: file, line: line)
        XCTAssertTrue(progress.hasPrefix(erase), progress, file: file, line: line)
        XCTAssertTrue(progress.hasSuffix(erase), "cleared before anything else is printed: \(progress)", file: file, line: line)
        return progress.components(separatedBy: erase).filter { !$0.isEmpty }
    }

    /// Draws between the first and the last count may be left out by the throttle.
    func counted(_ draws: [String], _ prefix: String, total: Int, unit: String) -> [String] {
        let between = (1..<total).map { "\(prefix)\($0)/\(total) \(unit)" }
        return draws.filter { d in !between.contains { d.hasPrefix($0 + " (") } }
    }

    func testBuildOnATerminalShowsLessonsCompiledThenClearsTheLine() throws {
        let p = try project()
        let out = p.root.appendingPathComponent("out")
        let r = try onTerminal(["build", "--root", p.root.path, "--out", out.path])
        XCTAssertEqual(r.status, 0, r.output)
        let summary = "3 lessons in 1 curriculum: 0 errors, 0 warnings\nwrote \(out.path)\n"
        XCTAssertTrue(r.output.hasSuffix(erase + summary), r.output)
        XCTAssertEqual(counted(try draws(r.output, before: summary), "lessonc build: compiled ", total: 3, unit: "lessons"),
                       ["lessonc build: loading content/ and locales/",
                        "lessonc build: compiled 0/3 lessons (0%)",
                        "lessonc build: compiled 3/3 lessons (100%)"])
    }

    /// Diagnostics (stdout) start on a clean line: the progress line is cleared first.
    func testDiagnosticsAreNeverMixedIntoTheProgressLine() throws {
        let p = try project()
        try p.lesson("01-unit/02-second.md", "---\ntitle: Second\n---\n# Big\n")
        let r = try onTerminal(["validate", "--root", p.root.path])
        XCTAssertEqual(r.status, 0, r.output)
        // What follows the last clear: the diagnostic from the start of its line, then the summary.
        let after = try XCTUnwrap(r.output.components(separatedBy: erase).last)
        XCTAssertTrue(after.hasSuffix("content/demo/01-unit/02-second.md:4:1: warning: level-1 heading in the body; the lesson title is level 1, "
                                      + "start sections at '##' [heading-level-1]\n3 lessons in 1 curriculum: 0 errors, 1 warning\n"), r.output)
        XCTAssertEqual(after.components(separatedBy: "\n").count, 3, after)
        XCTAssertEqual(counted(try draws(r.output, before: after), "lessonc validate: checked ", total: 3, unit: "lessons"),
                       ["lessonc validate: loading content/ and locales/",
                        "lessonc validate: checked 0/3 lessons (0%)",
                        "lessonc validate: checked 3/3 lessons (100%)"])
    }

    /// Not a terminal (CI logs, pipes), or a terminal that cannot redraw a line: no progress at all.
    func testNoProgressOnAPipeOrADumbTerminal() throws {
        let p = try project()
        let out = p.root.appendingPathComponent("out")
        let piped = try Run(Run.lessonc, ["build", "--root", p.root.path, "--out", out.path])
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(piped.stderr, "3 lessons in 1 curriculum: 0 errors, 0 warnings\nwrote \(out.path)\n")
        let dumb = try onTerminal(["build", "--root", p.root.path, "--out", out.path, "--no-cache"], term: "dumb")
        XCTAssertEqual(dumb.status, 0, dumb.output)
        XCTAssertEqual(dumb.output, "3 lessons in 1 curriculum: 0 errors, 0 warnings\nwrote \(out.path)\n")
    }

    func testExtractOnATerminalShowsLessonsExtracted() throws {
        let p = try project()
        let r = try onTerminal(["translate", "extract", "--locale", "fr", "--root", p.root.path])
        XCTAssertEqual(r.status, 0, r.output)
        let summary = "locales/fr/demo.xlf: created"
        XCTAssertEqual(counted(try draws(r.output, before: summary), "lessonc translate extract: extracted ", total: 3, unit: "lessons"),
                       ["lessonc translate extract: loading content/ and locales/",
                        "lessonc translate extract: extracted 0/3 lessons (0%)",
                        "lessonc translate extract: extracted 3/3 lessons (100%)"])
    }

    /// Publish counts lessons, then the objects and packs it writes.
    func testPublishOnATerminalShowsLessonsObjectsAndPacks() throws {
        let p = try project()
        let key = p.root.appendingPathComponent("key")
        let keygen = try Run(Run.lessonc, ["keygen", "--out", key.path, "--no-passphrase"])
        XCTAssertEqual(keygen.status, 0, keygen.stderr)
        let channel = p.root.appendingPathComponent("channel")
        let r = try onTerminal(["publish", "--root", p.root.path, "--channel", channel.path, "--key", key.path + ".key"])
        XCTAssertEqual(r.status, 0, r.output)
        let summary = "3 lessons in 1 curriculum: 0 errors, 0 warnings\n"
        let shown = try draws(r.output, before: summary)
        let objects = try XCTUnwrap(shown.first { $0.hasPrefix("lessonc publish: wrote 0/") }, "\(shown)")
        let total = try XCTUnwrap(Int(objects.dropFirst("lessonc publish: wrote 0/".count).prefix { $0.isNumber }))
        XCTAssertEqual(counted(counted(shown, "lessonc publish: compiled ", total: 3, unit: "lessons"), "lessonc publish: wrote ", total: total, unit: "objects"),
                       ["lessonc publish: loading content/ and locales/",
                        "lessonc publish: compiled 0/3 lessons (0%)",
                        "lessonc publish: compiled 3/3 lessons (100%)",
                        "lessonc publish: wrote 0/\(total) objects (0%)",
                        "lessonc publish: wrote \(total)/\(total) objects (100%)",
                        "lessonc publish: wrote 0/1 packs (0%)",
                        "lessonc publish: wrote 1/1 packs (100%)"])
        XCTAssertTrue(r.output.hasSuffix("\(channel.path): release 1 published\n"), r.output)
    }

    func testPreviewOnATerminalShowsPagesRendered() throws {
        let p = try project()
        let out = p.root.appendingPathComponent("site")
        let r = try onTerminal(["preview", "--root", p.root.path, "--out", out.path])
        XCTAssertEqual(r.status, 0, r.output)
        let summary = "3 lessons in 1 curriculum: 0 errors, 0 warnings\nwrote \(out.path)/index.html"
        XCTAssertEqual(counted(counted(try draws(r.output, before: summary), "lessonc preview: compiled ", total: 3, unit: "lessons"),
                               "lessonc preview: rendered ", total: 3, unit: "pages"),
                       ["lessonc preview: loading content/ and locales/",
                        "lessonc preview: compiled 0/3 lessons (0%)",
                        "lessonc preview: compiled 3/3 lessons (100%)",
                        "lessonc preview: rendered 0/3 pages (0%)",
                        "lessonc preview: rendered 3/3 pages (100%)"])
    }
}
