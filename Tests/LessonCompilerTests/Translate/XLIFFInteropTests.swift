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

    /// Issue 15: state survives a round trip through Translate Toolkit's XLIFF storage (what
    /// Weblate uses): edit, approve, mark "needs editing", add a translator's note, sign off and
    /// save with `translate.storage.xliff`; then a re-extract changes nothing, in canonical XML and
    /// as Translate Toolkit reads it, and counts what Toolkit set.
    func testTranslateToolkitEditsApprovesAndSavesAndReExtractChangesNothing() throws {
        let xliff2po = try tool("xliff2po")
        let xmllint = try tool("xmllint")
        let (p, file) = try extracted()
        let python = try interpreter(of: xliff2po)
        let edit = p.root.appendingPathComponent("edit.py")
        try """
            import sys
            from translate.storage import xliff
            store = xliff.xlifffile.parsefile(sys.argv[1])
            for u in store.units:
                uid = u.getid().split("\\x04")[-1]
                if uid == "saving/h-1":
                    u.settarget("Pourquoi épargner")            # translated, approved="yes"
                elif uid == "saving/li-1":
                    u.settarget("Premier élément")
                    u.markfuzzy(True)                          # "needs editing": needs-translation, approved="no"
                    u.addnote("Vérifier le ton", origin="translator")
                elif uid == "rules/title-1":
                    u.set_state_n(u.S_SIGNED_OFF)              # signed-off, approved="yes"
            store.save()
            """.write(to: edit, atomically: true, encoding: .utf8)
        let dump = p.root.appendingPathComponent("dump.py")
        try """
            import sys
            from translate.storage import xliff
            for u in xliff.xlifffile.parsefile(sys.argv[1]).units:
                print(u.getid().split("\\x04")[-1], u.get_state_id(), u.isapproved(), u.isfuzzy(), repr(u.target),
                      repr(u.getnotes("translator")), [(a.source, a.target) for a in u.getalttrans()])
            """.write(to: dump, atomically: true, encoding: .utf8)
        let (status, output) = try run(python, [edit.path, file.path])
        XCTAssertEqual(status, 0, output)
        let saved = try String(contentsOf: file, encoding: .utf8)
        XCTAssertTrue(saved.contains(#"approved="yes""#), saved)
        let (_, toolkitBefore) = try run(python, [dump.path, file.path])
        let (_, canonicalBefore) = try run(xmllint, ["--c14n", file.path])

        let r = p.extract("fr")
        XCTAssertEqual(r.files.map(\.description), ["locales/fr/demo.xlf: 0 new, 0 to review, 0 removed, 25 unchanged"])
        let (_, toolkitAfter) = try run(python, [dump.path, file.path])
        let (_, canonicalAfter) = try run(xmllint, ["--c14n", file.path])
        XCTAssertEqual(toolkitAfter, toolkitBefore)
        XCTAssertEqual(canonicalAfter, canonicalBefore)
        // Toolkit's state ids: 120 signed off, 100 translated, 30 needs editing (fuzzy).
        XCTAssertTrue(toolkitAfter.contains("rules/title-1 120 True False 'Les règles' '' []"), toolkitAfter)
        XCTAssertTrue(toolkitAfter.contains("saving/h-1 100 True False 'Pourquoi épargner' '' []"), toolkitAfter)
        XCTAssertTrue(toolkitAfter.contains("saving/li-1 30 False True 'Premier élément' 'Vérifier le ton' []"), toolkitAfter)
        let again = try String(contentsOf: file, encoding: .utf8)
        p.extract("fr")
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), again, "a second extract is byte for byte the same")

        // lessonc reads what Toolkit wrote the way Toolkit means it.
        let units = try p.units("fr")
        XCTAssertEqual([units["rules/title-1"]?.state, units["saving/h-1"]?.state, units["saving/li-1"]?.state], ["signed-off", "translated", "needs-translation"])
        XCTAssertEqual([units["rules/title-1"]?.approved, units["saving/h-1"]?.approved, units["saving/li-1"]?.approved], [true, true, false])
        let saving = try XCTUnwrap(TranslationStatus.run(root: p.root).rows.first?.lessonRows.first { $0.id == "saving" })
        XCTAssertEqual([saving.counts.translated, saving.counts.review], [2, 1], "needs editing is counted for review, not as new")
    }
}
