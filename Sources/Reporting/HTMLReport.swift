public import Analysis
import Foundation
import Vocabulary

/// The colour of a run status, the same in every chart and table: green for success, grey for an interrupted
/// run, amber for a timeout, red shades for failures of a service, purple for a contract violation.
public enum StatusColor {
    /// Status → colour; a status not listed here is dark grey.
    public static let byStatus: [String: String] = [
        "success": "#15803d", "interrupted": "#9ca3af", "timeout": "#d97706", "merge_conflict": "#c2410c",
        "contract_violation": "#7c3aed", "maestro_error": "#b91c1c", "storpheus_error": "#be123c",
        "muse_error": "#dc2626", "prompt_error": "#9f1239", "midi_quality_fail": "#ea580c",
    ]

    /// The colour of `status`.
    public static func of(_ status: String) -> String { byStatus[status] ?? "#4b5563" }
}

/// The charts of a report, by file name (`report/plots/<name>.svg`), in the order the report shows them.
public struct ReportPlots: Sendable {
    /// `(file name without extension, SVG document)`.
    public var charts: [(name: String, svg: String)] = []

    /// The SVG named `name`, if drawn.
    public func svg(_ name: String) -> String? { charts.first { $0.name == name }?.svg }

    /// Draws every chart the data allows.
    public init(_ analysis: RunAnalysis) {
        let tree = analysis.tree
        if tree.hasRuns {
            charts.append(
                (
                    "status_breakdown",
                    SVGChart.bars(
                        title: "Runs by status",
                        items: analysis.kpis.statusCounts.map { ($0.status, Double($0.count)) },
                        colors: analysis.kpis.statusCounts.map { StatusColor.of($0.status) }
                    )
                )
            )
            charts.append(
                (
                    "run_duration",
                    SVGChart.histogram(
                        title: "Run duration",
                        values: tree.runs.map(\.durationMilliseconds),
                        unit: " ms"
                    )
                )
            )
            charts.append(
                (
                    "midi_quality",
                    SVGChart.histogram(
                        title: "MIDI quality score (0-100)",
                        values: tree.runs.compactMap(\.qualityScore),
                        range: 0...100
                    )
                )
            )
            charts.append(
                (
                    "midi_quality_timeline",
                    SVGChart.bars(
                        title: "MIDI quality per run"
                            + (tree.runs.count > Self.runsPerChart
                                ? " (the first \(Self.runsPerChart) of \(tree.runs.count) runs)" : ""),
                        items: tree.runs.prefix(Self.runsPerChart).map { ($0.runID, $0.qualityScore ?? 0) },
                        color: "#76b7b2"
                    )
                )
            )
            let compared = [("best", analysis.best), ("worst", analysis.worst)].compactMap { label, run in
                run.map { (label, $0) }
            }
            // One time scale for both, so the longer run looks longer.
            let scale = compared.map { $0.1.steps.map(\.durationMilliseconds).reduce(0, +) }.max()
            for (label, run) in compared {
                charts.append(
                    (
                        "waterfall_\(label)",
                        SVGChart.waterfall(
                            title: "Steps of the \(label) run \(run.runID)",
                            steps: run.steps,
                            scaleMilliseconds: scale
                        )
                    )
                )
            }
        }
        for roll in analysis.pianoRolls {
            let label = roll.runID == analysis.best?.runID ? "best" : "worst"
            charts.append(
                (
                    "piano_roll_\(label)",
                    SVGChart.pianoRoll(title: "Piano roll of the \(label) run \(roll.runID)", roll: roll)
                )
            )
        }
        if !analysis.endpoints.isEmpty {
            charts.append(
                (
                    "endpoint_latency_p95",
                    SVGChart.bars(
                        title: "p95 latency per endpoint",
                        items: analysis.endpoints.prefix(20).map { ($0.endpoint, $0.total.p95) },
                        unit: " ms"
                    )
                )
            )
        }
        if !analysis.sse.eventsPerType.isEmpty {
            charts.append(
                (
                    "sse_events_per_type",
                    SVGChart.bars(
                        title: "SSE events per type",
                        items: analysis.sse.eventsPerType.prefix(25).map { ($0.type, Double($0.count)) }
                    )
                )
            )
            if let run = analysis.best,
                let stream = tree.exchanges.first(where: { $0.runID == run.runID && !$0.frames.isEmpty })
            {
                charts.append(
                    (
                        "sse_timeline",
                        SVGChart.timeline(
                            title: "SSE timeline of \(run.runID) (\(stream.step ?? "stream"))",
                            frames: stream.frames
                        )
                    )
                )
            }
        }
        let refused = Dictionary(grouping: tree.merges.filter { $0.outcome == "conflict" }, by: \.runID)
        for graph in tree.graphs.prefix(Self.graphsDrawn) {
            charts.append(
                (
                    "muse_dag_\(graph.runID)",
                    SVGChart.museGraph(
                        title: "MUSE graph of \(graph.runID)",
                        graph: graph,
                        refusedMerges: (refused[graph.runID] ?? []).map { ($0.left, $0.right) }
                    )
                )
            )
        }
    }

