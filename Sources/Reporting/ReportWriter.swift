public import Analysis
import Foundation
import Vocabulary

/// What ``ReportWriter/write(_:to:)`` produced.
public struct ReportOutcome: Sendable {
    /// Files written, relative to the output directory.
    public var files: [String]
    /// Sections that could not be built, and why.
    public var missingSections: [MissingSection]
    /// Outputs that failed to be written (e.g. the database), named with what went wrong.
    public var failures: [String]
}

/// Writes `tourdeforce.db` and `report/` (HTML, Markdown, JUnit, plots) for an analysis.
public enum ReportWriter {
    /// Writes every output under `directory`; one output that fails is named and the others are still written.
    public static func write(_ analysis: RunAnalysis, to directory: String) -> ReportOutcome {
        var outcome = ReportOutcome(files: [], missingSections: analysis.missingSections, failures: [])
        let manager = FileManager.default
        let layout = ArtifactLayout(root: directory)
        do {
            try manager.createDirectory(atPath: layout.plotsDirectory, withIntermediateDirectories: true)
        } catch {
            outcome.failures.append(
                "\(layout.reportDirectory): cannot create the directory (\(error.localizedDescription))"
            )
            return outcome
        }
        // Charts of an earlier report (e.g. of runs no longer in the tree) must not linger beside the new ones.
        let earlierCharts = (try? manager.contentsOfDirectory(atPath: layout.plotsDirectory)) ?? []
        for name in earlierCharts where name.hasSuffix(".svg") {
            try? manager.removeItem(atPath: layout.plotsDirectory + "/" + name)
        }
        do {
            try AnalyticsDatabase.build(analysis, at: layout.analyticsDatabaseFile)
            outcome.files.append(ArtifactLayout.analyticsDatabaseName)
        } catch {
            outcome.failures.append("\(ArtifactLayout.analyticsDatabaseName): \(error)")
        }
        let plots = ReportPlots(analysis)
        var outputs: [(String, String)] = plots.charts.map { (ArtifactLayout.plotName($0.name), $0.svg) }
        outputs.append((ArtifactLayout.reportMarkdownName, MarkdownReport.render(analysis)))
        if analysis.tree.hasRuns { outputs.append((ArtifactLayout.junitName, JUnitReport.render(analysis))) }
        outputs.append((ArtifactLayout.reportHTMLName, HTMLReport.render(analysis, plots: plots)))
        for (relative, text) in outputs {
            let path = layout.path(relative)
            let temporary = path + ".tmp"
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
                if rename(temporary, path) != 0 { throw CocoaError(.fileWriteUnknown) }
                outcome.files.append(relative)
            } catch {
                try? manager.removeItem(atPath: temporary)
                outcome.failures.append("\(relative): cannot write (\(error.localizedDescription))")
            }
        }
        return outcome
    }
}
