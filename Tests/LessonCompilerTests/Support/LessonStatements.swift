import Foundation
@testable import LessonCompiler

/// A span of time a lesson states: "72 hours", "1 month".
struct Quantity: Hashable, Comparable, CustomStringConvertible {
    enum Unit: String, CaseIterable, Comparable {
        case hour, day, week, month
        static func < (a: Unit, b: Unit) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }
    var value: Int
    var unit: Unit

    static func < (a: Quantity, b: Quantity) -> Bool { (a.unit, a.value) < (b.unit, b.value) }
    var description: String { "\(value) \(unit.rawValue)\(value == 1 ? "" : "s")" }

    private static let numberWords = ["a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                                      "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12]

    /// Every span in a text. A list of numbers shares the unit after it ("72 to 96 hours",
    /// "1, 3 and 6 months"); "28-day" counts; "day 10" does not, as it is a date, not a span.
    static func all(in text: String) -> [Quantity] {
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        var found: [Quantity] = []
        for (i, word) in words.enumerated() {
            guard let unit = unit(word) else { continue }
            var numbers: [Int] = []
            var j = i - 1
            // Walk back over "N", "N to", "N, N and" … while the words are numbers or joiners.
            while j >= 0 {
                if let n = number(words[j]) { numbers.append(n) } else if !["to", "and", "or"].contains(words[j]) { break }
                j -= 1
            }
            for n in numbers.reversed() { found.append(Quantity(value: n, unit: unit)) }
        }
        return found
    }

    private static func unit(_ word: String) -> Unit? {
        switch word {
        case "hour", "hours": return .hour
        case "day", "days": return .day
        case "week", "weeks": return .week
        case "month", "months": return .month
        default: return nil
        }
    }

    private static func number(_ word: String) -> Int? { Int(word) ?? numberWords[word] }
}

extension Quantity {
    /// "About 2 weeks" → 2 weeks; nil unless the text is one span and little else (a table's time label).
    init?(label: String) {
        let q = Quantity.all(in: label)
        let words = label.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        guard q.count == 1, words.count <= 3 else { return nil }
        self = q[0]
    }
}

/// One thing a lesson tells its reader, cut at the grain a fact is stated in: a sentence,
/// a list item's sentence, a table row. Wrong quiz options are not statements.
struct LessonStatement {
    enum Place: Equatable {
        /// A sentence, or a row of an ordinary table.
        case prose
        /// A row of a table whose first column is a time ("2 weeks | …"): a visit in a schedule.
        case scheduleRow(Quantity)
    }
    var text: String
    /// What the statement is about: a table row's first cell, otherwise the text itself.
    var subject: String
    /// Subjects of the sentences before it in the same block, the heading above it and the
    /// lesson title, nearest first: "It is best collected within 72 hours" is about evidence.
    var context: [String]
    var place: Place
    var quantities: [Quantity]

