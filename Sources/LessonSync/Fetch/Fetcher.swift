import Foundation
import LessonChannel
import LessonSupport
#if canImport(Glibc)
import Glibc
#endif

/// How one transfer failed. `retryable` says whether asking again may help.
enum FetchFailure: Error, Equatable {
    case notFound
    case status(Int)
    /// More bytes than the file may have: its signed size, or the cap for unsigned metadata.
    case tooLarge(limit: Int)
    case stalled(seconds: Double)
    case network(String)
    /// The connection ended before the whole file arrived.
    case truncated(got: Int, expected: Int)
    /// The server answered a Range request with a range we did not ask for.
    case badRange
    /// The bytes arrived whole but do not hash to what the channel signed.
    case corrupt(String)
    case disk(String)
    /// The whole sync ran out of time (SyncOptions.deadline).
    case deadline(seconds: Double)
    /// The host redirected to another origin (given as `scheme://host:port`).
    case redirected(to: String)

    var retryable: Bool {
        switch self {
        case .notFound, .tooLarge, .disk, .deadline, .redirected: return false
        case .status(let code): return code >= 500 || code == 408 || code == 429
        case .stalled, .network, .truncated, .badRange, .corrupt: return true
        }
    }

    var message: String {
        switch self {
        case .notFound: return "not found"
        case .status(let code): return "the server answered HTTP \(code)"
        case .tooLarge(let limit): return "more than the \(limit) bytes it may have; refused (endless data)"
        case .stalled(let s): return "no data for \(Self.seconds(s)) s: the transfer stalled"
        case .network(let m): return "the connection failed: \(m)"
        case .truncated(let got, let expected): return "the connection closed after \(got) of \(expected) bytes"
        case .badRange: return "the server answered a resumed download with the wrong byte range"
        case .corrupt(let m): return m
        case .disk(let m): return "cannot write the download: \(m)"
        case .deadline(let s): return "the sync reached its deadline of \(Self.seconds(s)) s; what arrived is kept, and the next sync resumes from there"
        case .redirected(let target): return "the server redirects to \(target), another origin; refused (sync fetches only from the channel's own scheme, host and port)"
        }
    }

    static func seconds(_ s: Double) -> String { s == s.rounded() ? String(Int(s)) : String(format: "%.1f", s) }
}

/// Reads channel files from one source: plain GETs over HTTP, or files in a folder or pack.
/// Every byte read is counted, so a sync can report what it cost.
protocol Fetcher: AnyObject {
    /// The source as the user gave it, for messages.
    var origin: String { get }
    var bytesDownloaded: Int { get }
    /// A whole file of at most `limit` bytes; nil when the source does not have it.
    func fetch(_ path: String, limit: Int) throws -> Data?
    /// Appends to `part` until it holds `size` bytes, resuming from what it already holds.
    func download(_ path: String, size: Int, into part: URL) throws
    func close()
}

/// Asks again after a failure that may pass (a reset, a stall, a 5xx, a damaged body), a few
/// times with a short pause, and turns the last failure into a `SyncError` naming the file.
struct RetryPolicy {
    var retries: Int
    var pause: TimeInterval

    func run<T>(_ path: String, _ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try body()
            } catch let failure as FetchFailure {
                if failure.retryable && attempt <= retries {
                    Thread.sleep(forTimeInterval: pause * Double(attempt))
                    continue
                }
                let tries = attempt > 1 ? " (\(attempt) attempts)" : ""
                throw SyncError(failure.kind, "\(path): \(failure.message)\(tries)")
            }
        }
    }
}

extension FetchFailure {
    var kind: SyncError.Kind {
        switch self {
        case .tooLarge, .corrupt: return .integrity
        case .disk: return .store
        case .notFound, .redirected: return .source
        default: return .network
        }
    }
}

/// A channel folder, an unpacked pack, or a pack .zip read into memory.
final class LocalFetcher: Fetcher {
    let origin: String
    private let reader: (String, Int) throws -> Data?
    private let lock = NSLock()
    private var read = 0

    init(origin: String, reader: @escaping (String, Int) throws -> Data?) {
        self.origin = origin
        self.reader = reader
    }

    static func directory(_ root: URL) -> LocalFetcher {
        LocalFetcher(origin: root.path) { path, limit in
            guard ZipReader.isSafeName(path) else { return nil }
            let file = root.appendingPathComponent(path).path
            var st = stat()
            guard stat(file, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
            // Checked before reading, so a huge file on a hostile SD card is never loaded.
            guard Int(st.st_size) <= limit else { throw FetchFailure.tooLarge(limit: limit) }
            do { return try Data(contentsOf: URL(fileURLWithPath: file)) } catch { throw FetchFailure.disk("\(file): \(error.localizedDescription)") }
        }
    }

    /// A pack on an SD card may be hostile: entries are read one at a time, each refused
    /// before it is read when it is larger than its limit (its signed size).
    static func zip(_ archive: ZipReader, origin: String) -> LocalFetcher {
        LocalFetcher(origin: origin) { path, limit in
            guard let size = archive.size(of: path) else { return nil }
            guard size <= limit else { throw FetchFailure.tooLarge(limit: limit) }
            do { return try archive.read(path, limit: limit) } catch { throw FetchFailure.corrupt("\(error); refused") }
        }
    }

    var bytesDownloaded: Int { lock.lock(); defer { lock.unlock() }; return read }

    func fetch(_ path: String, limit: Int) throws -> Data? {
        let data = try reader(path, limit)
        lock.lock(); read += data?.count ?? 0; lock.unlock()
        return data
    }

    func download(_ path: String, size: Int, into part: URL) throws {
        guard let data = try fetch(path, limit: size) else { throw FetchFailure.notFound }
        do { try FileIO.write(data, to: part.path) } catch { throw FetchFailure.disk("\(error)") }
    }

    func close() {}
}

/// The channel files a sync reads, as a `ChannelSource` (so `KeyChain` and `readSigned` work on
/// it), each fetched once, with a size cap per file and retries.
final class FetcherSource: ChannelSource {
    let fetcher: Fetcher
    let retry: RetryPolicy
    /// Caps for files whose size is known (the manifest) or bounded by it (diffs).
    var limits: [String: Int] = [:]
    private(set) var files: [String: Data?] = [:]

    /// latest.json, pack.json, key lists and signatures are a few hundred bytes each.
    static let smallFileLimit = 64 << 10
    static let signatureLimit = 16 << 10

    init(_ fetcher: Fetcher, retry: RetryPolicy) {
        self.fetcher = fetcher
        self.retry = retry
    }

    func read(_ path: String) throws -> Data? {
        if let cached = files[path] { return cached }
        let limit = limits[path] ?? (path.hasSuffix(".minisig") ? Self.signatureLimit : Self.smallFileLimit)
        let data = try retry.run(path) { try fetcher.fetch(path, limit: limit) }
        files[path] = data
        return data
    }

    func list(under prefix: String) throws -> [String] { [] }

    /// Every file fetched whose path starts with one of `prefixes`.
    func fetched(_ prefixes: [String]) -> [String: Data] {
        var out: [String: Data] = [:]
        for (path, data) in files { if let data, prefixes.contains(where: { path.hasPrefix($0) }) { out[path] = data } }
        return out
    }
}
