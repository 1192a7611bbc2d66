import CommandLineKit
import Foundation
import TourDeForce

extension CommandLineTool {
    /// `tdf midi analyze FILE... [--json]`.
    static var midiCommand: CommandSpec {
        CommandSpec(
            name: "midi",
            abstract: "Analyse Standard MIDI Files: structure, plausibility, harmony, garbage, score.",
            examples: ["tdf midi analyze song.mid", "tdf midi analyze out/midi/run_r_000001/*.mid --json"],
            subcommands: [
                CommandSpec(
                    name: "analyze",
                    abstract: "Print the metrics and the 0-100 quality score of each file.",
                    discussion: """
                        A damaged file is reported with what is wrong and where (chunk, byte offset), and the other
                        files are still analysed. The metrics and the score are defined in Docs/midi-metrics.md.
                        Exit status: 0 when every file was read, 1 when any could not be.
                        """,
                    examples: ["tdf midi analyze a.mid b.mid", "tdf midi analyze a.mid --json | jq .[0].score"],
                    options: [.flag("--json", help: "Print a JSON array, one object per file, for machines.")],
                    positionals: [PositionalSpec("FILE", help: "Standard MIDI Files to analyse.", variadic: true)],
                    action: analyzeMIDI
                )
            ]
        )
    }

    private static func analyzeMIDI(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let results = arguments.positionals.map { path in
            MIDIFileReport(analysing: context.absolute(path), named: path)
        }
        if arguments.flag("--json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            context.print(String(decoding: try encoder.encode(results), as: UTF8.self))
        } else {
            for result in results {
                context.standardOutput.write(
                    result.analysis.map { $0.textSummary(title: result.file) } ?? "\(result.file): unreadable\n\n"
                )
            }
        }
        for result in results where result.error != nil {
            context.printError("tdf midi analyze: \(result.file): \(result.error ?? "")")
        }
        return results.contains { $0.error != nil } ? ExitCode.failure : ExitCode.success
    }
}
