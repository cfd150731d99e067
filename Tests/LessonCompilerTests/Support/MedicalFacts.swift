import Foundation
@testable import LessonCompiler

/// One medical fact the RCC curricula state, with the only numbers a lesson may give for it.
/// The numbers and sources come from CONTENT.md ("Stating medical facts"), so the guide that
/// tells designers what to write is the table the lessons are checked against.
struct MedicalFact {
    var id: String
    /// Spans a lesson may state for this fact (any of them; "as soon as possible" needs none).
    var allowed: Set<Quantity>
    /// Titles of publications that support the fact; a lesson stating it cites at least one.
    var sources: [String]
    var recognizer: Recognizer

    struct Recognizer {
        /// Words that show a statement is about this fact.
        var topic: String
        /// A general fact (the follow-up visits) gives way to a specific one named in the same statement.
        var general = false
        /// Whether the fact also fixes which visits of a schedule table may mention it.
        var visits = false

        func matches(_ text: String) -> Bool {
            (try? Regex(topic).ignoresCase().firstMatch(in: text)) != nil
        }
    }

    /// How each fact in CONTENT.md is recognised in a lesson. Adding a row to the guide's table
    /// without a recognizer here (or the reverse) fails a test, so the two cannot drift apart.
    static let recognizers: [String: Recognizer] = [
        "hiv-pep": Recognizer(topic: #"\bPEP\b|post-exposure prophylaxis|prevent HIV"#),
        "emergency-contraception": Recognizer(topic: #"emergency contraception|levonorgestrel|ulipristal|\bIUD\b|prevent pregnancy"#),
        "late-period": Recognizer(topic: #"\bperiod\b"#),
        "forensic-evidence": Recognizer(topic: #"evidence|forensic"#),
        "drug-test-blood": Recognizer(topic: #"\bblood\b"#),
        "drug-test-urine": Recognizer(topic: #"\burine\b"#),
        "hepatitis-b-vaccine": Recognizer(topic: #"hepatitis B|vaccine dose"#, visits: true),
        "hiv-follow-up-test": Recognizer(topic: #"\bHIV (and \w+ )?tests?\b|\bHIV testing\b"#, visits: true),
        "follow-up-visits": Recognizer(topic: #"follow-up|check-up"#, general: true, visits: true),
        "lasting-distress": Recognizer(topic: #"distress|strong (feelings|reactions)"#),
    ]
}

/// The facts table of CONTENT.md, between `<!-- medical-facts:start -->` and `<!-- medical-facts:end -->`:
/// | Fact | How to state it | Numbers | Sources |
enum MedicalFactsTable {
    struct Problem: Error, CustomStringConvertible { var description: String }

    static func parse(_ guide: String) throws -> [MedicalFact] {
        guard let start = guide.range(of: "<!-- medical-facts:start -->"),
              let end = guide.range(of: "<!-- medical-facts:end -->", range: start.upperBound..<guide.endIndex) else {
            throw Problem(description: "CONTENT.md has no medical-facts table")
        }
        let rows = guide[start.upperBound..<end.lowerBound].split(separator: "\n").filter { $0.hasPrefix("|") }.dropFirst(2)
        return try rows.map { row in
            let cells = row.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 4 else { throw Problem(description: "facts row without 4 cells: \(row)") }
            let id = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            guard let recognizer = MedicalFact.recognizers[id] else {
                throw Problem(description: "fact '\(id)' in CONTENT.md has no recognizer in MedicalFacts.swift")
            }
            var allowed = Set<Quantity>()
            for part in cells[2].split(separator: ",") {
                guard let q = Quantity(label: String(part)) else { throw Problem(description: "fact '\(id)': '\(part)' is not a span of time") }
                allowed.insert(q)
            }
            // "Title (Publisher year)": the title is what a lesson's source must contain.
            let sources = cells[3].split(separator: ";").map { part -> String in
                var s = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "*", with: "")
                if let open = s.lastIndex(of: "("), s.hasSuffix(")") { s = String(s[..<open]).trimmingCharacters(in: .whitespaces) }
                return s
            }
            return MedicalFact(id: id, allowed: allowed, sources: sources, recognizer: recognizer)
        }
    }
}

/// Checks that every statement of a fact in a lesson gives only the fact's numbers, and that the
/// lesson cites a source for each fact it states. Findings read `path: "statement": problem [fact]`.
enum MedicalFactChecker {
    static func check(_ lessons: [CompiledLesson], facts: [MedicalFact]) -> [String] {
        var findings: [String] = []
        for lesson in lessons {
            var stated = Set<String>()
            for statement in StatementWalker.statements(of: lesson) {
                switch statement.place {
                case .prose:
                    guard !statement.quantities.isEmpty, !statement.tellsTimeOfACase else { continue }
                    let about = topics(of: statement, facts)
                    guard !about.isEmpty else { continue }
                    let allowed = about.reduce(into: Set<Quantity>()) { $0.formUnion($1.allowed) }
                    for q in statement.quantities where !allowed.contains(q) {
                        findings.append("\(lesson.source.path): \"\(statement.text)\": \(q) is not \(list(allowed)) [\(about.map(\.id).joined(separator: ", "))]")
                    }
                    stated.formUnion(about.map(\.id))
                case .scheduleRow(let visit):
                    // A visit may mention a fact only if the fact happens at that visit.
                    for fact in facts where fact.recognizer.visits && (fact.recognizer.general || fact.recognizer.matches(statement.subject)) {
                        if !fact.allowed.contains(visit) {
                            findings.append("\(lesson.source.path): \"\(statement.text)\": a visit at \(visit) is not \(list(fact.allowed)) [\(fact.id)]")
                        }
                        stated.insert(fact.id)
                    }
                }
            }
            for id in stated.sorted() {
                guard let fact = facts.first(where: { $0.id == id }) else { continue }
                let cited = lesson.source.meta.source.contains { s in fact.sources.contains { s.localizedCaseInsensitiveContains($0) } }
                if !cited {
                    findings.append("\(lesson.source.path): states \(id) but its source cites none of: \(fact.sources.joined(separator: "; ")) [\(id)]")
                }
            }
        }
        return findings
    }

    /// The facts a statement is about: those its subject names, or else those of the nearest
    /// context that names any. A general fact drops out when a specific one is named too.
    static func topics(of statement: LessonStatement, _ facts: [MedicalFact]) -> [MedicalFact] {
        for text in [statement.subject] + statement.context {
            let named = facts.filter { $0.recognizer.matches(text) }
            if named.isEmpty { continue }
            let specific = named.filter { !$0.recognizer.general }
            return specific.isEmpty ? named : specific
        }
        return []
    }

    private static func list(_ allowed: Set<Quantity>) -> String {
        let sorted = allowed.sorted()
        return sorted.count == 1 ? "\(sorted[0])" : "one of " + sorted.map(\.description).joined(separator: ", ")
    }
}

/// Statements that need a `source`: medical time windows, vaccination schedules, follow-up tests
/// and claims about how common something is. Findings read `path: "statement": needs a source`.
enum SourcedClaims {
    enum Kind: String, CaseIterable {
        case timeWindow = "a medical time window"
        case vaccination = "a vaccination schedule"
        case followUpTest = "a follow-up test"
        case prevalence = "a claim about how common something is"

        /// Every kind but time windows is found by its words; a time window is a span of time
        /// in a statement about one of the medical facts.
        var pattern: String? {
            switch self {
            case .timeWindow: return nil
            case .vaccination: return #"vaccin\w*.*\b(dose|doses|schedule)\b|\b(dose|doses|schedule)\b.*vaccin"#
            case .followUpTest: return #"\b(HIV|syphilis|pregnancy|follow-up) (and \w+ )?tests?\b"#
            case .prevalence: return #"\bfalse reports?\b|\brare\b|\bmost (survivors|sexual violence|people|drugs)\b|\bvery common\b|\bmost common\b|\b\d+ in (every )?\d+\b|\d+ ?%|\bper cent\b"#
            }
        }
    }

    static func check(_ lessons: [CompiledLesson], facts: [MedicalFact]) -> [String] {
        var findings: [String] = []
        for lesson in lessons where lesson.source.meta.source.isEmpty {
            for statement in StatementWalker.statements(of: lesson) {
                let kind = Kind.allCases.first { kind in
                    if let pattern = kind.pattern { return (try? Regex(pattern).ignoresCase().firstMatch(in: statement.text)) != nil }
                    return !statement.quantities.isEmpty && !statement.tellsTimeOfACase && !MedicalFactChecker.topics(of: statement, facts).isEmpty
                }
                if let kind {
                    findings.append("\(lesson.source.path): \"\(statement.text)\" states \(kind.rawValue) but the lesson has no source")
                }
            }
        }
        return findings
    }
}
