import Cassettes
import CommandLineKit
import Foundation
import JSON
import Reporting
import TestSupport
import Testing
import TourDeForceCLI
import Vocabulary

@Suite struct ReportCommandTests {
    private func runTDF(_ arguments: [String]) async -> (status: Int32, stdout: String, stderr: String) {
        await CommandLineTool.runCaptured(arguments, currentDirectory: "/")
    }

    /// A tree with a damaged graph and no cassettes still gets its reports; the damage is named and the exit is 1.
    @Test func reportsWhatItCanAndNamesTheRest() async throws {
        let directory = try TemporaryDirectory()
        let root = directory.url.path
        try FileManager.default.createDirectory(atPath: root + "/muse", withIntermediateDirectories: true)
        let run =
            #"{"run_id":"r_000001","index":1,"scenario":"standard","status":"muse_error","#
            + #""error":"MUSE said <script>x</script>","duration_ms":10,"prompt":{"title":"A \"quoted\" title"},"steps":[]}"#
        try Data((run + "\n").utf8).write(to: URL(fileURLWithPath: root + "/runs.jsonl"))
        try Data("{\"runs\": [".utf8).write(to: URL(fileURLWithPath: root + "/muse/graph.json"))
        let result = await runTDF(["report", "--in", root, "--out", root + "/out"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("muse/graph.json: not valid JSON"))
        #expect(result.stderr.contains("cassettes/: missing"))
        #expect(result.stderr.contains("section 'Endpoint latency' not built"))
        let html = try String(contentsOfFile: root + "/out/report/report.html", encoding: .utf8)
        #expect(html.contains("MUSE said &lt;script&gt;x&lt;/script&gt;"))
        #expect(html.contains("A &quot;quoted&quot; title"))
        #expect(FileManager.default.fileExists(atPath: root + "/out/tourdeforce.db"))
        #expect(FileManager.default.fileExists(atPath: root + "/out/report/junit.xml"))
    }

    /// A real embedded recording reports every section: the database, the HTML with the MUSE DAG, and JUnit.
    @Test func reportsARealRecording() async throws {
        let directory = try TemporaryDirectory()
        let out = directory.path("rec")
        let run = await runTDF(["run", "--stack", "embedded", "--runs", "3", "--concurrency", "2", "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        let result = await runTDF(["report", "--in", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("3 runs"))
        let database = try SQLiteDatabase(path: out + "/tourdeforce.db")
        #expect(try database.query("SELECT COUNT(*) FROM runs WHERE status = 'success'").first?.first?.intValue == 3)
        let merged = try database.query(
            """
            SELECT COUNT(*) FROM muse_commits AS child JOIN muse_commits AS parent
            ON parent.commit_id = child.parent_id AND parent.run_id = child.run_id
            """
        )
        #expect((merged.first?.first?.intValue ?? 0) > 0)
        #expect(try database.query("SELECT COUNT(*) FROM sse_events").first?.first?.intValue ?? 0 > 0)
        let html = try String(contentsOfFile: out + "/report/report.html", encoding: .utf8)
        #expect(html.contains("MUSE graph of r_000001") && !html.contains("could not be built"))
        let junit = try String(contentsOfFile: out + "/report/junit.xml", encoding: .utf8)
        #expect(junit.components(separatedBy: "<testcase ").count == 4)
        // The header says when, how and against what the batch ran.
        #expect(html.contains("<dt>seed</dt><dd>1337</dd>"))
        #expect(html.contains("<dt>state</dt><dd>finished</dd>"))
        #expect(html.contains("<dt>command</dt><dd><code>tdf run --stack embedded --runs 3 --concurrency 2 --out "))
        #expect(html.contains("<dt>targets</dt><dd>prompts <code>http://127.0.0.1:"))
        #expect(html.contains("(embedded stack)"))
        #expect(html.contains("<dt>date</dt><dd>20"))

        // r_000001 made to fail on a MUSE 500: the failure shows that request and that response.
        let cassette = out + "/cassettes/r_000001.jsonl.gz"
        var exchanges = try Cassette.load(path: cassette).exchanges
        let index = try #require(exchanges.firstIndex { $0.request.target.hasSuffix("/muse/variations") })
        exchanges[index].response.status = 500
        exchanges[index].response.reason = "Internal Server Error"
        exchanges[index].response.content = .body(Array(#"{"detail":"variation store <offline>"}"#.utf8))
        let writer = try CassetteWriter(
            directory: out + "/cassettes",
            run: try RunID(validating: "r_000001"),
            toolVersion: "test",
            carrying: exchanges
        )
        try writer.finish()
        let runs = try String(contentsOfFile: out + "/runs.jsonl", encoding: .utf8)
        try Data(
            runs.replacingOccurrences(
                of: #"{"run_id":"r_000001","index":1,"scenario":"deep-branching","status":"success""#,
                with: #"{"run_id":"r_000001","index":1,"scenario":"deep-branching","status":"muse_error""#
            ).utf8
        ).write(to: URL(fileURLWithPath: out + "/runs.jsonl"))
        #expect(await runTDF(["report", "--in", out]).status == 0)
        let failed = try String(contentsOfFile: out + "/report/report.html", encoding: .utf8)
        let failure = try #require(failed.components(separatedBy: "<h3 id=\"fail-r_000001\">").last)
        #expect(
            failure.contains(
                "Failed on exchange #\(exchanges[index].ordinal) (\(exchanges[index].step ?? "")): <code>maestro POST "
                    + "/api/v1/muse/variations</code> → <b>500</b>"
            ),
            "\(failure.prefix(2000))"
        )
        let sentBody = String(decoding: exchanges[index].request.body.prefix(40), as: UTF8.self)
        #expect(failure.contains("<p>Request body:</p><pre>" + escapeMarkup(sentBody)))
        #expect(failure.contains("<p>Response body:</p><pre>{&quot;detail&quot;:&quot;variation store &lt;offline&gt;"))
        #expect(!failure.contains("Last SSE events"), "the compose stream did not fail")
    }

    /// Without --in the command is a usage error (2); a missing directory, an empty one and one that holds no
    /// artifact tree are environment errors (3), and nothing is written into them.
    @Test func rejectsBadArguments() async throws {
        #expect(await runTDF(["report"]).status == 2)
        let missing = await runTDF(["report", "--in", "/nonexistent/tdf-tree"])
        #expect(missing.status == 3 && missing.stderr.contains("not a directory"))
        let directory = try TemporaryDirectory()
        let foreign = directory.path("photos")
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        for contents in [[], ["holiday.jpg"]] {
            for name in contents { try Data([0xFF, 0xD8]).write(to: URL(fileURLWithPath: foreign + "/" + name)) }
            let refused = await runTDF(["report", "--in", foreign])
            #expect(refused.status == 3)
            #expect(refused.stderr.contains("holds no artifact tree (none of runs.jsonl, manifest.json"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: foreign).sorted() == contents)
        }
    }
}
