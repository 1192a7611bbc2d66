/// Every file and folder name of an artifact tree, the `--out` directory of `tdf run` that `tdf report`, `replay`,
/// `diff` and `merge` read (README, architecture.md):
///
/// ```
/// config.json  manifest.json  runs.jsonl  events.jsonl  metrics.jsonl  logs/client.log
/// payloads/<kind>/<run id>_<name>.gz  (gzip: zcat FILE | jq)
/// midi/run_<run id>/midi_summary.json, <file>, <file>.summary.json
/// muse/graph.json, graph.txt, graph_viz.json
/// muse/run_<run id>/log.json, graph.json, graph.txt, graph_viz.json, merge_conflicts.json
/// cassettes/  (a cassette session: its own names are the cassette format's)
/// report/report.html, report.md, junit.xml, plots/<chart>.svg   tourdeforce.db
/// replay_<run id>/  (another tree: `tdf replay`'s default output)
/// ```
///
/// The static `…Name` members are paths relative to the tree, for code that writes through a store rooted at the
/// tree or names a file in a message; a value's `…File` and `…Directory` members are the same paths under its root.
/// Names are joined with `/` exactly as given: the bytes of every name are part of what replay and merge compare.
public struct ArtifactLayout: Sendable, Hashable {
    /// The tree's directory, as given (relative or absolute; no trailing `/`).
    public let root: String

    /// The layout of the tree at `root`.
    public init(root: String) {
        self.root = root
    }

    /// `relative` under the root; the root itself for `""`.
    public func path(_ relative: String) -> String {
        relative.isEmpty ? root : root + "/" + relative
    }

    /// The folders of `payloads/`, one per kind of request or answer the harness keeps.
    public enum PayloadKind: String, CaseIterable, Sendable {
        /// The prompt service's answers.
        case promptFetch = "prompt_fetch"
        /// The compose requests sent to Maestro.
        case maestroRequests = "maestro_requests"
        /// Maestro's event streams, raw and parsed, and its error answers.
        case maestroSSE = "maestro_sse"
        /// The requests sent to Storpheus.
        case storpheusRequests = "storpheus_requests"
        /// Storpheus's answers.
        case storpheusResponses = "storpheus_responses"
    }

    // MARK: - Batch files, relative to the tree

    /// `config.json`: the configuration the batch ran with.
    public static let configurationName = "config.json"
    /// `manifest.json`: the batch's state, runs and files.
    public static let manifestName = "manifest.json"
    /// `runs.jsonl`: one summary line per run.
    public static let runsName = "runs.jsonl"
    /// `events.jsonl`: the event envelopes of every run.
    public static let eventsName = "events.jsonl"
    /// `metrics.jsonl`: one line per metric.
    public static let metricsName = "metrics.jsonl"
    /// `logs/`.
    public static let logsDirectoryName = "logs"
    /// `logs/client.log`: the harness's own log, JSON lines.
    public static let clientLogName = logsDirectoryName + "/client.log"
    /// `payloads/`.
    public static let payloadsDirectoryName = "payloads"
    /// `midi/`.
    public static let midiDirectoryName = "midi"
    /// `muse/`.
    public static let museDirectoryName = "muse"
    /// `muse/graph.json`: every run's commit graph.
    public static let museGraphName = museDirectoryName + "/" + graphFileName
    /// `muse/graph.txt`: every run's commit graph, drawn for people.
    public static let museGraphTextName = museDirectoryName + "/" + graphTextFileName
    /// `muse/graph_viz.json`: every run's commit graph, laid out for drawing.
    public static let museGraphVisualisationName = museDirectoryName + "/" + graphVisualisationFileName
    /// `cassettes/`: the recording, a cassette session.
    public static let cassettesDirectoryName = "cassettes"
    /// `report/`.
    public static let reportDirectoryName = "report"
    /// `report/report.html`.
    public static let reportHTMLName = reportDirectoryName + "/report.html"
    /// `report/report.md`.
    public static let reportMarkdownName = reportDirectoryName + "/report.md"
    /// `report/junit.xml`.
    public static let junitName = reportDirectoryName + "/junit.xml"
    /// `report/plots/`.
    public static let plotsDirectoryName = reportDirectoryName + "/plots"
    /// `tourdeforce.db`: the SQLite analytics database.
    public static let analyticsDatabaseName = "tourdeforce.db"

    /// `report/plots/<chart>.svg`.
    public static func plotName(_ chart: String) -> String {
        plotsDirectoryName + "/" + chart + ".svg"
    }

    /// `payloads/<kind>`.
    public static func payloadDirectoryName(_ kind: PayloadKind) -> String {
        payloadsDirectoryName + "/" + kind.rawValue
    }

    /// What a gzip-compressed file of the tree (every payload) adds to its name.
    public static let compressedSuffix = ".gz"

    /// `payloads/<kind>/<run id>_<name>`: `name` says which request and carries its own extension (the file on
    /// disk adds ``compressedSuffix``).
    public static func payloadName(_ kind: PayloadKind, run: String, name: String) -> String {
        payloadDirectoryName(kind) + "/" + run + "_" + name
    }

    // MARK: - Run directories, relative to the tree

    /// `midi/run_<run id>`: the run's downloaded files and their analyses.
    public static func midiDirectoryName(run: String) -> String {
        midiDirectoryName + "/" + runDirectoryName(run)
    }

    /// `midi/run_<run id>/midi_summary.json`: the analysis of the run's composition.
    public static func midiSummaryName(run: String) -> String {
        midiDirectoryName(run: run) + "/" + midiSummaryFileName
    }

