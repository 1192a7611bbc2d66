import Cassettes
import Foundation
import HTTPTransport
import HTTPWire
import RecordingProxy
import Synchronization
import TestSupport
import Testing
import Vocabulary

/// Faults beyond the documented table of FaultMatrixTests: a `Content-Length` body cut short, and shutdown.
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
