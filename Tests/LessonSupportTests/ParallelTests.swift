import Foundation
import Synchronization
import XCTest
import LessonSupport

final class ParallelTests: XCTestCase {
    func testResultsKeepInputOrder() {
        let squares = Parallel.map(Array(0..<1000)) { $0 * $0 }
        XCTAssertEqual(squares, (0..<1000).map { $0 * $0 })
        XCTAssertEqual(Parallel.map(count: 3) { "#\($0)" }, ["#0", "#1", "#2"])
        XCTAssertEqual(Parallel.map([Int]()) { $0 }, [])
    }

    struct Failure: Error, Equatable { var index: Int }

    func testTheLowestFailingIndexIsThrown() {
        XCTAssertThrowsError(try Parallel.map(Array(0..<200)) { i -> Int in
            if i % 50 == 7 { throw Failure(index: i) }
            return i
        }) { error in XCTAssertEqual(error as? Failure, Failure(index: 7)) }
    }

    /// `both` runs each piece of work exactly once and gives each its own result, whatever types.
    func testBothRunsEachOnceAndReturnsBothResults() {
        let runs = Mutex<[String]>([])
        let (number, text) = Parallel.both({ runs.withLock { $0.append("a") }; return 42 }, { runs.withLock { $0.append("b") }; return "forty-two" })
        XCTAssertEqual(number, 42)
        XCTAssertEqual(text, "forty-two")
        XCTAssertEqual(runs.withLock { $0.sorted() }, ["a", "b"])
    }

    func testHexSpellsEveryByteInLowercase() {
        XCTAssertEqual([UInt8](0...255).hex.count, 512)
        XCTAssertEqual([0x00, 0x0f, 0xa0, 0xff].hex, "000fa0ff")
        XCTAssertEqual(Data([0xde, 0xad, 0xbe, 0xef]).hex, "deadbeef")
        XCTAssertEqual((0..<3).map { UInt8($0 * 100) }.lazy.filter { _ in true }.hex, "0064c8", "a sequence without contiguous storage")
        XCTAssertEqual([UInt8]().hex, "")
    }
}
