import Foundation
import LessonCompiler

enum ServeCommand: Command {
    static let name = "serve"
    static let summary = "show the preview on 127.0.0.1, rebuilt and reloaded as you edit"
    static let help = """
    Usage: lessonc serve [--root DIR] [--out DIR] [--port N] [--host ADDRESS] [--cache DIR | --no-cache]

    Writes the preview site (as 'lessonc preview' does) and serves it at http://127.0.0.1:PORT/.
    It watches content/ and locales/ (checking a few times a second), rebuilds only what changed
    through the compile cache, and open pages reload themselves. An edit that breaks a lesson shows
    its errors at the top of the lesson's page; the server keeps running. Ctrl-C stops it.

    Only files under the preview folder are served. The server listens on 127.0.0.1, so only this
    machine can open the preview; --host 0.0.0.0 (or another address of this machine) lets other
    devices on the network in, for instance a phone on the same Wi-Fi: the preview then shows your
    unpublished lessons to anyone who can reach that address.

    Options:
      --root DIR       the project folder holding content/ (default: the nearest folder with content/, here or above)
      --out DIR        where to write the site (default: ROOT/build/preview)
      --port N         the port to listen on (default 8000; 0 picks a free one)
      --host ADDRESS   the IPv4 address to listen on (default 127.0.0.1)
    \(CacheArguments.help(column: 19))
      -h, --help       show this help

    Prints "serving http://HOST:PORT/" on stdout once the site is ready. Exit status: 0 stopped by
    Ctrl-C, 1 the site could not be written or the port not opened, 2 wrong usage.
    """

    static let spec = OptionSpec(options: CacheArguments.options.union(["root", "out", "port", "host"]), flags: CacheArguments.flags)

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try spec.parse(argv)
        let port = try args.integer("port", default: 8000, range: 0...65535)
        let host = args["host"] ?? "127.0.0.1"
        let location = ProjectLocation.find(args)
        let options = try PreviewCommand.previewOptions(args, location: location)
        let site = PreviewSite(options)
        let watcher = SourceWatcher(root: location.root)
        var seen = watcher.fingerprint()
        let first = site.run()
        // stdout carries only the address, for scripts; the rest goes to stderr.
        for d in first.diagnostics { Console.err(location.display(d).description) }
        Console.err("\(first.lessonCount) lesson\(first.lessonCount == 1 ? "" : "s") in \(first.curriculumCount) curricul\(first.curriculumCount == 1 ? "um" : "a"): \(first.errors) error\(first.errors == 1 ? "" : "s"), \(first.warnings) warning\(first.warnings == 1 ? "" : "s")")
        guard first.written else {
            Console.err("serve: cannot write the preview to \(options.output.path)")
            return ExitCode.invalid
        }
        let server: PreviewServer
        do {
            server = try PreviewServer(site: site, host: host, port: UInt16(port))
        } catch {
            Console.err("lessonc serve: \(error)")
            return ExitCode.invalid
        }
        // Ctrl-C (and kill): stop listening, so the port is free at once, and exit 0.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        var sources: [DispatchSourceSignal] = []
        for s in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
            source.setEventHandler {
                server.stop()
                Console.err("stopped")
                exit(ExitCode.success)
            }
            source.resume()
            sources.append(source)
        }
        server.start()
        Console.out("serving \(server.url)")
        Console.err("watching \(location.display("content")) and \(location.display("locales")); Ctrl-C stops")
        while true {
            usleep(200_000)
            let now = watcher.fingerprint()
            guard now != seen else { continue }
            // Let an editor finish saving (several files, or write-then-rename) before rebuilding.
            usleep(50_000)
            seen = watcher.fingerprint()
            let started = Date()
            let result = server.rebuild()
            let ms = Int(Date().timeIntervalSince(started) * 1000)
            Console.err("rebuilt in \(ms) ms: \(result.compiledCount) lesson\(result.compiledCount == 1 ? "" : "s") compiled, \(result.filesWritten) file\(result.filesWritten == 1 ? "" : "s") changed; \(result.errors) error\(result.errors == 1 ? "" : "s"), \(result.warnings) warning\(result.warnings == 1 ? "" : "s")")
            for d in result.diagnostics where d.severity == .error { Console.err(location.display(d).description) }
        }
    }
}
