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

/// What the build does with a translation made for an older version of its source text, until a
/// translator reviews it (`build --stale`).
public enum StalePolicy: String, Sendable, CaseIterable {
    /// The text counts as untranslated: a lesson with one falls back to the source language.
    case fallback
    /// The old translation stays live (when it still passes the checks against the new source).
    case keep
}

/// How a lesson's state in a locale changed because texts changed since they were translated.
public enum StaleChange: Sendable, Equatable {
    /// The lesson falls back to the source language; with the stale texts kept it would not.
    case fellBack(texts: Int)
    /// The lesson is published with these old translations live (`--stale keep`).
    case kept(texts: Int)
}

/// A lesson rendered into one locale: texts from the XLIFF where translated, the source elsewhere.
public struct LessonTranslation: Sendable {
    /// The source lesson and, per segment, the target to use (nil: the source's text).
    let compiled: CompiledLesson
    let targets: [[SegmentRun]?]
    public var segments: [Segment]
    public var statuses: [SegmentStatus]
    /// Texts whose source changed since they were translated (counted with `needsReview`), and how
    /// many of their old translations are shown (`--stale keep`, when they pass the checks).
    public var stale = 0
    public var kept = 0

    /// The translated lesson, built when asked: a lesson that falls back never needs it.
    public var lesson: CompiledLesson { lesson(sourceLanguage: nil) }

    /// The translated lesson; with `sourceLanguage`, each block (or cell, quiz option, callout
    /// title) left in the source language is marked with it, as a lesson published in part shows
    /// two languages (issue 15.5).
    public func lesson(sourceLanguage: String?) -> CompiledLesson {
        guard targets.contains(where: { $0 != nil }) else { return compiled }
        let marking = sourceLanguage.flatMap { isComplete ? nil : LanguageMarking(TextLanguage($0)) }
        var next = 0
        return SegmentWalker.rewrite(compiled, marking: marking) { kind, _, inlines in
            guard let segment = Segment(kind: kind, inlines: inlines) else { return inlines }
            defer { next += 1 }
            guard next < targets.count, let target = targets[next] else {
                marking?.record(source: true)
                return inlines
            }
            marking?.record(source: false)
            return segment.inlines(from: Segment.normalized(target))
        }
    }

    public var total: Int { segments.count }
    public var translated: Int { statuses.filter { $0 == .translated }.count }
    /// Texts shown in the locale's language: translated, and old translations kept.
    public var shown: Int { translated + kept }
    /// Whole percent of segments shown translated, rounded down so 99.9% never reads as complete.
    public var coverage: Int { LessonTranslation.percent(shown, of: total) }
    public var isComplete: Bool { shown == total }

    static func percent(_ n: Int, of total: Int) -> Int { total == 0 ? 100 : n * 100 / total }

    /// Whether the build publishes the lesson in the locale: complete, or at least `minCoverage`
    /// percent translated when that is below 100 (gaps then show the source text).
    public func publishes(minCoverage: Int) -> Bool { LessonTranslation.publishes(shown: shown, total: total, minCoverage: minCoverage) }

    static func publishes(shown: Int, total: Int, minCoverage: Int) -> Bool {
        shown == total || (minCoverage < 100 && percent(shown, of: total) >= minCoverage)
    }

    /// Published, but with some texts in the source language (`--min-coverage`): each such block is
    /// marked with its language, and the index says "partial".
    public func isPartial(minCoverage: Int) -> Bool { publishes(minCoverage: minCoverage) && !isComplete }

    /// How texts changed since they were translated changed the lesson's state: nil when none did.
    public func staleChange(minCoverage: Int) -> StaleChange? {
        guard stale > 0 else { return nil }
        if publishes(minCoverage: minCoverage) { return kept > 0 ? .kept(texts: kept) : nil }
        // Fell back because of the changed texts: with their old translations it would be published.
        let wouldPublish = LessonTranslation.publishes(shown: translated + stale, total: total, minCoverage: minCoverage)
        return wouldPublish ? .fellBack(texts: stale - kept) : nil
    }
}

