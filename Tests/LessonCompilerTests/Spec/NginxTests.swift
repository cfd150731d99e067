import Foundation
import XCTest
import LessonChannel

/// A channel served by Debian's nginx with Examples/nginx.conf, over TLS with a certificate
/// from a CA made for the test: the cache rules and types of PUBLISHING.md, Range resume, and
/// `lessonc sync` over https:// trusting the CA or refusing the certificate.
///
/// How lessonc (URLSession on Linux: FoundationNetworking over libcurl) trusts a CA: it reads
/// the system store, /etc/ssl/certs/ca-certificates.crt; SSL_CERT_FILE, CURL_CA_BUNDLE and
/// URLSessionCertificateAuthorityInfoFile (read only on Android) change nothing. So the trusting
/// sync runs in a private mount namespace (`unshare -r -m`) where that file also holds the
/// test CA: the machine's store is never touched.
final class NginxTests: XCTestCase {
    static let nginxBinary = "/usr/sbin/nginx"
    var work: URL!
    var port = 0
    var started = false

    var conf: URL { work.appendingPathComponent("nginx.conf") }
    var base: String { "https://127.0.0.1:\(port)/channel/" }
    var channel: URL { work.appendingPathComponent("www/channel") }
    var accessLog: URL { work.appendingPathComponent("access.log") }
    var caFile: URL { work.appendingPathComponent("ca.pem") }
    static var trustedKey: String { SchemaTests.repo.appendingPathComponent("conformance/keys/test-release.pub").path }
    static func snapshot(_ name: String) -> URL { SchemaTests.repo.appendingPathComponent("conformance/channels/\(name)") }

