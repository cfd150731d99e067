import Foundation
import LessonSupport
import Synchronization

/// Progress of a long command on stderr, for build, preview, validate, publish, translate
/// extract and sync alike. On a terminal: one line (`ProgressLine`), redrawn in place at most ten
/// times a second and cleared before anything else is printed. With `.lines` (sync --progress):
/// a line per step, for logs. Otherwise (a pipe, a file, CI) nothing.
final class ProgressPrinter: Sendable {
    enum Mode { case terminal, lines, quiet }
    private struct State {
        var line: ProgressLine
        var lastTenth = -1
    }
    let mode: Mode
    private let state: Mutex<State>
    private let start = ContinuousClock.now

    init(_ label: String, mode: Mode) {
        self.mode = mode
        state = Mutex(State(line: ProgressLine(label: label, width: mode == .terminal ? ProgressPrinter.columns() : nil)))
    }

    /// A printer for `lessonc <command>`: drawn only when a person watches stderr on a terminal
    /// (TERM=dumb cannot redraw a line, so it gets none).
    convenience init(command: String) {
        self.init("lessonc \(command)", mode: ProgressPrinter.stderrCanRedraw ? .terminal : .quiet)
    }

    static var stderrCanRedraw: Bool {
        Console.stderrIsTerminal && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// For the library's progress hooks: nil when nothing would be shown, so the work does not
    /// count for nobody.
    var work: (@Sendable (WorkProgress) -> Void)? {
        guard mode != .quiet else { return nil }
        return { @Sendable [self] p in show(p) }
    }

    private var now: Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    func show(_ p: WorkProgress) {
        switch mode {
        case .quiet: return
        case .terminal: draw { $0.update(p, now: now) }
        case .lines:
            if p.total > 0 && !p.isFinal { return }
            let label = state.withLock { $0.line.label }
            Console.err("\(label): \(p.text)")
        }
    }

    /// One message; on a terminal, `force` draws it even within the throttle's interval.
    /// `tenth` (lines mode): print only when the count reaches another tenth of the total.
    func show(_ text: String, force: Bool, tenth: (done: Int, total: Int)? = nil) {
        switch mode {
        case .quiet: return
        case .terminal: draw { $0.update(text, now: now, force: force) }
        case .lines:
            let line = state.withLock { s -> String? in
                if let tenth, tenth.done > 0 {
                    let t = tenth.done * 10 / max(1, tenth.total)
                    guard t != s.lastTenth else { return nil }
                    s.lastTenth = t
                }
                return "\(s.line.label): \(text)"
            }
            if let line { Console.err(line) }
        }
    }

    /// Clears the terminal line, so what follows (diagnostics, results) starts on a clean line.
    func finish() {
        draw { $0.clear() }
    }

    /// Writes under the lock, so lines from different threads never interleave.
    private func draw(_ make: (inout ProgressLine) -> String?) {
        state.withLock { s in
            if let bytes = make(&s.line) { FileHandle.standardError.write(Data(bytes.utf8)) }
        }
    }

    /// The terminal's width, from stderr; nil when it does not say.
    static func columns() -> Int? {
        var size = winsize()
        guard ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
