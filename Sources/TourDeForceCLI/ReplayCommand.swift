import Analysis
import Cassettes
import Foundation
import HTTPTransport
import Harness
import JSON
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

    /// Checks that `tree` is a recording and indexes it for comparing replayed runs with it (usage error otherwise);
    /// its run ids are the index's `recordedRuns`.
    static func recording(at tree: String) throws(UsageError) -> ArtifactTreeIndex {
        guard FileManager.default.fileExists(atPath: tree + "/config.json") else {
            throw UsageError("\(tree) is not a tdf run artifact tree: it has no config.json")
        }
        guard SessionDirectory.exists(tree + "/cassettes") else {
            throw UsageError(
                "\(tree) holds no cassettes/ directory: it was made with --no-record, so it cannot be replayed"
            )
        }
        let recording = ArtifactTreeIndex(root: tree)
        let runs = recording.recordedRuns
        guard !runs.isEmpty else { throw UsageError("\(tree)/runs.jsonl lists no runs") }
        // A run id names the replay's output directory: one that could leave the tree is refused before anything
        // is written or removed.
        for (runID, _) in runs {
            if let problem = RunID.problem(with: runID) {
                throw UsageError("\(tree)/runs.jsonl lists '\(runID)', which is not a run id (\(problem))")
            }
        }
        return recording
    }

    /// Replays `runID` of the recording at `tree` into `out` (default `<tree>/replay_<run id>`) and compares.
    static func replay(
        runID: String,
        tree: String,
        out: String?,
        pace: ProxyConfiguration.Pace,
        context: CommandContext
    ) async throws -> ReplayVerdict {
        let recording = try recording(at: tree)
        let runs = recording.recordedRuns
        guard let run = runs.first(where: { $0.runID == runID }) else {
            let names = runs.map(\.runID).joined(separator: ", ")
            throw UsageError("\(tree) has no run '\(runID)'; its runs are \(names)")
        }
        let verdicts = try await replay(
            batch: [run],
            recording: recording,
            out: out ?? tree + "/replay_" + runID,
            pace: pace,
            context: context
        )
        return verdicts[0]
    }

    /// Replays a batch of recorded runs with consecutive indexes as one harness batch into `out`, then compares
    /// each run with the original (`recording`, indexed once for every batch): one verdict per run, in batch order.
    static func replay(
        batch: [(runID: String, index: Int)],
        recording: ArtifactTreeIndex,
        out: String,
        pace: ProxyConfiguration.Pace,
        context: CommandContext
    ) async throws -> [ReplayVerdict] {
        let tree = recording.root
        if let problem = HarnessRunner.outputProblem(out) { throw UsageError(problem) }
        // The tree is rewritten from scratch; appended files would otherwise keep an earlier replay's lines.
        for file in ["events.jsonl", "metrics.jsonl", "logs/client.log"] {
            try? FileManager.default.removeItem(atPath: out + "/" + file)
        }
        var configuration: HarnessConfiguration
        switch HarnessConfiguration.recorded(
            configFile: tree + "/config.json",
            runIndex: batch[0].index,
            outputDirectory: out
        ) {
        case .success(let recorded): configuration = recorded
        case .failure(let error): throw UsageError(error.message)
        }
        configuration.runs = batch.count
        switch pace {
        case .fast: configuration.retry.waitScale = 0
        case .recorded: configuration.retry.waitScale = 1
        case .factor(let factor): configuration.retry.waitScale = factor
        }
        // Replay answers by (run, ordinal), so runs may overlap; each run's own steps stay in order.
        configuration.concurrency = min(batch.count, 4)
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
        copyRecording(of: batch.map(\.runID), from: tree + "/cassettes", to: out + "/cassettes", context: context)
        let mismatchLines = mismatches.withLock { lines in
            lines.map { line in
                var line = line
                for prefix in ["tdf proxy: ", "replay mismatch (599): "] where line.hasPrefix(prefix) {
                    line.removeFirst(prefix.count)
                }
                return line
            }
        }
        // Each mismatch line and unused recording is attributed to its runs once: a mismatch names its run when the
        // request carried the run tag, and one that names no run of the batch concerns every run.
        let finder = RunIDFinder(batch.map(\.runID))
        var mismatchPositions: [String: [Int]] = [:]
        var untaggedPositions: [Int] = []
        for (position, line) in mismatchLines.enumerated() {
            let named = finder.runIDs(in: line)
            if named.isEmpty { untaggedPositions.append(position) }
            for runID in named { mismatchPositions[runID, default: []].append(position) }
        }
        var unusedByRun: [String: [UnusedRecording]] = [:]
        for leftover in report.unusedRecordings {
            for runID in finder.runIDs(inCassetteName: leftover.cassette) {
                unusedByRun[runID, default: []].append(leftover)
            }
        }
        let missingParts = ReplayComparison.comparableParts.filter { !recording.parts.contains($0) }
        // Runs with a replay mismatch are not compared: the mismatch is their verdict.
        let compared = batch.map(\.runID).filter { mismatchPositions[$0] == nil && untaggedPositions.isEmpty }
        let comparison = ReplayComparison(original: recording, replayed: out)
        let divergences = Dictionary(
            zip(compared, await comparison.firstDivergences(of: compared)),
            uniquingKeysWith: { first, _ in first }
        )
        return batch.map { run in
            let own = mismatchPositions[run.runID] ?? []
            if let first = [own.first, untaggedPositions.first].compactMap({ $0 }).min() {
                return ReplayVerdict(
                    runID: run.runID,
                    identical: false,
                    line: "divergent: replay mismatch (\(own.count + untaggedPositions.count) answered 599): "
                        + mismatchLines[first]
                )
            }
            if let divergence = divergences[run.runID] ?? nil {
                return ReplayVerdict(runID: run.runID, identical: false, line: "divergent: \(divergence)")
            }
            let unused = unusedByRun[run.runID] ?? []
            if let first = unused.first {
                return ReplayVerdict(
                    runID: run.runID,
                    identical: false,
                    line: "divergent: \(unused.count) recorded exchanges were not requested, the first \(first)"
                )
            }
            let note =
                missingParts.isEmpty
                ? ""
                : " (the recording has no \(missingParts.joined(separator: ", ")) to compare; the replay wrote them)"
            return ReplayVerdict(runID: run.runID, identical: true, line: "identical" + note)
        }
    }

    /// Copies the cassettes of `runIDs` and their `index.json` rows into the replayed tree: they hold exactly the
    /// exchanges the replay was served, so reports of the replayed tree have their latency and stream sections.
    private static func copyRecording(
        of runIDs: [String],
        from source: String,
        to target: String,
        context: CommandContext
    ) {
        do {
            let runs = try runIDs.map { text throws(CassetteError) in try RunID(validating: text) }
            try SessionIndex.copy(runs: runs, from: source, to: target)
        } catch {
            context.printError("tdf replay: cannot copy the replayed cassettes into \(target): \(error)")
        }
    }

    /// Recorded runs grouped into batches of consecutive indexes (one batch for an ordinary recording).
    static func consecutiveBatches(_ runs: [(runID: String, index: Int)]) -> [[(runID: String, index: Int)]] {
        var batches: [[(runID: String, index: Int)]] = []
        for run in runs.sorted(by: { $0.index < $1.index }) {
            if let last = batches.last?.last, last.index + 1 == run.index {
                batches[batches.count - 1].append(run)
            } else {
                batches.append([run])
            }
        }
        return batches
    }

    /// `tdf run --replay DIR [--out OUT]`: replays every run of the recording into one fresh artifact tree (OUT,
    /// default `DIR/replay`), one verdict line per run. A recording whose run indexes have gaps (a shard) replays
    /// each stretch of consecutive runs into `OUT/<first run id>`.
    static func replayAll(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let tree = absolute(arguments.value("--replay") ?? "", context)
        let pace = try replayPace(arguments)
        let recording = try recording(at: tree)
        let runs = recording.recordedRuns
        let out = arguments.isSet("--out") ? absolute(arguments.value("--out") ?? "", context) : tree + "/replay"
        let batches = consecutiveBatches(runs)
        var divergent = 0
        for batch in batches {
            let batchOut = batches.count == 1 ? out : out + "/" + batch[0].runID
            let verdicts = try await replay(
                batch: batch,
                recording: recording,
                out: batchOut,
                pace: pace,
                context: context
            )
            for verdict in verdicts {
                if !verdict.identical { divergent += 1 }
                context.print("\(verdict.runID) \(verdict.line)")
            }
        }
        context.print(
            "\(runs.count) runs replayed: \(runs.count - divergent) identical, \(divergent) divergent; artifacts in \(out)"
        )
        return divergent == 0 ? ExitCode.success : ExitCode.failure
    }
}

