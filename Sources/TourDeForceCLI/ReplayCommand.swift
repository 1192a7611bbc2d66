import Cassettes
import Foundation
import HTTPTransport
import Harness
import RecordingProxy
import Synchronization

extension TourDeForce {
    /// `tdf replay`: re-run one recorded run offline and compare its artifacts with the original (issue 8).
    static var replayCommand: CommandSpec {
        CommandSpec(
            name: "replay",
            abstract: "Re-run one recorded run with no live service and compare the artifacts.",
            discussion: """
                Starts the proxy in replay mode on the recording's cassettes (<in>/cassettes; no upstream, no stack),
                re-runs the driver for that run with its recorded seed, scenario and configuration (from
                <in>/config.json and <in>/runs.jsonl), writes a fresh artifact tree, and compares it with the
                original on the deterministic projection: the run's events without timestamps and durations, its
                runs.jsonl line without times, midi_summary.json, the MUSE graph and the payload hashes (loopback
                ports masked). No JWT is needed: a placeholder is sent, and the recorded token is redacted anyway.
                Prints 'identical' or the first divergence (file, record, field, both values).
                Exit status: 0 identical, 1 divergent (or a replay mismatch reported by the proxy), 2 for a usage
                error such as an unknown run id, 3 when the proxy cannot start.
                """,
            examples: [
                "tdf replay --run-id r_000042 --in /data/tdf_20260101_120000",
                "tdf replay --run-id r_000001 --in out --out /tmp/replayed --pace recorded",
                "tdf run --replay /data/tdf_20260101_120000",
            ],
            options: [
                .option("--run-id", value: "ID", help: "The recorded run to replay, e.g. r_000042."),
                .option("--in", value: "DIR", help: "The artifact tree of the recording (with cassettes/)."),
                .option(
                    "--out",
                    value: "DIR",
                    help: "Where the fresh artifact tree goes.",
                    default: "<in>/replay_<run_id>"
                ),
                .option(
                    "--pace",
                    value: "PACE",
                    help: "fast (no waits), recorded, or a factor of the recorded times (0.1 is ten times faster).",
                    default: "fast"
                ),
            ],
            action: replayCommandAction
        )
    }

    private static func replayCommandAction(
        _ arguments: ParsedArguments,
        _ context: CommandContext
    ) async throws
        -> Int32
    {
        guard let runID = arguments.value("--run-id"), !runID.isEmpty else {
            throw UsageError("give the run to replay with --run-id, e.g. --run-id r_000001")
        }
        if let problem = RunID.problem(with: runID) {
            throw UsageError("--run-id '\(runID)' is not a run id (\(problem)); run ids look like r_000042")
        }
        guard let input = arguments.value("--in"), !input.isEmpty else {
            throw UsageError("give the recording's artifact tree with --in DIR")
        }
        let tree = absolute(input, context)
        let pace = try replayPace(arguments)
        let out = arguments.isSet("--out") ? arguments.value("--out").map { absolute($0, context) } : nil
        let verdict = try await replay(runID: runID, tree: tree, out: out, pace: pace, context: context)
        context.print(verdict.line)
        return verdict.identical ? ExitCode.success : ExitCode.failure
    }

    /// The outcome of replaying one run.
    struct ReplayVerdict: Sendable {
        /// The run id.
        var runID: String
        /// Whether the replay reproduced the run.
        var identical: Bool
        /// `identical`, or what diverged first.
        var line: String
    }

    static func absolute(_ path: String, _ context: CommandContext) -> String {
        path.hasPrefix("/") ? path : context.currentDirectory + "/" + path
    }

    static func replayPace(_ arguments: ParsedArguments) throws(UsageError) -> ProxyConfiguration.Pace {
        do {
            return try ProxyConfiguration.Pace(argument: arguments.value("--pace") ?? "fast")
        } catch {
            throw UsageError(error.message)
        }
    }

    /// Checks that `tree` is a recording and returns its run ids (usage error otherwise).
    static func recordedRuns(in tree: String) throws(UsageError) -> [(runID: String, index: Int)] {
        guard FileManager.default.fileExists(atPath: tree + "/config.json") else {
            throw UsageError("\(tree) is not a tdf run artifact tree: it has no config.json")
        }
        guard SessionDirectory.exists(tree + "/cassettes") else {
            throw UsageError(
                "\(tree) holds no cassettes/ directory: it was made with --no-record, so it cannot be replayed"
            )
        }
        let runs = ReplayComparison.recordedRuns(in: tree)
        guard !runs.isEmpty else { throw UsageError("\(tree)/runs.jsonl lists no runs") }
        // A run id names the replay's output directory: one that could leave the tree is refused before anything
        // is written or removed.
        for (runID, _) in runs {
            if let problem = RunID.problem(with: runID) {
                throw UsageError("\(tree)/runs.jsonl lists '\(runID)', which is not a run id (\(problem))")
            }
        }
        return runs
    }

