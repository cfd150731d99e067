import XCTest
@testable import LessonCompiler

/// One test per HTML construct the legacy files use (issue 7, point 2): legacy HTML in, Markdown out.
final class LegacyHTMLReaderTests: XCTestCase {
    /// Escapes HTML once, the way the legacy files carry it.
    static func legacy(_ html: String) -> String {
        var out = ""
        LessonHTML.escape(html, &out)
        return out
    }

    /// Converts legacy-escaped HTML and checks that the Markdown reads back as the same text.
    func markdown(_ html: String, escape: Bool = true, file: StaticString = #filePath, line: UInt = #line) -> (String, [String]) {
        let (blocks, notes) = LegacyHTMLReader.read(escape ? Self.legacy(html) : html)
        let (text, writerNotes) = MarkdownWriter.write(blocks)
        XCTAssertNil(MarkdownWriter.readBack(text, matches: blocks), "Markdown does not read back", file: file, line: line)
        return (text, notes + writerNotes)
    }

    func assertMarkdown(_ html: String, _ expected: String, notes: [String] = [], escape: Bool = true, file: StaticString = #filePath, line: UInt = #line) {
        let (text, actualNotes) = markdown(html, escape: escape, file: file, line: line)
        XCTAssertEqual(text, expected, file: file, line: line)
        XCTAssertEqual(actualNotes, notes, file: file, line: line)
    }

    func testParagraphs() {
        assertMarkdown("<p>One.</p>\r\n    <p>Two.</p>", "One.\n\nTwo.\n")
    }

    func testPseudoBulletParagraphsBecomeOneList() {
        assertMarkdown("<p>Try this:</p><p>- Take it slow</p>\r\n <p>- Rest</p><p>* Drink water</p><p>After.</p>",
                       "Try this:\n\n- Take it slow\n- Rest\n- Drink water\n\nAfter.\n")
    }

    func testPseudoBulletLinesSeparatedByLineBreaks() {
        assertMarkdown("<p>Includes:<br>- Documentation<br>- Testing</p>", "Includes:\n\n- Documentation\n- Testing\n")
    }

    func testUnorderedList() {
        assertMarkdown("<ul>\r\n  <li>Gloves</li>\r\n  <li>Swabs</li>\r\n</ul>", "- Gloves\n- Swabs\n")
    }

    func testOrderedListKeepsItsStart() {
        assertMarkdown("<ol start=\"3\"><li>Third</li><li>Fourth</li></ol>", "3. Third\n4. Fourth\n")
    }

    func testNestedList() {
        assertMarkdown("<ul><li>Tools<ul><li>Comb</li><li>Swab</li></ul></li><li>Forms</li></ul>",
                       "- Tools\n  - Comb\n  - Swab\n- Forms\n")
    }

    func testListItemWithParagraphsIsLoose() {
        assertMarkdown("<ol><li><p>First.</p><p>More.</p></li><li><p>Second.</p></li></ol>",
                       "1. First.\n\n   More.\n\n2. Second.\n")
    }

    func testUnclosedListItemKeepsOnlyItsFirstLine() {
        // <li>Camera is never closed: the paragraph after it is not part of the item.
        assertMarkdown("<p>Materials:</p><ol><li>Gloves</li><li>Camera\r\n <p>Label the envelopes.</p>",
                       "Materials:\n\n1. Gloves\n2. Camera\n\nLabel the envelopes.\n")
    }

    func testNumberedWordProcessorHeadingBecomesHeading() {
        assertMarkdown("<p>Intro.</p>\r\n<ol>\r\n  <li>Forensic Exam Overview\r\n <p>During the exam.</p>\r\n <ol><li>What Happens to the Evidence?\r\n <p>It is sent.</p>",
                       "Intro.\n\n## Forensic Exam Overview\n\nDuring the exam.\n\n## What Happens to the Evidence?\n\nIt is sent.\n")
    }

    func testNumberedSentenceStaysAListItem() {
        // Ends with a full stop: a sentence, not a heading.
        assertMarkdown("<ol><li>Chain of custody is critical. <p>More.</p>", "1. Chain of custody is critical.\n\nMore.\n")
    }

    func testNumberedHeadingAtTheEnd() {
        assertMarkdown("<p>Text.</p><ol><li>Referrals", "Text.\n\n## Referrals\n")
    }

    func testStrongAndB() {
        assertMarkdown("<p><strong>Never</strong> judge and <b>always</b> listen.</p>", "**Never** judge and **always** listen.\n")
    }

