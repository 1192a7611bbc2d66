import Cassettes
import Foundation
import HTTPTransport
import HTTPWire
import RecordingProxy
import Sockets
import Synchronization
import TestSupport
import Testing

@Suite struct FaultTests {
    /// Records one request against `upstream`, then replays it; returns what the client saw each time and the
    /// recorded exchange.
    private func recordThenReplay(
        upstream: HTTPURL,
        target: String,
        upstreamTimeout: Duration = .seconds(10)
    ) async throws -> (live: Fetched, replay: Fetched, exchange: Exchange) {
        let directory = try TemporaryDirectory()
        let (live, _) = try await withProxy(
            proxyConfiguration(
                .record,
                directory: directory.url.path,
                services: [("svc", upstream)],
                upstreamTimeout: upstreamTimeout
            )
        ) { proxy in
            let client = HTTPClient()
            defer { client.close() }
            return try await fetch(client, proxy.baseURL(for: "svc")!, target, headers: tags("r_f", 0))
        }
        let exchange = try #require(try recordedExchanges(in: directory.url.path)["r_f.jsonl.gz"]?.exchanges.first)
        let (replay, _) = try await withProxy(
            proxyConfiguration(.replay, directory: directory.url.path, services: [("svc", nil)])
        ) {
            proxy in
            let client = HTTPClient()
            defer { client.close() }
            return try await fetch(client, proxy.baseURL(for: "svc")!, target, headers: tags("r_f", 0))
        }
        return (live, replay, exchange)
    }

    /// Nothing listening upstream: the client gets a 502 JSON error, recorded as a `refused` fault and replayed alike.
    @Test func refusedUpstreamIs502() async throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        let port = listener.address.port
        listener.close()
        let (live, replay, exchange) = try await recordThenReplay(
            upstream: HTTPURL(host: "127.0.0.1", port: port),
            target: "/x"
        )
        #expect(live.status == 502)
        #expect(live.headers["X-TDF-Proxy-Error"] == "upstream_refused")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(live.body)) as? [String: String])
        #expect(object["error"] == "upstream_refused")
        #expect(object["detail"]?.contains("svc upstream") == true)
        #expect(exchange.fault?.kind == .refused)
        #expect(exchange.fault?.afterBytes == 0)
        #expect(exchange.timing.ttfbMilliseconds == nil)
        #expect(replay.status == 502)
        #expect(replay.body == live.body)
    }

    /// An upstream that does not answer within the upstream timeout gives a 504, recorded as a `timeout` fault.
    /// (`/slow` answers 200 after 20 s, so a proxy that ignored the 300 ms timeout would relay that instead.)
    @Test func silentUpstreamIs504() async throws {
        try await withUpstream { upstream in
            let (live, replay, exchange) = try await recordThenReplay(
                upstream: upstream.url,
                target: "/slow",
                upstreamTimeout: .milliseconds(300)
            )
            #expect(live.status == 504)
            #expect(live.headers["X-TDF-Proxy-Error"] == "upstream_timeout")
            #expect(exchange.fault?.kind == .timeout)
            #expect(exchange.timing.totalMilliseconds >= 250)
            #expect(replay.status == 504)
            #expect(replay.body == live.body)
        }
    }

    /// An upstream that breaks off an SSE stream mid-event: the client's connection is cut after exactly the bytes
    /// the upstream sent, the fault is recorded with that offset, and replay cuts at the same byte.
    @Test func resetMidStreamCutsTheClientAtTheSameByte() async throws {
        try await withUpstream { upstream in
            let (live, replay, exchange) = try await recordThenReplay(upstream: upstream.url, target: "/cut")
            let sent = "data: {\"seq\":0}\n\ndata: {\"seq\":1}\n\ndata: {\"partial"
            #expect(live.status == 200)
            #expect(live.text == sent)
            #expect(live.cut != nil)
            #expect(exchange.fault?.kind == .reset)
            #expect(exchange.fault?.afterBytes == sent.utf8.count)
            guard case .events(let events, let exact?) = exchange.response.content else {
                Issue.record("the cut stream lost its exact bytes: \(exchange.response.content)")
                return
            }
            #expect(events.count == 2)
            #expect(exact.flatMap(\.bytes) == Array(sent.utf8))
            #expect(replay.status == 200)
            #expect(replay.body == live.body)
            #expect(replay.cut != nil)
        }
    }

    /// A body shorter than its Content-Length: the client sees the same short body and a closed connection, live
    /// and in replay.
    @Test func resetInsideContentLengthBody() async throws {
        try await withUpstream { upstream in
            let (live, replay, exchange) = try await recordThenReplay(upstream: upstream.url, target: "/cut-length")
            #expect(live.body == Array(Upstream.binary.prefix(300)))
            #expect(live.cut != nil)
            #expect(live.headers["Content-Length"] == "1000")
            #expect(exchange.fault?.afterBytes == 300)
            #expect(replay.body == live.body)
            #expect(replay.cut != nil)
            #expect(replay.headers["Content-Length"] == "1000")
        }
    }

    /// An upstream that goes silent in the middle of a stream: the stream is cut at the timeout, recorded as `timeout`.
    @Test func stalledStreamTimesOut() async throws {
        // The head and the first event leave in one write from a thread of their own, so only the silence after
        // them can outlast the short timeout, however busy the machine.
        let stalling = try StallingPeer(
            reply: Array(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\nd\r\ndata: first\n\n\r\n"
                    .utf8
            )
        )
        defer { stalling.stop() }
        let (live, replay, exchange) = try await recordThenReplay(
            upstream: HTTPURL(host: "127.0.0.1", port: stalling.port),
            target: "/stall",
            upstreamTimeout: .milliseconds(300)
        )
        #expect(live.text == "data: first\n\n")
        #expect(live.cut != nil)
        #expect(exchange.fault?.kind == .timeout)
        #expect(exchange.fault?.afterBytes == 13)
        #expect(replay.body == live.body)
        #expect(replay.cut != nil)
    }

    /// An upstream that answers with something that is not HTTP gives a 502 recorded as `malformed`.
    @Test func malformedUpstreamIs502() async throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        let garbage = Task {
            let socket = try await listener.accept()
            _ = try await socket.read(deadline: deadline(after: .seconds(5)))
            try await socket.write(Array("SPEAKING GIBBERISH\r\n\r\n".utf8))
            socket.close()
        }
        defer { listener.close() }
        let (live, replay, exchange) = try await recordThenReplay(
            upstream: HTTPURL(host: "127.0.0.1", port: listener.address.port),
            target: "/x"
        )
        _ = try? await garbage.value
        #expect(live.status == 502)
        #expect(live.headers["X-TDF-Proxy-Error"] == "upstream_malformed")
        #expect(exchange.fault?.kind == .malformed)
        #expect(replay.status == 502)
        #expect(replay.body == live.body)
    }
}

