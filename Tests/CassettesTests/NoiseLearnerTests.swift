import Cassettes
import Foundation
import JSON
import TestSupport
import Testing
import Vocabulary

/// `NoiseLearner` proposes the rules that make two recordings of the same client match (Docs/matching.md).
@Suite struct NoiseLearnerTests {
    private static let variations = "/api/v1/muse/variations"

    private func exchange(seq: Int, method: String = "GET", target: String, body: String = "") -> Exchange {
        Exchange(
            seq: seq,
            ordinal: seq,
            service: "maestro",
            started: Timestamp(millisecondsSinceEpoch: 1_764_072_000_000),
            request: RecordedRequest(method: method, target: target, body: Array(body.utf8)),
            response: RecordedResponse(status: 200, reason: "OK", content: .body(Array(#"{"ok":true}"#.utf8))),
            timing: Timing(ttfbMilliseconds: 1, totalMilliseconds: 2)
        )
    }

    /// The cassettes of a session directory written with one cassette of `run` holding `exchanges`.
    private func session(_ exchanges: [Exchange], run: String?) throws -> [Cassette] {
        let directory = try TemporaryDirectory()
        let writer = try CassetteWriter(
            directory: directory.url.path,
            run: try run.map { try RunID(validating: $0) },
            toolVersion: "1"
        )
        for exchange in exchanges { try writer.append(exchange) }
        try writer.finish()
        return try CassetteSelection(path: directory.url.path, currentDirectory: "/", run: nil).load()
    }

    /// A client posting a variation with an id and a time it invents and a request counter, then a health check.
    private func recording(id: String, sentAt: String, counter: Int) -> [Exchange] {
        [
            exchange(
                seq: 0,
                method: "POST",
                target: "\(Self.variations)?n=\(counter)",
                body: #"{"variation_id":"\#(id)","sent_at":"\#(sentAt)","intent":"jazz"}"#
            ),
            exchange(seq: 1, target: "/api/v1/health"),
        ]
    }

    @Test func differingIdsTimesAndCountersBecomeOneClassifiedRuleForTheirRoute() throws {
        let first = recording(id: "88a8e742-ef55-473f-b2fe-7264cda81fa9", sentAt: "2026-12-07T15:00:00Z", counter: 1)
        let second = recording(
            id: "d84e545d-7128-4c10-8e6f-ffb48cf94d93",
            sentAt: "2026-12-07T15:00:05.123+01:00",
            counter: 2
        )
        let cassettesA = try session(first, run: "r_1")
        let cassettesB = try session(second, run: "r_1")

        let proposal = NoiseLearner.learn(cassettesA, cassettesB)

        let expected = MatchingRules([
            .init(
                service: "maestro",
                method: "POST",
                path: MatchingRules.RoutePattern(Self.variations),
                ignoredBodyPaths: [try #require(JSONPath("$.variation_id")), try #require(JSONPath("$.sent_at"))],
                query: .ignoring(["n"])
            )
        ])
        #expect(proposal.rules == expected)
        #expect(proposal.findings.map(\.location) == ["?n", "$.variation_id", "$.sent_at"])
        #expect(proposal.findings.map(\.kind) == [.counter, .uuid, .timestamp])
        #expect(proposal.findings.map(\.path) == [Self.variations, Self.variations, Self.variations])
        #expect(proposal.findings[1].first == #""88a8e742-ef55-473f-b2fe-7264cda81fa9""#)
        #expect(proposal.findings[1].second == #""d84e545d-7128-4c10-8e6f-ffb48cf94d93""#)
        #expect(proposal.pairs == 2)
        #expect(proposal.unpaired.isEmpty)
        #expect(proposal.unlearnable.isEmpty)

        // The rules make the two requests alike, and their document reads back as the same rules.
        let normalized = [first[0], second[0]].map { proposal.rules.normalized(service: "maestro", $0.request) }
        #expect(normalized[0] == normalized[1])
        let document = JSONWriter.bytes(proposal.rules.document)
        #expect(try MatchingRules(document: document) == expected)
        #expect(
            String(decoding: document, as: UTF8.self)
                == #"{"version":1,"rules":[{"service":"maestro","method":"POST","path":"/api/v1/muse/variations","#
                + #""ignore_body_paths":["$.variation_id","$.sent_at"],"ignore_query":["n"]}]}"#
        )
    }

    @Test func identicalRecordingsProposeNothing() throws {
        let exchanges = recording(id: "88a8e742-ef55-473f-b2fe-7264cda81fa9", sentAt: "1764072000123", counter: 1)
        let cassettesA = try session(exchanges, run: "r_1")
        let cassettesB = try session(exchanges, run: "r_1")

        let proposal = NoiseLearner.learn(cassettesA, cassettesB)

        #expect(proposal.rules == MatchingRules())
        #expect(proposal.findings.isEmpty)
        #expect(proposal.pairs == 2)
        #expect(proposal.unpaired.isEmpty)
        #expect(proposal.unlearnable.isEmpty)
    }

    @Test func idsInAPathMakeOneParameterRuleAndExtraExchangesAreReportedUnpaired() throws {
        let first = [
            exchange(seq: 0, target: "/api/v1/muse/projects/1042/log?limit=5&cursor=c1"),
            exchange(seq: 1, target: "/api/v1/muse/projects/1043/log?limit=5&cursor=c2"),
        ]
        let second = [
            exchange(seq: 0, target: "/api/v1/muse/projects/2001/log?limit=5&cursor=x9"),
            exchange(seq: 1, target: "/api/v1/muse/projects/2002/log?limit=5&cursor=x8"),
            exchange(seq: 2, target: "/api/v1/health"),
        ]
        // Untagged traffic pairs per route, in order.
        let cassettesA = try session(first, run: nil)
        let cassettesB = try session(second, run: nil)

        let proposal = NoiseLearner.learn(cassettesA, cassettesB)

        #expect(
            proposal.rules
                == MatchingRules([
                    .init(
                        service: "maestro",
                        method: "GET",
                        path: MatchingRules.RoutePattern("/api/v1/muse/projects/{param}/log"),
                        query: .ignoring(["cursor"])
                    )
                ])
        )
        #expect(proposal.findings.map(\.kind) == [.random])
        #expect(proposal.pairs == 2)
        #expect(proposal.unpaired.map(\.target) == ["/api/v1/health"])
        #expect(proposal.unpaired.map(\.isInFirst) == [false])
        // A path is matched as it is: the ids in it are reported, not ignored.
        #expect(proposal.unlearnable.map(\.location) == ["path", "path"])
    }
}
