import Cassettes
import Foundation
import HTTPWire
import TestSupport
import Testing
import Vocabulary

/// `tdf cassette show DIR --seq N` prints the one recording a replay mismatch names.
@Suite struct CassetteCommandTests {
    private func exchange(seq: Int) -> Exchange {
        Exchange(
            seq: seq,
            ordinal: seq,
            service: "maestro",
            started: Timestamp(millisecondsSinceEpoch: 1_764_072_000_000),
            request: RecordedRequest(method: "GET", target: "/api/v1/health?probe=\(seq)"),
            response: RecordedResponse(status: 200, reason: "OK", content: .body(Array(#"{"ok":true}"#.utf8))),
            timing: Timing(ttfbMilliseconds: 1, totalMilliseconds: 2)
        )
    }

    @Test func showPrintsOneRecordingBySeq() async throws {
        let directory = try TemporaryDirectory()
        let writer = try CassetteWriter(directory: directory.url.path, run: RunID(validating: "r_1"), toolVersion: "1")
        for seq in 0..<3 { try writer.append(exchange(seq: seq)) }
        try writer.finish()

        let shown = await tdf(["cassette", "show", directory.url.path, "--run", "r_1", "--seq", "1"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let lines = shown.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first == "== r_1.jsonl.gz (run r_1, 3 exchanges)")
        #expect(lines.dropFirst().first?.hasPrefix("#1 ordinal 1 ") == true)
        #expect(lines.dropFirst().first?.contains("GET /api/v1/health?probe=1 -> 200 OK") == true)

        let json = await tdf(["cassette", "show", directory.url.path, "--seq", "2", "--json"])
        #expect(json.status == 0)
        #expect(json.stdout.split(separator: "\n").count == 1)
        #expect(json.stdout.contains(#""target":"/api/v1/health?probe=2""#))

        let missing = await tdf(["cassette", "show", directory.url.path, "--seq", "7"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("has no exchange with --seq 7"))
    }
}
