/// Writes note tracks as a Standard MIDI File (format 0 or 1).
///
/// Exact round trip: `StandardMIDIFile(bytes: writer.bytes(for: tracks)).notes` gives back every
/// note with the same pitch, velocity, start and duration whenever
/// - times lie on the tick grid (`beat × ticksPerQuarter` is a whole number below 2^28),
/// - pitches are 0...127, velocities 1...127, channels 0...15, and
/// - for notes of the same track, channel and pitch, ordering by start (then duration) also orders
///   their ends: the reader pairs note-offs first in, first out, so a long note that encloses a
///   shorter one of the same pitch comes back re-paired (written faithfully, read as MIDI defines).
///
/// In format 1 the first track is a conductor track (title, tempo, time and key signature) and
/// note track `i` is `MTrk` `i + 1`; in format 0 everything goes in one track, numbered 0.
/// Out-of-range input is clamped instead of rejected: pitch to 0...127, velocity to 1...127, channel
/// to 0...15, program to 0...127, negative or non-finite beats to 0, times to at most 2^28 − 1 ticks
/// (so every delta fits a 4-byte variable-length quantity), and a positive duration that rounds to
/// zero ticks becomes one tick.
public struct SMFWriter: Sendable, Hashable {
    /// The formats the writer produces.
    public enum Format: Int, Sendable, Hashable {
        /// Format 0: one track holding every channel.
        case singleTrack = 0
        /// Format 1: a conductor track, then one track per `NoteTrack`.
        case multiTrack = 1
    }

    /// How a note's end is encoded.
    public enum NoteOffEncoding: Sendable, Hashable {
        /// A note-on with velocity 0 (compact with running status; the common choice).
        case noteOnWithZeroVelocity
        /// A note-off (0x8n) with release velocity 64.
        case noteOff
    }

    /// The file format.
    public var format: Format
    /// Ticks per quarter note, 1...32767 (clamped).
    public var ticksPerQuarter: Int
    /// Tempo changes; an empty list writes no tempo event (readers then assume 120 BPM).
    public var tempos: [TempoChange]
    /// Time-signature changes; an empty list writes none (readers then assume 4/4).
    public var timeSignatures: [TimeSignatureChange]
    /// A key signature written at beat 0, if any.
    public var keySignature: KeySignature?
    /// The sequence name, written as the first track's name meta event.
    public var title: String?
    /// How note ends are encoded.
    public var noteOffEncoding: NoteOffEncoding
    /// Whether to omit a channel status byte equal to the previous one (running status).
    public var usesRunningStatus: Bool

    /// Largest tick the writer emits: every delta then fits a 4-byte variable-length quantity.
    public static let maxTick = 0x0FFF_FFFF

    /// Creates a writer with one tempo and one time signature at beat 0.
    public init(
        format: Format = .multiTrack,
        ticksPerQuarter: Int = 480,
        tempo: Double = 120,
        timeSignature: TimeSignature = .fourFour,
        keySignature: KeySignature? = nil,
        title: String? = nil
    ) {
        self.format = format
        self.ticksPerQuarter = ticksPerQuarter
        self.tempos = [TempoChange(beat: 0, bpm: tempo)]
        self.timeSignatures = [TimeSignatureChange(beat: 0, timeSignature: timeSignature)]
        self.keySignature = keySignature
        self.title = title
        self.noteOffEncoding = .noteOnWithZeroVelocity
        self.usesRunningStatus = true
    }

    private var clampedTicksPerQuarter: Int { min(max(ticksPerQuarter, 1), 0x7FFF) }

    /// The tick a beat is written at: `round(beat × ticksPerQuarter)`, clamped to 0...`maxTick`.
    public func tick(forBeat beat: Double) -> Int {
        guard beat.isFinite, beat > 0 else { return 0 }
        let ticks = (beat * Double(clampedTicksPerQuarter)).rounded()
        return ticks < Double(Self.maxTick) ? Int(ticks) : Self.maxTick
    }

    /// The complete file for `tracks`.
    public func bytes(for tracks: [NoteTrack]) -> [UInt8] {
        var chunks: [[UInt8]] = []
        switch format {
        case .singleTrack:
            let name = title ?? (tracks.count == 1 ? tracks[0].name : nil)
            var events = conductorEvents(name: name)
            for (index, track) in tracks.enumerated() {
                events += trackEvents(track, order: index)
            }
            chunks.append(encodeTrack(events))
        case .multiTrack:
            chunks.append(encodeTrack(conductorEvents(name: title)))
            for (index, track) in tracks.enumerated() {
                var events: [Event] = []
                if let name = track.name {
                    events.append(Event(tick: 0, rank: .meta, order: index, payload: .meta(0x03, Array(name.utf8))))
                }
                events += trackEvents(track, order: index)
                chunks.append(encodeTrack(events))
            }
        }

        var output: [UInt8] = Array("MThd".utf8)
        output += Self.bigEndian(6, width: 4)
        output += Self.bigEndian(format.rawValue, width: 2)
        output += Self.bigEndian(chunks.count, width: 2)
        output += Self.bigEndian(clampedTicksPerQuarter, width: 2)
        for chunk in chunks {
            output += Array("MTrk".utf8)
            output += Self.bigEndian(chunk.count, width: 4)
            output += chunk
        }
        return output
    }

    // MARK: - Events

    /// Where an event sorts among events at the same tick: names and maps first, then programs,
    /// then ends of earlier notes, then starts, then ends of zero-length notes started at this tick.
    private enum Rank: Int, Comparable {
        case meta = 0, program, noteEnd, noteStart, zeroLengthEnd

