import Foundation
import LessonCompiler

/// Wrong usage: printed with a pointer to `--help`, exit status 2.
struct UsageError: Error {
    let message: String
}

/// A small, strict command-line parser: `--name value`, `--name=value`, flags, positionals.
struct Arguments {
    private(set) var values: [String: String] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []

    /// - Parameters:
    ///   - options: options that take a value.
    ///   - flags: options that take none.
    init(_ args: [String], options: Set<String>, flags allowedFlags: Set<String>, maxPositionals: Int = 0) throws {
        var i = 0
        while i < args.count {
            let arg = args[i]
            if arg == "--" {
                positionals.append(contentsOf: args[(i + 1)...]); break
            }
            if arg.hasPrefix("--") {
                var name = String(arg.dropFirst(2))
                var inline: String?
                if let eq = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                if allowedFlags.contains(name) {
                    if inline != nil { throw UsageError(message: "option '--\(name)' takes no value") }
                    flags.insert(name)
                } else if options.contains(name) {
                    if values[name] != nil { throw UsageError(message: "option '--\(name)' given twice") }
                    if let inline { values[name] = inline } else {
                        guard i + 1 < args.count, !args[i + 1].hasPrefix("--") else {
                            throw UsageError(message: "option '--\(name)' needs a value")
                        }
                        values[name] = args[i + 1]
                        i += 1
                    }
                } else {
                    throw UsageError(message: "unknown option '\(arg)'")
                }
            } else if arg.hasPrefix("-") && arg != "-" {
                if arg == "-h" { flags.insert("help") } else { throw UsageError(message: "unknown option '\(arg)'") }
            } else {
                positionals.append(arg)
            }
            i += 1
        }
        if positionals.count > maxPositionals {
            throw UsageError(message: "unexpected argument '\(positionals[maxPositionals])'")
        }
    }

    subscript(_ name: String) -> String? { values[name] }
    func has(_ flag: String) -> Bool { flags.contains(flag) }

    func choice(_ name: String, _ allowed: [String], default value: String) throws -> String {
        guard let v = values[name] else { return value }
        guard allowed.contains(v) else {
            throw UsageError(message: "--\(name) must be one of \(allowed.joined(separator: ", ")), not '\(v)'")
        }
        return v
    }

    func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let v = values[name] else { return value }
        guard let n = Int(v), range.contains(n) else {
            throw UsageError(message: "--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(v)'")
        }
        return n
    }
}

/// Where results and progress go: results to stdout, progress and diagnostics summaries to stderr.
enum Console {
    static func out(_ s: String) {
        FileHandle.standardOutput.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
    }
    static func err(_ s: String) {
        FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
    }
    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}

extension StalePolicy {
    /// `--stale fallback|keep` (build, publish, translate status), fallback when not given.
    static func parse(_ args: Arguments) throws -> StalePolicy {
        StalePolicy(rawValue: try args.choice("stale", allCases.map(\.rawValue), default: StalePolicy.fallback.rawValue))!
    }
}
