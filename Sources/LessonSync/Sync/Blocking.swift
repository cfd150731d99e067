import Foundation
import Synchronization

/// Runs async work to its end from synchronous code, for the synchronous `Sync.run`: the work
/// runs as a detached task, and the calling thread (which must not be one of Swift
/// concurrency's) waits for it. The one place in the sync where a thread blocks on another.
enum Blocking {
    static func wait<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { outcome.set(.success(try await operation())) } catch { outcome.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        return try outcome.get()
    }

    /// The result, written by the task and read by the waiting thread after the semaphore.
    private final class Outcome<T: Sendable>: Sendable {
        private let result = Mutex<Result<T, any Error>?>(nil)
        func set(_ r: Result<T, any Error>) { result.withLock { $0 = r } }
        func get() throws -> T { try result.withLock { $0! }.get() }
    }
}
