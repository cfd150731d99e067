import Foundation
import XCTest
@testable import LessonCompiler

/// The RCC curricula state each medical fact the same way, with the numbers and sources of the
/// table in CONTENT.md ("Stating medical facts").
final class MedicalFactsTests: XCTestCase {
    static func guideFacts() throws -> [MedicalFact] {
        let guide = try String(contentsOf: ContentGuideTests.repositoryRoot.appendingPathComponent("CONTENT.md"), encoding: .utf8)
        return try MedicalFactsTable.parse(guide)
    }

    /// The lessons of every RCC curriculum in the repository.
    func repositoryLessons() -> [CompiledLesson] {
        let compiled = CompiledProject.compile(root: ContentGuideTests.repositoryRoot)
        return compiled.project.curricula.filter { $0.id.hasPrefix("rcc-") }.flatMap { compiled.lessons[$0.id] ?? [] }
    }

    /// The compiled lessons of a throw-away curriculum.
    func lessons(_ files: [String: String]) throws -> [CompiledLesson] {
        let project = try TestProject(curriculum: "rcc-demo", lessons: files)
        let compiled = CompiledProject.compile(root: project.root)
        XCTAssertEqual(compiled.diagnostics.filter { $0.severity == .error }.map(\.description), [])
        return compiled.lessons["rcc-demo"] ?? []
    }

    // MARK: - The repository

    func testTheGuideListsExactlyTheFactsTheCheckerRecognizes() throws {
        let facts = try Self.guideFacts()
        XCTAssertEqual(Set(facts.map(\.id)), Set(MedicalFact.recognizers.keys))
        XCTAssertEqual(facts.count, MedicalFact.recognizers.count, "a fact is listed twice")
        let pep = try XCTUnwrap(facts.first { $0.id == "hiv-pep" })
        XCTAssertEqual(pep.allowed, [Quantity(value: 24, unit: .hour), Quantity(value: 72, unit: .hour), Quantity(value: 3, unit: .day),
                                     Quantity(value: 28, unit: .day), Quantity(value: 4, unit: .week)])
        XCTAssertEqual(pep.sources.first, "Guidelines for HIV post-exposure prophylaxis")
    }

    func testEveryRCCLessonStatesEachMedicalFactAsTheGuideDoes() throws {
        let lessons = repositoryLessons()
        XCTAssertGreaterThanOrEqual(lessons.count, 40)
        XCTAssertEqual(MedicalFactChecker.check(lessons, facts: try Self.guideFacts()), [])
    }

    func testTheFollowUpScheduleIsTheSameInEveryRCCCurriculum() throws {
        // The schedule tables of the training and of the in-hand resource list the same visits.
        var visitsByLesson: [String: [Quantity]] = [:]
        for lesson in repositoryLessons() {
            for statement in StatementWalker.statements(of: lesson) {
                if case .scheduleRow(let visit) = statement.place { visitsByLesson[lesson.source.path, default: []].append(visit) }
            }
        }
        let expected = [Quantity(value: 2, unit: .week), Quantity(value: 1, unit: .month), Quantity(value: 3, unit: .month), Quantity(value: 6, unit: .month)]
        XCTAssertEqual(visitsByLesson, [
            "content/rcc-advocate-resource/01-checklists/08-referrals-and-follow-up.md": expected,
            "content/rcc-advocate-training/03-medical-care/06-emotional-care-and-follow-up.md": expected,
        ])
    }

    // MARK: - What the checker reports

    let cmr = "WHO (2020), Clinical management of rape and intimate partner violence survivors: developing protocols for use in humanitarian settings"

    func testAWindowThatDisagreesWithTheGuideIsReported() throws {
        let found = MedicalFactChecker.check(try lessons([
            "01-u/01-pep.md": "---\ntitle: PEP\nsource: \"\(cmr)\"\n---\nPEP must start within 5 days. It is taken for 28 days.\n",
        ]), facts: try Self.guideFacts())
        XCTAssertEqual(found, [
            "content/rcc-demo/01-u/01-pep.md: \"PEP must start within 5 days.\": 5 days is not one of 24 hours, 72 hours, 3 days, 28 days, 4 weeks [hiv-pep]",
        ])
    }

