import Cassettes
import Foundation
import HTTPTransport
import HTTPWire
import JSON
import RecordingProxy
import TestSupport
import Testing
import Vocabulary

@Suite struct RoundTripTests {
    private struct Call {
        var target: String
        var method = "GET"
        var headers = HTTPHeaders()
        var body: [UInt8]?
    }

    private let calls: [Call] = [
        Call(target: "/json", headers: tags("r_rt", 0, step: "fetch")),
        Call(target: "/binary", headers: tags("r_rt", 1)),
        Call(target: "/sse?n=6&gap=5", method: "POST", headers: tags("r_rt", 2), body: Array(#"{"prompt":"go"}"#.utf8)),
        Call(target: "/echo?x=1", method: "POST", headers: tags("r_rt", 3), body: Array(#"{"a": 1}"#.utf8)),
        Call(target: "/chunked", headers: tags("r_rt", 4)),
        Call(target: "/sse-raw", headers: tags("r_rt", 5)),
        Call(target: "/json", method: "HEAD", headers: tags("r_rt", 6)),
        Call(target: "/nocontent", headers: tags("r_rt", 7)),
        Call(target: "/missing", headers: tags("r_rt", 8)),
        Call(target: "/json"),
        Call(target: "/binary"),
        Call(target: "/json"),
    ]

    private func run(_ calls: [Call], through base: String) async throws -> [Fetched] {
        let client = HTTPClient()
        defer { client.close() }
        var results: [Fetched] = []
        for call in calls {
            results.append(
                try await fetch(client, base, call.target, method: call.method, headers: call.headers, body: call.body)
            )
        }
        return results
    }

    /// Recording against a live upstream, then replaying with the upstream gone, gives byte-identical statuses and
    /// bodies: JSON, binary, SSE (canonical and not), chunked text, HEAD, 204, 404 and untagged repeats.
    @Test func replayIsByteIdentical() async throws {
        let directory = try TemporaryDirectory()
        let (recorded, recordReport) = try await withUpstream { upstream in
            try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)])
            ) { proxy in try await run(calls, through: proxy.baseURL(for: "maestro")!) }
        }
        #expect(recordReport.recorded == calls.count)
        #expect(recorded.map(\.status) == [200, 200, 200, 201, 200, 200, 200, 204, 404, 200, 200, 200])
        #expect(recorded[1].body == Upstream.binary)
        #expect(recorded[4].text == "alpha béta gamma")
        #expect(recorded.allSatisfy { $0.cut == nil })

        let (replayed, replayReport) = try await withProxy(
            proxyConfiguration(.replay, directory: directory.url.path, services: [("maestro", nil)])
        ) { proxy in try await run(calls, through: proxy.baseURL(for: "maestro")!) }
        #expect(replayReport.replayed == calls.count)
        #expect(replayReport.mismatches == 0)
        #expect(replayReport.unusedRecordings.isEmpty)
        for (index, (live, replay)) in zip(recorded, replayed).enumerated() {
            #expect(live.status == replay.status, "call \(index)")
            #expect(live.reason == replay.reason, "call \(index)")
            #expect(live.body == replay.body, "call \(index): \(live.text) vs \(replay.text)")
            #expect(live.headers["Content-Type"] == replay.headers["Content-Type"], "call \(index)")
            #expect(replay.cut == nil, "call \(index)")
        }
        #expect(replayed[6].headers["Content-Length"] == recorded[6].headers["Content-Length"])
    }

