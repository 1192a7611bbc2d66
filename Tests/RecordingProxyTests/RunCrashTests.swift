import Cassettes
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `kill -9` of `tdf run` in the middle of a batch (the in-process proxy dies with it): what finished is kept,
/// and `tdf cassette verify` and `tdf report` name what did not finish instead of failing on it.
@Suite(.serialized) struct RunCrashTests {
    /// Every run that finished before the kill has its `runs.jsonl` line and a complete cassette; the runs in flight
    /// are named by `tdf cassette verify` (no end record, exit 1) and `tdf report` (no final status, exit 1), and the
    /// report is still written.
    @Test(.timeLimit(.minutes(3))) func killedBatchKeepsFinishedRunsAndNamesTheRest() async throws {
        guard let tdf = TDFExecutable.path() else {
            Issue.record("no tdf executable: build it (swift build) or set TDF_EXECUTABLE")
            return
        }
        let directory = try TemporaryDirectory()
        let out = directory.path("out")
        let child = try ChildProcess(
            tdf,
            ["run", "--stack", "embedded", "--runs", "200", "--concurrency", "2", "--out", out]
        )
        // Progress lines ("tdf run: r_000003 ... [3/200]") go to stderr; kill once three runs have finished.
        await child.waitForStandardError(containing: "[3/200]", timeout: .seconds(90))
        child.send(SIGKILL)
        _ = await child.waitForExit()
        #expect(child.wasKilledBySignal, "tdf run ended before the kill: \(child.standardError)")
        let announced = Set(
            child.standardError.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("tdf run: r_"), line.hasSuffix("/200]") else { return nil }
                return String(line.split(separator: " ")[2])
            }
        )
        #expect(announced.count >= 3)

        let finished = try finishedRuns(in: out)
        #expect(announced.isSubset(of: Set(finished.keys)), "finished runs lost: \(announced) vs \(finished.keys)")
        for (run, requests) in finished {
            let cassette = try Cassette.load(path: out + "/cassettes/\(run).jsonl.gz")
            #expect(cassette.end != nil, "\(run) finished but its cassette has no end record")
            #expect(cassette.damage == nil, "\(run): \(String(describing: cassette.damage))")
            #expect(cassette.exchanges.count == requests, "\(run)")
        }
        let cassetteRuns = try SessionDirectory.cassetteFileNames(in: out + "/cassettes")
            .map { String($0.dropLast(".jsonl.gz".count)) }
        let inFlight = Set(cassetteRuns).subtracting(finished.keys).sorted()
        #expect(!inFlight.isEmpty, "the kill found no run in flight")

        let verify = try await ChildProcess.run(tdf, ["cassette", "verify", out + "/cassettes"])
        #expect(verify.status == 1)
        for run in inFlight {
            #expect(verify.stdout.contains("FAIL  \(run).jsonl.gz"), "\(verify.stdout)")
            #expect(verify.stdout.contains("\(run).jsonl.gz: no end record"), "\(verify.stdout)")
        }
        for run in finished.keys { #expect(verify.stdout.contains("ok    \(run).jsonl.gz"), "\(verify.stdout)") }

        let report = try await ChildProcess.run(tdf, ["report", "--in", out])
        #expect(report.status == 1)
        let line = try #require(
            report.stderr.split(separator: "\n").first { $0.contains("manifest.json: the batch did not finish") },
            "\(report.stderr)"
        )
        #expect(line.contains("\(finished.count) of 200 planned runs have a final status"))
        #expect(line.contains(inFlight.joined(separator: ", ") + " started but have no final status"))
        let markdown = try String(contentsOfFile: out + "/report/report.md", encoding: .utf8)
        #expect(markdown.contains("started but have no final status"))
        #expect(FileManager.default.fileExists(atPath: out + "/report/report.html"))
    }

    /// The runs `runs.jsonl` holds, with the request count each recorded; every line must be whole JSON.
    private func finishedRuns(in out: String) throws -> [String: Int] {
        let text = try String(contentsOfFile: out + "/runs.jsonl", encoding: .utf8)
        var runs: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                "runs.jsonl holds a line that is not a JSON object: \(line)"
            )
            let run = try #require(object["run_id"] as? String)
            runs[run] = try #require(object["requests"] as? Int)
        }
        return runs
    }
}
