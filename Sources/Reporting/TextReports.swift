public import Analysis
import Foundation

/// The Markdown report (fits a CI job summary or a PR comment).
public enum MarkdownReport {
    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    private static func stats(_ distribution: Distribution) -> String {
        "\(formatNumber(distribution.p50)) | \(formatNumber(distribution.p95)) | \(formatNumber(distribution.p99))"
    }

    /// Renders the report.
    public static func render(_ analysis: RunAnalysis) -> String {
        let kpis = analysis.kpis
        var out = "# TourDeForce report\n\n"
        if analysis.tree.hasRuns {
            out +=
                "**\(kpis.succeeded)/\(kpis.runs) runs succeeded** "
                + "(\(formatNumber(kpis.successRate * 100))%).\n\n"
            out += "| metric | p50 | p95 | p99 |\n|---|---:|---:|---:|\n"
            out += "| run duration (ms) | \(stats(kpis.duration)) |\n"
            out += "| MIDI quality | \(stats(kpis.quality)) |\n"
            out += "| notes per run | \(stats(kpis.notes)) |\n"
            out += "| Storpheus latency (ms) | \(stats(kpis.storpheusLatency)) |\n\n"
            out += "## Status\n\n| status | runs |\n|---|---:|\n"
            for entry in kpis.statusCounts { out += "| \(cell(entry.status)) | \(entry.count) |\n" }
            out += "\n"
        }
        if !analysis.endpoints.isEmpty {
            out +=
                "## Slowest endpoints\n\nErrors are 4xx and 5xx answers and faults; MUSE's 409 conflicts are counted "
                + "apart.\n\n| endpoint | calls | errors | conflicts | p50 ms | p95 ms | p99 ms |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n"
            for endpoint in analysis.endpoints.prefix(10) {
                out +=
                    "| `\(cell(endpoint.endpoint))` | \(endpoint.count) | \(endpoint.errors) | \(endpoint.conflicts) | "
                    + "\(stats(endpoint.total)) |\n"
            }
            out += "\n"
        }
        if analysis.tree.hasGraph {
            let muse = analysis.museTotal
            out +=
                "## MUSE\n\n\(muse.nodes) commits, \(muse.merges) merges, \(muse.branchHeads) branch heads, "
                + "max depth \(muse.maxDepth), \(muse.conflicts) conflicts, \(muse.checkouts) checkouts "
                + "(\(muse.blockedCheckouts) blocked), \(muse.drift) drift detections, \(muse.recoveries) recoveries.\n\n"
            if let graph = analysis.tree.graphs.max(by: { $0.nodes.count < $1.nodes.count }), graph.nodes.count > 1 {
                out += "Largest graph (`\(cell(graph.runID))`):\n\n```mermaid\n\(graph.mermaidRendering)```\n\n"
            }
        }
        if let best = analysis.best {
            out +=
                "Best run: `\(cell(best.runID))` (\(cell(best.status)), quality "
                + "\(best.qualityScore.map { formatNumber($0) } ?? "-")). "
            if let worst = analysis.worst {
                out +=
                    "Worst run: `\(cell(worst.runID))` (\(cell(worst.status)), quality "
                    + "\(worst.qualityScore.map { formatNumber($0) } ?? "-")).\n\n"
            } else {
                out += "\n\n"
            }
        }
        let failures = analysis.failures
        if !failures.isEmpty {
            out += "## Failures\n\n| run | status | error |\n|---|---|---|\n"
            for run in failures.prefix(50) {
                out +=
                    "| `\(cell(run.runID))` | \(cell(run.status)) | \(cell(String((run.error ?? "").prefix(200)))) |\n"
            }
            if failures.count > 50 { out += "\n…and \(failures.count - 50) more.\n" }
            out += "\n"
        }
        let missing = analysis.missingSections
        if !missing.isEmpty || !analysis.tree.problems.isEmpty {
            out += "## Inputs\n\n"
            for section in missing {
                out += "- **\(cell(section.section))** could not be built: \(cell(section.reason))\n"
            }
            for problem in analysis.tree.problems { out += "- `\(cell(problem.file))`: \(cell(problem.problem))\n" }
            out += "\n"
        }
        return out
    }
}

/// The JUnit XML report: one testsuite, one testcase per run, a `<failure>` with the message for a failed run.
public enum JUnitReport {
    /// Renders the report.
    public static func render(_ analysis: RunAnalysis) -> String {
        let runs = analysis.tree.runs
        let failures = runs.filter { !$0.succeeded }.count
        let seconds = runs.map(\.durationMilliseconds).reduce(0, +) / 1000
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out +=
            "<testsuites name=\"tourdeforce\" tests=\"\(runs.count)\" failures=\"\(failures)\" errors=\"0\" "
            + "time=\"\(formatNumber(seconds, digits: 3))\">\n"
        out +=
            "  <testsuite name=\"tourdeforce\" tests=\"\(runs.count)\" failures=\"\(failures)\" errors=\"0\" "
            + "skipped=\"0\" time=\"\(formatNumber(seconds, digits: 3))\">\n"
        for run in runs {
            out +=
                "    <testcase classname=\"tourdeforce.\(escapeMarkup(run.scenario))\" name=\"\(escapeMarkup(run.runID))\" "
                + "time=\"\(formatNumber(run.durationMilliseconds / 1000, digits: 3))\""
            if run.succeeded {
                out += "/>\n"
            } else {
                let message = run.error ?? run.status
                out +=
                    ">\n      <failure type=\"\(escapeMarkup(run.status))\" message=\"\(escapeMarkup(message))\">"
                    + escapeMarkup("\(run.status): \(message)") + "</failure>\n    </testcase>\n"
            }
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }
}