@Suite struct ShutdownTests {
    /// Shutdown does not wait past its grace period for an upstream that has not answered (a long poll): the client
    /// gets a 503 and the exchange is recorded as a `reset`.
    @Test func shutdownAnswersRequestsStillWaitingUpstream() async throws {
        let directory = try TemporaryDirectory()
        try await withUpstream { upstream in
            var configuration = proxyConfiguration(
                .record,
                directory: directory.url.path,
                services: [("svc", upstream.url)]
            )
            configuration.gracePeriod = .milliseconds(300)
            let proxy = try await ProxyServer.start(configuration)
            let base = proxy.baseURL(for: "svc")!
            let waiting = Task {
                let client = HTTPClient()
                defer { client.close() }
                return try await fetch(client, base, "/slow", headers: tags("r_s", 0))
            }
            // Shut down only once the request is waiting on the upstream.
            let waitingUpstream = ContinuousClock.now.advanced(by: .seconds(60))
            while upstream.log.hits.withLock({ $0 }) == 0 && ContinuousClock.now < waitingUpstream {
                try await Task.sleep(for: .milliseconds(5))
            }
            let report = await proxy.shutdown()
            // `/slow` answers 200 after 20 s: a 503 shows shutdown did not wait for the upstream.
            let fetched = try await waiting.value
            #expect(fetched.status == 503)
            #expect(fetched.headers["X-TDF-Proxy-Error"] == "proxy_shutting_down")
            #expect(report.recorded == 1)
        }
        let exchange = try #require(try recordedExchanges(in: directory.url.path)["r_s.jsonl.gz"]?.exchanges.first)
        #expect(exchange.response.status == 503)
        #expect(exchange.fault?.kind == .reset)
    }
}
