import MIDI
import Testing

/// A random set of tracks whose notes lie on the tick grid and pair unambiguously (see `SMFWriter`).
struct GeneratedSong {
    var ticksPerQuarter: Int
    var tracks: [NoteTrack]
    var tempos: [TempoChange]
    var timeSignatures: [TimeSignatureChange]

    init(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let perQuarter = [96, 120, 192, 480, 960][Int.random(in: 0..<5, using: &random)]
        ticksPerQuarter = perQuarter
        func beat(_ ticks: Int) -> Double { Double(ticks) / Double(perQuarter) }

        var channels = Array(0..<16)
        channels.shuffle(using: &random)
        tracks = (0..<Int.random(in: 1...5, using: &random)).map { index in
            var notes: [Note] = []
            for _ in 0..<Int.random(in: 0...60, using: &random) {
                let start = Int.random(in: 0...(perQuarter * 32), using: &random)
                // One note in eight is zero-length; the rest last 1 tick to 4 beats.
                let length =
                    Int.random(in: 0..<8, using: &random) == 0
                    ? 0 : Int.random(in: 1...(perQuarter * 4), using: &random)
                // A narrow pitch range makes same-pitch overlaps common.
                let pitch =
                    Int.random(in: 0..<4, using: &random) == 0
                    ? Int.random(in: 0...127, using: &random) : Int.random(in: 60...63, using: &random)
                notes.append(
                    Note(
                        pitch: pitch,
                        velocity: Int.random(in: 1...127, using: &random),
                        startBeat: beat(start),
                        durationBeats: beat(length)
                    )
                )
            }
            // Keep only notes whose end is not before the end of an earlier-starting note of the same
            // pitch (ordering by start then duration), so first-in-first-out pairing is unambiguous.
            var lastEnd: [Int: Double] = [:]
            notes = notes.sorted { ($0.startBeat, $0.durationBeats) < ($1.startBeat, $1.durationBeats) }.filter {
                note in
                guard note.endBeat >= lastEnd[note.pitch, default: 0] else { return false }
                lastEnd[note.pitch] = note.endBeat
                return true
            }
            notes.shuffle(using: &random)  // the writer must not depend on input order
            let isDrums = channels[index] == NoteTrack.drumChannel
            return NoteTrack(
                name: Int.random(in: 0..<3, using: &random) == 0 ? nil : "track \(index)",
                channel: channels[index],
                program: isDrums ? nil : Int.random(in: 0...127, using: &random),
                notes: notes
            )
        }
        tempos = [TempoChange(beat: 0, microsecondsPerQuarter: Int.random(in: 300_000...1_000_000, using: &random))]
        var tempoTicks = Set<Int>()
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            tempoTicks.insert(Int.random(in: 1...(perQuarter * 32), using: &random))
        }
        for tick in tempoTicks.sorted() {
            tempos.append(
                TempoChange(beat: beat(tick), microsecondsPerQuarter: Int.random(in: 1...0xFF_FFFF, using: &random))
            )
        }
        timeSignatures = [TimeSignatureChange(beat: 0, timeSignature: .fourFour)]
        if Bool.random(using: &random) {
            let signature = TimeSignature(
                numerator: Int.random(in: 1...15, using: &random),
                denominator: 1 << Int.random(in: 0...5, using: &random)
            )
            timeSignatures.append(TimeSignatureChange(beat: beat(perQuarter * 16), timeSignature: signature))
        }
    }

    /// The notes the reader should give back: each note on its track's channel, numbered as the
    /// writer lays tracks out.
    func expectedNotes(format: SMFWriter.Format) -> [Note] {
        tracks.enumerated().flatMap { index, track in
            track.notes.map { note in
                var note = note
                note.channel = track.channel
                note.track = format == .multiTrack ? index + 1 : 0
                return note
            }
        }
    }
}

