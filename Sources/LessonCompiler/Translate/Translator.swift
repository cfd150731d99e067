/// Where each segment of a lesson stands in one locale.
public enum SegmentStatus: Equatable, Sendable {
    /// Publishable target for exactly this source.
    case translated
    /// A target exists but was made for another version of the source, or a tool marked it for review.
    case needsReview
    /// A target that claims to be translated but fails a check (an inline code missing, a number
    /// changed): used as if untranslated, and counted with the texts to review.
    case failsCheck
    /// Nothing to use yet.
    case untranslated
}

/// A lesson rendered into one locale: texts from the XLIFF where translated, the source elsewhere.
public struct LessonTranslation: Sendable {
    /// The source lesson and, per segment, the target to use (nil: the source's text).
    let compiled: CompiledLesson
    let targets: [[SegmentRun]?]
    public var segments: [Segment]
    public var statuses: [SegmentStatus]

    /// The translated lesson, built when asked: a lesson that falls back never needs it.
    public var lesson: CompiledLesson {
        guard targets.contains(where: { $0 != nil }) else { return compiled }
        var next = 0
        return SegmentWalker.rewrite(compiled) { kind, inlines in
            guard let segment = Segment(kind: kind, inlines: inlines) else { return inlines }
            defer { next += 1 }
            guard next < targets.count, let target = targets[next] else { return inlines }
            return segment.inlines(from: Segment.normalized(target))
        }
    }

    public var total: Int { segments.count }
    public var translated: Int { statuses.filter { $0 == .translated }.count }
    /// Whole percent of segments translated, rounded down so 99.9% never reads as complete.
    public var coverage: Int { total == 0 ? 100 : translated * 100 / total }
    public var isComplete: Bool { translated == total }

    /// Whether the build publishes the lesson in the locale: complete, or at least `minCoverage`
    /// percent translated when that is below 100 (gaps then show the source text).
    public func publishes(minCoverage: Int) -> Bool { isComplete || (minCoverage < 100 && coverage >= minCoverage) }
}

/// Merges translations into compiled lessons (stage "translate" of the pipeline).
public enum Translator {
    /// Translates a compiled lesson with its XLIFF `<file>` (nil: none yet) and appends what reading
    /// the file found and the checks' diagnostics for every unit that claims to be translated.
    /// A unit that fails a check is used as if untranslated, with a warning: one bad unit never
    /// blocks a release (`--strict` makes warnings fatal). `segments`: the lesson's, when already known.
    public static func translate(_ compiled: CompiledLesson, segments known: [Segment]? = nil, file: XLIFFFile?, locale: String, path: String,
                                 diagnostics: inout [Diagnostic]) -> LessonTranslation {
        let segments = known ?? SegmentWalker.segments(of: compiled)
        let merged = merge(segments, file: file, locale: locale, path: path, diagnostics: &diagnostics)
        return LessonTranslation(compiled: compiled, targets: merged.targets, segments: segments, statuses: merged.statuses)
    }

    /// What each segment gets from the units of a file: its status, and the target to use (nil: the source).
    struct Merged {
        var statuses: [SegmentStatus]
        var targets: [[SegmentRun]?]
    }

    static func merge(_ segments: [Segment], file: XLIFFFile?, locale: String, path: String, diagnostics: inout [Diagnostic]) -> Merged {
        if let problems = file?.problems { diagnostics += problems }
        let units = file?.units ?? []
        let facts = TranslationChecks.LocaleFacts(locale)
        var out = Merged(statuses: [], targets: [])
        out.statuses.reserveCapacity(segments.count)
        out.targets.reserveCapacity(segments.count)
        for (segment, match) in zip(segments, Alignment.align(segments, units)) {
            switch match {
            case .same(let u):
                let unit = units[u]
                var fails = false
                if claimsTranslation(unit) && !unit.isDamaged {
                    for d in TranslationChecks.check(unit, source: segment.runs, locale: facts, path: path) {
                        guard d.severity == .error else { diagnostics.append(d); continue }
                        fails = true
                        diagnostics.append(Diagnostic(.warning, d.rule, d.message + "; the text stays untranslated until this is fixed",
                                                      path: d.path, line: d.line, column: d.column))
                    }
                }
                if fails {
                    out.statuses.append(.failsCheck)
                    out.targets.append(nil)
                } else if unit.isPublishable {
                    out.statuses.append(.translated)
                    out.targets.append(unit.target)
                } else {
                    out.statuses.append(unit.needsReview ? .needsReview : .untranslated)
                    out.targets.append(nil)
                }
            case .changed(let u):
                out.statuses.append(hasText(units[u].target) ? .needsReview : .untranslated)
                out.targets.append(nil)
            case .new:
                out.statuses.append(.untranslated)
                out.targets.append(nil)
            }
        }
        return out
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
