import XCTest
import LessonSupport

final class JSONTests: XCTestCase {
    // MARK: - Writing

    func testKeysAreSortedByUnicodeScalars() {
        let value: JSON = ["b": 1, "a": 2, "B": 3, "é": 4, "aa": 5, "": 6]
        XCTAssertEqual(value.serialized(), #"{"":6,"B":3,"a":2,"aa":5,"b":1,"é":4}"#)
    }

    func testPrettyFormat() {
        let value: JSON = ["list": [1, true, nil, "x"], "empty": [], "none": [:], "nested": ["k": "v"]]
        XCTAssertEqual(value.pretty(), """
            {
              "empty": [],
              "list": [
                1,
                true,
                null,
                "x"
              ],
              "nested": {
                "k": "v"
              },
              "none": {}
            }

            """)
        XCTAssertEqual(value.data(), Data(value.pretty().utf8))
        XCTAssertEqual(value.data(pretty: false), Data(value.serialized().utf8))
    }

    func testControlCharactersAreEscaped() {
        let s: JSON = .string("\u{0}\u{1}\u{1F}\n\t\r\u{8}\u{C}\"\\/\u{7F}\u{2028}\u{2029}é😀")
        XCTAssertEqual(s.serialized(), "\"\\u0000\\u0001\\u001f\\n\\t\\r\\b\\f\\\"\\\\/\u{7F}\\u2028\\u2029é😀\"")
    }

    func testNumbers() {
        XCTAssertEqual(JSON.array([.int(0), .int(-42), .int(Int.max), .double(2.0), .double(0.5), .double(-1e-7), .double(.infinity), .double(.nan)]).serialized(),
                       "[0,-42,9223372036854775807,2,0.5,-1e-07,null,null]")
    }

    func testRoundTrip() throws {
        let value: JSON = [
            "text": "line\nbreak \"quoted\" \\ tab\t \u{0} \u{2028} é 😀 \u{1F1FA}\u{1F1F8}",
            "numbers": [0, -1, .int(Int.min), .int(Int.max), .double(0.1), .double(-2.5e-300), .double(1e300)],
            "flags": [true, false, nil],
            "nested": ["deeper": ["deepest": [[], [:], [[:]]]]],
            "": "empty key",
        ]
        XCTAssertEqual(try JSON.parse(value.serialized()), value)
        XCTAssertEqual(try JSON.parse(value.pretty()), value)
        XCTAssertEqual(try JSON.parse(value.data()).pretty(), value.pretty())
    }

    // MARK: - Reading

    func testParsesEveryKindOfValue() throws {
        let text = "\u{FEFF} {\"a\": [1, -0, 2.5, 1e2, 1E-2, true, false, null, \"\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\"], \"b\": {}}\r\n"
        XCTAssertEqual(try JSON.parse(text), [
            "a": [1, 0, .double(2.5), .double(100), .double(0.01), true, false, nil, "é😀/\u{8}\u{C}\n\r\t"],
            "b": [:],
        ])
    }

    private func assertParseError(_ text: String, _ expected: String, maxDepth: Int = 512,
                                  file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try JSON.parse(text, maxDepth: maxDepth), file: file, line: line) { error in
            XCTAssertEqual((error as? JSONParseError)?.description, expected, file: file, line: line)
        }
    }

    func testUnterminatedString() {
        assertParseError("{\"a\": \"abc", "1:7: unterminated string")
        assertParseError("[\n  \"x\\", "2:3: unterminated string")
    }

    func testTrailingCommas() {
        assertParseError("[1, 2,]", "1:7: unexpected character ']'")
        assertParseError("{\"a\": 1,\n}", "2:1: expected a string key")
    }

    func testDuplicateKey() {
        assertParseError("{\"a\": 1,\n  \"a\": 2}", "2:3: duplicate key 'a'")
    }

    func testDepthLimit() {
        assertParseError("[[[1]]]", "1:3: nesting deeper than 2 levels", maxDepth: 2)
        XCTAssertEqual(try JSON.parse("[[1]]", maxDepth: 2), [[1]])
        // Hostile nesting is an error, never a stack overflow.
        assertParseError(String(repeating: "[", count: 100_000), "1:513: nesting deeper than 512 levels")
    }

    func testOtherErrorsCarryLineAndColumn() {
        assertParseError("", "1:1: unexpected end of input")
        assertParseError("{} x", "1:4: unexpected text after the JSON value")
        assertParseError("{\"é\": tru}", "1:7: invalid literal, expected 'true'")
        assertParseError("[\"a\nb\"]", "1:4: control character in string")
        assertParseError("[\"\\x\"]", "1:3: invalid escape in string")
        assertParseError("[\"\\ud800\"]", "1:9: lone surrogate in string")
        assertParseError("[\"\\u12\"]", "1:5: invalid \\u escape")
        assertParseError("{\"a\" 1}", "1:6: expected ':' after key")
        assertParseError("[1 2]", "1:4: expected ',' or ']' in array")
        assertParseError("{\"a\": 1 \"b\": 2}", "1:9: expected ',' or '}' in object")
        assertParseError("[+1]", "1:2: unexpected character '+'")
        assertParseError("[1.]", "1:4: invalid number")
        assertParseError("[-]", "1:3: invalid number")
    }

    func testLeadingZerosAreRejected() {
        assertParseError("[01]", "1:3: leading zeros are not allowed in numbers")
        assertParseError("[-007]", "1:4: leading zeros are not allowed in numbers")
        XCTAssertEqual(try JSON.parse("[0, -0, 0.5, 10]"), [0, 0, .double(0.5), 10])
    }

    func testInvalidUTF8InAString() {
        XCTAssertThrowsError(try JSON.parse(Data([0x5B, 0x22, 0xFF, 0x22, 0x5D]))) { error in
            XCTAssertEqual((error as? JSONParseError)?.description, "1:2: invalid UTF-8 in string")
        }
    }

    func testAccessors() throws {
        let v = try JSON.parse("{\"s\": \"x\", \"i\": 3, \"d\": 3.0, \"b\": true, \"a\": [1], \"o\": {}}")
        XCTAssertEqual(v["s"]?.stringValue, "x")
        XCTAssertEqual(v["i"]?.intValue, 3)
        XCTAssertEqual(v["d"]?.intValue, 3)
        XCTAssertEqual(v["b"]?.boolValue, true)
        XCTAssertEqual(v["a"]?.arrayValue, [1])
        XCTAssertEqual(v["o"]?.objectValue, [:])
        XCTAssertNil(v["missing"])
        XCTAssertNil(v["s"]?.intValue)
    }
}