    /// The cassette records SSE as events with arrival times, the step tag, and the exact bytes of a stream whose
    /// framing the encoder would not reproduce.
    @Test func recordsEventsAndShapes() async throws {
        let directory = try TemporaryDirectory()
        _ = try await withUpstream { upstream in
            try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)])
            ) { proxy in try await run(calls, through: proxy.baseURL(for: "maestro")!) }
        }
        let cassettes = try recordedExchanges(in: directory.url.path)
        #expect(Set(cassettes.keys) == ["r_rt.jsonl.gz", "_default.jsonl.gz"])
        let cassette = try #require(cassettes["r_rt.jsonl.gz"])
        #expect(cassette.isComplete)
        #expect(cassette.exchanges.map(\.ordinal) == Array(0...8))
        #expect(cassette.exchanges[0].step == "fetch")
        guard case .events(let events, nil) = cassette.exchanges[2].response.content else {
            Issue.record("the SSE stream was not recorded as events: \(cassette.exchanges[2].response.content)")
            return
        }
        #expect(events.count == 7)
        #expect(events.contains { $0.frame == .comment("heartbeat") })
        #expect(events.first?.frame == .event(SSEEvent(data: #"{"type":"tick","seq":0}"#)))
        #expect(events.last!.atMilliseconds - events.first!.atMilliseconds >= 20)
        guard case .events(let raw, let exact?) = cassette.exchanges[5].response.content else {
            Issue.record("non-canonical SSE lost its exact bytes")
            return
        }
        #expect(
            raw.map(\.frame) == [
                .event(SSEEvent(data: "first")), .event(SSEEvent(data: "a\nb", event: "e", id: "5")), .comment("c"),
            ]
        )
        #expect(
            String(decoding: exact.flatMap(\.bytes), as: UTF8.self)
                == "data:first\r\n\r\nid: 5\nevent: e\ndata: a\ndata: b\n\n: c\n\n"
        )
        guard case .chunks(let chunks) = cassette.exchanges[4].response.content else {
            Issue.record("a chunked body was not recorded as chunks")
            return
        }
        #expect(chunks.count >= 2)
        #expect(String(decoding: chunks.flatMap(\.bytes), as: UTF8.self) == "alpha béta gamma")
        #expect(cassette.exchanges[1].response.content == .body(Upstream.binary))
        #expect(cassettes["_default.jsonl.gz"]?.exchanges.map(\.ordinal) == [0, 1, 2])
    }

    /// Tags and hop-by-hop headers never reach the upstream and connection-specific response headers never reach
    /// the client; end-to-end headers cross both ways and the recording keeps what the client sent.
    @Test func stripsHopByHopHeaders() async throws {
        let directory = try TemporaryDirectory()
        var headers = tags("r_h", 0, step: "s")
        headers.append(name: "Connection", value: "keep-alive, X-Private")
        headers.append(name: "X-Private", value: "hop")
        headers.append(name: "Keep-Alive", value: "timeout=5")
        headers.append(name: "TE", value: "trailers")
        headers.append(name: "Proxy-Authorization", value: "Basic eA==")
        headers.append(name: "X-End-To-End", value: "kept")
        let (echo, json, authority) = try await withUpstream { upstream in
            let ((echo, json), _) = try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("api", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                let base = proxy.baseURL(for: "api")!
                return (
                    try await fetch(client, base, "/echo", method: "POST", headers: headers, body: Array("hi".utf8)),
                    try await fetch(client, base, "/json")
                )
            }
            return (echo, json, upstream.url.authority)
        }
        #expect(echo.status == 201)
        #expect(echo.reason == "Made It")
        #expect(json.headers["Keep-Alive"] == nil)
        #expect(json.headers["Content-Type"] == "application/json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(echo.body)) as? [String: Any])
        let received = (object["headers"] as? [[String]] ?? []).map { $0[0].lowercased() }
        for name in [
            "x-tdf-run", "x-tdf-ordinal", "x-tdf-step", "x-private", "keep-alive", "te", "proxy-authorization",
        ] {
            #expect(!received.contains(name), "\(name) reached the upstream")
        }
        #expect(received.contains("x-end-to-end"))
        #expect((object["headers"] as? [[String]])?.first { $0[0] == "Host" }?[1] == authority)
        #expect(object["body"] as? String == "hi")
        let recorded = try #require(try recordedExchanges(in: directory.url.path)["r_h.jsonl.gz"]?.exchanges.first)
        #expect(recorded.request.headers["X-TDF-Run"] == nil)
        #expect(recorded.request.headers["X-End-To-End"] == "kept")
        #expect(recorded.step == "s")
    }

    /// `zcat` and Python read every cassette line as JSON, and the HAR export has the HAR 1.2 fields.
    @Test func cassettesAreReadableByStandardTools() async throws {
        guard let python = ExternalProcess.which("python3"), let zcat = ExternalProcess.which("zcat") else {
            Issue.record("python3 and zcat are needed")
            return
        }
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("cassettes")
        _ = try await withUpstream { upstream in
            try await withProxy(
                proxyConfiguration(.record, directory: cassettes, services: [("maestro", upstream.url)])
            ) {
                proxy in try await run(calls, through: proxy.baseURL(for: "maestro")!)
            }
        }
        let names = try SessionDirectory.cassetteFileNames(in: cassettes).map { cassettes + "/" + $0 }
        let unzipped = try await ExternalProcess.run(zcat, names)
        #expect(unzipped.status == 0)
        try Data(unzipped.stdout).write(to: URL(fileURLWithPath: directory.path("all.jsonl")))
        let checked = try await ExternalProcess.run(
            python,
            ["-m", "json.tool", "--json-lines"],
            standardInput: directory.path("all.jsonl")
        )
        #expect(checked.status == 0, "\(checked.stderr)")
        let loaded = try names.map { try Cassette.load(path: $0) }
        let har = JSONWriter.bytes(HARExport.document(of: loaded, toolVersion: "test"))
        try Data(har).write(to: URL(fileURLWithPath: directory.path("all.har")))
        let script = """
            import json, sys
            log = json.load(open(sys.argv[1]))["log"]
            assert log["version"] == "1.2"
            assert len(log["entries"]) == \(calls.count)
            for e in log["entries"]:
                assert {"startedDateTime", "time", "request", "response", "cache", "timings"} <= set(e)
                assert {"method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"} <= set(e["request"])
                assert {"status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize"} <= set(e["response"])
            """
        let harCheck = try await ExternalProcess.run(python, ["-c", script, directory.path("all.har")])
        #expect(harCheck.status == 0, "\(harCheck.stderr)")
    }
}
