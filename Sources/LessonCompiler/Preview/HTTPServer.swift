import Foundation
import Synchronization

/// A small HTTP/1.1 server over POSIX sockets, enough for `lessonc serve`: GET and HEAD, one
/// request per connection (`Connection: close`), each connection on its own worker so that a
/// long poll does not hold up the others. It listens on the address it is given (127.0.0.1 by
/// default); what it answers is up to its handler.
public final class HTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        /// The path, percent-decoded, without the query.
        public var path: String
        public var query: [String: String]
    }

    public struct Response: Sendable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]
        /// For a redirect (301).
        public var location: String?

        public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: [UInt8], location: String? = nil) {
            self.status = status
            self.contentType = contentType
            self.body = body
            self.location = location
        }

        public static func text(_ status: Int, _ text: String) -> Response { Response(status: status, body: Array((text + "\n").utf8)) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let socket: Int32
    /// The port listened on (the one the system chose, for port 0).
    public let port: UInt16
    public let host: String
    private let handler: @Sendable (Request) -> Response
    private let stopped = Atomic<Bool>(false)

    /// Binds and listens; `start` begins answering.
    public init(host: String, port: UInt16, handler: @escaping @Sendable (Request) -> Response) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw Failure(description: "'\(host)' is not an IPv4 address such as 127.0.0.1")
        }
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "cannot open a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "cannot listen on \(host):\(port): \(why)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        socket = fd
        self.port = UInt16(bigEndian: actual.sin_port)
        self.host = host
        self.handler = handler
    }

    /// Answers connections on a thread of its own until `stop`.
    public func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                let client = accept(socket, nil, nil)
                if client < 0 {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    break
                }
                DispatchQueue.global().async { self.serve(client) }
            }
        }
        thread.start()
    }

    /// Stops listening and releases the port.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var received: [UInt8] = []
        // The request head: up to the blank line; a body, if any, is not read.
        while received.count < 64 * 1024 {
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { return }
            received += buffer[0..<n]
            if received.count >= 4, HTTPServer.headEnd(received) != nil { break }
        }
        let response: Response
        let method: String
        if let request = HTTPServer.parse(received) {
            method = request.method
            response = request.method == "GET" || request.method == "HEAD" ? handler(request) : .text(405, "only GET and HEAD")
        } else {
            method = "GET"
            response = .text(400, "bad request")
        }
        var head = "HTTP/1.1 \(response.status) \(HTTPServer.reason(response.status))\r\n"
        head += "Content-Type: \(response.contentType)\r\nContent-Length: \(response.body.count)\r\n"
        if let location = response.location { head += "Location: \(location)\r\n" }
        head += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n"
        send(client, Array(head.utf8) + (method == "HEAD" ? [] : response.body))
    }

    private func send(_ client: Int32, _ bytes: [UInt8]) {
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Glibc.send(client, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
    }

    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i }
        return nil
    }

    /// The request line of a request head; nil when it is not HTTP/1.x.
    static func parse(_ head: [UInt8]) -> Request? {
        guard let end = headEnd(head) else { return nil }
        let text = String(decoding: head[..<end], as: UTF8.self)
        guard let line = text.split(separator: "\r\n", omittingEmptySubsequences: false).first else { return nil }
        let parts = line.split(separator: " ")
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), parts[1].hasPrefix("/") else { return nil }
        let target = parts[1]
        let pathPart = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard let path = String(pathPart[0]).removingPercentEncoding else { return nil }
        var query: [String: String] = [:]
        if pathPart.count > 1 {
            for pair in pathPart[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query[String(kv[0])] = kv.count > 1 ? String(kv[1]).removingPercentEncoding ?? "" : ""
            }
        }
        return Request(method: String(parts[0]), path: path, query: query)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 301: return "Moved Permanently"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        default: return "Internal Server Error"
        }
    }
}
