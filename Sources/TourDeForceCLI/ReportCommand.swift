import CommandLineKit
import Foundation
import TourDeForce

extension CommandLineTool {
    /// `tdf report --in DIR [--out DIR]`.
    static var reportCommand: CommandSpec {
        CommandSpec(
            name: "report",
            abstract: "Rebuild the SQLite database and the HTML, Markdown and JUnit reports.",
            discussion: """
                Reads the artifact tree and its cassettes alone (no service is contacted) and writes tourdeforce.db
                and report/ (report.html, report.md, junit.xml, plots/*.svg) under --out, which defaults to --in.
                A missing or damaged input is named with what is wrong, and the report says which sections could not
                be built. A batch that did not finish (tdf run was killed) is reported with the runs that have no
                final status. Exit status: 0 when every section was built, 1 when some could not be, the batch did
                not finish, or an output could not be written; 3 when --in is not a directory or holds no artifact
                tree (none of runs.jsonl, manifest.json, cassettes/, muse/graph.json): then nothing is written.
                """,
            examples: [
                "tdf report --in out",
                "tdf report --in old-recording --out /tmp/report",
                "tdf report --in out --json | jq .missing_sections",
            ],
            options: [
                .option("--in", value: "DIR", help: "The artifact tree to read (the --out of tdf run)."),
                .option("--out", value: "DIR", help: "Where to write tourdeforce.db and report/ (default: --in)."),
                .flag("--json", help: "Print the summary as one JSON object instead of a line of text."),
            ],
            action: { arguments, context in try buildReport(arguments, context) }
        )
    }

    private static func buildReport(_ arguments: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        guard let input = arguments.value("--in") else {
            throw UsageError("tdf report needs --in DIR, the artifact tree to report on")
        }
        let root = context.absolute(input)
        let output = context.absolute(arguments.value("--out") ?? input)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure(
                "\(input) is not a directory; give the --out directory of tdf run",
                exitCode: ExitCode.environment
            )
        }
        let markers = [
            ArtifactLayout.runsName, ArtifactLayout.manifestName, ArtifactLayout.cassettesDirectoryName,
            ArtifactLayout.museGraphName,
        ]
        guard markers.contains(where: { FileManager.default.fileExists(atPath: root + "/" + $0) }) else {
            throw CommandFailure(
                "\(input) holds no artifact tree (none of \(markers.joined(separator: ", "))); give the --out "
                    + "directory of tdf run",
                exitCode: ExitCode.environment
            )
        }
        let started = Date()
        let report = BuiltReport(tree: root, into: output)
        for problem in report.treeProblems { context.printError("tdf report: \(problem)") }
        for section in report.outcome.missingSections {
            context.printError("tdf report: section '\(section.section)' not built: \(section.reason)")
        }
        for failure in report.outcome.failures { context.printError("tdf report: \(failure)") }
        if arguments.flag("--json") {
            context.print(report.summary(output: output))
        } else {
            context.print(
                "tdf report: \(report.runs) runs, \(report.exchanges) exchanges; wrote \(report.outcome.files.count) "
                    + "files to \(output) in \(String(format: "%.2f", Date().timeIntervalSince(started))) s "
                    + "(report/report.html)"
            )
        }
        return report.isComplete ? ExitCode.success : ExitCode.failure
    }
}
