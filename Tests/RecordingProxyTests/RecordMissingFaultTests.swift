import Cassettes
import Foundation
import HTTPTransport
import HTTPWire
import RecordingProxy
import Sockets
import Synchronization
import TestSupport
import Testing
import Vocabulary

/// record-missing after the upstream was down while recording: the proxy's own 502s are asked again, not served
/// (cassette-format.md §3.2.4, §7), while plain replay serves them as recorded.
@Suite struct RecordMissingFaultTests {
    /// The requests of the test, tagged and untagged, each answered by `/json` once the upstream runs.
    private static let requests: [HTTPHeaders] = [tags("r_m", 0), HTTPHeaders()]

    private func fetchAll(_ proxy: ProxyServer) async throws -> [Fetched] {
        let client = HTTPClient()
        defer { client.close() }
        var fetched: [Fetched] = []
        for headers in Self.requests {
            fetched.append(try await fetch(client, proxy.baseURL(for: "svc")!, "/json", headers: headers))
        }
        return fetched
    }

    @Test(.timeLimit(.minutes(1))) func forwardsAgainWhatTheUpstreamNeverAnswered() async throws {
        let directory = try TemporaryDirectory()
        let cassettes = directory.url.path
        // A port nothing listens on: bound, then closed.
        let closed = try Listener(host: "127.0.0.1", port: 0)
        let down = HTTPURL(host: "127.0.0.1", port: closed.address.port)
        closed.close()

        let (recorded, _) = try await withProxy(
            proxyConfiguration(.record, directory: cassettes, services: [("svc", down)]),
            fetchAll
        )
        #expect(recorded.map(\.status) == [502, 502])
        #expect(try recordedExchanges(in: cassettes).values.allSatisfy { $0.exchanges.count == 1 })

        let (replayed, _) = try await withProxy(
            proxyConfiguration(.replay, directory: cassettes, services: [("svc", nil)]),
            fetchAll
        )
        #expect(replayed.map(\.status) == [502, 502])
        #expect(replayed.map { $0.headers[Exchange.proxyErrorHeader] } == ["upstream_refused", "upstream_refused"])

        try await withUpstream { upstream in
            let ((missing, again), report) = try await withProxy(
                proxyConfiguration(.recordMissing, directory: cassettes, services: [("svc", upstream.url)])
            ) { proxy in
                (try await fetchAll(proxy), try await fetchAll(proxy))
            }
            #expect(missing.map(\.status) == [200, 200])
            #expect(missing.map(\.text) == [#"{"ok":true,"items":[1,2,3]}"#, #"{"ok":true,"items":[1,2,3]}"#])
            // The second round is answered from the new recordings, not the 502s, and not forwarded.
            #expect(again.map(\.text) == missing.map(\.text))
            #expect(upstream.log.hits.withLock { $0 } == 2)
            #expect(report.recorded == 2)
            #expect(report.mismatches == 0)
        }
        for (name, cassette) in try recordedExchanges(in: cassettes) {
            #expect(cassette.exchanges.map(\.response.status) == [200], "\(name)")
            #expect(cassette.exchanges.allSatisfy { $0.fault == nil }, "\(name)")
            #expect(cassette.isComplete, "\(name)")
        }

        let (final, report) = try await withProxy(
            proxyConfiguration(.replay, directory: cassettes, services: [("svc", nil)]),
            fetchAll
        )
        #expect(final.map(\.status) == [200, 200])
        #expect(report.unusedRecordings.isEmpty)
        #expect(!report.failsStrictCheck)
    }

    /// A replay that never touches one cassette lists its recordings as unused, which fails a strict check.
    @Test(.timeLimit(.minutes(1))) func listsTheRecordingsOfAnUntouchedCassette() async throws {
        let directory = try TemporaryDirectory()
        let cassettes = directory.url.path
        try await withUpstream { upstream in
            _ = try await withProxy(
                proxyConfiguration(.record, directory: cassettes, services: [("svc", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                let base = proxy.baseURL(for: "svc")!
                _ = try await fetch(client, base, "/json", headers: tags("r_a", 0))
                _ = try await fetch(client, base, "/json", headers: tags("r_b", 0))
                _ = try await fetch(client, base, "/binary", headers: tags("r_b", 1))
            }
        }
        let (served, report) = try await withProxy(
            proxyConfiguration(.replay, directory: cassettes, services: [("svc", nil)])
        ) { proxy in
            let client = HTTPClient()
            defer { client.close() }
            return try await fetch(client, proxy.baseURL(for: "svc")!, "/json", headers: tags("r_a", 0))
        }
        #expect(served.status == 200)
        #expect(
            report.unusedRecordings.map(\.description) == [
                "r_b.jsonl.gz seq 0 ordinal 0: svc GET /json", "r_b.jsonl.gz seq 1 ordinal 1: svc GET /binary",
            ]
        )
        #expect(report.mismatches == 0)
        #expect(report.failsStrictCheck)
    }
}
