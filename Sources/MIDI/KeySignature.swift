/// A key signature: a count of sharps (positive) or flats (negative) and a mode.
public struct KeySignature: Sendable, Hashable, Codable {
    /// Sharps (1...7) or flats (−1...−7); 0 is C major or A minor. Files may carry other values.
    public var sharps: Int
    /// Whether the key is minor.
    public var isMinor: Bool

    /// Creates a key signature.
    public init(sharps: Int, isMinor: Bool) {
        self.sharps = sharps
        self.isMinor = isMinor
    }

    /// The key's name as `stori_set_key` spells it: `C`, `F#`, `Bb`, `Am`, `C#m`; `?` when the count
    /// of sharps is outside −7...7.
    public var name: String {
        let majors = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]
        let minors = ["Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#"]
        guard (-7...7).contains(sharps) else { return "?" }
        return isMinor ? minors[sharps + 7] + "m" : majors[sharps + 7]
    }
}

/// A key signature taking effect at a beat.
public struct KeySignatureChange: Sendable, Hashable, Codable {
    /// The beat at which the key takes effect.
    public var beat: Double
    /// The key in effect from `beat` on.
    public var keySignature: KeySignature

    /// Creates a key-signature change.
    public init(beat: Double, keySignature: KeySignature) {
        self.beat = beat
        self.keySignature = keySignature
    }
}
