import Foundation

extension MIDIAnalysis {
    /// The analysis as `tdf midi analyze` prints it: `title`, then one aligned row per metric and score component,
    /// then a blank line.
    public func textSummary(title: String) -> String {
        var lines = [title]
        func row(_ label: String, _ value: String) {
            lines.append("  " + label.padding(toLength: 24, withPad: " ", startingAt: 0) + value)
        }
        func format(_ value: Double) -> String { String(format: "%.2f", value) }
        row("score", "\(format(score.total)) / \(format(score.max))")
        for component in score.components {
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
        row("pitch-class entropy", "\(format(harmony.pitchClassEntropyBits)) bits")
        row("chord changes / bar", format(harmony.chordChangesPerBar))
        row("timing deviation", "\(format(humanisation.timingDeviationMs)) ms from the 16th grid")
        row(
            "garbage",
            "zero-length \(garbage.zeroLengthNotes), extreme pitch \(garbage.extremePitchNotes), "
                + "bad velocity \(garbage.impossibleVelocityNotes), spam \(garbage.spamNotes)"
        )
        return lines.joined(separator: "\n") + "\n\n"
    }
}
