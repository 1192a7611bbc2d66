/// A tempo taking effect at a beat, stored exactly as a Standard MIDI File stores it: microseconds
/// per quarter note.
public struct TempoChange: Sendable, Hashable, Codable {
    /// The beat at which the tempo takes effect.
    public var beat: Double
    /// Microseconds per quarter note (the value of a set-tempo meta event), 1...16,777,215.
    public var microsecondsPerQuarter: Int

    /// Creates a tempo change from the file's microseconds per quarter note (clamped to 1...0xFFFFFF).
    public init(beat: Double, microsecondsPerQuarter: Int) {
        self.beat = beat
        self.microsecondsPerQuarter = min(max(microsecondsPerQuarter, 1), 0xFF_FFFF)
    }

    /// Creates a tempo change from beats per minute, rounded to whole microseconds per quarter note
    /// (so `bpm` reads back as `60,000,000 / round(60,000,000 / bpm)`). A non-finite or non-positive
    /// tempo becomes 120 BPM.
    public init(beat: Double, bpm: Double) {
        let perQuarter = bpm.isFinite && bpm > 0 ? (60_000_000 / bpm).rounded() : 500_000
        self.init(beat: beat, microsecondsPerQuarter: perQuarter < 0x100_0000 ? Int(perQuarter) : 0xFF_FFFF)
    }

    /// The tempo in beats (quarter notes) per minute.
    public var bpm: Double { 60_000_000 / Double(microsecondsPerQuarter) }
}

/// A map from beats to seconds built from tempo changes.
///
/// The map always starts with a tempo at beat 0 (120 BPM, the Standard MIDI File default, unless a
/// change at beat 0 says otherwise); between changes the tempo is constant. Changes at the same beat
/// keep the last one given, as a player would.
public struct TempoMap: Sendable, Hashable {
    /// The tempo changes, sorted by beat, the first at beat 0, no two at the same beat.
    public let changes: [TempoChange]
    /// `secondsAtChange[i]` is the time in seconds at which `changes[i]` takes effect.
    private let secondsAtChange: [Double]
    /// The earliest change given (by beat, the last given of equal beats), nil when none was: a file without
    /// `set_tempo` plays at 120 BPM, which ``changes`` holds but nobody wrote.
    public let firstGiven: TempoChange?

    /// Creates a map from changes in any order (a stable sort keeps the given order for equal beats;
    /// non-finite or negative beats are treated as beat 0).
    public init(changes: [TempoChange]) {
        let cleaned = changes.map { change -> TempoChange in
            var change = change
            if !change.beat.isFinite || change.beat < 0 { change.beat = 0 }
            return change
        }
        let sorted = cleaned.enumerated().sorted { lhs, rhs in
            lhs.element.beat != rhs.element.beat ? lhs.element.beat < rhs.element.beat : lhs.offset < rhs.offset
        }.map(\.element)
        var merged: [TempoChange] = []
        merged.reserveCapacity(sorted.count + 1)
        for change in sorted {
            if let last = merged.last, last.beat == change.beat {
                merged[merged.count - 1] = change
            } else {
                merged.append(change)
            }
        }
        firstGiven = merged.first
        if merged.first?.beat != 0 {
            merged.insert(TempoChange(beat: 0, microsecondsPerQuarter: 500_000), at: 0)
        }
        var seconds: [Double] = []
        seconds.reserveCapacity(merged.count)
        var elapsed = 0.0
        for index in merged.indices {
            if index > 0 {
                let previous = merged[index - 1]
                elapsed += (merged[index].beat - previous.beat) * Double(previous.microsecondsPerQuarter) / 1e6
            }
            seconds.append(elapsed)
        }
        self.changes = merged
        self.secondsAtChange = seconds
    }

    /// Creates a map with one constant tempo.
    public init(bpm: Double) {
        self.init(changes: [TempoChange(beat: 0, bpm: bpm)])
    }

    /// The index of the change in effect at `beat` (the last change at or before it).
    private func changeIndex(atBeat beat: Double) -> Int {
        var low = 0
        var high = changes.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if changes[middle].beat <= beat { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The tempo in effect at `beat`.
    public func tempo(atBeat beat: Double) -> TempoChange {
        changes[changeIndex(atBeat: beat)]
    }

    /// Seconds from beat 0 to `beat`, integrating the tempo in effect along the way.
    public func seconds(atBeat beat: Double) -> Double {
        let index = changeIndex(atBeat: beat)
        let change = changes[index]
        return secondsAtChange[index] + (beat - change.beat) * Double(change.microsecondsPerQuarter) / 1e6
    }
}
