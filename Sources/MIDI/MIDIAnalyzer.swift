/// Computes `MIDIAnalysis` metrics and the quality score from a Standard MIDI File or from notes.
///
/// Every entry point is a pure function of its input. Metric definitions are on the fields of
/// `MIDIAnalysis` and in `Docs/midi-metrics.md`.
public enum MIDIAnalyzer {
    /// Reads and analyses a Standard MIDI File.
    public static func analyze(
        file bytes: [UInt8],
        limits: StandardMIDIFile.Limits = StandardMIDIFile.Limits()
    ) throws(MIDIFileError) -> MIDIAnalysis {
        analyze(try StandardMIDIFile(bytes: bytes, limits: limits))
    }

    /// Analyses a Standard MIDI File already read.
    public static func analyze(_ file: StandardMIDIFile) -> MIDIAnalysis {
        let tracks = file.tracks.map { track in
            AnalysisInput.Track(
                index: track.index,
                name: track.name,
                isConductor: file.format == .multiTrack && track.index == 0 && track.channelEventCount == 0
            )
        }
        var frames: (Int?, Int?) = (nil, nil)
        if case .smpte(let framesPerSecond, let ticksPerFrame) = file.division {
            frames = (framesPerSecond, ticksPerFrame)
        }
        let facts = MIDIAnalysis.FileFacts(
            format: file.format.rawValue,
            ticksPerQuarter: file.ticksPerQuarter,
            smpteFramesPerSecond: frames.0,
            smpteTicksPerFrame: frames.1,
            byteCount: file.byteCount,
            trackChunks: file.tracks.count,
            skippedChunks: file.skippedChunkCount,
            eventCount: file.tracks.reduce(0) { $0 + $1.eventCount },
            otherMetaEvents: file.tracks.reduce(0) { $0 + $1.metaEvents.count },
            sysexEvents: file.tracks.reduce(0) { $0 + $1.sysexEvents.count },
            orphanNoteOffs: file.orphanNoteOffs,
            unterminatedNotes: file.unterminatedNotes,
            lengthBeats: file.lengthBeats,
            lengthSeconds: file.lengthSeconds
        )
        let input = AnalysisInput(
            source: .smf,
            file: facts,
            notes: file.notes,
            tracks: tracks,
            programChanges: file.programChanges,
            tempoMap: file.tempoMap,
            timeSignatures: file.timeSignatures,
            keySignatures: file.keySignatures
        )
        return input.analyze()
    }

    /// Analyses a flat list of notes (for example every note of a run's `stori_add_notes` calls)
    /// at one tempo and time signature.
    ///
    /// Tracks are the distinct `track` values of the notes, in ascending order; channels are taken
    /// from the notes (channel 9 is drums); no program is known, so every pitched channel counts as
    /// program 0. Use `analyze(tracks:tempo:timeSignature:keySignature:)` to give names, programs and
    /// empty tracks.
    public static func analyze(
        notes: [Note],
        tempo: Double,
        timeSignature: TimeSignature,
        keySignature: KeySignature? = nil
    ) -> MIDIAnalysis {
        let trackValues = Array(Set(notes.map(\.track))).sorted()
        var position: [Int: Int] = [:]
        for (offset, value) in trackValues.enumerated() { position[value] = offset }
        let remapped = notes.map { note -> Note in
            var note = note
            note.track = position[note.track] ?? 0
            return note
        }
        let input = AnalysisInput(
            source: .notes,
            file: nil,
            notes: remapped,
            tracks: trackValues.map { AnalysisInput.Track(index: $0, name: nil, isConductor: false) },
            programChanges: [],
            tempoMap: TempoMap(bpm: tempo),
            timeSignatures: [TimeSignatureChange(beat: 0, timeSignature: timeSignature)],
            keySignatures: keySignature.map { [KeySignatureChange(beat: 0, keySignature: $0)] } ?? []
        )
        return input.analyze()
    }

    /// Analyses notes grouped into tracks (for example one track per `stori_add_midi_track` or per
    /// role) at one tempo and time signature.
    ///
    /// Each track's notes play on the track's channel with the track's program (a program change at
    /// beat 0); the notes' own `channel` and `track` fields are ignored. A track with no notes counts
    /// as empty.
    public static func analyze(
        tracks: [NoteTrack],
        tempo: Double,
        timeSignature: TimeSignature,
        keySignature: KeySignature? = nil
    ) -> MIDIAnalysis {
        analyze(
            tracks: tracks,
            tempoMap: TempoMap(bpm: tempo),
            timeSignatures: [TimeSignatureChange(beat: 0, timeSignature: timeSignature)],
            keySignatures: keySignature.map { [KeySignatureChange(beat: 0, keySignature: $0)] } ?? []
        )
    }

    /// Analyses notes grouped into tracks under a full tempo map and time- and key-signature lists.
    public static func analyze(
        tracks: [NoteTrack],
        tempoMap: TempoMap,
        timeSignatures: [TimeSignatureChange],
        keySignatures: [KeySignatureChange] = []
    ) -> MIDIAnalysis {
        var notes: [Note] = []
        notes.reserveCapacity(tracks.reduce(0) { $0 + $1.notes.count })
        var programs: [ProgramChange] = []
        for (index, track) in tracks.enumerated() {
            for var note in track.notes {
                note.track = index
                note.channel = track.channel
                notes.append(note)
            }
            if let program = track.program {
                programs.append(ProgramChange(beat: 0, channel: track.channel, program: program, track: index))
            }
        }
        let input = AnalysisInput(
            source: .notes,
            file: nil,
            notes: notes,
            tracks: tracks.enumerated().map {
                AnalysisInput.Track(index: $0.offset, name: $0.element.name, isConductor: false)
            },
            programChanges: programs,
            tempoMap: tempoMap,
            timeSignatures: timeSignatures,
            keySignatures: keySignatures
        )
        return input.analyze()
    }
}
