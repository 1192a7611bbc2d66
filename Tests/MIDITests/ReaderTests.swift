import MIDI
import Testing

/// Hand-made files, one reader feature each; expected values are worked out in the comments.
@Suite struct ReaderTests {
    /// A format 0 file with one note gives that note in beats (96 ticks = 1 beat at 96 per quarter).
    @Test func readsOneNoteInFormat0() throws {
        let bytes = SMF.file(
            format: 0,
            division: 96,
            tracks: [
                [
                    0x00, 0x90, 0x3C, 0x64,  // tick 0: note-on C4 velocity 100
                    0x60, 0x80, 0x3C, 0x40,  // delta 0x60 = 96: note-off C4
                ] + SMF.endOfTrack
            ]
        )
        let file = try StandardMIDIFile(bytes: bytes)
        #expect(file.format == .singleTrack)
        #expect(file.division == .ticksPerQuarter(96))
        #expect(file.notes == [note(60, at: 0, for: 1, velocity: 100)])
        #expect(file.tracks.count == 1)
        #expect(file.tracks[0].eventCount == 3)
        #expect(file.tracks[0].hasEndOfTrack)
        #expect(file.lengthBeats == 1)
        #expect(file.lengthSeconds == 0.5)  // 1 beat at the default 120 BPM
    }

    /// Variable-length quantities decode at every byte-count boundary, up to the 4-byte maximum.
    @Test func decodesVariableLengthQuantitiesAtEveryBoundary() throws {
        // Each delta is followed by an empty marker meta event (FF 06 00); ticks accumulate:
        // 0x7F = 127; +0x80 = 255; +0x3FFF (16383) = 16638; +0x4000 (16384) = 33022;
        // +0x1FFFFF (2097151) = 2130173; +0x200000 (2097152) = 4227325; +0x0FFFFFFF (268435455) = 272662780.
        let deltas: [[UInt8]] = [
            [0x7F], [0x81, 0x00], [0xFF, 0x7F], [0x81, 0x80, 0x00],
            [0xFF, 0xFF, 0x7F], [0x81, 0x80, 0x80, 0x00], [0xFF, 0xFF, 0xFF, 0x7F],
        ]
        let data = deltas.flatMap { $0 + [0xFF, 0x06, 0x00] } + SMF.endOfTrack
        let file = try StandardMIDIFile(bytes: SMF.file(format: 0, tracks: [data]))
        #expect(file.tracks[0].metaEvents.map(\.tick) == [127, 255, 16638, 33022, 2_130_173, 4_227_325, 272_662_780])
        #expect(file.tracks[0].endTick == 272_662_780)
    }

