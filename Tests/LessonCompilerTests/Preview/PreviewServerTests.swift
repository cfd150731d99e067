import Foundation
import XCTest
@testable import LessonCompiler
import LessonSupport

/// `lessonc serve`'s server: only files under the preview folder, the reload script in every
/// page, the long poll, and the command line's usage errors.
final class PreviewServerTests: XCTestCase {
    func lessonc(_ args: String...) throws -> Run {
        _ = try XCTUnwrap(CLITests.lessonc, "lessonc is not built next to the tests; run 'swift build' first")
        return try Run(Run.lessonc, args)
    }

    /// Sends one raw request and returns the response (status line, headers and body).
    static func request(_ port: UInt16, _ raw: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        XCTAssertEqual(connected, 0)
        _ = raw.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, 0) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    func status(_ response: String) -> String { response.components(separatedBy: "\r\n").first ?? "" }

    func testOnlyFilesUnderThePreviewFolderAreServed() throws {
        let p = try TestProject.previewProject()
        try p.write("secret.txt", "not for the web")
        let site = PreviewSite(p.previewOptions())
        XCTAssertTrue(site.run().written)
        // A link inside the preview folder that leads out of it.
        try FileManager.default.createSymbolicLink(atPath: p.root.appendingPathComponent("build/preview/demo/leak.txt").path,
                                                   withDestinationPath: p.root.appendingPathComponent("secret.txt").path)
        let server = try PreviewServer(site: site, host: "127.0.0.1", port: 0)
        server.start()
        defer { server.stop() }
        let port = server.port
        XCTAssertEqual(status(try Self.request(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")), "HTTP/1.1 200 OK")
        let page = try Self.request(port, "GET /demo/en/saving.html HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(status(page), "HTTP/1.1 200 OK")
        XCTAssertTrue(page.contains("Content-Type: text/html; charset=utf-8\r\n"))
        XCTAssertTrue(page.contains("<script>window.__lessoncVersion = 1;</script>\n<script src=\"/__lessonc/live.js\"></script>\n</body>"), "the reload script is added")
        XCTAssertEqual(status(try Self.request(port, "GET /demo/assets/box.svg HTTP/1.1\r\n\r\n")), "HTTP/1.1 200 OK")
        let folder = try Self.request(port, "GET /demo/ar HTTP/1.1\r\n\r\n")
        XCTAssertEqual(status(folder), "HTTP/1.1 301 Moved Permanently")
        XCTAssertTrue(folder.contains("\r\nLocation: /demo/ar/\r\n"), folder)
        XCTAssertTrue(try Self.request(port, "GET /demo/ar/ HTTP/1.1\r\n\r\n").contains("<html lang=\"ar\" dir=\"rtl\">"))
        for path in ["/../secret.txt", "/demo/../../secret.txt", "/%2e%2e/secret.txt", "/demo/%2E%2E/%2E%2E/secret.txt", "/..%2fsecret.txt",
                     "/demo/leak.txt", "/.lessonc-preview", "/%00", "/demo\\..\\..\\secret.txt", "/nothing.html"] {
            let response = try Self.request(port, "GET \(path) HTTP/1.1\r\n\r\n")
            XCTAssertEqual(status(response), "HTTP/1.1 404 Not Found", path)
            XCTAssertFalse(response.contains("not for the web"), path)
        }
        XCTAssertEqual(status(try Self.request(port, "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")), "HTTP/1.1 405 Method Not Allowed")
        XCTAssertEqual(status(try Self.request(port, "GARBAGE\r\n\r\n")), "HTTP/1.1 400 Bad Request")
        XCTAssertEqual(status(try Self.request(port, "GET ../secret.txt HTTP/1.1\r\n\r\n")), "HTTP/1.1 400 Bad Request")
    }

    func testTheLongPollAnswersWhenTheSiteIsRebuilt() throws {
        let p = try TestProject.previewProject()
        let site = PreviewSite(p.previewOptions())
        _ = site.run()
        let server = try PreviewServer(site: site, host: "127.0.0.1", port: 0)
        server.start()
        defer { server.stop() }
        let answered = expectation(description: "the wait answers")
        let port = server.port
        let started = Date()
        DispatchQueue.global().async {
            let response = (try? PreviewServerTests.request(port, "GET /__lessonc/wait?v=1 HTTP/1.1\r\n\r\n")) ?? ""
            XCTAssertTrue(response.hasSuffix("\r\n\r\n{\"version\":2}"), response)
            answered.fulfill()
        }
        usleep(300_000)
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet on Tuesdays.\n")
        server.rebuild()
        wait(for: [answered], timeout: 10)
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.25, "it waited for the rebuild")
        XCTAssertTrue(try Self.request(port, "GET /demo/en/rules.html HTTP/1.1\r\n\r\n").contains("We meet on Tuesdays."))
        XCTAssertTrue(try Self.request(port, "GET /__lessonc/live.js HTTP/1.1\r\n\r\n").contains("location.reload()"))
    }

    func testServeUsageErrors() throws {
        let p = try TestProject.previewProject()
        var run = try lessonc("serve", "--root", p.root.path, "--port", "70000")
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "lessonc serve: --port must be a whole number from 0 to 65535, not '70000'\nRun 'lessonc serve --help' for usage.\n")
        run = try lessonc("serve", "--root", p.root.path, "--port", "0", "--host", "example.org")
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.hasSuffix("lessonc serve: 'example.org' is not an IPv4 address such as 127.0.0.1\n"), run.stderr)
        run = try lessonc("serve", "--cache", "x", "--no-cache")
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "lessonc serve: --cache and --no-cache cannot be used together\nRun 'lessonc serve --help' for usage.\n")
    }

    func testPreviewCommand() throws {
        let p = try TestProject.previewProject()
        var run = try lessonc("preview", "--root", p.root.path)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout.split(separator: "\n").count, 4, "the four warnings")
        XCTAssertEqual(run.stderr, "3 lessons in 1 curriculum: 0 errors, 4 warnings\nwrote \(p.root.path)/build/preview/index.html (18 files changed)\n")
        run = try lessonc("preview", "--root", p.root.path)
        XCTAssertEqual(run.stderr, "3 lessons in 1 curriculum: 0 errors, 4 warnings\nwrote \(p.root.path)/build/preview/index.html (0 files changed); compiled 0 lessons; 3 unchanged, from the compile cache\n")
        try p.write("elsewhere/keep.txt", "mine")
        run = try lessonc("preview", "--root", p.root.path, "--out", p.root.appendingPathComponent("elsewhere").path)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.hasSuffix("preview failed: nothing written to \(p.root.path)/elsewhere\n"), run.stderr)
        XCTAssertTrue(run.stdout.contains("error: the output folder holds files and is not a preview site (no .lessonc-preview); give an empty or new folder with --out [output-error]"), run.stdout)
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\n> [!PROMT]\n> x\n")
        run = try lessonc("preview", "--root", p.root.path)
        XCTAssertEqual(run.status, 1, "written, with errors")
        XCTAssertTrue(run.stderr.contains("1 error"), run.stderr)
        XCTAssertTrue(try p.page("demo/en/rules.html").contains("unknown callout kind"))
    }
}
