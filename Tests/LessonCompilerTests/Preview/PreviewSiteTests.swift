import Foundation
import XCTest
@testable import LessonCompiler
import LessonSupport

/// `PreviewSite`: the pages, their languages and directions, review mode, diagnostics in the
/// page, incremental and deterministic output, and what it refuses.
final class PreviewSiteTests: XCTestCase {
    func run(_ p: TestProject, out: URL? = nil, cache: Bool = true) -> PreviewResult {
        var o = p.previewOptions(out: out)
        o.useCache = cache
        return PreviewSite(o).run()
    }

    func testSiteHasAHomePageContentsLessonsReviewPagesAndAssets() throws {
        let p = try TestProject.previewProject()
        let result = run(p)
        XCTAssertTrue(result.written)
        XCTAssertEqual(result.lessonCount, 3)
        let out = p.root.appendingPathComponent("build/preview")
        let files = Set(PreviewSite.files(under: out))
        for path in ["index.html", "preview.css", "preview.js", ".lessonc-preview", "demo/assets/box.svg", "demo/assets/circle.svg",
                     "demo/en/index.html", "demo/en/saving.html", "demo/en/rules.html", "demo/en/meeting.html",
                     "demo/ar/index.html", "demo/ar/saving.html", "demo/ar/rules.html", "demo/ar/meeting.html",
                     "demo/ar/review/index.html", "demo/ar/review/saving.html", "demo/ar/review/rules.html", "demo/ar/review/meeting.html"] {
            XCTAssertTrue(files.contains(path), path)
        }
        XCTAssertFalse(files.contains { $0.hasPrefix("demo/en/review") }, "no review of the source language")
        XCTAssertEqual(files.count, 18)
        let home = try p.page("index.html")
        XCTAssertTrue(home.contains("<html lang=\"en\" dir=\"ltr\">"))
        XCTAssertTrue(home.contains("<h2 id=\"c-demo\">Demo curriculum</h2>"))
        XCTAssertTrue(home.contains("<th scope=\"row\">Arabic (ar) <span class=\"badge\">right to left</span></th><td>1 of 3 translated</td>"), home)
        XCTAssertTrue(home.contains("<a href=\"demo/ar/review/index.html\">Review</a>"))
        let toc = try p.page("demo/ar/index.html")
        XCTAssertTrue(toc.contains("<html lang=\"ar\" dir=\"rtl\">"))
        XCTAssertTrue(toc.contains("<li class=\"lesson\"><a href=\"saving.html\">نص نص</a></li>"), toc)
        // A fallback is listed as devices get it: the source title, left to right, marked.
        XCTAssertTrue(toc.contains("<li class=\"lesson\"><a href=\"rules.html\" lang=\"en\" dir=\"ltr\">The rules</a> <span class=\"badge fallback\" lang=\"en\" dir=\"ltr\">not yet translated</span></li>"), toc)
        XCTAssertTrue(toc.contains("<li class=\"lesson\"><a href=\"meeting.html\" lang=\"en\" dir=\"ltr\">Running the meeting</a> <span class=\"duration\">45 min</span>"), toc)
    }

