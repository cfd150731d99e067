import XCTest
@testable import LessonCompiler

/// Third-party readers accept what we write: libxml2's xmllint and Translate Toolkit.
final class XLIFFInteropTests: XCTestCase {
    func tool(_ name: String) throws -> URL {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw XCTSkip("\(name) is not installed (Debian: \(name == "xmllint" ? "libxml2-utils" : "translate-toolkit"))")
    }

    /// The interpreter on a script's #! line (Translate Toolkit's Python, whatever python3 is on PATH).
    func interpreter(of script: URL) throws -> URL {
        let first = try String(contentsOf: script, encoding: .utf8).split(separator: "\n").first ?? ""
        guard first.hasPrefix("#!") else { throw XCTSkip("\(script.path) has no #! line") }
        return URL(fileURLWithPath: String(first.dropFirst(2).split(separator: " ")[0]))
    }

    /// Runs a tool; returns (exit status, stdout + stderr).
    func run(_ tool: URL, _ args: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = tool
        process.arguments = args
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// A file with every kind of unit: translated, new, and needing review with a previous version.
    func extracted() throws -> (TestProject, URL) {
        let p = try TestProject.translatable()
        p.extract("fr")
        for (id, text) in TranslationBuildTests.rulesFR { try p.translate("fr", id, text) }
        try p.translate("fr", "saving/p-1", #"Épargner un <g id="1" ctype="bold">peu</g> chaque semaine, comme le disent les <g id="2" ctype="link">règles du groupe</g>, finit par compter. Ouvrez la boîte avec <ph id="3" ctype="x-code">key-1</ph> et regardez : <x id="4" ctype="image" equiv-text="assets/box.svg"/>"#)
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet every week.\n\nWe save 60 shillings each.\n")
        p.extract("fr")
        XCTAssertTrue(try p.xliff("fr").contains("<alt-trans alttranstype=\"previous-version\">"))
        return (p, p.root.appendingPathComponent(p.xliffPath("fr")))
    }

    func testXmllintFindsTheFileWellFormed() throws {
        let xmllint = try tool("xmllint")
        let (p, file) = try extracted()
        defer { withExtendedLifetime(p) {} }
        let (status, output) = try run(xmllint, ["--noout", file.path])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output, "")
    }

    func testTranslateToolkitReadsUnitsTargetsAndStates() throws {
        let xliff2po = try tool("xliff2po")
        let (p, file) = try extracted()
        let po = p.root.appendingPathComponent("fr.po")
        let (status, output) = try run(xliff2po, ["--progress=none", file.path, po.path])
        XCTAssertEqual(status, 0, output)
        let text = try String(contentsOf: po, encoding: .utf8)
        // Each unit becomes a message located by its id. PO has no "translated but unreviewed":
        // Translate Toolkit marks every target not approved="yes" fuzzy, which is what ours are.
        XCTAssertTrue(text.contains("#: rules/title-1\n#, fuzzy\nmsgid \"The rules\"\nmsgstr \"Les règles\"\n"), text)
        XCTAssertTrue(text.contains("#: saving/h-1\nmsgid \"Why save\"\nmsgstr \"\"\n"), text)
        XCTAssertTrue(text.contains("#: rules/p-2\n#, fuzzy\nmsgid \"We save 60 shillings each.\"\nmsgstr \"Nous épargnons 50 shillings chacun.\"\n"), text)
        XCTAssertEqual(text.components(separatedBy: "\n#: ").count - 1, 25)

        // Its XLIFF reader sees our states and the previous version in <alt-trans>.
        let script = p.root.appendingPathComponent("read.py")
        try """
            import sys
            from translate.storage import factory
            for u in factory.getobject(sys.argv[1]).units:
                names = {u.S_UNTRANSLATED: "untranslated", u.S_NEEDS_TRANSLATION: "needs-translation",
                         u.S_NEEDS_REVIEW: "needs-review", u.S_TRANSLATED: "translated", u.S_SIGNED_OFF: "signed-off"}
                print(u.getid().split("\\x04")[-1], names[u.get_state_id()], repr(u.target), [a.source for a in u.getalttrans()])
            """.write(to: script, atomically: true, encoding: .utf8)
        let (readStatus, units) = try run(interpreter(of: xliff2po), [script.path, file.path])
        XCTAssertEqual(readStatus, 0, units)
        let lines = units.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 25, units)
        XCTAssertTrue(lines.contains("rules/title-1 translated 'Les règles' []"), units)
        XCTAssertTrue(lines.contains("saving/h-1 untranslated '' []"), units)
        XCTAssertTrue(lines.contains("rules/p-2 needs-review 'Nous épargnons 50 shillings chacun.' ['We save 50 shillings each.']"), units)

        let pofilter = try tool("pofilter")
        let filtered = p.root.appendingPathComponent("filtered.xlf")
        let (filterStatus, filterOutput) = try run(pofilter, ["--progress=none", file.path, filtered.path])
        XCTAssertEqual(filterStatus, 0, filterOutput)
        XCTAssertTrue(FileManager.default.fileExists(atPath: filtered.path))
    }
}