/// Finds which run ids of a batch a text names: one pass over the text for each distinct id length, instead of one
/// search per id, so attributing every mismatch line and unused recording of a batch stays linear in its runs.
/// Run ids are ASCII (``RunID``), so comparing bytes finds what `String.contains` and `hasSuffix` find.
struct RunIDFinder {
    private let runIDs: [ArraySlice<UInt8>: String]
    private let lengths: [Int]

    /// A finder for these run ids.
    init(_ runIDs: [String]) {
        self.runIDs = Dictionary(runIDs.map { (ArraySlice($0.utf8), $0) }, uniquingKeysWith: { first, _ in first })
        lengths = Set(runIDs.map(\.utf8.count)).sorted()
    }

    /// The run ids that occur anywhere in `text`.
    func runIDs(in text: String) -> Set<String> {
        let bytes = Array(text.utf8)
        var found: Set<String> = []
        for length in lengths where length <= bytes.count {
            for start in 0...(bytes.count - length) {
                if let runID = runIDs[bytes[start..<start + length]] { found.insert(runID) }
            }
        }
        return found
    }

    /// The run ids `<id>.jsonl.gz` ends with: the runs a cassette file name is taken to belong to.
    func runIDs(inCassetteName name: String) -> Set<String> {
        let suffix = Array(".jsonl.gz".utf8)
        let bytes = Array(name.utf8)
        guard bytes.count >= suffix.count, bytes.suffix(suffix.count).elementsEqual(suffix) else { return [] }
        let stem = bytes.dropLast(suffix.count)
        return Set(lengths.filter { $0 <= stem.count }.compactMap { runIDs[stem.suffix($0)] })
    }
}