    /// `midi/run_<run id>/<file>`: a file Storpheus made for the run, under its own name unless that is the name of
    /// an analysis the harness writes there (`midi_summary.json`, `<file>.summary.json`). Such a file, which a
    /// careless or hostile Storpheus could send, gets the suffix `.artifact` so it cannot replace the analysis.
    public static func midiArtifactName(run: String, file: String) -> String {
        let lower = file.lowercased()
        let isAnalysisName = lower == midiSummaryFileName || lower.hasSuffix(analysisSuffix)
        return midiDirectoryName(run: run) + "/" + (isAnalysisName ? file + ".artifact" : file)
    }

    /// `midi/run_<run id>/<file>.summary.json`: the analysis of one downloaded MIDI file.
    public static func midiFileSummaryName(run: String, file: String) -> String {
        midiDirectoryName(run: run) + "/" + file + analysisSuffix
    }

    /// `muse/run_<run id>`: the run's own commit graph files.
    public static func museDirectoryName(run: String) -> String {
        museDirectoryName + "/" + runDirectoryName(run)
    }

    /// `muse/run_<run id>/log.json`: MUSE's `/log` answer as it came.
    public static func museLogName(run: String) -> String {
        museDirectoryName(run: run) + "/log.json"
    }

    /// `muse/run_<run id>/graph.json`.
    public static func museGraphName(run: String) -> String {
        museDirectoryName(run: run) + "/" + graphFileName
    }

    /// `muse/run_<run id>/graph.txt`.
    public static func museGraphTextName(run: String) -> String {
        museDirectoryName(run: run) + "/" + graphTextFileName
    }

    /// `muse/run_<run id>/graph_viz.json`.
    public static func museGraphVisualisationName(run: String) -> String {
        museDirectoryName(run: run) + "/" + graphVisualisationFileName
    }

    /// `muse/run_<run id>/merge_conflicts.json`: the conflicts of a merge MUSE refused.
    public static func mergeConflictsName(run: String) -> String {
        museDirectoryName(run: run) + "/merge_conflicts.json"
    }

    /// The run id of a folder of `midi/` or `muse/` named `run_<run id>`, or nil for any other name.
    public static func run(ofRunDirectory name: String) -> String? {
        name.hasPrefix(runDirectoryPrefix) ? String(name.dropFirst(runDirectoryPrefix.count)) : nil
    }

    /// `replay_<run id>`: where `tdf replay` writes the replayed tree of one run by default.
    public static func replayDirectoryName(run: String) -> String {
        "replay_" + run
    }

    /// `tdf_<yyyymmdd_HHMMSS>`: the name of a tree made at `time` when `--out` is not given.
    public static func defaultTreeName(createdAt time: Timestamp) -> String {
        "tdf_" + time.compactName
    }

    private static let runDirectoryPrefix = "run_"
    private static let midiSummaryFileName = "midi_summary.json"
    private static let analysisSuffix = ".summary.json"
    private static let graphFileName = "graph.json"
    private static let graphTextFileName = "graph.txt"
    private static let graphVisualisationFileName = "graph_viz.json"

    private static func runDirectoryName(_ run: String) -> String {
        runDirectoryPrefix + run
    }

    // MARK: - The same paths under the root

    /// `<root>/config.json`.
    public var configurationFile: String { path(Self.configurationName) }
    /// `<root>/manifest.json`.
    public var manifestFile: String { path(Self.manifestName) }
    /// `<root>/runs.jsonl`.
    public var runsFile: String { path(Self.runsName) }
    /// `<root>/events.jsonl`.
    public var eventsFile: String { path(Self.eventsName) }
    /// `<root>/metrics.jsonl`.
    public var metricsFile: String { path(Self.metricsName) }
    /// `<root>/logs/client.log`.
    public var clientLogFile: String { path(Self.clientLogName) }
    /// `<root>/payloads`.
    public var payloadsDirectory: String { path(Self.payloadsDirectoryName) }
    /// `<root>/midi`.
    public var midiDirectory: String { path(Self.midiDirectoryName) }
    /// `<root>/muse`.
    public var museDirectory: String { path(Self.museDirectoryName) }
    /// `<root>/muse/graph.json`.
    public var museGraphFile: String { path(Self.museGraphName) }
    /// `<root>/muse/graph.txt`.
    public var museGraphTextFile: String { path(Self.museGraphTextName) }
    /// `<root>/muse/graph_viz.json`.
    public var museGraphVisualisationFile: String { path(Self.museGraphVisualisationName) }
    /// `<root>/cassettes`.
    public var cassettesDirectory: String { path(Self.cassettesDirectoryName) }
    /// `<root>/report`.
    public var reportDirectory: String { path(Self.reportDirectoryName) }
    /// `<root>/report/plots`.
    public var plotsDirectory: String { path(Self.plotsDirectoryName) }
    /// `<root>/tourdeforce.db`.
    public var analyticsDatabaseFile: String { path(Self.analyticsDatabaseName) }

    /// `<root>/payloads/<kind>`.
    public func payloadDirectory(_ kind: PayloadKind) -> String { path(Self.payloadDirectoryName(kind)) }
    /// `<root>/midi/run_<run id>`.
    public func midiDirectory(run: String) -> String { path(Self.midiDirectoryName(run: run)) }
    /// `<root>/midi/run_<run id>/midi_summary.json`.
    public func midiSummaryFile(run: String) -> String { path(Self.midiSummaryName(run: run)) }
    /// `<root>/muse/run_<run id>`.
    public func museDirectory(run: String) -> String { path(Self.museDirectoryName(run: run)) }
    /// `<root>/muse/run_<run id>/graph.txt`.
    public func museGraphTextFile(run: String) -> String { path(Self.museGraphTextName(run: run)) }
    /// `<root>/replay_<run id>`.
    public func replayDirectory(run: String) -> String { path(Self.replayDirectoryName(run: run)) }
}
