import Foundation
import XCTest
@testable import LessonChannel
import LessonSupport

/// Every document reader: what it accepts, and each refusal with its exact message (the file's
/// channel path first, then the field).
final class DocumentTests: XCTestCase {
    static let sha = String(repeating: "ab", count: 32)
    static let otherSHA = String(repeating: "cd", count: 32)

    /// The message of the `ChannelFormatError` `body` throws; nil (and a failure) when it throws
    /// nothing or something else.
    func refusal(_ body: () throws -> Any, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            _ = try body()
            XCTFail("accepted, but should have been refused", file: file, line: line)
        } catch let e as ChannelFormatError {
            return e.message
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    /// `base` with `changes` applied (a nil value removes the member), as file bytes.
    static func edited(_ base: JSON, _ changes: [String: JSON?]) -> Data {
        guard case .object(var o) = base else { return Data() }
        for (k, v) in changes { o[k] = v }
        return CanonicalJSON.document(.object(o))
    }

    // MARK: - latest.json

    static let latest = LatestDocument(release: 3, published: 1_700_000_000, expires: 1_702_592_000,
                                       manifest: ObjectRef(sha256: sha, size: 1234), diffsFrom: [1, 2])

    func testLatestRoundTripsThroughItsBytes() throws {
        let bytes = Self.latest.canonicalBytes
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self),
                       #"{"diffs_from":[1,2],"expires":"2023-12-14T22:13:20Z","format":"lessonc-latest/1","manifest":{"path":"releases/3/manifest.json","sha256":"\#(Self.sha)","size":1234},"published":"2023-11-14T22:13:20Z","release":3}"# + "\n")
        XCTAssertEqual(try LatestDocument(data: bytes), Self.latest)
    }

    func testLatestRefusals() {
        let base = Self.latest.json
        let manifest: JSON = ["path": "releases/3/manifest.json", "sha256": .string(Self.sha), "size": 1234]
        func m(_ key: String, _ value: JSON) -> JSON {
            guard case .object(var o) = manifest else { return manifest }
            o[key] = value
            return .object(o)
        }
        let cases: [(Data, String)] = [
            (Data("{\"format\":".utf8), "latest.json:1:11: unexpected end of input"),
            (Data("[]".utf8), "latest.json: not a JSON object"),
            (Self.edited(base, ["format": nil]), "latest.json: missing 'format'"),
            (Self.edited(base, ["format": "lessonc-latest/2"]), "latest.json: format is 'lessonc-latest/2', expected 'lessonc-latest/1'"),
            (Self.edited(base, ["release": 0]), "latest.json: 'release' must be a whole number from 1 to 2^53 - 1"),
            (Self.edited(base, ["release": "3"]), "latest.json: 'release' must be a whole number from 1 to 2^53 - 1"),
            (Self.edited(base, ["release": .int(1 << 53)]), "latest.json: 'release' must be a whole number from 1 to 2^53 - 1"),
            (Self.edited(base, ["published": "2023-11-14 22:13:20"]), "latest.json: 'published' must be an RFC 3339 UTC time"),
            (Self.edited(base, ["expires": "2023-11-14T22:13:20+01:00"]), "latest.json: 'expires' must be an RFC 3339 UTC time"),
            (Self.edited(base, ["manifest": "releases/3/manifest.json"]), "latest.json: 'manifest' must be an object"),
            (Self.edited(base, ["manifest": m("path", "releases/2/manifest.json")]), "latest.json: manifest.path must be releases/3/manifest.json"),
            (Self.edited(base, ["manifest": m("sha256", .string(Self.sha.uppercased()))]), "latest.json: manifest: 'sha256' must be a lowercase hex sha256"),
            (Self.edited(base, ["manifest": m("size", .int(1 << 40))]), "latest.json: manifest: 'size' must be a whole number from 0 to 2^40 - 1"),
            (Self.edited(base, ["manifest": m("size", -1)]), "latest.json: manifest: 'size' must be a whole number from 0 to 2^40 - 1"),
            (Self.edited(base, ["diffs_from": 2]), "latest.json: 'diffs_from' must be an array"),
            (Self.edited(base, ["diffs_from": [1, 3]]), "latest.json: diffs_from[1] must be a release before 3"),
            (Self.edited(base, ["diffs_from": [0]]), "latest.json: diffs_from[0] must be a release before 3"),
        ]
        for (data, message) in cases {
            XCTAssertEqual(refusal { try LatestDocument(data: data) }, message)
        }
    }