    func testASentenceWithoutItsSubjectIsCheckedAgainstTheSentenceBefore() throws {
        // "It is best collected within …" is about the evidence named one sentence earlier.
        let found = MedicalFactChecker.check(try lessons([
            "01-u/01-exam.md": "---\ntitle: Exam\nsource: \"\(cmr)\"\n---\nEvidence fades. It is best collected up to 5 to 7 days later.\n",
        ]), facts: try Self.guideFacts())
        XCTAssertEqual(found, [
            "content/rcc-demo/01-u/01-exam.md: \"It is best collected up to 5 to 7 days later.\": 7 days is not one of 72 hours, 96 hours, 120 hours, 3 days, 5 days [forensic-evidence]",
        ])
    }

    func testEachSampleRowIsCheckedAgainstItsOwnSample() throws {
        // The row's first cell says what it is about, even when the notes mention the other sample.
        let body = """
            | Sample | When | Notes |
            |---|---|---|
            | Urine | Ideally within 72 to 96 hours | The first urine is best. |
            | Blood | Ideally within 72 to 96 hours | Drugs leave the blood faster than urine. |

            """
        let found = MedicalFactChecker.check(try lessons([
            "01-u/01-drugs.md": "---\ntitle: Drugs\nsource: \"UNODC (2011), Guidelines for the forensic analysis of drugs facilitating sexual assault and other criminal acts\"\n---\n\(body)",
        ]), facts: try Self.guideFacts())
        XCTAssertEqual(found, [
            "content/rcc-demo/01-u/01-drugs.md: \"Urine | Ideally within 72 to 96 hours | The first urine is best.\": 72 hours is not one of 96 hours, 4 days [drug-test-urine]",
            "content/rcc-demo/01-u/01-drugs.md: \"Blood | Ideally within 72 to 96 hours | Drugs leave the blood faster than urine.\": 96 hours is not one of 24 hours, 72 hours [drug-test-blood]",
        ])
    }

    func testAVaccineDoseAtAVisitOffTheScheduleIsReported() throws {
        // The table the review found: a hepatitis B dose at 2 weeks and 3 months, an HIV test at 2 weeks, a visit at 9 months.
        let body = """
            | Visit | Medical care |
            |---|---|
            | 2 weeks | Next vaccine dose if due; HIV test |
            | 1 month | Second hepatitis B vaccine dose |
            | 3 months | HIV test; vaccine dose if due |
            | 9 months | Review |

            """
        let found = MedicalFactChecker.check(try lessons([
            "01-u/01-follow-up.md": "---\ntitle: Follow-up\nsource: \"\(cmr)\"\n---\n\(body)",
        ]), facts: try Self.guideFacts())
        XCTAssertEqual(found, [
            "content/rcc-demo/01-u/01-follow-up.md: \"2 weeks | Next vaccine dose if due; HIV test\": a visit at 2 weeks is not one of 7 days, 21 days, 1 month, 6 months, 12 months [hepatitis-b-vaccine]",
            "content/rcc-demo/01-u/01-follow-up.md: \"2 weeks | Next vaccine dose if due; HIV test\": a visit at 2 weeks is not one of 3 months, 6 months [hiv-follow-up-test]",
            "content/rcc-demo/01-u/01-follow-up.md: \"3 months | HIV test; vaccine dose if due\": a visit at 3 months is not one of 7 days, 21 days, 1 month, 6 months, 12 months [hepatitis-b-vaccine]",
            "content/rcc-demo/01-u/01-follow-up.md: \"9 months | Review\": a visit at 9 months is not one of 2 weeks, 1 month, 3 months, 6 months [follow-up-visits]",
        ])
    }

    func testALessonStatingAFactWithoutItsSourceIsReported() throws {
        let found = MedicalFactChecker.check(try lessons([
            "01-u/01-ec.md": "---\ntitle: EC\nsource: \"WHO (2002), World report on violence and health\"\n---\nEmergency contraception works up to 120 hours.\n",
        ]), facts: try Self.guideFacts())
        XCTAssertEqual(found, [
            "content/rcc-demo/01-u/01-ec.md: states emergency-contraception but its source cites none of: Clinical management of rape and intimate partner violence survivors; Health care for women subjected to intimate partner violence or sexual violence [emergency-contraception]",
        ])
    }

