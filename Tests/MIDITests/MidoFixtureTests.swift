import Foundation
import MIDI
import Testing

/// What `Fixtures/make_fixtures.py` recorded from mido's reading of each fixture.
private struct MidoExpectation: Decodable {
    struct Track: Decodable {
        var name: String?
        var messages: Int
        var endTick: Int
    }

    struct NoteRecord: Decodable {
        var track: Int
        var channel: Int
        var pitch: Int
        var velocity: Int
        var startTick: Int
        var endTick: Int
    }

    struct Tempo: Decodable {
        var tick: Int
        var tempo: Int
    }

    struct Meter: Decodable {
        var tick: Int
        var numerator: Int
        var denominator: Int
    }

    struct Key: Decodable {
        var tick: Int
        var key: String
    }

    struct Program: Decodable {
        var tick: Int
        var channel: Int
        var program: Int
    }

    struct Onset: Decodable {
        var seconds: Double
        var channel: Int
        var pitch: Int
        var velocity: Int
    }

    struct File: Decodable {
        var file: String
        var type: Int
        var ticksPerBeat: Int
        var tracks: [Track]
        var notes: [NoteRecord]
        var tempos: [Tempo]
        var timeSignatures: [Meter]
        var keySignatures: [Key]
        var programChanges: [Program]
        var sysexCount: Int
        var onsets: [Onset]?
        var lengthSeconds: Double?
    }

    var files: [File]

    static func load() throws -> MidoExpectation {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(MidoExpectation.self, from: Data(Fixtures.bytes("mido_expected.json")))
    }
}

/// Files written by an independent tool (Python's mido) read the same as mido reads them.
@Suite struct MidoFixtureTests {
    /// Notes, tracks, tempo map, meters, keys, programs and sysex agree with mido for every fixture.
    @Test(arguments: ["mido_format0.mid", "mido_format1.mid", "mido_running_status.mid", "mido_format2.mid"])
    func readerAgreesWithMido(name: String) throws {
        let expectation = try #require(try MidoExpectation.load().files.first { $0.file == name })
        let file = try StandardMIDIFile(bytes: Fixtures.bytes(name))
        let perQuarter = Double(expectation.ticksPerBeat)
        func beat(_ tick: Int) -> Double { Double(tick) / perQuarter }

        #expect(file.format.rawValue == expectation.type)
        #expect(file.ticksPerQuarter == expectation.ticksPerBeat)
        #expect(file.tracks.map(\.name) == expectation.tracks.map(\.name))
        #expect(file.tracks.map(\.eventCount) == expectation.tracks.map(\.messages))
        #expect(file.tracks.map(\.endTick) == expectation.tracks.map(\.endTick))

        let expectedNotes = expectation.notes.map {
            Note(
                pitch: $0.pitch,
                velocity: $0.velocity,
                startBeat: beat($0.startTick),
                durationBeats: beat($0.endTick - $0.startTick),
                channel: $0.channel,
                track: $0.track
            )
        }
        #expect(file.notes.canonical == expectedNotes.canonical)

        let expectedTempo = TempoMap(
            changes: expectation.tempos.map { TempoChange(beat: beat($0.tick), microsecondsPerQuarter: $0.tempo) }
        )
        #expect(file.tempoMap == expectedTempo)
        #expect(
            file.timeSignatures
                == expectation.timeSignatures.map {
                    TimeSignatureChange(
                        beat: beat($0.tick),
                        timeSignature: TimeSignature(numerator: $0.numerator, denominator: $0.denominator)
                    )
                }
        )
        #expect(file.keySignatures.map(\.keySignature.name) == expectation.keySignatures.map(\.key))
        #expect(file.keySignatures.map(\.beat) == expectation.keySignatures.map { beat($0.tick) })
        #expect(
            file.programChanges.map { [$0.beat, Double($0.channel), Double($0.program)] }
                == expectation.programChanges.map { [beat($0.tick), Double($0.channel), Double($0.program)] }
        )
        #expect(file.tracks.reduce(0) { $0 + $1.sysexEvents.count } == expectation.sysexCount)

        if let onsets = expectation.onsets, let length = expectation.lengthSeconds {
            // mido's playback iteration gives each note-on's time in seconds through the tempo map.
            let ours = file.notes.map {
                (file.tempoMap.seconds(atBeat: $0.startBeat), $0.channel, $0.pitch, $0.velocity)
            }
            let theirs = onsets.map { ($0.seconds, $0.channel, $0.pitch, $0.velocity) }
            func key(_ onset: (Double, Int, Int, Int)) -> (Double, Int, Int, Int) {
                ((onset.0 * 1e6).rounded(), onset.1, onset.2, onset.3)
            }
            let sortedOurs = ours.sorted { key($0) < key($1) }
            let sortedTheirs = theirs.sorted { key($0) < key($1) }
            #expect(sortedOurs.count == sortedTheirs.count)
            for (mine, mido) in zip(sortedOurs, sortedTheirs) {
                #expect(abs(mine.0 - mido.0) < 1e-9 && mine.1 == mido.1 && mine.2 == mido.2 && mine.3 == mido.3)
            }
            #expect(abs(file.lengthSeconds - length) < 1e-9)
        }
    }

    /// mido wrote the running-status fixture with a single status byte, so the reader really ran on
    /// running status (and velocity-0 note-offs) for all 48 events.
    @Test func runningStatusFixtureUsesOneStatusByte() throws {
        let bytes = try Fixtures.bytes("mido_running_status.mid")
        let trackData = bytes[22...]
        #expect(trackData.filter { $0 >= 0x80 && $0 != 0xFF }.count == 1)
        let file = try StandardMIDIFile(bytes: bytes)
        #expect(file.notes.count == 24)
        #expect(file.notes.allSatisfy { $0.channel == 3 && $0.durationBeats == 0.75 })
    }
}