    func testADocumentLargerThanTheLimitIsRefusedBeforeParsing() {
        let huge = Data(count: ChannelLimits.maxDocumentBytes + 1)
        XCTAssertEqual(refusal { try LatestDocument(data: huge) }, "latest.json: too large")
        XCTAssertEqual(refusal { try Manifest(data: huge, path: "releases/1/manifest.json") }, "releases/1/manifest.json: too large")
    }

    /// Readers check signatures and hashes of the bytes, never their layout: any valid JSON
    /// with the right fields reads the same.
    func testReadersAcceptJSONThatIsNotCanonical() throws {
        let pretty = Data(Self.latest.json.pretty().utf8)
        XCTAssertNotEqual(pretty, Self.latest.canonicalBytes)
        XCTAssertEqual(try LatestDocument(data: pretty), Self.latest)
    }

    // MARK: - Manifest

    static let manifestPath = "releases/3/manifest.json"
    static let manifest: Manifest = {
        let curriculum = ManifestCurriculum(title: "Demo", version: "1.0.0", license: "CC-BY-4.0", index: ObjectRef(sha256: sha, size: 800),
                                            assets: ["assets/box.svg": ObjectRef(sha256: otherSHA, size: 120)],
                                            locales: ["en": ["demo-1": ObjectRef(sha256: otherSHA, size: 900)]])
        // Format 1 lists every lesson in the file (format 2: ManifestFormat2Tests).
        var m = Manifest(release: 3, published: 1_700_000_000, curricula: ["demo": curriculum],
                         documents: ["LICENSE": ObjectRef(sha256: sha, size: 20)])
        m.version = 1
        return m
    }()

    func testManifestRoundTripsThroughItsBytes() throws {
        let bytes = Self.manifest.canonicalBytes
        XCTAssertEqual(try Manifest(data: bytes, path: Self.manifestPath), Self.manifest)
        XCTAssertEqual(Self.manifest.entries.count, 3)
        XCTAssertEqual(Self.manifest.objects, [ObjectRef(sha256: Self.sha, size: 800), ObjectRef(sha256: Self.otherSHA, size: 120),
                                               ObjectRef(sha256: Self.otherSHA, size: 900)])
    }

    func testManifestRefusals() {
        let path = Self.manifestPath
        let base = Self.manifest.json
        let demo = base["curricula"]!["demo"]!
        func curriculum(_ changes: [String: JSON?]) -> Data {
            guard case .object(var c) = demo else { return Data() }
            for (k, v) in changes { c[k] = v }
            return Self.edited(base, ["curricula": ["demo": .object(c)]])
        }
        let lesson: JSON = ["object": .string(Self.sha), "size": 9]
        let cases: [(Data, String)] = [
            (Self.edited(base, ["format": "lessonc-latest/1"]), "\(path): format is 'lessonc-latest/1', expected 'lessonc-manifest/2' or 'lessonc-manifest/1'"),
            (Self.edited(base, ["curricula": []]), "\(path): 'curricula' must be an object"),
            (Self.edited(base, ["curricula": [".demo": demo]]), "\(path): bad curriculum id '.demo'"),
            (Self.edited(base, ["curricula": ["a/b": demo]]), "\(path): bad curriculum id 'a/b'"),
            (curriculum(["title": nil]), "\(path): curricula.demo: missing 'title'"),
            (curriculum(["version": 1]), "\(path): curricula.demo: 'version' must be a string"),
            (curriculum(["locales": nil]), "\(path): curricula.demo: missing 'locales'"),
            (curriculum(["locales": ["e/n": ["lessons": [:]]]]), "\(path): bad locale 'e/n' in demo"),
            (curriculum(["locales": ["en": [:]]]), "\(path): curricula.demo.locales.en: missing 'lessons'"),
            (curriculum(["locales": ["en": ["lessons": ["../x": lesson]]]]), "\(path): bad lesson id '../x' in demo"),
            (curriculum(["locales": ["en": ["lessons": ["x": ["object": "x", "size": 9]]]]]), "\(path): demo/en/x: 'object' must be a lowercase hex sha256"),
            (curriculum(["assets": ["../box.svg": lesson]]), "\(path): bad asset path '../box.svg' in demo"),
            (curriculum(["assets": ["assets/box.svg": ["object": .string(Self.sha)]]]), "\(path): demo/assets/box.svg: missing 'size'"),
            (curriculum(["index": nil]), "\(path): curricula.demo: missing 'index'"),
            (curriculum(["index": ["object": .string(Self.sha), "size": .double(1.5)]]), "\(path): demo index: 'size' must be a whole number from 0 to 2^40 - 1"),
            (Self.edited(base, ["documents": ["LICENSE": ["sha256": .string(Self.sha), "size": -1]]]), "\(path): documents.LICENSE: 'size' must be a whole number from 0 to 2^40 - 1"),
        ]
        for (data, message) in cases {
            XCTAssertEqual(refusal { try Manifest(data: data, path: path) }, message)
        }
    }

