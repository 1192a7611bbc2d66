public import Analysis

/// The HTML rendering of a recording diff: ``section(_:)`` is the body a larger report can embed, ``page(_:)`` a
/// self-contained page around it (inline CSS only, no script); every value from the recordings is escaped.
public enum DiffHTML {
    private static let style = """
        body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#f6f7f9}
        header{background:#1f2937;color:#fff;padding:16px 24px}header h1{margin:0;font-size:22px}
        main{padding:16px 24px;max-width:1200px}section{background:#fff;border:1px solid #e3e3e3;border-radius:8px;
        padding:12px 18px;margin:14px 0}h2{margin-top:4px;font-size:18px}h3{font-size:15px;margin:14px 0 4px}
        table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #eee;padding:4px 8px;
        text-align:left;vertical-align:top}th{background:#fafafa}td.n{text-align:right;font-variant-numeric:tabular-nums}
        code{font-size:12px;word-break:break-all}.contract{color:#b91c1c;font-weight:bold}.content{color:#92400e}
        .performance{color:#1d4ed8}.ok{color:#15803d}.none{color:#6b7280;font-weight:normal}
        details{margin:6px 0}details details{margin-left:18px}summary{cursor:pointer}
        details.run>summary{font-weight:600;font-size:15px}
        """

    private static func h(_ text: String) -> String { escapeMarkup(text) }

    /// The diff as an HTML fragment: a summary, the differences by run and exchange, and the latency table.
    public static func section(_ diff: RecordingDiff) -> String {
        var html = "<section class=\"diff\"><h2>Recording diff</h2>\n"
        html += "<p>A <code>\(h(diff.pathA))</code><br>B <code>\(h(diff.pathB))</code></p>\n"
        html += "<p>\(diff.pairedRuns) runs and \(diff.pairedExchanges) exchanges paired.</p>\n<ul>"
        for kind in DiffCategory.Kind.allCases {
            let tone = diff.count(of: kind) == 0 ? "none" : kind.rawValue
            html += "<li class=\"\(tone)\">\(h(diff.countLine(kind)))</li>"
        }
        html += "</ul>\n<p class=\"\(diff.isIdentical ? "ok" : "verdict")\">\(h(diff.verdict))</p>\n"
        if diff.omitted > 0 {
            html += "<p>\(diff.omitted) differences not listed (at most \(diff.listedPerExchange) per exchange).</p>\n"
        }
        for (run, exchanges) in diff.grouped {
            let found = exchanges.flatMap(\.differences)
            let hasContract = found.contains { $0.category.kind == .contract }
            html += "<details class=\"run\"\(hasContract ? " open" : "")><summary>\(h(run)): "
            html += "\(h(Self.tally(found)))</summary>\n"
            for category in DiffCategory.all {
                let inCategory = exchanges.flatMap { exchange in
                    exchange.differences.filter { $0.category == category }.map { (exchange.exchange, $0) }
                }
                guard !inCategory.isEmpty else { continue }
                let kind = category.kind.rawValue
                html += "<details\(category.kind == .contract ? " open" : "")><summary class=\"\(kind)\">"
                html += "\(h(category.name)) (\(inCategory.count))</summary>\n"
                html += "<table><tr><th>where</th><th>what changed</th></tr>\n"
                for (exchange, difference) in inCategory {
                    html += "<tr><td><code>\(h(exchange?.label ?? "run"))</code></td>"
                    html += "<td><code>\(h(difference.detail))</code></td></tr>\n"
                }
                html += "</table></details>\n"
            }
            html += "</details>\n"
        }
        if !diff.latency.isEmpty {
            html += "<h3>Latency per endpoint (total ms)</h3>\n<table><tr><th>endpoint</th><th>n A</th><th>n B</th>"
            html += "<th>p50 A</th><th>p50 B</th><th>p95 A</th><th>p95 B</th></tr>\n"
            for row in diff.latency {
                let cells =
                    [row.countA, row.countB].map(String.init)
                    + [row.p50A, row.p50B, row.p95A, row.p95B].map { String(($0 * 10).rounded() / 10) }
                html += "<tr><td><code>\(h(row.endpoint))</code></td>"
                html += cells.map { "<td class=\"n\">\(h($0))</td>" }.joined() + "</tr>\n"
            }
            html += "</table>\n"
        }
        return html + "</section>\n"
    }

    /// `3 differences: 1 contract, 2 content`.
    private static func tally(_ differences: [Difference]) -> String {
        let parts = DiffCategory.Kind.allCases.compactMap { kind -> String? in
            let count = differences.count { $0.category.kind == kind }
            return count == 0 ? nil : "\(count) \(kind.rawValue)"
        }
        return "\(differences.count) differences: " + parts.joined(separator: ", ")
    }

    /// A self-contained HTML page holding ``section(_:)``.
    public static func page(_ diff: RecordingDiff) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>TourDeForce diff</title><style>\(style)</style></head><body>
        <header><h1>TourDeForce diff</h1></header>
        <main>
        \(section(diff))</main></body></html>

        """
    }
}
