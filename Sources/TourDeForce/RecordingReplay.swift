public import Analysis
public import Cassettes
import Foundation
import HTTPTransport
import Harness
public import RecordingProxy
import Vocabulary

/// An artifact tree that can be replayed: it has its `config.json`, its cassettes and at least one run.
public struct ReplayableTree: Sendable {
    /// The tree, indexed once for comparing every replayed run with it.
    public let index: ArtifactTreeIndex

    /// The tree's root directory.
    public var root: String { index.root }

    /// The recorded runs with their indexes, in `runs.jsonl` order.
    public var runs: [(runID: String, index: Int)] { index.recordedRuns }

    /// Opens the recording at `root` (an absolute path), or says why it cannot be replayed.
    public init(at root: String) throws(ReplayError) {
        let layout = ArtifactLayout(root: root)
        guard FileManager.default.fileExists(atPath: layout.configurationFile) else { throw .notARecording(root) }
        guard SessionDirectory.exists(layout.cassettesDirectory) else { throw .noCassettes(root) }
        let index = ArtifactTreeIndex(root: root)
        guard !index.recordedRuns.isEmpty else { throw .noRuns(root) }
        // A run id names the replay's output directory: one that could leave the tree is refused before anything
        // is written or removed.
        for (runID, _) in index.recordedRuns {
            if let problem = RunID.problem(with: runID) { throw .invalidRecordedRunID(root, runID, problem: problem) }
        }
        self.index = index
    }

    /// The runs grouped into batches of consecutive indexes (one batch for an ordinary recording; a shard's runs
    /// after a merge may have gaps).
    public var consecutiveBatches: [[(runID: String, index: Int)]] {
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
}

/// Why a recording could not be replayed at all (as opposed to a replay that diverged, which is a verdict).
public enum ReplayError: Error, Sendable, CustomStringConvertible {
    /// The directory has no `config.json`.
    case notARecording(String)
    /// The tree has no `cassettes/` directory (it was made without recording).
    case noCassettes(String)
    /// `runs.jsonl` lists no runs.
    case noRuns(String)
    /// `runs.jsonl` lists something that is not a run id.
    case invalidRecordedRunID(String, String, problem: String)
    /// The recording has no run with this id; its runs are listed.
    case unknownRun(String, String, runs: [String])
    /// The output directory cannot be used.
    case unusableOutput(OutputDirectoryProblem)
    /// The recorded configuration cannot be read back.
    case unreadableConfiguration(String)
    /// The replaying proxy could not start.
    case proxy(ProxyError)
    /// The replayed artifacts could not be written.
    case artifacts(String)

    /// One line.
    public var description: String {
        switch self {
        case .notARecording(let root): "\(root) is not a tdf run artifact tree: it has no config.json"
        case .noCassettes(let root):
            "\(root) holds no cassettes/ directory: it was made without recording, so it cannot be replayed"
        case .noRuns(let root): "\(root)/runs.jsonl lists no runs"
        case .invalidRecordedRunID(let root, let runID, let problem):
            "\(root)/runs.jsonl lists '\(runID)', which is not a run id (\(problem))"
        case .unknownRun(let root, let runID, let runs):
            "\(root) has no run '\(runID)'; its runs are \(runs.joined(separator: ", "))"
        case .unusableOutput(let problem): problem.description
        case .unreadableConfiguration(let problem): problem
        case .proxy(let error): "cannot start the recording proxy: \(error)"
        case .artifacts(let problem): "cannot write the replayed artifacts: \(problem)"
        }
    }
}

/// The outcome of replaying one recorded run.
public struct ReplayVerdict: Sendable {
    /// What the replay found.
    public enum Outcome: Sendable {
        /// The replay reproduced the run; `unrecordedParts` are parts of the tree the recording lacks (the replay
        /// wrote them, nothing compared them).
        case identical(unrecordedParts: [String])
        /// Requests of the run (or untagged requests, which concern every run) matched no recording and were
        /// answered 599: how many, and the first.
        case mismatched(count: Int, first: ReplayMismatch)
        /// The replayed artifacts differ from the original's; the first difference.
        case diverged(ArtifactDivergence)
        /// Every request was answered, but recorded exchanges of the run were never requested: how many, the first.
        case unrequested(count: Int, first: UnusedRecording)
    }

    /// The run id.
    public let runID: String
    /// What the replay found.
    public let outcome: Outcome

