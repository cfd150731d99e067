import Foundation
import LessonSupport

/// `Tests/Fixtures/channel_server.py` serving a channel folder on 127.0.0.1, with faults the
/// test switches on and off while it runs, and the log of every request it received.
final class ChannelServer {
    struct Request: Equatable {
        var path: String
        var headers: [String: String]
    }

    let process = Process()
    let port: Int
    let faultsURL: URL
    let logURL: URL

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/channel_server.py")
    }

    init(root: URL, workDir: URL) throws {
        faultsURL = workDir.appendingPathComponent("faults-\(UUID().uuidString).json")
        logURL = workDir.appendingPathComponent("requests-\(UUID().uuidString).jsonl")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, root.path, "--faults", faultsURL.path, "--log", logURL.path, "--lifetime", "300"]
        let out = Pipe()
        process.standardOutput = out
        // Tracebacks of connections the client dropped on purpose; nobody reads them.
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard text.hasPrefix("PORT "), let p = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw NSError(domain: "ChannelServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "the test server did not start: \(text)"])
        }
        port = p
    }

    deinit { stop() }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Rules as channel_server.py reads them: `["path": "objects/*", "fault": "500", "times": -1]`.
    func faults(_ rules: [[String: Any]]) throws {
        try JSONSerialization.data(withJSONObject: rules).write(to: faultsURL, options: .atomic)
    }

    func clearFaults() throws { try faults([]) }

    /// Every request since the server started (or since `clearLog`), in order.
    func requests() throws -> [Request] {
        guard let data = FileManager.default.contents(atPath: logURL.path) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let json = try JSON.parse(String(line))
            guard json["method"] != nil else { return nil }
            var headers: [String: String] = [:]
            for (k, v) in json["headers"]?.objectValue ?? [:] { headers[k] = v.stringValue ?? "" }
            return Request(path: json["path"]?.stringValue ?? "", headers: headers)
        }
    }

    /// Body bytes the server has sent since it started (or since `clearLog`), over every answer
    /// that has ended.
    func bytesSent() throws -> Int {
        guard let data = FileManager.default.contents(atPath: logURL.path) else { return 0 }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").reduce(0) { n, line in
            n + (try JSON.parse(String(line))["bytes"]?.intValue ?? 0)
        }
    }

    func clearLog() { try? FileManager.default.removeItem(at: logURL) }
}
