import XCTest
@testable import LessonCompiler

final class CommonMarkTests: XCTestCase {
    /// cmark-gfm keeps the inline extensions' trigger characters in one global table; lessons
    /// are parsed on many threads at once, and every one must still see `~~` and `www.`.
    func testInlineExtensionsSurviveParallelParsing() {
        let count = 400
        let results = Results(count)
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let doc = CommonMark.parse("Lesson \(i): ~~old~~ new, see www.example.org/\(i) now.\n")
            let kinds = doc.children.first?.children.map(\.kind) ?? []
            results.set(i, kinds.contains(.strikethrough) && kinds.contains(.link))
        }
        XCTAssertEqual(results.failures, [])
    }

    func testSourcePositionsAreOneBased() {
        let doc = CommonMark.parse("Text.\n\n> [!NOTE]\n> See *this*.\n")
        XCTAssertEqual(doc.children.map { "\($0.kind)@\($0.line):\($0.column)" }, ["paragraph@1:1", "blockQuote@3:1"])
        let emphasis = doc.children[1].children[0].children.first { $0.kind == .emphasis }
        XCTAssertEqual(emphasis.map { "\($0.line):\($0.column)" }, "4:7")
    }
}

private final class Results: @unchecked Sendable {
    private var ok: [Bool]
    private let lock = NSLock()
    init(_ n: Int) { ok = Array(repeating: false, count: n) }
    func set(_ i: Int, _ v: Bool) { lock.lock(); ok[i] = v; lock.unlock() }
    var failures: [Int] { lock.lock(); defer { lock.unlock() }; return ok.indices.filter { !ok[$0] } }
}
