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

    /// `tdf cassette scan` exits 1 naming cassette, seq and place of a planted JWT (shown masked), 0 on a clean
    /// recording, and 2 for a run id that cannot be one.
    @Test func scanFindsPlantedSecrets() async throws {
        let jwt =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJoYXJuZXNzIiwiZXhwIjo0MTAyNDQ0ODAwfQ"
            + ".dGRmLXNlY3JldC1zaWduYXR1cmUtMTIzNDU2"
        let directory = try TemporaryDirectory()
        let clean = try CassetteWriter(directory: directory.url.path, run: RunID(validating: "r_1"), toolVersion: "1")
        for seq in 0..<2 { try clean.append(exchange(seq: seq)) }
        try clean.finish()
        let leaky = try CassetteWriter(directory: directory.url.path, run: RunID(validating: "r_2"), toolVersion: "1")
        var planted = exchange(seq: 0)
        planted.response.content = .events(
            [
                StreamEvent(atMilliseconds: 1, frame: .event(SSEEvent(data: #"{"type":"start"}"#))),
                StreamEvent(atMilliseconds: 2, frame: .event(SSEEvent(data: #"{"type":"auth","jwt":"\#(jwt)"}"#))),
            ],
            exact: nil
        )
        try leaky.append(planted)
        try leaky.finish()

        let found = await tdf(["cassette", "scan", directory.url.path])
        #expect(found.status == 1)
        #expect(
            found.stdout.split(separator: "\n") == [
                "r_2.jsonl.gz seq 0 response.events[1].data $.jwt: a JWT eyJh…(120 chars)",
                "scanned 3 exchanges in 2 cassettes: 1 possible secrets",
            ]
        )
        #expect(!found.stdout.contains(jwt))

        let clean1 = await tdf(["cassette", "scan", directory.url.path, "--run", "r_1"])
        #expect(clean1.status == 0)
        #expect(clean1.stdout == "scanned 2 exchanges in 1 cassettes: nothing looks like a credential\n")

        let json = await tdf(["cassette", "scan", directory.url.path, "--json"])
        #expect(json.status == 1)
        #expect(json.stdout.contains(#""location": "response.events[1].data $.jwt""#))
        #expect(json.stdout.contains(#""kind": "jwt""#))

        let usage = await tdf(["cassette", "scan", directory.url.path, "--run", "../x"])
        #expect(usage.status == 2)
    }
}