    /// Runs a per-run chart shows; its title says "the first N of M" when there are more.
    public static let runsPerChart = 60
    /// MUSE graphs drawn; the section says how many of how many.
    public static let graphsDrawn = 8
}

/// The self-contained HTML report: inline CSS and SVG only, no script, font or image; every value escaped.
public enum HTMLReport {
    private static let style = """
        body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#f6f7f9}
        header{background:#1f2937;color:#fff;padding:16px 24px}header h1{margin:0;font-size:22px}
        nav{background:#fff;border-bottom:1px solid #ddd;padding:8px 24px}nav a{margin-right:14px;color:#2563eb}
        main{padding:16px 24px;max-width:1200px}section{background:#fff;border:1px solid #e3e3e3;border-radius:8px;
        padding:12px 18px;margin:14px 0}h2{margin-top:4px;font-size:18px}
        .cards{display:flex;flex-wrap:wrap;gap:12px}.card{background:#fff;border:1px solid #e3e3e3;border-radius:8px;
        padding:10px 16px;min-width:150px}.card .v{font-size:24px;font-weight:bold}.card .l{color:#666;font-size:12px}
        .ok{color:#15803d}.bad{color:#b91c1c}table{border-collapse:collapse;font-size:13px}
        td,th{border-bottom:1px solid #eee;padding:4px 8px;text-align:left}th{background:#fafafa}
        td.n{text-align:right;font-variant-numeric:tabular-nums}pre{background:#f3f4f6;padding:8px;overflow-x:auto;
        font-size:12px;white-space:pre-wrap}.warn{background:#fff7ed;border-color:#fdba74}
        .charts{display:flex;flex-wrap:wrap;gap:10px}svg{max-width:100%;height:auto}
        header dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0 0;font-size:13px}
        header dt{color:#9ca3af}header dd{margin:0}header code{color:#e5e7eb;word-break:break-all}
        .swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
        """

    private static func h(_ text: String) -> String { escapeMarkup(text) }

    private static func card(_ label: String, _ value: String, _ tone: String = "") -> String {
        "<div class=\"card\"><div class=\"v \(tone)\">\(h(value))</div><div class=\"l\">\(h(label))</div></div>"
    }

    private static func row(_ cells: [String], numeric: Set<Int> = []) -> String {
        "<tr>"
            + cells.enumerated().map { index, text in
                numeric.contains(index) ? "<td class=\"n\">\(h(text))</td>" : "<td>\(h(text))</td>"
            }.joined() + "</tr>\n"
    }

    /// Run statuses that the compose stream's failure gives.
    private static let streamStatuses: Set<String> = ["maestro_error", "contract_violation"]

    /// A small square in the status's colour.
    private static func swatch(_ status: String) -> String {
        "<span class=\"swatch\" style=\"background:\(StatusColor.of(status))\"></span>"
    }

    /// The request and response a run failed on.
    private static func failedExchange(_ exchange: ExchangeRecord) -> String {
        let answer =
            exchange.status == 0 ? "no response" + (exchange.fault.map { " (\($0))" } ?? "") : "\(exchange.status)"
        var html =
            "<p>Failed on exchange #\(exchange.ordinal) (\(h(exchange.step ?? "no step"))): <code>"
            + "\(h(exchange.service)) \(h(exchange.method)) \(h(exchange.target))</code> → <b>\(h(answer))</b>"
            + (exchange.fault.map { " after a \(h($0)) fault" } ?? "") + "</p>"
        if let request = exchange.failedRequestBody, !request.isEmpty {
            html += "<p>Request body:</p><pre>\(h(request))</pre>"
        }
        if let response = exchange.failedResponseBody, !response.isEmpty {
            html += "<p>Response body:</p><pre>\(h(response))</pre>"
        }
        return html
    }

