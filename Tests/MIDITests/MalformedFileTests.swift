import MIDI
import Testing

/// One damaged file and the exact error it must produce.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var limits = StandardMIDIFile.Limits()
    var code: MIDIFileError.Code
    var chunk: String
    var offset: Int
    var expected: String

    var testDescription: String { name }
}

/// The standard layout these cases use: a 14-byte header, the first `MTrk` at byte 14, its length
/// field at byte 18 and its data from byte 22.
private func oneTrack(_ data: [UInt8], format: Int = 0, division: Int = 96) -> [UInt8] {
    SMF.file(format: format, division: division, tracks: [data])
}

private let firstTrack = "track 0 (MTrk at byte 14)"
private let header = "header (MThd at byte 0)"

private let malformedCases: [MalformedCase] = [
    MalformedCase(
        name: "empty file",
        bytes: [],
        code: .badHeader,
        chunk: header,
        offset: 0,
        expected: "expected \"MThd\" at the start of the file, found an empty file"
    ),
    MalformedCase(
        name: "wrong magic",
        bytes: Array("RIFF".utf8) + [0, 0, 0, 6],
        code: .badHeader,
        chunk: header,
        offset: 0,
        expected: "expected \"MThd\" at the start of the file, found \"RIFF\""
    ),
    MalformedCase(
        name: "header chunk cut short",
        bytes: Array("MThd".utf8) + [0, 0],
        code: .truncatedChunk,
        chunk: header,
        offset: 6,
        expected: "expected an 8-byte chunk header, found 6 bytes"
    ),
    MalformedCase(
        name: "header length below 6",
        bytes: Array("MThd".utf8) + [0, 0, 0, 4, 0, 0, 0, 1],
        code: .badHeader,
        chunk: header,
        offset: 4,
        expected: "expected a header length of at least 6, found 4"
    ),
    MalformedCase(
        name: "header length past the end",
        bytes: Array("MThd".utf8) + [0, 0, 0, 6, 0, 0, 0, 1],
        code: .lengthPastEnd,
        chunk: header,
        offset: 4,
        expected: "expected 6 bytes of header data, but only 4 remain in the file"
    ),
    MalformedCase(
        name: "format 3",
        bytes: SMF.header(format: 3, tracks: 0, division: 96),
        code: .badHeader,
        chunk: header,
        offset: 8,
        expected: "expected format 0, 1 or 2, found 3"
    ),
    MalformedCase(
        name: "zero ticks per quarter",
        bytes: SMF.header(format: 0, tracks: 0, division: 0),
        code: .badHeader,
        chunk: header,
        offset: 12,
        expected: "expected ticks per quarter note above 0, found 0"
    ),
    MalformedCase(
        name: "SMPTE with 23 frames per second",
        bytes: SMF.header(format: 0, tracks: 0, division: 0xE928),
        code: .badHeader,
        chunk: header,
        offset: 12,
        expected:
            "expected an SMPTE division of 24, 25, 29 or 30 frames per second and ticks per frame above 0, "
            + "found 23 and 40"
    ),
    MalformedCase(
        name: "more tracks than the limit",
        bytes: SMF.header(format: 1, tracks: 3, division: 96),
        limits: StandardMIDIFile.Limits(maxTracks: 2),
        code: .limitExceeded,
        chunk: header,
        offset: 10,
        expected: "expected at most 2 tracks (reader limit), header declares 3"
    ),
    MalformedCase(
        name: "chunk header cut short",
        bytes: SMF.header(format: 0, tracks: 1, division: 96) + Array("MTrk".utf8) + [0, 0],
        code: .truncatedChunk,
        chunk: firstTrack,
        offset: 14,
        expected: "expected an 8-byte chunk header, found 6 bytes"
    ),
    MalformedCase(
        name: "fewer tracks than declared",
        bytes: SMF.header(format: 1, tracks: 2, division: 96) + SMF.track(SMF.endOfTrack),
        code: .truncatedChunk,
        chunk: "file",
        offset: 26,
        expected: "expected 2 track chunks (MTrk), found 1 before the end of the file"
    ),
    MalformedCase(
        name: "track length past the end",
        bytes: SMF.header(format: 0, tracks: 1, division: 96) + Array("MTrk".utf8) + [0, 0, 0, 100]
            + [0x00, 0x90, 0x3C, 0x64],
        code: .lengthPastEnd,
        chunk: firstTrack,
        offset: 18,
        expected: "expected 100 bytes of chunk data, but only 4 remain in the file"
    ),
    MalformedCase(
        name: "unknown chunk length past the end",
        bytes: SMF.header(format: 0, tracks: 1, division: 96) + Array("XFIH".utf8) + [0, 0, 1, 0],
        code: .lengthPastEnd,
        chunk: "chunk \"XFIH\" at byte 14",
        offset: 18,
        expected: "expected 256 bytes of chunk data, but only 0 remain in the file"
    ),
    MalformedCase(
        name: "variable-length quantity of five bytes",
        bytes: oneTrack([0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0x2F, 0x00]),
        code: .badVariableLengthQuantity,
        chunk: firstTrack,
        offset: 22,
        expected: "expected the delta-time to end within 4 bytes, but the 4th byte has its continuation bit set"
    ),
    MalformedCase(
        name: "variable-length quantity cut by the track end",
        bytes: oneTrack([0x81]),
        code: .truncatedChunk,
        chunk: firstTrack,
        offset: 23,
        expected: "expected another byte of the delta-time, but the track ends"
    ),
    MalformedCase(
        name: "delta-time with no event",
        bytes: oneTrack([0x00]),
        code: .truncatedChunk,
        chunk: firstTrack,
        offset: 23,
        expected: "expected an event after the delta-time, but the track ends"
    ),
    MalformedCase(
        name: "data byte without status",
        bytes: oneTrack([0x00, 0x3C, 0x64]),
        code: .dataByteWithoutStatus,
        chunk: firstTrack,
        offset: 23,
        expected: "expected a status byte, found data byte 0x3C with no running status"
    ),
    MalformedCase(
        name: "running status does not carry into the next track",
        // Track 0 (bytes 14...29) sets 0x90; track 1 starts at byte 30, its data at 38.
        bytes: SMF.file(format: 1, tracks: [[0x00, 0x90, 0x3C, 0x64] + SMF.endOfTrack, [0x00, 0x3C, 0x00]]),
        code: .dataByteWithoutStatus,
        chunk: "track 1 (MTrk at byte 30)",
        offset: 39,
        expected: "expected a status byte, found data byte 0x3C with no running status"
    ),
    MalformedCase(
        name: "note-on cut by the track end",
        bytes: oneTrack([0x00, 0x90, 0x3C]),
        code: .truncatedChunk,
        chunk: firstTrack,
        offset: 25,
        expected: "expected 2 data bytes for status 0x90, but the track ends after 1"
    ),
    MalformedCase(
        name: "status byte where a data byte belongs",
        bytes: oneTrack([0x00, 0x90, 0x3C, 0x90]),
        code: .badEvent,
        chunk: firstTrack,
        offset: 25,
        expected: "expected a data byte (below 0x80) for status 0x90, found 0x90"
    ),
    MalformedCase(
        name: "system common status in a file",
        bytes: oneTrack([0x00, 0xF4]),
        code: .badEvent,
        chunk: firstTrack,
        offset: 23,
        expected: "expected a channel, meta (0xFF) or sysex (0xF0/0xF7) status, found 0xF4"
    ),
    MalformedCase(
        name: "meta event without a type",
        bytes: oneTrack([0x00, 0xFF]),
        code: .truncatedChunk,
        chunk: firstTrack,
        offset: 24,
        expected: "expected a meta event type after 0xFF, but the track ends"
    ),
    MalformedCase(
        name: "meta event length past the track end",
        bytes: oneTrack([0x00, 0xFF, 0x01, 0x05, 0x61]),
        code: .lengthPastEnd,
        chunk: firstTrack,
        offset: 26,
        expected: "expected 5 bytes of meta event 0x01 data, but only 1 remain in the track"
    ),
    MalformedCase(
        name: "sysex length past the track end",
        bytes: oneTrack([0x00, 0xF0, 0x03, 0x01]),
        code: .lengthPastEnd,
        chunk: firstTrack,
        offset: 25,
        expected: "expected 3 bytes of sysex data, but only 1 remain in the track"
    ),
    MalformedCase(
        name: "more notes than the limit",
        // The second note-on's delta is at byte 26, its status at 27.
        bytes: oneTrack([0x00, 0x90, 0x3C, 0x64, 0x00, 0x90, 0x3E, 0x64] + SMF.endOfTrack),
        limits: StandardMIDIFile.Limits(maxNotes: 1),
        code: .limitExceeded,
        chunk: firstTrack,
        offset: 27,
        expected: "expected at most 1 notes in the file (reader limit)"
    ),
    MalformedCase(
        name: "more events than the limit",
        bytes: oneTrack([0x00, 0xFF, 0x01, 0x00, 0x00, 0xFF, 0x01, 0x00] + SMF.endOfTrack),
        limits: StandardMIDIFile.Limits(maxEvents: 2),
        code: .limitExceeded,
        chunk: firstTrack,
        offset: 31,
        expected: "expected at most 2 events in the file (reader limit)"
    ),
    MalformedCase(
        name: "absolute time past the limit",
        bytes: oneTrack([0x81, 0x00, 0xFF, 0x2F, 0x00]),
        limits: StandardMIDIFile.Limits(maxTicks: 100),
        code: .limitExceeded,
        chunk: firstTrack,
        offset: 24,
        expected: "expected absolute time within 100 ticks (reader limit), reached 128"
    ),
]

