import Cassettes
import HTTPWire
import JSON
import TestSupport
import Testing

/// Matching rules leave volatile parts of requests out of replay matching (Docs/matching.md).
@Suite struct MatchingRulesTests {
    private static let variations = "/api/v1/muse/variations"

    private func path(_ text: String) throws -> JSONPath { try #require(JSONPath(text)) }

    private func post(_ body: String, target: String = variations) -> RecordedRequest {
        RecordedRequest(method: "POST", target: target, body: Array(body.utf8))
    }

    private func text(_ request: RecordedRequest) -> String { String(decoding: request.body, as: UTF8.self) }

    @Test func aRoutePatternMatchesParameterSegmentsIgnoringATrailingSlashAndTheQuery() throws {
        let pattern = try #require(MatchingRules.RoutePattern("/api/v1/muse/projects/{id}/log"))
        #expect(pattern.matches(target: "/api/v1/muse/projects/p-1/log"))
        #expect(pattern.matches(target: "/api/v1/muse/projects/p-1/log/"))
        #expect(pattern.matches(target: "/api/v1/muse/projects/p-1/log?limit=5&after=x"))
        #expect(!pattern.matches(target: "/api/v1/muse/projects//log"))
        #expect(!pattern.matches(target: "/api/v1/muse/projects/p-1"))
        #expect(!pattern.matches(target: "/api/v1/muse/projects/p-1/log/more"))
        #expect(!pattern.matches(target: "/api/v1/muse/project/p-1/log"))
        #expect(try #require(MatchingRules.RoutePattern("/")).matches(target: "/?q=1"))
        #expect(MatchingRules.RoutePattern("api/v1") == nil)
        #expect(MatchingRules.RoutePattern("/a/{id") == nil)
        #expect(MatchingRules.RoutePattern("/a/x{id}") == nil)
        #expect(MatchingRules.RoutePattern("/a/{}") == nil)
    }

    @Test func aRuleAppliesOnlyToItsServiceMethodAndRoute() throws {
        let rules = MatchingRules([
            .init(
                service: "maestro",
                method: "POST",
                path: MatchingRules.RoutePattern(Self.variations),
                ignoredBodyPaths: [try path("$.variation_id")]
            )
        ])
        let body = #"{"variation_id":"v-1","bars":4}"#
        #expect(text(rules.normalized(service: "maestro", post(body)).request) == #"{"bars":4}"#)
        #expect(text(rules.normalized(service: "storpheus", post(body)).request) == body)
        #expect(text(rules.normalized(service: "maestro", post(body, target: "/api/v1/other")).request) == body)
        var put = post(body)
        put.method = "PUT"
        #expect(text(rules.normalized(service: "maestro", put).request) == body)
    }

    @Test func wildcardBodyPathsLeaveOutEveryValueTheySelect() throws {
        let rules = MatchingRules([.init(ignoredBodyPaths: [try path("$..timestamp"), try path("$.items[*].id")])])
        let first = rules.normalized(
            service: "maestro",
            post(#"{"timestamp":1,"items":[{"id":"a","n":1},{"id":"b","n":2}],"meta":{"timestamp":2,"k":"v"}}"#)
        )
        let second = rules.normalized(
            service: "maestro",
            post(#"{"meta":{"k":"v","timestamp":9},"items":[{"n":1,"id":"x"},{"id":"y","n":2}],"timestamp":7}"#)
        )
        #expect(text(first.request) == #"{"items":[{"n":1},{"n":2}],"meta":{"k":"v"}}"#)
        #expect(first == second)
        let third = rules.normalized(service: "maestro", post(#"{"items":[{"id":"a","n":3}]}"#))
        #expect(third.bodyDigest != first.bodyDigest)
    }

    @Test func anIgnoredArrayElementBecomesNullSoTheOthersKeepTheirPositions() throws {
        let rules = MatchingRules([.init(ignoredBodyPaths: [try path("$.ids[0]")])])
        #expect(text(rules.normalized(service: "s", post(#"{"ids":["a","b"]}"#)).request) == #"{"ids":[null,"b"]}"#)
    }

    @Test func queryParametersAreIgnoredOrOnlySomeMatched() {
        func target(_ query: MatchingRules.QueryMatching, _ target: String) -> String {
            MatchingRules([.init(query: query)])
                .normalized(service: "s", RecordedRequest(method: "GET", target: target)).request.target
        }
        #expect(target(.ignoring(["ts"]), "/s?b=2&ts=9&a=1&ts=3") == "/s?a=1&b=2")
        #expect(target(.ignoring([]), "/s?b=2&a=3&a=1") == "/s?a=3&a=1&b=2", "one name's values keep their order")
        #expect(target(.ignoring(["ts"]), "/s?ts=9") == "/s")
        #expect(target(.ignoring(["ts"]), "/s") == "/s")
        #expect(target(.only(["a"]), "/s?b=2&a=1&c") == "/s?a=1")
        #expect(target(.only([]), "/s?b=2") == "/s")
    }

    @Test func rulesThatApplyTogetherAddUpTheirIgnoredPartsAndTheLaterBodyModeWins() throws {
        let rules = MatchingRules([
            .init(ignoredBodyPaths: [try path("$.a")], query: .ignoring(["x"])),
            .init(service: "s", ignoredBodyPaths: [try path("$.b")], query: .ignoring(["y"])),
        ])
        let normalized = rules.normalized(service: "s", post(#"{"a":1,"b":2,"c":3}"#, target: "/p?x=1&y=2&z=3"))
        #expect(text(normalized.request) == #"{"c":3}"#)
        #expect(normalized.request.target == "/p?z=3")
        let ignoring = MatchingRules(rules.rules + [.init(body: .ignore)])
        #expect(ignoring.normalized(service: "s", post(#"{"c":3}"#)).request.body.isEmpty)
    }

    @Test func theBodyModesCompareCanonicalJSONExactBytesOrNothing() {
        let (compact, spaced) = (post(#"{"a":1,"b":2}"#), post(#"{ "b": 2, "a": 1 }"#))
        let json = MatchingRules()
        #expect(json.normalized(service: "s", compact).bodyDigest == json.normalized(service: "s", spaced).bodyDigest)
        #expect(
            json.normalized(service: "s", compact).bodyDigest == RequestNormalizer.bodyDigest(compact.body)
        )
        let exact = MatchingRules([.init(body: .exact)])
        #expect(exact.normalized(service: "s", compact).bodyDigest != exact.normalized(service: "s", spaced).bodyDigest)
        #expect(exact.normalized(service: "s", compact).request == compact)
        let ignore = MatchingRules([.init(body: .ignore)])
        #expect(ignore.normalized(service: "s", compact) == ignore.normalized(service: "s", post(#"{"other":true}"#)))
        #expect(ignore.normalized(service: "s", compact).bodyDigest == RequestNormalizer.bodyDigest([]))
    }

    @Test func noRuleLeavesARequestAsItWasButForItsQueryOrderAndHeaders() {
        var request = post(#"{ "b": 2, "a": 1 }"#, target: "/p?b=1&a=2")
        request.headers = ["X-Client": "7"]
        let normalized = MatchingRules().normalized(service: "s", request)
        #expect(normalized.request.target == "/p?a=2&b=1")
        #expect(normalized.request.body == request.body)
        #expect(normalized.request.headers.isEmpty, "no header is compared without a rule naming it")
        #expect(normalized.bodyDigest == RequestNormalizer.bodyDigest(request.body))
    }

    @Test func aRuleComparesTheHeadersItNamesInNameOrder() {
        var request = post("{}")
        request.headers = ["X-Version": "2", "Accept": "a/b", "x-version": "3", "X-Other": "no"]
        let rules = MatchingRules([
            .init(matchedHeaders: ["x-version"]), .init(service: "s", matchedHeaders: ["ACCEPT"]),
        ])
        let headers = rules.normalized(service: "s", request).request.headers
        #expect(headers.map(\.name) == ["accept", "x-version", "x-version"])
        #expect(headers.map(\.value) == ["a/b", "2", "3"])
        #expect(rules.normalized(service: "t", request).request.headers.map(\.value) == ["2", "3"])
    }

    @Test func aDocumentIsReadWithEveryField() throws {
        let document = """
            {"version": 1, "rules": [
              {"service": "maestro", "method": "post", "path": "/api/v1/muse/variations",
               "ignore_body_paths": ["$.variation_id", "$..timestamp"], "ignore_query": ["ts"], "body": "json"},
              {"path": "/api/v1/muse/projects/{id}/log", "match_query_only": ["limit"]},
              {"service": "storpheus", "body": "ignore"},
              {"service": "maestro", "match_headers": ["X-Client-Version"]}
            ]}
            """
        let rules = try MatchingRules(document: Array(document.utf8))
        #expect(
            rules.rules == [
                .init(
                    service: "maestro",
                    method: "POST",
                    path: MatchingRules.RoutePattern("/api/v1/muse/variations"),
                    ignoredBodyPaths: [try path("$.variation_id"), try path("$..timestamp")],
                    query: .ignoring(["ts"]),
                    body: .json
                ),
                .init(path: MatchingRules.RoutePattern("/api/v1/muse/projects/{id}/log"), query: .only(["limit"])),
                .init(service: "storpheus", body: .ignore),
                .init(service: "maestro", matchedHeaders: ["x-client-version"]),
            ]
        )
    }

    private func error(_ document: String) -> MatchingRulesError? {
        do {
            _ = try MatchingRules(document: Array(document.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func theRulesWriteADocumentThatReadsBackAsEqualRules() throws {
        let rules = MatchingRules([
            .init(
                service: "maestro",
                method: "POST",
                path: MatchingRules.RoutePattern("/api/v1/projects/{id}"),
                ignoredBodyPaths: [try path("$.variation_id"), try path("$..timestamp")],
                query: .ignoring(["ts", "nonce"]),
                body: .json
            ),
            .init(query: .only(["limit"]), body: .ignore),
            .init(matchedHeaders: ["X-B", "x-a"]),
            .init(),
        ])
        #expect(
            rules.document.compactText
                == #"{"version":1,"rules":[{"service":"maestro","method":"POST","path":"/api/v1/projects/{id}","#
                + #""ignore_body_paths":["$.variation_id","$..timestamp"],"ignore_query":["nonce","ts"],"body":"json"},"#
                + #"{"match_query_only":["limit"],"body":"ignore"},{"match_headers":["x-a","x-b"]},{}]}"#
        )
        #expect(try MatchingRules(document: rules.document) == rules)
        #expect(try MatchingRules(document: Array(rules.document.compactText.utf8)) == rules)
    }

    @Test func aBadRuleIsNamedByItsIndexAndField() {
        let ok = #"{"service":"maestro"}"#
        func rules(_ second: String) -> String { #"{"version":1,"rules":[\#(ok),\#(second)]}"# }
        #expect(
            error(rules(#"{"path":"api/x"}"#))
                == .invalidRule(index: 1, field: "path", problem: .invalidRoutePattern("api/x"))
        )
        #expect(
            error(rules(#"{"ignore_body_paths":["$.a","$.."]}"#))
                == .invalidRule(index: 1, field: "ignore_body_paths", problem: .invalidJSONPath("$.."))
        )
        #expect(
            error(rules(#"{"ignore_body_paths":"$.a"}"#))
                == .invalidRule(index: 1, field: "ignore_body_paths", problem: .expected("an array of strings"))
        )
        #expect(
            error(rules(#"{"body":"bytes"}"#))
                == .invalidRule(index: 1, field: "body", problem: .unknownBodyMode("bytes"))
        )
        #expect(
            error(rules(#"{"ignore_query":["a"],"match_query_only":["b"]}"#))
                == .invalidRule(index: 1, field: "match_query_only", problem: .conflicts(with: "ignore_query"))
        )
        #expect(error(rules(#"{"header":"x"}"#)) == .invalidRule(index: 1, field: "header", problem: .unknownField))
        #expect(
            error(rules(#"{"match_headers":["X Version"]}"#))?.description
                == "rule 1 'match_headers': 'X Version' is not a header name; write e.g. X-Client-Version"
        )
        #expect(
            error(rules(#"{"method":7}"#)) == .invalidRule(index: 1, field: "method", problem: .expected("a string"))
        )
        #expect(error(rules(#""maestro""#)) == .invalidRule(index: 1, field: "rules", problem: .expected("an object")))
        #expect(
            error(rules(#"{"path":"/a/{id"}"#))?.description
                == "rule 1 'path': '/a/{id' is not a path pattern; write e.g. /api/v1/projects/{id}/log"
        )
    }

    @Test func theDocumentIsCheckedAndBounded() {
        let paths = Array(repeating: #""$.a""#, count: MatchingRules.pathLimit + 1).joined(separator: ",")
        #expect(
            error(#"{"version":1,"rules":[{"ignore_body_paths":[\#(paths)]}]}"#)
                == .invalidRule(index: 0, field: "ignore_body_paths", problem: .tooMany(MatchingRules.pathLimit + 1))
        )
        let rules = Array(repeating: "{}", count: MatchingRules.ruleLimit + 1).joined(separator: ",")
        #expect(error(#"{"version":1,"rules":[\#(rules)]}"#) == .tooManyRules(MatchingRules.ruleLimit + 1))
        #expect(error(#"{"version":2,"rules":[]}"#) == .unsupportedVersion("2"))
        #expect(error(#"{"rules":[]}"#) == .unsupportedVersion(nil))
        #expect(error(#"{"version":1}"#) == .missingRules)
        #expect(error(#"{"version":1,"rules":[],"extra":1}"#) == .unknownField("extra"))
        #expect(error("[]") == .notAJSONObject(detail: "it is []"))
        #expect(error(#"{"version":1,"rules":[{}]}"#) == nil)
    }
}

/// Replay under matching rules: a request that differs from recordings only where the rules look away matches, and
/// a mismatch never names such a place.
@Suite struct ReplayUnderMatchingRulesTests {
    private static let variations = "/api/v1/muse/variations"

    private func variation(seq: Int, _ body: String) -> Exchange {
        var exchange = Fixtures.jsonExchange(seq: seq)
        exchange.request = RecordedRequest(method: "POST", target: Self.variations, body: Array(body.utf8))
        return exchange
    }

    private func post(_ body: String) -> ReplayRequest {
        ReplayRequest(service: "maestro", method: "POST", target: Self.variations, body: Array(body.utf8))
    }

    private let ignoringVariationID = MatchingRules([
        .init(
            service: "maestro",
            path: MatchingRules.RoutePattern("/api/v1/muse/variations"),
            ignoredBodyPaths: [JSONPath("$.variation_id")!]
        )
    ])

    private func library(_ rules: MatchingRules, in directory: TemporaryDirectory) throws -> ReplayLibrary {
        try Fixtures.replayLibrary(
            with: [
                variation(seq: 0, #"{"variation_id":"v-rec-0","prompt":"jazz"}"#),
                variation(seq: 1, #"{"variation_id":"v-rec-1","prompt":"jazz"}"#),
            ],
            run: nil,
            in: directory,
            rules: rules
        )
    }

    @Test func requestsDifferingOnlyInAnIgnoredPathAreServedInOrder() throws {
        let directory = try TemporaryDirectory()
        let library = try library(ignoringVariationID, in: directory)
        let first = try library.match(post(#"{"prompt":"jazz","variation_id":"live-a"}"#)).get()
        let second = try library.match(post(#"{"variation_id":"live-b","prompt":"jazz"}"#)).get()
        #expect(first.exchange.seq == 0)
        #expect(second.exchange.seq == 1)
    }

    @Test func withoutTheRuleTheMismatchNamesTheVolatilePath() throws {
        let directory = try TemporaryDirectory()
        let library = try library(MatchingRules(), in: directory)
        guard case .failure(let mismatch) = library.match(post(#"{"variation_id":"live-a","prompt":"jazz"}"#)) else {
            Issue.record("served without a rule")
            return
        }
        #expect(mismatch.expected?.seq == 0)
        #expect(
            mismatch.differences == [
                .init(field: "body", location: "$.variation_id", recorded: #""v-rec-0""#, live: #""live-a""#)
            ]
        )
    }

    @Test func anIgnoredPathNeverShowsAmongTheDifferences() throws {
        let directory = try TemporaryDirectory()
        let library = try library(ignoringVariationID, in: directory)
        guard case .failure(let mismatch) = library.match(post(#"{"variation_id":"live-a","prompt":"blues"}"#)) else {
            Issue.record("served a request whose prompt differs")
            return
        }
        #expect(
            mismatch.differences == [
                .init(field: "body", location: "$.prompt", recorded: #""jazz""#, live: #""blues""#)
            ]
        )
    }

    /// A header a rule names is compared: the recording with the same value is served, another value is a 599 at
    /// `header x-client-version` whose rule is null (no rule leaves a matched header out).
    @Test func aMatchedHeaderChoosesTheRecordingAndNamesItsDifference() throws {
        let directory = try TemporaryDirectory()
        var versions: [Exchange] = []
        for (seq, version) in ["1", "2"].enumerated() {
            var exchange = variation(seq: seq, #"{"prompt":"jazz"}"#)
            exchange.request.headers = ["X-Client-Version": version, "Date": "\(seq)"]
            versions.append(exchange)
        }
        let rules = MatchingRules([.init(matchedHeaders: ["x-client-version"])])
        let library = try Fixtures.replayLibrary(with: versions, run: nil, in: directory, rules: rules)
        var request = post(#"{"prompt":"jazz"}"#)
        request.headers = ["x-client-version": "2", "Date": "later"]
        #expect(try library.match(request).get().exchange.seq == 1)
        request.headers = ["x-client-version": "3", "Date": "later"]
        guard case .failure(let mismatch) = library.match(request) else {
            Issue.record("served a request whose matched header differs")
            return
        }
        #expect(
            mismatch.differences == [
                .init(field: "headers", location: "header x-client-version", recorded: "1", live: "3")
            ]
        )
        #expect(mismatch.rule == nil)
    }
}
