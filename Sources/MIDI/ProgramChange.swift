/// A program (instrument) change on a channel at a beat.
public struct ProgramChange: Sendable, Hashable, Codable {
    /// The beat at which the program takes effect.
    public var beat: Double
    /// MIDI channel, 0-based.
    public var channel: Int
    /// General MIDI program, 0...127.
    public var program: Int
    /// Index of the track holding the event.
    public var track: Int

    /// Creates a program change.
    public init(beat: Double, channel: Int, program: Int, track: Int = 0) {
        self.beat = beat
        self.channel = channel
        self.program = program
        self.track = track
    }
}
