public import Analysis
import Vocabulary

/// A report section that could not be built, with the inputs that are missing or damaged.
public struct MissingSection: Sendable, Equatable {
    /// The section's title.
    public var section: String
    /// Why: the input files named with what is wrong.
    public var reason: String
}

extension RunAnalysis {
    /// The sections that cannot be built from this tree, and why.
    public var missingSections: [MissingSection] {
        func reason(_ files: [String]) -> String {
            let named = tree.problems.filter { problem in files.contains { problem.file.hasPrefix($0) } }
            return named.isEmpty ? "no input found" : named.map(\.description).joined(separator: "; ")
        }
        var missing: [MissingSection] = []
        if !tree.hasRuns {
            for section in ["Run KPIs", "Status breakdown", "Failures", "Best and worst runs", "JUnit"] {
                missing.append(MissingSection(section: section, reason: reason([ArtifactLayout.runsName])))
            }
        }
        if !tree.hasCassettes {
            let cassettes = reason([ArtifactLayout.cassettesDirectoryName])
            for section in ["Endpoint latency", "SSE statistics"] {
                missing.append(MissingSection(section: section, reason: cassettes))
            }
        }
        if !tree.hasGraph {
            missing.append(MissingSection(section: "MUSE graph", reason: reason([ArtifactLayout.museGraphName])))
        }
        if !tree.hasEvents {
            missing.append(
                MissingSection(section: "MUSE merges, checkouts and drift", reason: reason([ArtifactLayout.eventsName]))
            )
        }
        if tree.batchUnfinished {
            missing.append(MissingSection(section: "Whole batch", reason: reason([ArtifactLayout.manifestName])))
        }
        return missing
    }
}
