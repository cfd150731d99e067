import Foundation
import Synchronization

/// Runs async work to its end from synchronous code, for the synchronous `Sync.run`, on the
/// calling thread: the work's jobs (the task's and its child tasks') run there, one at a time,
/// as they become ready, and the thread sleeps while they all wait (on the network, or on file
/// work in `DiskWork`). So the blocking form uses the thread it blocks, and a sync's steps hand
/// off between threads no more than a plain blocking client would. The calling thread must not
/// be one of Swift concurrency's own.
enum Blocking {
    static func wait<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let executor = CallingThreadExecutor()
        let outcome = Outcome<T>()
        Task(executorPreference: executor) {
            do { outcome.set(.success(try await operation())) } catch { outcome.set(.failure(error)) }
            executor.finish()
        }
        executor.runUntilFinished()
        return try outcome.get()
    }

    /// The result, written by the task and read by the calling thread once it has finished.
    private final class Outcome<T: Sendable>: Sendable {
        private let result = Mutex<Result<T, any Error>?>(nil)
        func set(_ r: Result<T, any Error>) { result.withLock { $0 = r } }
        func get() throws -> T { try result.withLock { $0! }.get() }
    }
}

/// A task executor whose jobs run on the thread that calls `runUntilFinished`.
final class CallingThreadExecutor: TaskExecutor, Sendable {
    private struct Queue {
        var jobs: [UnownedJob] = []
        var finished = false
    }
    private let queue = Mutex(Queue())
    /// Signalled once per job enqueued, and once at the end.
    private let ready = DispatchSemaphore(value: 0)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.jobs.append(job) }
        ready.signal()
    }

    func finish() {
        queue.withLock { $0.finished = true }
        ready.signal()
    }

    func runUntilFinished() {
        while true {
            ready.wait()
            let next: UnownedJob?? = queue.withLock { q in
                if !q.jobs.isEmpty { return .some(q.jobs.removeFirst()) }
                return q.finished ? .none : .some(nil)
            }
            guard case .some(let job) = next else { return }
            job?.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
