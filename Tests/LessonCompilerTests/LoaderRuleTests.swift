import XCTest
@testable import LessonCompiler

/// One test per rule the loader and the schema check: the exact diagnostic, as printed.
final class LoaderRuleTests: XCTestCase {
    let lessonPath = "content/demo/01-unit/01-first.md"

    /// A project whose only lesson is `01-unit/01-first.md` with the given full text.
    func project(lesson text: String, curriculumFile: String? = nil) throws -> TestProject {
        try TestProject(curriculumFile: curriculumFile, lessons: ["01-unit/01-first.md": text])
    }

    func curriculumFile(replacing old: String, with new: String) -> String {
        "---\nid: demo\n\(TestProject.curriculumFrontMatter)\n---\nA curriculum.\n".replacingOccurrences(of: old, with: new)
    }

    func testValidProjectHasNoDiagnostics() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n")
        let result = p.validate()
        XCTAssertDiagnostics(result, [])
        XCTAssertTrue(result.succeeded)
        XCTAssertEqual(result.lessonCount, 1)
        XCTAssertEqual(result.curriculumCount, 1)
    }

    func testCRLFLessonIsValid() throws {
        let p = try project(lesson: "---\r\ntitle: First\r\ntags:\r\n  - a\r\n---\r\nHello.\r\n\r\n### Jump\r\n")
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):8:1: error: heading level jumps from 1 to 3; use level 2 [heading-jump]"])
    }

    // MARK: - Schema

    func testMissingKeyInLesson() throws {
        let p = try project(lesson: "---\nid: first\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):1:1: error: lesson front matter has no 'title' [missing-key]"])
    }

    func testMissingKeyInCurriculum() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n",
                            curriculumFile: curriculumFile(replacing: "version: 1.0.0\n", with: ""))
        XCTAssertDiagnostics(p.validate(), ["content/demo/curriculum.md:1:1: error: curriculum front matter has no 'version' [missing-key]"])
    }

    func testUnknownKeyWithDidYouMean() throws {
        let p = try project(lesson: "---\ntitle: First\ntagz: [a]\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):3:1: error: unknown front-matter key 'tagz' in a lesson; did you mean 'tags'? [unknown-key]"])
    }

    func testUnknownKeyListsTheKnownKeys() throws {
        let p = try project(lesson: "---\ntitle: First\ncolour: red\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):3:1: error: unknown front-matter key 'colour' in a lesson (known: audience, authors, content_warning, duration, id, license, source, tags, title) [unknown-key]"])
    }

    func testWrongTypeNumberForText() throws {
        let p = try project(lesson: "---\ntitle: 12\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):2:8: error: 'title' must be text, not a number; put it in quotes if it is text [wrong-type]"])
    }

    /// One message that shows the accepted form, whether YAML reads the version as a number or as text.
    func testDecimalVersionGetsOneMessageWithTheAcceptedForm() throws {
        for written in ["1.0", "\"1.0\""] {
            let p = try project(lesson: "---\ntitle: First\n---\nHello.\n",
                                curriculumFile: curriculumFile(replacing: "version: 1.0.0", with: "version: \(written)"))
            XCTAssertDiagnostics(p.validate(), ["content/demo/curriculum.md:4:10: error: version '1.0' is not MAJOR.MINOR.PATCH; write version: 1.0.0 [invalid-value]"], written)
        }
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n", curriculumFile: curriculumFile(replacing: "version: 1.0.0", with: "version: draft"))
        XCTAssertDiagnostics(p.validate(), ["content/demo/curriculum.md:4:10: error: version 'draft' is not MAJOR.MINOR.PATCH (semantic versioning), e.g. 1.0.0 [invalid-value]"])
    }

    func testDurationWithoutAUnit() throws {
        let p = try project(lesson: "---\ntitle: First\nduration: 20\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):3:11: error: duration '20' has no unit; write duration: 20 min [invalid-value]"])
    }

    func testAudienceOutsideTheDocumentedOnesIsAWarning() throws {
        let p = try project(lesson: "---\ntitle: First\naudience: [facilitators, members, donors]\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), [
            "\(lessonPath):3:11: warning: audience 'donors' is not one lessonc knows; Audiences are facilitator, members, advocate, survivor [unknown-audience]",
            "\(lessonPath):3:11: warning: audience 'facilitators' is not one lessonc knows; did you mean 'facilitator'? Audiences are facilitator, members, advocate, survivor [unknown-audience]",
        ])
    }

    func testTabAfterAKeySaysTab() throws {
        let p = try project(lesson: "---\ntitle:\tFirst\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):2:7: error: a tab after 'title:'; YAML needs a space there [front-matter-syntax]"])
    }

    func testAnEmptyLessonFileIsOneError() throws {
        for text in ["", "\n  \n"] {
            let p = try project(lesson: text)
            XCTAssertDiagnostics(p.validate(), ["\(lessonPath):1:1: error: the lesson file is empty; start it with front matter ('---', 'title: …', '---'), then the lesson's text [empty-lesson]"])
        }
    }

    func testALessonWhoseFrontMatterFailsIsStillCheckedAndUsesItsPictures() throws {
        let p = try project(lesson: "---\ntitle: Costs: and prices\n---\n![A map](../assets/map.svg)\n\n#### Too deep\n")
        try p.asset("map.svg")
        XCTAssertDiagnostics(p.validate(), [
            "\(lessonPath):2:13: error: ':' inside unquoted text; put the value in quotes [front-matter-syntax]",
            "\(lessonPath):6:1: error: heading level jumps from 1 to 4; use level 2 [heading-jump]",
        ])
    }

    func testAnUnreadableLessonMakesNoGuessesAboutUnusedAssets() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n")
        try p.write("content/demo/01-unit/02-broken.md", data: Data([0x2D, 0x2D, 0x2D, 0x0A, 0xFF, 0x0A]))
        try p.asset("map.svg")
        XCTAssertDiagnostics(p.validate(), ["content/demo/01-unit/02-broken.md:2:1: error: invalid UTF-8 at byte 4; save the file as UTF-8 [invalid-utf8]"])
    }

    func testWrongTypeOfListItemsAndOfLists() throws {
        let p = try project(lesson: "---\ntitle: First\ntags: [money, 3]\ncontent_warning: [a]\n---\nHello.\n",
                            curriculumFile: curriculumFile(replacing: "authors: [Test Author]", with: "authors: [Test Author]\nlevel_titles: Unit"))
        XCTAssertDiagnostics(p.validate(), [
            "\(lessonPath):3:15: error: items of 'tags' must be text, not a number [wrong-type]",
            "\(lessonPath):4:18: error: 'content_warning' must be text, not a list [wrong-type]",
            "content/demo/curriculum.md:8:15: error: 'level_titles' must be a list, not text [wrong-type]",
        ].sorted())
    }

    func testWrongTypeBooleanAndMap() throws {
        let p = try project(lesson: "---\ntitle: true\nsource:\n  by: WHO\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), [
            "\(lessonPath):2:8: error: 'title' must be text, not true/false; put it in quotes if it is text [wrong-type]",
            "\(lessonPath):4:3: error: 'source' must be text or a list of text, not a map [wrong-type]",
        ])
    }

    func testInvalidVersion() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n",
                            curriculumFile: curriculumFile(replacing: "version: 1.0.0", with: "version: v1.0.0"))
        XCTAssertDiagnostics(p.validate(), ["content/demo/curriculum.md:4:10: error: version 'v1.0.0' is not MAJOR.MINOR.PATCH; write version: 1.0.0 [invalid-value]"])
    }

    func testInvalidLanguage() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n",
                            curriculumFile: curriculumFile(replacing: "language: en", with: "language: English"))
        XCTAssertDiagnostics(p.validate(), ["content/demo/curriculum.md:5:11: error: language 'English' is not a BCP 47 tag such as en, sw, fr-CA or zh-Hant [invalid-value]"])
    }

    func testInvalidLicense() throws {
        let p = try project(lesson: "---\ntitle: First\nlicense: CC BY 4.0\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):3:10: error: license 'CC BY 4.0' is not an SPDX identifier such as CC-BY-4.0 [invalid-value]"])
    }

    func testInvalidDuration() throws {
        let p = try project(lesson: "---\ntitle: First\nduration: twenty minutes\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):3:11: error: duration 'twenty minutes' is not like '20 min' or '1 h 30 min' [invalid-value]"])
    }

    func testAcceptedDurations() throws {
        for d in ["20 min", "1 h", "1 h 30 min", "90 minutes", "2 hours"] {
            let p = try project(lesson: "---\ntitle: First\nduration: \(d)\n---\nHello.\n")
            XCTAssertDiagnostics(p.validate(), [], "duration \(d)")
        }
    }

    func testEmptyText() throws {
        let p = try project(lesson: "---\ntitle: \"  \"\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):2:8: error: 'title' is empty [invalid-value]"])
    }

    // MARK: - Ids

    func testInvalidExplicitId() throws {
        let p = try project(lesson: "---\ntitle: First\nid: First_Lesson\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):3:5: error: id 'First_Lesson' must be lowercase letters, digits, '-', '_' or '.', starting with a letter or digit [invalid-id]"])
    }

    func testInvalidDerivedId() throws {
        let p = try TestProject(lessons: ["01-unit/01-First Steps.md": "---\ntitle: First\n---\nHello.\n"])
        XCTAssertDiagnostics(p.validate(), ["content/demo/01-unit/01-First Steps.md:1:1: error: the id derived from the file name, 'First Steps', must be lowercase letters, digits, '-', '_' or '.', starting with a letter or digit; rename the file or set 'id' in front matter [invalid-id]"])
    }

    func testInvalidCurriculumFolderName() throws {
        let p = try TestProject(curriculum: "Demo", curriculumFile: curriculumFile(replacing: "id: demo\n", with: ""),
                                lessons: ["01-unit/01-first.md": "---\ntitle: First\n---\nHello.\n"])
        XCTAssertDiagnostics(p.validate(), ["content/Demo:1:1: error: curriculum folder name 'Demo' must be lowercase letters, digits, '-', '_' or '.' [invalid-id]"])
    }

    func testCurriculumIdMismatch() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n", curriculumFile: curriculumFile(replacing: "id: demo", with: "id: other"))
        XCTAssertDiagnostics(p.validate(), ["content/demo/curriculum.md:2:5: error: curriculum id 'other' differs from its folder name 'demo' [id-mismatch]"])
    }

    func testDuplicateId() throws {
        let p = try TestProject(lessons: [
            "01-unit/01-first.md": "---\ntitle: First\n---\nHello.\n",
            "02-more/01-again.md": "---\ntitle: Again\nid: first\n---\nHello.\n",
        ])
        XCTAssertDiagnostics(p.validate(), ["content/demo/02-more/01-again.md:3:5: error: lesson id 'first' is also used by content/demo/01-unit/01-first.md [duplicate-id]"])
    }

    func testSameIdInTwoCurriculaIsFine() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n")
        try p.write("content/other/curriculum.md", "---\nid: other\n\(TestProject.curriculumFrontMatter)\n---\n")
        try p.write("content/other/01-unit/01-first.md", "---\ntitle: First\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), [])
    }

    // MARK: - Files and front matter

    func testMissingCurriculumFile() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n")
        try p.write("content/other/01-unit/01-x.md", "---\ntitle: X\n---\nBroken [link](nowhere.md).\n")
        // The curriculum's lessons are still checked in the same run.
        XCTAssertDiagnostics(p.validate(), [
            "content/other:1:1: error: curriculum folder 'other' has no curriculum.md [missing-curriculum-file]",
            "content/other/01-unit/01-x.md:4:8: error: link to 'nowhere.md' does not resolve to a lesson [broken-link]",
        ])
    }

    func testMissingFrontMatterInLesson() throws {
        let p = try project(lesson: "## Hello\n\nText.\n")
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):1:1: error: lesson must start with front matter between '---' lines, with at least a title [missing-front-matter]"])
    }

    func testMissingFrontMatterInCurriculum() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n", curriculumFile: "A curriculum without front matter.\n")
        XCTAssertDiagnostics(p.validate(), ["content/demo/curriculum.md:1:1: error: curriculum.md must start with front matter between '---' lines [missing-front-matter]"])
    }

    func testFrontMatterSyntaxInLesson() throws {
        let p = try project(lesson: "---\ntitle: Money: the basics\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):2:13: error: ':' inside unquoted text; put the value in quotes [front-matter-syntax]"])
    }

    func testFrontMatterSyntaxInCurriculumAndUnit() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n",
                            curriculumFile: curriculumFile(replacing: "title: Demo curriculum", with: "title: Demo curriculum\ntitle: Again"))
        try p.lesson("01-unit/_unit.md", "---\ntitle: {Unit}\n---\n")
        XCTAssertDiagnostics(p.validate(), [
            "content/demo/01-unit/_unit.md:2:8: error: flow maps '{...}' are not supported; write the map as indented 'key: value' lines [front-matter-syntax]",
            "content/demo/curriculum.md:4:1: error: duplicate key 'title' [front-matter-syntax]",
        ])
    }

    func testUnitFileIsCheckedAgainstItsSchema() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n")
        try p.lesson("01-unit/_unit.md", "---\ntitle: Unit one\nsumary: x\n---\n")
        XCTAssertDiagnostics(p.validate(), ["content/demo/01-unit/_unit.md:3:1: error: unknown front-matter key 'sumary' in a unit; did you mean 'summary'? [unknown-key]"])
    }

    func testInvalidUTF8() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n")
        var bytes = Array("---\ntitle: First\n---\nCafé \u{1F600} ".utf8)
        let offset = bytes.count
        bytes += [0xC3, 0x20] + Array(" au lait\n".utf8)
        try p.write(lessonPath, data: Data(bytes))
        // Columns count UTF-16 code units, as editors do: the emoji is two.
        XCTAssertDiagnostics(p.validate(), ["\(lessonPath):4:9: error: invalid UTF-8 at byte \(offset); save the file as UTF-8 [invalid-utf8]"])
    }

    func testInvalidUTF8InCurriculumFile() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n")
        try p.write("content/demo/curriculum.md", data: Data(Array("---\ntitle: ".utf8) + [0xFF, 0x0A]))
        XCTAssertDiagnostics(p.validate(), ["content/demo/curriculum.md:2:8: error: invalid UTF-8 at byte 11; save the file as UTF-8 [invalid-utf8]"])
    }

    func testLessonTooLarge() throws {
        let p = try project(lesson: "---\ntitle: First\n---\n" + String(repeating: "a", count: Loader.maxLessonBytes - 22) + "\n")
        try p.lesson("01-unit/02-big.md", "---\ntitle: Big\n---\n" + String(repeating: "a", count: Loader.maxLessonBytes - 19) + "\n")
        XCTAssertDiagnostics(p.validate(), ["content/demo/01-unit/02-big.md:1:1: error: lesson is 1048577 bytes; the limit is 1048576 bytes (1 MiB): split it into several lessons [lesson-too-large]"])
    }

    // MARK: - Folders

    func testEmptyCurriculum() throws {
        let p = try TestProject()
        XCTAssertDiagnostics(p.validate(), ["content/demo/curriculum.md:1:1: error: curriculum 'demo' has no lessons [empty-curriculum]"])
    }

    func testNoContentFolder() throws {
        let p = try TestProject()
        try p.remove("content")
        XCTAssertDiagnostics(p.validate(), ["content:1:1: error: no content/ folder under \(p.root.standardizedFileURL.path) [no-content]"])
    }

    func testContentWithoutCurricula() throws {
        let p = try TestProject()
        try p.remove("content/demo")
        XCTAssertDiagnostics(p.validate(), ["content:1:1: error: content/ holds no curriculum folder [no-content]"])
    }

    func testStrayFiles() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n")
        try p.write("content/README.txt", "notes")
        try p.lesson("01-unit/photo.png", "png")
        try p.lesson("01-unit/.hidden", "ignored silently")
        XCTAssertDiagnostics(p.validate(), [
            "content/README.txt:1:1: warning: 'README.txt' is not a curriculum folder and is ignored [stray-file]",
            "content/demo/01-unit/photo.png:1:1: warning: 'photo.png' is neither a lesson (.md) nor a unit folder and is ignored; put media in assets/ [stray-file]",
        ])
    }

    func testMissingOrderPrefix() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n")
        try p.lesson("01-unit/extra.md", "---\ntitle: Extra\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), ["content/demo/01-unit/extra.md:1:1: warning: 'extra.md' has no NN- order prefix; it is placed after the numbered entries [missing-order-prefix]"])
    }

    func testDuplicateOrder() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n")
        try p.lesson("01-unit/01-second.md", "---\ntitle: Second\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), ["content/demo/01-unit/01-second.md:1:1: warning: order prefix 01 is also used by '01-first.md'; their order is by name [duplicate-order]"])
    }

    func testTooDeep() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n")
        try p.lesson("02-a/01-b/01-c/01-d/01-e/01-deep.md", "---\ntitle: Deep\n---\nHello.\n")
        XCTAssertDiagnostics(p.validate(), [
            "content/demo/02-a/01-b/01-c/01-d:1:1: warning: unit folder '01-d' has no lessons [empty-unit]",
            "content/demo/02-a/01-b/01-c/01-d/01-e:1:1: error: units nest at most 4 levels deep [too-deep]",
        ])
    }

    func testFourLevelsAreAllowed() throws {
        let p = try TestProject(lessons: ["01-a/01-b/01-c/01-d/01-deep.md": "---\ntitle: Deep\n---\nHello.\n"])
        XCTAssertDiagnostics(p.validate(), [])
    }

    func testEmptyUnit() throws {
        let p = try project(lesson: "---\ntitle: First\n---\nHello.\n")
        try p.lesson("02-later/_unit.md", "---\ntitle: Later\n---\n")
        XCTAssertDiagnostics(p.validate(), ["content/demo/02-later:1:1: warning: unit folder '02-later' has no lessons [empty-unit]"])
    }

    func testUnusedAsset() throws {
        let p = try project(lesson: "---\ntitle: First\n---\n![A map](../assets/map.png)\n")
        try p.asset("map.png")
        try p.asset("icons/unused.svg")
        XCTAssertDiagnostics(p.validate(), ["content/demo/assets/icons/unused.svg:1:1: warning: asset is not used by any lesson [unused-asset]"])
    }
}
