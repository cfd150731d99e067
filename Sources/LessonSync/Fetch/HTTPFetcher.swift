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
final class HTTPFetcher: NSObject, Fetcher, URLSessionDataDelegate, @unchecked Sendable {
    static let userAgent = "lessonc-sync/1"
    /// Constant values for the headers URLSession would otherwise fill from the device (its
    /// language) or from libcurl (the encodings it was built with). `identity`: objects are
    /// hashed exactly as stored, so nothing may re-encode them on the way.
    static let headers = ["User-Agent": userAgent, "Accept": "*/*", "Accept-Language": "*", "Accept-Encoding": "identity"]

    let base: URL
    let origin: String
    let timeout: TimeInterval
    let deadline: SyncDeadline
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
        /// Set once, under the lock: the waiting caller has been released, and nothing may touch
        /// `fd` or `data` any more, whatever URLSession still delivers.
        var finished = false
        let done = DispatchSemaphore(value: 0)

        init(limit: Int, rangeStart: Int = 0, total: Int? = nil, fd: Int32 = -1) {
            self.limit = limit; self.rangeStart = rangeStart; self.total = total; self.fd = fd
        }
    }

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
        #if canImport(FoundationNetworking)
        session = URLSession(configuration: c, delegate: self, delegateQueue: InlineQueue())
        #else
        session = URLSession(configuration: c, delegate: self, delegateQueue: nil)
        #endif
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
        if deadline.passed {
            t.failure = .deadline(seconds: deadline.seconds)
            return t
        }
        var request = URLRequest(url: base.appendingPathComponent(path), cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: backstop)
        request.httpMethod = "GET"
        request.httpShouldHandleCookies = false
        for (name, value) in Self.headers { request.setValue(value, forHTTPHeaderField: name) }
        if t.rangeStart > 0 { request.setValue("bytes=\(t.rangeStart)-", forHTTPHeaderField: "Range") }
        let task = session.dataTask(with: request)
        lock.lock(); transfers[task.taskIdentifier] = t; lock.unlock()
        // Always on, whatever the transfer is doing (waiting for headers, for a body after an
        // error status, for the rest of a drip-fed file): a stall or the deadline ends it.
        let watchdog = DispatchSource.makeTimerSource(queue: .global())
        let tick = max(0.02, min(0.25, timeout / 10))
        watchdog.schedule(deadline: .now() + tick, repeating: tick)
        let limit = DispatchTimeInterval.nanoseconds(Int(timeout * 1e9))
        watchdog.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock()
            var failure: FetchFailure?
            if !t.finished && self.deadline.passed { failure = .deadline(seconds: self.deadline.seconds) }
            else if !t.finished && t.lastActivity + limit < .now() { failure = .stalled(seconds: self.timeout) }
            self.lock.unlock()
            if let failure { self.end(t, task, failure) }
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

    /// Releases the waiting caller, once: with `failure` (the first one recorded wins), and
    /// cancels the task if it is still running. Nothing waits for URLSession to agree.
    private func end(_ t: Transfer, _ task: URLSessionTask, _ failure: FetchFailure?) {
        lock.lock()
        let first = !t.finished
        if first, let failure, t.failure == nil { t.failure = failure }
        t.finished = true
        transfers[task.taskIdentifier] = nil
        lock.unlock()
        guard first else { return }
        // Not from here: this may run inside URLSession's queue, and cancel() waits for it.
        if t.failure != nil { DispatchQueue.global().async { task.cancel() } }
        t.done.signal()
    }

    // MARK: - URLSessionDataDelegate
    // Called on URLSession's own queue (InlineQueue). The lock guards what the watchdog and the
    // waiting caller also touch; it is never held while calling into URLSession.

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let t = transfer(dataTask) else { completionHandler(.cancel); return }
        lock.lock(); t.lastActivity = .now(); lock.unlock()
        let http = response as? HTTPURLResponse
        func header(_ name: String) -> String? {
            http?.allHeaderFields.first { ($0.key as? String)?.lowercased() == name.lowercased() }?.value as? String
        }
        var failure: FetchFailure?
        switch http?.statusCode ?? 0 {
        case 200:
            if t.rangeStart > 0, let total = t.total {
                // The server ignored Range: take the whole file from the start.
                if ftruncate(t.fd, 0) != 0 { failure = .disk(String(cString: strerror(errno))) }
                t.limit = total
            }
        case 206 where t.rangeStart > 0:
            if Self.rangeStart(header("Content-Range"), total: t.total) != t.rangeStart { failure = .badRange }
        case 404, 410: failure = .notFound
        case 416: failure = .badRange
        case let code: failure = .status(code)
        }
        if failure == nil, let length = header("Content-Length").flatMap({ Int($0) }), length > t.limit {
            failure = .tooLarge(limit: t.total ?? t.limit)
        }
        completionHandler(failure == nil ? .allow : .cancel)
        // An error status ends the transfer now: its body, if one ever comes, is not needed.
        if let failure { end(t, dataTask, failure) }
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
        var failure: FetchFailure?
        lock.lock()
        received += data.count
        t.lastActivity = .now()
        // Under the lock: once finished, the caller may have closed `fd` already.
        if !t.finished {
            if t.count + data.count > t.limit {
                failure = .tooLarge(limit: t.total ?? t.limit)
            } else {
                t.count += data.count
                if t.fd < 0 {
                    t.data.append(data)
                } else if !Self.writeAll(t.fd, data) {
                    failure = .disk(String(cString: strerror(errno)))
                }
            }
        }
        lock.unlock()
        if let failure { end(t, dataTask, failure) }
    }

    /// Redirects stay on the channel's origin (scheme, host and port): a host must not send a
    /// device, and the address it asks from, to someone else.
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        guard let t = transfer(task) else { completionHandler(nil); return }
        guard let target = request.url, Self.origin(of: target) == Self.origin(of: base) else {
            completionHandler(nil)
            end(t, task, .redirected(to: request.url.map(Self.origin(of:)) ?? "an unreadable address"))
            return
        }
        completionHandler(request)
    }

    /// `scheme://host:port`, with the scheme's default port written out.
    static func origin(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        let port = url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : 0)
        return "\(scheme)://\(url.host?.lowercased() ?? ""):\(port)"
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let t = transfer(task) else { return }
        var failure: FetchFailure?
        if let error {
            let ns = error as NSError
            if ns.code == NSURLErrorTimedOut {
                failure = .stalled(seconds: timeout)
            } else {
                // libcurl's own words ("Recv failure: Connection reset by peer") are the clearest.
                let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError
                let text = (underlying?.userInfo[NSLocalizedDescriptionKey] as? String) ?? (ns.userInfo[NSLocalizedDescriptionKey] as? String)
                failure = .network(text ?? "error \(ns.code)")
            }
        }
        end(t, task, failure)
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

#if canImport(FoundationNetworking)
/// URLSession on Linux hands every chunk libcurl reads to the delegate queue and reads on
/// without waiting, so a host sending an endless body filled memory (190–530 MB) before the
/// refusal took effect. Running the delegate's callbacks at once, on URLSession's own queue,
/// makes libcurl wait for each: memory stays at one chunk, and a refused transfer stops at once.
/// Every callback above is short and never waits for URLSession.
final class InlineQueue: OperationQueue, @unchecked Sendable {
    override init() {
        super.init()
        maxConcurrentOperationCount = 1
    }

    override func addOperation(_ block: @escaping @Sendable () -> Void) { block() }
}
#endif

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