    private static func header(_ cells: [String]) -> String {
        "<tr>" + cells.map { "<th>\(h($0))</th>" }.joined() + "</tr>\n"
    }

    /// When, by whom and against what the batch ran: date, state, seed, versions, commit, targets, command line.
    private static func batchHeader(_ batch: BatchDescription) -> String {
        var items: [(String, String)] = []
        if let started = batch.startedAt {
            items.append(("date", h(started) + (batch.finishedAt.map { " → " + h($0) } ?? " (not finished)")))
        }
        if let state = batch.state { items.append(("state", h(state))) }
        if let seed = batch.seed { items.append(("seed", h(seed))) }
        if let version = batch.toolVersion { items.append(("tdf", h(version))) }
        items.append(("commit", batch.commit.map { "<code>\(h($0))</code>" } ?? "not recorded (set TDF_COMMIT)"))
        if !batch.targets.isEmpty {
            let targets = batch.targets.map { "\(h($0.role)) <code>\(h($0.url))</code>" }.joined(separator: ", ")
            items.append(("targets", targets + (batch.stack.map { " (\(h($0)) stack)" } ?? "")))
        }
        if !batch.commandLine.isEmpty {
            items.append(("command", "<code>\(h(batch.commandLine.map(shellQuoted).joined(separator: " ")))</code>"))
        }
        return "<dl>" + items.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined() + "</dl>"
    }

