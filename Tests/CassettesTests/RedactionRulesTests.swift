import Cassettes
import HTTPWire
import JSON
import TestSupport
import Testing

/// Redaction of query parameters, chosen headers, JSON paths and regular expressions, in requests, responses and SSE
/// data, as a rules document or a configuration gives them (Docs/security.md).
@Suite struct RedactionRulesTests {
    private func token(_ secret: String) -> String { Redactor.token(for: secret.utf8) }

    private func exchange(target: String, requestBody: String = "", response: ResponseContent) -> Exchange {
        Exchange(
            seq: 0,
            ordinal: 0,
            service: "maestro",
            started: Fixtures.started,
            request: RecordedRequest(
                method: "POST",
                target: target,
                headers: ["X-Session": "sess-77f1a9c2e4", "Accept": "*/*"],
                body: Array(requestBody.utf8)
            ),
            response: RecordedResponse(status: 200, reason: "OK", content: response),
            timing: Timing(ttfbMilliseconds: 1, totalMilliseconds: 2)
        )
    }

    @Test func anAPIKeyInTheQueryIsRedactedByDefault() {
        let redacted = Redactor().redact(
            exchange(target: "/v1/x?api_key=k-123456789&n=2&Token=t0&empty=", response: .body([]))
        )
        #expect(redacted.request.target == "/v1/x?api_key=\(token("k-123456789"))&n=2&Token=\(token("t0"))&empty=")
        #expect(Redactor().redact(target: "/v1/x?password=hunter22") == "/v1/x?password=\(token("hunter22"))")
    }

    @Test func headersPathsAndPatternsAreRedactedInRequestsResponsesAndSSEData() throws {
        let redactor = Redactor(
            jsonPaths: [try #require(JSONPath("$..password"))],
            headers: Redactor.defaultHeaders.union(["x-session"]),
            queryParameters: ["sig"],
            patterns: [try RedactionPattern("sk_live_[A-Za-z0-9]{8}"), try RedactionPattern("secret=(\\w+)")]
        )
        let event = SSEEvent(data: #"{"type":"note","text":"use sk_live_ABCD1234 now"}"#)
        let redacted = redactor.redact(
            exchange(
                target: "/v1/x?sig=abc123456&api_key=left-alone",
                requestBody: #"{"user":{"password":"pw-1"},"note":"secret=opensesame1"}"#,
                response: .events([StreamEvent(atMilliseconds: 1, frame: .event(event))], exact: nil)
            )
        )
        #expect(redacted.request.target == "/v1/x?sig=\(token("abc123456"))&api_key=left-alone")
        #expect(redacted.request.headers["X-Session"] == token("sess-77f1a9c2e4"))
        #expect(redacted.request.headers["Accept"] == "*/*")
        let body = String(decoding: redacted.request.body, as: UTF8.self)
        #expect(body == #"{"user":{"password":"\#(token("pw-1"))"},"note":"secret=\#(token("opensesame1"))"}"#)
        guard case .events(let events, _) = redacted.response.content, case .event(let sse) = events.first?.frame else {
            Issue.record("the events were lost")
            return
        }
        #expect(sse.data == #"{"type":"note","text":"use \#(token("sk_live_ABCD1234")) now"}"#)
    }

    @Test func aRulesDocumentGivesRedactionBesideMatching() throws {
        let document = try JSONParser.parse(
            Array(
                #"{"version":1,"redact":{"headers":["X-Session"],"query":["Sig"],"json_paths":["$..password"],"patterns":["sk_live_\\w+"]}}"#
                    .utf8
            )
        )
        let redaction = try RedactionRules(document: document)
        #expect(redaction.headers == ["x-session"])
        #expect(redaction.queryParameters == ["sig"])
        #expect(redaction.jsonPaths.map(\.description) == ["$..password"])
        #expect(redaction.patterns.map(\.description) == [#"sk_live_\w+"#])
        #expect(try MatchingRules(document: document).rules.isEmpty, "a document with only redaction matches as none")
        func error(_ text: String) -> String? {
            guard let document = try? JSONParser.parse(Array(text.utf8)) else { return "not JSON" }
            do {
                _ = try RedactionRules(document: document)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(
            error(#"{"version":1,"redact":{"patterns":["("]}}"#)?.hasPrefix(
                "'redact' 'patterns': '(' is not a regular expression"
            ) == true
        )
        #expect(error(#"{"version":1,"redact":{"cookies":[]}}"#)?.hasPrefix("'redact' 'cookies': unknown key") == true)
        #expect(
            error(#"{"version":1,"redact":{"headers":["a b"]}}"#)
                == "'redact' 'headers': 'a b' is not a header name; write e.g. X-Client-Version"
        )
    }

    /// A replayed request is redacted the same way before it is compared, so a recording whose query carried a token
    /// matches the same request again, and a mismatch never shows the token.
    @Test func matchingComparesRedactedValues() throws {
        let directory = try TemporaryDirectory()
        let recorded = Redactor().redact(exchange(target: "/v1/x?api_key=k-123456789", response: .body([])))
        let library = try Fixtures.replayLibrary(with: [recorded], run: nil, in: directory)
        let hit = library.match(ReplayRequest(service: "maestro", method: "POST", target: "/v1/x?api_key=k-123456789"))
        #expect(try hit.get().exchange.seq == 0)
        guard
            case .failure(let mismatch) = library.match(
                ReplayRequest(service: "maestro", method: "POST", target: "/v1/x?api_key=k-987654321")
            )
        else {
            Issue.record("another key matched")
            return
        }
        #expect(!mismatch.detail.contains("k-987654321"))
        #expect(mismatch.detail.contains(token("k-987654321")))
    }
}
