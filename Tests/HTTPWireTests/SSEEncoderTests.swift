import HTTPWire
import Testing

@Suite struct SSEEncoderTests {
    /// An event with every field is written as event, id, retry, one data line per line, blank line.
    @Test func encodesAllFields() {
        let frame = SSEFrame.event(SSEEvent(data: "a\nb", event: "update", id: "7", retry: 3000))
        #expect(SSEEncoder.encode(frame) == bytes("event: update\nid: 7\nretry: 3000\ndata: a\ndata: b\n\n"))
    }

    /// A plain event is exactly the `data: <json>\n\n` frame Maestro sends (service-contracts.md §3.3).
    @Test func encodesMaestroFrame() {
        let json = #"{"type":"status","seq":1,"protocolVersion":"0.1.4","message":"Preparing composition..."}"#
        #expect(SSEEncoder.encode(.event(SSEEvent(data: json))) == bytes("data: \(json)\n\n"))
    }

    /// Data is split at CRLF, CR and LF; empty data is one empty data line.
    @Test func splitsDataLines() {
        #expect(
            SSEEncoder.encode(.event(SSEEvent(data: "1\r\n2\r3\n"))) == bytes("data: 1\ndata: 2\ndata: 3\ndata: \n\n")
        )
        #expect(SSEEncoder.encode(.event(SSEEvent(data: ""))) == bytes("data: \n\n"))
    }

    /// A comment is `: text` and a blank line; a multi-line comment becomes several comment lines.
    @Test func encodesComments() {
        #expect(SSEEncoder.encode(.comment("heartbeat")) == bytes(": heartbeat\n\n"))
        #expect(SSEEncoder.encode(.comment("a\nb")) == bytes(": a\n: b\n\n"))
    }

    /// Line breaks inside event and id are written as spaces; a negative retry is left out.
    @Test func sanitizesSingleLineFields() {
        let frame = SSEFrame.event(SSEEvent(data: "x", event: "a\nb", id: "1\r2", retry: -1))
        #expect(SSEEncoder.encode(frame) == bytes("event: a b\nid: 1 2\ndata: x\n\n"))
    }

    /// What the encoder writes, the parser reads back unchanged, including leading spaces and empty fields.
    @Test func roundTripsThroughParser() throws {
        let frames: [SSEFrame] = [
            .event(SSEEvent(data: " leading space", event: "", id: "", retry: 0)),
            .comment("heartbeat"),
            .event(SSEEvent(data: "multi\nline\n", event: "e v", id: " 1")),
            .event(SSEEvent(data: "\u{1F3B8} caf\u{E9}")),
        ]
        var parser = SSEParser()
        let wire = frames.flatMap(SSEEncoder.encode)
        #expect(try parser.feed(wire[...]) == frames)
        let discarded = parser.finish()
        #expect(!discarded)
    }
}
