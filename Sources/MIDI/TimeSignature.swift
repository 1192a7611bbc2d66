/// A time signature such as 4/4 or 6/8.
///
/// A bar lasts `numerator × 4 / denominator` beats (quarter notes); the signature's own beat, used
/// for the chord-change windows, lasts `4 / denominator` quarter notes.
public struct TimeSignature: Sendable, Hashable, Codable {
    /// Beats per bar (the upper number), at least 1.
    public var numerator: Int
    /// The note value of one beat (the lower number): a power of two, 1...1024.
    public var denominator: Int

    /// Creates a time signature; a numerator below 1 becomes 1 and a denominator is rounded to a
    /// power of two in 1...1024, so bar arithmetic never divides by zero.
    public init(numerator: Int, denominator: Int) {
        self.numerator = max(1, numerator)
        self.denominator = 1 << TimeSignature.exponent(of: denominator)
    }

    /// Common time, 4/4 (also the Standard MIDI File default when a file has no time signature).
    public static let fourFour = TimeSignature(numerator: 4, denominator: 4)

    /// The length of one bar in quarter-note beats.
    public var beatsPerBar: Double { Double(numerator) * 4 / Double(denominator) }

    /// The length of the signature's own beat (the denominator's note value) in quarter-note beats.
    public var beatLength: Double { 4 / Double(denominator) }

    /// The power of two stored in a time-signature meta event (`denominator == 1 << exponent`).
    var denominatorExponent: Int { TimeSignature.exponent(of: denominator) }

    /// The nearest exponent `e` in 0...10 with `1 << e` not above `value` (1 for anything below 1).
    static func exponent(of value: Int) -> Int {
        var exponent = 0
        while exponent < 10 && (1 << (exponent + 1)) <= value { exponent += 1 }
        return exponent
    }

    private enum CodingKeys: String, CodingKey {
        case numerator, denominator
    }

    /// Decodes a time signature, normalising it as `init(numerator:denominator:)` does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            numerator: try container.decode(Int.self, forKey: .numerator),
            denominator: try container.decode(Int.self, forKey: .denominator)
        )
    }
}

/// A time signature taking effect at a beat.
public struct TimeSignatureChange: Sendable, Hashable, Codable {
    /// The beat (quarter notes from the start) at which the signature takes effect.
    public var beat: Double
    /// The signature in effect from `beat` on.
    public var timeSignature: TimeSignature

    /// Creates a time-signature change.
    public init(beat: Double, timeSignature: TimeSignature) {
        self.beat = beat
        self.timeSignature = timeSignature
    }
}
