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
final class HTTPFetcher: NSObject, Fetcher, URLSessionDataDelegate, @unchecked Sendable {
    static let userAgent = "lessonc-sync/1"
    /// Constant values for the headers URLSession would otherwise fill from the device (its
    /// language) or from libcurl (the encodings it was built with). `identity`: objects are
    /// hashed exactly as stored, so nothing may re-encode them on the way.
    static let headers = ["User-Agent": userAgent, "Accept": "*/*", "Accept-Language": "*", "Accept-Encoding": "identity"]

    let base: URL
    let origin: String
    let timeout: TimeInterval
    private var session: URLSession!
    private let lock = NSLock()
    private var transfers: [Int: Transfer] = [:]
    private var received = 0

    /// One request in flight: where its body goes and how much of it may come.
    private final class Transfer {
        /// Bytes this response may carry.
        var limit: Int
        let rangeStart: Int
        /// The whole file's size, when known (downloads).
        let total: Int?
        /// The .part file, or -1 to collect the body in memory.
        let fd: Int32
        var data = Data()
        var count = 0
        var failure: FetchFailure?
        /// When a byte (or the response) last arrived, for the stall watchdog.
        var lastActivity = DispatchTime.now()
        let done = DispatchSemaphore(value: 0)

        init(limit: Int, rangeStart: Int = 0, total: Int? = nil, fd: Int32 = -1) {
            self.limit = limit; self.rangeStart = rangeStart; self.total = total; self.fd = fd
        }
    }

    /// `timeout`: how long a transfer may go without receiving a byte before it counts as stalled.
    init(base: URL, timeout: TimeInterval) throws {
        guard let scheme = base.scheme?.lowercased(), scheme == "http" || scheme == "https", base.host != nil else {
            throw SyncError(.source, "\(base.absoluteString): not an http(s) URL")
        }
        guard base.query == nil, base.fragment == nil, base.user == nil, base.password == nil else {
            throw SyncError(.source, "\(base.absoluteString): a channel URL has no query string, fragment, user name or password; sync sends plain GETs of static files")
        }
        self.base = base
        self.origin = base.absoluteString
        self.timeout = timeout
        super.init()
        let c = URLSessionConfiguration.ephemeral
        c.httpCookieStorage = nil
        c.httpShouldSetCookies = false
        c.httpCookieAcceptPolicy = .never
        c.urlCredentialStorage = nil
        c.urlCache = nil
        c.requestCachePolicy = .reloadIgnoringLocalCacheData
        // URLSession's own idle timeout on Linux works in whole seconds (and fires at once below
        // one); the watchdog in `perform` is the precise one, this is only a backstop.
        c.timeoutIntervalForRequest = backstop
        c.httpAdditionalHeaders = nil
        session = URLSession(configuration: c, delegate: self, delegateQueue: nil)
    }

    var backstop: TimeInterval { max(2, timeout * 2).rounded(.up) }

    var bytesDownloaded: Int { lock.lock(); defer { lock.unlock() }; return received }

    func close() { session.invalidateAndCancel() }

    func fetch(_ path: String, limit: Int) throws -> Data? {
        let t = perform(path, Transfer(limit: limit))
        if t.failure == .notFound { return nil }
        if let failure = t.failure { throw failure }
        return t.data
    }

