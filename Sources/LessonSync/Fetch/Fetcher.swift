import Foundation
import LessonChannel
import LessonSupport

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
    /// The host answered a request for part of a file with the whole file.
    case noRanges

    var retryable: Bool {
        switch self {
        case .notFound, .tooLarge, .disk, .deadline, .redirected, .noRanges: return false
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
        case .noRanges: return "the server answered a request for part of the file with the whole file (it does not serve Range requests)"
        case .redirected(let target): return "the server redirects to \(target), another origin; refused (sync fetches only from the channel's own scheme, host and port)"
        }
    }

    var kind: SyncError.Kind {
        switch self {
        case .tooLarge, .corrupt: return .integrity
        case .disk: return .store
        case .notFound, .redirected, .noRanges: return .source
        default: return .network
        }
    }

    static func seconds(_ s: Double) -> String { s == s.rounded() ? String(Int(s)) : String(format: "%.1f", s) }
}

/// Where a sync reads the channel from: a host over http(s) (`HTTPFetcher`), or a channel folder
/// or offline pack on this machine (`LocalFetcher`). Reads are asynchronous: a sync waits for the
/// network without holding a thread. Every byte read is counted, so a sync can report what it cost.
protocol Fetcher: Sendable {
    /// The source as the user gave it, for messages.
    var origin: String { get }
    var bytesDownloaded: Int { get }
    /// A whole file of at most `limit` bytes; nil when the source does not have it.
    func fetch(_ path: String, limit: Int) async throws -> Data?
    /// Appends to `part` until it holds `size` bytes, resuming from what it already holds.
    func download(_ path: String, size: Int, into part: URL) async throws
    func close()
}

/// A source that can send part of a file: a host answering HTTP `Range` requests.
protocol RangeFetcher: Fetcher {
    /// The bytes `range` of a file, at most `limit` of them, with where they start and the
    /// file's size; nil when the source does not have the file.
    func fetchRange(_ path: String, _ range: ByteRange, limit: Int) async throws -> RangeData?
}

/// Which bytes of a file to ask for.
enum ByteRange: Sendable, Equatable {
    /// Bytes `first...last`.
    case span(first: Int, last: Int)
    /// The last `count` bytes (all of them, when the file is shorter).
    case suffix(count: Int)

    var header: String {
        switch self {
        case .span(let first, let last): return "bytes=\(first)-\(last)"
        case .suffix(let count): return "bytes=-\(count)"
        }
    }

    var maxLength: Int {
        switch self {
        case .span(let first, let last): return last - first + 1
        case .suffix(let count): return count
        }
    }

    /// Whether a Content-Range of (start, total) answers this range.
    func matches(_ r: (start: Int, total: Int)) -> Bool {
        switch self {
        case .span(let first, let last): return r.start == first && last < r.total
        case .suffix(let count): return r.start == max(0, r.total - count)
        }
    }

    /// How many bytes the answer carries, given its Content-Range.
    func length(in r: (start: Int, total: Int)) -> Int {
        switch self {
        case .span(let first, let last): return min(last, r.total - 1) - first + 1
        case .suffix: return r.total - r.start
        }
    }
}

/// Part of a file: its bytes, the offset of the first, and the whole file's size.
struct RangeData: Sendable {
    var data: Data
    var start: Int
    var fileSize: Int
}

/// Asks again after a failure that may pass (a reset, a stall, a 5xx, a damaged body), a few
/// times with a short pause, and turns the last failure into a `SyncError` naming the file.
struct RetryPolicy: Sendable {
    var retries: Int
    var pause: TimeInterval

    func run<T>(_ path: String, _ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch let failure as FetchFailure {
                if failure.retryable && attempt <= retries {
                    try? await Task.sleep(nanoseconds: UInt64(pause * Double(attempt) * 1e9))
                    continue
                }
                let tries = attempt > 1 ? " (\(attempt) attempts)" : ""
                throw SyncError(failure.kind, "\(path): \(failure.message)\(tries)")
            }
        }
    }
}
