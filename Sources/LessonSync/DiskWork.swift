import Foundation

/// Blocking file work for async code (reading a channel folder or pack, reading a download back,
/// hashing it, fsync, rename): run on a dispatch queue, so a slow disk holds one of its threads,
/// never one of the few (one per core) that run every task. An fsync on a phone's flash can take
/// tens of milliseconds; on a task's thread it would hold up every other download meanwhile.
enum DiskWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}
