import Foundation
import LessonChannel
import LessonSupport

public struct SyncOptions: Sendable {
    /// An `http(s)://` channel URL, a `file://` URL or path of a channel folder, or an offline
    /// pack `.zip`.
    public var source: String
    public var store: URL
    /// Public keys the app trusts; the channel's key must be one of them or be reached from one
    /// through the signed key chain.
    public var trustedKeys: [MinisignPublicKey]
    /// nil: the subscription stored in the store, or everything on a first sync (a pack's own
    /// curriculum and locale when syncing from a pack).
    public var subscription: Subscription?
    /// Seconds since 1970, for the expiry check.
    public var now = Int(Date().timeIntervalSince1970)
    /// Seconds without a byte before a transfer counts as stalled.
    public var timeout: TimeInterval = 30
    /// Seconds the whole sync may take over the network. When they run out the sync stops,
    /// keeps what it downloaded, and the next sync resumes; a host dripping bytes slowly enough
    /// never to stall cannot hold the store's lock longer than this.
    public var deadline: TimeInterval = 900
    /// Further attempts after a failure that may pass (reset, stall, 5xx, a damaged body).
    public var retries = 2
    public var retryPause: TimeInterval = 0.25
    /// Downloads in flight at once.
    public var concurrency = 4
    /// Bulk transfer: when a sync from a host lacks at least this many objects of one curriculum
    /// × locale, it reads them from that part's offline pack with HTTP `Range` requests (a few
    /// large spans) instead of one request each (`PackRead`). nil: always one request per object.
    public var bulkMinimum: Int? = 16
    /// The most bytes one Range request of a bulk transfer reads (`concurrency` of them are held
    /// in memory at once): less on a device short of memory, more on a link with a long round trip.
    public var bulkSpanBytes = 4 << 20
    /// Called as the sync moves on, one call at a time.
    public var progress: (@Sendable (SyncProgress) -> Void)?

    public init(source: String, store: URL, trustedKeys: [MinisignPublicKey], subscription: Subscription? = nil) {
        self.source = source
        self.store = store
        self.trustedKeys = trustedKeys
        self.subscription = subscription
    }
}

/// The update protocol (TUF's client workflow, on the channel format of DESIGN.md):
///
/// 1. fetch latest.json (or pack.json) and its signature; check it with the key the store
///    already trusts, or follow keys.json from a trusted key through the signed chain;
/// 2. refuse a release older than the store's (rollback) and an expired latest.json (freeze);
/// 3. fetch the diff from the store's release, or the manifest when there is none or the
///    subscription changed, and check its signature (and the manifest's hash);
/// 4. work out the new parts (curriculum × locale) the subscription holds, checking each part's
///    hash against the diff, so objects of two releases can never mix;
/// 5. download only the objects the store lacks (or rebuild them from deltas), each capped at its
///    signed size and checked against its hash, into `partial/` and then `objects/`;
/// 6. write the new state folder, flush it, rename `CURRENT` to it, and remove what is unused.
///
/// Completed objects and partial downloads survive an interruption, so the next sync resumes.
///
/// Threads: a sync is one task. It waits for the network without holding a thread (`Fetcher`
/// is async; `HTTPFetcher` says how), runs up to `SyncOptions.concurrency` downloads at once in a
/// task group (`Downloader`), does blocking file work on a dispatch queue (`DiskWork`), and
/// hashes many files at once with `Parallel.map` (CPU work).
public enum Sync {
    public static func run(_ options: SyncOptions) async throws -> SyncReport {
        guard !options.trustedKeys.isEmpty else { throw SyncError(.untrusted, "no trusted public key was given") }
        let writer = try StoreWriter(DeviceStore(options.store))
        defer { writer.unlock() }
        let current: CurrentState?
        do { current = try writer.store.loadCurrent() } catch {
            throw SyncError(.store, "the store cannot be read: \(error); move it aside and sync into an empty folder")
        }
        writer.removeStaleStates(keeping: current?.name)
        let fetcher = try makeFetcher(options.source, timeout: options.timeout, deadline: SyncDeadline(seconds: options.deadline))
        defer { fetcher.close() }
        var run = SyncRun(o: options, writer: writer, current: current, fetcher: fetcher)
        do {
            return try await run.execute()
        } catch let e as ChannelFormatError {
            throw SyncError(.integrity, e.message + "; refused")
        } catch let e as StoreError {
            throw SyncError(.store, e.message)
        }
    }

    /// The same, for callers outside Swift concurrency (the CLI, an app's background thread):
    /// blocks the calling thread until the sync ends. From async code, call the async form: this
    /// one would hold one of the few threads async work runs on while it waits.
    public static func run(_ options: SyncOptions) throws -> SyncReport {
        try Blocking.wait { try await run(options) }
    }

    static func makeFetcher(_ source: String, timeout: TimeInterval, deadline: SyncDeadline) throws -> any Fetcher {
        let lower = source.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let url = URL(string: source) else { throw SyncError(.source, "\(source): not a valid URL") }
            return try HTTPFetcher(base: url, timeout: timeout, deadline: deadline)
        }
        var path = source
        if lower.hasPrefix("file://") {
            guard let url = URL(string: source), url.isFileURL, url.query == nil else { throw SyncError(.source, "\(source): not a valid file URL") }
            path = url.path
        } else if let scheme = source.range(of: "://") {
            throw SyncError(.source, "\(source): unsupported scheme '\(source[..<scheme.lowerBound])'; use http://, https://, file:// or a path")
        }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        do throws(LocalChannel.OpenError) {
            let local = try LocalChannel.open(url)
            return LocalFetcher(local, origin: local is DirectorySource ? url.path : path)
        } catch {
            switch error {
            case .doesNotExist: throw SyncError(.source, "\(path) does not exist")
            case .notAPack(let why): throw SyncError(.source, "\(path): not a channel folder or an offline pack (\(why))")
            }
        }
    }
}
