import XCTest
@testable import LessonCompiler

/// The `html` rendering is safe by construction: text is escaped, lesson links use `lesson:`.
final class HTMLRendererTests: XCTestCase {
    /// The html of a lesson with this body, compiled through the whole pipeline.
    func html(_ body: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let p = try TestProject(lessons: [
            "01-unit/01-first.md": "---\ntitle: First\n---\n\(body)",
            "01-unit/02-second.md": "---\ntitle: Second\nid: next-one\n---\nHello.\n",
        ])
        try p.asset("a.svg")
        let result = p.build()
        XCTAssertTrue(result.succeeded, "\(result.diagnostics)", file: file, line: line)
        return try p.compiled("first")["html"]?.stringValue ?? ""
    }

    func testScriptInTextIsEscaped() throws {
        XCTAssertEqual(try html("Say \\<script>alert('x')\\</script> & `<b>`.\n"),
                       "<p>Say &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; <code>&lt;b&gt;</code>.</p>\n")
    }

    /// Escaping appends the text between special characters in runs: what is around them, and
    /// a combining mark or an emoji right after one, comes through unchanged.
    func testEscapingKeepsTheTextAroundEachSpecialCharacter() {
        var out = "<p>"
        LessonHTML.escape("'\u{301}a & b's \"Ngũ\"<👩🏽‍🌾>'", &out)
        XCTAssertEqual(out, "<p>&#39;\u{301}a &amp; b&#39;s &quot;Ngũ&quot;&lt;👩🏽‍🌾&gt;&#39;")
        var plain = ""
        LessonHTML.escape("nothing to escape: ምሳሌ", &plain)
        XCTAssertEqual(plain, "nothing to escape: ምሳሌ")
        var empty = "x"
        LessonHTML.escape("", &empty)
        XCTAssertEqual(empty, "x")
        // The combining mark stays a scalar of its own after the entity.
        XCTAssertEqual(Array(out.unicodeScalars.dropFirst(3).prefix(6).map(\.value)), [0x26, 0x23, 0x33, 0x39, 0x3B, 0x301])
    }

    func testLessonLinksUseTheLessonScheme() throws {
        XCTAssertEqual(try html("Go [on](02-second.md).\n"),
                       "<p>Go <a href=\"lesson:demo/next-one\" data-lesson=\"next-one\">on</a>.</p>\n")
    }

    func testAttributesAreEscaped() throws {
        XCTAssertEqual(try html("![A \"quoted\" \\<alt>](../assets/a.svg \"Title & <more>\")\n\n[x](https://example.org/?a=1&b=\"2\" \"t'itle\")\n"),
                       "<figure><img src=\"assets/a.svg\" alt=\"A &quot;quoted&quot; &lt;alt&gt;\" title=\"Title &amp; &lt;more&gt;\">"
                       + "<figcaption>Title &amp; &lt;more&gt;</figcaption></figure>\n"
                       + "<p><a href=\"https://example.org/?a=1&amp;b=&quot;2&quot;\" rel=\"noopener noreferrer\" title=\"t&#39;itle\">x</a></p>\n")
    }

    func testRenderingIsOnlyTheFixedTagSet() {
        // Built straight from blocks: even text the compiler would never produce comes out inert.
        let blocks: [Block] = [
            .callout(kind: .note, title: [.text("<img onerror=x>")], duration: nil, blocks: [.code(language: "\"><script>", text: "</code>")]),
        ]
        XCTAssertEqual(LessonHTML.render(blocks),
                       "<aside class=\"callout callout-note\" data-kind=\"note\">\n<p class=\"callout-title\">&lt;img onerror=x&gt;</p>\n"
                       + "<pre><code class=\"language-&quot;&gt;&lt;script&gt;\">&lt;/code&gt;</code></pre>\n</aside>\n")
    }
}
