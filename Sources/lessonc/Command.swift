/// One `lessonc` sub-command: its help text, its options and what it does. Returns the exit status.
protocol Command {
    static var name: String { get }
    static var summary: String { get }
    static var help: String { get }
    /// The options `run` accepts: declared once, for the parser and for checking `--help` lines.
    static var spec: OptionSpec { get }
    static func run(_ args: [String]) throws -> Int32
    /// The help to print for `--help` given these arguments: a sub-command's own, where there are sub-commands.
    static func help(for args: [String]) -> String
    /// The options of the sub-command these arguments name, where there are sub-commands.
    static func spec(for args: [String]) -> OptionSpec
}

extension Command {
    static func help(for args: [String]) -> String { help }
    static func spec(for args: [String]) -> OptionSpec { spec }
}

/// Options that take a value, and flags (which take none); `help` (`-h`) is always a flag.
struct OptionSpec {
    var options: Set<String>
    var flags: Set<String>
    var positionals = 0

    init(options: Set<String>, flags: Set<String> = [], positionals: Int = 0) {
        self.options = options
        self.flags = flags.union(["help"])
        self.positionals = positionals
    }

    func parse(_ argv: [String]) throws -> Arguments {
        try Arguments(argv, options: options, flags: flags, maxPositionals: positionals)
    }
}

/// The first argument that is not an option or an option's value: a sub-command such as `extract`,
/// wherever the options around it are. The rest keeps its order.
func splitSubcommand(_ argv: [String], valueOptions: Set<String>) -> (sub: String?, rest: [String]) {
    var i = 0
    while i < argv.count {
        let arg = argv[i]
        if arg == "--" { break }
        if arg.hasPrefix("-") && arg != "-" {
            if arg.hasPrefix("--"), !arg.contains("="), valueOptions.contains(String(arg.dropFirst(2))) { i += 1 }
            i += 1
            continue
        }
        var rest = argv
        rest.remove(at: i)
        return (arg, rest)
    }
    return (nil, argv)
}

enum ExitCode {
    static let success: Int32 = 0
    static let invalid: Int32 = 1
    static let usage: Int32 = 2
}
