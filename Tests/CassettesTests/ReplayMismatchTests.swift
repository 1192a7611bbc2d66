import Cassettes
import JSON
import TestSupport
import Testing

/// A request no recording answers is compared with the nearest recording by content, and the mismatch names every
/// place they differ with both values (cassette-format.md §7).
@Suite struct ReplayMismatchTests {
    private static let variations = "/api/v1/muse/variations"

    /// A recorded `POST /api/v1/muse/variations` with this JSON body.
    private func variation(seq: Int, _ body: String) -> Exchange {
        var exchange = Fixtures.jsonExchange(seq: seq)
        exchange.request = RecordedRequest(method: "POST", target: Self.variations, body: Array(body.utf8))
        return exchange
    }

    private func post(_ body: String, run: RunID? = nil, ordinal: Int? = nil) -> ReplayRequest {
        ReplayRequest(
            service: "maestro",
            method: "POST",
            target: Self.variations,
            body: Array(body.utf8),
            run: run,
            ordinal: ordinal
        )
    }

    private func failure(_ result: Result<ReplayHit, ReplayMismatch>) throws -> ReplayMismatch {
        guard case .failure(let mismatch) = result else { throw Unexpected.served }
        return mismatch
    }

    private enum Unexpected: Error { case served }

    /// Seq 0 differs from the request in four members, seq 1 (later in the file) only in `variation_id`: seq 1 is
    /// the one named, with that path and both values, in the typed differences, the sentence and the 599 body.
    @Test func theNearestByContentIsNamedNotTheFirstInFileOrder() throws {
        let directory = try TemporaryDirectory()
        let library = try Fixtures.replayLibrary(
            with: [
                variation(seq: 0, #"{"variation_id":"v-old","project":"p-2","prompt":"calm","bars":8}"#),
                variation(seq: 1, #"{"variation_id":"v-rec","project":"p-1","prompt":"jazz","bars":4}"#),
                Fixtures.jsonExchange(seq: 2),
            ],
            run: nil,
            in: directory
        )
        let mismatch = try failure(
            library.match(post(#"{"project":"p-1","variation_id":"v-live","prompt":"jazz","bars":4}"#))
        )
        #expect(mismatch.kind == .noRecording)
        #expect(mismatch.field == "body")
        #expect(mismatch.expected?.cassette == "_default.jsonl.gz")
        #expect(mismatch.expected?.seq == 1)
        #expect(
            mismatch.differences == [
                .init(field: "body", location: "$.variation_id", recorded: #""v-rec""#, live: #""v-live""#)
            ]
        )
        #expect(
            mismatch.detail
                == "no recording of maestro POST /api/v1/muse/variations with this body in the untagged recordings or "
                + #"any run; the nearest (_default.jsonl.gz seq 1) differs at $.variation_id (recorded "v-rec", "#
                + #"live "v-live"); these rules leave it out: {"version":1,"rules":[{"service":"maestro","#
                + #""method":"POST","path":"/api/v1/muse/variations","ignore_body_paths":["$.variation_id"]}]}"#
        )
        // The rule is a rules document as `--rules FILE` reads it, scoped to the recording's route.
        let rules = try MatchingRules(document: try #require(mismatch.jsonValue["rule"]))
        #expect(rules.rules.map(\.path?.description) == ["/api/v1/muse/variations"])
        let body = JSONWriter.string(mismatch.jsonValue)
        #expect(body.hasPrefix(#"{"error":"replay_mismatch","detail":"#))
        #expect(
            body.hasSuffix(
                #""differences":[{"location":"$.variation_id","recorded":"\"v-rec\"","live":"\"v-live\""}]}"#
            )
        )
    }

    /// Between two recordings as near as each other, the unused one is named, though it comes later in the file.
    @Test func anUnusedRecordingIsNearerThanAUsedOne() throws {
        let directory = try TemporaryDirectory()
        let recorded = #"{"variation_id":"v-rec"}"#
        let library = try Fixtures.replayLibrary(
            with: [variation(seq: 0, recorded), variation(seq: 1, recorded)],
            run: nil,
            in: directory
        )
        #expect(try library.match(post(recorded)).get().exchange.seq == 0)
        let mismatch = try failure(library.match(post(#"{"variation_id":"v-live"}"#)))
        #expect(mismatch.expected?.seq == 1)
    }

    /// A tagged request that differs from its (run, ordinal) recording names the paths that differ, with values and
    /// members the recording lacks as absent.
    @Test func aTaggedRequestNamesWhereItDiffersFromItsRecording() throws {
        let directory = try TemporaryDirectory()
        let run = try RunID(validating: "r_1")
        let library = try Fixtures.replayLibrary(
            with: [variation(seq: 0, #"{"variation_id":"v-rec","tags":["a","b"]}"#)],
            run: run,
            in: directory
        )
        let mismatch = try failure(
            library.match(post(#"{"variation_id":"v-live","tags":["a"],"seed":7}"#, run: run, ordinal: 0))
        )
        #expect(mismatch.kind == .differs)
        #expect(mismatch.field == "body")
        #expect(
            mismatch.differences == [
                .init(field: "body", location: "$.variation_id", recorded: #""v-rec""#, live: #""v-live""#),
                .init(field: "body", location: "$.tags[1]", recorded: #""b""#, live: nil),
                .init(field: "body", location: "$.seed", recorded: nil, live: "7"),
            ]
        )
        #expect(
            mismatch.detail
                == "request (r_1, ordinal 0) differs from its recording (r_1.jsonl.gz seq 0) at $.variation_id "
                + #"(recorded "v-rec", live "v-live") and at $.tags[1], $.seed; these rules leave it out: "#
                + #"{"version":1,"rules":[{"service":"maestro","method":"POST","path":"/api/v1/muse/variations","#
                + #""ignore_body_paths":["$.variation_id","$.tags[1]","$.seed"]}]}"#
        )
    }

    /// A body-less GET that matches no recording names the query parameters that differ and never a body.
    @Test func queryParametersAreNamedAndABodylessRequestNeverMentionsABody() throws {
        let directory = try TemporaryDirectory()
        var reorderable = Fixtures.binaryExchange(seq: 1)
        reorderable.request.target = "/artifacts/a.mid?x=1&y=2"
        let library = try Fixtures.replayLibrary(
            with: [Fixtures.jsonExchange(seq: 0), reorderable],
            run: nil,
            in: directory
        )
        let mismatch = try failure(
            library.match(
                ReplayRequest(service: "maestro", method: "GET", target: "/api/v1/prompts/random?n=5&lang=en")
            )
        )
        #expect(mismatch.field == "target")
        #expect(mismatch.expected?.seq == 0)
        #expect(
            mismatch.differences == [
                .init(field: "target", location: "?n", recorded: "0", live: "5"),
                .init(field: "target", location: "?lang", recorded: nil, live: "en"),
            ]
        )
        #expect(
            mismatch.detail
                == "no recording of maestro GET /api/v1/prompts/random?n=5&lang=en in the untagged recordings or any "
                + "run; the nearest (_default.jsonl.gz seq 0) differs at ?n (recorded '0', live '5') and at ?lang; "
                + #"these rules leave it out: {"version":1,"rules":[{"service":"maestro","method":"GET","#
                + #""path":"/api/v1/prompts/random","ignore_query":["lang","n"]}]}"#
        )
        #expect(!mismatch.detail.contains("body"))

        // The same parameters in another order are the same request (cassette-format.md §7).
        let reordered = library.match(
            ReplayRequest(service: "maestro", method: "GET", target: "/artifacts/a.mid?y=2&x=1")
        )
        #expect(try reordered.get().exchange.seq == 1)
    }

    /// A long value is shown in 80 characters ending in an ellipsis; a body that differs everywhere lists 32
    /// differences and counts the rest in the sentence, and the nearest is still the one with fewer of them.
    @Test func longValuesAreShortenedAndDifferencesAreBounded() throws {
        let directory = try TemporaryDirectory()
        let members = (0..<200).map { #""m\#($0)":\#($0)"# }.joined(separator: ",")
        let library = try Fixtures.replayLibrary(
            with: [
                variation(seq: 0, #"{"variation_id":"\#(String(repeating: "a", count: 100))"}"#),
                variation(seq: 1, "{\(members)}"),
            ],
            run: nil,
            in: directory
        )
        let long = try failure(library.match(post(#"{"variation_id":"\#(String(repeating: "b", count: 100))"}"#)))
        #expect(long.expected?.seq == 0)
        #expect(long.differences.first?.recorded == "\"" + String(repeating: "a", count: 78) + "…")
        #expect(long.differences.first?.live == "\"" + String(repeating: "b", count: 78) + "…")

        let everywhere = (0..<200).map { #""m\#($0)":\#($0 + 1)"# }.joined(separator: ",")
        let wide = try failure(library.match(post("{\(everywhere)}")))
        #expect(wide.expected?.seq == 1)
        #expect(wide.differences.count == 32)
        #expect(wide.differences.last == .init(field: "body", location: "$.m31", recorded: "31", live: "32"))
        #expect(wide.detail.hasSuffix("differs at $.m0 (recorded 0, live 1) and at $.m1, $.m2, $.m3 and 28 more"))
    }
}
