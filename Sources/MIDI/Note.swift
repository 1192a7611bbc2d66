/// One note: a pitch sounding from `startBeat` for `durationBeats`, on a MIDI channel of a track.
///
/// Times are in beats (quarter notes). Notes read from a Standard MIDI File start at beat 0 of the
/// file; notes from a `stori_add_notes` tool call are region-relative, exactly as on the wire.
/// Pitch and velocity are plain `Int`s so that out-of-range values from a tool call survive to be
/// reported as garbage instead of being lost in a conversion.
///
/// The `Codable` form uses the wire's camelCase keys (`pitch`, `startBeat`, `durationBeats`,
/// `velocity`, and optionally `channel`, `track`), so a `stori_add_notes` note decodes directly; a
/// missing field takes the value the server backfills (pitch 60, velocity 100, start 0,
/// duration 1), and a missing channel or track is 0.
public struct Note: Sendable, Hashable, Codable {
    /// MIDI note number; 60 is middle C. Valid notes are 0...127.
    public var pitch: Int
    /// Key velocity; a sounding note is 1...127 (0 is a note-off in MIDI).
    public var velocity: Int
    /// Onset in beats (quarter notes).
    public var startBeat: Double
    /// Length in beats (quarter notes); 0 for a note whose on and off coincide.
    public var durationBeats: Double
    /// MIDI channel, 0-based (0...15); channel 9 (MIDI channel 10) is General MIDI percussion.
    public var channel: Int
    /// Index of the track the note belongs to (the `MTrk` chunk index in a file).
    public var track: Int

    /// Creates a note.
    public init(
        pitch: Int,
        velocity: Int,
        startBeat: Double,
        durationBeats: Double,
        channel: Int = 0,
        track: Int = 0
    ) {
        self.pitch = pitch
        self.velocity = velocity
        self.startBeat = startBeat
        self.durationBeats = durationBeats
        self.channel = channel
        self.track = track
    }

    /// The beat at which the note stops sounding (`startBeat + durationBeats`).
    public var endBeat: Double { startBeat + durationBeats }

    /// Whether the note is on the General MIDI percussion channel (channel index 9).
    public var isDrum: Bool { channel == NoteTrack.drumChannel }

    private enum CodingKeys: String, CodingKey {
        case pitch, velocity, startBeat, durationBeats, channel, track
    }

    /// Decodes a note, filling absent fields with the values the Maestro server backfills.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        pitch = try container.decodeIfPresent(Int.self, forKey: .pitch) ?? 60
        velocity = try container.decodeIfPresent(Int.self, forKey: .velocity) ?? 100
        startBeat = try container.decodeIfPresent(Double.self, forKey: .startBeat) ?? 0
        durationBeats = try container.decodeIfPresent(Double.self, forKey: .durationBeats) ?? 1
        channel = try container.decodeIfPresent(Int.self, forKey: .channel) ?? 0
        track = try container.decodeIfPresent(Int.self, forKey: .track) ?? 0
    }
}
