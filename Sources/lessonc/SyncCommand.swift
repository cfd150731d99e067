import Foundation
import LessonChannel
import LessonSupport
import LessonSync
import Synchronization

enum SyncCommand: Command {
    static let name = "sync"
    static let summary = "update a device store from a channel or offline pack, fetching only what changed"
    static let help = """
    Usage: lessonc sync --from URL|DIR|PACK.zip --into DIR --pubkey BASE.pub[,OTHER.pub]
                        [--curricula ID,ID|all] [--locales LL,LL|all] [--report json]
           lessonc sync --check --into DIR [--pubkey BASE.pub]

    Does what an app does to update its lessons, and is the reference for the update protocol:
      - fetches latest.json and its signature and checks them with the trusted key, following
        a key rotation only through the channel's signed key chain (keys/<g>.json);
      - refuses a release older than the store's (rollback) and an expired latest.json (freeze);
      - fetches the signed diff from the store's release (or the manifest on a first sync, when
        no diff exists, or when the subscription changed) and checks it;
      - downloads only the objects the store lacks, or rebuilds changed lessons from deltas, each
        capped at its signed size and checked against its hash;
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

    static let spec = OptionSpec(options: ["from", "into", "pubkey", "curricula", "locales", "report", "timeout", "deadline", "retries"], flags: ["check"])

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try spec.parse(argv)
        guard let into = args["into"], !into.isEmpty else { throw UsageError(message: "--into is required") }
        let store = URL(fileURLWithPath: into).standardizedFileURL
        let keyPaths = (args["pubkey"] ?? "").split(separator: ",").map(String.init)
        if args.has("check") {
            for option in ["from", "curricula", "locales", "report", "timeout", "deadline", "retries"] where args[option] != nil {
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
        let subscription = try subscription(args, store: store)
        let keys = try keyPaths.map { try KeyFiles.publicKey(path: $0) }
        var options = SyncOptions(source: from, store: store, trustedKeys: keys, subscription: subscription)
        options.retries = retries
        options.timeout = Double(timeout)
        options.deadline = Double(deadline)
        options.progress = progressPrinter()
        let result: SyncReport
        do { result = try Sync.run(options) } catch let e as SyncError {
            Console.err("lessonc sync: \(e.message)")
            Console.err("the store \(into) was not changed")
            return ExitCode.invalid
        }
        if report == "json" {
            Console.out(result.json.serialized())
        } else {
            for line in result.lines { Console.out(line) }
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

    /// Progress on stderr: each step, and the download count every tenth of the way.
    static func progressPrinter() -> @Sendable (SyncProgress) -> Void {
        let printer = ProgressPrinter()
        return { printer.print($0) }
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

/// Prints sync progress, leaving out download counts within the same tenth.
final class ProgressPrinter: Sendable {
    private let lastTenth = Mutex(-1)

    func print(_ p: SyncProgress) {
        lastTenth.withLock { lastTenth in
            if p.phase == .downloading && p.completed > 0 {
                let tenth = p.completed * 10 / max(1, p.total)
                guard tenth != lastTenth else { return }
                lastTenth = tenth
            }
            Console.err("lessonc sync: \(p.message)")
        }
    }
}
