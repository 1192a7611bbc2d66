import Cassettes
import Foundation
import TestSupport
import Testing
import Vocabulary

@Suite struct CassetteTranscriptTests {
    /// An exchange is a head line, then its request body and its SSE events one per line, with their fields and
    /// text escaped onto the line.
    @Test func eventsOnePerLine() {
        #expect(
            CassetteTranscript.lines(of: Fixtures.sseExchange(seq: 2)) == [
                "#2 ordinal 2 2025-11-25T12:00:00.123Z maestro [fetch_prompts] POST /api/v1/maestro/stream -> 200 OK "
                    + "(ttfb 2.0 ms, total 45.0 ms)",
                #"  request body: {"prompt":"x"}"#, "  3 events", #"    +3.0 ms  data: {"type":"state","seq":0}"#,
                "    +23.5 ms  : heartbeat", #"    +44.0 ms  event=x id=7 retry=50 data: two\nlines"#,
            ]
        )
    }

    /// Chunks are listed with their times, binary ones by size; a fault closes the exchange.
    @Test func chunksAndFault() {
        var exchange = Fixtures.chunkedExchange(seq: 3)
        exchange.fault = Fault(kind: .reset, afterBytes: 4, detail: "upstream: connection closed")
        #expect(
            CassetteTranscript.lines(of: exchange) == [
                "#3 ordinal 3 2025-11-25T12:00:00.123Z maestro [fetch_prompts] GET /api/v1/prompts/random?n=3 -> "
                    + "200 OK (ttfb 1.2 ms, total 2.5 ms)",
                "  3 chunks, 5 bytes", "    +1.0 ms  hel", "    +9.1 ms  <1 bytes, binary>",
                "    +10.0 ms  <1 bytes, binary>", "  fault: reset after 4 bytes: upstream: connection closed",
            ]
        )
    }

    /// Bodies are previewed: binary by size, text escaped and cut after 200 characters with the byte count.
    @Test func bodyPreviews() {
        #expect(CassetteTranscript.lines(of: Fixtures.binaryExchange()).last == "  body: <6 bytes, binary>")
        let escaped = Fixtures.jsonExchange(body: "a\\b\r\n")
        #expect(CassetteTranscript.lines(of: escaped).last == #"  body: a\\b\r\n"#)
        let long = Fixtures.jsonExchange(body: String(repeating: "é", count: 201))
        #expect(
            CassetteTranscript.lines(of: long).last
                == "  body: \(String(repeating: "é", count: 200))… (402 bytes)"
        )
        var empty = Fixtures.jsonExchange()
        empty.response.content = .body([])
        #expect(CassetteTranscript.lines(of: empty).last == "  body: (empty)")
    }

    /// A cassette is a heading with its file, run and exchange count, its exchanges, then its problems.
    @Test func cassetteWithHeadingAndProblems() throws {
        let directory = try TemporaryDirectory()
        let writer = try CassetteWriter(directory: directory.url.path, run: RunID(validating: "r_1"), toolVersion: "1")
        try writer.append(Fixtures.jsonExchange(seq: 0))
        try writer.finish()
        var cassette = try Cassette.load(path: directory.path("r_1.jsonl.gz"))
        cassette.problems.append("r_1.jsonl.gz: record 9: a second end record")
        #expect(
            CassetteTranscript.lines(of: cassette) == ["== r_1.jsonl.gz (run r_1, 1 exchanges)"]
                + CassetteTranscript.lines(of: Fixtures.jsonExchange(seq: 0))
                + ["!! r_1.jsonl.gz: record 9: a second end record"]
        )
    }

    /// One recording is its cassette's heading and that exchange alone; a seq the cassette lacks gives nil.
    @Test func oneRecordingBySeq() throws {
        let directory = try TemporaryDirectory()
        let writer = try CassetteWriter(directory: directory.url.path, run: RunID(validating: "r_1"), toolVersion: "1")
        for seq in 0..<3 { try writer.append(Fixtures.jsonExchange(seq: seq)) }
        try writer.finish()
        let cassette = try Cassette.load(path: directory.path("r_1.jsonl.gz"))
        #expect(
            CassetteTranscript.lines(of: cassette, seq: 1)
                == ["== r_1.jsonl.gz (run r_1, 3 exchanges)"]
                + CassetteTranscript.lines(of: Fixtures.jsonExchange(seq: 1))
        )
        #expect(CassetteTranscript.lines(of: cassette, seq: 3) == nil)
    }

    /// The table aligns its columns, shows untagged traffic as `_default` and missing times and ages as `-`, and
    /// counts cassettes and exchanges.
    @Test func summaryTable() throws {
        let summaries = [
            CassetteSummary(
                run: nil,
                exchangeCount: 0,
                services: [],
                digest: String(repeating: "0", count: 64),
                first: nil,
                last: nil,
                isComplete: false
            ),
            CassetteSummary(
                run: try RunID(validating: "r_000042"),
                exchangeCount: 12,
                services: ["maestro", "storpheus"],
                digest: "0123456789abcdef0123",
                first: Fixtures.started,
                last: Fixtures.started,
                isComplete: true
            ),
        ]
        let now = Timestamp(millisecondsSinceEpoch: Fixtures.started.millisecondsSinceEpoch + 2 * 3_600_000)
        #expect(
            CassetteTranscript.table(of: summaries, now: now) == [
                "RUN       EXCHANGES  SERVICES           COMPLETE  FIRST                     LAST"
                    + "                      AGE  DIGEST",
                "_default  0                             no        -                         -"
                    + "                         -    0000000000000000",
                "r_000042  12         maestro,storpheus  yes       2025-11-25T12:00:00.123Z  2025-11-25T12:00:00.123Z"
                    + "  2 h  0123456789abcdef",
                "2 cassettes, 12 exchanges",
            ]
        )
    }
}
