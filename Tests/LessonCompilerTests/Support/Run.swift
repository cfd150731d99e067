import Foundation

/// Runs a program and collects what it printed.
struct Run {
    let status: Int32
    let stdout: String
    let stderr: String

    init(_ executable: String, _ args: [String], environment: [String: String]? = nil, stdin: String? = nil, cwd: URL? = nil) throws {
        let p = Process()
        // setsid: no controlling terminal, so nothing can prompt on the developer's terminal.
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        p.arguments = ["--wait", executable] + args
        if let environment { p.environment = environment }
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        status = p.terminationStatus
        stdout = String(decoding: o, as: UTF8.self)
        stderr = String(decoding: e, as: UTF8.self)
    }

    /// The lessonc built next to the tests.
    static var lessonc: String {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("lessonc")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
        }
        return dir.appendingPathComponent("lessonc").path
    }

    static func which(_ tool: String) -> String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        return nil
    }
}
