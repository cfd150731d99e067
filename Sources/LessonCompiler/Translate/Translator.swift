/// Where each segment of a lesson stands in one locale.
public enum SegmentStatus: Equatable, Sendable {
    /// Publishable target for exactly this source.
    case translated
    /// A target exists but was made for another version of the source, or a tool marked it for review.
    case needsReview
    /// Nothing to use yet.
    case untranslated
}

/// A lesson rendered into one locale: texts from the XLIFF where translated, the source elsewhere.
public struct LessonTranslation: Sendable {
    public var lesson: CompiledLesson
    public var segments: [Segment]
    public var statuses: [SegmentStatus]

    public var total: Int { segments.count }
    public var translated: Int { statuses.filter { $0 == .translated }.count }
    /// Whole percent of segments translated, rounded down so 99.9% never reads as complete.
    public var coverage: Int { total == 0 ? 100 : translated * 100 / total }
    public var isComplete: Bool { translated == total }
}

/// Merges translations into compiled lessons (stage "translate" of the pipeline).
public enum Translator {
    /// Translates a compiled lesson with its XLIFF `<file>` (nil: none yet) and appends the checks'
    /// diagnostics for every unit the build would publish. `segments`: the lesson's, when already known.
    public static func translate(_ compiled: CompiledLesson, segments known: [Segment]? = nil, file: XLIFFFile?, locale: String, path: String,
                                 diagnostics: inout [Diagnostic]) -> LessonTranslation {
        let segments = known ?? SegmentWalker.segments(of: compiled)
        let units = file?.units ?? []
        let matches = Alignment.align(segments, units)
        var statuses: [SegmentStatus] = []
        var targets: [[SegmentRun]?] = []
        for (segment, match) in zip(segments, matches) {
            switch match {
            case .same(let u):
                let unit = units[u]
                if claimsTranslation(unit) {
                    diagnostics += TranslationChecks.check(unit, source: segment.runs, locale: locale, path: path)
                }
                if unit.isPublishable {
                    statuses.append(.translated)
                    targets.append(unit.target)
                } else {
                    statuses.append(unit.needsReview && hasText(unit.target) ? .needsReview : .untranslated)
                    targets.append(nil)
                }
            case .changed(let u):
                statuses.append(hasText(units[u].target) ? .needsReview : .untranslated)
                targets.append(nil)
            case .new:
                statuses.append(.untranslated)
                targets.append(nil)
            }
        }
        var next = 0
        let lesson = SegmentWalker.rewrite(compiled) { kind, inlines in
            guard let segment = Segment(kind: kind, inlines: inlines) else { return inlines }
            defer { next += 1 }
            guard next < targets.count, let target = targets[next] else { return inlines }
            return segment.inlines(from: Segment.normalized(target))
        }
        return LessonTranslation(lesson: lesson, segments: segments, statuses: statuses)
    }

    /// A unit whose state says "done", or a filled target without any state, is checked.
    static func claimsTranslation(_ unit: XLIFFUnit) -> Bool {
        guard let target = unit.target else { return false }
        if let state = unit.state { return XLIFFUnit.publishable.contains(state) }
        return hasText(target)
    }

    static func hasText(_ runs: [SegmentRun]?) -> Bool {
        guard let runs else { return false }
        return !Segment.plainText(runs).allSatisfy(\.isWhitespace) || runs.contains { $0.codeID != nil }
    }
}
