import Foundation

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
]

let mainHelp = """
lessonc — compiles Markdown lessons and XLIFF translations into signed content for phones.

Usage: lessonc <command> [options]

Commands:
\(commands.map { "  " + $0.name.padding(toLength: 11, withPad: " ", startingAt: 0) + $0.summary }.joined(separator: "\n"))

Run 'lessonc <command> --help' for a command's options.
Exit status: 0 success, 1 invalid input (diagnostics say why), 2 wrong usage.
"""

func runMain() -> Int32 {
    var args = Array(CommandLine.arguments.dropFirst())
    guard let first = args.first else {
        Console.err(mainHelp)
        return ExitCode.usage
    }
    if first == "--help" || first == "-h" || first == "help" {
        Console.out(mainHelp)
        return ExitCode.success
    }
    if first == "--version" {
        Console.out("lessonc 0.1.0")
        return ExitCode.success
    }
    args.removeFirst()
    guard let command = commands.first(where: { $0.name == first }) else {
        Console.err("lessonc: unknown command '\(first)'\nRun 'lessonc --help' for the list of commands.")
        return ExitCode.usage
    }
    if args.contains("--help") || args.contains("-h") {
        Console.out(command.help(for: args))
        return ExitCode.success
    }
    do {
        return try command.run(args)
    } catch let e as UsageError {
        Console.err("lessonc \(command.name): \(e.message)\nRun 'lessonc \(command.name) --help' for usage.")
        return ExitCode.usage
    } catch {
        Console.err("lessonc \(command.name): \(error)")
        return ExitCode.invalid
    }
}

exit(runMain())
