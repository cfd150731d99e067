import Foundation
import LessonChannel
import LessonSupport
import LessonSync

enum SyncCommand: Command {
    static let name = "sync"
    static let summary = "update a device store from a channel or offline pack, fetching only what changed"
    static let help = """
    Usage: lessonc sync --from URL|DIR|PACK.zip --into DIR --pubkey BASE.pub[,OTHER.pub]
                        [--curricula ID,ID|all] [--locales LL,LL|all] [--report json] [--verbose]
                        [--bulk auto|off] [--bulk-span BYTES] [--progress]
           lessonc sync --check --into DIR [--pubkey BASE.pub]

    Does what an app does to update its lessons, and is the reference for the update protocol:
      - fetches latest.json and its signature and checks them with the trusted key, following
        a key rotation only through the channel's signed key chain (keys/<g>.json);
      - refuses a release older than the store's (rollback) and an expired latest.json (freeze);
      - fetches the signed diff from the store's release (or the manifest on a first sync, when
        no diff exists, or when the subscription changed) and checks it;
      - downloads only the objects the store lacks, or rebuilds changed lessons from deltas, each
        capped at its signed size and checked against its hash; when one curriculum in one
        locale lacks many objects (a first sync), reads them from its offline pack on the host
        with a few HTTP Range requests instead of one request each;
      - switches the store to the new release in one step (it writes the new release beside the
        old one, flushes it to disk and renames one pointer file), then removes unused files.
    An interrupted sync resumes: finished objects are kept, and partial downloads continue with
    HTTP Range requests. The store always holds one whole release, the old one or the new one.

    Privacy: only plain GETs of static files, with constant headers (User-Agent lessonc-sync/1),
    no cookies, no cache, no query strings, no identifiers.

    Options:
      --from SOURCE      http(s):// channel URL, file:// URL or folder of a channel, or an
                         offline pack (packs/<N>/<curriculum>-<locale>.zip)
      --into DIR         the device store (created when missing)
      --pubkey FILES     trusted public key(s), comma-separated (BASE.pub from lessonc keygen)
      --curricula LIST   curricula to hold, comma-separated, or 'all'
      --locales LIST     locales to hold, comma-separated, or 'all'
                         The subscription is kept in the store: later syncs may leave both out.
                         A first sync without them holds everything (from a pack: the pack's
                         curriculum and locale).
      --report json      print one JSON object (from_release, to_release, objects_fetched,
                         bytes_downloaded, lessons_added, lessons_changed, lessons_removed, …)
      --verbose          list every lesson added, changed or removed (in JSON: "changes")
      --bulk MODE        auto (default): read many objects of one curriculum × locale from its
                         pack with Range requests; off: one request per object
      --bulk-span BYTES  the most one of those requests reads (default 4194304); four are held
                         in memory at once
      --progress         report progress on stderr, one line per step, even when stderr is not
                         a terminal (on a terminal it is shown on one line anyway)
      --timeout SECONDS  give up on a transfer that receives nothing for this long (default 30)
      --deadline SECONDS stop the whole sync after this long (default 900); what arrived is
                         kept, and the next sync resumes from there
      --retries N        further attempts after a reset, stall, 5xx or damaged download (default 2)
      --check            check the store instead: one whole release, every object present and
                         hash-correct (and, with --pubkey, its latest.json signature)
      -h, --help         show this help

    Exit status: 0 synced or already up to date, 1 refused or failed (the store keeps its
    previous release), 2 wrong usage.
    """

