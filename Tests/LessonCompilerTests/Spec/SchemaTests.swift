import Foundation
import XCTest

/// docs/schemas: every JSON document `lessonc build` and `lessonc publish` write is valid
/// against its schema (checked by docs/schemas/validate.py with Debian's python3-jsonschema),
/// and the schemas refuse what the spec forbids. Everything goes through the CLI and Python,
/// never Swift channel types, so these tests hold whichever module the channel code lives in.
final class SchemaTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var validator: String { repo.appendingPathComponent("docs/schemas/validate.py").path }
    /// Debian's python3 and its python3-jsonschema (scripts/setup.sh test), not whatever python3 a PATH finds first.
    static let python = "/usr/bin/python3"

    var work: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python),
              (try Run(Self.python, ["-c", "import jsonschema"])).status == 0 else {
            throw XCTSkip("python3-jsonschema is not installed (scripts/setup.sh test installs it)")
        }
        work = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let work { try? FileManager.default.removeItem(at: work) }
    }

    func lessonc(_ args: [String], env: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> Run {
        var environment = ProcessInfo.processInfo.environment
        environment.merge(env) { $1 }
        let r = try Run(Run.lessonc, args, environment: environment)
        XCTAssertEqual(r.status, 0, "lessonc \(args.joined(separator: " ")): \(r.stderr)", file: file, line: line)
        return r
    }

    func validate(_ paths: [URL], expectInvalid: Bool = false) throws -> Run {
        try Run(Self.python, [Self.validator] + (expectInvalid ? ["--expect-invalid"] : []) + paths.map(\.path))
    }

    /// "validated N documents: N valid, 0 invalid (3 lessonc-diff/1, …)" → format → count.
    func counts(_ output: String) -> [String: Int] {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("validated ") }),
              let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")") else { return [:] }
        var out: [String: Int] = [:]
        for part in line[line.index(after: open)..<close].split(separator: ",") {
            let words = part.split(separator: " ")
            if words.count == 2, let n = Int(words[0]) { out[String(words[1])] = n }
        }
        return out
    }

    /// The shipped content, built and published twice (the second time after an edit, so the
    /// channel has a diff with a delta), then a key rotation: every JSON file written, objects
    /// and pack entries included, is valid.
    func testEveryDocumentBuildAndPublishWriteForTheShippedContentIsValid() throws {
        let project = work.appendingPathComponent("project")
        for dir in ["content", "locales"] {
            try FileManager.default.copyItem(at: Self.repo.appendingPathComponent(dir), to: project.appendingPathComponent(dir))
        }
        let build = work.appendingPathComponent("build"), channel = work.appendingPathComponent("channel")
        _ = try lessonc(["build", "--root", project.path, "--out", build.path])
        _ = try lessonc(["keygen", "--out", work.appendingPathComponent("k").path, "--no-passphrase"])
        _ = try lessonc(["keygen", "--out", work.appendingPathComponent("k2").path, "--no-passphrase"])
        let env = ["SOURCE_DATE_EPOCH": "1767225600"]
        _ = try lessonc(["publish", "--root", project.path, "--channel", channel.path, "--key", work.appendingPathComponent("k.key").path], env: env)
        let lesson = try XCTUnwrap(FileManager.default.enumerator(atPath: project.appendingPathComponent("content").path)?
            .compactMap { $0 as? String }.sorted().first { $0.hasSuffix(".md") && !$0.hasSuffix("curriculum.md") && !$0.hasSuffix("_unit.md") })
        let url = project.appendingPathComponent("content").appendingPathComponent(lesson)
        try (String(contentsOf: url, encoding: .utf8) + "\nOne more sentence for the next release.\n").write(to: url, atomically: true, encoding: .utf8)
        _ = try lessonc(["publish", "--root", project.path, "--channel", channel.path, "--key", work.appendingPathComponent("k.key").path,
                         "--rotate-to", work.appendingPathComponent("k2.key").path], env: env)

        let r = try validate([build, channel])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let n = counts(r.stdout)
        XCTAssertTrue(r.stdout.contains(" 0 invalid"), r.stdout)
        // Every kind of document was there to check: a lesson in every locale, every index, all channel documents.
        let lessonFiles = FileManager.default.enumerator(atPath: build.path)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix("index.json") }.count
        XCTAssertGreaterThan(lessonFiles, 100)
        XCTAssertGreaterThanOrEqual(n["lessonc-lesson/1"] ?? 0, 2 * lessonFiles, "the build's lessons and the channel's lesson objects")
        for format in ["lessonc-build/1", "lessonc-index/1", "lessonc-latest/1", "lessonc-manifest/2", "lessonc-listing/1", "lessonc-bucket/1", "lessonc-diff/1", "lessonc-keys/1", "lessonc-pack/1"] {
            XCTAssertGreaterThan(n[format] ?? 0, 0, "no \(format) document was validated: \(r.stdout)")
        }
        let diff = try String(contentsOf: channel.appendingPathComponent("diffs/1-2.json"), encoding: .utf8)
        XCTAssertTrue(diff.contains("\"delta\":{"), "the diff should carry a delta to validate: \(diff.prefix(300))")
        XCTAssertTrue(FileManager.default.fileExists(atPath: channel.appendingPathComponent("keys.json.previous.minisig").path))
    }

    /// Constructs the shipped content does not use: footnotes (lesson format 2), code, strikethrough,
    /// task lists, aligned tables, links to a URL, a lesson and an asset, inline images with titles,
    /// hard breaks, nested units, a right-to-left fallback locale.
    func testEveryBlockAndInlineTypeIsValid() throws {
        let project = try TestProject(curriculum: "demo")
        try project.write("content/demo/assets/form.pdf", "%PDF-1.4\n")
        try project.write("content/demo/assets/pic.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>\n")
        try project.write("content/demo/01-unit/_unit.md", "---\ntitle: Unit one\nsummary: What the unit covers.\n---\n")
        try project.write("content/demo/01-unit/01-module/_unit.md", "---\ntitle: Module one\n---\n")
        try project.lesson("01-unit/01-module/01-first.md", """
            ---
            title: First
            id: first
            duration: 5 min
            audience: members
            tags: [a, b]
            content_warning: Mentions money.
            source: [Adapted from nothing]
            ---
            ## Heading two

            Text with *emphasis*, **strong**, ~~struck~~, `code`, a [link](https://example.org "Example"),
            a [lesson link](../02-second.md), a [form](../../assets/form.pdf), a hard break\\
            and an image ![A small square](../../assets/pic.svg "A title").[^1]

            3. third
            4. fourth

            - [x] done
            - [ ] not done

            | Left | Centre | Right | None |
            |:-----|:------:|------:|------|
            | a    | b      | c     | d    |

            > A quote.

            ```swift
            let x = 1
            ```

            ---

            > [!ACTIVITY] Pairs (5 min)
            > Talk for five minutes.

            > [!QUIZ]
            > Which?
            >
            > - [x] This
            > - [ ] That
            >
            > Because.

            [^1]: A footnote with **strong** text.
            """)
        try project.lesson("01-unit/02-second.md", title: "Second", body: "![A picture](../assets/pic.svg)\n")
        _ = try lessonc(["translate", "extract", "--locale", "ar", "--root", project.root.path])
        let build = work.appendingPathComponent("build"), channel = work.appendingPathComponent("channel")
        _ = try lessonc(["build", "--root", project.root.path, "--out", build.path])
        _ = try lessonc(["keygen", "--out", work.appendingPathComponent("k").path, "--no-passphrase"])
        _ = try lessonc(["publish", "--root", project.root.path, "--channel", channel.path, "--key", work.appendingPathComponent("k.key").path])

        let first = try String(contentsOf: build.appendingPathComponent("demo/en/first.json"), encoding: .utf8)
        for construct in ["\"lessonc-lesson/2\"", "\"footnote_ref\"", "\"type\":\"footnote\"", "\"strikethrough\"", "\"type\":\"break\"",
                          "\"checked\":true", "\"align\":[\"left\",\"center\",\"right\",\"none\"]", "\"language\":\"swift\"", "\"type\":\"rule\"",
                          "\"type\":\"quote\"", "\"explanation\"", "\"asset\":\"assets/form.pdf\"", "\"lesson\":\"second\"", "\"start\":3",
                          "\"title\":\"A title\"", "\"duration\":\"5 min\""] {
            XCTAssertTrue(first.contains(construct), "the test lesson should hold \(construct): \(first.prefix(400))")
        }
        let fallback = try String(contentsOf: build.appendingPathComponent("demo/ar/first.json"), encoding: .utf8)
        XCTAssertTrue(fallback.contains("\"fallback\":true"), fallback.prefix(300).description)

        let r = try validate([build, channel])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(counts(r.stdout)["lessonc-lesson/2"], 6, "first.json in en and ar: in the build, as channel objects and in the packs: \(r.stdout)")
    }

    /// The conformance channels' good releases (diffs with deltas, key rotation, packs) are valid too.
    func testConformanceChannelsAreValid() throws {
        let channels = Self.repo.appendingPathComponent("conformance/channels")
        let good = (1...6).map { channels.appendingPathComponent("r\($0)") }
        let r = try validate(good)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertGreaterThanOrEqual(counts(r.stdout)["lessonc-diff/1"] ?? 0, 15, r.stdout)
    }

    /// Every document format the code writes is specified in docs/ and (except the device
    /// store's) has a schema that accepts it: bumping a format without the spec fails here.
    func testEveryFormatTheCodeWritesIsSpecifiedAndHasASchema() throws {
        let fm = FileManager.default
        let sources = Self.repo.appendingPathComponent("Sources")
        var formats = Set<String>()
        let pattern = try NSRegularExpression(pattern: "\"(lessonc-[a-z]+/[0-9]+)\"")
        for case let path as String in fm.enumerator(atPath: sources.path)! where path.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                formats.insert(String(text[Range(m.range(at: 1), in: text)!]))
            }
        }
        formats.remove("lessonc-sync/1")  // the User-Agent, not a document
        XCTAssertTrue(formats.isSuperset(of: ["lessonc-latest/1", "lessonc-manifest/1", "lessonc-manifest/2", "lessonc-listing/1", "lessonc-bucket/1", "lessonc-lesson/2", "lessonc-store/1"]), "\(formats)")
        let docs = try ["channel-format.md", "lesson-format.md", "device-store.md"]
            .map { try String(contentsOf: Self.repo.appendingPathComponent("docs/\($0)"), encoding: .utf8) }.joined()
        let schemas = try fm.contentsOfDirectory(atPath: Self.repo.appendingPathComponent("docs/schemas").path)
            .filter { $0.hasSuffix(".schema.json") }
            .map { try String(contentsOf: Self.repo.appendingPathComponent("docs/schemas/\($0)"), encoding: .utf8) }.joined()
        for format in formats.sorted() {
            XCTAssertTrue(docs.contains("`\(format)`"), "\(format) is written by the code but not specified in docs/")
            if format != "lessonc-store/1" {
                XCTAssertTrue(schemas.contains("\"\(format)\""), "\(format) is written by the code but no schema in docs/schemas accepts it")
            }
        }
    }

    /// A lesson published in part (`build --min-coverage`, lesson format 3: `lang`/`dir` on blocks
    /// left in the source language, `span` inlines for cells and quiz options) and the index that
    /// says "partial" and carries translated titles (index format 2) are valid; the schemas refuse
    /// a half language mark, a span without its language, "partial" in an index of format 1 and
    /// an unknown member among the translated texts.
    func testPartialLessonsAndTranslatedIndexesAreValidAndTheirMistakesRefused() throws {
        let project = try TestProject.translatable()
        project.extract("ar")
        for (id, text) in TranslationMixedLanguageTests.arabic { try project.translate("ar", id, text) }
        try project.translate("ar", "_curriculum/title-1", "منهج تجريبي")
        let build = work.appendingPathComponent("build")
        _ = try lessonc(["build", "--root", project.root.path, "--out", build.path, "--min-coverage", "60"])
        let lesson = try String(contentsOf: build.appendingPathComponent("demo/ar/saving.json"), encoding: .utf8)
        for construct in ["\"lessonc-lesson/3\"", "\"dir\":\"ltr\"", "\"lang\":\"en\"", "\"type\":\"span\""] {
            XCTAssertTrue(lesson.contains(construct), "the partial lesson should hold \(construct): \(lesson.prefix(400))")
        }
        let index = try String(contentsOf: build.appendingPathComponent("demo/index.json"), encoding: .utf8)
        for construct in ["\"lessonc-index/2\"", "\"ar\": \"partial\"", "\"title\": \"منهج تجريبي\"", "\"title\": \"الادخار معًا\""] {
            XCTAssertTrue(index.contains(construct), "the index should hold \(construct): \(index)")
        }
        var r = try validate([build])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(counts(r.stdout)["lessonc-lesson/3"], 1, r.stdout)
        XCTAssertEqual(counts(r.stdout)["lessonc-index/2"], 1, r.stdout)

        func edit(_ file: String, _ change: (inout [String: Any]) throws -> Void) throws -> URL {
            var doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: build.appendingPathComponent(file))) as? [String: Any])
            try change(&doc)
            let out = work.appendingPathComponent("bad-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys, .withoutEscapingSlashes]).write(to: out)
            return out
        }
        func blocks(_ doc: inout [String: Any], _ change: (inout [[String: Any]]) -> Void) throws {
            var list = try XCTUnwrap(doc["blocks"] as? [[String: Any]]); change(&list); doc["blocks"] = list
        }
        let cases: [(name: String, file: URL, message: String)] = [
            ("lesson: lang without dir", try edit("demo/ar/saving.json") { doc in
                try blocks(&doc) { list in
                    var items = list[2]["items"] as! [[String: Any]]
                    var inner = items[1]["blocks"] as! [[String: Any]]
                    inner[0]["dir"] = nil; items[1]["blocks"] = inner; list[2]["items"] = items
                }
            }, "blocks/2/items/1/blocks/0: 'dir' is a dependency of 'lang'"),
            ("lesson: span without lang", try edit("demo/ar/saving.json") { doc in
                try blocks(&doc) { list in
                    var options = list[5]["options"] as! [[String: Any]]
                    var inlines = options[0]["inlines"] as! [[String: Any]]
                    inlines[0]["lang"] = nil; options[0]["inlines"] = inlines; list[5]["options"] = options
                }
            }, "blocks/5/options/0/inlines/0: 'lang' is a required property"),
            ("lesson: direction auto on a block", try edit("demo/ar/saving.json") { doc in
                try blocks(&doc) { list in
                    var items = list[2]["items"] as! [[String: Any]]
                    var inner = items[1]["blocks"] as! [[String: Any]]
                    inner[0]["dir"] = "auto"; items[1]["blocks"] = inner; list[2]["items"] = items
                }
            }, "blocks/2/items/1/blocks/0/dir: 'auto' is not one of ['ltr', 'rtl']"),
            ("index: partial in format 1", try edit("demo/index.json") { $0["format"] = "lessonc-index/1" },
             "lessons/0/fallback/ar: 'partial' is not of type 'boolean'"),
            ("index: unknown translated text", try edit("demo/index.json") { doc in
                var translations = try XCTUnwrap(doc["translations"] as? [String: [String: Any]])
                translations["ar"]?["subtitle"] = "x"; doc["translations"] = translations
            }, "translations/ar: Additional properties are not allowed ('subtitle' was unexpected)"),
            ("index: lesson translation without title", try edit("demo/index.json") { doc in
                var lessons = try XCTUnwrap(doc["lessons"] as? [[String: Any]])
                lessons[0]["translations"] = ["ar": [String: Any]()]; doc["lessons"] = lessons
            }, "lessons/0/translations/ar: 'title' is a required property"),
        ]
        for c in cases {
            r = try validate([c.file], expectInvalid: true)
            XCTAssertEqual(r.status, 0, "\(c.name): the schema accepted it: \(r.stdout)")
            XCTAssertTrue(r.stdout.contains("\(c.file.path): invalid: \(c.message)"), "\(c.name): expected '\(c.message)' in:\n\(r.stdout)")
        }
    }

    // MARK: - What the schemas refuse

    struct Case {
        var name: String
        /// A document from the published test channel (or a build file), by path.
        var file: String
        var mutate: (inout [String: Any]) -> Void
        /// What validate.py must say.
        var message: String
    }

    func testSchemasRefuseWhatTheSpecForbids() throws {
        let project = try TestProject(curriculum: "demo")
        try project.lesson("01-one.md", title: "One", body: "# Hello\n\n1. a\n\nSee [two](02-two.md).\n\n> [!NOTE]\n> Mind this.\n")
        try project.lesson("02-two.md", title: "Two", body: "Text.\n")
        let channel = work.appendingPathComponent("channel"), build = work.appendingPathComponent("build")
        _ = try lessonc(["build", "--root", project.root.path, "--out", build.path])
        _ = try lessonc(["keygen", "--out", work.appendingPathComponent("k").path, "--no-passphrase"])
        _ = try lessonc(["publish", "--root", project.root.path, "--channel", channel.path, "--key", work.appendingPathComponent("k.key").path])
        try project.lesson("02-two.md", title: "Two", body: "Text, changed.\n")
        _ = try lessonc(["publish", "--root", project.root.path, "--channel", channel.path, "--key", work.appendingPathComponent("k.key").path])

        func at(_ o: inout [String: Any], _ path: [String], _ change: (inout Any) -> Void) {
            guard let first = path.first else { return }
            if path.count == 1 { var v = o[first] ?? NSNull(); change(&v); o[first] = v; return }
            if var inner = o[first] as? [String: Any] { at(&inner, Array(path.dropFirst()), change); o[first] = inner; return }
            if var list = o[first] as? [Any], let i = Int(path[1]) {
                if path.count == 2 { change(&list[i]) } else if var inner = list[i] as? [String: Any] {
                    at(&inner, Array(path.dropFirst(2)), change); list[i] = inner
                }
                o[first] = list
            }
        }
        let cases: [Case] = [
            Case(name: "latest: unknown member", file: "channel/latest.json", mutate: { $0["extra"] = 1 },
                 message: "(top): Additional properties are not allowed ('extra' was unexpected)"),
            Case(name: "latest: release 0", file: "channel/latest.json", mutate: { $0["release"] = 0 },
                 message: "release: 0 is less than the minimum of 1"),
            Case(name: "latest: newer format", file: "channel/latest.json", mutate: { $0["format"] = "lessonc-latest/2" },
                 message: "format: 'lessonc-latest/1' was expected"),
            Case(name: "latest: uppercase hash", file: "channel/latest.json",
                 mutate: { at(&$0, ["manifest", "sha256"]) { $0 = ($0 as! String).uppercased() } }, message: "manifest/sha256: '"),
            Case(name: "latest: time with offset", file: "channel/latest.json", mutate: { $0["expires"] = "2026-01-01T00:00:00+01:00" },
                 message: "expires: '2026-01-01T00:00:00+01:00' does not match"),
            Case(name: "latest: size over 2^40", file: "channel/latest.json", mutate: { at(&$0, ["manifest", "size"]) { $0 = 1 << 40 } },
                 message: "manifest/size: 1099511627776 is greater than the maximum of 1099511627775"),
            Case(name: "manifest: a part without its listing", file: "channel/releases/1/manifest.json", mutate: { m in
                at(&m, ["curricula", "demo", "locales", "en"]) { p in
                    var part = p as! [String: Any]; part.removeValue(forKey: "listing"); p = part
                }
            }, message: "curricula/demo/locales/en: 'listing' is a required property"),
            Case(name: "manifest: a format-2 part listing its lessons", file: "channel/releases/1/manifest.json", mutate: { m in
                at(&m, ["curricula", "demo", "locales", "en"]) { p in
                    var part = p as! [String: Any]; part["lessons"] = [String: Any](); p = part
                }
            }, message: "curricula/demo/locales/en/lessons: {} is not of type 'integer'"),
            Case(name: "manifest: unknown document", file: "channel/releases/1/manifest.json",
                 mutate: { at(&$0, ["documents"]) { d in var docs = d as! [String: Any]; docs["README"] = docs["LICENSE"]; d = docs } },
                 message: "documents: 'README' is not one of ['ATTRIBUTION.md', 'LICENSE', 'NOTES.md']"),
            Case(name: "diff: unknown kind", file: "channel/diffs/1-2.json",
                 mutate: { at(&$0, ["changes", "0", "kind"]) { $0 = "video" } }, message: "changes/0/kind: 'video' is not one of ['index', 'asset', 'lesson']"),
            Case(name: "diff: removed with an object", file: "channel/diffs/1-2.json",
                 mutate: { at(&$0, ["changes", "0", "change"]) { $0 = "removed" } }, message: "changes/0/object:"),
            Case(name: "keys: generation 2 without previous", file: "channel/keys.json", mutate: { $0["generation"] = 2 },
                 message: "(top): 'previous' is a required property"),
            Case(name: "lesson: heading level 7", file: "build/demo/en/one.json",
                 mutate: { at(&$0, ["blocks", "0", "level"]) { $0 = 7 } }, message: "blocks/0/level: 7 is greater than the maximum of 6"),
            Case(name: "lesson: ordered list without start", file: "build/demo/en/one.json",
                 mutate: { at(&$0, ["blocks", "1"]) { b in var list = b as! [String: Any]; list["start"] = nil; b = list } },
                 message: "blocks/1: 'start' is a required property"),
            Case(name: "lesson: link to a URL and a lesson", file: "build/demo/en/one.json",
                 mutate: { at(&$0, ["blocks", "2", "inlines", "1", "url"]) { $0 = "https://example.org" } },
                 message: "blocks/2/inlines/1:"),
            Case(name: "lesson: callout kind in capitals", file: "build/demo/en/one.json",
                 mutate: { at(&$0, ["blocks", "3", "kind"]) { $0 = "NOTE" } }, message: "blocks/3/kind: 'NOTE' is not one of"),
            Case(name: "lesson: unknown block type", file: "build/demo/en/one.json",
                 mutate: { at(&$0, ["blocks", "0", "type"]) { $0 = "video" } }, message: "blocks/0/type: 'video' is not one of"),
            Case(name: "lesson: direction", file: "build/demo/en/one.json", mutate: { $0["direction"] = "auto" },
                 message: "direction: 'auto' is not one of ['ltr', 'rtl']"),
            Case(name: "index: lesson without fallback", file: "build/demo/index.json",
                 mutate: { at(&$0, ["lessons", "0"]) { l in var e = l as! [String: Any]; e["fallback"] = nil; l = e } },
                 message: "lessons/0: 'fallback' is a required property"),
            Case(name: "index: unknown tree node", file: "build/demo/index.json",
                 mutate: { at(&$0, ["tree", "0", "type"]) { $0 = "chapter" } }, message: "tree/0/type: 'chapter' is not one of ['lesson', 'unit']"),
            Case(name: "pack: no locale", file: "pack.json", mutate: { $0["locale"] = nil }, message: "(top): 'locale' is a required property"),
        ]
        let bad = work.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        let unzip = try Run("/usr/bin/unzip", ["-o", "-q", channel.appendingPathComponent("packs/2/demo-en.zip").path, "pack.json", "-d", work.path])
        XCTAssertEqual(unzip.status, 0, unzip.stderr)
        for (i, c) in cases.enumerated() {
            let data = try Data(contentsOf: work.appendingPathComponent(c.file))
            var doc = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], c.name)
            c.mutate(&doc)
            let out = bad.appendingPathComponent("\(i).json")
            try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys, .withoutEscapingSlashes]).write(to: out)
            let r = try validate([out], expectInvalid: true)
            XCTAssertEqual(r.status, 0, "\(c.name): the schema accepted it: \(r.stdout)")
            XCTAssertTrue(r.stdout.contains("\(out.path): invalid: \(c.message)"), "\(c.name): expected '\(c.message)' in:\n\(r.stdout)")
        }

        // Two checks beyond JSON Schema: a repeated member, and signed bytes that are not canonical.
        let latest = try String(contentsOf: channel.appendingPathComponent("latest.json"), encoding: .utf8)
        let duplicate = bad.appendingPathComponent("duplicate.json")
        try (String(latest.dropLast(2)) + ",\"release\":9}\n").write(to: duplicate, atomically: true, encoding: .utf8)
        var r = try validate([duplicate], expectInvalid: true)
        XCTAssertTrue(r.stdout.contains("\(duplicate.path): invalid: duplicate member 'release'"), r.stdout)
        let pretty = bad.appendingPathComponent("pretty.json")
        let object = try JSONSerialization.jsonObject(with: Data(latest.utf8))
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]).write(to: pretty)
        r = try validate([pretty], expectInvalid: true)
        XCTAssertTrue(r.stdout.contains("\(pretty.path): invalid: not canonical JSON (compact, members sorted, one final newline)"), r.stdout)

        // And the untouched documents pass, so the refusals above are the mutations' doing.
        r = try validate([channel, build])
        XCTAssertEqual(r.status, 0, r.stdout)
    }
}