    override func setUpWithError() throws {
        for tool in [Self.nginxBinary, "/usr/bin/openssl", "/usr/bin/curl"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw XCTSkip("\(tool) is not installed (scripts/setup.sh test installs it)")
        }
        work = FileManager.default.temporaryDirectory.appendingPathComponent("lessonc-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("www"), withIntermediateDirectories: true)
        try makeCertificates()
        try FileManager.default.copyItem(at: Self.snapshot("r1"), to: channel)
        try start()
    }

    override func tearDownWithError() throws {
        if started {
            // Our own nginx, by the pid file it wrote.
            _ = try? Run(Self.nginxBinary, ["-p", work.path, "-c", conf.path, "-s", "stop"])
        }
        if let work { try? FileManager.default.removeItem(at: work) }
    }

    func sh(_ exe: String, _ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Run {
        let r = try Run(exe, args, cwd: work)
        XCTAssertEqual(r.status, 0, "\(exe) \(args.joined(separator: " ")): \(r.stderr)", file: file, line: line)
        return r
    }

    /// A CA, and a certificate it signs for 127.0.0.1 and localhost.
    func makeCertificates() throws {
        let openssl = "/usr/bin/openssl"
        _ = try sh(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key",
                             "-out", "ca.pem", "-days", "2", "-subj", "/CN=lessonc test CA"])
        _ = try sh(openssl, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "server.key",
                             "-out", "server.csr", "-subj", "/CN=127.0.0.1"])
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(to: work.appendingPathComponent("ext.cnf"), atomically: true, encoding: .utf8)
        _ = try sh(openssl, ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                             "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf"])
    }

    /// Examples/nginx.conf with only the values marked TEST or CHANGE replaced (each must be
    /// found exactly once, so the example cannot drift from what is tested), plus temp paths
    /// so nginx needs no root.
    func writeConfig(port: Int) throws {
        var text = try String(contentsOf: SchemaTests.repo.appendingPathComponent("Examples/nginx.conf"), encoding: .utf8)
        let w = work.path
        let replacements: [(String, String)] = [
            ("pid /run/nginx.pid;", "pid \(w)/nginx.pid;"),
            ("error_log /var/log/nginx/error.log;", "error_log \(w)/error.log;"),
            ("access_log /var/log/nginx/lessons.log channel;", "access_log \(w)/access.log channel;"),
            ("listen 443 ssl;", "listen 127.0.0.1:\(port) ssl;"),
            ("ssl_certificate     /etc/ssl/lessons.example.org/fullchain.pem;", "ssl_certificate \(w)/server.pem;"),
            ("ssl_certificate_key /etc/ssl/lessons.example.org/privkey.pem;", "ssl_certificate_key \(w)/server.key;"),
            ("root /srv/lessons;", "root \(w)/www;"),
            ("http {", "http {\n    client_body_temp_path \(w)/tmp/body;\n    proxy_temp_path \(w)/tmp/proxy;\n    fastcgi_temp_path \(w)/tmp/fastcgi;\n    uwsgi_temp_path \(w)/tmp/uwsgi;\n    scgi_temp_path \(w)/tmp/scgi;"),
        ]
        for (old, new) in replacements {
            XCTAssertEqual(text.components(separatedBy: old).count, 2, "Examples/nginx.conf should hold '\(old)' once")
            text = text.replacingOccurrences(of: old, with: new)
        }
        try FileManager.default.createDirectory(at: work.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        try text.write(to: conf, atomically: true, encoding: .utf8)
    }

    /// nginx on 127.0.0.1 on a free port; a port taken between choosing and binding is tried again.
    func start() throws {
        var last = ""
        for _ in 0..<5 {
            let free = try Run("/usr/bin/python3", ["-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
            port = try XCTUnwrap(Int(free.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            try writeConfig(port: port)
            _ = try sh(Self.nginxBinary, ["-t", "-q", "-p", work.path, "-c", conf.path])
            // The daemon must inherit no descriptor of ours: not the pipes Run reads to their end,
            // nor the socket Foundation's Process watches to learn that a child exited.
            let errors = work.appendingPathComponent("start.err")
            let launcher = "import subprocess, sys\nwith open(sys.argv[1], 'w') as f:\n    sys.exit(subprocess.call(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=f, stderr=f, close_fds=True))"
            let r = try Run("/usr/bin/python3", ["-c", launcher, errors.path, Self.nginxBinary, "-p", work.path, "-c", conf.path, "-g", "daemon on;"])
            if r.status == 0 { started = true; return }
            last = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        }
        XCTFail("nginx did not start: \(last)")
    }

    func curl(_ path: String, _ extra: [String] = []) throws -> (status: Int, headers: [String: String], body: Data) {
        let bodyFile = work.appendingPathComponent("body-\(UUID().uuidString)")
        let r = try Run("/usr/bin/curl", ["-s", "-D", "-", "-o", bodyFile.path, "--cacert", caFile.path] + extra + [base + path])
        XCTAssertEqual(r.status, 0, r.stderr)
        var headers: [String: String] = [:]
        let lines = r.stdout.split(separator: "\r\n")
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, headers, (try? Data(contentsOf: bodyFile)) ?? Data())
    }

    // MARK: - The host

    func testCacheRulesTypesAndRangeFollowPublishing() throws {
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: channel.appendingPathComponent("releases/1/manifest.json"))) as! [String: Any]
        let curricula = manifest["curricula"] as! [String: [String: Any]]
        let index = (curricula["savings"]!["index"] as! [String: Any])["object"] as! String
        let object = "objects/\(index.prefix(2))/\(index)"
        let locales = curricula["savings"]!["locales"] as! [String: [String: Any]]
        let attribution = "attribution/" + ((locales["en"]!["attribution"] as! [String: Any])["sha256"] as! String) + ".md"
        let expected: [(path: String, cache: String, type: String)] = [
            (attribution, "public, max-age=31536000, immutable", "text/markdown; charset=utf-8"),
            (object, "public, max-age=31536000, immutable", "application/octet-stream"),
            ("latest.json", "public, max-age=300", "application/json; charset=utf-8"),
            ("latest.json.minisig", "public, max-age=300", "text/plain; charset=utf-8"),
            ("keys.json", "public, max-age=300", "application/json; charset=utf-8"),
            ("keys/1.json.minisig", "public, max-age=300", "text/plain; charset=utf-8"),
            ("releases/1/manifest.json", "public, max-age=3600", "application/json; charset=utf-8"),
            ("releases/1/NOTES.md", "public, max-age=3600", "text/markdown; charset=utf-8"),
        ]
        for e in expected {
            let r = try curl(e.path, ["-H", "Accept-Encoding: gzip"])
            XCTAssertEqual(r.status, 200, e.path)
            XCTAssertEqual(r.headers["cache-control"], e.cache, e.path)
            XCTAssertEqual(r.headers["content-type"], e.type, e.path)
            XCTAssertNil(r.headers["content-encoding"], "\(e.path) must be served byte for byte")
            XCTAssertEqual(r.body, try Data(contentsOf: channel.appendingPathComponent(e.path)), e.path)
        }
        // A resumed download: the rest of the object from byte 100.
        let whole = try Data(contentsOf: channel.appendingPathComponent(object))
        let part = try curl(object, ["-H", "Range: bytes=100-"])
        XCTAssertEqual(part.status, 206)
        XCTAssertEqual(part.headers["content-range"], "bytes 100-\(whole.count - 1)/\(whole.count)")
        XCTAssertEqual(part.body, whole.dropFirst(100))
        // Publish's hidden files and anything else are not served.
        try "lock".write(to: channel.appendingPathComponent(".lessonc-lock"), atomically: true, encoding: .utf8)
        for path in [".lessonc-lock", "secret.txt", "../nginx.conf"] {
            XCTAssertEqual(try curl(path).status, 404, path)
        }
    }

    // MARK: - lessonc sync over https

    func testSyncOverHTTPSSucceedsWhenTheSystemTrustsTheCAAndResumesWithRange() throws {
        guard (try Run("/usr/bin/unshare", ["-r", "-m", "true"])).status == 0 else {
            throw XCTSkip("unshare -r -m is not permitted here: cannot give lessonc a trust store with the test CA without changing the machine's")
        }
        let bundle = work.appendingPathComponent("bundle.pem")
        let system = (try? Data(contentsOf: URL(fileURLWithPath: "/etc/ssl/certs/ca-certificates.crt"))) ?? Data()
        try (system + Data(contentsOf: caFile)).write(to: bundle)
        let store = work.appendingPathComponent("store")
        // An interrupted download of the long lesson left its first 5,000 bytes.
        let channel = self.channel
        let manifest = try Manifest.read(Data(contentsOf: channel.appendingPathComponent("releases/1/manifest.json"))) { try DirectorySource(channel).read($0) }
        let mill = try XCTUnwrap(manifest.curricula["stories"]?.locales["en"]?["the-mill"])
        let sha = mill.sha256, size = mill.size
        let whole = try Data(contentsOf: channel.appendingPathComponent("objects/\(sha.prefix(2))/\(sha)"))
        try FileManager.default.createDirectory(at: store.appendingPathComponent("partial"), withIntermediateDirectories: true)
        try whole.prefix(5000).write(to: store.appendingPathComponent("partial/\(sha).part"))

        let script = "mount --bind \"$1\" /etc/ssl/certs/ca-certificates.crt && shift && exec \"$@\""
        let r = try Run("/usr/bin/unshare", ["-r", "-m", "/bin/sh", "-c", script, "sh", bundle.path, Run.lessonc, "sync", "--from", base,
                                             "--into", store.path, "--pubkey", Self.trustedKey, "--report", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
        XCTAssertEqual(report["to_release"] as? Int, 1)
        XCTAssertEqual(report["lessons_added"] as? Int, 3)
        let log = try String(contentsOf: accessLog, encoding: .utf8)
        XCTAssertTrue(log.contains("\"GET /channel/objects/\(sha.prefix(2))/\(sha) HTTP/1.1\" 206 \(size - 5000) \"bytes=5000-\""), log)
        XCTAssertFalse(log.contains("\"GET /channel/objects/\(sha.prefix(2))/\(sha) HTTP/1.1\" 200"), "the object was fetched again whole: \(log)")
        // Every byte fetched is counted, and the 5,000 resumed ones were not fetched again.
        let served = log.split(separator: "\n").compactMap { line -> Int? in
            let fields = line.split(separator: " ")
            return fields.count >= 6 ? Int(fields[fields.count - 2]) : nil
        }.reduce(0, +)
        XCTAssertEqual(report["bytes_downloaded"] as? Int, served, log)

        // The next release arrives over https too, with its diff and a delta.
        try FileManager.default.removeItem(at: channel)
        try FileManager.default.copyItem(at: Self.snapshot("r2"), to: channel)
        let update = try Run("/usr/bin/unshare", ["-r", "-m", "/bin/sh", "-c", script, "sh", bundle.path, Run.lessonc, "sync", "--from", base,
                                                  "--into", store.path, "--pubkey", Self.trustedKey, "--report", "json"])
        XCTAssertEqual(update.status, 0, update.stderr)
        XCTAssertTrue(update.stdout.contains("\"method\":\"diff\""), update.stdout)
        XCTAssertTrue(update.stdout.contains("\"lessons_changed\":1"), update.stdout)
        // why-save and the savings index (its version changed) are rebuilt from deltas.
        XCTAssertTrue(update.stdout.contains("\"deltas_applied\":2"), update.stdout)
        let check = try Run(Run.lessonc, ["sync", "--check", "--into", store.path, "--pubkey", Self.trustedKey])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
    }

    /// Without the CA in the system store the certificate is refused, and neither SSL_CERT_FILE
    /// nor CURL_CA_BUNDLE nor URLSessionCertificateAuthorityInfoFile makes lessonc trust it.
    func testSyncRefusesACertificateItDoesNotTrust() throws {
        let store = work.appendingPathComponent("store")
        var env = ProcessInfo.processInfo.environment
        for name in ["SSL_CERT_FILE", "CURL_CA_BUNDLE", "URLSessionCertificateAuthorityInfoFile"] { env[name] = caFile.path }
        let r = try Run(Run.lessonc, ["sync", "--from", base, "--into", store.path, "--pubkey", Self.trustedKey, "--retries", "0"], environment: env)
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertTrue(r.stderr.contains("lessonc sync: latest.json: the connection failed: SSL certificate problem: unable to get local issuer certificate"), r.stderr)
        XCTAssertTrue(r.stderr.contains("the store \(store.path) was not changed"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.appendingPathComponent("CURRENT").path))
        // Nothing but the handshake happened: no request reached nginx.
        let log = (try? String(contentsOf: accessLog, encoding: .utf8)) ?? ""
        XCTAssertEqual(log, "", log)
    }
}