    /// Whether the replay reproduced the run.
    public var identical: Bool {
        if case .identical = outcome { return true }
        return false
    }

    /// `identical`, or `divergent: ` and what diverged first.
    public var line: String {
        switch outcome {
        case .identical(let unrecorded):
            unrecorded.isEmpty
                ? "identical"
                : "identical (the recording has no \(unrecorded.joined(separator: ", ")) to compare; the replay wrote them)"
        case .mismatched(let count, let first): "divergent: replay mismatch (\(count) answered 599): \(first.detail)"
        case .diverged(let divergence): "divergent: \(divergence)"
        case .unrequested(let count, let first):
            "divergent: \(count) recorded exchanges were not requested, the first \(first)"
        }
    }
}

/// Re-runs recorded runs with no live service: the proxy answers from the recording's cassettes, the harness
/// drives each run with its recorded seed, scenario and configuration into a fresh artifact tree, and the result is
/// compared with the original on the deterministic projection (``ReplayComparison``).
public struct RecordingReplay: Sendable {
    /// The recording replayed.
    public let recording: ReplayableTree
    /// How fast recorded answers are served.
    public var pace: ProxyConfiguration.Pace
    /// What replay leaves out of comparing requests (Docs/matching.md); none by default, as the harness's driver
    /// sends the same requests again.
    public var matchingRules = MatchingRules()
    /// The version written into the replayed tree.
    public var toolVersion: String
    /// Where lines a person should see go: each 599 as the proxy reports it, proxy problems, a failed copy.
    public var log: @Sendable (String) -> Void

    /// A replay of `recording`.
    public init(
        _ recording: ReplayableTree,
        pace: ProxyConfiguration.Pace = .fast,
        toolVersion: String = Release.version,
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.recording = recording
        self.pace = pace
        self.toolVersion = toolVersion
        self.log = log
    }

    /// Replays one run into `out` (default `<recording>/replay_<run id>`).
    public func replay(runID: String, into out: String? = nil) async throws(ReplayError) -> ReplayVerdict {
        guard let run = recording.runs.first(where: { $0.runID == runID }) else {
            throw .unknownRun(recording.root, runID, runs: recording.runs.map(\.runID))
        }
        return try await replay(
            batch: [run],
            into: out ?? ArtifactLayout(root: recording.root).path(ArtifactLayout.replayDirectoryName(run: runID))
        )[0]
    }

    /// Replays every run into `out`: one tree for an ordinary recording, `out/<first run id>` for each stretch of
    /// consecutive runs of one with gaps. Verdicts in run-index order.
    public func replayAll(into out: String) async throws(ReplayError) -> [ReplayVerdict] {
        let batches = recording.consecutiveBatches
        var verdicts: [ReplayVerdict] = []
        for batch in batches {
            verdicts += try await replay(batch: batch, into: batches.count == 1 ? out : out + "/" + batch[0].runID)
        }
        return verdicts
    }

