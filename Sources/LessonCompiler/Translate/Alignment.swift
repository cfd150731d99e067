/// Pairs a lesson's current segments with the units of its XLIFF file, so ids stay put when
/// paragraphs are inserted, removed, edited or re-wrapped.
///
/// 1. Same normalised source → the same unit (re-wrapping and whitespace edits change nothing).
/// 2. Between two such anchors, leftover segments and units of the same kind are the same text
///    edited: paired in order when their counts agree, otherwise by word overlap.
/// 3. Whatever is left is new (segments) or removed (units).
enum Alignment {
    enum Match: Equatable {
        /// The unit's source is this segment's source.
        case same(Int)
        /// The unit held an earlier version of this segment's source.
        case changed(Int)
        case new
    }

    static func align(_ segments: [Segment], _ units: [XLIFFUnit]) -> [Match] {
        var matches = [Match](repeating: .new, count: segments.count)
        var used = [Bool](repeating: false, count: units.count)

        var unitsByKey: [String: [Int]] = [:]
        for (u, unit) in units.enumerated() { unitsByKey[unit.sourceKey, default: []].append(u) }
        for (s, segment) in segments.enumerated() {
            guard var candidates = unitsByKey[segment.key], !candidates.isEmpty else { continue }
            let u = candidates.removeFirst()
            unitsByKey[segment.key] = candidates
            matches[s] = .same(u)
            used[u] = true
        }

        // Runs of unmatched segments and the unmatched units between the same anchors.
        var s = 0
        var previousAnchor = -1
        while s < segments.count {
            if case .same(let u) = matches[s] { previousAnchor = u; s += 1; continue }
            var end = s
            while end < segments.count, matches[end] == .new { end += 1 }
            var nextAnchor = units.count
            if end < segments.count, case .same(let u) = matches[end] { nextAnchor = u }
            if previousAnchor + 1 < nextAnchor {
                let gapUnits = (previousAnchor + 1..<nextAnchor).filter { !used[$0] }
                for (seg, unit) in pairEdits(Array(s..<end), gapUnits, segments, units) {
                    matches[seg] = .changed(unit)
                    used[unit] = true
                }
            }
            s = end
        }
        return matches
    }

    private static func pairEdits(_ segs: [Int], _ gapUnits: [Int], _ segments: [Segment], _ units: [XLIFFUnit]) -> [(Int, Int)] {
        var pairs: [(Int, Int)] = []
        for kind in SegmentKind.allCases {
            let s = segs.filter { segments[$0].kind == kind }
            let u = gapUnits.filter { units[$0].kind == kind }
            guard !s.isEmpty, !u.isEmpty else { continue }
            if s.count == u.count {
                pairs += zip(s, u).map { ($0, $1) }
                continue
            }
            // Counts differ (an edit next to an insertion or removal): pair the most similar first.
            var candidates: [(Double, Int, Int)] = []
            for a in s {
                for b in u {
                    let score = similarity(Segment.plainText(segments[a].runs), Segment.plainText(units[b].source))
                    if score >= 0.5 { candidates.append((score, a, b)) }
                }
            }
            candidates.sort { $0.0 != $1.0 ? $0.0 > $1.0 : ($0.1, $0.2) < ($1.1, $1.2) }
            var takenS = Set<Int>(), takenU = Set<Int>()
            for (_, a, b) in candidates where !takenS.contains(a) && !takenU.contains(b) {
                pairs.append((a, b))
                takenS.insert(a)
                takenU.insert(b)
            }
        }
        return pairs
    }

    /// Dice coefficient over lower-cased words.
    static func similarity(_ a: String, _ b: String) -> Double {
        func words(_ s: String) -> Set<String> { Set(s.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)) }
        let x = words(a), y = words(b)
        guard !x.isEmpty || !y.isEmpty else { return 1 }
        return 2 * Double(x.intersection(y).count) / Double(x.count + y.count)
    }
}
