import CommandLineKit
import Foundation
import Reporting
import TestSupport
import Testing
import TourDeForceCLI

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
    }

    /// Without --in the command is a usage error (2); a missing directory is an environment error (3).
    @Test func rejectsBadArguments() async {
        #expect(await runTDF(["report"]).status == 2)
        let missing = await runTDF(["report", "--in", "/nonexistent/tdf-tree"])
        #expect(missing.status == 3 && missing.stderr.contains("not a directory"))
    }
}
