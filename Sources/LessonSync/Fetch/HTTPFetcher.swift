import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Plain GETs of static files over http(s). Every device sends the same request for the same
/// file: no cookies, no cache, no credentials, no query string, and only constant headers, so the
/// host learns nothing about who asks beyond the address the request comes from.
///
/// A hostile or broken host cannot hold a sync: a transfer that receives nothing for `timeout`
/// seconds is cancelled whatever state it is in, the whole sync stops at `deadline`, a redirect
/// to another origin is refused, and a body longer than the file may be is refused as it arrives.
///
/// Thread model: a request is an `async` call that suspends (holding no thread) until its
/// transfer ends. URLSession runs the transfers and delivers their bytes to `HTTPTransfers` on
/// its own thread; a watchdog task checks every in-flight transfer a few times a second for a
/// stall or the deadline. Whichever ends a transfer first (the delegate or the watchdog)
/// resumes the waiting call, exactly once.
final class HTTPFetcher: RangeFetcher {
    static let userAgent = "lessonc-sync/1"
    /// Constant values for the headers URLSession would otherwise fill from the device (its
    /// language) or from libcurl (the encodings it was built with). `identity`: objects are
    /// hashed exactly as stored, so nothing may re-encode them on the way.
    static let headers = ["User-Agent": userAgent, "Accept": "*/*", "Accept-Language": "*", "Accept-Encoding": "identity"]

    let base: URL
    let origin: String
    let timeout: TimeInterval
    let deadline: SyncDeadline
    private let transfers: HTTPTransfers
    private let session: URLSession
    private let watchdog: Task<Void, Never>