/// Notes, tempos, meters and names survive writer → reader unchanged.
@Suite struct RoundTripTests {
    /// Over 300 seeds, both formats and every encoding option, the reader gives back exactly the
    /// notes, tempo map and time signatures written.
    @Test(arguments: [SMFWriter.Format.singleTrack, .multiTrack])
    func generatedSongsRoundTripExactly(format: SMFWriter.Format) throws {
        for seed in UInt64(1)...300 {
            let song = GeneratedSong(seed: seed)
            var writer = SMFWriter(format: format, ticksPerQuarter: song.ticksPerQuarter)
            writer.tempos = song.tempos
            writer.timeSignatures = song.timeSignatures
            writer.noteOffEncoding = seed % 2 == 0 ? .noteOnWithZeroVelocity : .noteOff
            writer.usesRunningStatus = seed % 3 != 0
            let file = try StandardMIDIFile(bytes: writer.bytes(for: song.tracks))

            let expected = song.expectedNotes(format: format).canonical
            let actual = file.notes.canonical
            guard actual == expected else {
                // Report the first difference only: whole lists of a few hundred notes are unreadable.
                let index =
                    zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                    ?? min(actual.count, expected.count)
                let got = index < actual.count ? "\(actual[index])" : "nothing"
                let wanted = index < expected.count ? "\(expected[index])" : "nothing"
                Issue.record("seed \(seed): note \(index) is \(got), expected \(wanted)")
                break
            }
            #expect(file.tempoMap.changes == song.tempos, "seed \(seed)")
            #expect(file.timeSignatures == song.timeSignatures, "seed \(seed)")
            #expect(file.orphanNoteOffs == 0 && file.unterminatedNotes == 0, "seed \(seed)")
            #expect(file.format.rawValue == format.rawValue)
            #expect(file.ticksPerQuarter == song.ticksPerQuarter)
            if format == .multiTrack {
                #expect(file.tracks.count == song.tracks.count + 1)
                #expect(file.tracks.dropFirst().map(\.name) == song.tracks.map(\.name), "seed \(seed)")
                let programs = song.tracks.compactMap { track in
                    track.program.map { ProgramChange(beat: 0, channel: track.channel, program: $0) }
                }
                #expect(
                    file.programChanges.map { ProgramChange(beat: $0.beat, channel: $0.channel, program: $0.program) }
                        == programs
                )
            } else {
                #expect(file.tracks.count == 1)
            }
        }
    }

    /// The smallest file is byte-for-byte what the specification gives, worked out by hand.
    @Test func writesTheExpectedBytes() {
        let writer = SMFWriter(format: .singleTrack, ticksPerQuarter: 96, tempo: 120)
        let bytes = writer.bytes(for: [NoteTrack(notes: [note(60, at: 0, for: 1, velocity: 100)])])
        let expected: [UInt8] =
            Array("MThd".utf8) + [0, 0, 0, 6, 0, 0, 0, 1, 0, 96]
            + Array("MTrk".utf8) + [0, 0, 0, 26]
            + [0x00, 0xFF, 0x58, 0x04, 0x04, 0x02, 0x18, 0x08]  // 4/4: denominator 2^2, 24 clocks, 8 32nds
            + [0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20]  // 500000 µs per quarter = 120 BPM
            + [0x00, 0x90, 0x3C, 0x64]  // C4 on, velocity 100
            + [0x60, 0x3C, 0x00]  // 96 ticks later, running status, velocity 0 = off
            + [0x00, 0xFF, 0x2F, 0x00]  // end of track
        #expect(bytes == expected)
    }

    /// Title, key signature, program and channel come back from a format 1 file.
    @Test func writesConductorAndTrackMetadata() throws {
        let writer = SMFWriter(
            format: .multiTrack,
            tempo: 90,
            timeSignature: TimeSignature(numerator: 6, denominator: 8),
            keySignature: KeySignature(sharps: 0, isMinor: true),
            title: "Boom Bap"
        )
        let tracks = [
            NoteTrack(name: "Bass", channel: 0, program: 33, notes: [note(45, at: 0, for: 0.75, velocity: 96)]),
            NoteTrack.drums(notes: [note(36, at: 0, for: 0.25, velocity: 110)]),
        ]
        let file = try StandardMIDIFile(bytes: writer.bytes(for: tracks))
        #expect(file.tracks.map(\.name) == ["Boom Bap", "Bass", "drums"])
        #expect(file.keySignatures.map(\.keySignature.name) == ["Am"])
        #expect(file.timeSignatures.map(\.timeSignature) == [TimeSignature(numerator: 6, denominator: 8)])
        // 60,000,000 / 90 = 666,666.67, rounded to 666,667 µs.
        #expect(file.tempoMap.changes.map(\.microsecondsPerQuarter) == [666_667])
        #expect(file.programChanges == [ProgramChange(beat: 0, channel: 0, program: 33, track: 1)])
        #expect(file.notes.map(\.channel) == [0, 9])
        #expect(file.tracks.allSatisfy { $0.hasEndOfTrack })
    }

    /// Out-of-range input is clamped, never trapped on: the output is still a valid file.
    @Test func clampsOutOfRangeInput() throws {
        var writer = SMFWriter(format: .singleTrack, ticksPerQuarter: 100_000, tempo: -5)
        writer.tempos.append(TempoChange(beat: .nan, bpm: .infinity))
        let tracks = [
            NoteTrack(
                channel: 99,
                program: 500,
                notes: [
                    Note(pitch: 200, velocity: 0, startBeat: -3, durationBeats: 1),
                    Note(pitch: -1, velocity: 300, startBeat: 1e12, durationBeats: .nan),
                    Note(pitch: 60, velocity: 64, startBeat: 1, durationBeats: 1e-9),
                ]
            )
        ]
        let file = try StandardMIDIFile(bytes: writer.bytes(for: tracks))
        // Ticks per quarter clamps to 32767; the huge start clamps to 2^28 − 1 ticks.
        #expect(file.ticksPerQuarter == 32767)
        #expect(
            file.notes == [
                Note(pitch: 127, velocity: 1, startBeat: 0, durationBeats: 1, channel: 15),
                Note(pitch: 60, velocity: 64, startBeat: 1, durationBeats: 1.0 / 32767, channel: 15),
                Note(
                    pitch: 0,
                    velocity: 127,
                    startBeat: Double(SMFWriter.maxTick) / 32767,
                    durationBeats: 0,
                    channel: 15
                ),
            ]
        )
        #expect(file.programChanges.map(\.program) == [127])
        #expect(file.tempoMap.changes.map(\.bpm) == [120])
    }
}
