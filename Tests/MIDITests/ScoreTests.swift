import MIDI
import Testing

/// A melody that earns full marks: C D E F G A B C, gaps of 1/2, 1 and 2 beats, varied velocities.
private let goodMelody: [Note] = {
    let onsets = [0, 0.5, 1.5, 2, 4, 4.5, 5.5, 6]
    let pitches = [60, 62, 64, 65, 67, 69, 71, 72]
    let velocities = [80, 100, 90, 110, 85, 105, 95, 115]
    return (0..<8).map { note(pitches[$0], at: onsets[$0], for: 0.5, velocity: velocities[$0]) }
}()

private func score(_ notes: [Note]) -> QualityScore {
    MIDIAnalyzer.analyze(notes: notes, tempo: 120, timeSignature: .fourFour).score
}

/// The composite score: weights, thresholds and the reasons kept for a report.
@Suite struct ScoreTests {
    /// The six weights are the documented ones and add up to 100.
    @Test func weightsAddUpTo100() {
        #expect(
            QualityScore.weights.map(\.name) == [
                "note_count", "pitch_class_entropy", "velocity_variance", "garbage", "rhythmic_diversity", "polyphony",
            ]
        )
        #expect(QualityScore.weights.map(\.max) == [20, 15, 15, 30, 10, 10])
        #expect(QualityScore.weights.reduce(0) { $0 + $1.max } == 100)
    }

    /// No notes scores 0 in every component, each saying why.
    @Test func nothingScoresZero() {
        let empty = score([])
        #expect(empty.total == 0 && empty.max == 100)
        #expect(empty.components.count == 6)
        #expect(empty.components.allSatisfy { $0.points == 0 && $0.reason == "no valid notes" })
    }

    /// A plausible melody gets 100: 4 notes per bar, 2.75 bits, velocity stdev 11.46, no garbage,
    /// gap entropy 1.38 bits (four 1/2, two 1, one 2), one note at a time.
    @Test func plausibleMelodyScoresFull() {
        let result = score(goodMelody)
        #expect(result.total == 100, "\(result.components)")
        #expect(result.component("note_count")?.reason == "4.00 notes per bar per track, within 1–32")
        #expect(result.component("velocity_variance")?.reason == "velocity stdev 11.46, within 5–30")
    }

    /// The C major scale in flat quarter notes loses velocity (stdev 0) and rhythm (one gap size):
    /// 20 + 15 + 0 + 30 + 0 + 10 = 75.
    @Test func flatScaleLosesVelocityAndRhythm() {
        let scale = [60, 62, 64, 65, 67, 69, 71, 72].enumerated().map { note($1, at: Double($0)) }
        let result = score(scale)
        #expect(result.total == 75)
        #expect(result.component("velocity_variance")?.points == 0)
        #expect(
            result.component("velocity_variance")?.reason
                == "velocity stdev 0.00: velocities nearly constant (full marks from 5)"
        )
        #expect(
            result.component("rhythmic_diversity")?.reason
                == "inter-onset-interval entropy 0.00 bits: monotonous (full marks from 1.0)"
        )
    }

    /// Note count: fewer than 4 notes earn nothing; 4 notes over 8 bars (0.5 per bar) earn half.
    @Test func noteCountPenalisesTooFewAndSparse() {
        let three = score(Array(goodMelody.prefix(3)))
        #expect(three.component("note_count")?.points == 0)
        #expect(three.component("note_count")?.reason == "only 3 valid notes; at least 4 expected")

        let sparse = score([note(60, at: 0), note(64, at: 10), note(67, at: 20), note(72, at: 31)])
        #expect(sparse.component("note_count")?.points == 10)
        #expect(sparse.component("note_count")?.reason == "sparse: 0.50 notes per bar per track (full marks from 1)")
    }

    /// All twelve pitch classes equally is chromatic noise: log2 12 bits earns 0 of 15.
    @Test func pitchEntropyPenalisesChromaticNoise() {
        let chromatic = (0..<12).map { note(60 + $0, at: Double($0) / 2, for: 0.5, velocity: 80 + $0 * 3) }
        let component = score(chromatic).component("pitch_class_entropy")
        #expect(component?.points == 0)
        #expect(
            component?.reason
                == "pitch-class entropy 3.58 bits: close to uniform chromatic noise (full marks up to 3.5)"
        )

        // One pitch class (0 bits) also earns 0; two equally (1 bit) earns half.
        let two = (0..<8).map { note($0 % 2 == 0 ? 60 : 67, at: Double($0)) }
        #expect(score(two).component("pitch_class_entropy")?.points == 7.5)
    }

    /// Velocities alternating 1 and 127 (stdev 63) are erratic: 0 of 15.
    @Test func velocityPenalisesErraticDynamics() {
        let erratic = goodMelody.enumerated().map { index, note in
            var note = note
            note.velocity = index % 2 == 0 ? 1 : 127
            return note
        }
        #expect(score(erratic).component("velocity_variance")?.points == 0)
    }

    /// Spam flags every note: the note part (25) is lost, the track part (5) stays.
    @Test func garbageCostsPoints() {
        let burst = (0..<40).map { note(60 + $0 % 12, at: Double($0) * 0.005, for: 0.1) }
        let component = score(burst).component("garbage")
        #expect(component?.points == 5)
        #expect(component?.reason == "40 of 40 notes flagged (40 note spam); 0 of 1 tracks empty")

        // One flagged note in 20 (5%): 25 × (1 − 10 × 0.05) + 5 = 17.5.
        var twenty = (0..<20).map { note(60 + $0 % 7, at: Double($0) / 2, for: 0.5) }
        twenty[3].durationBeats = 0
        #expect(score(twenty).component("garbage")?.points == 17.5)
    }

    /// One empty track of two costs half the track part: 25 + 2.5.
    @Test func emptyTrackCostsPoints() {
        let analysis = MIDIAnalyzer.analyze(
            tracks: [NoteTrack(notes: goodMelody), NoteTrack(channel: 1, notes: [])],
            tempo: 120,
            timeSignature: .fourFour
        )
        #expect(analysis.score.component("garbage")?.points == 27.5)
        #expect(analysis.score.component("garbage")?.reason == "0 of 8 notes flagged; 1 of 2 tracks empty")
    }

    /// A 32-note cluster held together: max 32 and mean 32 earn 10 × 16/32 × 8/32 = 1.25.
    @Test func polyphonyPenalisesClusters() {
        let cluster = (0..<32).map { note(40 + $0, at: 0) }
        let component = score(cluster).component("polyphony")
        #expect(component?.points == 1.25)
        #expect(
            component?.reason
                == "polyphony mean 32.00, max 32: too many notes at once (full marks up to mean 8, max 16)"
        )
    }
}
