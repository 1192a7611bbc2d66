import Analysis
import Foundation
import Reporting
import TestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An in-memory tree: two runs (one failed, with a hostile prompt title and error), exchanges on two endpoints,
/// a stream, a MUSE graph with a merge, and merge and checkout events.
func fixtureTree(runs: Int = 2) -> ArtifactTree {
    var tree = ArtifactTree(root: "/fixture")
    tree.hasRuns = true
    tree.hasCassettes = true
    tree.hasGraph = true
    tree.hasEvents = true
    let hostile = "<script>alert(\"x\")</script> & 'quoted'"
    for index in 1...runs {
        let failed = index == 2
        tree.runs.append(
            RunRecord(
                runID: String(format: "r_%06d", index),
                index: index,
                scenario: "standard",
                status: failed ? "maestro_error" : "success",
                error: failed ? "boom: \(hostile)" : nil,
                startedAt: "2026-01-01T00:00:00.000Z",
                durationMilliseconds: Double(100 * index),
                promptID: "p",
                promptTitle: failed ? "Title \(hostile)" : "Calm",
                style: "pop",
                notes: 10 * index,
                qualityScore: failed ? nil : 88,
                requests: 3,
                steps: [RunStep(name: "compose", status: failed ? "maestro_error" : "ok", durationMilliseconds: 50)],
                contractViolations: [],
                museHead: "M1"
            )
        )
    }
    for (seq, (target, total)) in [("/api/v1/muse/log", 2.0), ("/api/v1/jobs/3f6b489a-b26a/wait", 80.0)].enumerated() {
        tree.exchanges.append(
            ExchangeRecord(
                runID: "r_000001",
                seq: seq,
                ordinal: seq + 1,
                service: "storpheus",
                step: "s",
                method: "GET",
                target: target,
                pathTemplate: PathTemplate.collapse(target),
                status: 200,
                ttfbMilliseconds: 1,
                totalMilliseconds: total,
                fault: nil,
                frames: []
            )
        )
    }
    tree.exchanges.append(
        ExchangeRecord(
            runID: "r_000002",
            seq: 0,
            ordinal: 1,
            service: "maestro",
            step: "compose",
            method: "POST",
            target: "/api/v1/maestro/stream",
            pathTemplate: "/api/v1/maestro/stream",
            status: 200,
            ttfbMilliseconds: 1,
            totalMilliseconds: 20,
            fault: nil,
            frames: [
                StreamFrame(atMilliseconds: 1, type: "state", data: "{}"),
                StreamFrame(atMilliseconds: 4, type: "error", data: "{\"message\":\"\(hostile)\"}"),
            ]
        )
    )
    tree.graphs = [
        MuseGraph(
            runID: "r_000001",
            nodes: [
                MuseNode(id: "c1", name: "C1", parent: nil, secondParent: nil, isHead: false, intent: "compose"),
                MuseNode(id: "b1", name: "B1", parent: "c1", secondParent: nil, isHead: false, intent: "edit"),
                MuseNode(id: "m1", name: "M1", parent: "c1", secondParent: "b1", isHead: true, intent: "merge"),
            ],
            head: "m1"
        )
    ]
    func event(_ type: String, _ fields: [String: String]) -> RecordedEvent {
        RecordedEvent(timestamp: "t", runID: "r_000001", component: "muse", type: type, fields: fields)
    }
    tree.events = [
        event("muse_merge", ["name": "M1", "left": "C1", "right": "B1"]),
        event("muse_conflict", ["left": "X1", "right": "X2", "conflicts": "1"]),
        event("muse_checkout", ["name": "C1", "force": "true", "head_moved": "true"]),
    ]
    return tree
}

