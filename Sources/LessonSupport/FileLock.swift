import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// "One writer at a time" for a folder: an exclusive advisory lock (flock(2)) on a lock file in
/// it. Publish holds one on the channel (`.lessonc-lock`), sync on the device store (`.lock`).
///
/// The rule, which makes deleting the lock file safe: only the holder deletes it, just before
/// it unlocks; and whoever locks it checks afterwards that the path still names the file it
/// locked (same device and inode). A locker that opened the file just before the holder deleted
/// it gets its lock on a file nobody else can find any more, sees that, and starts again on the
/// new file. So two writers never both hold the lock, and no lock file outlives its writer except
/// after a crash, when the kernel has already released it and the next writer takes it over.
public final class FileLock: Sendable {
    public enum Failure: Error, Equatable {
        /// Another process (or another `FileLock` in this one) holds it.
        case busy
        /// The lock file cannot be created or opened (the reason, from the system).
        case cannotOpen(String)
    }

    public let path: String
    private let fd: Int32
    private let released = Mutex(false)

    /// Takes the lock without waiting, or throws `.busy`.
    public convenience init(path: String) throws(Failure) {
        try self.init(path: path, afterLocking: {})
    }

    /// `afterLocking` runs between taking the lock and checking the path, for tests of the race
    /// the check closes.
    init(path: String, afterLocking: () -> Void) throws(Failure) {
        self.path = path
        // A deleted-and-recreated file can only make a locker start again as often as another
        // writer takes and releases the lock in between; a few hundred rounds means something
        // else is deleting the file, and the lock is as good as busy.
        for _ in 0..<256 {
            let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .cannotOpen(String(cString: strerror(errno))) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                close(fd)
                throw .busy
            }
            afterLocking()
            var locked = stat(), named = stat()
            if fstat(fd, &locked) == 0, stat(path, &named) == 0, locked.st_dev == named.st_dev, locked.st_ino == named.st_ino {
                self.fd = fd
                return
            }
            close(fd)
        }
        throw .busy
    }

    /// Deletes the lock file and unlocks it (in that order: see the rule above). Only the first
    /// call does anything.
    public func release() {
        let first = released.withLock { released in
            defer { released = true }
            return !released
        }
        guard first else { return }
        unlink(path)
        flock(fd, LOCK_UN)
        close(fd)
    }

    deinit { release() }
}
