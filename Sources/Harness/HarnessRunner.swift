import Foundation
import HTTPTransport
import JSON
import Synchronization
public import Vocabulary

/// The outcome of one run, as written to `runs.jsonl`.
public struct RunSummary: Sendable {
    /// The run id.
    public let runID: String
    /// The scenario's name.
    public let scenario: String
    /// The status (scenarios.md).
    public let status: RunStatus
    /// The failure message, nil on success.
    public let error: String?
    /// How long the run took.
    public let duration: Duration
    /// The whole `runs.jsonl` line as JSON text.
    public let line: String
}

/// Progress after each finished run.
public struct RunProgress: Sendable {
    /// The run that just finished.
    public let finished: RunSummary
    /// Runs finished so far.
    public let done: Int
    /// Runs finished so far that did not succeed.
    public let failed: Int
    /// Runs in the batch.
    public let total: Int
    /// Time since the batch started.
    public let elapsed: Duration
}

/// A run waiting before it retries a request: which run, how long, and why (the service's answer).
public struct RunWait: Sendable, Equatable {
    /// The run.
    public let runID: String
    /// How long it waits.
    public let delay: Duration
    /// Why, e.g. `maestro answered 429: rate limit exceeded`: one line of at most ``longestReason`` characters,
    /// control characters blanked, since it holds a server's words and goes to a terminal.
    public let reason: String

    /// The longest reason kept (longer ones end in `…`).
    public static let longestReason = 160

    /// Makes a wait.
    public init(runID: String, delay: Duration, reason: String) {
        self.runID = runID
        self.delay = delay
        let line = String(
            String.UnicodeScalarView(
                reason.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }
            )
        )
        self.reason = line.count > Self.longestReason ? line.prefix(Self.longestReason) + "…" : line
    }
}

/// What a batch reports as it goes.
public enum BatchEvent: Sendable {
    /// A run started.
    case runStarted(String)
    /// A run waits before retrying a request.
    case waiting(RunWait)
    /// A run finished.
    case runFinished(RunProgress)
}

/// The outcome of a batch.
public struct BatchResult: Sendable {
    /// Every run, in run id order.
    public let runs: [RunSummary]
    /// The artifact directory.
    public let outputDirectory: String

    /// Runs that did not succeed.
    public var failedCount: Int { runs.filter { $0.status != .success }.count }

    /// Whether every run succeeded.
    public var allSucceeded: Bool { failedCount == 0 }

    /// Whether the batch was interrupted: a run ended `interrupted`, or fewer than `planned` runs ran.
    public func wasInterrupted(planned: Int) -> Bool {
        runs.count < planned || runs.contains { $0.status == .interrupted }
    }
}

/// Why an artifact directory cannot be used.
public struct OutputDirectoryProblem: Sendable, Equatable, CustomStringConvertible {
    /// What stands in the way.
    public enum Reason: Sendable, Equatable {
        /// Something that is not a directory is at the path.
        case notADirectory
        /// The directory cannot be created, or a file cannot be written in it; the system's explanation.
        case unwritable(String)
    }

    /// The directory.
    public let path: String
    /// What stands in the way.
    public let reason: Reason

    /// What is wrong, naming the directory.
    public var description: String {
        switch reason {
        case .notADirectory: "the output directory \(path) exists and is not a directory"
        case .unwritable(let explanation): "the output directory \(path) cannot be written: \(explanation)"
        }
    }
}

/// Runs a batch: `--runs` runs, `--concurrency` at a time, each under `--global-timeout`, and writes the artifact
/// tree of the earlier harness's README under `--out`.
public struct HarnessRunner: Sendable {
    /// The batch configuration (written to `config.json`; it holds no secret).
    public let configuration: HarnessConfiguration
    private let token: String?
    private let secrets: [String]
    private let toolVersion: String
    /// What `config.json` and `manifest.json` describe when it differs from what the runner talks to (the CLI sets
    /// the upstream URLs here when the runner talks to them through the recording proxy).
    public var describedConfiguration: HarnessConfiguration?
    /// Called with each run id as soon as that run is over (the CLI closes the run's cassette here).
    public var onRunFinished: @Sendable (String) -> Void = { _ in }
    /// The command line and commit written into `manifest.json`.
    public var provenance = BatchProvenance()

