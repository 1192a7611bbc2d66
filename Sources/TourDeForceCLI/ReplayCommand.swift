import CommandLineKit
import TourDeForce

extension CommandLineTool {
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
            ] + matchingRulesOptions,
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
        let replay = try recordingReplay(of: context.absolute(input), arguments, context)
        let out = arguments.isSet("--out") ? arguments.value("--out").map { context.absolute($0) } : nil
        let verdict = try await replaying { () throws(ReplayError) in try await replay.replay(runID: runID, into: out) }
        context.print(verdict.line)
        return verdict.identical ? ExitCode.success : ExitCode.failure
    }

    /// The replay of the recording at `tree` at the pace `--pace` asks for, its lines printed as `tdf replay: …`.
    private static func recordingReplay(
        of tree: String,
        _ arguments: ParsedArguments,
        _ context: CommandContext
    ) throws(UsageError) -> RecordingReplay {
        let pace: ProxyConfiguration.Pace
        do {
            pace = try ProxyConfiguration.Pace(argument: arguments.value("--pace") ?? "fast")
        } catch {
            throw UsageError(FlagMessages.message(error))
        }
        let rules = try matchingRules(arguments, context: context)
        do {
            var replay = RecordingReplay(try ReplayableTree(at: tree), pace: pace, toolVersion: version) { line in
                context.printError("tdf replay: \(line)")
            }
            replay.matchingRules = rules
            return replay
        } catch {
            throw UsageError(FlagMessages.message(error))
        }
    }

    /// Runs a replay, turning its errors into the command's: the recording's own problems are usage errors, an
    /// unusable output or proxy or unwritable artifacts are environment problems.
    private static func replaying<T>(_ body: () async throws(ReplayError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            switch error {
            case .proxy(let proxyError) where proxyError.kind != .environment:
                throw CommandFailure(FlagMessages.message(error), exitCode: ExitCode.usage)
            case .proxy, .artifacts:
                throw CommandFailure(FlagMessages.message(error), exitCode: ExitCode.environment)
            default:
                throw UsageError(FlagMessages.message(error))
            }
        }
    }

    /// `tdf run --replay DIR [--out OUT]`: replays every run of the recording into one fresh artifact tree (OUT,
    /// default `DIR/replay`), one verdict line per run. A recording whose run indexes have gaps (a shard) replays
    /// each stretch of consecutive runs into `OUT/<first run id>`.
    static func replayAll(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let tree = context.absolute(arguments.value("--replay") ?? "")
        let replay = try recordingReplay(of: tree, arguments, context)
        let out = arguments.isSet("--out") ? context.absolute(arguments.value("--out") ?? "") : tree + "/replay"
        let verdicts = try await replaying { () throws(ReplayError) in try await replay.replayAll(into: out) }
        for verdict in verdicts { context.print("\(verdict.runID) \(verdict.line)") }
        let divergent = verdicts.filter { !$0.identical }.count
        context.print(
            "\(verdicts.count) runs replayed: \(verdicts.count - divergent) identical, \(divergent) divergent; "
                + "artifacts in \(out)"
        )
        return divergent == 0 ? ExitCode.success : ExitCode.failure
    }
}