    func testLessonPageShowsTheCompiledLessonWithAnswerableQuizzesImagesTablesAndLinks() throws {
        let p = try TestProject.previewProject()
        _ = run(p)
        let page = try p.page("demo/en/saving.html")
        XCTAssertTrue(page.contains("<html lang=\"en\" dir=\"ltr\">"))
        XCTAssertTrue(page.contains("<h1>Saving together</h1>"))
        XCTAssertTrue(page.contains("<h2>Why save</h2>"))
        XCTAssertTrue(page.contains("<a href=\"rules.html\">group rules</a>"), "a lesson link opens the lesson's page")
        XCTAssertTrue(page.contains("<img src=\"../assets/box.svg\" alt=\"a cash box with three keys\">"))
        XCTAssertTrue(page.contains("<figure><img src=\"../assets/circle.svg\" alt=\"A circle of members\" title=\"The meeting circle\">\n<figcaption>The meeting circle</figcaption></figure>"))
        XCTAssertTrue(page.contains("<div class=\"table-scroll\" role=\"region\" aria-label=\"Table\" tabindex=\"0\">"))
        XCTAssertTrue(page.contains("<li><label><input type=\"radio\" name=\"quiz-1\" value=\"1\" data-correct=\"true\"> Three</label></li>"), page)
        XCTAssertTrue(page.contains("<details class=\"quiz-answer\">\n<summary>Show the answer</summary>\n<p class=\"quiz-correct\">Answer: Three</p>\n<div class=\"quiz-explanation\">\n<p>Three members each hold one key.</p>"))
        XCTAssertTrue(page.contains("<p class=\"callout-title\"><span class=\"callout-label\">Content warning</span></p>\n<p>Talks about losing money</p>"),
                      "the lesson's content warning comes before its text")
        XCTAssertTrue(page.contains("<script src=\"../../preview.js\"></script>"))
        XCTAssertFalse(page.contains("http://") || page.contains("https://"), "nothing is loaded from elsewhere")
        XCTAssertEqual(try p.page("demo/assets/box.svg"), TestProject.svg("#2a6f97"))
    }

    func testArabicPagesAreRightToLeftAndAFallbackLessonIsLeftToRightAndMarked() throws {
        let p = try TestProject.previewProject()
        _ = run(p)
        let translated = try p.page("demo/ar/saving.html")
        XCTAssertTrue(translated.contains("<html lang=\"ar\" dir=\"rtl\">"))
        XCTAssertTrue(translated.contains("<article class=\"lesson\" data-locale=\"ar\">"), "the article is in the page's language")
        XCTAssertFalse(translated.contains("Not yet translated"))
        XCTAssertTrue(translated.contains("<a href=\"rules.html\">"), "links stay in the locale")
        let fallback = try p.page("demo/ar/rules.html")
        XCTAssertTrue(fallback.contains("<html lang=\"ar\" dir=\"rtl\">"))
        XCTAssertTrue(fallback.contains("<article class=\"lesson\" lang=\"en\" dir=\"ltr\" data-locale=\"en\">"), fallback)
        XCTAssertTrue(fallback.contains("<p class=\"fallback-note\" lang=\"en\" dir=\"ltr\"><strong>Not yet translated</strong> into Arabic (ar): devices get this lesson in English (en) (33% of its texts are translated)."), fallback)
        XCTAssertTrue(fallback.contains("<h1>The rules</h1>"))
    }

    func testCalloutsAreLabelledPerKindAndAContentWarningComesBeforeWhatItGuards() throws {
        let p = try TestProject.previewProject()
        _ = run(p)
        let page = try p.page("demo/en/meeting.html")
        XCTAssertTrue(page.contains("<div class=\"callout callout-prompt\" role=\"note\" data-kind=\"prompt\">\n<p class=\"callout-title\"><span class=\"callout-label\">Prompt</span></p>"))
        XCTAssertTrue(page.contains("<div class=\"callout callout-activity\" role=\"note\" data-kind=\"activity\">\n<p class=\"callout-title\"><span class=\"callout-label\">Activity</span> Count the money <span class=\"duration\">10 min</span></p>"), page)
        XCTAssertTrue(page.contains("<span class=\"callout-label\">Read aloud</span>"))
        let warning = try XCTUnwrap(page.range(of: "<span class=\"callout-label\">Content warning</span>"))
        let guarded = try XCTUnwrap(page.range(of: "A member once lost"))
        XCTAssertLessThan(warning.lowerBound, guarded.lowerBound)
        XCTAssertTrue(page.contains("<p class=\"meta\">Duration: 45 min</p>"))
    }