    /// Replays `runID` of the recording at `tree` into `out` (default `<tree>/replay_<run id>`) and compares.
    static func replay(
        runID: String,
        tree: String,
        out: String?,
        pace: ProxyConfiguration.Pace,
        context: CommandContext
    ) async throws -> ReplayVerdict {
        let runs = try recordedRuns(in: tree)
        guard let index = runs.first(where: { $0.runID == runID })?.index else {
            let names = runs.map(\.runID).joined(separator: ", ")
            throw UsageError("\(tree) has no run '\(runID)'; its runs are \(names)")
        }
        let out = out ?? tree + "/replay_" + runID
        if let problem = HarnessRunner.outputProblem(out) { throw UsageError(problem) }
        // The tree is rewritten from scratch; appended files would otherwise keep an earlier replay's lines.
        for file in ["events.jsonl", "metrics.jsonl", "logs/client.log"] {
            try? FileManager.default.removeItem(atPath: out + "/" + file)
        }
        let configuration: HarnessConfiguration
        switch HarnessConfiguration.recorded(configFile: tree + "/config.json", runIndex: index, outputDirectory: out) {
        case .success(let recorded): configuration = recorded
        case .failure(let error): throw UsageError(error.message)
        }
        let recordedURLs = [
            configuration.promptEndpoint, configuration.maestroStreamURL, configuration.storpheusURL,
            configuration.museURL,
        ]
        var urls: [HTTPURL] = []
        for text in recordedURLs {
            guard let url = HTTPURL(string: text) else {
                throw UsageError("\(tree)/config.json names '\(text)', which is not an http:// URL")
            }
            urls.append(url)
        }
        let mismatches = Mutex<[String]>([])
        let started = await startProxy(
            urls: urls,
            out: out,
            configuration: configuration,
            context: context,
            mode: .replay,
            cassetteDirectory: tree + "/cassettes",
            pace: pace,
            log: { line in
                mismatches.withLock { $0.append(line) }
                context.printError("tdf replay: \(line)")
            }
        )
        let proxy: ProxyServer
        let rewritten: [HTTPURL]
        switch started {
        case .success(let (server, local)): (proxy, rewritten) = (server, local)
        case .failure(let failure): throw failure
        }
        var effective = configuration
        effective.promptEndpoint = rewritten[0].description
        effective.maestroStreamURL = rewritten[1].description
        effective.storpheusURL = rewritten[2].description
        effective.museURL = rewritten[3].description
        var described = configuration
        (described.promptEndpoint, described.maestroStreamURL) = (recordedURLs[0], recordedURLs[1])
        (described.storpheusURL, described.museURL) = (recordedURLs[2], recordedURLs[3])
        // The recorded token is redacted in the cassettes and replay matching ignores headers: any token will do.
        var runner = HarnessRunner(configuration: effective, token: "tdf-replay-placeholder", toolVersion: version)
        runner.describedConfiguration = described
        do {
            _ = try await runner.run()
        } catch {
            _ = await proxy.shutdown()
            throw CommandFailure(
                "cannot write the replayed artifacts: \(error.message)",
                exitCode: ExitCode.environment
            )
        }
        let report = await proxy.shutdown()
        for problem in report.problems { context.printError("tdf replay: proxy: \(problem)") }
        let cassette = runID + ".jsonl.gz"
        let unused = report.unusedRecordings.filter { $0.cassette.hasSuffix(cassette) }
        if report.mismatches > 0 {
            var first = mismatches.withLock { $0.first } ?? "a request matched no recording"
            for prefix in ["tdf proxy: ", "replay mismatch (599): "] where first.hasPrefix(prefix) {
                first.removeFirst(prefix.count)
            }
            return ReplayVerdict(
                runID: runID,
                identical: false,
                line: "divergent: replay mismatch (\(report.mismatches) answered 599): \(first)"
            )
        }
        if let divergence = ReplayComparison.firstDivergence(original: tree, replayed: out, runID: runID) {
            return ReplayVerdict(runID: runID, identical: false, line: "divergent: \(divergence)")
        }
        if let first = unused.first {
            return ReplayVerdict(
                runID: runID,
                identical: false,
                line: "divergent: \(unused.count) recorded exchanges were not requested, the first \(first)"
            )
        }
        return ReplayVerdict(runID: runID, identical: true, line: "identical")
    }

    /// `tdf run --replay DIR`: replays every run of the recording, one verdict line per run.
    static func replayAll(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let tree = absolute(arguments.value("--replay") ?? "", context)
        let pace = try replayPace(arguments)
        let runs = try recordedRuns(in: tree)
        var divergent = 0
        for (runID, _) in runs {
            let verdict = try await replay(runID: runID, tree: tree, out: nil, pace: pace, context: context)
            if !verdict.identical { divergent += 1 }
            context.print("\(runID) \(verdict.line)")
        }
        context.print("\(runs.count) runs replayed: \(runs.count - divergent) identical, \(divergent) divergent")
        return divergent == 0 ? ExitCode.success : ExitCode.failure
    }
}
