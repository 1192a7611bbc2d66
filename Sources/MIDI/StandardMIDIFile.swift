/// A Standard MIDI File, read into notes, tempo map, signatures and per-track facts.
///
/// Read one with `StandardMIDIFile(bytes:)`; write one with `SMFWriter`. Everything here is
/// derived from the bytes alone (no I/O). Times are in beats: `tick / ticksPerQuarter` for a
/// metrical division; for an SMPTE division, where ticks are absolute time, a beat is defined as
/// half a second (a nominal 120 BPM) and the tempo map is that constant tempo (the file's set-tempo
/// events are then kept as uninterpreted meta events, since they do not affect SMPTE timing).
///
/// Format 2 files (independent sequences) are read like format 1: every track starts at beat 0 and
/// tempo events from all tracks form one tempo map.
public struct StandardMIDIFile: Sendable, Hashable {
    /// The header's format word.
    public enum Format: Int, Sendable, Hashable, Codable {
        /// Format 0: one track holding every channel.
        case singleTrack = 0
        /// Format 1: simultaneous tracks sharing one tempo map.
        case multiTrack = 1
        /// Format 2: independent single-track sequences.
        case multiSequence = 2
    }

    /// The header's division word: how long a tick is.
    public enum Division: Sendable, Hashable {
        /// Metrical time: ticks per quarter note (1...32767).
        case ticksPerQuarter(Int)
        /// Absolute time: SMPTE frames per second (24, 25, 29 for 29.97 drop-frame, 30) and ticks
        /// per frame.
        case smpte(framesPerSecond: Int, ticksPerFrame: Int)
    }

    /// Bounds that stop a hostile file from making the reader allocate without limit.
    ///
    /// Chunk lengths are always checked against the bytes actually present, so a declared length
    /// never causes an allocation; these limits bound what the events themselves make.
    public struct Limits: Sendable, Hashable {
        /// Most track chunks the header may declare.
        public var maxTracks: Int
        /// Most events (channel, meta, sysex) in the whole file.
        public var maxEvents: Int
        /// Most notes in the whole file.
        public var maxNotes: Int
        /// Largest absolute time in ticks an event may reach (keeps beats exact in a `Double`).
        public var maxTicks: Int

        /// Creates limits; the defaults allow 1,024 tracks, 40 million events, 10 million notes and
        /// 2^48 ticks.
        public init(
            maxTracks: Int = 1024,
            maxEvents: Int = 40_000_000,
            maxNotes: Int = 10_000_000,
            maxTicks: Int = 1 << 48
        ) {
            self.maxTracks = maxTracks
            self.maxEvents = maxEvents
            self.maxNotes = maxNotes
            self.maxTicks = maxTicks
        }
    }

    /// One `MTrk` chunk as read: its name, counts and the events not turned into notes or maps.
    public struct Track: Sendable, Hashable {
        /// 0-based index among the file's `MTrk` chunks (the `track` of its notes).
        public var index: Int
        /// Byte offset of the chunk's `MTrk` tag in the file.
        public var byteOffset: Int
        /// Length of the chunk's data in bytes, as declared.
        public var byteLength: Int
        /// The text of the track's first track-name meta event (0x03), decoded as UTF-8.
        public var name: String?
        /// Every event read (channel, meta and sysex), including the end-of-track event.
        public var eventCount: Int
        /// Channel-voice events (note, aftertouch, controller, program, pressure, pitch bend).
        public var channelEventCount: Int
        /// Notes of this track: note-ons closed by a note-off before the track ended.
        public var noteCount: Int
        /// The tick of the track's last event (its end-of-track event when present).
        public var endTick: Int
        /// Whether the track ends with an end-of-track meta event (0x2F).
        public var hasEndOfTrack: Bool
        /// Meta events not interpreted elsewhere (text, markers, lyrics, sequencer data, unknown
        /// types, and tempo/signature events whose length or values are invalid).
        public var metaEvents: [MetaEvent]
        /// System-exclusive (0xF0) and escape (0xF7) events.
        public var sysexEvents: [SysexEvent]
    }

