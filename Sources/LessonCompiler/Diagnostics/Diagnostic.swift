import Foundation
import LessonSupport
import Synchronization

public enum Severity: String, Sendable, Comparable {
    case error, warning
    public static func < (a: Severity, b: Severity) -> Bool { a == .error && b == .warning }
}

/// One problem in the sources, compiler-style: `path:line:column: severity: message [rule]`.
/// Paths are relative to the project root so results are the same on every machine; the CLI
/// prints them relative to the current folder. Columns count UTF-16 code units, as editors do.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    public var message: String
    public var rule: Rule

    public init(_ severity: Severity, _ rule: Rule, _ message: String, path: String, line: Int = 1, column: Int = 1) {
        self.path = path
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
        self.rule = rule
    }

    public var description: String {
        "\(path):\(line):\(column): \(severity.rawValue): \(message) [\(rule.rawValue)]"
    }

    public var json: JSON {
        ["path": .string(path), "line": .int(line), "column": .int(column),
         "severity": .string(severity.rawValue), "message": .string(message), "rule": .string(rule.rawValue)]
    }

    /// Sorted by path, then line and column, so every run prints the same order.
    public static func sorted(_ list: [Diagnostic]) -> [Diagnostic] {
        list.sorted { a, b in
            if a.path != b.path { return a.path.unicodeScalars.lexicographicallyPrecedes(b.path.unicodeScalars) }
            if a.line != b.line { return a.line < b.line }
            if a.column != b.column { return a.column < b.column }
            if a.severity != b.severity { return a.severity < b.severity }
            if a.rule != b.rule { return a.rule.rawValue < b.rule.rawValue }
            return a.message < b.message
        }
    }
}

/// Collects diagnostics from many threads.
public final class DiagnosticSink: Sendable {
    private let items = Mutex<[Diagnostic]>([])

    public init() {}

    public func add(_ d: Diagnostic) {
        items.withLock { $0.append(d) }
    }

    public func add(contentsOf list: [Diagnostic]) {
        guard !list.isEmpty else { return }
        items.withLock { $0.append(contentsOf: list) }
    }

    public var all: [Diagnostic] {
        Diagnostic.sorted(items.withLock { $0 })
    }

    public var errorCount: Int { all.filter { $0.severity == .error }.count }
    public var warningCount: Int { all.filter { $0.severity == .warning }.count }
}

/// Turns a byte column (what cmark reports) into the column editors show: UTF-16 code units from
/// 1, as the Language Server Protocol and VS Code count them (a tab is one column).
func utf16Column(line text: Substring.UTF8View, byteColumn: Int) -> Int {
    var column = 1
    var index = 0
    for byte in text {
        if index >= byteColumn - 1 { break }
        // Count at each lead byte: one unit for characters up to U+FFFF, two (a surrogate pair) above.
        if byte & 0xC0 != 0x80 { column += byte >= 0xF0 ? 2 : 1 }
        index += 1
    }
    return max(1, column)
}