    /// A word as a shell would need it: quoted when it holds anything but letters, digits and `-_./:=,@%+`.
    static func shellQuoted(_ word: String) -> String {
        let plain = word.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || "-_./:=,@%+".unicodeScalars.contains($0)
        }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Renders the report; `plots` are inlined where they belong.
    public static func render(_ analysis: RunAnalysis, plots: ReportPlots) -> String {
        let tree = analysis.tree
        let kpis = analysis.kpis
        var sections: [(id: String, title: String, body: String)] = []
        func chart(_ name: String) -> String { plots.svg(name).map { "<div>\($0)</div>" } ?? "" }

        let missing = analysis.missingSections
        if !missing.isEmpty || !tree.problems.isEmpty {
            var body = "<ul>"
            for section in missing {
                body += "<li><b>\(h(section.section))</b> could not be built: \(h(section.reason))</li>"
            }
            for problem in tree.problems { body += "<li><code>\(h(problem.file))</code>: \(h(problem.problem))</li>" }
            sections.append(("inputs", "Missing or damaged inputs", body + "</ul>"))
        }
        if tree.hasRuns {
            var body = "<div class=\"cards\">"
            body += card("runs", String(kpis.runs))
            body += card(
                "success rate",
                formatNumber(kpis.successRate * 100) + "%",
                kpis.succeeded == kpis.runs ? "ok" : "bad"
            )
            body += card("failed", String(kpis.runs - kpis.succeeded), kpis.succeeded == kpis.runs ? "ok" : "bad")
            body += card(
                "duration p50 / p95",
                "\(formatNumber(kpis.duration.p50)) / \(formatNumber(kpis.duration.p95)) ms"
            )
            body += card("quality p50", formatNumber(kpis.quality.p50))
            body += card("notes p50", formatNumber(kpis.notes.p50))
            body += card("Storpheus p95", formatNumber(kpis.storpheusLatency.p95) + " ms")
            body += card("MUSE commits / merges", "\(analysis.museTotal.nodes) / \(analysis.museTotal.merges)")
            body += "</div><h3>Distributions</h3><table>"
            body += header(["metric", "count", "min", "p50", "p95", "p99", "max"])
            for (name, distribution) in [
                ("run duration (ms)", kpis.duration), ("MIDI quality", kpis.quality), ("notes per run", kpis.notes),
                ("Storpheus latency (ms)", kpis.storpheusLatency),
            ] {
                body += row(
                    [name, String(distribution.count)]
                        + [distribution.min, distribution.p50, distribution.p95, distribution.p99, distribution.max].map
                    {
                        formatNumber($0)
                    },
                    numeric: [1, 2, 3, 4, 5, 6]
                )
            }
            body += "</table>"
            sections.append(("kpis", "Run KPIs", body))

            var status = "<table>" + header(["status", "runs"])
            for entry in kpis.statusCounts {
                status +=
                    "<tr><td>\(swatch(entry.status))\(h(entry.status))</td><td class=\"n\">\(entry.count)</td></tr>\n"
            }
            status += "</table>" + chart("status_breakdown")
            sections.append(("status", "Status breakdown", status))

            var runs = "<table>" + header(["run", "scenario", "status", "prompt", "notes", "quality", "duration ms"])
            for run in tree.runs.prefix(200) {
                if !run.succeeded {
                    runs +=
                        "<tr><td><a href=\"#fail-\(h(run.runID))\">\(h(run.runID))</a></td>"
                        + "<td>\(h(run.scenario))</td><td>\(swatch(run.status))\(h(run.status))</td>"
                        + "<td>\(h(run.promptTitle ?? "-"))</td><td class=\"n\">\(h(run.notes.map(String.init) ?? "-"))</td>"
                        + "<td class=\"n\">\(h(run.qualityScore.map { formatNumber($0) } ?? "-"))</td>"
                        + "<td class=\"n\">\(h(formatNumber(run.durationMilliseconds)))</td></tr>\n"
                    continue
                }
                runs += row(
                    [
                        run.runID, run.scenario, run.status, run.promptTitle ?? "-", run.notes.map(String.init) ?? "-",
                        run.qualityScore.map { formatNumber($0) } ?? "-", formatNumber(run.durationMilliseconds),
                    ],
                    numeric: [4, 5, 6]
                )
            }
            runs += "</table>"
            if tree.runs.count > 200 {
                runs += "<p>…and \(tree.runs.count - 200) more runs (see \(ArtifactLayout.analyticsDatabaseName)).</p>"
            }
            sections.append(("runs", "Runs", runs))

            var best = ""
            if let run = analysis.best {
                best += "<p>Best: <b>\(h(run.runID))</b> — \(h(run.promptTitle ?? "")) (\(h(run.status)))</p>"
            }
            if let run = analysis.worst {
                best += "<p>Worst: <b>\(h(run.runID))</b> — \(h(run.promptTitle ?? "")) (\(h(run.status)))</p>"
            }
            best += "<div class=\"charts\">" + chart("waterfall_best") + chart("waterfall_worst") + "</div>"
            best += chart("piano_roll_best") + chart("piano_roll_worst")
            sections.append(("best", "Best and worst runs (steps and piano roll)", best))

            let midi =
                "<div class=\"charts\">" + chart("midi_quality") + chart("run_duration") + "</div>"
                + chart("midi_quality_timeline")
            sections.append(("midi", "MIDI quality", midi))
        }
        if tree.hasCassettes {
            var body =
                "<p>Errors are 4xx and 5xx answers and faults; MUSE's 409 answers (merge conflicts, blocked checkouts, "
                + "which the scenarios provoke) are counted apart as conflicts.</p><table>"
                + header([
                    "endpoint", "calls", "errors", "conflicts", "ttfb p50", "p50 ms", "p95 ms", "p99 ms", "max ms",
                ])
            for endpoint in analysis.endpoints {
                body += row(
                    [
                        endpoint.endpoint, String(endpoint.count), String(endpoint.errors), String(endpoint.conflicts),
                        formatNumber(endpoint.ttfb.p50, digits: 2), formatNumber(endpoint.total.p50, digits: 2),
                        formatNumber(endpoint.total.p95, digits: 2), formatNumber(endpoint.total.p99, digits: 2),
                        formatNumber(endpoint.total.max, digits: 2),
                    ],
                    numeric: [1, 2, 3, 4, 5, 6, 7, 8]
                )
            }
            body += "</table>" + chart("endpoint_latency_p95")
            sections.append(("latency", "Latency per endpoint", body))

            let sse = analysis.sse
            var sseBody =
                "<p>\(sse.streams) streams. Time to first event p50 \(formatNumber(sse.timeToFirstEvent.p50, digits: 2)) ms, "
                + "p95 \(formatNumber(sse.timeToFirstEvent.p95, digits: 2)) ms; inter-event gap p50 "
                + "\(formatNumber(sse.interEventGap.p50, digits: 2)) ms, p95 \(formatNumber(sse.interEventGap.p95, digits: 2)) ms, "
                + "p99 \(formatNumber(sse.interEventGap.p99, digits: 2)) ms.</p>"
            sseBody += "<div class=\"charts\">" + chart("sse_events_per_type") + "</div>" + chart("sse_timeline")
            sections.append(("sse", "SSE statistics and timeline", sseBody))
        }
        if tree.hasGraph {
            let total = analysis.museTotal
            var body = "<div class=\"cards\">"
            body += card("commits", String(total.nodes)) + card("merges", String(total.merges))
            body += card("branch heads", String(total.branchHeads)) + card("max depth", String(total.maxDepth))
            body += card("conflicts", String(total.conflicts)) + card("checkouts", String(total.checkouts))
            body += card("blocked checkouts", String(total.blockedCheckouts)) + card("drift", String(total.drift))
            body += card("recoveries", String(total.recoveries)) + "</div><h3>Per run</h3><table>"
            body += header([
                "run", "commits", "merges", "heads", "depth", "conflicts", "checkouts", "drift", "recovered", "HEAD",
            ])
            for metrics in analysis.muse.prefix(200) {
                body += row(
                    [
                        metrics.runID, String(metrics.nodes), String(metrics.merges), String(metrics.branchHeads),
                        String(metrics.maxDepth), String(metrics.conflicts), String(metrics.checkouts),
                        String(metrics.drift), String(metrics.recoveries), metrics.head ?? "-",
                    ],
                    numeric: [1, 2, 3, 4, 5, 6, 7, 8]
                )
            }
            body += "</table>"
            if analysis.muse.count > 200 {
                body +=
                    "<p>The first 200 of \(analysis.muse.count) runs are listed; every run is in "
                    + "\(ArtifactLayout.analyticsDatabaseName).</p>"
            }
            for (name, svg) in plots.charts where name.hasPrefix("muse_dag_") { body += "<div>\(svg)</div>" }
            if tree.graphs.count > ReportPlots.graphsDrawn {
                body +=
                    "<p>The graphs of the first \(ReportPlots.graphsDrawn) of \(tree.graphs.count) runs are drawn; every "
                    + "commit is in \(ArtifactLayout.analyticsDatabaseName) and in the text rendering below.</p>"
            }
            body +=
                "<details><summary>Text rendering of every graph</summary><pre>"
                + tree.graphs.prefix(200).map { h($0.asciiRendering) }.joined(separator: "\n") + "</pre></details>"
            sections.append(("muse", "MUSE graph", body))
        }
        if tree.hasRuns {
            let failures = analysis.failures
            var body = failures.isEmpty ? "<p class=\"ok\">No run failed.</p>" : ""
            for run in failures.prefix(100) {
                body += "<h3 id=\"fail-\(h(run.runID))\">\(h(run.runID)) — \(h(run.status))</h3>"
                body += "<p>Prompt: \(h(run.promptTitle ?? "-"))</p><pre>\(h(run.error ?? "(no message)"))</pre>"
                let failing = analysis.failingExchange(of: run.runID)
                if let failing { body += failedExchange(failing) }
                // The compose stream's last events explain a stream failure; another service's failure is its
                // request and response above.
                let streamFailed =
                    (failing.map { !$0.frames.isEmpty } ?? true) || Self.streamStatuses.contains(run.status)
                let frames = analysis.lastFrames(of: run.runID)
                if streamFailed, !frames.isEmpty {
                    body +=
                        "<p>Last SSE events:</p><pre>"
                        + frames.map {
                            h("\(formatNumber($0.atMilliseconds, digits: 2)) ms  \($0.type)  \($0.data.prefix(300))")
                        }
                        .joined(separator: "\n") + "</pre>"
                }
            }
            sections.append(("failures", "Failures", body))
        }

        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>TourDeForce report</title><style>\(style)</style></head><body>
            <header><h1>TourDeForce report</h1><div>\(h(tree.root)) — \(kpis.runs) runs, \(kpis.succeeded) succeeded</div>
            \(batchHeader(tree.batch))</header>
            <nav>
            """
        html += sections.map { "<a href=\"#\($0.id)\">\(h($0.title))</a>" }.joined(separator: " ")
        html += "</nav><main>\n"
        for section in sections {
            let extra = section.id == "inputs" ? " class=\"warn\"" : ""
            html += "<section id=\"\(section.id)\"\(extra)><h2>\(h(section.title))</h2>\n\(section.body)\n</section>\n"
        }
        html += "</main></body></html>\n"
        return html
    }
}