    func testEmAndI() {
        assertMarkdown("<p><em>Believe</em> the <i>survivor</i>.</p>", "*Believe* the *survivor*.\n")
    }

    func testUnderlineBecomesEmphasis() {
        assertMarkdown("<p>Read <u>all</u> of it.</p>", "Read *all* of it.\n")
    }

    func testSpacesMoveOutOfFormatting() {
        assertMarkdown("<p>A<strong> bold </strong>word and <em> </em>space.</p>", "A **bold** word and space.\n")
    }

    func testLink() {
        assertMarkdown("<p>See <a href=\"https://example.org/a b(1)\">the guide</a>.</p>", "See [the guide](https://example.org/a%20b%281%29).\n")
    }

    func testMailtoLink() {
        assertMarkdown("<p>Write to <a href=\"mailto:help@example.org\">help@example.org</a>.</p>",
                       "Write to [help@example.org](mailto:help@example.org).\n")
    }

    func testRedirectLinkIsUnwrapped() {
        assertMarkdown("<p><a href=\"https://www.google.com/url?q=https://www.justice.gov/ovw/file/846856/download&amp;sa=D&amp;ust=1\">protocol</a></p>",
                       "[protocol](https://www.justice.gov/ovw/file/846856/download)\n")
    }

    func testInPageLinksKeepTheirTextWithAWarning() {
        assertMarkdown("<p>changes<sup><a href=\"#cmnt1\" id=\"cmnt_ref1\">[a]</a></sup>&nbsp;of</p>", "changes\\[a\\]\u{a0}of\n", notes: [
            "unknown tag <sup> (1×): its text is kept as plain text",
            "removed 1 link to places inside the legacy page (#cmnt1), which has no such anchors as lessons; the linked text is kept",
        ])
    }

    func testUnsafeLinkKeepsItsText() {
        assertMarkdown("<p><a href=\"javascript:alert(1)\">Click</a> here</p>", "Click here\n", notes: [
            "removed the link to 'javascript:alert(1)': lessons link only to http, https, mailto and tel addresses; its text is kept",
        ])
    }

    func testLineBreak() {
        assertMarkdown("<p>First line<br>second line<br></p>", "First line\\\nsecond line\n")
    }

    func testDoubleLineBreakSplitsParagraphs() {
        assertMarkdown("<p>One<br><br>Two</p>", "One\n\nTwo\n")
    }

    func testHeadingsStartAtLevelTwoAndNeverSkip() {
        assertMarkdown("<h1>Title</h1><p>a</p><h4>Deep</h4><p>b</p><h2>Next</h2>", "## Title\n\na\n\n### Deep\n\nb\n\n### Next\n")
    }

    func testEntitiesBecomeUnicode() {
        // The file escapes once more: &amp;nbsp; in the file is &nbsp; in the HTML.
        let content = "&lt;p&gt;survivors&rsquo; &ldquo;rights&rdquo; &mdash; victim&amp;nbsp;first &amp;amp; more&#39;s&lt;/p&gt;"
        let (blocks, notes) = LegacyHTMLReader.read(content)
        XCTAssertEqual(MarkdownWriter.write(blocks).markdown, "survivors’ “rights” — victim\u{a0}first & more's\n")
        XCTAssertEqual(notes, [])
    }

    func testEntityDecodingUndoesExactlyOneLayer() {
        XCTAssertEqual(LibXML.decodeHTMLEntities("&lt;p&gt; &amp;nbsp; &rsquo;&#8217;&#x2019; &bogus; &#0; &#xD800; a & b &amp"),
                       "<p> &nbsp; ’’’ &bogus; &#0; &#xD800; a & b &amp")
    }

    /// Files from some export pipelines escape twice: one decoding still leaves `&lt;p&gt;`.
    func testHTMLEscapedTwiceIsConvertedLikeOrdinaryHTML() {
        let twice = Self.legacy(Self.legacy("<p>Call <b>the helpline</b>.</p><p>x &lt; y</p>"))
        let (blocks, notes) = LegacyHTMLReader.read(twice)
        XCTAssertEqual(MarkdownWriter.write(blocks).markdown, "Call **the helpline**.\n\nx \\< y\n")
        XCTAssertEqual(notes, [])
        // Escaped once, a tag written as text stays text.
        assertMarkdown("<p>Type &lt;b&gt; for bold.</p>", "Type \\<b> for bold.\n")
    }

