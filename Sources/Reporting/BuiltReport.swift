public import Analysis
import JSON

/// A report built from an artifact tree alone: what was read and what was written.
public struct BuiltReport: Sendable {
    /// Runs in the tree.
    public let runs: Int
    /// Recorded exchanges read from its cassettes.
    public let exchanges: Int
    /// What was missing or damaged in the tree, one line each.
    public let treeProblems: [InputProblem]
    /// The files written, the sections not built, the outputs that failed.
    public let outcome: ReportOutcome

    /// Reads the tree at `root` (with its cassettes and piano rolls) and writes `tourdeforce.db` and `report/` into
    /// `directory`.
    public init(tree root: String, into directory: String) {
        var analysis = RunAnalysis(tree: ArtifactTreeLoader.load(root: root))
        analysis.loadPianoRolls()
        runs = analysis.tree.runs.count
        exchanges = analysis.tree.exchanges.count
        treeProblems = analysis.tree.problems
        outcome = ReportWriter.write(analysis, to: directory)
    }

    /// Whether every section was built and every output written.
    public var isComplete: Bool { outcome.missingSections.isEmpty && outcome.failures.isEmpty }

    /// The summary `tdf report --json` prints, naming the output directory.
    public func summary(output: String) -> String {
        let summary = JSONValue.object([
            ("runs", .int(runs)),
            ("exchanges", .int(exchanges)),
            ("output", .string(output)),
            ("files", .strings(outcome.files)),
            (
                "missing_sections",
                .array(
                    outcome.missingSections.map {
                        .object([("section", .string($0.section)), ("reason", .string($0.reason))])
                    }
                )
            ),
            ("failures", .strings(outcome.failures)),
        ])
        return JSONWriter.string(summary)
    }
}
