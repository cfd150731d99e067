import Foundation
import XCTest
@testable import LessonCompiler
import LessonSupport

/// A project for the preview tests: three lessons (a rich one with a quiz, table, images and a
/// lesson link; a short one; one with every facilitator callout and a warning), and an Arabic
/// translation in which the rich lesson is translated, the short one half done (a fallback) and
/// the third not started.
extension TestProject {
    static let meetingLesson = """
        ---
        title: Running the meeting
        id: meeting
        duration: 45 min
        ---
        ## Before the meeting

        > [!CONTENT-WARNING]
        > The next part talks about money that was lost.

        A member once lost the group's savings on the way home.

        > [!PROMPT]
        > "Who walks home with the box today?"

        > [!ACTIVITY] Count the money (10 min)
        > Three members count the money aloud.

        > [!READ-ALOUD]
        > Our money is safe because we all watch over it.

        > [!ACTIVITY] Close the meeting
        > Everyone stands.

        """

    static func svg(_ color: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"60\" viewBox=\"0 0 120 60\"><rect width=\"120\" height=\"60\" fill=\"\(color)\"/></svg>\n"
    }

    static func previewProject() throws -> TestProject {
        let p = try TestProject()
        try p.lesson("01-unit/01-saving.md", richLesson)
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet every week.\n\nWe save 50 shillings each.\n")
        try p.lesson("01-unit/03-meeting.md", meetingLesson)
        try p.write("content/demo/assets/box.svg", svg("#2a6f97"))
        try p.write("content/demo/assets/circle.svg", svg("#a7c957"))
        p.extract("ar")
        // Arabic words for every English word, inline codes kept.
        try p.translateLesson("ar", "saving") { $0.replacingOccurrences(of: "[A-Za-z]+(?![^<]*>)", with: "نص", options: .regularExpression) }
        try p.translate("ar", "rules/title-1", "القواعد")
        return p
    }

    func previewOptions(out: URL? = nil) -> PreviewOptions {
        var o = PreviewOptions(root: root, output: out ?? root.appendingPathComponent("build/preview"))
        o.useCache = true
        return o
    }

    func page(_ path: String, in out: URL? = nil) throws -> String {
        try String(contentsOf: (out ?? root.appendingPathComponent("build/preview")).appendingPathComponent(path), encoding: .utf8)
    }
}
