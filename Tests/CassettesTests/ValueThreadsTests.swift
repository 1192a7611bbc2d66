import Cassettes
import HTTPWire
import JSON
import TestSupport
import Testing

/// Value threading gives a client its own values back and lets its next requests match (Docs/matching.md).
@Suite struct ValueThreadsTests {
    private static let recordedID = "1f0c2e4a-0000-4000-8000-000000000001"
    private static let liveID = "9b2e7d10-1111-4111-8111-111111111111"

    private func request(_ target: String, _ body: String = "") -> RecordedRequest {
        RecordedRequest(method: "POST", target: target, body: Array(body.utf8))
    }

    @Test func onlyValuesThatCannotBeMistakenForOthersAreThreadable() {
        #expect(ValueThreads.isThreadable(Self.recordedID))
        #expect(ValueThreads.isThreadable("2026-12-07T15:00:00.123+00:00"))
        #expect(ValueThreads.isThreadable("1765119600.25"))
        #expect(!ValueThreads.isThreadable("1234567"), "seven characters are too short")
        #expect(!ValueThreads.isThreadable("composition"), "a word without a digit")
        #expect(!ValueThreads.isThreadable("id with 1 space"))
        #expect(!ValueThreads.isThreadable(#"a"quote"1234"#))
        #expect(!ValueThreads.isThreadable(String(repeating: "7", count: ValueThreads.maximumLength + 1)))
    }

    @Test func learningThreadsTheScalarsThatDifferInTheBodyAndTheQuery() {
        var threads = ValueThreads()
        let recorded = request(
            "/v?ts=2026-12-07T10%3A00%3A00Z&n=1",
            #"{"variation_id":"\#(Self.recordedID)","at":1765119600.25,"items":[{"id":"item-00000001"}],"same":"x"}"#
        )
        let live = request(
            "/v?n=2&ts=2026-12-07T10%3A05%3A00Z",
            #"{"same":"x","variation_id":"\#(Self.liveID)","at":1765119900.5,"items":[{"id":"item-00000002"}]}"#
        )
        #expect(threads.learn(recorded: recorded, live: live) == 4)
        #expect(
            threads.threads.map(\.description) == [
                "2026-12-07T10:00:00Z → 2026-12-07T10:05:00Z",
                "\(Self.recordedID) → \(Self.liveID)",
                "1765119600.25 → 1765119900.5",
                "item-00000001 → item-00000002",
            ]
        )
        #expect(threads.learn(recorded: recorded, live: recorded) == 0)
    }

    /// Found by the value-threads fuzz target: a body with a repeated key paired its second value with the first
    /// one of the other body, so a request learned against itself threaded a value to another.
    @Test func aRepeatedKeyCountsOnceAsItsFirst() {
        var threads = ValueThreads()
        let body = #"{"at":1765119515,"at":1765119600.25}"#
        #expect(threads.learn(recorded: request("/", body), live: request("/", body)) == 0)
        #expect(threads.isEmpty)
    }

    @Test func aValueIsReplacedOnlyWhereItStandsWhole() {
        var threads = ValueThreads()
        threads.thread(recorded: "1765119600", live: "1765119999")
        threads.thread(recorded: Self.recordedID, live: Self.liveID)
        let toward = threads.towardLive
        #expect(
            toward.applied(to: #"{"at":1765119600,"id":"\#(Self.recordedID)"}"#)
                == #"{"at":1765119999,"id":"\#(Self.liveID)"}"#
        )
        #expect(toward.applied(to: "/variations/\(Self.recordedID)/log") == "/variations/\(Self.liveID)/log")
        #expect(toward.applied(to: "1765119600.5 x17651196000 a1765119600") == "1765119600.5 x17651196000 a1765119600")
        #expect(toward.applied(to: "urn:uuid:\(Self.recordedID)") == "urn:uuid:\(Self.recordedID)")
        #expect(
            toward.applied(to: "\(Self.recordedID)-v2 \(Self.recordedID).") == "\(Self.recordedID)-v2 \(Self.liveID)."
        )
    }

    @Test func aTargetIsRewrittenAsWrittenAndPercentEncoded() {
        var threads = ValueThreads()
        threads.thread(recorded: "2026-12-07T10:00:00Z", live: "2026-12-07T10:05:00Z")
        #expect(
            threads.towardRecorded.applied(toTarget: "/log?since=2026-12-07T10%3A05%3A00Z&until=2026-12-07T10:05:00Z")
                == "/log?since=2026-12-07T10%3A00%3A00Z&until=2026-12-07T10:00:00Z"
        )
    }

    @Test func theLatestCounterpartWinsAndTheOldestIsForgottenFirst() {
        var threads = ValueThreads()
        threads.thread(recorded: "rec-00000001", live: "live-00000001")
        threads.thread(recorded: "rec-00000001", live: "live-00000002")
        #expect(threads.towardLive.applied(to: "rec-00000001") == "live-00000002")
        #expect(threads.towardRecorded.applied(to: "live-00000001") == "live-00000001")
        for index in 0..<ValueThreads.limit {
            threads.thread(recorded: "rec-1\(index)0000", live: "live-1\(index)0000")
        }
        #expect(threads.threads.count == ValueThreads.limit)
        #expect(threads.towardLive.applied(to: "rec-00000001") == "rec-00000001")
    }

    /// Through the library: a request that matched only because `$.variation_id` is ignored threads the id; the
    /// hit turns the recorded id into the live one in SSE data, and a later request naming the live id in its path
    /// matches the recording that names the recorded id.
    @Test func aThreadedIDComesBackInSSEDataAndMatchesLaterRequests() throws {
        let directory = try TemporaryDirectory()
        var commit = Fixtures.sseExchange(seq: 0)
        commit.request = request("/api/v1/muse/variations", #"{"variation_id":"\#(Self.recordedID)"}"#)
        commit.response.content = .events(
            [
                StreamEvent(
                    atMilliseconds: 1,
                    frame: .event(SSEEvent(data: #"{"variationId":"\#(Self.recordedID)","seq":1}"#, event: "meta"))
                )
            ],
            exact: nil
        )
        var log = Fixtures.jsonExchange(seq: 1)
        log.request = RecordedRequest(method: "GET", target: "/api/v1/muse/variations/\(Self.recordedID)")
        let rules = MatchingRules([.init(ignoredBodyPaths: [try #require(JSONPath("$.variation_id"))])])
        let library = try Fixtures.replayLibrary(with: [commit, log], run: nil, in: directory, rules: rules)

        let hit = try library.match(
            ReplayRequest(
                service: commit.service,
                method: "POST",
                target: "/api/v1/muse/variations",
                body: Array(#"{"variation_id":"\#(Self.liveID)"}"#.utf8)
            )
        ).get()
        #expect(hit.exchange.seq == 0)
        #expect(
            String(decoding: hit.towardLive.applied(to: hit.exchange.response.bodyBytes), as: UTF8.self)
                == "event: meta\ndata: {\"variationId\":\"\(Self.liveID)\",\"seq\":1}\n\n"
        )
        #expect(library.valueThreads(of: nil).threads == [.init(recorded: Self.recordedID, live: Self.liveID)])

        let later = try library.match(
            ReplayRequest(service: log.service, method: "GET", target: "/api/v1/muse/variations/\(Self.liveID)")
        ).get()
        #expect(later.exchange.seq == 1)
        #expect(library.valueThreads(of: try RunID(validating: "r_other")).isEmpty, "threads are kept per run")
    }
}
