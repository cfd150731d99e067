import XCTest
@testable import LessonSupport

final class ZipTests: XCTestCase {
    func testRoundTripAndDeterminism() throws {
        func make() -> Data {
            var w = ZipWriter()
            w.add("pack.json", Data("{}\n".utf8))
            w.add("objects/ab/abcdef", Data([1, 2, 3]))
            w.add("empty", Data())
            return w.finish()
        }
        let zip = make()
        XCTAssertEqual(zip, make())
        let r = try ZipReader(zip)
        XCTAssertEqual(r.names, ["pack.json", "objects/ab/abcdef", "empty"])
        XCTAssertEqual(r.entries["objects/ab/abcdef"], Data([1, 2, 3]))
        XCTAssertEqual(r.entries["empty"], Data())
    }

    func testCorruptArchivesAreRefused() throws {
        var w = ZipWriter()
        w.add("a.txt", Data("hello".utf8))
        var zip = w.finish()
        zip[30 + 5] ^= 0xFF  // first byte of a.txt's data
        XCTAssertThrowsError(try ZipReader(zip)) { XCTAssertEqual($0 as? ZipError, ZipError("a.txt: CRC mismatch")) }
        XCTAssertThrowsError(try ZipReader(Data("not a zip".utf8))) {
            XCTAssertEqual($0 as? ZipError, ZipError("not a ZIP file (no end of central directory)"))
        }
        XCTAssertThrowsError(try ZipReader(w.finish().prefix(40))) {
            XCTAssertEqual($0 as? ZipError, ZipError("not a ZIP file (no end of central directory)"))
        }
    }

    func testUnsafeNames() {
        XCTAssertTrue(ZipReader.isSafeName("objects/ab/cd"))
        for bad in ["", "/etc/passwd", "../x", "a/../b", "a//b", "a\\b", "a/./b", "a\u{0}b", "dir/"] {
            XCTAssertFalse(ZipReader.isSafeName(bad), bad)
        }
    }
}
