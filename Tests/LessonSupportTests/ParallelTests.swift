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
}
