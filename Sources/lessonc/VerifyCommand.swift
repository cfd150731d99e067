import Foundation
import LessonChannel
import LessonSupport

enum VerifyCommand: Command {
    static let name = "verify"
    static let summary = "check every signature, hash and reference in a channel or offline pack"
    static let help = """
    Usage: lessonc verify --channel DIR|PACK.zip --pubkey BASE.pub

    Checks a channel folder (or one offline pack, packs/<N>/<curriculum>-<locale>.zip) the way a
    device would, trusting only BASE.pub:
      - keys.json: signed by BASE.pub's key, or reached from it through keys/<g>.json, each key
        rotation signed by the old and the new key;
      - the signature and trusted comment (file and release) of latest.json, every kept manifest,
        every diff, and pack.json in each pack;
      - that latest.json has not expired;
      - the sha256 and size of every object, document and manifest against what refers to it,
        that objects are valid gzip, and that each diff is exactly the difference between its two
        manifests and each delta rebuilds its object;
      - that every curriculum × locale has a pack, holding exactly what that pack needs.

    Every problem is printed on its own line, naming the file.

    Options:
      --channel PATH   the channel folder, or a pack .zip
      --pubkey FILE    the public key to trust (BASE.pub from lessonc keygen or minisign -G)
      -h, --help       show this help

    Exit status: 0 all good, 1 problems found, 2 wrong usage.
    """

    static let spec = OptionSpec(options: ["channel", "pubkey"])

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try spec.parse(argv)
        guard let path = args["channel"], !path.isEmpty else { throw UsageError(message: "--channel is required") }
        guard let pubPath = args["pubkey"], !pubPath.isEmpty else { throw UsageError(message: "--pubkey is required") }
        let key = try KeyFiles.publicKey(path: pubPath)
        let source: any ChannelSource
        do throws(LocalChannel.OpenError) { source = try LocalChannel.open(URL(fileURLWithPath: path).standardizedFileURL) } catch {
            switch error {
            case .doesNotExist: throw CommandError("\(path) does not exist")
            case .notAPack(let why): throw CommandError("\(path): \(why)")
            }
        }
        let report = ChannelVerifier.verify(source, trusting: key, now: Int(Date().timeIntervalSince1970))
        for problem in report.problems { Console.out(problem) }
        let what = "release \(report.release): \(report.signaturesChecked) signatures, \(report.objectsChecked) objects, \(report.packsChecked) packs checked with key \(key.keyIDString)"
        if report.problems.isEmpty {
            Console.out("\(path): ok, \(what)")
            return ExitCode.success
        }
        Console.err("\(path): \(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") (\(what))")
        return ExitCode.invalid
    }
}