    func testWarningsAreShownAtTheTopOfTheLessonWithFileAndLine() throws {
        let p = try TestProject.previewProject()
        let result = run(p)
        let warning = try XCTUnwrap(result.diagnostics.first { $0.rule == .activityDuration })
        XCTAssertEqual(warning.path, "content/demo/01-unit/03-meeting.md")
        let page = try p.page("demo/en/meeting.html")
        let box = try XCTUnwrap(page.range(of: "<section class=\"diagnostics\" aria-labelledby=\"diagnostics-title\">\n<h2 id=\"diagnostics-title\">0 errors, 1 warning</h2>"))
        XCTAssertTrue(page.contains("<li class=\"diagnostic warning\"><span class=\"severity\">warning</span> <code class=\"location\">content/demo/01-unit/03-meeting.md:\(warning.line):\(warning.column)</code> \(PreviewPages.esc(warning.message)) <span class=\"rule\">[activity-duration]</span></li>"), page)
        XCTAssertLessThan(box.lowerBound, try XCTUnwrap(page.range(of: "<h2>Before the meeting</h2>")).lowerBound)
        XCTAssertFalse(try p.page("demo/en/rules.html").contains("class=\"diagnostics"), "a lesson without problems shows none")
    }

    func testReviewPageShowsSourceAndTargetSideBySideWithTheirStates() throws {
        let p = try TestProject.previewProject()
        try p.translate("ar", "rules/title-1", "القواعد", state: "final")
        try p.translate("ar", "rules/p-1", "نلتقي كل أسبوع.", state: "needs-review-translation")
        _ = run(p)
        let page = try p.page("demo/ar/review/rules.html")
        XCTAssertTrue(page.contains("<html lang=\"ar\" dir=\"rtl\">"))
        XCTAssertTrue(page.contains("<td lang=\"en\" dir=\"ltr\">The rules</td><td>القواعد</td><td lang=\"en\" dir=\"ltr\"><span class=\"state state-final\" title=\"final\">final</span></td>"), page)
        XCTAssertTrue(page.contains("<td lang=\"en\" dir=\"ltr\">We meet every week.</td><td>نلتقي كل أسبوع.</td><td lang=\"en\" dir=\"ltr\"><span class=\"state state-needs-review\" title=\"needs-review-translation\">needs review</span></td>"), page)
        XCTAssertTrue(page.contains("<td lang=\"en\" dir=\"ltr\">We save 50 shillings each.</td><td></td><td lang=\"en\" dir=\"ltr\"><span class=\"state state-new\" title=\"new\">new</span></td>"), page)
        XCTAssertTrue(page.contains("<li><span class=\"state state-new\">new</span> 1</li>\n<li><span class=\"state state-needs-review\">needs review</span> 1</li>\n<li><span class=\"state state-translated\">translated</span> 0</li>\n<li><span class=\"state state-final\">final</span> 1</li>"), page)
        let translated = try p.page("demo/ar/review/saving.html")
        XCTAssertTrue(translated.contains("<span class=\"state state-translated\" title=\"translated\">translated</span>"))
        let index = try p.page("demo/ar/review/index.html")
        XCTAssertTrue(index.contains("<td>100%</td><td>this translation</td>"), index)
    }

    func testTranslationDiagnosticsAreShownOnTheReviewPageWithTheirLine() throws {
        let p = try TestProject.previewProject()
        try p.translate("ar", "rules/p-2", "نوفر كل أسبوع.")   // the number 50 is missing
        let result = run(p)
        let problem = try XCTUnwrap(result.diagnostics.first { $0.path == p.xliffPath("ar") && $0.message.contains("50") }, "\(result.diagnostics)")
        let page = try p.page("demo/ar/review/rules.html")
        XCTAssertTrue(page.contains("<code class=\"location\">locales/ar/demo.xlf:\(problem.line):\(problem.column)</code> \(PreviewPages.esc(problem.message))"), page)
        XCTAssertTrue(page.contains("<p class=\"diagnostic \(problem.severity.rawValue)\" lang=\"en\" dir=\"ltr\">\(PreviewPages.esc(problem.message))"), "beside the text it is about")
    }