@Suite struct AnalyticsDatabaseTests {
    /// The queries a user asks answer from the database: slowest endpoint, runs by status, merges per run.
    @Test func answersUserQueries() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("tourdeforce.db")
        try AnalyticsDatabase.build(RunAnalysis(tree: fixtureTree()), at: path)
        let database = try SQLiteDatabase(path: path)
        let slowest = try database.query(
            "SELECT endpoint, MAX(total_ms) FROM exchanges GROUP BY endpoint ORDER BY MAX(total_ms) DESC LIMIT 1"
        )
        #expect(slowest.first?.first?.stringValue == "storpheus GET /api/v1/jobs/{id}/wait")
        let byStatus = try database.query("SELECT status, COUNT(*) FROM runs GROUP BY status ORDER BY status")
        #expect(byStatus.map { $0[0].stringValue ?? "" } == ["maestro_error", "success"])
        let merges = try database.query(
            "SELECT run_id, COUNT(*), SUM(outcome = 'conflict') FROM muse_merges WHERE run_id = ? GROUP BY run_id",
            [.text("r_000001")]
        )
        #expect(merges.first?[1].intValue == 2 && merges.first?[2].intValue == 1)
        let parents = try database.query(
            "SELECT parent_id, parent2_id, branch FROM muse_commits WHERE name = ?",
            [.text("M1")]
        )
        #expect(parents.first == [.text("c1"), .text("b1"), .text("M1")])
        #expect(try database.query("SELECT COUNT(*) FROM storpheus_calls").first?.first?.intValue == 2)
        let indexes = try database.query(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND sql LIKE '%run_id%'"
        )
        #expect(indexes.first?.first?.intValue == 8)
    }

    /// Rebuilding replaces the database instead of appending to it, and leaves no temporary file behind.
    @Test func rebuildsFromScratch() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("tourdeforce.db")
        let analysis = RunAnalysis(tree: fixtureTree())
        try AnalyticsDatabase.build(analysis, at: path)
        try AnalyticsDatabase.build(analysis, at: path)
        let database = try SQLiteDatabase(path: path)
        #expect(try database.query("SELECT COUNT(*) FROM runs").first?.first?.intValue == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["tourdeforce.db"])
    }

    /// Text with quotes and SQL syntax is stored verbatim through bound parameters.
    @Test func storesHostileTextVerbatim() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("tourdeforce.db")
        try AnalyticsDatabase.build(RunAnalysis(tree: fixtureTree()), at: path)
        let database = try SQLiteDatabase(path: path)
        let rows = try database.query("SELECT prompt_title FROM runs WHERE run_id = ?", [.text("r_000002")])
        #expect(rows.first?.first?.stringValue == "Title <script>alert(\"x\")</script> & 'quoted'")
    }
}

@Suite struct ReportOutputTests {
    /// A prompt title and an error containing <script> and quotes render as text in the HTML report.
    @Test func htmlEscapesNetworkValues() {
        let analysis = RunAnalysis(tree: fixtureTree())
        let html = HTMLReport.render(analysis, plots: ReportPlots(analysis))
        #expect(!html.contains("<script"))
        #expect(html.contains("Title &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;"))
        #expect(html.contains("boom: &lt;script&gt;"))
    }

    /// Chart labels from the network (endpoints, event types) are escaped, and the SVG parses as XML.
    @Test func svgEscapesLabels() throws {
        let svg = SVGChart.bars(title: "t", items: [("<script>\"x\"</script>", 3)])
        #expect(!svg.contains("<script") && svg.contains("&lt;script&gt;&quot;x&quot;"))
        #expect(try XMLDocument(xmlString: svg, options: []).rootElement()?.name == "svg")
    }

    /// Values an artifact tree may hold that no `Int` can (JSON beyond `Double` reads as infinity) still draw.
    @Test func chartsDrawValuesBeyondIntegers() throws {
        let bars = SVGChart.bars(title: "t", items: [("huge", .infinity), ("small", 1)])
        let histogram = SVGChart.histogram(title: "h", values: [-.infinity, 1, 2, .infinity])
        for svg in [bars, histogram] {
            #expect(try XMLDocument(xmlString: svg, options: []).rootElement()?.name == "svg")
        }
    }

