import Foundation
import XCTest
@testable import LessonSupport

final class FileLockTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-lock-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testOneHolderAtATimeAndTheFileGoesWithTheLock() throws {
        let path = dir.appendingPathComponent(".lock").path
        let first = try FileLock(path: path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        XCTAssertThrowsError(try FileLock(path: path)) { XCTAssertEqual($0 as? FileLock.Failure, .busy) }
        first.release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "the holder deletes the lock file when it lets go")
        first.release()
        let second = try FileLock(path: path)
        XCTAssertThrowsError(try FileLock(path: path)) { XCTAssertEqual($0 as? FileLock.Failure, .busy) }
        second.release()
    }

    /// A lock file left by a killed process (unlocked by the kernel) is taken over.
    func testALeftoverLockFileIsTakenOver() throws {
        let path = dir.appendingPathComponent(".lock").path
        try Data().write(to: URL(fileURLWithPath: path))
        let lock = try FileLock(path: path)
        lock.release()
    }

    /// The race the rule closes: this locker opened the file and locked it, but meanwhile the
    /// holder deleted it (and a third writer created a new one). The lock taken is on a file no
    /// one else can find, so the locker must start again and lock the file now at the path.
    func testALockOnADeletedFileIsTakenAgainOnTheFileAtThePath() throws {
        let path = dir.appendingPathComponent(".lock").path
        var rounds = 0
        let lock = try FileLock(path: path) {
            rounds += 1
            if rounds == 1 {
                unlink(path)
                _ = FileManager.default.createFile(atPath: path, contents: nil)
            }
        }
        XCTAssertEqual(rounds, 2)
        XCTAssertThrowsError(try FileLock(path: path)) { XCTAssertEqual($0 as? FileLock.Failure, .busy) }
        lock.release()
    }

    func testAFolderThatCannotHoldTheLockSaysWhy() {
        let path = dir.appendingPathComponent("missing/.lock").path
        XCTAssertThrowsError(try FileLock(path: path)) { XCTAssertEqual($0 as? FileLock.Failure, .cannotOpen("No such file or directory")) }
    }
}
