import Cassettes
import Foundation
import HTTPTransport
import HTTPWire
import JSON
import RecordingProxy
import TestSupport
import Testing
import Vocabulary

/// A client tdf did not write invents a uuid per request: its recording replays only when matching leaves the uuid
/// out (Docs/matching.md).
@Suite struct MatchingRulesProxyTests {
    private func variation() -> [UInt8] {
        Array(#"{"variation_id":"\#(UUID().uuidString.lowercased())","prompt":"jazz"}"#.utf8)
    }

    /// Sends two untagged `POST /echo` with fresh uuids through a proxy; returns the answers.
    private func postTwice(_ configuration: ProxyConfiguration) async throws -> [Fetched] {
        try await postTwiceSending(configuration).map(\.answer)
    }

    /// Sends two untagged `POST /echo` with fresh uuids through a proxy; returns each body sent and its answer.
    private func postTwiceSending(
        _ configuration: ProxyConfiguration
    ) async throws -> [(sent: [UInt8], answer: Fetched)] {
        try await withProxy(configuration) { proxy in
            let client = HTTPClient()
            defer { client.close() }
            var answers: [(sent: [UInt8], answer: Fetched)] = []
            for _ in 0..<2 {
                let base = proxy.baseURL(for: "maestro")!
                let body = variation()
                answers.append((body, try await fetch(client, base, "/echo", method: "POST", body: body)))
            }
            return answers
        }.result
    }

    /// The body the echo server says it received, in an answer of `POST /echo`.
    private func echoedBody(_ answer: Fetched) throws -> String? {
        try (JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])?["body"] as? String
    }

    @Test func anIgnoredBodyPathLetsAClientThatInventsUUIDsReplay() async throws {
        let directory = try TemporaryDirectory()
        let recorded = try await withUpstream { upstream in
            try await postTwice(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)])
            )
        }
        #expect(recorded.map(\.status) == [201, 201])

        let strict = try await postTwice(
            proxyConfiguration(.replay, directory: directory.url.path, services: [("maestro", nil)])
        )
        #expect(strict.map(\.status) == [599, 599])
        let mismatch = try #require(try JSONSerialization.jsonObject(with: Data(strict[0].body)) as? [String: Any])
        let differences = try #require(mismatch["differences"] as? [[String: String]])
        #expect(differences.map { $0["location"] } == ["$.variation_id"])

        // What `tdf proxy --ignore-body-path $.variation_id` configures: one rule for every request.
        var configuration = proxyConfiguration(.replay, directory: directory.url.path, services: [("maestro", nil)])
        configuration.matchingRules = MatchingRules([
            .init(ignoredBodyPaths: [try #require(JSONPath("$.variation_id"))])
        ])
        let replayed = try await postTwiceSending(configuration)
        #expect(replayed.map(\.answer.status) == [201, 201])
        // Value threading: the recorded answers come back carrying the ids this client sent this time.
        for (sent, answer) in replayed {
            #expect(try echoedBody(answer) == String(decoding: sent, as: UTF8.self))
        }
        #expect(try replayed.map { try echoedBody($0.answer) } != recorded.map { try echoedBody($0) })
    }

    /// Threaded values reach SSE data event by event (fast and paced), and a body whose length they change gets a
    /// `Content-Length` that counts the new bytes.
    @Test func threadedValuesReachSSEDataAndTheContentLength() async throws {
        let directory = try TemporaryDirectory()
        func body(_ id: String) -> [UInt8] { Array(#"{"id":"\#(id)"}"#.utf8) }
        let (recordedStream, recordedEcho) = ("rec-2026-12-07T10:00:00Z", "rec-00000001")
        _ = try await withUpstream { upstream in
            try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                let base = proxy.baseURL(for: "maestro")!
                _ = try await fetch(client, base, "/sse-echo", method: "POST", body: body(recordedStream))
                _ = try await fetch(client, base, "/echo", method: "POST", body: body(recordedEcho))
            }
        }
        for pace in [ProxyConfiguration.Pace.fast, .factor(0.01)] {
            var configuration = proxyConfiguration(.replay, directory: directory.url.path, services: [("maestro", nil)])
            configuration.pace = pace
            configuration.matchingRules = MatchingRules([.init(ignoredBodyPaths: [try #require(JSONPath("$.id"))])])
            let (liveStream, liveEcho) = ("live-2026-12-07T10:00:00.123456Z", "live-000000000000002")
            let (stream, echo) = try await withProxy(configuration) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                let base = proxy.baseURL(for: "maestro")!
                return (
                    try await fetch(client, base, "/sse-echo", method: "POST", body: body(liveStream)),
                    try await fetch(client, base, "/echo", method: "POST", body: body(liveEcho))
                )
            }.result
            #expect(
                stream.text == (0..<3).map { #"data: {"id":"\#(liveStream)","seq":\#($0)}"# + "\n\n" }.joined(),
                "\(pace)"
            )
            #expect(try echoedBody(echo) == #"{"id":"\#(liveEcho)"}"#, "\(pace)")
            #expect(echo.headers["Content-Length"] == String(echo.body.count), "\(pace)")
        }
    }
}
