import Foundation
import Synchronization

/// `lessonc serve`: the preview site over HTTP on this machine, rebuilt as sources change, with
/// open pages reloading themselves. The server answers only files under the preview folder
/// (no path leads out of it: `..`, encoded or not, and links are refused), plus two endpoints
/// of its own: `/__lessonc/live.js`, the reload script it adds to every HTML page it sends, and
/// `/__lessonc/wait?v=N`, which answers when the site is no longer at version N (a long poll:
/// no dependency, and works wherever `fetch` does).
public final class PreviewServer: Sendable {
    public let site: PreviewSite
    private let server: HTTPServer
    /// Bumped after every rebuild; pages learn it when served.
    private let version = SiteVersion()
    private let folder: String

    public init(site: PreviewSite, host: String, port: UInt16) throws {
        self.site = site
        let folder = site.options.output.standardizedFileURL.path
        self.folder = folder
        let version = self.version
        server = try HTTPServer(host: host, port: port) { request in
            PreviewServer.answer(request, folder: folder, version: version)
        }
    }

    public var port: UInt16 { server.port }
    public var url: String { "http://\(server.host):\(server.port)/" }

    public func start() { server.start() }
    public func stop() { server.stop() }

    /// Rebuilds the site (through the compile cache) and tells open pages to reload.
    @discardableResult
    public func rebuild() -> PreviewResult {
        let result = site.run()
        version.bump()
        return result
    }

    static let liveScript = """
    (function () {
      "use strict";
      var version = window.__lessoncVersion;
      function wait() {
        fetch("/__lessonc/wait?v=" + version, { cache: "no-store" })
          .then(function (r) { return r.json(); })
          .then(function (state) {
            if (state.version !== version) { location.reload(); } else { wait(); }
          })
          .catch(function () { setTimeout(wait, 1000); });
      }
      wait();
    })();

    """

    static func answer(_ request: HTTPServer.Request, folder: String, version: SiteVersion) -> HTTPServer.Response {
        switch request.path {
        case "/__lessonc/live.js":
            return HTTPServer.Response(status: 200, contentType: "text/javascript; charset=utf-8", body: Array(liveScript.utf8))
        case "/__lessonc/wait":
            let seen = Int(request.query["v"] ?? "") ?? 0
            // Answers when the version moves on, or after 20 s (the page then asks again).
            let deadline = Date().addingTimeInterval(20)
            while version.current == seen && Date() < deadline { usleep(20_000) }
            return HTTPServer.Response(status: 200, contentType: "application/json", body: Array("{\"version\":\(version.current)}".utf8))
        default:
            // A folder without its slash: relative links in its index.html need the slash.
            if !request.path.hasSuffix("/"), let path = resolve(request.path, in: folder), path.hasSuffix("/index.html"),
               !request.path.hasSuffix("/index.html") {
                let location = request.path.split(separator: "/").map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "" }.joined(separator: "/")
                return HTTPServer.Response(status: 301, body: [], location: "/" + location + "/")
            }
            guard let path = resolve(request.path, in: folder), let data = FileManager.default.contents(atPath: path) else {
                return .text(404, "not found")
            }
            let type = contentType(path)
            guard type.hasPrefix("text/html") else { return HTTPServer.Response(status: 200, contentType: type, body: [UInt8](data)) }
            // The reload script, with the version the page was served at.
            var html = String(decoding: data, as: UTF8.self)
            let script = "<script>window.__lessoncVersion = \(version.current);</script>\n<script src=\"/__lessonc/live.js\"></script>\n"
            if let end = html.range(of: "</body>", options: .backwards) { html.insert(contentsOf: script, at: end.lowerBound) } else { html += script }
            return HTTPServer.Response(status: 200, contentType: type, body: Array(html.utf8))
        }
    }

    /// The file a request path names under `folder`, or nil when it names none or would lead
    /// outside (`..` segments, hidden names, links pointing out).
    static func resolve(_ requestPath: String, in folder: String) -> String? {
        guard requestPath.hasPrefix("/"), !requestPath.contains("\0"), !requestPath.contains("\\") else { return nil }
        let parts = requestPath.split(separator: "/")
        guard parts.allSatisfy({ $0 != ".." && $0 != "." && !$0.hasPrefix(".") }) else { return nil }
        var path = folder + (parts.isEmpty ? "" : "/" + parts.joined(separator: "/"))
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return nil }
        if isDir.boolValue { path += "/index.html" }
        guard let real = FolderBoundary.realPath(path), let base = FolderBoundary.realPath(folder), real.hasPrefix(base + "/") else { return nil }
        return real
    }

    static func contentType(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "json": return "application/json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "mp3": return "audio/mpeg"
        case "mp4": return "video/mp4"
        default: return "application/octet-stream"
        }
    }
}

/// The site's version, shared by the rebuilding thread and the connections that wait on it.
final class SiteVersion: Sendable {
    private let value = Atomic<Int>(1)
    var current: Int { value.load(ordering: .sequentiallyConsistent) }
    func bump() { value.add(1, ordering: .sequentiallyConsistent) }
}

/// Notices changes under `content/` and `locales/` by polling every file's size and times:
/// portable, no inotify, and cheap enough (a stat per file) at a few times a second.
public struct SourceWatcher: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// A digest of every file's path, size, and modification and change times.
    public func fingerprint() -> ContentDigest {
        var text = ""
        for top in ["content", TranslationCatalog.localesFolder] {
            let base = root.appendingPathComponent(top).path
            for path in DirectoryListing.files(under: base).sorted() {
                let stamp = FileStamp.lstat(base + "/" + path)?.stamp
                text += "\(top)/\(path)\u{0}\(stamp?.size ?? -1)\u{0}\(stamp?.modified ?? -1)\u{0}\(stamp?.changed ?? -1)\n"
            }
        }
        return ContentDigest(of: Array(text.utf8))
    }
}
