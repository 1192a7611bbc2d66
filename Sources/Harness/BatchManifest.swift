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
