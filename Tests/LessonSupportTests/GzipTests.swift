import XCTest
@testable import LessonSupport

final class GzipTests: XCTestCase {
    let text = Data(String(repeating: "The group saves a little every week. ", count: 200).utf8)

    func testHeaderIsFixedAndOutputDeterministic() {
        let a = Gzip.compress(text), b = Gzip.compress(text)
        XCTAssertEqual(a, b)
        // magic, deflate, no flags (no name), mtime 0, XFL 2, OS 255
        XCTAssertEqual([UInt8](a.prefix(10)), [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 2, 0xFF])
        XCTAssertLessThan(a.count, text.count / 10)
    }

    func testRoundTripAndStandardGunzipReadsIt() throws {
        let gz = Gzip.compress(text)
        XCTAssertEqual(try Gzip.decompress(gz, maxSize: text.count), text)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gzip-\(UUID().uuidString).gz")
        defer { try? FileManager.default.removeItem(at: url) }
        try gz.write(to: url)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-dc", url.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(out, text)
    }

    func testEmptyInput() throws {
        XCTAssertEqual(try Gzip.decompress(Gzip.compress(Data()), maxSize: 0), Data())
    }

    func testSizeCapIsEnforced() {
        let gz = Gzip.compress(Data(repeating: 0, count: 1_000_000))
        XCTAssertThrowsError(try Gzip.decompress(gz, maxSize: 999_999)) { error in
            XCTAssertEqual(error as? GzipError, GzipError("gzip data expands beyond the limit of 999999 bytes"))
        }
    }

    func testCorruptTruncatedAndTrailingDataAreRefused() {
        var gz = Gzip.compress(text)
        XCTAssertThrowsError(try Gzip.decompress(gz.prefix(gz.count - 3), maxSize: 1 << 20)) { error in
            XCTAssertEqual(error as? GzipError, GzipError("gzip data is truncated"))
        }
        XCTAssertThrowsError(try Gzip.decompress(gz + Data([0]), maxSize: 1 << 20)) { error in
            XCTAssertEqual(error as? GzipError, GzipError("unexpected bytes after the end of the gzip data"))
        }
        gz[gz.count - 6] ^= 0xFF  // inside the CRC
        XCTAssertThrowsError(try Gzip.decompress(gz, maxSize: 1 << 20)) { error in
            XCTAssertEqual((error as? GzipError)?.message, "gzip data is corrupt (incorrect data check)")
        }
        XCTAssertThrowsError(try Gzip.decompress(Data(), maxSize: 10)) { error in
            XCTAssertEqual(error as? GzipError, GzipError("empty gzip data"))
        }
    }

    func testCRC32KnownAnswer() {
        XCTAssertEqual(Gzip.crc32(Data("123456789".utf8)), 0xCBF4_3926)
    }

    func testDeltaRebuildsTheNewVersionAndIsSmall() throws {
        let old = text
        var newer = text
        newer.replaceSubrange(3000..<3010, with: Data("a new phrase here".utf8))
        let delta = Gzip.delta(from: old, to: newer)
        XCTAssertLessThan(delta.count, Gzip.compress(newer).count)
        XCTAssertEqual(try Gzip.applyDelta(delta, base: old, maxSize: newer.count), newer)
    }

    func testDeltaAgainstTheWrongBaseFails() {
        let delta = Gzip.delta(from: text, to: text + Data("x".utf8))
        XCTAssertThrowsError(try Gzip.applyDelta(delta, base: Data("other".utf8), maxSize: 1 << 20)) { error in
            XCTAssertEqual(error as? GzipError, GzipError("delta was made against a different base"))
        }
        XCTAssertThrowsError(try Gzip.applyDelta(delta, base: text, maxSize: 10)) { error in
            XCTAssertEqual(error as? GzipError, GzipError("delta expands beyond the limit of 10 bytes"))
        }
    }
}
