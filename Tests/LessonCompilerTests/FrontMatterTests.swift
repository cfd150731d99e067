import XCTest
@testable import LessonCompiler

/// The strict YAML subset: every accepted form reads as written, everything else is an error
/// with its line and column (line 1 is the opening `---`).
final class FrontMatterTests: XCTestCase {
    private func parse(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> [YAMLEntry] {
        switch FrontMatter.split("---\n\(yaml)\n---\nBody\n") {
        case .success(let s): return s.entries
        case .failure(let e):
            XCTFail("unexpected error \(e.line):\(e.column): \(e.message)", file: file, line: line)
            return []
        }
    }

    /// The value of each key, with its position, as `key@line:column=value`.
    private func values(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> [String: YAMLValue.Kind] {
        Dictionary(uniqueKeysWithValues: parse(yaml, file: file, line: line).map { ($0.key, $0.value.kind) })
    }

    private func assertError(_ yaml: String, _ message: String, line: Int, column: Int,
                             file: StaticString = #filePath, sourceLine: UInt = #line) {
        assertSplitError("---\n\(yaml)\n---\nBody\n", message, line: line, column: column, file: file, sourceLine: sourceLine)
    }

    private func assertSplitError(_ text: String, _ message: String, line: Int, column: Int,
                                  file: StaticString = #filePath, sourceLine: UInt = #line) {
        switch FrontMatter.split(text) {
        case .success(let s):
            XCTFail("accepted, expected '\(message)'; got \(s.entries)", file: file, line: sourceLine)
        case .failure(let e):
            XCTAssertEqual("\(e.line):\(e.column): \(e.message)", "\(line):\(column): \(message)", file: file, line: sourceLine)
        }
    }

    private func s(_ v: String) -> YAMLValue.Kind { .string(v) }

    // MARK: - Accepted

    func testPlainStringsKeepTheirText() {
        let v = values("title: Saving together, week by week\nsource: WHO (2020), guideline 3.2")
        XCTAssertEqual(v["title"], s("Saving together, week by week"))
        XCTAssertEqual(v["source"], s("WHO (2020), guideline 3.2"))
    }

    func testEntryAndValuePositions() {
        let entries = parse("title: A\n  \nduration:   20 min")
        XCTAssertEqual(entries.map(\.key), ["title", "duration"])
        XCTAssertEqual(entries.map { "\($0.line):\($0.column)" }, ["2:1", "4:1"])
        XCTAssertEqual(entries.map { "\($0.value.line):\($0.value.column)" }, ["2:8", "4:13"])
    }

    func testSingleQuotedStringsDoubleTheQuote() {
        let v = values("title: 'It''s time: save # now'\nid: '123'")
        XCTAssertEqual(v["title"], s("It's time: save # now"))
        XCTAssertEqual(v["id"], s("123"))
    }

    func testDoubleQuotedStringsWithEscapes() {
        let v = values(#"title: "Say \"yes\"\\no\/slash\ttab\nline \u00e9""#)
        XCTAssertEqual(v["title"], s("Say \"yes\"\\no/slash\ttab\nline é"))
    }

    func testQuotedTextThatLooksLikeOtherTypes() {
        let v = values("a: \"true\"\nb: '42'\nc: \"1.0\"\nd: \"[x]\"\ne: 'yes'\nf: \"null\"")
        XCTAssertEqual(v["a"], s("true"))
        XCTAssertEqual(v["b"], s("42"))
        XCTAssertEqual(v["c"], s("1.0"))
        XCTAssertEqual(v["d"], s("[x]"))
        XCTAssertEqual(v["e"], s("yes"))
        XCTAssertEqual(v["f"], s("null"))
    }

    func testIntegersAndBooleans() {
        let v = values("a: 42\nb: -7\nc: 0\nd: true\ne: false")
        XCTAssertEqual(v["a"], .int(42))
        XCTAssertEqual(v["b"], .int(-7))
        XCTAssertEqual(v["c"], .int(0))
        XCTAssertEqual(v["d"], .bool(true))
        XCTAssertEqual(v["e"], .bool(false))
    }

    func testDecimalsAndLeadingZerosAreNumbersNotText() {
        let v = values("a: 1.0\nb: 007\nc: 1e3")
        XCTAssertEqual(v["a"], .number("1.0"))
        XCTAssertEqual(v["b"], .number("007"))
        XCTAssertEqual(v["c"], .number("1e3"))
    }

    func testBlockListAtTheSameIndent() {
        let entries = parse("tags:\n- savings\n- \"group: rules\"\ntitle: T")
        XCTAssertEqual(entries.map(\.key), ["tags", "title"])
        guard case .list(let items) = entries[0].value.kind else { return XCTFail("not a list") }
        XCTAssertEqual(items.map(\.kind), [s("savings"), s("group: rules")])
        XCTAssertEqual(items.map { "\($0.line):\($0.column)" }, ["3:3", "4:3"])
    }

    func testBlockListIndentedDeeperWithBlankAndCommentLines() {
        let v = values("authors:\n  - Asha\n\n  # a comment between items\n  - 'Ben'\n  - 3\ntitle: T")
        XCTAssertEqual(v["authors"], .list([
            YAMLValue(kind: s("Asha"), line: 3, column: 5),
            YAMLValue(kind: s("Ben"), line: 6, column: 5),
            YAMLValue(kind: .int(3), line: 7, column: 5),
        ]))
        XCTAssertEqual(v["title"], s("T"))
    }

    func testFlowLists() {
        let v = values("a: [Unit, Lesson]\nb: []\nc: [ \"x, y\" , 'z', 3, true ]\nd: [one]  # trailing comment")
        XCTAssertEqual(v["a"], .list([YAMLValue(kind: s("Unit"), line: 2, column: 5), YAMLValue(kind: s("Lesson"), line: 2, column: 11)]))
        XCTAssertEqual(v["b"], .list([]))
        guard case .list(let c)? = v["c"] else { return XCTFail("not a list") }
        XCTAssertEqual(c.map(\.kind), [s("x, y"), s("z"), .int(3), .bool(true)])
        guard case .list(let d)? = v["d"] else { return XCTFail("not a list") }
        XCTAssertEqual(d.map(\.kind), [s("one")])
    }

    func testOneLevelOfNestedMap() {
        let entries = parse("meta:\n  owner: Asha\n  tags: [a, b]\n  list:\n    - x\ntitle: T")
        XCTAssertEqual(entries.map(\.key), ["meta", "title"])
        guard case .map(let inner) = entries[0].value.kind else { return XCTFail("not a map") }
        XCTAssertEqual(inner.map(\.key), ["owner", "tags", "list"])
        XCTAssertEqual(inner[0].value.kind, s("Asha"))
        XCTAssertEqual(inner.map { "\($0.line):\($0.column)" }, ["3:3", "4:3", "5:3"])
        guard case .list(let list) = inner[2].value.kind else { return XCTFail("not a list") }
        XCTAssertEqual(list.map(\.kind), [s("x")])
    }

    func testCommentsAreIgnored() {
        let v = values("# leading comment\ntitle: Hello # a comment\n   # indented comment\nid: x")
        XCTAssertEqual(v["title"], s("Hello"))
        XCTAssertEqual(v["id"], s("x"))
    }

    func testCRLFLineEndings() {
        guard case .success(let split) = FrontMatter.split("---\r\ntitle: Hello\r\ntags:\r\n  - a\r\n---\r\nBody\r\n") else {
            return XCTFail("CRLF front matter rejected")
        }
        guard split.entries.map(\.key) == ["title", "tags"] else { return XCTFail("entries: \(split.entries)") }
        XCTAssertEqual(split.entries[0].value.kind, s("Hello"))
        XCTAssertEqual(split.entries[1].value.kind, .list([YAMLValue(kind: s("a"), line: 4, column: 5)]))
        XCTAssertEqual(split.body, "Body\r\n")
        XCTAssertEqual(split.bodyLineOffset, 5)
    }

    /// Lines are found on bytes: a '\r' left before a "\r\n", text that is not ASCII and a last
    /// line without '\n' give the lines and columns that splitting by Characters gave.
    func testLineEndsFoundOnBytesKeepLinesAndColumns() {
        guard case .success(let split) = FrontMatter.split("---\r\ntitle: Ng\u{1EE9}\u{301}\r\r\nid: a\r\n---\r\nB\u{0300}\r") else {
            return XCTFail("front matter rejected")
        }
        XCTAssertEqual(split.entries.map(\.key), ["title", "id"])
        XCTAssertEqual(split.entries[0].value.kind, s("Ng\u{1EE9}\u{301}"))
        XCTAssertEqual(split.entries[1].value.line, 3)
        XCTAssertEqual(split.entries[1].value.column, 5)
        XCTAssertEqual(split.body, "B\u{0300}\r")
        XCTAssertEqual(split.bodyLineOffset, 4)
        guard case .failure(let e) = FrontMatter.split("---\r\ntitle: \u{00E9}t\u{00E9}\r\n\tid: x\r\n---\r\n") else { return XCTFail("tab accepted") }
        XCTAssertEqual(e.message, "tab character in indentation; use spaces")
        XCTAssertEqual(e.line, 3)
        XCTAssertEqual(e.column, 1)
        guard case .failure(let open) = FrontMatter.split("---\r\ntitle: x\r\n") else { return XCTFail("unclosed accepted") }
        XCTAssertEqual(open.message, "front matter starts with '---' on line 1 but is never closed by a '---' line")
    }

    func testBodyAndLineOffset() {
        guard case .success(let split) = FrontMatter.split("\u{FEFF}---\ntitle: T\n---\n## Heading\n") else { return XCTFail() }
        XCTAssertTrue(split.hasFrontMatter)
        XCTAssertEqual(split.body, "## Heading\n")
        XCTAssertEqual(split.bodyLineOffset, 3)
    }

    func testNoFrontMatterLeavesTheWholeFileAsBody() {
        guard case .success(let split) = FrontMatter.split("## Heading\n---\n") else { return XCTFail() }
        XCTAssertFalse(split.hasFrontMatter)
        XCTAssertEqual(split.entries, [])
        XCTAssertEqual(split.body, "## Heading\n---\n")
        XCTAssertEqual(split.bodyLineOffset, 0)
    }

    // MARK: - Rejected

    func testUnclosedFrontMatter() {
        assertSplitError("---\ntitle: T\n## Body\n", "front matter starts with '---' on line 1 but is never closed by a '---' line", line: 1, column: 1)
    }

    func testTabIndentation() {
        assertError("tags:\n\t- a", "tab character in indentation; use spaces", line: 3, column: 1)
        assertError("title: T\n  \tid: x", "tab character in indentation; use spaces", line: 3, column: 1)
    }

    func testDuplicateKey() {
        assertError("title: A\nid: x\ntitle: B", "duplicate key 'title'", line: 4, column: 1)
    }

    func testMissingValue() {
        assertError("title:\nid: x", "'title' has no value", line: 2, column: 7)
        assertError("id: x\ntitle:", "'title' has no value", line: 3, column: 7)
    }

    func testFlowMapsAreRejected() {
        assertError("title: T\nmeta: {a: 1}", "flow maps '{...}' are not supported; write the map as indented 'key: value' lines", line: 3, column: 7)
    }

    func testBlockTextIsRejected() {
        assertError("title: |\n  text", "block text ('|' or '>') is not supported; write the value on one line, in quotes", line: 2, column: 8)
        assertError("title: >-\n  text", "block text ('|' or '>') is not supported; write the value on one line, in quotes", line: 2, column: 8)
    }

    func testUnquotedColonSpace() {
        assertError("title: Savings: the basics", "':' inside unquoted text; put the value in quotes", line: 2, column: 15)
        assertError("tags:\n  - a: b", "nested lists and maps inside lists are not supported; quote the text if it is one value", line: 3, column: 5)
    }

    func testAmbiguousBooleans() {
        assertError("title: T\npublished: yes", "'yes' is ambiguous in YAML; write true or false, or quote it if it is text", line: 3, column: 12)
        assertError("a: No", "'No' is ambiguous in YAML; write true or false, or quote it if it is text", line: 2, column: 4)
        assertError("a: [on]", "'on' is ambiguous in YAML; write true or false, or quote it if it is text", line: 2, column: 5)
        assertError("a: True", "'True' is ambiguous in YAML; write true or false, or quote it if it is text", line: 2, column: 4)
    }

    func testNull() {
        assertError("title: null", "null values are not supported; leave the key out instead", line: 2, column: 8)
        assertError("title: ~", "null values are not supported; leave the key out instead", line: 2, column: 8)
    }

    func testMapsNestOneLevelOnly() {
        assertError("a:\n  b:\n    c: 1", "maps nest one level only", line: 4, column: 5)
    }

    func testUnterminatedQuotes() {
        assertError("title: \"Saving", "unterminated quoted text", line: 2, column: 8)
        assertError("title: 'Saving", "unterminated quoted text", line: 2, column: 8)
        assertError("title: \"ends with backslash\\\"", "unterminated quoted text", line: 2, column: 8)
        assertError("a: [\"x, y]", "unterminated quoted text", line: 2, column: 5)
    }

    func testTextAfterTheClosingQuote() {
        assertError("title: \"Saving\" money", "unexpected text after the closing quote", line: 2, column: 16)
    }

    func testTextAfterFlowList() {
        assertError("tags: [a, b] c", "unexpected text after ']'", line: 2, column: 13)
        assertError("tags: [] c", "unexpected text after ']'", line: 2, column: 9)
    }

    func testBrokenFlowLists() {
        assertError("tags: [a, b", "flow list is not closed with ']' on this line", line: 2, column: 12)
        assertError("tags: [a, [b]]", "nested lists or maps inside '[...]' are not supported", line: 2, column: 11)
        assertError("tags: [a, , b]", "empty item in list", line: 2, column: 11)
        assertError("tags: [\"a\" b]", "expected ',' or ']' in list", line: 2, column: 12)
    }

    func testBadEscapes() {
        assertError(#"title: "a\qb""#, "unknown escape '\\q' in double-quoted text", line: 2, column: 10)
        assertError(#"title: "\u12""#, "invalid \\u escape", line: 2, column: 11)
        // Columns after a \u escape still point at the character written.
        assertError(#"title: "\u00e9\q""#, "unknown escape '\\q' in double-quoted text", line: 2, column: 15)
    }

    func testTextNeedingQuotes() {
        assertError("title: *bold*", "text starting with '*' must be quoted", line: 2, column: 8)
        assertError("title: @home", "text starting with '@' must be quoted", line: 2, column: 8)
        assertError("title: - item", "text starting with '-' must be quoted", line: 2, column: 8)
    }

    func testStructuralErrors() {
        assertError("title: T\n  id: x", "unexpected indentation", line: 3, column: 3)
        assertError("- a", "a list item here has no key; put it under a key such as 'tags:'", line: 2, column: 1)
        assertError("just some words", "expected 'key: value'", line: 2, column: 1)
        assertError("title:T", "expected 'key: value'", line: 2, column: 1)
        assertError("9lives: x", "invalid key '9lives'; keys are letters, digits, '_' and '-'", line: 2, column: 1)
        assertError("tags:\n  -\n", "empty list item", line: 3, column: 3)
        assertError("tags:\n  - a\n    - b", "unexpected indentation in list", line: 4, column: 5)
    }
}
