import Foundation
import MIDI

/// SplitMix64: a tiny seeded generator, so every randomised test replays exactly from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds Standard MIDI File bytes by hand, so fixtures read like the specification.
enum SMF {
    /// A variable-length quantity.
    static func vlq(_ value: Int) -> [UInt8] {
        var bytes = [UInt8(value & 0x7F)]
        var rest = value >> 7
        while rest > 0 {
            bytes.insert(UInt8(rest & 0x7F) | 0x80, at: 0)
            rest >>= 7
        }
        return bytes
    }

    static func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }

    /// An `MThd` chunk with the standard six bytes.
    static func header(format: Int, tracks: Int, division: Int) -> [UInt8] {
        Array("MThd".utf8) + [0, 0, 0, 6] + u16(format) + u16(tracks) + u16(division)
    }

    /// A chunk with the given tag and data, its length taken from the data.
    static func chunk(_ tag: String, _ data: [UInt8]) -> [UInt8] {
        Array(tag.utf8) + bigEndian32(data.count) + data
    }

    /// An `MTrk` chunk.
    static func track(_ data: [UInt8]) -> [UInt8] { chunk("MTrk", data) }

    static func bigEndian32(_ value: Int) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// A whole file: header plus one `MTrk` per data array.
    static func file(format: Int = 1, division: Int = 96, tracks: [[UInt8]]) -> [UInt8] {
        header(format: format, tracks: tracks.count, division: division) + tracks.flatMap { track($0) }
    }

    /// The end-of-track meta event with a zero delta.
    static let endOfTrack: [UInt8] = [0x00, 0xFF, 0x2F, 0x00]
}

/// Where the committed fixtures live, found from this source file (no SwiftPM resources).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures"
    )

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

extension Array where Element == Note {
    /// The notes in a canonical order, for comparing sets of notes.
    var canonical: [Note] {
        sorted { lhs, rhs in
            (lhs.startBeat, lhs.track, lhs.channel, lhs.pitch, lhs.durationBeats, lhs.velocity)
                < (rhs.startBeat, rhs.track, rhs.channel, rhs.pitch, rhs.durationBeats, rhs.velocity)
        }
    }
}

/// Shorthand for a note in tests.
func note(
    _ pitch: Int,
    at start: Double,
    for duration: Double = 1,
    velocity: Int = 100,
    channel: Int = 0,
    track: Int = 0
) -> Note {
    Note(pitch: pitch, velocity: velocity, startBeat: start, durationBeats: duration, channel: channel, track: track)
}
