import Testing

@testable import OrdersSearch

/// The embedded index's highlights, made from FTS5's marked text.
@Suite struct HighlightTextTests {
    static let start = String(HighlightText.matchStart)
    static let end = String(HighlightText.matchEnd)

    /// Text escaped as Lucene's `SimpleHTMLEncoder` escapes it (what `encoder: html` does), the
    /// marks turned into the only tags.
    @Test func theTextIsEscapedAsElasticsearchEscapesItAndTheMarksBecomeTags() {
        #expect(HighlightText.escape(#"<a href="/x">Tom & Jerry's</a>"#) == "&lt;a href=&quot;&#x2F;x&quot;&gt;Tom &amp; Jerry&#x27;s&lt;&#x2F;a&gt;")
        #expect(HighlightText.escape("Zoë Müller 山田") == "Zoë Müller 山田")
        #expect(HighlightText.fragments(marked: "<em>\(Self.start)Zeb\(Self.end)</em> & co") == ["&lt;em&gt;<em>Zeb</em>&lt;&#x2F;em&gt; &amp; co"])
        #expect(HighlightText.fragments(marked: "no match here") == [], "a field without a match has no fragment")
    }

    /// A list's values (item names) are fragments of their own; only those with a match are kept,
    /// and a match (a phrase) that runs over the separator is closed and opened again.
    @Test func aListIsSplitIntoItsMatchingValuesWithTheirTagsPaired() {
        let separator = " \u{1F} "
        #expect(
            HighlightText.fragments(marked: "Tea Set\(separator)\(Self.start)Wool\(Self.end) Blanket\(separator)Cups", separator: separator) == [
                "<em>Wool</em> Blanket"
            ])
        #expect(
            HighlightText.fragments(marked: "Espresso \(Self.start)Beans\(separator)Wool\(Self.end) Blanket", separator: separator) == [
                "Espresso <em>Beans</em>", "<em>Wool</em> Blanket",
            ])
    }

    /// A mark out of place (which validated text cannot hold) is dropped, so tags always pair up.
    @Test func strayMarksNeverMakeUnpairedTags() {
        #expect(HighlightText.fragments(marked: "a\(Self.end)b \(Self.start)c\(Self.start)d\(Self.end)") == ["ab <em>cd</em>"])
        #expect(HighlightText.fragments(marked: "\(Self.start)open") == ["<em>open</em>"])
    }

    /// For a terminal the escapes are undone, exactly: even text that looks like an escape.
    @Test func aFragmentReadsBackAsPlainText() {
        for text in [#"<img src=x onerror=alert(1)> Zeb"#, #"AC/DC "O'Neil" & &lt; &amp;amp;"#, "Zoë"] {
            #expect(HighlightText.plain(HighlightText.escape(text)) == text)
        }
        #expect(HighlightText.plain("&lt;b&gt; <em>Zeb</em>") == "<b> <em>Zeb</em>")
    }
}