    /// `timeout`: how long a transfer may go without receiving a byte before it counts as stalled.
    init(base: URL, timeout: TimeInterval, deadline: SyncDeadline) throws {
        guard let scheme = base.scheme?.lowercased(), scheme == "http" || scheme == "https", base.host != nil else {
            throw SyncError(.source, "\(base.absoluteString): not an http(s) URL")
        }
        guard base.query == nil, base.fragment == nil, base.user == nil, base.password == nil else {
            throw SyncError(.source, "\(base.absoluteString): a channel URL has no query string, fragment, user name or password; sync sends plain GETs of static files")
        }
        self.base = base
        self.origin = base.absoluteString
        self.timeout = timeout
        self.deadline = deadline
        let transfers = HTTPTransfers(base: base, timeout: timeout)
        self.transfers = transfers
        let c = URLSessionConfiguration.ephemeral
        c.httpCookieStorage = nil
        c.httpShouldSetCookies = false
        c.httpCookieAcceptPolicy = .never
        c.urlCredentialStorage = nil
        c.urlCache = nil
        c.requestCachePolicy = .reloadIgnoringLocalCacheData
        // URLSession's own idle timeout on Linux works in whole seconds (and fires at once below
        // one); the watchdog is the precise one, this is only a backstop.
        c.timeoutIntervalForRequest = Self.backstop(timeout)
        c.httpAdditionalHeaders = nil
        #if canImport(FoundationNetworking)
        session = URLSession(configuration: c, delegate: transfers, delegateQueue: InlineQueue())
        #else
        session = URLSession(configuration: c, delegate: transfers, delegateQueue: nil)
        #endif
        // Always on, whatever a transfer is doing (waiting for headers, for a body after an
        // error status, for the rest of a drip-fed file): a stall or the deadline ends it.
        let tick = UInt64(max(0.02, min(0.25, timeout / 10)) * 1e9)
        watchdog = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: tick)
                transfers.expire(deadline: deadline)
            }
        }
    }

    static func backstop(_ timeout: TimeInterval) -> TimeInterval { max(2, timeout * 2).rounded(.up) }

    var bytesDownloaded: Int { transfers.received }

    func close() {
        watchdog.cancel()
        session.invalidateAndCancel()
    }

    func fetch(_ path: String, limit: Int) async throws -> Data? {
        let outcome = await perform(path, HTTPTransfers.Request(limit: limit))
        if outcome.failure == .notFound { return nil }
        if let failure = outcome.failure { throw failure }
        return outcome.data
    }

    func download(_ path: String, size: Int, into part: URL) async throws {
        var have = Self.fileSize(part.path)
        if have > size { unlink(part.path); have = 0 }
        if have == size { return }
        let fd = open(part.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FetchFailure.disk("\(part.path): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(fd) }
        let outcome = await perform(path, HTTPTransfers.Request(limit: size - have, rangeStart: have, total: size, fd: fd))
        if let failure = outcome.failure {
            // Keep what arrived for the next attempt to resume, unless nothing did or the
            // server sent more than the object may have.
            if Self.fileSize(part.path) == 0 || failure == .tooLarge(limit: size) { unlink(part.path) }
            throw failure
        }
        let now = Self.fileSize(part.path)
        if now != size { throw FetchFailure.truncated(got: now, expected: size) }
    }

    func fetchRange(_ path: String, _ range: ByteRange, limit: Int) async throws -> RangeData? {
        var request = HTTPTransfers.Request(limit: min(limit, range.maxLength))
        request.range = range
        let outcome = await perform(path, request)
        if outcome.failure == .notFound { return nil }
        if let failure = outcome.failure { throw failure }
        guard let r = outcome.contentRange, outcome.data.count == range.length(in: r) else {
            throw FetchFailure.truncated(got: outcome.data.count, expected: outcome.contentRange.map { range.length(in: $0) } ?? 0)
        }
        return RangeData(data: outcome.data, start: r.start, fileSize: r.total)
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    /// One GET, from the request to the end of its transfer.
    private func perform(_ path: String, _ request: HTTPTransfers.Request) async -> HTTPTransfers.Outcome {
        if deadline.passed { return HTTPTransfers.Outcome(data: Data(), failure: .deadline(seconds: deadline.seconds)) }
        var r = URLRequest(url: base.appendingPathComponent(path), cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: Self.backstop(timeout))
        r.httpMethod = "GET"
        r.httpShouldHandleCookies = false
        for (name, value) in Self.headers { r.setValue(value, forHTTPHeaderField: name) }
        if request.rangeStart > 0 { r.setValue("bytes=\(request.rangeStart)-", forHTTPHeaderField: "Range") }
        if let range = request.range { r.setValue(range.header, forHTTPHeaderField: "Range") }
        let task = session.dataTask(with: r)
        return await withCheckedContinuation { continuation in
            transfers.start(task, request, continuation)
        }
    }

    /// The first byte of `bytes S-E/T`, when T is the size we expect.
    static func rangeStart(_ value: String?, total: Int?) -> Int? {
        guard let value, value.hasPrefix("bytes ") else { return nil }
        let parts = value.dropFirst(6).split(separator: "/")
        guard parts.count == 2, let dash = parts[0].firstIndex(of: "-"), let start = Int(parts[0][..<dash]) else { return nil }
        if let total, Int(parts[1]) != total { return nil }
        return start
    }

    /// `bytes S-E/T` as (S, T), when it is well formed (S ≤ E < T).
    static func contentRange(_ value: String?) -> (start: Int, total: Int)? {
        guard let value, value.hasPrefix("bytes ") else { return nil }
        let parts = value.dropFirst(6).split(separator: "/")
        guard parts.count == 2, let dash = parts[0].firstIndex(of: "-"), let start = Int(parts[0][..<dash]),
              let end = Int(parts[0][parts[0].index(after: dash)...]), let total = Int(parts[1]),
              start <= end, end < total else { return nil }
        return (start, total)
    }

    /// `scheme://host:port`, with the scheme's default port written out.
    static func origin(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        let port = url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : 0)
        return "\(scheme)://\(url.host?.lowercased() ?? ""):\(port)"
    }
}

#if canImport(FoundationNetworking)
/// URLSession on Linux hands every chunk libcurl reads to the delegate queue and reads on
/// without waiting, so a host sending an endless body filled memory (190–530 MB) before the
/// refusal took effect. Running the delegate's callbacks at once, on URLSession's own queue,
/// makes libcurl wait for each: memory stays at one chunk, and a refused transfer stops at once.
/// Every callback in `HTTPTransfers` is short and never waits for URLSession.
///
/// `@unchecked Sendable` is restated from `OperationQueue` (Swift requires a subclass to say
/// so): this subclass adds no stored state, and running a block at once on the calling thread
/// shares nothing between threads that `OperationQueue` itself did not.
final class InlineQueue: OperationQueue, @unchecked Sendable {
    override init() {
        super.init()
        maxConcurrentOperationCount = 1
    }

    override func addOperation(_ block: @escaping @Sendable () -> Void) { block() }
}
#endif