    static let spec = OptionSpec(options: ["from", "into", "pubkey", "curricula", "locales", "report", "timeout", "deadline", "retries", "bulk", "bulk-span"],
                                 flags: ["check", "verbose", "progress"])

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try spec.parse(argv)
        guard let into = args["into"], !into.isEmpty else { throw UsageError(message: "--into is required") }
        let store = URL(fileURLWithPath: into).standardizedFileURL
        let keyPaths = (args["pubkey"] ?? "").split(separator: ",").map(String.init)
        if args.has("check") {
            for option in ["from", "curricula", "locales", "report", "timeout", "deadline", "retries", "bulk", "bulk-span"] where args[option] != nil {
                throw UsageError(message: "--check takes only --into and --pubkey, not --\(option)")
            }
            return check(DeviceStore(store), keys: try keyPaths.map { try KeyFiles.publicKey(path: $0) }, path: into)
        }
        guard let from = args["from"], !from.isEmpty else { throw UsageError(message: "--from is required") }
        guard !keyPaths.isEmpty else { throw UsageError(message: "--pubkey is required") }
        let report = try args.choice("report", ["text", "json"], default: "text")
        let retries = try args.integer("retries", default: 2, range: 0...10)
        let timeout = try args.integer("timeout", default: 30, range: 1...3600)
        let deadline = try args.integer("deadline", default: 900, range: 1...86400)
        let bulk = try args.choice("bulk", ["auto", "off"], default: "auto")
        let span = try args.integer("bulk-span", default: 4 << 20, range: 4096...(256 << 20))
        let verbose = args.has("verbose")
        let subscription = try subscription(args, store: store)
        let keys = try keyPaths.map { try KeyFiles.publicKey(path: $0) }
        var options = SyncOptions(source: from, store: store, trustedKeys: keys, subscription: subscription)
        options.retries = retries
        options.timeout = Double(timeout)
        options.deadline = Double(deadline)
        if bulk == "off" { options.bulkMinimum = nil }
        options.bulkSpanBytes = span
        let printer = ProgressPrinter("lessonc sync", mode: ProgressPrinter.stderrCanRedraw ? .terminal : args.has("progress") ? .lines : .quiet)
        options.progress = { printer.show($0) }
        let result: SyncReport
        defer { printer.finish() }  // also when something other than a SyncError ends the sync
        do {
            result = try Sync.run(options)
            printer.finish()
        } catch let e as SyncError {
            printer.finish()
            Console.err("lessonc sync: \(e.message)")
            Console.err("the store \(into) was not changed")
            return ExitCode.invalid
        }
        if report == "json" {
            Console.out(result.json(verbose: verbose).serialized())
        } else {
            for line in result.lines(verbose: verbose) { Console.out(line) }
        }
        return ExitCode.success
    }

    /// --curricula and --locales: a list, 'all', or left out (the store's, which the library
    /// falls back to when this returns nil). Giving one keeps the store's other half.
    static func subscription(_ args: Arguments, store: URL) throws -> Subscription? {
        func list(_ name: String) throws -> [String]?? {
            guard let v = args[name] else { return .none }
            if v == "all" { return .some(nil) }
            let items = v.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !items.isEmpty, items.allSatisfy(ChannelName.isSafe) else {
                throw UsageError(message: "--\(name) must be a comma-separated list of names, or 'all', not '\(v)'")
            }
            return .some(items)
        }
        let curricula = try list("curricula"), locales = try list("locales")
        if curricula == nil && locales == nil { return nil }
        let stored = (try? DeviceStore(store).current())??.subscription
        return Subscription(curricula: curricula ?? stored?.curricula, locales: locales ?? stored?.locales)
    }

    static func check(_ store: DeviceStore, keys: [MinisignPublicKey], path: String) -> Int32 {
        let report = store.check(trusting: keys)
        for problem in report.problems { Console.out(problem) }
        guard let release = report.release else {
            if report.problems.isEmpty { Console.out("\(path): empty (never synced)") }
            return report.problems.isEmpty ? ExitCode.success : ExitCode.invalid
        }
        let what = "release \(release), \(report.objectsChecked) object\(report.objectsChecked == 1 ? "" : "s") checked\(keys.isEmpty ? "" : ", signature checked")"
        if report.isValid {
            Console.out("\(path): ok, \(what)")
            return ExitCode.success
        }
        Console.err("\(path): \(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") (\(what))")
        return ExitCode.invalid
    }
}

extension ProgressPrinter {
    /// Sync's steps: on a terminal each step is drawn, downloads counted ten times a second; with
    /// --progress on anything else, a line per step and per tenth of the downloads (what logs and
    /// tests read).
    func show(_ p: SyncProgress) {
        let counting = p.phase == .downloading && p.completed > 0
        show(p.message, force: !counting || p.completed >= p.total, tenth: counting ? (p.completed, p.total) : nil)
    }
}
