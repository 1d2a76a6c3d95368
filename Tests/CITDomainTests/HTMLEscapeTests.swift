import Testing
import CITDomain

@Suite("HTMLEscape: one escaping for attributes, text and SVG")
struct HTMLEscapeTests {
    @Test func attributeEscapesMarkupAndBothQuotes() {
        #expect(HTMLEscape.attribute("a\"b'c<d>e&f") == "a&quot;b&#39;c&lt;d&gt;e&amp;f")
    }

    @Test func textKeepsQuotes() {
        #expect(HTMLEscape.text("\"Sam's\" <b> & co") == "\"Sam's\" &lt;b&gt; &amp; co")
    }

    @Test func anEntityIsShownAsTyped() {
        // Plot would leave "&amp;" alone; here it becomes "&amp;amp;", which shows as typed.
        #expect(HTMLEscape.text("&amp; &#60;") == "&amp;amp; &amp;#60;")
    }

    @Test func aQuoteWithACombiningMarkIsStillEscaped() {
        // One Character ("\"" + U+0301), two scalars: the browser still sees a quote.
        #expect(HTMLEscape.attribute("x\"\u{301} onload=y") == "x&quot;\u{301} onload=y")
    }

    @Test func plainTextIsUnchanged() {
        #expect(HTMLEscape.attribute("Sauk County 🧑🏽‍🦱 סאם") == "Sauk County 🧑🏽‍🦱 סאם")
        #expect(HTMLEscape.text("") == "")
    }
}
