import XCTest
@testable import LessonChannel
@testable import LessonSupport

final class ZipTests: XCTestCase {
    func testRoundTripAndDeterminism() throws {
        func make() throws -> Data {
            var w = ZipWriter()
            try w.add("pack.json", Data("{}\n".utf8))
            try w.add("objects/ab/abcdef", Data([1, 2, 3]))
            try w.add("empty", Data())
            return w.finish()
        }
        let zip = try make()
        XCTAssertEqual(zip, try make())
        let r = try ZipReader(zip)
        XCTAssertEqual(r.names, ["pack.json", "objects/ab/abcdef", "empty"])
        XCTAssertEqual(try r.read("objects/ab/abcdef"), Data([1, 2, 3]))
        XCTAssertEqual(try r.read("empty"), Data())
        XCTAssertNil(try r.read("missing"))
        XCTAssertEqual(r.size(of: "objects/ab/abcdef"), 3)

        // The same from a file, read entry by entry.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-zip-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: file) }
        try zip.write(to: file)
        let onDisk = try ZipReader(contentsOf: file)
        XCTAssertEqual(onDisk.names, r.names)
        XCTAssertEqual(try onDisk.read("pack.json"), Data("{}\n".utf8))
    }

    func testAnEntryCopiedWithItsCRCGivesTheSameArchive() throws {
        var source = ZipWriter()
        try source.add("objects/ab/abcdef", Data([1, 2, 3]))
        let r = try ZipReader(source.finish())
        let entry = try XCTUnwrap(r.readEntry("objects/ab/abcdef"))
        XCTAssertEqual(entry.data, Data([1, 2, 3]))
        XCTAssertEqual(entry.crc, Gzip.crc32(Data([1, 2, 3])))
        XCTAssertNil(try r.readEntry("missing"))
        var copied = ZipWriter()
        try copied.add("pack.json", Data("{}\n".utf8))
        try copied.add("objects/ab/abcdef", entry.data, crc: entry.crc)
        var made = ZipWriter()
        try made.add("pack.json", Data("{}\n".utf8))
        try made.add("objects/ab/abcdef", Data([1, 2, 3]))
        XCTAssertEqual(copied.finish(), made.finish())
        // A damaged entry is refused, not handed out with its old CRC.
        var zip = source.finish()
        zip[30 + "objects/ab/abcdef".utf8.count] ^= 0xFF
        XCTAssertThrowsError(try ZipReader(zip).readEntry("objects/ab/abcdef")) {
            XCTAssertEqual($0 as? ZipError, ZipError("objects/ab/abcdef: CRC mismatch"))
        }
    }

    func testCorruptArchivesAreRefused() throws {
        var w = ZipWriter()
        try w.add("a.txt", Data("hello".utf8))
        var zip = w.finish()
        zip[30 + 5] ^= 0xFF  // first byte of a.txt's data
        let r = try ZipReader(zip)
        XCTAssertThrowsError(try r.read("a.txt")) { XCTAssertEqual($0 as? ZipError, ZipError("a.txt: CRC mismatch")) }
        XCTAssertThrowsError(try ZipReader(Data("not a zip".utf8))) {
            XCTAssertEqual($0 as? ZipError, ZipError("not a ZIP file (no end of central directory)"))
        }
        XCTAssertThrowsError(try ZipReader(w.finish().prefix(40))) {
            XCTAssertEqual($0 as? ZipError, ZipError("not a ZIP file (no end of central directory)"))
        }
        // Bytes after the end record.
        XCTAssertThrowsError(try ZipReader(w.finish() + Data([0]))) {
            XCTAssertEqual($0 as? ZipError, ZipError("not a ZIP file (no end of central directory)"))
        }
    }

    // MARK: - Reading over Range requests (ZipDirectory)

