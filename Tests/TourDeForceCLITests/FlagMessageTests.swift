import Foundation
import TestSupport
import Testing

/// The library modules' errors name configuration fields; `tdf` words them as the flags that set those fields. These
/// are the exact lines a user sees.
@Suite struct FlagMessageTests {
    /// Runs `tdf <arguments>` and requires exit `status` and exactly one line `tdf: error: <message>` on stderr.
    private func expectError(
        _ arguments: [String],
        status: Int32 = 2,
        _ message: String,
        environment: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        let result = await runTDF(arguments, environment: environment)
        #expect(result.status == status, "\(arguments)", sourceLocation: sourceLocation)
        #expect(result.stderr == "tdf: error: \(message)\n", sourceLocation: sourceLocation)
    }

    /// Writes a finished artifact tree of one run at `path`, with `config.json` holding `configuration`.
    private func makeTree(_ path: String, runIndex: Int, configuration: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        func write(_ text: String, _ file: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + file))
        }
        try write(configuration, "config.json")
        try write(#"{"state": "finished"}"#, "manifest.json")
        try write(#"{"run_id":"r_\#(String(format: "%06d", runIndex))","index":\#(runIndex)}"# + "\n", "runs.jsonl")
        return path
    }

    /// `tdf proxy`: every configuration field it sets by a flag is named by that flag.
    @Test func proxyConfigurationErrorsNameTheFlags() async {
        let proxy = ["proxy", "--cassettes", "/tmp/tdf-flag-messages"]
        await expectError(
            proxy + ["--service", "m"],
            "--service 'm' should be NAME=LISTEN[=UPSTREAM], e.g. maestro=127.0.0.1:0=http://127.0.0.1:10001, "
                + "or NAME=UPSTREAM with --forward"
        )
        await expectError(proxy + ["--service", "=0"], "--service '=0': the service name must have 1 to 64 characters")
        await expectError(
            proxy + ["--service", "m=host:port"],
            "--service 'm=host:port': LISTEN 'host:port' should be HOST:PORT or PORT (0 picks a free port)"
        )
        await expectError(
            proxy + ["--service", "m=0=ftp://x"],
            "--service 'm=0=ftp://x': UPSTREAM 'ftp://x' should be an http:// or https:// URL such as "
                + "http://127.0.0.1:10001"
        )
        await expectError(
            proxy + ["--service", "m=0", "--pace", "slow"],
            "--pace takes fast, recorded or a factor greater than 0 (0.1 is ten times faster), not 'slow'"
        )
        await expectError(
            ["proxy", "--mode", "passthrough"],
            "give at least one --service NAME=LISTEN[=UPSTREAM], or --forward [HOST:]PORT"
        )
        await expectError(
            proxy + ["--service", "m=https://staging.example.com"],
            "--service m=UPSTREAM has no listener of its own; add --forward [HOST:]PORT to reach it, or give it one: "
                + "m=PORT=UPSTREAM"
        )
        await expectError(
            proxy + ["--forward", "host:port"],
            "--forward 'host:port' should be HOST:PORT or PORT (0 picks a free port)"
        )
        await expectError(
            proxy + ["--mode", "replay", "--service", "m=0", "--service", "m=0"],
            "the service 'm' is named twice"
        )
        await expectError(
            proxy + ["--service", "m=0"],
            "--mode record forwards requests, so --service m needs an upstream: m=127.0.0.1:0=http://HOST:PORT"
        )
        await expectError(["proxy", "--mode", "replay", "--service", "m=0"], "--mode replay needs --cassettes DIR")
        await expectError(
            ["proxy", "--mode", "replay", "--cassettes", "/nonexistent/tdf", "--service", "m=0"],
            status: 3,
            "--cassettes /nonexistent/tdf does not exist: there is nothing to replay"
        )
        let unrecordable = await runTDF([
            "proxy", "--cassettes", "/proc/tdf-cannot-record-here", "--service", "m=0=http://127.0.0.1:9",
        ])
        #expect(unrecordable.status == 3)
        #expect(
            unrecordable.stderr.hasPrefix("tdf: error: cannot record into --cassettes /proc/tdf-cannot-record-here: "),
            "\(unrecordable.stderr)"
        )
    }

    /// `tdf proxy --rules FILE` names the flag, the file, and the rule's index and field; `--ignore-body-path` its
    /// path.
    @Test func matchingRuleErrorsNameTheFlagTheRuleAndTheField() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.url.path + "/rules.json"
        try Data(#"{"version":1,"rules":[{"service":"maestro"},{"body":"bytes"}]}"#.utf8).write(
            to: URL(fileURLWithPath: file)
        )
        let proxy = ["proxy", "--mode", "replay", "--cassettes", directory.url.path, "--service", "m=0"]
        await expectError(
            proxy + ["--rules", file],
            "--rules \(file): rule 1 'body': 'bytes' is not a body mode; use json, exact, ignore"
        )
        await expectError(
            proxy + ["--rules", directory.url.path + "/missing.json"],
            "--rules \(directory.url.path)/missing.json cannot be read"
        )
        await expectError(
            proxy + ["--ignore-body-path", "$..", "--ignore-body-path", "$.ok"],
            "--ignore-body-path '$..' is not a JSON path; write e.g. $.variation_id, $..timestamp or $.items[*].id"
        )
        // The replay commands read the same flags the same way; a live run has nothing to match.
        await expectError(
            ["replay", "--run-id", "r_000001", "--in", directory.url.path, "--rules", file],
            "--rules \(file): rule 1 'body': 'bytes' is not a body mode; use json, exact, ignore"
        )
        await expectError(
            ["run", "--replay", directory.url.path, "--ignore-body-path", "$.."],
            "--ignore-body-path '$..' is not a JSON path; write e.g. $.variation_id, $..timestamp or $.items[*].id"
        )
        await expectError(
            ["run", "--stack", "embedded", "--ignore-body-path", "$.a"],
            "--ignore-body-path applies to replay: give it with --replay DIR"
        )
        await expectError(
            proxy + ["--ignore-query", "ts", "--match-header", "X Version"],
            "--match-header 'X Version' is not a header name; write e.g. X-Client-Version"
        )
    }

    /// `tdf run --shard`: each way a shard can be wrong names `--shard` (and `--runs`), before anything starts.
    @Test func shardErrorsNameTheFlags() async {
        let run = ["run", "--stack", "embedded", "--out", "/nonexistent/tdf-flag-messages"]
        await expectError(
            run + ["--shard", "2-4"],
            "--shard takes I/N, the shard I (counted from 1) of N shards, e.g. 2/4, not '2-4'"
        )
        await expectError(run + ["--shard", "1/0"], "--shard 1/0: N must be from 1 to 100000")
        await expectError(
            run + ["--shard", "0/4"],
            "--shard 0/4: I counts from 1 and must be from 1 to 4 "
                + "(a 0-based index such as JOB_COMPLETION_INDEX is passed as index+1)"
        )
        await expectError(
            run + ["--runs", "3", "--shard", "4/4"],
            "--shard 4/4 gets no run of --runs 3; use at most 3 shards"
        )
    }

    /// `tdf run`: an unusable `--out` and unreachable services name the flags that would fix them.
    @Test func batchErrorsNameTheFlags() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("file")
        try Data().write(to: URL(fileURLWithPath: file))
        await expectError(
            ["run", "--stack", "embedded", "--out", file],
            status: 3,
            "--out \(file) exists and is not a directory"
        )
        let unwritable = await runTDF(["run", "--stack", "embedded", "--out", "/proc/tdf-cannot-write-here"])
        #expect(unwritable.status == 3)
        #expect(unwritable.stderr.hasPrefix("tdf: error: --out /proc/tdf-cannot-write-here cannot be written: "))
        let closed = "http://127.0.0.1:9"
        let unreachable = await runTDF(
            [
                "run", "--prompt-endpoint", closed, "--maestro", closed, "--storpheus", closed, "--muse-url", closed,
                "--out", directory.path("out"),
            ],
            environment: ["STORI_JWT": "token"]
        )
        #expect(unreachable.status == 3, "\(unreachable.stderr)")
        #expect(unreachable.stderr.hasPrefix("tdf: error: cannot reach "), "\(unreachable.stderr)")
        #expect(
            unreachable.stderr.hasSuffix(" before any run; start the stack, fix the URL, or use --stack embedded\n")
        )
    }

    /// `tdf replay` and `tdf run --replay`: a bad `--pace` and a recording made with `--no-record` name the flags.
    @Test func replayErrorsNameTheFlags() async throws {
        let directory = try TemporaryDirectory()
        let tree = try makeTree(directory.path("tree"), runIndex: 1, configuration: "{}")
        await expectError(
            ["replay", "--run-id", "r_000001", "--in", tree, "--pace", "slow"],
            "--pace takes fast, recorded or a factor greater than 0 (0.1 is ten times faster), not 'slow'"
        )
        let unrecorded = "\(tree) holds no cassettes/ directory: it was made with --no-record, so it cannot be replayed"
        await expectError(["replay", "--run-id", "r_000001", "--in", tree], unrecorded)
        await expectError(["run", "--replay", tree], unrecorded)
    }

    /// `tdf merge`: an input that is not a tree, trees of different `--shard` splits and an occupied OUT name the
    /// flags that made or would fix them.
    @Test func mergeErrorsNameTheFlags() async throws {
        let directory = try TemporaryDirectory()
        let first = try makeTree(
            directory.path("first"),
            runIndex: 1,
            configuration: #"{"shard": "1/2", "batch_runs": 2, "first_run_index": 1}"#
        )
        let second = try makeTree(
            directory.path("second"),
            runIndex: 2,
            configuration: #"{"shard": "2/2", "batch_runs": 2, "first_run_index": 2}"#
        )
        let otherSplit = try makeTree(
            directory.path("other-split"),
            runIndex: 3,
            configuration: #"{"shard": "2/3", "batch_runs": 2, "first_run_index": 3}"#
        )
        let unsharded = try makeTree(directory.path("unsharded"), runIndex: 4, configuration: #"{"batch_runs": 2}"#)
        let out = directory.path("out")
        let file = first + "/config.json"
        await expectError(["merge", out, file], "\(file) is not a directory; give the --out directories of tdf run")
        await expectError(
            ["merge", out, first, otherSplit],
            "\(otherSplit) is shard 2/3 but \(first) is shard 1/2; merge the shards of one --shard I/N split"
        )
        await expectError(
            ["merge", out, first, unsharded],
            "\(unsharded) was not made with --shard but \(first) is shard 1/2; merge the shards of one --shard I/N split"
        )
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
        try Data().write(to: URL(fileURLWithPath: out + "/kept"))
        await expectError(
            ["merge", out, first, second],
            "\(out) is not empty; give a new or empty directory, or --force to replace it"
        )
    }

    /// `tdf diff --fail-on`: each way an item can be wrong names `--fail-on` and the item, before reading anything.
    @Test func failPolicyErrorsNameTheFlag() async {
        let diff = ["diff", "/nonexistent/a", "/nonexistent/b", "--fail-on"]
        await expectError(diff + ["status,,notes"], "--fail-on has an empty item in 'status,,notes'")
        await expectError(
            diff + ["bogus"],
            "--fail-on item 'bogus' is not a category; use one of contract, content, any, quality-drop=N, runs, "
                + "exchanges, status, headers, json-shape, sse-types, sse-order, faults, body, sse-data, sse-events, "
                + "tool-calls, notes, midi, muse, request, latency-p50, latency-p95, latency-outlier"
        )
        await expectError(
            diff + ["quality-drop=lots"],
            "--fail-on item 'quality-drop=lots': quality-drop takes a number of points, e.g. quality-drop=5"
        )
        await expectError(
            diff + ["latency-p95=fast"],
            "--fail-on item 'latency-p95=fast': latency-p95 takes a rise like +50% or +100ms"
        )
        await expectError(
            diff + ["notes=-1"],
            "--fail-on item 'notes=-1': notes=N takes a whole number of allowed differences"
        )
    }
}