    /// Replays recorded runs with consecutive indexes as one harness batch into `out`, then compares each with the
    /// original: one verdict per run, in batch order.
    public func replay(
        batch: [(runID: String, index: Int)],
        into out: String
    ) async throws(ReplayError) -> [ReplayVerdict] {
        guard !batch.isEmpty else { return [] }
        let tree = recording.root
        if let problem = HarnessRunner.outputProblem(out) { throw .unusableOutput(problem) }
        let original = ArtifactLayout(root: tree)
        let replayed = ArtifactLayout(root: out)
        // The tree is rewritten from scratch; appended files would otherwise keep an earlier replay's lines.
        for file in [replayed.eventsFile, replayed.metricsFile, replayed.clientLogFile] {
            try? FileManager.default.removeItem(atPath: file)
            try? FileManager.default.removeItem(atPath: file + ArtifactLayout.compressedSuffix)
        }
        var configuration: HarnessConfiguration
        switch HarnessConfiguration.recorded(
            configFile: original.configurationFile,
            runIndex: batch[0].index,
            outputDirectory: out
        ) {
        case .success(let recorded): configuration = recorded
        case .failure(let error): throw .unreadableConfiguration(error.message)
        }
        configuration.runs = batch.count
        switch pace {
        case .fast: configuration.retry.waitScale = 0
        case .recorded: configuration.retry.waitScale = 1
        case .factor(let factor): configuration.retry.waitScale = factor
        }
        // Replay answers by (run, ordinal), so runs may overlap; each run's own steps stay in order.
        configuration.concurrency = min(batch.count, 4)
        let routing = EndpointRouting(configuration.endpoints, forwarding: false)
        var runs: [RunID] = []
        for (runID, _) in batch {
            guard let run = try? RunID(validating: runID) else {
                throw .invalidRecordedRunID(tree, runID, problem: RunID.problem(with: runID) ?? "not a run id")
            }
            runs.append(run)
        }
        var proxyConfiguration = ProxyConfiguration(
            mode: .replay,
            cassetteDirectory: original.cassettesDirectory,
            services: routing.services,
            pace: pace,
            upstreamTimeout: max(configuration.maestroTimeout, configuration.storpheusTimeout) + .seconds(30),
            gracePeriod: .seconds(2),
            toolVersion: toolVersion,
            log: log
        )
        // The verdicts weigh only the batch's own unused recordings; the rest of a large recording stays unread.
        proxyConfiguration.unusedRecordingRuns = Set(runs)
        proxyConfiguration.matchingRules = matchingRules
        let proxy: ProxyServer
        do {
            proxy = try await ProxyServer.start(proxyConfiguration)
        } catch {
            throw .proxy(error)
        }
        var effective = configuration
        effective.endpoints = routing.rewrite(configuration.endpoints, through: proxy)
        // The recorded token is redacted in the cassettes and replay matching ignores headers: any token will do.
        var runner = HarnessRunner(configuration: effective, token: "tdf-replay-placeholder", toolVersion: toolVersion)
        runner.describedConfiguration = configuration
        do {
            _ = try await runner.run()
        } catch {
            _ = await proxy.shutdown()
            throw .artifacts(error.message)
        }
        let report = await proxy.shutdown()
        for problem in report.problems { log("proxy: \(problem)") }
        do {
            // The replayed runs' cassettes hold exactly the exchanges the replay was served, so reports of the
            // replayed tree have their latency and stream sections.
            try SessionIndex.copy(runs: runs, from: original.cassettesDirectory, to: replayed.cassettesDirectory)
        } catch {
            log("cannot copy the replayed cassettes into \(replayed.cassettesDirectory): \(error)")
        }
        return await verdicts(of: batch.map(\.runID), report: report, replayed: out)
    }

    /// Each run's verdict: its 599s first (an untagged one, or one of a run outside the batch, concerns every run),
    /// then the first artifact divergence, then recordings nobody requested.
    private func verdicts(of runIDs: [String], report: ProxyReport, replayed: String) async -> [ReplayVerdict] {
        let batch = Set(runIDs)
        var mismatchesByRun: [String: [(position: Int, mismatch: ReplayMismatch)]] = [:]
        var batchWide: [(position: Int, mismatch: ReplayMismatch)] = []
        for (position, mismatch) in report.mismatchDetails.enumerated() {
            if let run = mismatch.request.run?.rawValue, batch.contains(run) {
                mismatchesByRun[run, default: []].append((position, mismatch))
            } else {
                batchWide.append((position, mismatch))
            }
        }
        var unusedByRun: [String: [UnusedRecording]] = [:]
        for leftover in report.unusedRecordings {
            if let run = leftover.run?.rawValue { unusedByRun[run, default: []].append(leftover) }
        }
        let unrecordedParts = ReplayComparison.comparableParts.filter { !recording.index.parts.contains($0) }
        // Runs with a replay mismatch are not compared: the mismatch is their verdict.
        let compared = runIDs.filter { mismatchesByRun[$0] == nil && batchWide.isEmpty }
        let comparison = ReplayComparison(original: recording.index, replayed: replayed)
        let divergences = Dictionary(
            zip(compared, await comparison.firstDivergences(of: compared)),
            uniquingKeysWith: { first, _ in first }
        )
        return runIDs.map { runID in
            let own = mismatchesByRun[runID] ?? []
            if let first = (own + batchWide).min(by: { $0.position < $1.position }) {
                return ReplayVerdict(
                    runID: runID,
                    outcome: .mismatched(count: own.count + batchWide.count, first: first.mismatch)
                )
            }
            if let divergence = divergences[runID] ?? nil {
                return ReplayVerdict(runID: runID, outcome: .diverged(divergence))
            }
            if let unused = unusedByRun[runID], let first = unused.first {
                return ReplayVerdict(runID: runID, outcome: .unrequested(count: unused.count, first: first))
            }
            return ReplayVerdict(runID: runID, outcome: .identical(unrecordedParts: unrecordedParts))
        }
    }
}