    /// The directory from the archive's last bytes alone, then entries from spans, as a device
    /// reads a pack on a host.
    func testTheDirectoryFromTheTailAndEntriesFromSpans() throws {
        var w = ZipWriter()
        let contents = (0..<5).map { Data("entry \($0) ".utf8) + Data(repeating: UInt8($0), count: 100 * $0) }
        for (n, data) in contents.enumerated() { try w.add("objects/0\(n)/e\(n)", data) }
        let zip = w.finish()
        let tailStart = max(0, zip.count - ZipReader.EndRecord.maxLength)
        let end = try ZipReader.EndRecord(tail: zip.subdata(in: tailStart..<zip.count), tailStart: tailStart)
        XCTAssertEqual(end.count, 5)
        let directory = try ZipDirectory(directory: zip.subdata(in: end.directoryStart..<(end.directoryStart + end.directorySize)), end: end, archiveSize: zip.count)
        XCTAssertEqual(directory.records.map(\.name), try ZipReader(zip).names)
        XCTAssertEqual(directory.records.map(\.size), contents.map(\.count))
        // Each record ends where the next begins, the last where the directory begins.
        XCTAssertEqual(directory.records.last?.end, end.directoryStart)
        for (a, b) in Swift.zip(directory.records, directory.records.dropFirst()) { XCTAssertEqual(a.end, b.headerOffset) }
        // A span of entries 1...3 yields exactly those.
        let r = directory.records
        let span = zip.subdata(in: r[1].headerOffset..<r[3].end)
        for n in 1...3 { XCTAssertEqual(try ZipDirectory.entry(r[n], in: span, spanStart: r[1].headerOffset), contents[n]) }
        XCTAssertThrowsError(try ZipDirectory.entry(r[4], in: span, spanStart: r[1].headerOffset)) {
            XCTAssertEqual($0 as? ZipError, ZipError("objects/04/e4: not in the bytes read"))
        }
        XCTAssertThrowsError(try ZipDirectory.entry(r[0], in: span, spanStart: r[1].headerOffset)) {
            XCTAssertEqual($0 as? ZipError, ZipError("objects/00/e0: not in the bytes read"))
        }
    }

    func testSpansThatLieAreRefused() throws {
        var w = ZipWriter()
        try w.add("a", Data("first".utf8))
        try w.add("b", Data("second".utf8))
        let zip = w.finish()
        let end = try ZipReader.EndRecord(tail: zip, tailStart: 0)
        let directory = try ZipDirectory(directory: zip.subdata(in: end.directoryStart..<(end.directoryStart + end.directorySize)), end: end, archiveSize: zip.count)
        let b = directory.records[1]
        var flipped = zip
        flipped[b.headerOffset + 30 + 1 + 2] ^= 0xFF  // a byte of b's data
        XCTAssertThrowsError(try ZipDirectory.entry(b, in: flipped, spanStart: 0)) { XCTAssertEqual($0 as? ZipError, ZipError("b: CRC mismatch")) }
        // Another entry's bytes where b should be: its local header names another file.
        XCTAssertThrowsError(try ZipDirectory.entry(b, in: zip.subdata(in: 0..<b.end), spanStart: b.headerOffset)) {
            XCTAssertEqual($0 as? ZipError, ZipError("b: the local header does not match the central directory"))
        }
        var noHeader = zip
        noHeader[b.headerOffset] = 0
        XCTAssertThrowsError(try ZipDirectory.entry(b, in: noHeader, spanStart: 0)) { XCTAssertEqual($0 as? ZipError, ZipError("b: bad local header")) }
        // A directory shorter than its end record says, and one whose entries overlap.
        XCTAssertThrowsError(try ZipDirectory(directory: Data(), end: end, archiveSize: zip.count)) {
            XCTAssertEqual($0 as? ZipError, ZipError("corrupt ZIP (the central directory is not where its end record says)"))
        }
        var overlapping = zip.subdata(in: end.directoryStart..<(end.directoryStart + end.directorySize))
        let second = 46 + 1  // b's record: after a's (46 bytes and a one-letter name)
        overlapping[second + 42] = 1  // b's local header offset inside a's entry
        overlapping[second + 43] = 0
        XCTAssertThrowsError(try ZipDirectory(directory: overlapping, end: end, archiveSize: zip.count)) {
            XCTAssertEqual($0 as? ZipError, ZipError("b: overlaps or comes before a (entries must follow one another)"))
        }
        // The end record, from a tail that is not the archive's end.
        XCTAssertThrowsError(try ZipReader.EndRecord(tail: zip.prefix(zip.count - 1), tailStart: 0)) {
            XCTAssertEqual($0 as? ZipError, ZipError("not a ZIP file (no end of central directory)"))
        }
    }