    /// A meta event (0xFF) kept as raw bytes.
    public struct MetaEvent: Sendable, Hashable {
        /// Absolute time in ticks.
        public var tick: Int
        /// The meta type byte, e.g. 0x01 text, 0x05 lyric, 0x06 marker, 0x7F sequencer-specific.
        public var type: UInt8
        /// The event's data bytes.
        public var data: [UInt8]

        /// The data decoded as UTF-8 text for the text-like types 0x01...0x0F, otherwise nil.
        public var text: String? {
            (0x01...0x0F).contains(type) ? String(decoding: data, as: UTF8.self) : nil
        }
    }

    /// A system-exclusive event (0xF0) or an escape event (0xF7) kept as raw bytes.
    public struct SysexEvent: Sendable, Hashable {
        /// Absolute time in ticks.
        public var tick: Int
        /// Whether this is an escape (0xF7) event rather than a sysex (0xF0) event.
        public var isEscape: Bool
        /// The bytes after the length (for a complete sysex this ends with 0xF7).
        public var data: [UInt8]
    }

    /// The header's format.
    public var format: Format
    /// The header's division.
    public var division: Division
    /// The `MTrk` chunks, in file order (at most the number the header declares).
    public var tracks: [Track]
    /// Every note of every track, sorted by start beat, ties in track order then in the order their
    /// note-ons appear.
    ///
    /// Note-offs (0x8n, or 0x9n with velocity 0) close the oldest open note of the same track,
    /// channel and pitch (first in, first out); a note-on still open at the end of its track is no
    /// note (a player would hold it for ever): it is left out here and counted in `unterminatedNotes`.
    public var notes: [Note]
    /// Tempo changes from every track, as a beats-to-seconds map.
    public var tempoMap: TempoMap
    /// Valid time-signature events from every track, sorted by beat (stable).
    public var timeSignatures: [TimeSignatureChange]
    /// Key-signature events from every track, sorted by beat (stable).
    public var keySignatures: [KeySignatureChange]
    /// Program changes from every track, sorted by beat (stable).
    public var programChanges: [ProgramChange]
    /// Non-`MTrk` chunks skipped.
    public var skippedChunkCount: Int
    /// Note-offs that found no open note of their channel and pitch.
    public var orphanNoteOffs: Int
    /// Note-ons still open when their track ended, left out of ``notes``.
    public var unterminatedNotes: Int
    /// The size of the file in bytes.
    public var byteCount: Int

    /// The number of ticks per quarter note, or nil for an SMPTE division.
    public var ticksPerQuarter: Int? {
        if case .ticksPerQuarter(let ticks) = division { return ticks }
        return nil
    }

    /// The time of the last event of any track, in beats (the file's playing length).
    public var lengthBeats: Double {
        beats(fromTicks: tracks.map(\.endTick).max() ?? 0)
    }

    /// The time of the last event of any track, in seconds through the tempo map (as `mido`'s
    /// `MidiFile.length` computes it).
    public var lengthSeconds: Double { tempoMap.seconds(atBeat: lengthBeats) }

    /// Converts a tick count to beats under this file's division (see the type's summary).
    public func beats(fromTicks ticks: Int) -> Double {
        Self.beats(fromTicks: ticks, division: division)
    }

    static func beats(fromTicks ticks: Int, division: Division) -> Double {
        switch division {
        case .ticksPerQuarter(let perQuarter):
            return Double(ticks) / Double(perQuarter)
        case .smpte(let framesPerSecond, let ticksPerFrame):
            let frames = framesPerSecond == 29 ? 30_000.0 / 1_001.0 : Double(framesPerSecond)
            return Double(ticks) / (frames * Double(ticksPerFrame)) * 2
        }
    }
}
