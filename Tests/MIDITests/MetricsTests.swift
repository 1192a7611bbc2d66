import Foundation
import MIDI
import Testing

/// The C major scale C4...C5 in quarter notes at 120 BPM, velocity 100.
private let cMajorScaleNotes = [60, 62, 64, 65, 67, 69, 71, 72].enumerated().map { index, pitch in
    note(pitch, at: Double(index), for: 1)
}

/// Metrics on inputs small enough to work out by hand.
@Suite struct MetricsTests {
    /// A C major scale: 2.75 bits of pitch-class entropy, 7 chord changes over 2 bars, 4 notes per
    /// bar, monophonic, on the grid, no repeated 4-grams.
    @Test func cMajorScale() {
        let analysis = MIDIAnalyzer.analyze(notes: cMajorScaleNotes, tempo: 120, timeSignature: .fourFour)
        let structure = analysis.structure
        #expect(analysis.source == .notes)
        #expect(analysis.file == nil)
        #expect(structure.noteCount == 8)
        #expect(structure.trackCount == 1)
        #expect(structure.durationBeats == 8)
        #expect(structure.durationSeconds == 4)  // 8 beats at 0.5 s
        #expect(structure.barCount == 2)
        #expect(structure.polyphonyMean == 1 && structure.polyphonyMax == 1)
        #expect(structure.instrumentCount == 1 && structure.programs == [0])
        // Pitch classes: C twice, D E F G A B once: −(2/8·log2 2/8) − 6·(1/8·log2 1/8) = 0.5 + 2.25.
        #expect(analysis.harmony.pitchClassHistogram == [2, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1])
        #expect(analysis.harmony.pitchClassEntropyBits == 2.75)
        // Every beat holds a new single pitch class: 7 changes in 2 bars.
        #expect(analysis.harmony.chordChanges == 7)
        #expect(analysis.harmony.chordChangesPerBar == 3.5)
        let plausibility = analysis.plausibility
        #expect(plausibility.pitchMin == 60 && plausibility.pitchMax == 72)
        #expect(
            [plausibility.notesPerBar.mean, Double(plausibility.notesPerBar.min), Double(plausibility.notesPerBar.max)]
                == [4, 4, 4]
        )
        // All lengths and all 7 gaps are 1 beat: bucket (1/2, 1], entropy 0.
        #expect(plausibility.noteLengths.buckets.map(\.count) == [0, 0, 0, 0, 0, 8, 0, 0, 0])
        #expect(plausibility.noteLengths.median == 1 && plausibility.noteLengths.entropyBits == 0)
        #expect(plausibility.interOnsetIntervals.count == 7)
        #expect(plausibility.interOnsetIntervals.buckets[5].count == 7)
        #expect(plausibility.pitch4GramCount == 5 && plausibility.repeated4GramFraction == 0)
        #expect(plausibility.velocityMean == 100 && plausibility.velocityStdev == 0)
        #expect(analysis.humanisation.timingDeviationBeats == 0 && analysis.humanisation.onGridFraction == 1)
        #expect(analysis.garbage.flaggedNotes == 0)
    }

    /// 40 onsets inside one quarter beat are note spam; 31 are not.
    @Test func flagsNoteSpam() {
        // Onsets k × 0.005 beats for k = 0...39 all lie in [0, 0.25).
        let burst = (0..<40).map { note(60 + $0 % 12, at: Double($0) * 0.005, for: 0.1) }
        let garbage = MIDIAnalyzer.analyze(notes: burst, tempo: 120, timeSignature: .fourFour).garbage
        #expect(garbage.spamNotes == 40)
        #expect(garbage.spamBursts == 1)
        #expect(garbage.maxOnsetsPerQuarterBeat == 40)
        #expect(garbage.flaggedNotes == 40 && garbage.flaggedFraction == 1)

        let calm = MIDIAnalyzer.analyze(notes: Array(burst.prefix(31)), tempo: 120, timeSignature: .fourFour).garbage
        #expect(calm.spamNotes == 0 && calm.spamBursts == 0 && calm.maxOnsetsPerQuarterBeat == 31)

        // Two bursts separated by a bar count as two.
        let twice = burst + burst.map { note($0.pitch, at: $0.startBeat + 4, for: 0.1) }
        let twiceGarbage = MIDIAnalyzer.analyze(notes: twice, tempo: 120, timeSignature: .fourFour).garbage
        #expect(twiceGarbage.spamNotes == 80 && twiceGarbage.spamBursts == 2)
    }

    /// A track with no notes is empty; a format 1 conductor track is not.
    @Test func countsEmptyTracks() throws {
        let tracks = [NoteTrack(name: "bass", notes: cMajorScaleNotes), NoteTrack(name: "pad", channel: 1, notes: [])]
        let analysis = MIDIAnalyzer.analyze(tracks: tracks, tempo: 90, timeSignature: .fourFour)
        #expect(analysis.garbage.emptyTracks == 1)
        #expect(analysis.structure.notesPerTrack == [8, 0])
        #expect(analysis.structure.tracks.map(\.name) == ["bass", "pad"])

        let file = try MIDIAnalyzer.analyze(file: SMFWriter().bytes(for: [tracks[0]]))
        #expect(file.structure.trackCount == 2)
        #expect(file.structure.tracks.map(\.isConductor) == [true, false])
        #expect(file.garbage.emptyTracks == 0)

        let withEmpty = try MIDIAnalyzer.analyze(file: SMFWriter().bytes(for: tracks))
        #expect(withEmpty.garbage.emptyTracks == 1)
    }

    /// Drums on channel 9 count as one instrument, have no pitch classes and are never extreme.
    @Test func drumPatternOnChannel9() {
        // Kick on 1 and 3, snare on 2 and 4, hats on every eighth; plus a very low drum note (pitch 15).
        var hits: [Note] = []
        for beat in 0..<4 {
            hits.append(note(beat % 2 == 0 ? 36 : 38, at: Double(beat), for: 0.25, velocity: 110))
        }
        for eighth in 0..<8 { hits.append(note(42, at: Double(eighth) / 2, for: 0.25, velocity: 70 + eighth)) }
        hits.append(note(15, at: 3.5, for: 0.25))
        let analysis = MIDIAnalyzer.analyze(tracks: [.drums(notes: hits)], tempo: 100, timeSignature: .fourFour)
        #expect(analysis.structure.hasDrums)
        #expect(analysis.structure.instrumentCount == 1 && analysis.structure.programs.isEmpty)
        #expect(analysis.structure.tracks[0].isDrum && analysis.structure.tracks[0].channels == [9])
        #expect(analysis.harmony.pitchedNoteCount == 0 && analysis.harmony.pitchClassEntropyBits == 0)
        #expect(analysis.plausibility.pitchMin == nil)
        #expect(analysis.garbage.extremePitchNotes == 0)
        #expect(analysis.score.component("pitch_class_entropy")?.points == 15)

        // The same low note on a pitched channel is extreme.
        let pitched = MIDIAnalyzer.analyze(notes: [note(15, at: 0)], tempo: 100, timeSignature: .fourFour)
        #expect(pitched.garbage.extremePitchNotes == 1)
    }

    /// Each kind of garbage is counted, and a note with several flags is flagged once.
    @Test func countsGarbageKinds() {
        let notes = [
            note(60, at: 0),  // fine
            note(62, at: 1, for: 0),  // zero-length
            note(64, at: 2, velocity: 0),  // impossible velocity
            note(65, at: 3, velocity: 200),  // impossible velocity
            note(130, at: 4),  // invalid and extreme pitch
            note(10, at: 5),  // extreme pitch
            note(60, at: .nan),  // invalid timing
            note(60, at: 6, for: -1),  // invalid timing
            note(60, at: 2e9),  // invalid timing: past beat 10^9
        ]
        let analysis = MIDIAnalyzer.analyze(notes: notes, tempo: 120, timeSignature: .fourFour)
        let garbage = analysis.garbage
        #expect(garbage.zeroLengthNotes == 1)
        #expect(garbage.impossibleVelocityNotes == 2)
        #expect(garbage.invalidPitchNotes == 1)
        #expect(garbage.extremePitchNotes == 2)
        #expect(garbage.invalidTimingNotes == 3)
        #expect(garbage.flaggedNotes == 8)
        #expect(garbage.flaggedFraction == 8.0 / 9.0)
        #expect(analysis.structure.noteCount == 9)
        #expect(analysis.plausibility.velocityMin == 0 && analysis.plausibility.velocityMax == 200)
        // Only the six valid notes are timed: the last ends at beat 6.
        #expect(analysis.structure.durationBeats == 6)
    }

    /// Onsets off the sixteenth grid by 1/64, 1/32 and −1/64 beat (and one on it) give a mean
    /// deviation of 1/64 beat = 7.8125 ms at 120 BPM; velocities split into on- and off-beat means.
    @Test func measuresHumanisation() {
        let notes = [
            note(60, at: 1.0 / 64, for: 0.5, velocity: 80),
            note(62, at: 1 + 1.0 / 32, for: 0.5, velocity: 90),
            note(64, at: 2 - 1.0 / 64, for: 0.5, velocity: 100),
            note(65, at: 3, for: 0.5, velocity: 110),
        ]
        let humanisation = MIDIAnalyzer.analyze(notes: notes, tempo: 120, timeSignature: .fourFour).humanisation
        // |deviations| 1/64 + 2/64 + 1/64 + 0 = 4/64, over 4 notes = 1/64; signed (1 + 2 − 1)/64/4 = 1/128.
        #expect(humanisation.timingDeviationBeats == 1.0 / 64)
        #expect(humanisation.signedTimingDeviationBeats == 1.0 / 128)
        // A beat lasts 500 ms at 120 BPM: 500/64 = 7.8125 ms.
        #expect(humanisation.timingDeviationMs == 7.8125)
        #expect(humanisation.onGridFraction == 0.25)
        // Velocities 80, 90, 100, 110: mean 95, squared deviations 225 + 25 + 25 + 225 = 500, / 4 = 125.
        #expect(humanisation.velocityVariance == 125)
        #expect(humanisation.distinctVelocities == 4)
        #expect(humanisation.onBeatVelocityMean == 110)
        #expect(humanisation.offBeatVelocityMean == 90)
    }

    /// A three-note chord for one beat then one note for one beat: mean 2 sounding, max 3.
    @Test func measuresPolyphony() {
        let notes = [note(60, at: 0), note(64, at: 0), note(67, at: 0), note(60, at: 1)]
        let structure = MIDIAnalyzer.analyze(notes: notes, tempo: 120, timeSignature: .fourFour).structure
        // Area 3 × 1 + 1 × 1 = 4 over 2 beats of sound.
        #expect(structure.polyphonyMean == 2)
        #expect(structure.polyphonyMax == 3)
        // Silence does not lower the mean: add a note 10 beats later.
        let spaced = MIDIAnalyzer.analyze(notes: notes + [note(60, at: 12)], tempo: 120, timeSignature: .fourFour)
        #expect(spaced.structure.polyphonyMean == 5.0 / 3.0)
    }

    /// C D E F C D E F has 5 pitch 4-grams, one of them a repeat; 4-grams never span tracks.
    @Test func measuresFourGramRepetition() {
        let phrase = [60, 62, 64, 65]
        let twice = (phrase + phrase).enumerated().map { note($1, at: Double($0) / 2, for: 0.5) }
        let plausibility = MIDIAnalyzer.analyze(notes: twice, tempo: 120, timeSignature: .fourFour).plausibility
        #expect(plausibility.pitch4GramCount == 5)
        #expect(plausibility.repeated4GramFraction == 0.2)

        let split = twice.enumerated().map { index, note in
            var note = note
            note.track = index / 4
            return note
        }
        let perTrack = MIDIAnalyzer.analyze(notes: split, tempo: 120, timeSignature: .fourFour).plausibility
        #expect(perTrack.pitch4GramCount == 2 && perTrack.repeated4GramFraction == 0)
    }

    /// Bars follow the time signature: in 3/4, onsets at 0, 0.5 and 7 fill bars 0 and 2 of 3.
    @Test func measuresDensityPerBar() {
        let notes = [note(60, at: 0, for: 0.5), note(62, at: 0.5, for: 0.5), note(64, at: 7, for: 1)]
        let analysis = MIDIAnalyzer.analyze(
            notes: notes,
            tempo: 120,
            timeSignature: TimeSignature(numerator: 3, denominator: 4)
        )
        // A 3/4 bar is 3 beats; the last note ends at beat 8, in bar 2 ([6, 9)).
        #expect(analysis.structure.barCount == 3)
        let density = analysis.plausibility.notesPerBar
        #expect(density.mean == 1 && density.min == 0 && density.max == 2)
    }

    /// A signature change inside a bar starts a new bar there: 4/4 then 3/4 from beat 6 gives bars
    /// [0, 4), [4, 6), [6, 9), [9, 12).
    @Test func restartsBarsAtASignatureChange() {
        let analysis = MIDIAnalyzer.analyze(
            tracks: [NoteTrack(notes: [note(60, at: 10)])],
            tempoMap: TempoMap(bpm: 120),
            timeSignatures: [
                TimeSignatureChange(beat: 0, timeSignature: .fourFour),
                TimeSignatureChange(beat: 6, timeSignature: TimeSignature(numerator: 3, denominator: 4)),
            ]
        )
        #expect(analysis.structure.barCount == 4)
        #expect(analysis.structure.timeSignatureChangeCount == 1)
        #expect(analysis.structure.timeSignatures.map(\.numerator) == [4, 3])
    }

    /// I–IV–V–I, one chord per 4/4 bar: 3 chord changes in 4 bars.
    @Test func measuresChordChanges() {
        let chords = [[60, 64, 67], [65, 69, 72], [67, 71, 74], [60, 64, 67]]
        let notes = chords.enumerated().flatMap { bar, chord in chord.map { note($0, at: Double(bar * 4), for: 4) } }
        let harmony = MIDIAnalyzer.analyze(notes: notes, tempo: 120, timeSignature: .fourFour).harmony
        #expect(harmony.chordChanges == 3)
        #expect(harmony.chordChangesPerBar == 0.75)
    }

    /// Duration in seconds follows the file's tempo map: 2 beats at 120 BPM and 2 at 60 BPM = 3 s.
    @Test func durationFollowsTheTempoMap() throws {
        var writer = SMFWriter(tempo: 120)
        writer.tempos.append(TempoChange(beat: 2, bpm: 60))
        writer.keySignature = KeySignature(sharps: -1, isMinor: true)
        let analysis = try MIDIAnalyzer.analyze(
            file: writer.bytes(for: [NoteTrack(program: 33, notes: [note(40, at: 0, for: 4)])])
        )
        #expect(analysis.source == .smf)
        #expect(analysis.structure.durationSeconds == 3)
        #expect(analysis.structure.initialTempoBPM == 120)
        #expect(analysis.structure.tempoChangeCount == 1)
        #expect(analysis.structure.tempos.map(\.bpm) == [120, 60])
        #expect(analysis.structure.key == "Dm")
        #expect(analysis.structure.programs == [33])
        #expect(analysis.file?.ticksPerQuarter == 480)
        #expect(analysis.file?.format == 1)
        #expect(analysis.file?.lengthSeconds == 3)
    }

    /// Instruments are the programs in effect at each pitched note, plus drums.
    @Test func countsInstrumentsFromProgramChanges() throws {
        let data: [UInt8] =
            [
                0x00, 0xC0, 0x00,  // channel 0: program 0
                0x00, 0x90, 0x3C, 0x64, 0x60, 0x3C, 0x00,  // note at beat 0
                0x82, 0x00, 0xC0, 0x28,  // tick 96 + 256 = 352: program 40
                0x81, 0x00, 0x90, 0x3C, 0x64, 0x60, 0x3C, 0x00,  // tick 480 (beat 5): note
                0x00, 0x99, 0x24, 0x64, 0x60, 0x24, 0x00,  // a drum hit
            ] + SMF.endOfTrack
        let analysis = try MIDIAnalyzer.analyze(file: SMF.file(format: 0, tracks: [data]))
        #expect(analysis.structure.programs == [0, 40])
        #expect(analysis.structure.instrumentCount == 3)
    }

    /// The JSON has the documented snake_case keys and decodes back to an equal value.
    @Test func encodesStableSnakeCaseJSON() throws {
        let analysis = try MIDIAnalyzer.analyze(file: Fixtures.bytes("mido_format1.mid"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(analysis)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "schema_version", "source", "file", "structure", "plausibility", "harmony", "humanisation", "garbage",
                "score",
            ]
        )
        let structure = try #require(object["structure"] as? [String: Any])
        #expect(structure["duration_seconds"] != nil && structure["polyphony_mean"] != nil)
        #expect(structure["notes_per_track"] as? [Int] == [0, 16, 12, 32])
        let score = try #require(object["score"] as? [String: Any])
        let components = try #require(score["components"] as? [[String: Any]])
        #expect(components.map { $0["name"] as? String } == QualityScore.weights.map(\.name))
        #expect(try JSONDecoder().decode(MIDIAnalysis.self, from: data) == analysis)

        let notesOnly = MIDIAnalyzer.analyze(notes: cMajorScaleNotes, tempo: 120, timeSignature: .fourFour)
        let notesObject = try JSONSerialization.jsonObject(with: encoder.encode(notesOnly)) as? [String: Any]
        #expect(notesObject?["file"] == nil)
        #expect(notesObject?["source"] as? String == "notes")
    }

    /// A `stori_add_notes` note decodes from the wire's camelCase JSON; missing fields get the
    /// server's backfill values.
    @Test func decodesToolCallNotes() throws {
        let json = #"[{"pitch":45,"velocity":96,"startBeat":0.0,"durationBeats":0.75},{}]"#
        let notes = try JSONDecoder().decode([Note].self, from: Data(json.utf8))
        #expect(notes == [note(45, at: 0, for: 0.75, velocity: 96), note(60, at: 0, for: 1, velocity: 100)])
    }
}