    /// "A survivor arrives 4 days after the assault", "It was about 20 hours ago": the time
    /// since the assault in a story or a quiz, not a window of care.
    var tellsTimeOfACase: Bool {
        (try? Regex(#"\b(arrives?|arrived|ago)\b|^At \d+ (hours|days)\b"#).ignoresCase().firstMatch(in: text)) != nil
    }
}

enum StatementWalker {
    static func statements(of lesson: CompiledLesson) -> [LessonStatement] {
        var out: [LessonStatement] = []
        var heading = ""
        walk(lesson.blocks, title: lesson.source.meta.title, heading: &heading, into: &out)
        return out
    }

    private static func walk(_ blocks: [Block], title: String, heading: inout String, into out: inout [LessonStatement]) {
        for block in blocks {
            switch block {
            case .inLanguage(_, let inner):
                walk([inner], title: title, heading: &heading, into: &out)
            case .heading(_, let inlines):
                heading = plain(inlines)
                out.append(statement(heading, context: [title]))
            case .paragraph(let inlines):
                var before: [String] = []
                for sentence in sentences(plain(inlines)) {
                    out.append(statement(sentence, context: before.reversed() + [heading, title]))
                    before.append(sentence)
                }
            case .list(_, _, let items):
                // Items of one list continue one another, like the sentences of a paragraph.
                var before: [String] = []
                for item in items {
                    for sentence in item.blocks.flatMap({ sentences(text(of: $0)) }) {
                        out.append(statement(sentence, context: before.reversed() + [heading, title]))
                        before.append(sentence)
                    }
                }
            case .table(_, let header, let rows):
                let cells = rows.map { $0.map { plain($0.inlines) } }
                let labels = cells.map { $0.first.flatMap(Quantity.init(label:)) }
                let isSchedule = !rows.isEmpty && labels.allSatisfy { $0 != nil }
                let headerText = header.map { plain($0.inlines) }.joined(separator: " | ")
                for (row, label) in zip(cells, labels) {
                    let text = row.joined(separator: " | ")
                    if isSchedule, let label {
                        let rest = row.dropFirst().joined(separator: " | ")
                        out.append(LessonStatement(text: text, subject: rest, context: [], place: .scheduleRow(label),
                                                   quantities: Quantity.all(in: rest)))
                    } else {
                        out.append(LessonStatement(text: text, subject: row.first ?? "", context: [text, headerText, heading, title],
                                                   place: .prose, quantities: Quantity.all(in: text)))
                    }
                }
            case .footnote(_, let inner):
                var h = heading
                walk(inner, title: title, heading: &h, into: &out)
            case .callout(_, let titleInlines, _, let inner):
                if !titleInlines.isEmpty { out.append(statement(plain(titleInlines), context: [heading, title])) }
                var h = heading
                walk(inner, title: title, heading: &h, into: &out)
            case .quiz(let question, let options, let explanation):
                // The question, the right answers and the explanation read as one passage.
                let texts = question.flatMap { sentences(text(of: $0)) }
                    + options.filter(\.correct).map { plain($0.inlines) }
                    + explanation.flatMap { sentences(text(of: $0)) }
                var before: [String] = []
                for sentence in texts {
                    out.append(statement(sentence, context: before.reversed() + [heading, title]))
                    before.append(sentence)
                }
            case .quote(let inner):
                var h = heading
                walk(inner, title: title, heading: &h, into: &out)
            case .image, .code, .rule:
                break
            }
        }
    }

    private static func statement(_ text: String, context: [String]) -> LessonStatement {
        LessonStatement(text: text, subject: text, context: context, place: .prose, quantities: Quantity.all(in: text))
    }

    /// A paragraph cut after ". ", "? " or "! " (good enough for the plain sentences of these lessons).
    static func sentences(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        let chars = Array(text)
        for (i, c) in chars.enumerated() {
            current.append(c)
            if ".?!".contains(c), i + 1 < chars.count, chars[i + 1] == " " {
                out.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespaces)
        if !rest.isEmpty { out.append(rest) }
        return out
    }

    static func text(of block: Block) -> String {
        switch block {
        case .heading(_, let inlines), .paragraph(let inlines): return plain(inlines)
        case .list(_, _, let items): return items.flatMap(\.blocks).map(text(of:)).joined(separator: " ")
        case .callout(_, _, _, let blocks), .quote(let blocks): return blocks.map(text(of:)).joined(separator: " ")
        default: return ""
        }
    }

    static func plain(_ inlines: [Inline]) -> String {
        inlines.map { inline -> String in
            switch inline {
            case .text(let s), .code(let s): return s
            case .emphasis(let c), .strong(let c), .strikethrough(let c), .inLanguage(_, let c): return plain(c)
            case .link(_, _, let c): return plain(c)
            case .lineBreak: return " "
            case .footnoteReference: return ""
            case .image(let img): return img.alt
            }
        }.joined()
    }
}
