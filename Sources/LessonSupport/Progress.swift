import Foundation

/// Where a long run (build, publish, extract) is, for a progress display: a step, and for the
/// counted steps how many of how many things are done.
public struct WorkProgress: Sendable, Equatable {
    /// The steps a run goes through, in the order they come.
    public enum Step: String, Sendable, CaseIterable {
        /// Reading content/ and locales/ (not counted).
        case loading
        /// Lessons compiled (build, publish, preview) or checked (validate).
        case compiling, checking
        /// Lessons whose XLIFF `<file>` was written (translate extract).
        case extracting
        /// Publish: objects staged, packs staged.
        case writingObjects, writingPacks
        /// Preview: lesson pages rendered.
        case rendering

        var past: String {
            switch self {
            case .loading: return "loading"
            case .compiling: return "compiled"
            case .checking: return "checked"
            case .extracting: return "extracted"
            case .writingObjects, .writingPacks: return "wrote"
            case .rendering: return "rendered"
            }
        }

        var unit: String {
            switch self {
            case .loading: return ""
            case .compiling, .checking, .extracting: return "lessons"
            case .writingObjects: return "objects"
            case .writingPacks: return "packs"
            case .rendering: return "pages"
            }
        }
    }

    public var step: Step
    public var done: Int
    public var total: Int

    public init(_ step: Step, done: Int = 0, total: Int = 0) {
        self.step = step
        self.done = done
        self.total = total
    }

    /// "compiled 1200/10000 lessons (12%)", or "loading" for a step that is not counted.
    public var text: String {
        guard step.unit != "" else { return step.past + " content/ and locales/" }
        let percent = total > 0 ? " (\(done * 100 / total)%)" : ""
        return "\(step.past) \(done)/\(total) \(step.unit)\(percent)"
    }

    /// The step is over: always drawn, whatever the throttle says.
    public var isFinal: Bool { total > 0 && done >= total }
}

/// One status line on a terminal, redrawn in place with a carriage return: what to write for
/// each update, at most one redraw per `interval`, and what clears it. It writes nothing itself
/// (the caller does, under its own lock), so tests read the exact bytes.
public struct ProgressLine: Sendable {
    /// Goes back to the start of the line and erases it (ANSI "erase in line").
    public static let eraseLine = "\r\u{1B}[K"

    /// What starts every line: "lessonc build".
    public let label: String
    /// Seconds between redraws: 0.1 is ten a second, as fast as anyone reads.
    public let interval: Double
    /// The terminal's columns: longer lines are cut, since a wrapped line cannot be redrawn in place.
    public var width: Int?
    private var lastDraw: Double?
    private var lastText: String?
    private var lastStep: WorkProgress.Step?
    private var lastDone = 0
    /// Something is on the line and must be cleared before anything else is written.
    public private(set) var isShown = false

    public init(label: String, interval: Double = 0.1, width: Int? = nil) {
        self.label = label
        self.interval = interval
        self.width = width
    }

    /// The bytes that show `text` at time `now` (seconds), or nil when the line was redrawn
    /// less than `interval` ago or already shows it. `force` draws anyway: a new step, or a
    /// step's last count, which the line must not leave out.
    public mutating func update(_ text: String, now: Double, force: Bool = false) -> String? {
        guard text != lastText else { return nil }
        if !force, let lastDraw, now - lastDraw < interval { return nil }
        lastDraw = now
        lastText = text
        isShown = true
        return ProgressLine.eraseLine + fitted("\(label): \(text)")
    }

    /// The bytes that show where a run is: a new step and a step's last count are always drawn.
    public mutating func update(_ p: WorkProgress, now: Double) -> String? {
        let newStep = p.step != lastStep
        // Threads finish in any order: a count reported after a higher one is old news.
        if !newStep && p.done < lastDone { return nil }
        lastStep = p.step
        lastDone = p.done
        return update(p.text, now: now, force: newStep || p.isFinal)
    }

    /// The bytes that clear the line, or nil when nothing is on it.
    public mutating func clear() -> String? {
        guard isShown else { return nil }
        isShown = false
        lastText = nil
        lastDraw = nil
        lastStep = nil
        lastDone = 0
        return ProgressLine.eraseLine
    }

    /// The line cut to one less than the terminal's width (the last column would wrap on some
    /// terminals), with "…" where it was cut.
    func fitted(_ line: String) -> String {
        guard let width, width > 1, line.count > width - 1 else { return line }
        return String(line.prefix(max(0, width - 2))) + "…"
    }
}
