import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The requests `HTTPFetcher` has in flight, as URLSession's delegate: where each body goes, how
/// much of it may come, and the continuation of the call waiting for it. URLSession calls in on
/// its own thread (`InlineQueue`), the watchdog on another; `state` is the only thing they share,
/// and it is never held while calling into URLSession.
final class HTTPTransfers: NSObject, URLSessionDataDelegate, Sendable {
    /// What one request asks for.
    struct Request: Sendable {
        /// Bytes this response may carry.
        var limit: Int
        var rangeStart = 0
        /// The whole file's size, when known (downloads).
        var total: Int?
        /// The .part file, or -1 to collect the body in memory.
        var fd: Int32 = -1
        /// A part of the file, collected in memory (`HTTPFetcher.fetchRange`): only a 206 answer
        /// for it will do.
        var range: ByteRange?
    }

    /// How a request ended: its body (when collected in memory), or why it failed.
    struct Outcome: Sendable {
        var data: Data
        var failure: FetchFailure?
        /// For a range: the first byte's offset and the whole file's size, from Content-Range.
        var contentRange: (start: Int, total: Int)?
    }

    private struct Transfer {
        var request: Request
        let task: URLSessionTask
        let continuation: CheckedContinuation<Outcome, Never>
        var data = Data()
        var count = 0
        var contentRange: (start: Int, total: Int)?
        /// When a byte (or the response) last arrived, for the stall watchdog.
        var lastActivity = DispatchTime.now()
    }

    private struct State {
        /// Task identifier → transfer. A transfer leaves when it ends, under the lock, so it
        /// ends once, and nothing touches its file after the waiting call has been resumed.
        var transfers: [Int: Transfer] = [:]
        /// Every body byte received, for `bytesDownloaded`.
        var received = 0
    }

    let base: URL
    let timeout: TimeInterval
    private let state = Mutex(State())

    init(base: URL, timeout: TimeInterval) {
        self.base = base
        self.timeout = timeout
    }

    var received: Int { state.withLock { $0.received } }

    func start(_ task: URLSessionTask, _ request: Request, _ continuation: CheckedContinuation<Outcome, Never>) {
        state.withLock { $0.transfers[task.taskIdentifier] = Transfer(request: request, task: task, continuation: continuation) }
        task.resume()
    }

    /// Ends a transfer, once: resumes its caller with `failure` (nil: success), and cancels the
    /// task when it failed. Nothing waits for URLSession to agree.
    func end(_ id: Int, _ failure: FetchFailure?) {
        guard let t = state.withLock({ $0.transfers.removeValue(forKey: id) }) else { return }
        if failure != nil {
            // Not from here: this may run inside URLSession's queue, and cancel() waits for it.
            let task = t.task
            DispatchQueue.global().async { task.cancel() }
        }
        t.continuation.resume(returning: Outcome(data: t.data, failure: failure, contentRange: t.contentRange))
    }

    /// The watchdog's round: ends every transfer that has received nothing for `timeout`
    /// seconds, or all of them once the deadline has passed.
    func expire(deadline: SyncDeadline) {
        let now = DispatchTime.now()
        let stall = DispatchTimeInterval.nanoseconds(Int(timeout * 1e9))
        let expired: [(Int, FetchFailure)] = state.withLock { s in
            s.transfers.compactMap { id, t in
                if deadline.passed { return (id, .deadline(seconds: deadline.seconds)) }
                if t.lastActivity + stall < now { return (id, .stalled(seconds: timeout)) }
                return nil
            }
        }
        for (id, failure) in expired { end(id, failure) }
    }

    // MARK: - URLSessionDataDelegate

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let http = response as? HTTPURLResponse
        func header(_ name: String) -> String? {
            http?.allHeaderFields.first { ($0.key as? String)?.lowercased() == name.lowercased() }?.value as? String
        }
        let status = http?.statusCode ?? 0
        let contentRange = header("Content-Range"), contentLength = header("Content-Length").flatMap { Int($0) }
        // nil: no such transfer (it has ended); .some(nil): go on.
        let verdict: FetchFailure?? = state.withLock { s in
            guard var t = s.transfers[dataTask.taskIdentifier] else { return .none }
            t.lastActivity = .now()
            var failure: FetchFailure?
            switch status {
            case _ where t.request.range != nil:
                // A part of the file: nothing but the bytes asked for will do.
                if status == 200 { failure = .noRanges }
                else if status == 404 || status == 410 { failure = .notFound }
                else if status != 206 { failure = .status(status) }
                else if let r = HTTPFetcher.contentRange(contentRange), t.request.range!.matches(r) { t.contentRange = r }
                else { failure = .badRange }
            case 200:
                if t.request.rangeStart > 0, let total = t.request.total {
                    // The server ignored Range: take the whole file from the start.
                    if ftruncate(t.request.fd, 0) != 0 { failure = .disk(String(cString: strerror(errno))) }
                    t.request.limit = total
                }
            case 206 where t.request.rangeStart > 0:
                if HTTPFetcher.rangeStart(contentRange, total: t.request.total) != t.request.rangeStart { failure = .badRange }
            case 404, 410: failure = .notFound
            case 416: failure = .badRange
            case let code: failure = .status(code)
            }
            if failure == nil, let length = contentLength, length > t.request.limit {
                failure = .tooLarge(limit: t.request.total ?? t.request.limit)
            }
            s.transfers[dataTask.taskIdentifier] = t
            return .some(failure)
        }
        guard case .some(let failure) = verdict else { completionHandler(.cancel); return }
        completionHandler(failure == nil ? .allow : .cancel)
        // An error status ends the transfer now: its body, if one ever comes, is not needed.
        if let failure { end(dataTask.taskIdentifier, failure) }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let failure: FetchFailure? = state.withLock { s in
            guard var t = s.transfers[dataTask.taskIdentifier] else { return nil }
            s.received += data.count
            t.lastActivity = .now()
            var failure: FetchFailure?
            if t.count + data.count > t.request.limit {
                failure = .tooLarge(limit: t.request.total ?? t.request.limit)
            } else {
                t.count += data.count
                // Under the lock: once the transfer has ended, its caller may close the file.
                if t.request.fd < 0 {
                    t.data.append(data)
                } else if !Self.writeAll(t.request.fd, data) {
                    failure = .disk(String(cString: strerror(errno)))
                }
            }
            s.transfers[dataTask.taskIdentifier] = t
            return failure
        }
        if let failure { end(dataTask.taskIdentifier, failure) }
    }

    /// Redirects stay on the channel's origin (scheme, host and port): a host must not send a
    /// device, and the address it asks from, to someone else.
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        guard state.withLock({ $0.transfers[task.taskIdentifier] != nil }) else { completionHandler(nil); return }
        guard let target = request.url, HTTPFetcher.origin(of: target) == HTTPFetcher.origin(of: base) else {
            completionHandler(nil)
            end(task.taskIdentifier, .redirected(to: request.url.map(HTTPFetcher.origin(of:)) ?? "an unreadable address"))
            return
        }
        completionHandler(request)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
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
        end(task.taskIdentifier, failure)
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