    func testTheSameSourcesGiveTheSameBytesAndASecondRunWritesNothing() throws {
        let p = try TestProject.previewProject()
        let first = run(p)
        XCTAssertEqual(first.filesWritten, 18)
        let second = run(p)
        XCTAssertEqual(second.filesWritten, 0)
        XCTAssertEqual(second.compiledCount, 0, "every lesson came from the compile cache")
        let cold = p.root.appendingPathComponent("cold")
        _ = run(p, out: cold, cache: false)
        let warm = p.root.appendingPathComponent("build/preview")
        let files = PreviewSite.files(under: warm).sorted()
        XCTAssertEqual(files, PreviewSite.files(under: cold).sorted())
        for f in files {
            XCTAssertEqual(FileManager.default.contents(atPath: warm.appendingPathComponent(f).path),
                           FileManager.default.contents(atPath: cold.appendingPathComponent(f).path), f)
        }
    }

    func testAnEditRecompilesOneLessonAndRewritesItsPagesOnly() throws {
        let p = try TestProject.previewProject()
        let site = PreviewSite(p.previewOptions())
        _ = site.run()
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet every Tuesday.\n\nWe save 50 shillings each.\n")
        let result = site.run()
        XCTAssertEqual(result.compiledCount, 1)
        XCTAssertEqual(result.filesWritten, 2, "the lesson in en and ar (ar is a fallback); its review shows the XLIFF file, unchanged")
        XCTAssertTrue(try p.page("demo/en/rules.html").contains("We meet every Tuesday."))
        try p.remove("content/demo/01-unit/02-rules.md")
        let removed = site.run()
        XCTAssertEqual(removed.filesRemoved, 3)
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.root.appendingPathComponent("build/preview/demo/ar/rules.html").path))
    }

    func testABrokenLessonShowsItsErrorInItsPage() throws {
        let p = try TestProject.previewProject()
        try p.lesson("01-unit/02-rules.md", "---\ntitle: The rules\nid: rules\n---\nWe meet every week.\n\n> [!PROMT]\n> Say this.\n")
        let result = run(p)
        XCTAssertTrue(result.written)
        let error = try XCTUnwrap(result.diagnostics.first { $0.severity == .error })
        XCTAssertEqual(error.description, "content/demo/01-unit/02-rules.md:7:3: error: unknown callout kind 'PROMT'; did you mean PROMPT? Kinds are NOTE, TIP, WARNING, PROMPT, ACTIVITY, READ-ALOUD, CONTENT-WARNING or QUIZ [unknown-callout]")
        let page = try p.page("demo/en/rules.html")
        XCTAssertTrue(page.contains("<section class=\"diagnostics has-errors\""))
        XCTAssertTrue(page.contains("<code class=\"location\">content/demo/01-unit/02-rules.md:7:3</code> unknown callout kind &#39;PROMT&#39;"), page)
    }

    func testALessonThatCannotBeReadHasAPageSayingWhy() throws {
        let p = try TestProject.previewProject()
        try p.write("content/demo/01-unit/02-rules.md", data: Data([0x2D, 0x2D, 0x2D, 0x0A, 0xFF, 0xFE, 0x0A]))
        let result = run(p)
        XCTAssertTrue(result.written)
        let names = PreviewSite.files(under: p.root.appendingPathComponent("build/preview/demo/en")).sorted()
        XCTAssertEqual(names, ["index.html", "meeting.html", "rules.html", "saving.html"])
        let page = try p.page("demo/en/rules.html")
        XCTAssertTrue(page.contains("This lesson cannot be compiled; the problems below say why."), page)
        XCTAssertTrue(page.contains("<code class=\"location\">content/demo/01-unit/02-rules.md:"), page)
    }

    func testAFolderThatIsNotAPreviewIsLeftAlone() throws {
        let p = try TestProject.previewProject()
        try p.write("notes/mine.txt", "keep me")
        let result = run(p, out: p.root.appendingPathComponent("notes"))
        XCTAssertFalse(result.written)
        XCTAssertEqual(result.diagnostics.map(\.message), ["the output folder holds files and is not a preview site (no .lessonc-preview); give an empty or new folder with --out"])
        XCTAssertEqual(PreviewSite.files(under: p.root.appendingPathComponent("notes")), ["mine.txt"])
    }

    func testThePreviewIsNotWrittenAmongTheSources() throws {
        let p = try TestProject.previewProject()
        let result = run(p, out: p.root.appendingPathComponent("content/site"))
        XCTAssertFalse(result.written)
        XCTAssertEqual(result.diagnostics.map(\.message), ["the preview cannot be written inside content/; give another folder with --out"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.root.appendingPathComponent("content/site").path))
    }

    func testAPageDeletedBehindTheSitesBackIsWrittenAgain() throws {
        let p = try TestProject.previewProject()
        let site = PreviewSite(p.previewOptions())
        _ = site.run()
        try p.remove("build/preview/demo/en/rules.html")
        let again = site.run()
        XCTAssertEqual(again.filesWritten, 1)
        XCTAssertTrue(try p.page("demo/en/rules.html").contains("<h1>The rules</h1>"))
    }

    func testASecondRunRendersNothingAndAPageChangedByHandIsWrittenAgain() throws {
        let p = try TestProject.previewProject()
        _ = run(p)
        let memo = try XCTUnwrap(PreviewSite.files(under: p.root.appendingPathComponent(".lessonc-cache")).first { $0.hasPrefix("preview-") })
        XCTAssertTrue(try String(contentsOf: p.root.appendingPathComponent(".lessonc-cache/\(memo)"), encoding: .utf8).contains("demo/ar/rules.html\t"))
        try p.write("build/preview/demo/en/saving.html", "changed by hand")
        let again = run(p)
        XCTAssertEqual(again.filesWritten, 1)
        XCTAssertTrue(try p.page("demo/en/saving.html").contains("<h1>Saving together</h1>"))
    }

    /// The preview reads lessons back from their JSON: every lesson of the repository reads back
    /// to the blocks it was written from.
    func testLessonReaderReadsBackWhatLessonJSONWrites() throws {
        let fixture = try TestProject.previewProject()
        for root in [ContentGuideTests.repositoryRoot, fixture.root] {
            let compiled = CompiledProject.compile(root: root)
            var count = 0
            for (_, lessons) in compiled.lessons {
                for lesson in lessons {
                    let json = try JSON.parse(Data(LessonJSON.blocks(lesson.blocks)))
                    XCTAssertEqual(try LessonReader.blocks(json), lesson.blocks, lesson.source.path)
                    count += 1
                }
            }
            XCTAssertGreaterThan(count, 2)
        }
        XCTAssertThrowsError(try LessonReader.block(["type": "carousel"])) { error in
            XCTAssertEqual("\(error)", "unknown block type carousel")
        }
    }

    /// Lesson format 3 (a lesson published in part): blocks and spans left in the source language
    /// keep their lang and dir through the preview's reader, so the page can mark them.
    func testLessonReaderKeepsTheLanguageOfBlocksAndSpans() throws {
        let english = TextLanguage("en")
        let blocks: [Block] = [
            .inLanguage(english, .paragraph([.text("Count the money twice.")])),
            .paragraph([.text("Hesabu pesa "), .inLanguage(english, [.text("twice")])]),
        ]
        let json = try JSON.parse(Data(LessonJSON.blocks(blocks)))
        XCTAssertEqual(try LessonReader.blocks(json), blocks)
        XCTAssertThrowsError(try LessonReader.inline(["type": "span", "children": []])) { error in
            XCTAssertEqual("\(error)", "a span without lang")
        }
    }
}
