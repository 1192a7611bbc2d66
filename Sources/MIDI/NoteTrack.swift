/// A named part: the notes of one instrument, with its MIDI channel and General MIDI program.
///
/// This is both what the writer turns into an `MTrk` chunk and how notes from tool calls are grouped
/// by track or role for analysis. The channel and track fields of the notes inside are ignored by
/// both: every note of a `NoteTrack` is played on the track's `channel`.
public struct NoteTrack: Sendable, Hashable, Codable {
    /// The General MIDI percussion channel index (MIDI channel 10).
    public static let drumChannel = 9

    /// Track name (or role, such as `bass`); written as the track-name meta event.
    public var name: String?
    /// MIDI channel, 0-based; 9 is the drum channel.
    public var channel: Int
    /// General MIDI program 0...127, or nil for none (drum tracks normally have none).
    public var program: Int?
    /// The notes, in beats; their `channel` and `track` fields are ignored.
    public var notes: [Note]

    /// Creates a track.
    public init(name: String? = nil, channel: Int = 0, program: Int? = nil, notes: [Note]) {
        self.name = name
        self.channel = channel
        self.program = program
        self.notes = notes
    }

    /// Creates a drum track on channel index 9 with no program change.
    public static func drums(name: String? = "drums", notes: [Note]) -> NoteTrack {
        NoteTrack(name: name, channel: drumChannel, program: nil, notes: notes)
    }

    /// Whether the track plays on the General MIDI percussion channel.
    public var isDrums: Bool { channel == Self.drumChannel }
}