    /// The HTML report is one file with nothing to fetch: no script, no external source, stylesheet or font.
    @Test func htmlIsSelfContained() {
        let analysis = RunAnalysis(tree: fixtureTree())
        let html = HTMLReport.render(analysis, plots: ReportPlots(analysis))
        for forbidden in ["<script", " src=", "<link", "url(", "@import", "href=\"http"] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
        #expect(html.contains("<svg") && html.contains(">HEAD</text>"))
        #expect(html.contains("id=\"failures\"") && html.contains("href=\"#failures\""))
    }

    /// A status has one colour wherever it is shown, whatever its row: success green and a failure red even when
    /// the failures outnumber the successes (the chart lists the largest first).
    @Test func statusColoursAreFixedByStatus() throws {
        var tree = fixtureTree(runs: 3)
        tree.runs[0].status = "maestro_error"
        let analysis = RunAnalysis(tree: tree)
        let plots = ReportPlots(analysis)
        let chart = try #require(plots.svg("status_breakdown"))
        #expect(analysis.kpis.statusCounts.first?.status == "maestro_error")
        let success = try #require(chart.components(separatedBy: ">success</text>").last)
        let failure = try #require(chart.components(separatedBy: ">maestro_error</text>").last)
        #expect(success.hasPrefix("\n<rect") && success.contains("fill=\"#15803d\""))
        #expect(failure.prefix(120).contains("fill=\"#b91c1c\""))
        #expect(!failure.prefix(120).contains("#15803d"))
        let html = HTMLReport.render(analysis, plots: plots)
        #expect(html.contains("<span class=\"swatch\" style=\"background:#15803d\"></span>success"))
        #expect(html.contains("<span class=\"swatch\" style=\"background:#b91c1c\"></span>maestro_error"))
        #expect(StatusColor.of("interrupted") == "#9ca3af" && StatusColor.of("something new") == "#4b5563")
    }

    /// The header names the batch: date, state, seed, versions, commit, targets and the command line (quoted as
    /// a shell needs it); without a manifest it says what is not recorded instead of inventing it.
    @Test func headerDescribesTheBatch() {
        var tree = fixtureTree()
        tree.batch.startedAt = "2026-12-08T04:14:27.601Z"
        tree.batch.finishedAt = "2026-12-08T04:14:30.102Z"
        tree.batch.state = "finished"
        tree.batch.seed = "1337"
        tree.batch.toolVersion = "0.1.0"
        tree.batch.commit = "9f2c1e0"
        tree.batch.stack = "embedded"
        tree.batch.targets = [
            BatchDescription.Target(role: "maestro", url: "http://maestro:10001/api/v1/maestro/stream")
        ]
        tree.batch.commandLine = ["tdf", "run", "--out", "/tmp/my runs", "--seed", "1337"]
        let analysis = RunAnalysis(tree: tree)
        let html = HTMLReport.render(analysis, plots: ReportPlots(analysis))
        #expect(html.contains("<dt>date</dt><dd>2026-12-08T04:14:27.601Z → 2026-12-08T04:14:30.102Z</dd>"))
        #expect(html.contains("<dt>seed</dt><dd>1337</dd><dt>tdf</dt><dd>0.1.0</dd>"))
        #expect(html.contains("<dt>commit</dt><dd><code>9f2c1e0</code></dd>"))
        #expect(html.contains("maestro <code>http://maestro:10001/api/v1/maestro/stream</code> (embedded stack)"))
        #expect(html.contains("<code>tdf run --out &#39;/tmp/my runs&#39; --seed 1337</code>"))
        let bare = HTMLReport.render(
            RunAnalysis(tree: fixtureTree()),
            plots: ReportPlots(RunAnalysis(tree: fixtureTree()))
        )
        #expect(bare.contains("<dt>commit</dt><dd>not recorded (set TDF_COMMIT)</dd>"))
        #expect(!bare.contains("<dt>seed</dt>"))
    }

