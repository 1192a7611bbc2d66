import JSON
import Vocabulary

/// What `manifest.json` says about a batch: who wrote it, when, the seed, the runs by status and scenario, the files
/// of the tree and the configuration. `tdf run` writes it while running and when done; `tdf merge` writes it for the
/// merged batch (and adds the shards it came from).
struct BatchManifest {
    /// One run as the manifest counts it.
    struct Run {
        var runID: String
        var status: String
        var scenario: String
    }

    var toolVersion: String
    var command: String
    var startedAt: String
    var finishedAt: String?
    /// Whether the batch was stopped by a signal before every planned run ran (then `state` is `interrupted`).
    var interrupted = false
    /// Who started the batch and on what code.
    var provenance = BatchProvenance()
    var seed: String
    var runsPlanned: Int
    var runs: [Run]
    var recorded: Bool
    var configuration: JSONValue

    var json: JSONObject {
        var statuses = JSONObject()
        let known = RunStatus.allCases.map(\.rawValue)
        for status in known + Set(runs.map(\.status)).subtracting(known).sorted() {
            let count = runs.filter { $0.status == status }.count
            if count > 0 { statuses[status] = .int(count) }
        }
        var scenarios = JSONObject()
        for run in runs { scenarios[run.scenario] = .int((scenarios[run.scenario]?.intValue ?? 0) + 1) }
        return [
            "tool": "tdf", "tool_version": .string(toolVersion), "command": .string(command),
            "started_at": .string(startedAt), "finished_at": finishedAt.map { .string($0) } ?? .null,
            "state": finishedAt == nil ? "running" : interrupted ? "interrupted" : "finished",
            "command_line": .strings(provenance.commandLine), "commit": provenance.commit.map { .string($0) } ?? .null,
            "seed": .string(seed), "runs_planned": .int(runsPlanned),
            "runs_finished": .int(runs.count),
            "runs_succeeded": .int(runs.filter { $0.status == RunStatus.success.rawValue }.count),
            "statuses": .object(statuses), "scenarios": .object(scenarios),
            "run_ids": .strings(runs.map(\.runID)),
            "files": .strings(
                [ArtifactLayout.configurationName, ArtifactLayout.runsName]
                    // A finished batch has sealed its line files into gzip (SealedLineFile).
                    + ArtifactStore.sealedLineFiles.map {
                        finishedAt == nil ? $0 : $0 + ArtifactLayout.compressedSuffix
                    }
                    + [
                        ArtifactLayout.payloadsDirectoryName + "/", ArtifactLayout.midiDirectoryName + "/",
                        ArtifactLayout.museGraphName, ArtifactLayout.museGraphTextName,
                        ArtifactLayout.museGraphVisualisationName,
                    ] + (recorded ? [ArtifactLayout.cassettesDirectoryName + "/"] : [])
            ),
            "config": configuration,
        ]
    }
}

/// Where a batch came from, for the report's header: the command line that started it and the commit of the code
/// under test.
public struct BatchProvenance: Sendable, Equatable {
    /// The command line, program name first (`tdf run --stack embedded …`); empty when unknown.
    public var commandLine: [String]
    /// The commit under test, from the first of ``commitVariables`` that is set; nil when none is.
    public var commit: String?

    /// The environment variables that name the commit under test: tdf's own, then those CI systems set (GitHub
    /// Actions, GitLab CI, Jenkins).
    public static let commitVariables = ["TDF_COMMIT", "GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT"]

    /// A provenance.
    public init(commandLine: [String] = [], commit: String? = nil) {
        self.commandLine = commandLine
        self.commit = commit
    }

    /// The command line given, and the commit from `environment`.
    public init(commandLine: [String], environment: [String: String]) {
        self.commandLine = commandLine
        commit = Self.commitVariables.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
    }
}