/// Merges translations into compiled lessons (stage "translate" of the pipeline).
public enum Translator {
    /// Translates a compiled lesson with its XLIFF `<file>` (nil: none yet) and appends what reading
    /// the file found and the checks' diagnostics for every unit that claims to be translated.
    /// A unit that fails a check is used as if untranslated, with a warning: one bad unit never
    /// blocks a release (`--strict` makes warnings fatal). `segments`: the lesson's, when already known.
    public static func translate(_ compiled: CompiledLesson, segments known: [Segment]? = nil, file: XLIFFFile?, locale: String, path: String,
                                 stale: StalePolicy = .fallback, diagnostics: inout [Diagnostic]) -> LessonTranslation {
        let segments = known ?? SegmentWalker.segments(of: compiled)
        let merged = merge(segments, file: file, locale: locale, path: path, stale: stale, diagnostics: &diagnostics)
        return LessonTranslation(compiled: compiled, targets: merged.targets, segments: segments, statuses: merged.statuses,
                                 stale: merged.stale, kept: merged.kept)
    }

    /// What each segment gets from the units of a file: its status, and the target to use (nil: the source).
    struct Merged {
        var statuses: [SegmentStatus]
        var targets: [[SegmentRun]?]
        /// Old translations of changed texts that pass the checks, and how many of them are used.
        var stale = 0
        var kept = 0
    }

    static func merge(_ segments: [Segment], file: XLIFFFile?, locale: String, path: String, stale policy: StalePolicy = .fallback,
                      diagnostics: inout [Diagnostic]) -> Merged {
        if let problems = file?.problems { diagnostics += problems }
        let units = file?.units ?? []
        let facts = TranslationChecks.LocaleFacts(locale)
        var out = Merged(statuses: [], targets: [])
        out.statuses.reserveCapacity(segments.count)
        out.targets.reserveCapacity(segments.count)
        /// Whether a target passes the checks against the current source; warnings go to diagnostics either way.
        func passes(_ unit: XLIFFUnit, _ segment: Segment, untranslated: String) -> Bool {
            var fails = false
            for d in TranslationChecks.check(unit, source: segment.runs, locale: facts, path: path) {
                guard d.severity == .error else { diagnostics.append(d); continue }
                fails = true
                diagnostics.append(Diagnostic(.warning, d.rule, d.message + untranslated, path: d.path, line: d.line, column: d.column))
            }
            return !fails
        }
        /// An old translation of a changed text: shown with `--stale keep` when it passes the checks
        /// against the new source (a changed number or inline code is never shown), else the source.
        func staleTarget(_ unit: XLIFFUnit, _ segment: Segment) {
            out.statuses.append(.needsReview)
            guard !unit.isDamaged else { out.targets.append(nil); return }
            out.stale += 1
            if policy == .keep && passes(unit, segment, untranslated: "; the old translation of the changed text is not kept") {
                out.kept += 1
                out.targets.append(unit.target)
            } else {
                out.targets.append(nil)
            }
        }
        for (segment, match) in zip(segments, Alignment.align(segments, units)) {
            switch match {
            case .same(let u):
                let unit = units[u]
                if unit.isStale {
                    staleTarget(unit, segment)
                    continue
                }
                var fails = false
                if claimsTranslation(unit) && !unit.isDamaged {
                    fails = !passes(unit, segment, untranslated: "; the text stays untranslated until this is fixed")
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
                // The source changed since the last extract: the target translates the old text.
                if hasText(units[u].target) && (units[u].isPublishable || units[u].isStale) {
                    staleTarget(units[u], segment)
                } else {
                    out.statuses.append(hasText(units[u].target) ? .needsReview : .untranslated)
                    out.targets.append(nil)
                }
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