    // MARK: - Diffs

    static let diffPath = "diffs/2-3.json"
    static let key = ChangeKey(curriculum: "demo", locale: "en", kind: .lesson, id: "demo-1")
    static let diff = DiffDocument(from: 2, to: 3, changes: [
        DiffChange(key: ChangeKey(curriculum: "demo", locale: "en", kind: .index, id: "demo"), change: .changed, object: ObjectRef(sha256: sha, size: 800)),
        DiffChange(key: key, change: .changed, object: ObjectRef(sha256: otherSHA, size: 930),
                   delta: DeltaRef(base: sha, delta: ObjectRef(sha256: otherSHA, size: 210), contentSHA256: sha, contentSize: 2048)),
        DiffChange(key: ChangeKey(curriculum: "demo", locale: "en", kind: .lesson, id: "demo-2"), change: .removed, object: nil),
    ], parts: ["demo": ["en": sha, "fr": nil]])

    func testDiffRoundTripsThroughItsBytes() throws {
        let bytes = Self.diff.canonicalBytes
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.contains(#"{"change":"removed","curriculum":"demo","id":"demo-2","kind":"lesson","locale":"en","object":null,"size":0}"#), text)
        XCTAssertTrue(text.contains(#""parts":{"demo":{"en":"\#(Self.sha)","fr":null}}"#), text)
        XCTAssertEqual(try DiffDocument(data: bytes, path: Self.diffPath), Self.diff)
    }

    func testDiffRefusals() {
        let path = Self.diffPath
        let base = Self.diff.json
        let entries = base["changes"]!.arrayValue!
        func entry(_ i: Int, _ changes: [String: JSON?]) -> Data {
            var all = entries
            guard case .object(var e) = all[i] else { return Data() }
            for (k, v) in changes { e[k] = v }
            all[i] = .object(e)
            return Self.edited(base, ["changes": .array(all)])
        }
        let cases: [(Data, String)] = [
            (Self.edited(base, ["from": 3]), "\(path): 'from' must be before 'to'"),
            (Self.edited(base, ["to": nil]), "\(path): missing 'to'"),
            (Self.edited(base, ["changes": [:]]), "\(path): 'changes' must be an array"),
            (entry(0, ["kind": "lessons"]), "\(path): changes[0]: unknown kind"),
            (entry(1, ["change": "edited"]), "\(path): changes[1]: unknown change"),
            (entry(1, ["id": "../../etc/passwd"]), "\(path): changes[1]: bad curriculum, locale or id"),
            (entry(1, ["locale": ".en"]), "\(path): changes[1]: bad curriculum, locale or id"),
            (entry(1, ["object": nil]), "\(path): changes[1]: missing 'object'"),
            (entry(1, ["delta": ["base": .string(Self.sha)]]), "\(path): changes[1].delta: missing 'object'"),
            (entry(1, ["delta": ["base": .string(Self.sha), "object": .string(Self.sha), "size": 1, "content_sha256": .string(Self.sha), "content_size": .int(1 << 40)]]),
             "\(path): changes[1].delta: 'content_size' must be a whole number from 0 to 2^40 - 1"),
            (Self.edited(base, ["changes": .array(entries.reversed())]), "\(path): changes are not sorted or not unique"),
            (Self.edited(base, ["changes": .array([entries[1], entries[1]])]), "\(path): changes are not sorted or not unique"),
            (Self.edited(base, ["parts": ["demo": ["en": "x"]]]), "\(path): parts.demo.en must be a sha256 or null"),
            (Self.edited(base, ["parts": ["demo": "x"]]), "\(path): parts.demo: 'value' must be an object"),
        ]
        for (data, message) in cases {
            XCTAssertEqual(refusal { try DiffDocument(data: data, path: path) }, message)
        }
    }

    /// The diff of two manifests lists every change once, sorted, with the new parts' hashes.
    func testDiffOfTwoManifests() {
        var new = Self.manifest
        new.release = 4
        new.curricula["demo"]!.locales["en"]!["demo-2"] = ObjectRef(sha256: Self.sha, size: 5)
        new.curricula["demo"]!.locales["fr"] = [:]
        let diff = DiffDocument(from: Self.manifest, to: new)
        XCTAssertEqual(diff.changes.map { "\($0.key.locale) \($0.key.kind.rawValue) \($0.key.id) \($0.change.rawValue)" },
                       ["en lesson demo-2 added", "fr asset assets/box.svg added", "fr index demo added"])
        XCTAssertEqual(diff.parts, ["demo": ["en": new.curricula["demo"]!.partHash("en"), "fr": new.curricula["demo"]!.partHash("fr")]])
    }

    // MARK: - Keys

    static let keys = KeysDocument(generation: 2, key: TestKeys.second.publicKey, previous: TestKeys.first.publicKey,
                                   history: [TestKeys.first.publicKey.keyIDString, TestKeys.second.publicKey.keyIDString], release: 7)

    func testKeysRoundTripThroughTheirBytes() throws {
        XCTAssertEqual(try KeysDocument(data: Self.keys.canonicalBytes, path: "keys.json"), Self.keys)
    }

    func testKeysRefusals() {
        let base = Self.keys.json
        let first = TestKeys.first.publicKey, second = TestKeys.second.publicKey
        let cases: [(Data, String)] = [
            (Self.edited(base, ["generation": 0]), "keys.json: 'generation' must be a whole number from 1 to 2^53 - 1"),
            (Self.edited(base, ["release": -1]), "keys.json: 'release' must be a whole number from 0 to 2^53 - 1"),
            (Self.edited(base, ["key": nil]), "keys.json: missing 'key'"),
            (Self.edited(base, ["key": ["id": .string(second.keyIDString), "public_key": "AAAA"]]),
             "keys.json: key.public_key: not a minisign public key (the key line is not 42 bytes of base64)"),
            (Self.edited(base, ["key": ["id": .string(first.keyIDString), "public_key": .string(second.base64)]]), "keys.json: key.id does not match its public key"),
            (Self.edited(base, ["history": [1, 2]]), "keys.json: history must list key ids"),
            (Self.edited(base, ["history": [.string(second.keyIDString)]]), "keys.json: generation, history, key and previous do not agree"),
            (Self.edited(base, ["previous": nil]), "keys.json: generation, history, key and previous do not agree"),
            (Self.edited(base, ["history": [.string(second.keyIDString), .string(second.keyIDString)]]), "keys.json: generation, history, key and previous do not agree"),
        ]
        for (data, message) in cases {
            XCTAssertEqual(refusal { try KeysDocument(data: data, path: "keys.json") }, message)
        }
    }

    // MARK: - pack.json

    static let pack = PackDocument(release: 3, published: 1_700_000_000, curriculum: "demo", locale: "en", manifest: ObjectRef(sha256: sha, size: 1234))

    func testPackRoundTripsAndRefusals() throws {
        XCTAssertEqual(try PackDocument(data: Self.pack.canonicalBytes), Self.pack)
        let base = Self.pack.json
        let cases: [(Data, String)] = [
            (Self.edited(base, ["curriculum": nil]), "pack.json: missing 'curriculum'"),
            (Self.edited(base, ["locale": ["en"]]), "pack.json: 'locale' must be a string"),
            (Self.edited(base, ["release": 4]), "pack.json: manifest.path must be releases/4/manifest.json"),
            (Self.edited(base, ["format": "lessonc-latest/1"]), "pack.json: format is 'lessonc-latest/1', expected 'lessonc-pack/1'"),
        ]
        for (data, message) in cases {
            XCTAssertEqual(refusal { try PackDocument(data: data) }, message)
        }
    }

    // MARK: - Names, times, sums

    func testNamesTimesAndTotals() {
        XCTAssertTrue(ChannelName.isSafe("rcc-advocate-training"))
        for bad in ["", ".hidden", "a/b", "a\\b", "tab\there", String(repeating: "x", count: 201)] { XCTAssertFalse(ChannelName.isSafe(bad), bad) }
        XCTAssertEqual(Timestamp.rfc3339(0), "1970-01-01T00:00:00Z")
        XCTAssertEqual(Timestamp.parse("2024-02-29T23:59:59Z"), 1_709_251_199)
        for bad in ["2023-02-29T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01t00:00:00z", "2024-01-01T00:00:00.5Z"] { XCTAssertNil(Timestamp.parse(bad), bad) }
        XCTAssertEqual(try ChannelLimits.total([1, 2, 3]), 6)
        XCTAssertThrowsError(try ChannelLimits.total([Int.max, 1])) {
            XCTAssertEqual($0 as? ChannelFormatError, ChannelFormatError("sizes add up to more than a device can count"))
        }
    }
}
