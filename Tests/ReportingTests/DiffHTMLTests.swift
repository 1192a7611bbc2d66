import Analysis
import Reporting
import Testing

@Suite struct DiffHTMLTests {
    /// Values from the recordings (paths, targets, JSON values) are escaped in the section and the page, and the
    /// section is a fragment another report can embed (no document element of its own).
    @Test func escapesRecordedValues() {
        var diff = RecordingDiff(pathA: "/tmp/a<b>", pathB: "/tmp/b")
        diff.counts[.sseData] = 1
        diff.differences = [
            Difference(
                .sseData,
                run: "r_000001",
                exchange: ExchangeLocation(ordinal: 2, service: "maestro", method: "POST", target: "/x?a=<i>"),
                event: EventLocation(indexA: 3, indexB: 3, type: "status"),
                path: "$.message",
                before: #""<script>alert(1)</script>""#,
                after: #""ok & 'fine'""#,
                message: "changed"
            )
        ]
        let section = DiffHTML.section(diff)
        #expect(section.hasPrefix("<section class=\"diff\">"))
        #expect(!section.contains("<html"))
        #expect(
            section.contains("&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; → &quot;ok &amp; &#39;fine&#39;&quot;")
        )
        #expect(section.contains("/tmp/a&lt;b&gt;") && section.contains("/x?a=&lt;i&gt;"))
        #expect(section.contains("content: 1 (sse-data 1)"))
        let page = DiffHTML.page(diff)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains(section))
        #expect(!page.contains("<script"))
    }
}
