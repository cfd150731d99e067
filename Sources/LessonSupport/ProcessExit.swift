import Synchronization

/// Lets a command-line run leave its large in-memory results (ten thousand lesson records, the
/// cache's dictionaries) for the operating system to reclaim at exit, instead of freeing them
/// object by object just before exiting: at 10,000 lessons that took tens of milliseconds of a
/// one-lesson rebuild. Only the `lessonc` executable turns it on; in tests and other long-lived
/// processes `keep` does nothing, so nothing is held longer than its scope.
public enum ProcessExit {
    private static let kept = Mutex<[any Sendable]?>(nil)

    /// Called once by the executable, before it runs a command that exits afterwards.
    public static func freeNothingAtExit() {
        kept.withLock { if $0 == nil { $0 = [] } }
    }

    /// Holds `value` until the process exits, when `freeNothingAtExit` was called.
    public static func keep(_ value: some Sendable) {
        kept.withLock { $0?.append(value) }
    }
}
