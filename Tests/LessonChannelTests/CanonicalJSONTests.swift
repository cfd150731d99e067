import Foundation
import XCTest
@testable import LessonChannel
import LessonSupport

/// The bytes of signed and hashed JSON (`CanonicalJSON`), pinned so that any other
/// implementation (a server, an Android or iOS client) can be checked against them.
final class CanonicalJSONTests: XCTestCase {
    static let sha = String(repeating: "ab", count: 32)
    static let otherSHA = String(repeating: "cd", count: 32)

    func testMembersAreSortedByTheirUTF8BytesWithoutWhitespace() {
        let value: JSON = ["b": 1, "a": [true, false, nil], "B": "x", "é": "y", "aa": [:], "": []]
        XCTAssertEqual(String(decoding: CanonicalJSON.bytes(value), as: UTF8.self), #"{"":[],"B":"x","a":[true,false,null],"aa":{},"b":1,"é":"y"}"#)
    }

    func testStringsEscapeOnlyWhatTheyMust() {
        let value: JSON = .string("\"quoted\" back\\slash\n\r\t\u{8}\u{C}\u{1}\u{1F} é 😀 / \u{2028}\u{2029}\u{7F}")
        XCTAssertEqual(String(decoding: CanonicalJSON.bytes(value), as: UTF8.self),
                       #""\"quoted\" back\\slash\n\r\t\b\f\u0001\u001f é 😀 / \u2028\u2029\#u{7F}""#)
    }

    func testADocumentEndsWithOneNewline() {
        XCTAssertEqual(CanonicalJSON.document(["release": 3]), Data("{\"release\":3}\n".utf8))
        XCTAssertEqual(CanonicalJSON.document(.int(-42)), Data("-42\n".utf8))
    }

    /// A part's hash, computed independently with Python
    /// (`json.dumps(part, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`, then
    /// SHA-256): the two agree because nothing in a part needs escaping.
    func testAPartHashesToWhatAnotherImplementationComputes() {
        let part = ChannelPart(index: ObjectRef(sha256: Self.sha, size: 800),
                               assets: ["assets/box.svg": ObjectRef(sha256: Self.otherSHA, size: 120)],
                               lessons: ["demo-1": ObjectRef(sha256: Self.otherSHA, size: 900), "zulu": ObjectRef(sha256: Self.sha, size: 1),
                                         "Émile": ObjectRef(sha256: Self.sha, size: 2)])
        XCTAssertEqual(String(decoding: CanonicalJSON.bytes(part.json), as: UTF8.self),
                       #"{"assets":{"assets/box.svg":{"object":"\#(Self.otherSHA)","size":120}},"index":{"object":"\#(Self.sha)","size":800},"lessons":{"demo-1":{"object":"\#(Self.otherSHA)","size":900},"zulu":{"object":"\#(Self.sha)","size":1},"Émile":{"object":"\#(Self.sha)","size":2}}}"#)
        XCTAssertEqual(part.hash, "533ffa79bac5fdfdcc58ced2e7cff5929b3581a3d41a71751ec4197215a60051")
    }

    /// The part's bytes are written directly, not through `JSON`: they must be exactly the
    /// canonical JSON of `json`, whatever the keys hold (escapes, non-ASCII, prefixes of each
    /// other) and however many there are, empty maps included.
    func testAPartsDirectBytesAreItsCanonicalJSON() {
        let keys = ["a", "ab", "a\"q", "back\\slash", "tab\tnew\nline", "ctl\u{1}", "sep\u{2028}", "Émile", "zz", "日本", "Z", "a b"]
        var lessons: [String: ObjectRef] = [:]
        for (i, key) in keys.enumerated() { lessons[key] = ObjectRef(sha256: i % 2 == 0 ? Self.sha : Self.otherSHA, size: i * 977) }
        for i in 0..<300 { lessons["lesson-\(i)"] = ObjectRef(sha256: Self.sha, size: i) }
        let parts = [
            ChannelPart(index: ObjectRef(sha256: Self.sha, size: 0), assets: [:], lessons: [:]),
            ChannelPart(index: ObjectRef(sha256: Self.otherSHA, size: 12), assets: ["assets/x \"y\".svg": ObjectRef(sha256: Self.sha, size: 5)], lessons: lessons),
        ]
        for part in parts {
            XCTAssertEqual(part.canonicalBytes, CanonicalJSON.bytes(part.json))
            XCTAssertEqual(part.hash, CanonicalJSON.sha256(part.json))
        }
    }

    /// A manifest's part and the part a device holds are the same value, with the same hash,
    /// which is what a diff's `parts` lets a device check.
    func testTheManifestsPartIsTheDevicesPart() throws {
        let manifest = DocumentTests.manifest
        let part = try XCTUnwrap(manifest.curricula["demo"]?.part("en"))
        XCTAssertEqual(part, ChannelPart(index: manifest.curricula["demo"]!.index, assets: manifest.curricula["demo"]!.assets,
                                         lessons: manifest.curricula["demo"]!.locales["en"]!))
        XCTAssertEqual(manifest.curricula["demo"]?.partHash("en"), part.hash)
        XCTAssertNil(manifest.curricula["demo"]?.part("fr"))
        XCTAssertEqual(part.objects.count, 3)
    }

    /// The same document always gives the same bytes, whatever order its dictionaries were built in.
    func testTheSameValueGivesTheSameBytes() {
        var a: [String: JSON] = [:], b: [String: JSON] = [:]
        for i in 0..<200 { a["k\(i)"] = .int(i) }
        for i in (0..<200).reversed() { b["k\(i)"] = .int(i) }
        XCTAssertEqual(CanonicalJSON.document(.object(a)), CanonicalJSON.document(.object(b)))
        XCTAssertEqual(CanonicalJSON.sha256(.object(a)), Sodium.sha256(CanonicalJSON.bytes(.object(b))).hex)
    }
}