    func testUnsafeNames() {
        for good in ["objects/ab/cd", "x", ".hidden", "a/.b", "a/..b", "...", "a/b.c", "é/ü.json", String(repeating: "a", count: 1023)] {
            XCTAssertTrue(ZipReader.isSafeName(good), good)
        }
        for bad in ["", "/etc/passwd", "../x", "a/../b", "a//b", "a\\b", "a/./b", "a\u{0}b", "dir/", ".", "..", "a/.", "a/..",
                    "a\u{7F}b", "a\tb", String(repeating: "a", count: 1024),
                    // A slash or backslash a combining mark follows is still that byte to a file system.
                    "/\u{301}etc", "./\u{301}x", "a\\\u{301}b"] {
            XCTAssertFalse(ZipReader.isSafeName(bad), bad)
        }
    }

    // MARK: - Hostile archives (hardening finding 2)

    /// A ZIP built record by record, so tests can make the directory lie.
    struct Craft {
        struct Record { var name: String; var offset: Int; var size: Int; var crc: UInt32; var localName: String? = nil }
        var body = Data()
        var records: [Record] = []

        /// A stored entry's local header and data; returns its record.
        mutating func entry(_ name: String, _ contents: Data, localName: String? = nil) -> Record {
            let r = Record(name: name, offset: body.count, size: contents.count, crc: Gzip.crc32(contents))
            let local = Array((localName ?? name).utf8)
            body += le32(0x04034B50) + le16(10) + le16(0x0800) + le16(0) + le16(0) + le16(0x21)
            body += le32(r.crc) + le32(UInt32(r.size)) + le32(UInt32(r.size)) + le16(UInt16(local.count)) + le16(0)
            body += Data(local) + contents
            return r
        }

        func archive() -> Data {
            var central = Data()
            for r in records {
                let name = Array(r.name.utf8)
                central += le32(0x02014B50) + le16(0x031E) + le16(10) + le16(0x0800) + le16(0) + le16(0) + le16(0x21)
                central += le32(r.crc) + le32(UInt32(r.size)) + le32(UInt32(r.size)) + le16(UInt16(name.count)) + le16(0) + le16(0)
                central += le16(0) + le16(0) + le32(0) + le32(UInt32(r.offset)) + Data(name)
            }
            return body + central + le32(0x06054B50) + le16(0) + le16(0) + le16(UInt16(records.count)) + le16(UInt16(records.count))
                + le32(UInt32(central.count)) + le32(UInt32(body.count)) + le16(0)
        }

        func le16(_ v: UInt16) -> Data { Data([UInt8(v & 0xFF), UInt8(v >> 8)]) }
        func le32(_ v: UInt32) -> Data { Data([UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]) }
    }

