import Foundation
import LessonCompiler

/// `--cache DIR` and `--no-cache`, shared by the commands that compile (validate, build, publish).
enum CacheArguments {
    static let options: Set<String> = ["cache"]
    static let flags: Set<String> = ["no-cache"]

    /// The options' lines of `--help`, descriptions starting at `column`.
    static func help(column: Int) -> String {
        func line(_ option: String, _ text: [String]) -> String {
            let pad = String(repeating: " ", count: column)
            return ("  " + option).padding(toLength: column, withPad: " ", startingAt: 0) + text[0]
                + text.dropFirst().map { "\n" + pad + $0 }.joined()
        }
        return line("--cache DIR", ["the compile cache (default: ROOT/.lessonc-cache, git-ignored); deleting", "it only makes the next run slower"])
            + "\n" + line("--no-cache", ["compile every lesson, and neither read nor write the cache"])
    }

    /// (folder, use): the folder `--cache` names (relative to the current folder), or nil for the default.
    static func parse(_ args: Arguments) throws -> (folder: URL?, use: Bool) {
        if args.has("no-cache") && args["cache"] != nil { throw UsageError(message: "--cache and --no-cache cannot be used together") }
        let folder = args["cache"].map { URL(fileURLWithPath: $0, isDirectory: true, relativeTo: ProjectLocation.currentDirectory).standardizedFileURL }
        return (folder, !args.has("no-cache"))
    }

    /// "compiled 1 lesson; 9,999 unchanged, from the compile cache", when the cache saved work.
    static func summary(_ result: BuildResult) -> String? {
        let reused = result.lessonCount - result.compiledCount
        guard reused > 0, result.lessonCount > 0 else { return nil }
        return "compiled \(result.compiledCount) lesson\(result.compiledCount == 1 ? "" : "s"); \(reused) unchanged, from the compile cache"
    }
}
