import Foundation

/// When a whole sync must stop (SyncOptions.deadline), however the host behaves.
struct SyncDeadline: Sendable {
    let seconds: TimeInterval
    let at: DispatchTime

    init(seconds: TimeInterval) {
        self.seconds = seconds
        at = .now() + .nanoseconds(Int(min(seconds, 1e9) * 1e9))
    }

    var passed: Bool { DispatchTime.now() >= at }
}