/// Every kind of damage gives a typed error naming the chunk, the byte offset and what was expected.
@Suite struct MalformedFileTests {
    /// Each damaged file is rejected with exactly the code, chunk, offset and message worked out by hand.
    @Test(arguments: malformedCases)
    func rejectsWithChunkOffsetAndExpectation(_ damaged: MalformedCase) {
        let error = #expect(throws: MIDIFileError.self) {
            _ = try StandardMIDIFile(bytes: damaged.bytes, limits: damaged.limits)
        }
        #expect(error?.code == damaged.code)
        #expect(error?.chunk == damaged.chunk)
        #expect(error?.offset == damaged.offset)
        #expect(error?.expected == damaged.expected)
        #expect(error?.description == "\(damaged.chunk), byte \(damaged.offset): \(damaged.expected)")
    }

    /// The analyzer's file entry point passes the reader's error through unchanged.
    @Test func analyzerRethrowsTheReadersError() {
        let error = #expect(throws: MIDIFileError.self) {
            _ = try MIDIAnalyzer.analyze(file: oneTrack([0x00, 0x3C, 0x64]))
        }
        #expect(error?.code == .dataByteWithoutStatus)
        #expect(
            error?.description
                == "track 0 (MTrk at byte 14), byte 23: "
                + "expected a status byte, found data byte 0x3C with no running status"
        )
        #expect(error?.code.description == "data byte without status")
    }
}
