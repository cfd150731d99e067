import XCTest
import LessonSupport

final class ProgressLineTests: XCTestCase {
    let erase = "\r\u{1B}[K"

    func testEachStepSaysWhatIsDoneOfHowMany() {
        XCTAssertEqual(WorkProgress(.loading).text, "loading content/ and locales/")
        XCTAssertEqual(WorkProgress(.compiling, done: 1200, total: 10000).text, "compiled 1200/10000 lessons (12%)")
        XCTAssertEqual(WorkProgress(.checking, done: 3, total: 3).text, "checked 3/3 lessons (100%)")
        XCTAssertEqual(WorkProgress(.extracting, done: 0, total: 7).text, "extracted 0/7 lessons (0%)")
        XCTAssertEqual(WorkProgress(.writingObjects, done: 5, total: 20).text, "wrote 5/20 objects (25%)")
        XCTAssertEqual(WorkProgress(.writingPacks, done: 1, total: 2).text, "wrote 1/2 packs (50%)")
        XCTAssertEqual(WorkProgress(.rendering, done: 2, total: 3).text, "rendered 2/3 pages (66%)")
        XCTAssertFalse(WorkProgress(.compiling, done: 9, total: 10).isFinal)
        XCTAssertTrue(WorkProgress(.compiling, done: 10, total: 10).isFinal)
        XCTAssertFalse(WorkProgress(.loading).isFinal)
    }

    /// Every draw goes back to the start of the line and erases it, then writes label and text.
    func testALineIsRedrawnInPlaceAndClearedOnce() {
        var line = ProgressLine(label: "lessonc build")
        XCTAssertNil(line.clear(), "nothing shown, nothing to clear")
        XCTAssertFalse(line.isShown)
        XCTAssertEqual(line.update("loading", now: 0), "\(erase)lessonc build: loading")
        XCTAssertTrue(line.isShown)
        XCTAssertEqual(line.update("compiled 1/2 lessons", now: 1), "\(erase)lessonc build: compiled 1/2 lessons")
        XCTAssertNil(line.update("compiled 1/2 lessons", now: 2), "the same text is not drawn again")
        XCTAssertEqual(line.clear(), erase)
        XCTAssertNil(line.clear(), "cleared once")
        XCTAssertEqual(line.update("compiled 1/2 lessons", now: 2), "\(erase)lessonc build: compiled 1/2 lessons", "after clearing, the text is drawn again")
    }

    /// At most one redraw per interval (ten a second), unless forced.
    func testRedrawsAreThrottled() {
        // Time in milliseconds here, so the sums are exact.
        var line = ProgressLine(label: "x", interval: 100)
        var drawn: [String] = []
        // 1,000 updates over one second: ten get drawn.
        for i in 0..<1000 {
            if let s = line.update("\(i)", now: Double(i)) { drawn.append(s) }
        }
        XCTAssertEqual(drawn.count, 10, "\(drawn)")
        XCTAssertEqual(drawn.first, "\(erase)x: 0")
        XCTAssertEqual(drawn[1], "\(erase)x: 100")
        XCTAssertEqual(drawn.last, "\(erase)x: 900")
        XCTAssertNil(line.update("late", now: 950))
        XCTAssertEqual(line.update("forced", now: 950, force: true), "\(erase)x: forced")
    }

    /// A new step and a step's last count are drawn even within the interval; counts between are not.
    func testNewStepsAndLastCountsAreAlwaysDrawn() {
        var line = ProgressLine(label: "lessonc publish")
        XCTAssertEqual(line.update(WorkProgress(.loading), now: 0), "\(erase)lessonc publish: loading content/ and locales/")
        XCTAssertEqual(line.update(WorkProgress(.compiling, done: 0, total: 3), now: 0.01), "\(erase)lessonc publish: compiled 0/3 lessons (0%)")
        XCTAssertNil(line.update(WorkProgress(.compiling, done: 1, total: 3), now: 0.02))
        XCTAssertNil(line.update(WorkProgress(.compiling, done: 2, total: 3), now: 0.03))
        XCTAssertEqual(line.update(WorkProgress(.compiling, done: 3, total: 3), now: 0.04), "\(erase)lessonc publish: compiled 3/3 lessons (100%)")
        XCTAssertEqual(line.update(WorkProgress(.writingObjects, done: 0, total: 9), now: 0.05), "\(erase)lessonc publish: wrote 0/9 objects (0%)")
        XCTAssertEqual(line.update(WorkProgress(.writingObjects, done: 4, total: 9), now: 0.2), "\(erase)lessonc publish: wrote 4/9 objects (44%)")
        XCTAssertNil(line.update(WorkProgress(.writingObjects, done: 3, total: 9), now: 0.4), "a thread reporting late does not take the count back")
    }

    /// A line wider than the terminal would wrap, and a carriage return could not take it back.
    func testLinesAreCutToTheTerminalWidth() {
        var line = ProgressLine(label: "lessonc sync", width: 20)
        XCTAssertEqual(line.update("checking /a/very/long/channel/path", now: 0), "\(erase)lessonc sync: chec…")
        XCTAssertEqual(Array("lessonc sync: chec…").count, 19, "one column left free")
        XCTAssertEqual(line.update("ok", now: 1), "\(erase)lessonc sync: ok")
        var unknown = ProgressLine(label: "lessonc sync", width: nil)
        XCTAssertEqual(unknown.update("checking /a/very/long/channel/path", now: 0), "\(erase)lessonc sync: checking /a/very/long/channel/path")
    }
}
