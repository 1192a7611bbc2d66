import Cassettes
import Foundation
import HTTPWire
import TestSupport
import Vocabulary

/// Example exchanges covering every body shape.
enum Fixtures {
    static let started = Timestamp(millisecondsSinceEpoch: 1_764_072_000_123)

    /// A replay library over one cassette of `run` holding `exchanges`, written in `directory`.
    static func replayLibrary(
        with exchanges: [Exchange],
        run: RunID?,
        in directory: TemporaryDirectory,
        rules: MatchingRules = MatchingRules()
    ) throws -> ReplayLibrary {
        let writer = try CassetteWriter(directory: directory.url.path, run: run, toolVersion: "1")
        for exchange in exchanges { try writer.append(exchange) }
        try writer.finish()
        return ReplayLibrary(directory: directory.url.path, redactor: Redactor(), rules: rules)
    }

    static func jsonExchange(
        seq: Int = 0,
        ordinal: Int? = nil,
        service: String = "maestro",
        body: String = #"{"ok":true}"#
    )
        -> Exchange
    {
        Exchange(
            seq: seq,
            ordinal: ordinal ?? seq,
            service: service,
            started: started,
            step: "fetch_prompts",
            request: RecordedRequest(
                method: "GET",
                target: "/api/v1/prompts/random?n=\(seq)",
                headers: HTTPHeaders([("Host", "127.0.0.1:4000"), ("Accept", "application/json")])
            ),
            response: RecordedResponse(
                status: 200,
                reason: "OK",
                headers: HTTPHeaders([
                    ("Content-Type", "application/json"), ("Content-Length", String(body.utf8.count)),
                    ("Date", "Tue, 25 Nov 2025 12:00:00 GMT"),
                ]),
                content: .body(Array(body.utf8))
            ),
            timing: Timing(ttfbMilliseconds: 1.25, totalMilliseconds: 2.5)
        )
    }

    static func binaryExchange(seq: Int = 1) -> Exchange {
        var exchange = jsonExchange(seq: seq)
        exchange.request = RecordedRequest(method: "GET", target: "/artifacts/a.mid")
        exchange.response.headers = HTTPHeaders([("Content-Type", "audio/midi"), ("Content-Length", "6")])
        exchange.response.content = .body([0x4D, 0x54, 0x68, 0x64, 0xFF, 0x00])
        return exchange
    }

    static func sseExchange(seq: Int = 2) -> Exchange {
        var exchange = jsonExchange(seq: seq)
        exchange.request = RecordedRequest(
            method: "POST",
            target: "/api/v1/maestro/stream",
            headers: HTTPHeaders([("Content-Type", "application/json")]),
            body: Array(#"{"prompt":"x"}"#.utf8)
        )
        exchange.response.headers = HTTPHeaders([
            ("Content-Type", "text/event-stream"), ("Transfer-Encoding", "chunked"),
        ])
        exchange.response.content = .events(
            [
                StreamEvent(atMilliseconds: 3, frame: .event(SSEEvent(data: #"{"type":"state","seq":0}"#))),
                StreamEvent(atMilliseconds: 23.5, frame: .comment("heartbeat")),
                StreamEvent(
                    atMilliseconds: 44,
                    frame: .event(SSEEvent(data: "two\nlines", event: "x", id: "7", retry: 50))
                ),
            ],
            exact: nil
        )
        exchange.timing = Timing(ttfbMilliseconds: 2, totalMilliseconds: 45)
        return exchange
    }

    static func chunkedExchange(seq: Int = 3) -> Exchange {
        var exchange = jsonExchange(seq: seq)
        exchange.response.headers = HTTPHeaders([("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")])
        exchange.response.content = .chunks([
            StreamChunk(atMilliseconds: 1, bytes: Array("hel".utf8)), StreamChunk(atMilliseconds: 9.125, bytes: [0xC3]),
            StreamChunk(atMilliseconds: 10, bytes: [0xA9]),
        ])
        return exchange
    }

    static func faultExchange(seq: Int = 4) -> Exchange {
        var exchange = sseExchange(seq: seq)
        exchange.fault = Fault(kind: .reset, afterBytes: 32, detail: "maestro upstream: connection closed")
        return exchange
    }
}
