import Foundation
import MIDI

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
        var results: [MIDIFileReport] = []
        for path in arguments.positionals {
            let resolved = path.hasPrefix("/") ? path : context.currentDirectory + "/" + path
            guard let data = FileManager.default.contents(atPath: resolved) else {
                results.append(MIDIFileReport(file: path, error: "cannot read the file", analysis: nil))
                continue
            }
            do {
                let analysis = try MIDIAnalyzer.analyze(file: Array(data))
                results.append(MIDIFileReport(file: path, error: nil, analysis: analysis))
            } catch {
                results.append(MIDIFileReport(file: path, error: error.description, analysis: nil))
            }
        }
        if arguments.flag("--json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            context.print(String(decoding: try encoder.encode(results), as: UTF8.self))
        } else {
            for result in results {
                context.standardOutput.write(describe(result))
            }
        }
        for result in results where result.error != nil {
            context.printError("tdf midi analyze: \(result.file): \(result.error ?? "")")
        }
        return results.contains { $0.error != nil } ? ExitCode.failure : ExitCode.success
    }

    private static func describe(_ report: MIDIFileReport) -> String {
        guard let analysis = report.analysis else { return "\(report.file): unreadable\n\n" }
        let structure = analysis.structure
        let plausibility = analysis.plausibility
        var lines = ["\(report.file)"]
        func row(_ label: String, _ value: String) {
            lines.append("  " + label.padding(toLength: 24, withPad: " ", startingAt: 0) + value)
        }
        row("score", "\(format(analysis.score.total)) / \(format(analysis.score.max))")
        for component in analysis.score.components {
            row("  \(component.name)", "\(format(component.points)) / \(format(component.max))  \(component.reason)")
        }
        row("notes", "\(structure.noteCount) in \(structure.trackCount) tracks \(structure.notesPerTrack)")
        row(
            "duration",
            "\(format(structure.durationSeconds)) s, \(format(structure.durationBeats)) beats, \(structure.barCount) bars"
        )
        row("tempo", "\(format(structure.initialTempoBPM)) BPM, \(structure.tempoChangeCount) changes")
        row(
            "time signatures",
            structure.timeSignatures.map { "\($0.numerator)/\($0.denominator)@\(format($0.beat))" }.joined(
                separator: " "
            )
        )
        row("key", structure.key ?? "none")
        row(
            "instruments",
            "\(structure.instrumentCount) programs \(structure.programs)\(structure.hasDrums ? " + drums" : "")"
        )
        row("polyphony", "mean \(format(structure.polyphonyMean)), max \(structure.polyphonyMax)")
        row(
            "pitch range",
            "\(plausibility.pitchMin.map(String.init) ?? "-")..\(plausibility.pitchMax.map(String.init) ?? "-")"
        )
        row("velocity", "mean \(format(plausibility.velocityMean)), stdev \(format(plausibility.velocityStdev))")
        row("pitch-class entropy", "\(format(analysis.harmony.pitchClassEntropyBits)) bits")
        row("chord changes / bar", format(analysis.harmony.chordChangesPerBar))
        row("timing deviation", "\(format(analysis.humanisation.timingDeviationMs)) ms from the 16th grid")
        let garbage = analysis.garbage
        row(
            "garbage",
            "zero-length \(garbage.zeroLengthNotes), extreme pitch \(garbage.extremePitchNotes), "
                + "bad velocity \(garbage.impossibleVelocityNotes), spam \(garbage.spamNotes)"
        )
        return lines.joined(separator: "\n") + "\n\n"
    }

    private static func format(_ value: Double) -> String {
        String(format: "%.2f", value)
    }
}

/// One file's outcome in `tdf midi analyze --json`: its analysis, or the error that stopped it.
struct MIDIFileReport: Encodable {
    let file: String
    let error: String?
    let analysis: MIDIAnalysis?
}
