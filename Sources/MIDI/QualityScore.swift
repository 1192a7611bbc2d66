import Foundation

/// The composite 0–100 quality score: six components, each with its points, its maximum and the
/// reason for its value, so a report can say why a score is low.
///
/// - `note_count`, max 20: 0 below 4 valid notes; otherwise with `d` = notes / (bars × tracks with
///   notes), full marks for `d` in 1...32, `20·d` below 1 and `20·32/d` above 32.
/// - `pitch_class_entropy`, max 15: full marks for entropy `H` in 2.0...3.5 bits or for drums only;
///   `15·H/2` below 2 and `15·(log2 12 − H)/(log2 12 − 3.5)` above 3.5.
/// - `velocity_variance`, max 15: full marks for velocity stdev `σ` in 5...30; `15·σ/5` below 5 and
///   `15·max(0, (60 − σ)/30)` above 30.
/// - `garbage`, max 30: `25·max(0, 1 − 10·flagged_fraction)` for notes plus
///   `5·(tracks − empty tracks)/tracks` for tracks (conductor tracks not counted).
/// - `rhythmic_diversity`, max 10: `10·min(1, E)` where `E` is the inter-onset-interval bucket
///   entropy in bits; 0 with fewer than 2 intervals.
/// - `polyphony`, max 10: `10·min(1, 16/max)·min(1, 8/mean)` over sounding notes; 0 if nothing sounds.
///
/// No valid notes scores 0 in every component. Points are rounded to hundredths and `total` is
/// their sum.
public struct QualityScore: Codable, Sendable, Equatable {
    /// One scored aspect of the music.
    public struct Component: Codable, Sendable, Equatable {
        /// Component name: `note_count`, `pitch_class_entropy`, `velocity_variance`, `garbage`,
        /// `rhythmic_diversity` or `polyphony` (`name`).
        public var name: String
        /// Points earned, 0...`max`, rounded to hundredths (`points`).
        public var points: Double
        /// The component's weight (`max`).
        public var max: Double
        /// Why the component has its value, for a person (`reason`).
        public var reason: String
    }

    /// Sum of the components' points, 0...100 (`total`).
    public var total: Double
    /// The maximum possible total, 100 (`max`).
    public var max: Double
    /// The six components, in the order listed above (`components`).
    public var components: [Component]

    /// The weights, in component order; they add up to 100.
    public static let weights: [(name: String, max: Double)] = [
        ("note_count", 20), ("pitch_class_entropy", 15), ("velocity_variance", 15),
        ("garbage", 30), ("rhythmic_diversity", 10), ("polyphony", 10),
    ]

    /// The component named `name`, if present.
    public func component(_ name: String) -> Component? {
        components.first { $0.name == name }
    }
}

extension QualityScore {
    /// The thresholds of the table in the type's summary.
    enum Threshold {
        static let minimumNotes = 4
        static let densityLow = 1.0
        static let densityHigh = 32.0
        static let entropyLow = 2.0
        static let entropyHigh = 3.5
        static let entropyMax = log2(12.0)
        static let stdevLow = 5.0
        static let stdevHigh = 30.0
        static let garbageSlope = 10.0
        static let rhythmEntropyFull = 1.0
        static let polyphonyMaxFull = 16.0
        static let polyphonyMeanFull = 8.0
    }