    /// Makes a runner. `token` is sent as `Authorization: Bearer` to Maestro and MUSE; it and every one of
    /// `secrets` are redacted from every file written.
    public init(configuration: HarnessConfiguration, token: String?, secrets: [String] = [], toolVersion: String) {
        self.configuration = configuration
        self.token = token
        self.secrets = secrets
        self.toolVersion = toolVersion
    }

    /// The default `--out`: `/data/tdf_<UTC yyyymmdd_HHMMSS>` when `/data` is writable, else `./tdf_<...>` under
    /// `currentDirectory`.
    public static func defaultOutputDirectory(now: Timestamp = .now(), currentDirectory: String) -> String {
        let name = ArtifactLayout.defaultTreeName(createdAt: now)
        if FileManager.default.isWritableFile(atPath: "/data") { return "/data/" + name }
        return (currentDirectory.hasSuffix("/") ? currentDirectory : currentDirectory + "/") + name
    }

    /// Creates `path` if needed and checks that a file can be written in it; returns why it cannot be used, or nil.
    public static func outputProblem(_ path: String) -> OutputDirectoryProblem? {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return OutputDirectoryProblem(path: path, reason: .notADirectory)
        }
        do {
            try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
            let probe = path + "/.tdf-write-probe"
            try Data().write(to: URL(fileURLWithPath: probe))
            try manager.removeItem(atPath: probe)
            return nil
        } catch {
            return OutputDirectoryProblem(path: path, reason: .unwritable((error as NSError).localizedDescription))
        }
    }

    /// Runs the batch. Throws only when the artifact directory cannot be written; run failures are in the result.
    public func run(
        progress: @escaping @Sendable (BatchEvent) -> Void = { _ in }
    ) async throws(HarnessError)
        -> BatchResult
    {
        let started = ContinuousClock.now
        let startedAt = Timestamp.now().description
        let store = try ArtifactStore(
            root: configuration.outputDirectory,
            secrets: ([token].compactMap { $0 }) + secrets
        )
        for directory in [ArtifactLayout.logsDirectoryName]
            + ArtifactLayout.PayloadKind.allCases.map(ArtifactLayout.payloadDirectoryName)
            + [ArtifactLayout.midiDirectoryName, ArtifactLayout.museDirectoryName]
        {
            try store.makeDirectory(directory)
        }
        if configuration.record { try store.makeDirectory(ArtifactLayout.cassettesDirectoryName) }
        try store.write(json: (describedConfiguration ?? configuration).json, to: ArtifactLayout.configurationName)
        try store.write(
            json: manifest(startedAt: startedAt, finishedAt: nil, runs: []),
            to: ArtifactLayout.manifestName
        )
        try store.write("", to: ArtifactLayout.runsName)

        let client = HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: configuration.connectTimeout,
                readTimeout: configuration.maestroTimeout
            )
        )
        defer { client.close() }
        let limits = ServiceLimits(
            maestro: configuration.maestroConcurrency,
            storpheus: configuration.storpheusConcurrency
        )
        let indexes = (0..<max(0, configuration.runs)).map { configuration.firstRunIndex + $0 }
        let counters = Mutex((done: 0, failed: 0))
        var finished: [(summary: RunSummary, graph: MuseGraphExport?)] = []

        await withTaskGroup(of: (RunSummary, MuseGraphExport?).self) { group in
            var next = 0
            func launch() {
                // Cancelled (the batch was interrupted): the runs in flight end as `interrupted`, no new one starts.
                guard next < indexes.count, !Task.isCancelled else { return }
                let index = indexes[next]
                next += 1
                group.addTask {
                    await runOne(index: index, store: store, client: client, limits: limits, progress: progress)
                }
            }
            for _ in 0..<max(1, configuration.concurrency) { launch() }
            while let (summary, graph) = await group.next() {
                finished.append((summary, graph))
                onRunFinished(summary.runID)
                store.appendLine(summary.line, to: ArtifactLayout.runsName)
                let (done, failed) = counters.withLock { counters -> (Int, Int) in
                    counters.done += 1
                    if summary.status != .success { counters.failed += 1 }
                    return (counters.done, counters.failed)
                }
                progress(
                    .runFinished(
                        RunProgress(
                            finished: summary,
                            done: done,
                            failed: failed,
                            total: indexes.count,
                            elapsed: ContinuousClock.now - started
                        )
                    )
                )
                launch()
            }
        }

        finished.sort { $0.summary.runID < $1.summary.runID }
        try store.sealLineFiles()
        try store.write(finished.map { $0.summary.line + "\n" }.joined(), to: ArtifactLayout.runsName)
        let graphs = finished.compactMap(\.graph)
        try MuseGraphExport.writeAggregates(
            graphs: graphs.map(\.graphJSON),
            visualisations: graphs.map(\.vizJSON),
            texts: graphs.map(\.text),
            to: store
        )
        let summaries = finished.map(\.summary)
        let result = BatchResult(runs: summaries, outputDirectory: configuration.outputDirectory)
        try store.write(
            json: manifest(
                startedAt: startedAt,
                finishedAt: Timestamp.now().description,
                runs: summaries,
                // A signal after the last run ended interrupted nothing: that batch is finished.
                interrupted: result.wasInterrupted(planned: indexes.count)
            ),
            to: ArtifactLayout.manifestName
        )
        return result
    }

    private func manifest(
        startedAt: String,
        finishedAt: String?,
        runs: [RunSummary],
        interrupted: Bool = false
    ) -> JSONValue {
        var manifest = BatchManifest(
            toolVersion: toolVersion,
            command: "run",
            startedAt: startedAt,
            finishedAt: finishedAt,
            seed: String(configuration.seed),
            runsPlanned: configuration.runs,
            runs: runs.map { BatchManifest.Run(runID: $0.runID, status: $0.status.rawValue, scenario: $0.scenario) },
            recorded: configuration.record,
            configuration: (describedConfiguration ?? configuration).json
        )
        manifest.interrupted = interrupted
        manifest.provenance = provenance
        return .object(manifest.json)
    }

    /// Runs one run under the global timeout and builds its summary.
    private func runOne(
        index: Int,
        store: ArtifactStore,
        client: HTTPClient,
        limits: ServiceLimits,
        progress: @escaping @Sendable (BatchEvent) -> Void
    ) async -> (RunSummary, MuseGraphExport?) {
        let identity = RunIdentity(index: index, seed: configuration.seed)
        let scenario = Scenario.forRun(index: index)
        let context = RunContext(
            identity: identity,
            scenario: scenario,
            configuration: configuration,
            store: store,
            client: client,
            limits: limits,
            token: token,
            announceWait: { progress(.waiting($0)) }
        )
        progress(.runStarted(identity.runID))
        let record = RecordBox()
        let driver = RunDriver(context: context, record: record)
        let startedAt = Timestamp.now().description
        let started = ContinuousClock.now
        context.log("INFO", "run \(identity.runID) starts: scenario \(scenario.name)")
        let timeout = configuration.globalTimeout
        let outcome: HarnessError? = await withTaskGroup(of: HarnessError??.self) { group in
            group.addTask {
                do throws(HarnessError) {
                    try await driver.execute()
                    return .some(nil)
                } catch {
                    return .some(error)
                }
            }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return nil }
                // This names the flag although the harness is a library: the line is recorded in runs.jsonl,
                // events.jsonl and logs/client.log, where replays and diffs compare it with earlier recordings.
                return .some(HarnessError(.timeout, "the run exceeded --global-timeout \(timeout.secondsValue) s"))
            }
            var outcome: HarnessError?? = nil
            while outcome == nil, let next = await group.next() {
                outcome = next
            }
            if case .some(.some(let error)) = outcome, error.kind == .timeout,
                error.message.hasPrefix("the run exceeded")
            {
                context.emit(.client, "run_timeout", severity: "ERROR", data: ["message": .string(error.message)])
                context.close()
            }
            group.cancelAll()
            return outcome ?? nil
        }
        let interrupted = Task.isCancelled
        if let failure = outcome, !interrupted, !context.isClosed, !record.withLock({ $0.names.isEmpty }),
            record.withLock({ $0.graph == nil })
        {
            context.beginStep("graph_export_after_failure")
            do {
                try await driver.writeGraph()
            } catch {
                context.log("WARN", "no graph after the failure (\(failure.status.rawValue)): \(error.message)")
            }
        }
        let duration = ContinuousClock.now - started
        let failure =
            interrupted ? HarnessError(.interrupted, "the batch was interrupted while the run was in flight") : outcome
        let status = failure?.status ?? .success
        if !context.isClosed {
            context.log(
                status == .success ? "INFO" : "ERROR",
                "run \(identity.runID) finished: \(status.rawValue)" + (failure.map { ": \($0.message)" } ?? "")
            )
            context.emit(
                .client,
                "run_end",
                severity: status == .success ? "INFO" : "ERROR",
                data: ["status": .string(status.rawValue), "error": failure.map { .string($0.message) } ?? .null]
            )
        }
        let snapshot = record.withLock { $0 }
        let line = summaryJSON(
            identity: identity,
            scenario: scenario,
            status: status,
            error: failure?.message,
            record: snapshot,
            project: driver.project,
            startedAt: startedAt,
            duration: duration,
            requests: context.nextOrdinal() - 1
        )
        let summary = RunSummary(
            runID: identity.runID,
            scenario: scenario.name,
            status: status,
            error: failure.map { store.redact($0.message) },
            duration: duration,
            line: store.redact(line.compactText)
        )
        return (summary, snapshot.graph)
    }

    private func summaryJSON(
        identity: RunIdentity,
        scenario: Scenario,
        status: RunStatus,
        error: String?,
        record: RunRecord,
        project: String,
        startedAt: String,
        duration: Duration,
        requests: Int
    ) -> JSONValue {
        [
            "run_id": .string(identity.runID), "index": .int(identity.index), "scenario": .string(scenario.name),
            "status": .string(status.rawValue), "error": error.map { .string($0) } ?? .null,
            "seed": .string(String(identity.seed)), "started_at": .string(startedAt),
            "duration_ms": .int(duration.wholeMilliseconds), "conversation_id": .string(identity.conversationID),
            "trace_id": .string(identity.traceID), "requests": .int(requests),
            "prompt": record.prompt.map { prompt -> JSONValue in
                [
                    "id": .string(prompt.id), "title": .string(prompt.title), "style": .string(prompt.style),
                    "key": .string(prompt.key), "tempo": .int(prompt.tempo), "roles": .strings(prompt.roles),
                ]
            } ?? .null,
            "compose": [
                "streams": .int(record.streams), "events": .int(record.composeEvents),
                "notes": .int(record.composeNotes),
                "tracks": .int(record.tracks), "regions": .int(record.regions), "phrases": .int(record.phrases),
            ],
            "midi": [
                "quality_score": record.midiScore.map { .double($0) } ?? .null,
                "artifacts_listed": .int(record.artifactsListed),
                "artifacts_downloaded": .int(record.artifactsDownloaded),
                "artifacts_missing": .int(record.artifactsMissing),
                "midi_files_analysed": .int(record.midiFilesAnalysed),
            ],
            "muse": [
                "project_id": .string(project), "commits": .strings(record.commits), "merges": .strings(record.merges),
                "expected_merges": .int(scenario.expectedMerges), "conflict_expected": .bool(scenario.conflict),
                "conflict_detected": .bool(record.conflictDetected), "conflicts": .int(record.conflicts),
                "checkouts": .strings(record.checkouts), "drift_tested": .bool(record.driftTested),
                "drift_detected": .bool(record.driftDetected), "drift_total_changes": .int(record.driftChanges),
                "drift_recovered": .bool(record.driftRecovered), "head": record.head.map { .string($0) } ?? .null,
                "graph_nodes": .int(record.graphNodes),
            ],
            "contract_violations": .strings(record.violations),
            "steps": .array(
                record.steps.map {
                    [
                        "name": .string($0.name), "status": .string($0.status),
                        "duration_ms": .int($0.durationMilliseconds),
                    ]
                }
            ),
        ]
    }
}