/// Hostile notes input never traps and never produces a value JSON cannot hold.
@Suite struct HostileNotesTests {
    /// Extreme and non-finite fields analyse without trapping and encode as finite JSON.
    @Test func extremeValuesStillEncode() throws {
        let notes = [
            Note(pitch: .min, velocity: .max, startBeat: .infinity, durationBeats: 1, channel: -4, track: .max),
            Note(pitch: .max, velocity: .min, startBeat: 0, durationBeats: .greatestFiniteMagnitude, channel: 99),
            Note(pitch: 60, velocity: 100, startBeat: 1e9, durationBeats: 0, channel: 9, track: .min),
            Note(pitch: -7, velocity: -1, startBeat: 0.1, durationBeats: 1e-300, channel: 15),
            Note(pitch: 300, velocity: 5_000, startBeat: 2, durationBeats: 3, track: 4),
        ]
        let analysis = MIDIAnalyzer.analyze(
            tracks: [NoteTrack(channel: 99, program: -5, notes: notes), NoteTrack(notes: notes)],
            tempoMap: TempoMap(changes: [TempoChange(beat: .nan, bpm: 0), TempoChange(beat: 1e300, bpm: 1e-300)]),
            timeSignatures: [TimeSignatureChange(beat: -1, timeSignature: TimeSignature(numerator: 0, denominator: 0))],
            keySignatures: [KeySignatureChange(beat: .nan, keySignature: KeySignature(sharps: 100, isMinor: true))]
        )
        let flat = MIDIAnalyzer.analyze(
            notes: notes,
            tempo: .nan,
            timeSignature: TimeSignature(numerator: -3, denominator: 7)
        )
        for result in [analysis, flat] {
            let data = try JSONEncoder().encode(result)
            #expect(try JSONDecoder().decode(MIDIAnalysis.self, from: data) == result)
            #expect(result.score.total >= 0 && result.score.total <= 100)
            #expect(result.garbage.invalidTimingNotes > 0)
        }
        #expect(flat.structure.trackCount == 4)
    }
}