    func download(_ path: String, size: Int, into part: URL) throws {
        var have = Self.fileSize(part.path)
        if have > size { unlink(part.path); have = 0 }
        if have == size { return }
        let fd = open(part.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FetchFailure.disk("\(part.path): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(fd) }
        let t = perform(path, Transfer(limit: size - have, rangeStart: have, total: size, fd: fd))
        if let failure = t.failure {
            // Keep what arrived for the next attempt to resume, unless nothing did or the
            // server sent more than the object may have.
            if Self.fileSize(part.path) == 0 || failure == .tooLarge(limit: size) { unlink(part.path) }
            throw failure
        }
        let now = Self.fileSize(part.path)
        if now != size { throw FetchFailure.truncated(got: now, expected: size) }
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    private func perform(_ path: String, _ t: Transfer) -> Transfer {
        var request = URLRequest(url: base.appendingPathComponent(path), cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: backstop)
        request.httpMethod = "GET"
        request.httpShouldHandleCookies = false
        for (name, value) in Self.headers { request.setValue(value, forHTTPHeaderField: name) }
        if t.rangeStart > 0 { request.setValue("bytes=\(t.rangeStart)-", forHTTPHeaderField: "Range") }
        let task = session.dataTask(with: request)
        lock.lock(); transfers[task.taskIdentifier] = t; lock.unlock()
        // A transfer that receives nothing for `timeout` seconds has stalled: cancel it.
        let watchdog = DispatchSource.makeTimerSource(queue: .global())
        let tick = max(0.02, min(0.25, timeout / 10))
        watchdog.schedule(deadline: .now() + tick, repeating: tick)
        let limit = DispatchTimeInterval.nanoseconds(Int(timeout * 1e9))
        watchdog.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock()
            let stalled = t.failure == nil && t.lastActivity + limit < .now()
            if stalled { t.failure = .stalled(seconds: self.timeout) }
            self.lock.unlock()
            if stalled { task.cancel() }
        }
        watchdog.resume()
        task.resume()
        t.done.wait()
        watchdog.cancel()
        return t
    }

    private func transfer(_ task: URLSessionTask) -> Transfer? {
        lock.lock(); defer { lock.unlock() }
        return transfers[task.taskIdentifier]
    }

    // MARK: - URLSessionDataDelegate
    // Called on the session's serial queue. The lock guards what the watchdog and the waiting
    // caller also touch (failure, activity, the byte count); it is never held while calling
    // into URLSession, which may call back at once.

    private func fail(_ t: Transfer, _ failure: FetchFailure) {
        lock.lock()
        if t.failure == nil { t.failure = failure }
        lock.unlock()
    }

    private func failed(_ t: Transfer) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return t.failure != nil
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let t = transfer(dataTask) else { completionHandler(.cancel); return }
        lock.lock(); t.lastActivity = .now(); lock.unlock()
        let http = response as? HTTPURLResponse
        func header(_ name: String) -> String? {
            http?.allHeaderFields.first { ($0.key as? String)?.lowercased() == name.lowercased() }?.value as? String
        }
        switch http?.statusCode ?? 0 {
        case 200:
            if t.rangeStart > 0, let total = t.total {
                // The server ignored Range: take the whole file from the start.
                if ftruncate(t.fd, 0) != 0 { fail(t, .disk(String(cString: strerror(errno)))) }
                t.limit = total
            }
        case 206 where t.rangeStart > 0:
            if Self.rangeStart(header("Content-Range"), total: t.total) != t.rangeStart { fail(t, .badRange) }
        case 404, 410: fail(t, .notFound)
        case 416: fail(t, .badRange)
        case let code: fail(t, .status(code))
        }
        if let length = header("Content-Length").flatMap({ Int($0) }), length > t.limit {
            fail(t, .tooLarge(limit: t.total ?? t.limit))
        }
        completionHandler(failed(t) ? .cancel : .allow)
    }

    /// The first byte of `bytes S-E/T`, when T is the size we expect.
    static func rangeStart(_ value: String?, total: Int?) -> Int? {
        guard let value, value.hasPrefix("bytes ") else { return nil }
        let parts = value.dropFirst(6).split(separator: "/")
        guard parts.count == 2, let dash = parts[0].firstIndex(of: "-"), let start = Int(parts[0][..<dash]) else { return nil }
        if let total, Int(parts[1]) != total { return nil }
        return start
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let t = transfer(dataTask) else { return }
        lock.lock()
        received += data.count
        t.lastActivity = .now()
        let skip = t.failure != nil
        lock.unlock()
        if skip { return }
        if t.count + data.count > t.limit {
            fail(t, .tooLarge(limit: t.total ?? t.limit))
            dataTask.cancel()
            return
        }
        t.count += data.count
        if t.fd < 0 {
            t.data.append(data)
        } else if !Self.writeAll(t.fd, data) {
            fail(t, .disk(String(cString: strerror(errno))))
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let t = transfer(task) else { return }
        if let error {
            let ns = error as NSError
            if ns.code == NSURLErrorTimedOut {
                fail(t, .stalled(seconds: timeout))
            } else {
                // libcurl's own words ("Recv failure: Connection reset by peer") are the clearest.
                let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError
                let text = (underlying?.userInfo[NSLocalizedDescriptionKey] as? String) ?? (ns.userInfo[NSLocalizedDescriptionKey] as? String)
                fail(t, .network(text ?? "error \(ns.code)"))
            }
        }
        lock.lock(); transfers[task.taskIdentifier] = nil; lock.unlock()
        t.done.signal()
    }

    static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
    }
}