    func assertRefused(_ archive: Data, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ZipReader(archive), file: file, line: line) {
            XCTAssertEqual($0 as? ZipError, ZipError(message), file: file, line: line)
        }
    }

    /// The audit's bomb: 8,000 directory records, all pointing at one 1 MiB entry, refused from
    /// the directory alone, before any entry is read.
    func testOverlappingEntriesAreRefused() {
        var c = Craft()
        let big = c.entry("objects/aa/0", Data(repeating: 0x41, count: 1 << 20))
        c.records = (0..<8000).map { var r = big; r.name = "objects/aa/\($0)"; return r }
        assertRefused(c.archive(), "objects/aa/1: overlaps or comes before objects/aa/0 (entries must follow one another)")
    }

    func testOutOfOrderEntriesAreRefused() {
        var c = Craft()
        let a = c.entry("a", Data("first".utf8)), b = c.entry("b", Data("second".utf8))
        c.records = [b, a]
        assertRefused(c.archive(), "a: overlaps or comes before b (entries must follow one another)")
    }

    func testDuplicateEntriesAreRefused() {
        var c = Craft()
        let a = c.entry("a", Data("first".utf8))
        var again = c.entry("a", Data("second".utf8))
        again.name = "a"
        c.records = [a, again]
        assertRefused(c.archive(), "duplicate entry in ZIP: a")
    }

    func testLocalHeaderThatNamesAnotherFileIsRefused() {
        var c = Craft()
        c.records = [c.entry("pack.json", Data("{}".utf8), localName: "evil.json")]
        assertRefused(c.archive(), "pack.json: the local header does not match the central directory")
    }

    func testEntryBeyondTheDirectoryIsRefused() {
        var c = Craft()
        var a = c.entry("a", Data("first".utf8))
        a.size = 5000
        c.records = [a]
        assertRefused(c.archive(), "a: the local header does not match the central directory")
    }

    /// What `zip` writes for a stream: a ZIP64 end record and locator before the end record.
    func testZIP64IsRefused() throws {
        var w = ZipWriter()
        try w.add("a", Data("x".utf8))
        let zip = w.finish()
        let locator = Craft().le32(0x07064B50) + Data(count: 16)
        assertRefused(zip.prefix(zip.count - 22) + locator + zip.suffix(22), "ZIP64 archives are not supported")
    }

    func testOversizedDirectoryIsRefused() {
        var zip = Data()
        zip += Craft().le32(0x06054B50) + Craft().le16(0) + Craft().le16(0) + Craft().le16(1) + Craft().le16(1)
        zip += Craft().le32(UInt32(ZipReader.maxDirectoryBytes + 1)) + Craft().le32(0) + Craft().le16(0)
        assertRefused(Data(count: ZipReader.maxDirectoryBytes + 1) + zip, "too many entries in the ZIP")
    }

    /// Callers take limits from signed metadata: a larger entry is refused before it is read.
    func testReadRefusesAnEntryLargerThanItsLimit() throws {
        var w = ZipWriter()
        try w.add("object", Data(repeating: 1, count: 100))
        let r = try ZipReader(w.finish())
        XCTAssertThrowsError(try r.read("object", limit: 99)) {
            XCTAssertEqual($0 as? ZipError, ZipError("object: 100 bytes, more than the 99 it may have"))
        }
        XCTAssertEqual(try r.read("object", limit: 100)?.count, 100)
    }

    func testWriterRefusesWhatAZipWithoutZIP64CannotHold() throws {
        var small = ZipWriter(maxBytes: 200)
        try small.add("a", Data(count: 50))
        XCTAssertThrowsError(try small.add("b", Data(count: 100))) {
            XCTAssertEqual($0 as? ZipError, ZipError("b: the archive would exceed 200 bytes, the most a ZIP without ZIP64 can hold"))
        }
        var many = ZipWriter()
        for i in 0..<(ZipReader.maxEntries - 1) { try many.add("e\(i)", Data()) }
        XCTAssertThrowsError(try many.add("one-more", Data())) {
            XCTAssertEqual($0 as? ZipError, ZipError("more than 65534 entries: too many for a ZIP without ZIP64"))
        }
        XCTAssertEqual(try ZipReader(many.finish()).names.count, ZipReader.maxEntries - 1)
    }
}
