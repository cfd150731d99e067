import Foundation
import LessonSupport

let commands: [Command.Type] = [
    ValidateCommand.self,
    BuildCommand.self,
    StatsCommand.self,
    TranslateCommand.self,
    KeygenCommand.self,
    PublishCommand.self,
    VerifyCommand.self,
    SyncCommand.self,
    ImportCommand.self,
    ExportCommand.self,
    PreviewCommand.self,
    ServeCommand.self,
]

let version = "lessonc 0.1.0"

let mainHelp = """
lessonc — compiles Markdown lessons and XLIFF translations into signed content for phones.

Usage: lessonc <command> [options]

Commands:
\(commands.map { "  " + $0.name.padding(toLength: 11, withPad: " ", startingAt: 0) + $0.summary }.joined(separator: "\n"))

Options:
  -h, --help   show this help; 'lessonc <command> --help' (or 'lessonc help <command>') shows a command's
  --version    print lessonc's version

Options may come before or after the command: 'lessonc --root DIR validate' works too.
Without --root, lessonc finds the project as git finds its repository: the current folder or the
nearest folder above it that holds content/. Paths in messages are relative to the current folder.
Exit status: 0 success, 1 invalid input (diagnostics say why), 2 wrong usage.
"""

/// Every option any command takes a value for: what lets options stand before the command name.
let valueOptions = commands.reduce(into: Set<String>()) { $0.formUnion($1.spec.options) }

@MainActor
func runMain() -> Int32 {
    let argv = Array(CommandLine.arguments.dropFirst())
    guard let first = argv.first else {
        Console.err(mainHelp)
        return ExitCode.usage
    }
    if first == "--version" && argv.count == 1 {
        Console.out(version)
        return ExitCode.success
    }
    if first == "help" {
        guard argv.count > 1 else { Console.out(mainHelp); return ExitCode.success }
        guard let command = commands.first(where: { $0.name == argv[1] }) else {
            Console.err("lessonc: unknown command '\(argv[1])'\nRun 'lessonc --help' for the list of commands.")
            return ExitCode.usage
        }
        Console.out(command.help(for: Array(argv.dropFirst(2))))
        return ExitCode.success
    }
    // The command is the first word that is not an option or an option's value.
    let (name, args) = splitSubcommand(argv, valueOptions: valueOptions)
    guard let name else {
        if argv.allSatisfy({ $0 == "--help" || $0 == "-h" }) { Console.out(mainHelp); return ExitCode.success }
        if argv.contains("--version") { Console.out(version); return ExitCode.success }
        Console.err("lessonc: no command given\nRun 'lessonc --help' for the list of commands.")
        return ExitCode.usage
    }
    guard let command = commands.first(where: { $0.name == name }) else {
        Console.err("lessonc: unknown command '\(name)'\nRun 'lessonc --help' for the list of commands.")
        return ExitCode.usage
    }
    do {
        if args.contains("--help") || args.contains("-h") {
            // Help is printed only for a command line that is otherwise right: a misspelt option says so.
            _ = try Arguments(args, options: command.spec(for: args).options, flags: command.spec(for: args).flags, maxPositionals: Int.max)
            Console.out(command.help(for: args))
            return ExitCode.success
        }
        return try command.run(args)
    } catch let e as UsageError {
        Console.err("lessonc \(command.name): \(e.message)\nRun 'lessonc \(command.name) --help' for usage.")
        return ExitCode.usage
    } catch {
        Console.err("lessonc \(command.name): \(error)")
        return ExitCode.invalid
    }
}

// One command, then exit: what it built in memory is left for the operating system to free.
ProcessExit.freeNothingAtExit()
ProcessMemory.returnLargeBuffersWhenFreed()
exit(runMain())