    /// Scores an analysis's metrics.
    init(
        structure: MIDIAnalysis.Structure,
        plausibility: MIDIAnalysis.Plausibility,
        harmony: MIDIAnalysis.Harmony,
        garbage: MIDIAnalysis.Garbage,
        validNotes: Int,
        tracksWithNotes: Int,
        scoredTracks: Int
    ) {
        var components: [Component] = []
        func add(_ index: Int, _ fraction: Double, _ reason: String) {
            let weight = Self.weights[index]
            let points = (Swift.min(Swift.max(fraction, 0), 1) * weight.max * 100).rounded() / 100
            components.append(Component(name: weight.name, points: points, max: weight.max, reason: reason))
        }
        let noNotes = "no valid notes"

        // note_count
        if validNotes == 0 {
            add(0, 0, noNotes)
        } else if validNotes < Threshold.minimumNotes {
            add(0, 0, "only \(validNotes) valid notes; at least \(Threshold.minimumNotes) expected")
        } else {
            let density = Double(validNotes) / Double(Swift.max(structure.barCount, 1) * Swift.max(tracksWithNotes, 1))
            let text = "\(Self.format(density)) notes per bar per track"
            if density < Threshold.densityLow {
                add(0, density / Threshold.densityLow, "sparse: \(text) (full marks from 1)")
            } else if density > Threshold.densityHigh {
                add(0, Threshold.densityHigh / density, "dense: \(text) (full marks up to 32)")
            } else {
                add(0, 1, "\(text), within 1–32")
            }
        }

        // pitch_class_entropy
        let entropy = harmony.pitchClassEntropyBits
        let entropyText = "pitch-class entropy \(Self.format(entropy)) bits"
        if validNotes == 0 {
            add(1, 0, noNotes)
        } else if harmony.pitchedNoteCount == 0 {
            add(1, 1, "drums only: pitch classes do not apply")
        } else if entropy < Threshold.entropyLow {
            add(1, entropy / Threshold.entropyLow, "\(entropyText): too few pitch classes (full marks from 2.0)")
        } else if entropy > Threshold.entropyHigh {
            let fraction = (Threshold.entropyMax - entropy) / (Threshold.entropyMax - Threshold.entropyHigh)
            add(1, fraction, "\(entropyText): close to uniform chromatic noise (full marks up to 3.5)")
        } else {
            add(1, 1, "\(entropyText), within 2.0–3.5")
        }

        // velocity_variance
        let stdev = plausibility.velocityStdev
        let stdevText = "velocity stdev \(Self.format(stdev))"
        if validNotes == 0 {
            add(2, 0, noNotes)
        } else if stdev < Threshold.stdevLow {
            add(2, stdev / Threshold.stdevLow, "\(stdevText): velocities nearly constant (full marks from 5)")
        } else if stdev > Threshold.stdevHigh {
            let fraction = (2 * Threshold.stdevHigh - stdev) / Threshold.stdevHigh
            add(2, fraction, "\(stdevText): velocities erratic (full marks up to 30)")
        } else {
            add(2, 1, "\(stdevText), within 5–30")
        }

        // garbage: 25 points for notes, 5 for tracks
        if validNotes == 0 {
            add(3, 0, noNotes)
        } else {
            let notePart = Swift.max(0, 1 - Threshold.garbageSlope * garbage.flaggedFraction) * 25
            let trackPart =
                scoredTracks == 0 ? 0 : Double(scoredTracks - garbage.emptyTracks) / Double(scoredTracks) * 5
            var details: [String] = []
            let counts: [(Int, String)] = [
                (garbage.zeroLengthNotes, "zero-length"), (garbage.extremePitchNotes, "extreme pitch"),
                (garbage.invalidPitchNotes, "invalid pitch"), (garbage.impossibleVelocityNotes, "impossible velocity"),
                (garbage.invalidTimingNotes, "invalid timing"), (garbage.spamNotes, "note spam"),
            ]
            for (count, label) in counts where count > 0 { details.append("\(count) \(label)") }
            let flagged =
                "\(garbage.flaggedNotes) of \(structure.noteCount) notes flagged"
                + (details.isEmpty ? "" : " (" + details.joined(separator: ", ") + ")")
            let empty = "\(garbage.emptyTracks) of \(scoredTracks) tracks empty"
            add(3, (notePart + trackPart) / 30, "\(flagged); \(empty)")
        }

        // rhythmic_diversity
        let intervals = plausibility.interOnsetIntervals
        if validNotes == 0 {
            add(4, 0, noNotes)
        } else if intervals.count < 2 {
            add(4, 0, "fewer than 2 inter-onset intervals")
        } else {
            let text = "inter-onset-interval entropy \(Self.format(intervals.entropyBits)) bits"
            if intervals.entropyBits >= Threshold.rhythmEntropyFull {
                add(4, 1, "\(text), at least 1.0")
            } else {
                add(4, intervals.entropyBits / Threshold.rhythmEntropyFull, "\(text): monotonous (full marks from 1.0)")
            }
        }

        // polyphony
        if structure.polyphonyMax == 0 {
            add(5, 0, validNotes == 0 ? noNotes : "no note sounds (all zero-length)")
        } else {
            let maxFactor = Swift.min(1, Threshold.polyphonyMaxFull / Double(structure.polyphonyMax))
            let meanFactor = Swift.min(1, Threshold.polyphonyMeanFull / structure.polyphonyMean)
            let text = "polyphony mean \(Self.format(structure.polyphonyMean)), max \(structure.polyphonyMax)"
            if maxFactor * meanFactor < 1 {
                add(5, maxFactor * meanFactor, "\(text): too many notes at once (full marks up to mean 8, max 16)")
            } else {
                add(5, 1, "\(text), within mean 8 and max 16")
            }
        }

        self.components = components
        self.max = 100
        self.total = (components.reduce(0) { $0 + $1.points } * 100).rounded() / 100
    }

    /// A number with two decimals, for reasons.
    static func format(_ value: Double) -> String {
        String(format: "%.2f", value)
    }
}
