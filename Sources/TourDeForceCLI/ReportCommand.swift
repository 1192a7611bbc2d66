import Analysis
import Foundation
import JSON
import Reporting

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
                not finish, or an output could not be written; 3 when --in is not a directory.
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
        func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : context.currentDirectory + "/" + path }
        let root = absolute(input)
        let output = absolute(arguments.value("--out") ?? input)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure(
                "\(input) is not a directory; give the --out directory of tdf run",
                exitCode: ExitCode.environment
            )
        }
        let started = Date()
        var analysis = RunAnalysis(tree: ArtifactTreeLoader.load(root: root))
        analysis.loadPianoRolls()
        let tree = analysis.tree
        for problem in tree.problems { context.printError("tdf report: \(problem)") }
        let outcome = ReportWriter.write(analysis, to: output)
        for section in outcome.missingSections {
            context.printError("tdf report: section '\(section.section)' not built: \(section.reason)")
        }
        for failure in outcome.failures { context.printError("tdf report: \(failure)") }
        let seconds = Date().timeIntervalSince(started)
        if arguments.flag("--json") {
            let summary = JSONValue.object([
                ("runs", .int(tree.runs.count)),
                ("exchanges", .int(tree.exchanges.count)),
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
            context.print(JSONWriter.string(summary))
        } else {
            context.print(
                "tdf report: \(tree.runs.count) runs, \(tree.exchanges.count) exchanges; wrote \(outcome.files.count) files "
                    + "to \(output) in \(String(format: "%.2f", seconds)) s (report/report.html)"
            )
        }
        return outcome.missingSections.isEmpty && outcome.failures.isEmpty ? ExitCode.success : ExitCode.failure
    }
}
