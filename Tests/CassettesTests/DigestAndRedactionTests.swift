import Cassettes
import Foundation
import HTTPWire
import Hashing
import JSON
import Testing
import Vocabulary

@Suite struct CassetteDigestTests {
    /// Two recordings that differ only in timing, timestamps, Date/Host headers, seq and chunk split digest alike.
    @Test func ignoresTimingAndTransport() {
        let first = [Fixtures.jsonExchange(seq: 0), Fixtures.chunkedExchange(seq: 1), Fixtures.sseExchange(seq: 2)]
        var second = first
        second[0].started = Timestamp(millisecondsSinceEpoch: 0)
        second[0].timing = Timing(ttfbMilliseconds: 99, totalMilliseconds: 120)
        second[0].request.headers.set(name: "Host", value: "127.0.0.1:5555")
        second[0].response.headers.set(name: "Date", value: "Wed, 26 Nov 2025 00:00:00 GMT")
        second[1].response.content = .chunks([StreamChunk(atMilliseconds: 7, bytes: Array("hel".utf8) + [0xC3, 0xA9])])
        second[2].response.content = .events(
            [StreamEvent(atMilliseconds: 1, frame: .event(SSEEvent(data: #"{"type":"state","seq":0}"#)))]
                + Array(first[2].response.content.eventsForTest.dropFirst()),
            exact: nil
        )
        // Arrival order differs, ordinals are the same: the digest orders by ordinal.
        second = second.reversed().enumerated().map { position, exchange in
            var exchange = exchange
            exchange.seq = position + 10
            return exchange
        }
        #expect(CassetteDigest.digest(of: first) == CassetteDigest.digest(of: second))
    }

    /// Heartbeat comments come when the service is slow, so two recordings of one run differ in them: the digest
    /// leaves them out, while a changed or missing event still counts.
    @Test func ignoresHeartbeatComments() {
        let base = [Fixtures.sseExchange(seq: 0)]
        let events = base[0].response.content.eventsForTest
        var slow = base
        slow[0].response.content = .events(
            [StreamEvent(atMilliseconds: 0, frame: .comment("heartbeat"))] + events
                + [StreamEvent(atMilliseconds: 9, frame: .comment("heartbeat"))],
            exact: nil
        )
        #expect(CassetteDigest.digest(of: slow) == CassetteDigest.digest(of: base))
        var dropped = base
        dropped[0].response.content = .events(Array(events.dropLast()), exact: nil)
        #expect(CassetteDigest.digest(of: dropped) != CassetteDigest.digest(of: base))
    }

    /// Any change to what the client saw (a status, a body byte, a header, an event) changes the digest.
    @Test func detectsContentChanges() {
        let base = [Fixtures.jsonExchange(seq: 0), Fixtures.sseExchange(seq: 1)]
        let digest = CassetteDigest.digest(of: base)
        var changed = base
        changed[0].response.status = 201
        #expect(CassetteDigest.digest(of: changed) != digest)
        changed = base
        changed[0].response.content = .body(Array(#"{"ok":false}"#.utf8))
        #expect(CassetteDigest.digest(of: changed) != digest)
        changed = base
        changed[0].request.headers.append(name: "X-Trace", value: "1")
        #expect(CassetteDigest.digest(of: changed) != digest)
        changed = base
        changed[1].response.content = .events([], exact: nil)
        #expect(CassetteDigest.digest(of: changed) != digest)
        changed = base
        changed[1].fault = Fault(kind: .reset, afterBytes: 3, detail: "x")
        #expect(CassetteDigest.digest(of: changed) != digest)
    }

    /// The digest is the documented construction: SHA-256 over each exchange digest in hex plus a newline.
    @Test func documentedConstruction() {
        let exchanges = [Fixtures.jsonExchange(seq: 1, ordinal: 5), Fixtures.jsonExchange(seq: 0, ordinal: 2)]
        let lines = [exchanges[1], exchanges[0]].map { SHA256.hash(CassetteDigest.canonicalForm(of: $0)).hex + "\n" }
        #expect(CassetteDigest.digest(of: exchanges) == SHA256.hash(lines.joined()).hex)
        let form = String(decoding: CassetteDigest.canonicalForm(of: exchanges[1]), as: UTF8.self)
        #expect(form.hasPrefix(#"{"fault":null,"ordinal":2,"request":{"body_sha256":""#))
        #expect(!form.contains("date"))
        #expect(!form.contains("host"))
        #expect(CassetteDigest.digest(of: []) == SHA256.hash([UInt8]()).hex)
    }
}

extension ResponseContent {
    var eventsForTest: [StreamEvent] {
        if case .events(let events, _) = self { return events }
        return []
    }
}

@Suite struct RedactorTests {
    private let jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ0ZGYtdGVzdCIsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"

    /// Authorization keeps its scheme, cookies keep their names, and the tag is the first 8 hex of the SHA-256.
    @Test func redactsSecretHeaders() {
        let redactor = Redactor()
        var exchange = Fixtures.jsonExchange()
        exchange.request.headers = HTTPHeaders([
            ("Authorization", "Bearer \(jwt)"), ("Cookie", "session=abc123456; theme=dark"),
            ("X-Api-Key", "k-123456789"),
            ("Accept", "*/*"),
        ])
        exchange.response.headers.append(name: "Set-Cookie", value: "session=zzz98765432; Path=/; HttpOnly")
        let redacted = redactor.redact(exchange)
        let tag = String(SHA256.hash(Array(jwt.utf8)).hex.prefix(8))
        #expect(redacted.request.headers["Authorization"] == "Bearer <redacted:\(tag)>")
        #expect(
            redacted.request.headers["Cookie"]
                == "session=\(Redactor.token(for: Array("abc123456".utf8))); theme=\(Redactor.token(for: Array("dark".utf8)))"
        )
        #expect(redacted.request.headers["X-Api-Key"] == Redactor.token(for: Array("k-123456789".utf8)))
        #expect(redacted.request.headers["Accept"] == "*/*")
        #expect(
            redacted.response.headers["Set-Cookie"]
                == "session=\(Redactor.token(for: Array("zzz98765432".utf8))); Path=/; HttpOnly"
        )
        #expect(redactor.redact(redacted) == redacted)
    }

    /// Configured JSON paths are replaced in request and response bodies and in SSE data, nothing else changes.
    @Test func redactsJSONPathsInPlace() throws {
        let redactor = Redactor(jsonPaths: [
            try #require(JSONPath("access_token")), try #require(JSONPath("..password")),
        ])
        var exchange = Fixtures.sseExchange()
        exchange.request.body = Array("{ \"user\": {\"password\" : \"hunter2\"},\n  \"keep\": [1, 2] }".utf8)
        exchange.response.content = .events(
            [StreamEvent(atMilliseconds: 1, frame: .event(SSEEvent(data: #"{"access_token":"T0KEN-1234","n":1}"#)))],
            exact: nil
        )
        let redacted = redactor.redact(exchange)
        let password = Redactor.token(for: Array("hunter2".utf8))
        #expect(
            String(decoding: redacted.request.body, as: UTF8.self)
                == "{ \"user\": {\"password\" : \"\(password)\"},\n  \"keep\": [1, 2] }"
        )
        let event = redacted.response.content.eventsForTest.first?.frame
        #expect(
            event
                == .event(
                    SSEEvent(data: #"{"access_token":"\#(Redactor.token(for: Array("T0KEN-1234".utf8)))","n":1}"#)
                )
        )
    }

    /// A secret learned from a header is scrubbed wherever else it appears, in this and later exchanges.
    @Test func scrubsKnownSecretsEverywhere() {
        let redactor = Redactor()
        var first = Fixtures.sseExchange()
        first.request.headers.append(name: "Authorization", value: "Bearer \(jwt)")
        first.request.target = "/echo?token=\(jwt)"
        first.response.content = .events(
            [StreamEvent(atMilliseconds: 1, frame: .event(SSEEvent(data: "you sent \(jwt)")))],
            exact: [
                StreamChunk(atMilliseconds: 1, bytes: Array("data: you sent \(jwt.prefix(10))".utf8)),
                StreamChunk(atMilliseconds: 2, bytes: Array("\(jwt.dropFirst(10))\n\n".utf8)),
            ]
        )
        var second = Fixtures.chunkedExchange()
        second.response.content = .body(Array("token=\(jwt)".utf8))
        let token = Redactor.token(for: Array(jwt.utf8))
        let redactedFirst = redactor.redact(first)
        let redactedSecond = redactor.redact(second)
        let everything = [redactedFirst, redactedSecond].map {
            String(decoding: CassetteRecord.exchange($0).encoded(), as: UTF8.self)
        }
        for text in everything { #expect(!text.contains(jwt)) }
        #expect(redactedFirst.request.target == "/echo?token=\(token)")
        #expect(String(decoding: redactedSecond.response.bodyBytes, as: UTF8.self) == "token=\(token)")
        #expect(String(decoding: redactedFirst.response.bodyBytes, as: UTF8.self) == "data: you sent \(token)\n\n")
    }

    /// The same secret gets the same token from two redactors (two services, two sessions).
    @Test func tokensAreStable() {
        #expect(Redactor.token(for: Array("secret-value".utf8)) == Redactor.token(for: Array("secret-value".utf8)))
        #expect(Redactor.token(for: Array("secret-value".utf8)) != Redactor.token(for: Array("secret-valuf".utf8)))
        #expect(Redactor.isToken(Redactor.token(for: [1, 2, 3])))
        #expect(!Redactor.isToken("<redacted:XYZ>"))
    }
}