    /// Running status: data bytes after a note-on reuse its status, and velocity 0 ends notes.
    @Test func readsRunningStatusAndVelocityZeroNoteOffs() throws {
        let data: [UInt8] =
            [
                0x00, 0x90, 0x3C, 0x64,  // tick 0: note-on C4
                0x00, 0x40, 0x65,  // running status 0x90: E4 velocity 101
                0x00, 0x43, 0x66,  // G4 velocity 102
                0x60, 0x3C, 0x00,  // tick 96: C4 velocity 0 = note-off
                0x00, 0x40, 0x00,
                0x00, 0x43, 0x00,
            ] + SMF.endOfTrack
        let file = try StandardMIDIFile(bytes: SMF.file(format: 0, tracks: [data]))
        #expect(
            file.notes == [
                note(60, at: 0, for: 1, velocity: 100), note(64, at: 0, for: 1, velocity: 101),
                note(67, at: 0, for: 1, velocity: 102),
            ]
        )
        #expect(file.tracks[0].channelEventCount == 6)
    }

    /// Overlapping notes of one pitch pair first in, first out: the first off ends the first on.
    @Test func pairsOverlappingSamePitchNotesFirstInFirstOut() throws {
        let data: [UInt8] =
            [
                0x00, 0x90, 0x3C, 0x50,  // tick 0: C4 velocity 80
                0x30, 0x90, 0x3C, 0x60,  // tick 48: C4 velocity 96 while the first still sounds
                0x30, 0x80, 0x3C, 0x40,  // tick 96: ends the oldest: [0, 96] = 1 beat
                0x60, 0x80, 0x3C, 0x40,  // tick 192: ends the second: [48, 192] = 0.5 + 1.5 beats
            ] + SMF.endOfTrack
        let file = try StandardMIDIFile(bytes: SMF.file(format: 0, tracks: [data]))
        #expect(file.notes == [note(60, at: 0, for: 1, velocity: 80), note(60, at: 0.5, for: 1.5, velocity: 96)])
        #expect(file.orphanNoteOffs == 0)
        #expect(file.unterminatedNotes == 0)
    }

    /// Tempo, time signature, key signature and track name are decoded; other meta events are kept;
    /// events after end-of-track are ignored.
    @Test func decodesMetaEvents() throws {
        let data: [UInt8] = [
            0x00, 0xFF, 0x03, 0x04, 0x42, 0x61, 0x73, 0x73,  // track name "Bass"
            0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20,  // tempo 0x07A120 = 500000 µs (120 BPM)
            0x00, 0xFF, 0x58, 0x04, 0x06, 0x03, 0x18, 0x08,  // 6/2^3 = 6/8
            0x00, 0xFF, 0x59, 0x02, 0xFD, 0x01,  // 0xFD = −3: three flats, minor = C minor
            0x00, 0xFF, 0x01, 0x03, 0x61, 0x62, 0x63,  // text "abc": kept
            0x00, 0xFF, 0x7F, 0x02, 0x00, 0x01,  // sequencer-specific: kept
            0x00, 0xFF, 0x51, 0x02, 0x01, 0x02,  // tempo with length 2: invalid, kept uninterpreted
            0x60, 0xFF, 0x51, 0x03, 0x03, 0xD0, 0x90,  // tick 96 (beat 1): tempo 0x03D090 = 250000 µs
            0x00, 0xFF, 0x2F, 0x00,  // end of track at tick 96
            0x00, 0x90, 0x3C, 0x64,  // after the end: ignored
        ]
        let file = try StandardMIDIFile(bytes: SMF.file(format: 0, tracks: [data]))
        let track = file.tracks[0]
        #expect(track.name == "Bass")
        #expect(
            file.tempoMap.changes == [
                TempoChange(beat: 0, microsecondsPerQuarter: 500_000),
                TempoChange(beat: 1, microsecondsPerQuarter: 250_000),
            ]
        )
        // Beat 3: one beat at 0.5 s, then two beats at 0.25 s = 1.0 s.
        #expect(file.tempoMap.seconds(atBeat: 3) == 1.0)
        #expect(
            file.timeSignatures == [
                TimeSignatureChange(beat: 0, timeSignature: TimeSignature(numerator: 6, denominator: 8))
            ]
        )
        #expect(file.keySignatures.map(\.keySignature.name) == ["Cm"])
        #expect(file.keySignatures.first?.keySignature == KeySignature(sharps: -3, isMinor: true))
        #expect(track.metaEvents.map(\.type) == [0x01, 0x7F, 0x51])
        #expect(track.metaEvents.first?.text == "abc")
        #expect(file.notes.isEmpty)
        #expect(track.eventCount == 9)
        #expect(track.endTick == 96)
    }

    /// Sysex (F0) and escape (F7) events are kept with their data and leave running status alone.
    @Test func readsSysexAndEscapeEvents() throws {
        let data: [UInt8] =
            [
                0x00, 0xF0, 0x05, 0x7E, 0x7F, 0x09, 0x01, 0xF7,  // sysex, 5 data bytes (ends with F7)
                0x00, 0xF7, 0x02, 0xF3, 0x01,  // escape: raw bytes F3 01
                0x00, 0x90, 0x3C, 0x64,  // note-on C4
                0x00, 0xF0, 0x01, 0xF7,  // another sysex
                0x60, 0x3C, 0x00,  // running status 0x90 still in effect: C4 off at tick 96
            ] + SMF.endOfTrack
        let file = try StandardMIDIFile(bytes: SMF.file(format: 0, tracks: [data]))
        let sysex = file.tracks[0].sysexEvents
        #expect(sysex.map(\.isEscape) == [false, true, false])
        #expect(sysex.map(\.data) == [[0x7E, 0x7F, 0x09, 0x01, 0xF7], [0xF3, 0x01], [0xF7]])
        #expect(file.notes == [note(60, at: 0, for: 1)])
    }

    /// Unknown chunks are skipped, a long header's extra bytes are skipped, and bytes after the
    /// declared tracks are ignored.
    @Test func skipsUnknownChunksAndTrailingBytes() throws {
        let noteTrack: [UInt8] = [0x00, 0x90, 0x3C, 0x64, 0x60, 0x80, 0x3C, 0x40] + SMF.endOfTrack
        var bytes = Array("MThd".utf8) + [0, 0, 0, 8] + [0, 1, 0, 2, 0, 96] + [0xAB, 0xCD]  // 16 bytes
        bytes += SMF.chunk("XFIH", [1, 2, 3])  // bytes 16...26
        bytes += SMF.track(SMF.endOfTrack)  // MTrk at byte 27, 12 bytes
        bytes += SMF.chunk("abcd", [])  // at byte 39, 8 bytes
        bytes += SMF.track(noteTrack)  // MTrk at byte 47
        bytes += [0x01, 0x02, 0x03]  // trailing garbage
        let file = try StandardMIDIFile(bytes: bytes)
        #expect(file.skippedChunkCount == 2)
        #expect(file.tracks.map(\.byteOffset) == [27, 47])
        #expect(file.notes == [note(60, at: 0, for: 1, track: 1)])
        #expect(file.byteCount == bytes.count)
    }

    /// In format 1 a tempo in the first track times notes in the others; notes carry their track.
    @Test func readsFormat1TracksWithASharedTempoMap() throws {
        let conductor: [UInt8] = [0x00, 0xFF, 0x51, 0x03, 0x09, 0x27, 0xC0] + SMF.endOfTrack  // 600000 µs = 100 BPM
        let melody: [UInt8] =
            [
                0x81, 0x40, 0x91, 0x40, 0x50,  // delta 0x81 0x40 = 192: E4 on channel 1 at beat 2
                0x60, 0x91, 0x40, 0x00,  // tick 288: off (1 beat)
            ] + SMF.endOfTrack
        let file = try StandardMIDIFile(bytes: SMF.file(format: 1, division: 96, tracks: [conductor, melody]))
        #expect(file.format == .multiTrack)
        #expect(file.notes == [note(64, at: 2, for: 1, velocity: 80, channel: 1, track: 1)])
        // Beat 2 at 0.6 s per beat is 1.2 s.
        #expect(file.tempoMap.seconds(atBeat: file.notes[0].startBeat) == 1.2)
        #expect(file.tracks[0].channelEventCount == 0)
    }

    /// Format 2 sequences each start at beat 0.
    @Test func readsFormat2Sequences() throws {
        let first: [UInt8] = [0x00, 0x90, 0x3C, 0x64, 0x60, 0x80, 0x3C, 0x40] + SMF.endOfTrack
        let second: [UInt8] = [0x00, 0x91, 0x48, 0x64, 0x30, 0x81, 0x48, 0x40] + SMF.endOfTrack
        let file = try StandardMIDIFile(bytes: SMF.file(format: 2, division: 96, tracks: [first, second]))
        #expect(file.format == .multiSequence)
        #expect(file.notes == [note(60, at: 0, for: 1), note(72, at: 0, for: 0.5, channel: 1, track: 1)])
    }

    /// An SMPTE division times ticks in seconds: 25 fps × 40 ticks = 1000 ticks per second, and a
    /// beat is defined as half a second.
    @Test func readsSMPTEDivision() throws {
        let data: [UInt8] =
            [
                0x00, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40,  // a tempo: ignored for timing, kept as meta
                0x00, 0x90, 0x3C, 0x64,
                0x87, 0x68, 0x80, 0x3C, 0x40,  // delta 0x87 0x68 = 7 × 128 + 104 = 1000 ticks = 1 s
            ] + SMF.endOfTrack
        // Division word: high byte −25 = 0xE7, low byte 40 ticks per frame.
        let file = try StandardMIDIFile(bytes: SMF.file(format: 0, division: 0xE728, tracks: [data]))
        #expect(file.division == .smpte(framesPerSecond: 25, ticksPerFrame: 40))
        #expect(file.notes == [note(60, at: 0, for: 2)])
        #expect(file.lengthSeconds == 1)
        #expect(file.tempoMap.changes.count == 1)
        #expect(file.tracks[0].metaEvents.map(\.type) == [0x51])

        // 29 means 29.97 drop-frame: 100 ticks per frame is 30000/1001 × 100 ticks per second.
        let dropFrame = try StandardMIDIFile(bytes: SMF.file(format: 0, division: 0xE364, tracks: [data]))
        #expect(dropFrame.division == .smpte(framesPerSecond: 29, ticksPerFrame: 100))
        #expect(dropFrame.notes[0].durationBeats == 1000 / (30_000.0 / 1_001.0 * 100) * 2)
    }

    /// A note-off with nothing open is counted, and a note-on left open is counted apart and is no note: it is
    /// neither stretched to the end of its track nor counted in the track's notes.
    @Test func countsOrphanNoteOffsAndSetsApartUnterminatedNotes() throws {
        let data: [UInt8] = [
            0x00, 0x80, 0x40, 0x40,  // off for E4, never started
            0x00, 0x90, 0x3C, 0x64,  // C4 on at tick 0, never ended
            0x00, 0x90, 0x43, 0x64,  // G4 on at tick 0
            0x30, 0x80, 0x43, 0x40,  // G4 off at tick 48: half a beat
            0x30, 0xFF, 0x2F, 0x00,  // end of track at tick 96
        ]
        let file = try StandardMIDIFile(bytes: SMF.file(format: 0, tracks: [data]))
        #expect(file.orphanNoteOffs == 1)
        #expect(file.unterminatedNotes == 1)
        #expect(file.notes == [note(67, at: 0, for: 0.5)])
        #expect(file.tracks[0].noteCount == 1)
        let analysis = MIDIAnalyzer.analyze(file)
        #expect(analysis.structure.noteCount == 1 && analysis.structure.notesPerTrack == [1])
        #expect(analysis.structure.polyphonyMax == 1)
        #expect(analysis.file?.unterminatedNotes == 1)
    }

    /// `first_tempo_bpm` is the earliest tempo event even when it comes after beat 0 (the music starts at the
    /// default 120 there), and is absent when the file gives none; the pitch range leaves drums out, the range
    /// with drums takes every note.
    @Test func firstTempoAndPitchRangesWithAndWithoutDrums() throws {
        let data: [UInt8] = [
            0x00, 0x99, 0x24, 0x64,  // kick (note 36) on the drum channel
            0x00, 0x90, 0x3C, 0x64,  // C4
            0x60, 0x89, 0x24, 0x40,
            0x00, 0x80, 0x3C, 0x40,
            0x83, 0x00, 0xFF, 0x51, 0x03, 0x09, 0x27, 0xC0,  // at beat 5: 600,000 µs per quarter, 100 BPM
            0x00, 0x90, 0x48, 0x64,  // C5
            0x60, 0x80, 0x48, 0x40,
            0x00, 0xFF, 0x2F, 0x00,
        ]
        let analysis = MIDIAnalyzer.analyze(try StandardMIDIFile(bytes: SMF.file(format: 0, tracks: [data])))
        #expect(analysis.structure.initialTempoBPM == 120)
        #expect(analysis.structure.firstTempoBPM == 100)
        #expect(analysis.plausibility.pitchMin == 60 && analysis.plausibility.pitchMax == 72)
        #expect(analysis.plausibility.pitchMinWithDrums == 36 && analysis.plausibility.pitchMaxWithDrums == 72)
        let oneNote: [UInt8] = [0x00, 0x90, 0x3C, 0x64, 0x60, 0x80, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00]
        let noTempo = MIDIAnalyzer.analyze(try StandardMIDIFile(bytes: SMF.file(format: 0, tracks: [oneNote])))
        #expect(noTempo.structure.firstTempoBPM == nil && noTempo.structure.initialTempoBPM == 120)
    }

    /// Every channel message length is right: one data byte for program and pressure, two otherwise.
    @Test func readsEveryChannelMessageKind() throws {
        let data: [UInt8] =
            [
                0x00, 0xB0, 0x07, 0x64,  // control change
                0x00, 0xC1, 0x21,  // program change, channel 1, program 33
                0x00, 0xD1, 0x40,  // channel pressure
                0x00, 0x91, 0x3C, 0x64,  // note-on channel 1
                0x00, 0xE1, 0x00, 0x40,  // pitch bend
                0x00, 0xA1, 0x3C, 0x20,  // polyphonic aftertouch
                0x60, 0x81, 0x3C, 0x00,  // note-off
            ] + SMF.endOfTrack
        let file = try StandardMIDIFile(bytes: SMF.file(format: 0, tracks: [data]))
        #expect(file.programChanges == [ProgramChange(beat: 0, channel: 1, program: 33, track: 0)])
        #expect(file.notes == [note(60, at: 0, for: 1, channel: 1)])
        #expect(file.tracks[0].channelEventCount == 7)
    }

    /// A track without an end-of-track event is still read to its chunk's end.
    @Test func acceptsATrackWithoutEndOfTrack() throws {
        let file = try StandardMIDIFile(
            bytes: SMF.file(format: 0, tracks: [[0x00, 0x90, 0x3C, 0x64, 0x60, 0x80, 0x3C, 0x40]])
        )
        #expect(!file.tracks[0].hasEndOfTrack)
        #expect(file.tracks[0].endTick == 96)
        #expect(file.notes.count == 1)
    }

    /// A key signature's name follows the circle of fifths in both modes.
    @Test func namesKeySignatures() {
        #expect(KeySignature(sharps: 0, isMinor: false).name == "C")
        #expect(KeySignature(sharps: -2, isMinor: false).name == "Bb")
        #expect(KeySignature(sharps: 6, isMinor: false).name == "F#")
        #expect(KeySignature(sharps: 0, isMinor: true).name == "Am")
        #expect(KeySignature(sharps: 4, isMinor: true).name == "C#m")
        #expect(KeySignature(sharps: -7, isMinor: true).name == "Abm")
        #expect(KeySignature(sharps: 9, isMinor: false).name == "?")
    }

    /// The tempo map integrates across changes and keeps the last of two changes at one beat.
    @Test func tempoMapIntegratesAcrossChanges() {
        let map = TempoMap(changes: [
            TempoChange(beat: 4, bpm: 60), TempoChange(beat: 4, bpm: 240), TempoChange(beat: 0, bpm: 120),
        ])
        #expect(map.changes.map(\.bpm) == [120, 240])
        // 4 beats at 0.5 s, then 2 beats at 0.25 s.
        #expect(map.seconds(atBeat: 6) == 2.5)
        #expect(map.tempo(atBeat: 3.9).bpm == 120)
        #expect(TempoMap(changes: []).changes == [TempoChange(beat: 0, microsecondsPerQuarter: 500_000)])
    }
}