        static func < (lhs: Rank, rhs: Rank) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private enum Payload {
        case meta(UInt8, [UInt8])
        case channel(status: UInt8, data1: UInt8, data2: UInt8?)
    }

    private struct Event {
        var tick: Int
        var rank: Rank
        /// Tie-breakers at the same tick and rank: track order, then pitch, then duration.
        var order: Int
        var pitch: Int = 0
        var duration: Int = 0
        var payload: Payload
    }

    private func conductorEvents(name: String?) -> [Event] {
        var events: [Event] = []
        if let name {
            events.append(Event(tick: 0, rank: .meta, order: 0, payload: .meta(0x03, Array(name.utf8))))
        }
        if let keySignature {
            let sharps = UInt8(bitPattern: Int8(min(max(keySignature.sharps, -7), 7)))
            events.append(
                Event(tick: 0, rank: .meta, order: 1, payload: .meta(0x59, [sharps, keySignature.isMinor ? 1 : 0]))
            )
        }
        for change in timeSignatures {
            let signature = change.timeSignature
            let data: [UInt8] = [
                UInt8(min(signature.numerator, 255)), UInt8(signature.denominatorExponent), 24, 8,
            ]
            events.append(Event(tick: tick(forBeat: change.beat), rank: .meta, order: 2, payload: .meta(0x58, data)))
        }
        for change in tempos {
            let value = change.microsecondsPerQuarter
            let data: [UInt8] = [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
            events.append(Event(tick: tick(forBeat: change.beat), rank: .meta, order: 3, payload: .meta(0x51, data)))
        }
        return events
    }

    private func trackEvents(_ track: NoteTrack, order: Int) -> [Event] {
        let channel = UInt8(min(max(track.channel, 0), 15))
        var events: [Event] = []
        events.reserveCapacity(track.notes.count * 2 + 1)
        if let program = track.program {
            let status = 0xC0 | channel
            events.append(
                Event(
                    tick: 0,
                    rank: .program,
                    order: order,
                    payload: .channel(status: status, data1: UInt8(min(max(program, 0), 127)), data2: nil)
                )
            )
        }
        for note in track.notes {
            let pitch = UInt8(min(max(note.pitch, 0), 127))
            let velocity = UInt8(min(max(note.velocity, 1), 127))
            let start = tick(forBeat: note.startBeat)
            var length = tick(forBeat: note.durationBeats)
            if length == 0 && note.durationBeats > 0 { length = 1 }
            let end = min(start + length, Self.maxTick)
            let duration = end - start
            events.append(
                Event(
                    tick: start,
                    rank: .noteStart,
                    order: order,
                    pitch: Int(pitch),
                    duration: duration,
                    payload: .channel(status: 0x90 | channel, data1: pitch, data2: velocity)
                )
            )
            let off: Payload =
                switch noteOffEncoding {
                case .noteOnWithZeroVelocity: .channel(status: 0x90 | channel, data1: pitch, data2: 0)
                case .noteOff: .channel(status: 0x80 | channel, data1: pitch, data2: 64)
                }
            events.append(
                Event(
                    tick: end,
                    rank: duration == 0 ? .zeroLengthEnd : .noteEnd,
                    order: order,
                    pitch: Int(pitch),
                    duration: duration,
                    payload: off
                )
            )
        }
        return events
    }

    private func encodeTrack(_ unsorted: [Event]) -> [UInt8] {
        // Sort by (tick, rank, order, pitch, duration); ties keep insertion order.
        let events = unsorted.enumerated().sorted { lhs, rhs in
            let left = lhs.element
            let right = rhs.element
            if left.tick != right.tick { return left.tick < right.tick }
            if left.rank != right.rank { return left.rank < right.rank }
            if left.order != right.order { return left.order < right.order }
            if left.pitch != right.pitch { return left.pitch < right.pitch }
            if left.duration != right.duration { return left.duration < right.duration }
            return lhs.offset < rhs.offset
        }.map(\.element)

        var output: [UInt8] = []
        output.reserveCapacity(events.count * 4 + 8)
        var previousTick = 0
        var runningStatus: UInt8 = 0
        for event in events {
            Self.appendVariableLength(event.tick - previousTick, to: &output)
            previousTick = event.tick
            switch event.payload {
            case .meta(let type, let data):
                output.append(0xFF)
                output.append(type)
                Self.appendVariableLength(data.count, to: &output)
                output += data
                runningStatus = 0
            case .channel(let status, let data1, let data2):
                if !usesRunningStatus || status != runningStatus {
                    output.append(status)
                    runningStatus = status
                }
                output.append(data1)
                if let data2 { output.append(data2) }
            }
        }
        Self.appendVariableLength(0, to: &output)
        output += [0xFF, 0x2F, 0x00]
        return output
    }

    // MARK: - Encoding primitives

    /// Appends `value` (0...0x0FFFFFFF) as a variable-length quantity: seven bits per byte, most
    /// significant first, the high bit set on every byte but the last.
    static func appendVariableLength(_ value: Int, to output: inout [UInt8]) {
        let value = min(max(value, 0), 0x0FFF_FFFF)
        var shift = 21
        while shift > 0 && value >> shift == 0 { shift -= 7 }
        while shift > 0 {
            output.append(UInt8(value >> shift & 0x7F) | 0x80)
            shift -= 7
        }
        output.append(UInt8(value & 0x7F))
    }

    static func bigEndian(_ value: Int, width: Int) -> [UInt8] {
        (0..<width).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}