    /// The MUSE graph draws an arrowhead into every child, marks a refused merge between its two branches, and
    /// routes edges outside the commits; the best and worst waterfalls share one time scale.
    @Test func graphArrowsRefusedMergeAndSharedScales() throws {
        let graph = try #require(fixtureTree().graphs.first)
        let svg = SVGChart.museGraph(title: "g", graph: graph, refusedMerges: [("B1", "M1")])
        #expect(svg.components(separatedBy: "<polygon points=").count - 1 == 3 + 1, "3 arrowheads and 1 merge diamond")
        #expect(svg.contains("merge of B1 and M1 refused: 409 merge_conflict") && svg.contains(">✕</text>"))
        #expect(try XMLDocument(xmlString: svg, options: []).rootElement()?.name == "svg")
        let short = SVGChart.waterfall(
            title: "s",
            steps: [RunStep(name: "a", status: "ok", durationMilliseconds: 100)],
            scaleMilliseconds: 1000
        )
        #expect(short.contains(">1000 ms</text>") && short.contains("width=\"48\""), "100 of 1000 ms is a tenth")
    }

    /// junit.xml parses as XML with one testsuite, one testcase per run and a failure carrying the message.
    @Test func junitHasTheCommonShape() throws {
        let xml = JUnitReport.render(RunAnalysis(tree: fixtureTree()))
        let document = try XMLDocument(xmlString: xml, options: [])
        let suite = try #require(try document.nodes(forXPath: "/testsuites/testsuite").first as? XMLElement)
        #expect(suite.attribute(forName: "tests")?.stringValue == "2")
        #expect(suite.attribute(forName: "failures")?.stringValue == "1")
        #expect(try document.nodes(forXPath: "//testcase").count == 2)
        let failure = try #require(
            try document.nodes(forXPath: "//testcase[@name='r_000002']/failure").first as? XMLElement
        )
        #expect(failure.attribute(forName: "message")?.stringValue == "boom: <script>alert(\"x\")</script> & 'quoted'")
    }

    /// The Markdown report lists the failure and neutralises table-breaking and markup characters.
    @Test func markdownListsFailures() {
        let markdown = MarkdownReport.render(RunAnalysis(tree: fixtureTree()))
        #expect(markdown.contains("**1/2 runs succeeded**"))
        #expect(markdown.contains("| `r_000002` | maestro_error | boom: &lt;script&gt;"))
        #expect(!markdown.contains("<script"))
    }

    /// A tree without cassettes or graph still reports, and names the sections it could not build and why.
    @Test func namesSectionsThatCouldNotBeBuilt() throws {
        var tree = fixtureTree()
        tree.hasCassettes = false
        tree.exchanges = []
        tree.hasGraph = false
        tree.graphs = []
        tree.problems = [InputProblem(file: "muse/graph.json", problem: "not valid JSON (byte 3: unexpected '}')")]
        let directory = try TemporaryDirectory()
        let outcome = ReportWriter.write(RunAnalysis(tree: tree), to: directory.url.path)
        #expect(Set(outcome.missingSections.map(\.section)).isSuperset(of: ["Endpoint latency", "MUSE graph"]))
        #expect(outcome.failures.isEmpty)
        let html = try String(contentsOfFile: directory.path("report/report.html"), encoding: .utf8)
        #expect(html.contains("<b>MUSE graph</b> could not be built: muse/graph.json: not valid JSON"))
        #expect(html.contains("id=\"kpis\""))
    }

    /// The writer produces the database, the three reports and every chart as a standalone SVG file.
    @Test func writesEveryOutput() throws {
        let directory = try TemporaryDirectory()
        let outcome = ReportWriter.write(RunAnalysis(tree: fixtureTree()), to: directory.url.path)
        #expect(outcome.failures.isEmpty && outcome.missingSections.isEmpty)
        for file in ["tourdeforce.db", "report/report.html", "report/report.md", "report/junit.xml"] {
            #expect(FileManager.default.fileExists(atPath: directory.path(file)), "\(file)")
        }
        let plots = try FileManager.default.contentsOfDirectory(atPath: directory.path("report/plots"))
        #expect(plots.contains("muse_dag_r_000001.svg") && plots.contains("endpoint_latency_p95.svg"))
        let svg = try XMLDocument(contentsOf: URL(fileURLWithPath: directory.path("report/plots/status_breakdown.svg")))
        #expect(svg.rootElement()?.name == "svg")
    }
}
