import Foundation
import LessonCompiler
import LessonChannel
import LessonSupport

enum PublishCommand: Command {
    static let name = "publish"
    static let summary = "compile and publish a signed release into a channel folder"
    static let help = """
    Usage: lessonc publish [--root DIR] --channel DIR --key BASE.key [--keep N] [--expires-days D]
                           [--rotate-to NEW.key] [--strict] [--stale fallback|keep] [--cache DIR | --no-cache]

    Compiles DIR/content like `lessonc build` (invalid sources publish nothing), then writes the
    next release into the channel folder, ready to upload to any static web host:

      objects/<hh>/<sha256>              compiled lessons, indexes and assets (gzip), content-addressed,
                                         and each curriculum × locale's listing of its lessons (buckets)
      releases/<N>/manifest.json         every curriculum × locale: part hash, lesson count, listing, assets
      releases/<N>/NOTES.md              what changed, per curriculum and language
      releases/<N>/ATTRIBUTION.md        links to the attribution of each curriculum and language
      attribution/<sha256>.md            title, authors, source and licence of every lesson and asset
                                         of one curriculum in one language, stored once per content
      releases/<N>/LICENSE               the content licence (CC BY 4.0)
      diffs/<M>-<N>.json                 what changed since each kept release M, with small deltas
      packs/<N>/<curriculum>-<locale>.zip  offline packs for SD card, USB or Bluetooth
      keys.json, keys/<g>.json           the signing key and its history
      latest.json                        the newest release and its expiry (written last)

    Every JSON file is signed in minisign's format (FILE.minisig; trusted comment
    "file:<path> release:<N>"). Unchanged sources make no new release (latest.json's expiry is
    renewed). Objects and releases no longer kept are pruned. If anything fails, the channel is
    left as it was.

    Options:
      --root DIR          the project folder holding content/ (default: the nearest folder with content/, here or above)
      --channel DIR       the channel folder (created if missing; must be empty or a channel)
      --key FILE          the secret key (from lessonc keygen or minisign -G)
      --keep N            earlier releases to keep, each with a diff to the new one (default 10)
      --expires-days D    days until devices refuse latest.json unless it is renewed (default 30)
      --rotate-to FILE    move the channel to a new secret key: everything is signed with it, and
                          keys.json is signed by both keys so devices trusting the old key follow
      --strict            treat warnings in the sources as errors
      --stale POLICY      what a translation of a text changed since does until reviewed: fallback
                          (default: the lesson falls back) or keep (stays live if it passes the checks)
    \(CacheArguments.help(column: 22))
      -h, --help          show this help

    Environment:
      LESSONC_SECRET_KEY      the secret key file's content, instead of --key (for CI secrets)
      LESSONC_PASSPHRASE      the passphrase of an encrypted --key (otherwise asked on the terminal)
      LESSONC_NEW_PASSPHRASE  the passphrase of an encrypted --rotate-to key
      SOURCE_DATE_EPOCH       the release time in seconds since 1970 (default: now). Publishing the
                              same sources into an empty channel with the same SOURCE_DATE_EPOCH and
                              key gives byte-identical channels.

    Exit status: 0 published or already up to date, 1 invalid sources or channel, 2 wrong usage.
    """

    static let spec = OptionSpec(options: CacheArguments.options.union(["root", "channel", "key", "keep", "expires-days", "rotate-to", "stale"]),
                                 flags: CacheArguments.flags.union(["strict"]))

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try spec.parse(argv)
        let location = ProjectLocation.find(args)
        guard let channel = args["channel"], !channel.isEmpty else { throw UsageError(message: "--channel is required") }
        let keep = try args.integer("keep", default: 10, range: 0...1000)
        let days = try args.integer("expires-days", default: 30, range: 1...3650)
        let now = try sourceDateEpoch()
        let key = try KeyFiles.secretKey(path: args["key"], option: "key", allowEnvironment: true, passphraseVariable: KeyFiles.passphraseVariable)
        let rotateTo = try args["rotate-to"].map {
            try KeyFiles.secretKey(path: $0, option: "rotate-to", allowEnvironment: false, passphraseVariable: KeyFiles.newPassphraseVariable)
        }
        var options = PublishOptions(root: location.root,
                                     channel: URL(fileURLWithPath: channel, isDirectory: true).standardizedFileURL, key: key, now: now)
        options.rotateTo = rotateTo
        options.keep = keep
        options.expiresDays = days
        options.strict = args.has("strict")
        options.stale = try StalePolicy.parse(args)
        let progress = ProgressPrinter(command: name)
        defer { progress.finish() }  // also when publishing throws
        options.progress = progress.work
        (options.cacheFolder, options.useCache) = try CacheArguments.parse(args)
        let report = try Publisher.run(options)
        progress.finish()
        ValidateCommand.report(report.build, format: "text", strict: options.strict, location: location)
        if let summary = CacheArguments.summary(report.build) { Console.err(summary) }
        for line in report.lines { Console.err(line) }
        guard report.build.succeeded else { return ExitCode.invalid }
        Console.out("\(options.channel.path): release \(report.release)\(report.published ? " published" : " (unchanged)")")
        return ExitCode.success
    }

    /// SOURCE_DATE_EPOCH when set (reproducible builds), otherwise the current time.
    static func sourceDateEpoch() throws -> Int {
        guard let value = KeyFiles.environment["SOURCE_DATE_EPOCH"] else { return Int(Date().timeIntervalSince1970) }
        guard let n = Int(value), n >= 0, n < 253_402_300_800 else {
            throw UsageError(message: "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not '\(value)'")
        }
        return n
    }
}