    func testWrongQuizOptionsAreNotStatements() throws {
        // A wrong answer states a wrong window on purpose; the right answer and explanation are checked.
        let body = """
            > [!QUIZ]
            > How long after the assault can PEP start?
            >
            > - [ ] Up to two weeks
            > - [x] No later than 72 hours
            >
            > PEP is not given after 72 hours.

            """
        let facts = try Self.guideFacts()
        let good = try lessons(["01-u/01-q.md": "---\ntitle: Q\nsource: \"\(cmr)\"\n---\n\(body)"])
        XCTAssertEqual(MedicalFactChecker.check(good, facts: facts), [])
        let bad = try lessons(["01-u/01-q.md": "---\ntitle: Q\nsource: \"\(cmr)\"\n---\n\(body.replacingOccurrences(of: "[x] No later than 72 hours", with: "[x] Up to 5 days"))"])
        XCTAssertEqual(MedicalFactChecker.check(bad, facts: facts), [
            "content/rcc-demo/01-u/01-q.md: \"Up to 5 days\": 5 days is not one of 24 hours, 72 hours, 3 days, 28 days, 4 weeks [hiv-pep]",
        ])
    }

    func testTheTimeSinceTheAssaultInACaseIsNotAWindow() throws {
        // "arrives 4 days after" tells a story; "PEP within 4 days" would state a window.
        let body = "## PEP\n\nA survivor arrives 4 days (96 hours) after the assault. It was 4 days ago. At 20 hours, PEP can still start.\n\nPEP starts within 4 days.\n"
        let found = MedicalFactChecker.check(try lessons(["01-u/01-case.md": "---\ntitle: Case\nsource: \"\(cmr)\"\n---\n\(body)"]), facts: try Self.guideFacts())
        XCTAssertEqual(found, [
            "content/rcc-demo/01-u/01-case.md: \"PEP starts within 4 days.\": 4 days is not one of 24 hours, 72 hours, 3 days, 28 days, 4 weeks [hiv-pep]",
        ])
    }

    func testClaimsWithoutASourceAreReported() throws {
        let body = """
            False reports are rare.

            PEP must start within 72 hours.

            The hepatitis B vaccine has three doses.

            A follow-up HIV test is offered.

            Take 8 minutes for the role play, then check your referral list every six months.

            """
        let found = SourcedClaims.check(try lessons(["01-u/01-a.md": "---\ntitle: A\n---\n\(body)"]), facts: try Self.guideFacts())
        XCTAssertEqual(found, [
            "content/rcc-demo/01-u/01-a.md: \"False reports are rare.\" states a claim about how common something is but the lesson has no source",
            "content/rcc-demo/01-u/01-a.md: \"PEP must start within 72 hours.\" states a medical time window but the lesson has no source",
            "content/rcc-demo/01-u/01-a.md: \"The hepatitis B vaccine has three doses.\" states a vaccination schedule but the lesson has no source",
            "content/rcc-demo/01-u/01-a.md: \"A follow-up HIV test is offered.\" states a follow-up test but the lesson has no source",
        ])
        let sourced = try lessons(["01-u/01-a.md": "---\ntitle: A\nsource: \"\(cmr)\"\n---\n\(body)"])
        XCTAssertEqual(SourcedClaims.check(sourced, facts: try Self.guideFacts()), [])
    }

    // MARK: - Reading spans of time

    func testSpansOfTimeAreReadAsTheLessonsWriteThem() {
        func read(_ s: String) -> [String] { Quantity.all(in: s).map(\.description) }
        XCTAssertEqual(read("ideally within 72 to 96 hours"), ["72 hours", "96 hours"])
        XCTAssertEqual(read("the follow-up dates: 2 weeks, 1, 3 and 6 months"), ["2 weeks", "1 month", "3 months", "6 months"])
        XCTAssertEqual(read("the full 28-day supply"), ["28 days"])
        XCTAssertEqual(read("for more than about a month"), ["1 month"])
        XCTAssertEqual(read("about three months after"), ["3 months"])
        XCTAssertEqual(read("up to 120 hours (5 days)"), ["120 hours", "5 days"])
        XCTAssertEqual(read("On day 10, a survivor says"), [])
        XCTAssertEqual(read("a few hours, weeks or months later; 3 minutes"), [])
        XCTAssertEqual(Quantity(label: "About 2 weeks"), Quantity(value: 2, unit: .week))
        XCTAssertNil(Quantity(label: "Check PEP at 2 weeks and side effects"))
    }
}