    func testWordProcessorLineMarkersAreLineBreaks() {
        assertMarkdown("<p>First line<nl>Second line<nl>Third line</p>", "First line\\\nSecond line\\\nThird line\n")
        let (blocks, _) = LegacyHTMLReader.read(Self.legacy(Self.legacy("<p>One<nl>Two</p>")))
        XCTAssertEqual(MarkdownWriter.write(blocks).markdown, "One\\\nTwo\n")
    }

    func testWhitespaceNoiseIsRemoved() {
        assertMarkdown("<p>  Many   spaces\r\n\t here. \u{a0}</p>\r\n        <p>&nbsp;&nbsp;Indented&nbsp;&nbsp;text&nbsp;</p>",
                       "Many spaces here.\n\nIndented text\n")
    }

    func testWordProcessorNoiseIsDropped() {
        assertMarkdown("<p class=\"c1\" style=\"margin:0\"><span class=\"c4\" style=\"font-weight:700\">Styled</span> text</p></span></p>\r\n<p class=\"c2\"><span class=\"c4\"></span></p><div><font face=\"Arial\">More</font></div>",
                       "Styled text\n\nMore\n")
    }

    func testUnknownTagsKeepTheirText() {
        assertMarkdown("<p>H<sub>2</sub>O and <mark>this</mark></p>", "H2O and this\n", notes: [
            "unknown tags <mark> (1×), <sub> (1×): their text is kept as plain text",
        ])
    }

    func testTableCellsBecomeParagraphs() {
        assertMarkdown("<table><tr><td>Drug</td><td>Dose</td></tr></table>", "Drug\n\nDose\n", notes: [
            "unknown tags <table> (1×), <td> (2×), <tr> (1×): their text is kept as plain text",
        ])
    }

    func testBlockquote() {
        assertMarkdown("<blockquote><p>Quoted.</p><p>- point</p></blockquote>", "> Quoted.\n>\n> - point\n")
    }

    func testScriptIsRemovedWithAWarning() {
        assertMarkdown("<p>Text</p><script>alert(1)</script>", "Text\n", notes: ["removed <script> holding 8 characters of code, not text"])
    }

    func testImageKeepsItsDescription() {
        assertMarkdown("<p>Look: <img src=\"http://x/kit.png\" alt=\"An evidence kit\"></p>", "Look: An evidence kit\n", notes: [
            "image 'http://x/kit.png' was not imported, its alt text 'An evidence kit' is kept; put the file in the curriculum's assets/ and add it with ![An evidence kit](../assets/…)",
        ])
    }

    func testMarkdownCharactersAreEscaped() {
        assertMarkdown("<p>*stars* _under_ [link](x) `code` a|b ~tilde~ back\\slash &amp;copy; AT&amp;T</p>",
                       "\\*stars\\* \\_under\\_ \\[link\\](x) \\`code\\` a\\|b \\~tilde\\~ back\\\\slash \\&copy; AT&T\n")
    }

    func testBlockSyntaxAtLineStartIsEscaped() {
        assertMarkdown("<p># Not a heading</p><p>&gt; not a quote</p><p>1. Not a list</p><p>+ plus</p><p>---</p><p>===</p>",
                       "\\# Not a heading\n\n\\> not a quote\n\n1\\. Not a list\n\n\\+ plus\n\n\\---\n\n\\===\n")
    }

    func testNoRawHTMLReachesTheMarkdown() {
        assertMarkdown("<p>If it is &lt;1.015 write &lt;b&gt; as text</p>", "If it is \\<1.015 write \\<b> as text\n")
    }

    func testContentThatIsNotEscapedIsReadAsHTML() {
        assertMarkdown("<p>5 &lt; 6 &amp; <b>so</b></p>", "5 \\< 6 & **so**\n", escape: false)
    }

    func testBoldThatMarkdownCannotExpressKeepsItsText() {
        assertMarkdown("<p>word<b>\"quoted\"</b>word</p>", "word\"quoted\"word\n", notes: [
            "bold formatting of '\"quoted\"' cannot be written in Markdown next to the surrounding text; the text is kept without it",
        ])
    }

    func testHTMLNestedTooDeepForTheParserKeepsItsText() {
        let html = "<p>Before</p>" + String(repeating: "<div><b>", count: 200) + "Deep &amp; inside<br>- item<p>After</p>"
        assertMarkdown(html, "Before\n\nDeep & inside\n\n- item\n\nAfter\n", notes: [
            "the HTML nests more than 256 elements deep, more than the HTML parser reads; the section is imported as plain paragraphs, without its formatting",
        ])
    }
}
