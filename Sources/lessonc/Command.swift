/// One `lessonc` sub-command: its help text and what it does. Returns the exit status.
protocol Command {
    static var name: String { get }
    static var summary: String { get }
    static var help: String { get }
    static func run(_ args: [String]) throws -> Int32
    /// The help to print for `--help` given these arguments: a sub-command's own, where there are sub-commands.
    static func help(for args: [String]) -> String
}

extension Command {
    static func help(for args: [String]) -> String { help }
}

enum ExitCode {
    static let success: Int32 = 0
    static let invalid: Int32 = 1
    static let usage: Int32 = 2
}
