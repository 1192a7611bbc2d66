import Cassettes
import Foundation
import HTTPWire
import TestSupport
import Testing
import Vocabulary

/// The secret scanner: what it finds, where it says it is, what it never reports, and that it never prints a secret.
@Suite struct SecretScannerTests {
    /// jwt.io's example token: header `{"alg":"HS256","typ":"JWT"}`.
    static let jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
        + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    static let githubToken = "ghp_" + "R4nd0mL00k1ngT0k3nF0rT3st1ngOnlyAbCd"

    private func findings(_ exchange: Exchange) -> [String] {
        SecretScanner.findings(in: exchange, cassette: "r_1.jsonl.gz").map(\.description)
    }

    private func body(_ text: String) -> Exchange {
        Fixtures.jsonExchange(body: text)
    }

    /// A JWT in a JSON response body is named by cassette, seq and JSON path, masked to its first 4 characters.
    @Test func findsJWTInResponseBody() {
        let found = findings(body(#"{"session":{"grant":""# + Self.jwt + #"","ok":true}}"#))
        #expect(found == ["r_1.jsonl.gz seq 0 response.body $.session.grant: a JWT eyJh…(155 chars)"])
    }

    /// A JWT in an SSE event is named by the event's index, in JSON data by path and in plain data by the field.
    @Test func findsJWTInSSEEvent() {
        var exchange = Fixtures.sseExchange(seq: 5)
        exchange.response.content = .events(
            [
                StreamEvent(atMilliseconds: 1, frame: .event(SSEEvent(data: #"{"type":"state"}"#))),
                StreamEvent(atMilliseconds: 2, frame: .event(SSEEvent(data: #"{"auth":[""# + Self.jwt + #""]}"#))),
                StreamEvent(atMilliseconds: 3, frame: .event(SSEEvent(data: "renewed " + Self.jwt, event: "auth"))),
            ],
            exact: nil
        )
        #expect(
            findings(exchange) == [
                "r_1.jsonl.gz seq 5 response.events[1].data $.auth[0]: a JWT eyJh…(155 chars)",
                "r_1.jsonl.gz seq 5 response.events[2].data: a JWT eyJh…(155 chars)",
            ]
        )
    }

    /// A redacted-by-default header left in clear is found; the same header redacted is not.
    @Test func findsHeadersInClear() {
        var exchange = body("{}")
        exchange.request.headers = HTTPHeaders([
            ("Authorization", "Bearer abcdefgh12345678"), ("Cookie", "theme=dark-mode-on; sid=<redacted:0123abcd>"),
            ("X-Forwarded-Auth", "Bearer zyxwvuts98765432"),
        ])
        exchange.response.headers = HTTPHeaders([
            ("Set-Cookie", "sid=<redacted:0123abcd>; Path=/; HttpOnly"), ("X-Api-Key", "<redacted:89abcdef>"),
        ])
        #expect(
            findings(exchange) == [
                "r_1.jsonl.gz seq 0 request.headers.Authorization: an unredacted Authorization header abcd…(16 chars)",
                "r_1.jsonl.gz seq 0 request.headers.Cookie: an unredacted Cookie header dar…(12 chars)",
                "r_1.jsonl.gz seq 0 request.headers.X-Forwarded-Auth: a bearer token zyxw…(16 chars)",
            ]
        )
        exchange.request.headers = HTTPHeaders([("Authorization", "Bearer <redacted:c738b25e>")])
        #expect(findings(exchange).isEmpty)
    }

    /// Key prefixes and secret-named parameters in the query are named by parameter; redacted values are not found.
    @Test func findsSecretsInQuery() {
        var exchange = body("{}")
        exchange.request.target =
            "/v1/repos?key=\(Self.githubToken)&api_key=plainvalue123&token=<redacted:0123abcd>&page=2"
        #expect(
            findings(exchange) == [
                "r_1.jsonl.gz seq 0 request.target ?key: a GitHub token (ghp_) ghp_…(40 chars)",
                "r_1.jsonl.gz seq 0 request.target ?api_key: a value named api_key pla…(13 chars)",
            ]
        )
    }

    /// Every detector fires on what it is for, anywhere in text.
    @Test func eachDetectorFindsItsKind() {
        let cases: [(String, SecretFinding.Kind)] = [
            ("aws AKIAIOSFODNN7EXAMPLE here", .keyPrefix),
            ("AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", .keyPrefix),
            ("sk-proj-Abc123Def456Ghi789Jkl0", .keyPrefix),
            ("xoxb-1234567890-abcdefghij", .keyPrefix),
            ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow", .privateKey),
            ("-----BEGIN PRIVATE KEY-----", .privateKey),
            ("Authorization: bearer abcdefghijklmnop1", .bearerToken),
            ("key Zk8pQ2rT7vW1xY4bN6mC3dF9gH0jK5lS", .highEntropy),
        ]
        for (text, kind) in cases {
            let found = SecretScanner.findings(in: body(text), cassette: "c")
            #expect(found.map(\.kind) == [kind], "\(text)")
        }
        let named = SecretScanner.findings(in: body(#"{"user":{"Password":"correct horse"}}"#), cassette: "c")
        #expect(named.map(\.location) == ["response.body $.user.Password"])
        #expect(named.map(\.kind) == [.secretParameter])
    }

    /// The shortest secrets the detectors know are still found inside JSON strings, which the scan skips when they
    /// are too short for any detector: a 15-character Slack token and a 20-character unsigned JWT.
    @Test func theShortestSecretsAreStillFound() {
        for (value, kind) in [("xoxb-12345abcde", SecretFinding.Kind.keyPrefix), ("eyJhbGciOiJ4In0.e30.", .jwt)] {
            let found = SecretScanner.findings(in: body(#"{"note":"\#(value)"}"#), cassette: "c")
            #expect(found.map(\.kind) == [kind], "\(value)")
            #expect(found.map(\.location) == ["response.body $.note"])
        }
    }

    /// What the demo recording is full of is never reported: uuids, digests, timestamps, ids, prose, base64
    /// bodies, redaction tokens and masks.
    @Test func innocentValuesAreNotFound() {
        let midi = Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }).base64EncodedString()
        let innocent = [
            #"{"id":"17981179-4a57-83a0-888d-87ac9e31501b","variation_id":"4E72E302-7B61-8C5F-A514-B6C089B15D6A"}"#,
            #"{"plan_hash":"Zk8pQ2rT7vW1xY4bN6mC3dF9gH0jK5lS","body_sha256":"#
                + "\"\(String(repeating: "a1f3", count: 16))\"}",
            #"{"digest":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}"#,
            #"{"timestamp":"2026-01-01T00:00:00.000Z","toolUseId":"toolu_01d592beaae06fbce197c684-icon"}"#,
            #"{"midi_base64":""# + midi + #""}"#,
            #"{"token":"<redacted:0123abcd>","password":"********","secret":"short"}"#,
            #"{"prompt":"The bearer of bad news asks a task-list for sk-8 and AKIA pieces, v1.2.3.4"}"#,
            #"{"name":"HarnessConfigurationRecordedSettings2"}"#,
            #"{"slug":"sk-some-long-page-name-about-keys","locale":"sk-SK"}"#,
            "Authorization: Bearer <redacted:c738b25e>",
        ]
        for text in innocent {
            #expect(findings(body(text)).isEmpty, "\(text.prefix(80))")
        }
    }

    /// The committed demo recording holds no credential (its JWT was redacted when it was recorded).
    @Test func demoRecordingIsClean() throws {
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("cassettes/demo/cassettes").path
        let scan = SecretScan(of: try CassetteSelection(path: demo, currentDirectory: "/", run: nil))
        #expect(scan.problems.isEmpty)
        #expect(scan.cassettes == 3)
        #expect(scan.exchanges > 50)
        #expect(scan.findings.map(\.description) == [])
        #expect(scan.isClean)
    }

    /// A shown value gives away at most 4 characters and at most a quarter of the value.
    @Test func masksShownValues() {
        #expect(SecretFinding.mask(Self.jwt) == "eyJh…(155 chars)")
        #expect(SecretFinding.mask("hunter2pass") == "hu…(11 chars)")
        #expect(SecretFinding.mask("abc") == "…(3 chars)")
        let found = SecretScanner.findings(in: body(#"{"password":"hunter2pass"}"#), cassette: "c")
        #expect(found.count == 1)
        #expect(found.allSatisfy { !$0.description.contains("hunter2pass") && $0.shown == "hu…(11 chars)" })
    }

    /// A scan over written cassettes counts everything, keeps findings in cassette and seq order, and a recording
    /// command's warning names the first few and how to see the rest.
    @Test func scansCassettesAndWarns() throws {
        let directory = try TemporaryDirectory()
        let writer = try CassetteWriter(directory: directory.url.path, run: RunID(validating: "r_7"), toolVersion: "1")
        for seq in 0..<12 { try writer.append(Fixtures.jsonExchange(seq: seq, body: #"{"t":""# + Self.jwt + #""}"#)) }
        try writer.append(Fixtures.jsonExchange(seq: 12))
        try writer.finish()
        let scan = SecretScan(paths: [directory.url.path + "/r_7.jsonl.gz"])
        #expect(scan.total == 12)
        #expect(scan.exchanges == 13)
        #expect(scan.findings.map(\.seq) == Array(0..<12))
        #expect(scan.lines.last == "scanned 13 exchanges in 1 cassettes: 12 possible secrets")
        let warnings = scan.warnings(directory: "out/cassettes")
        #expect(warnings.count == SecretScan.warnedFindings + 2)
        #expect(
            warnings.first == "possible secret recorded: r_7.jsonl.gz seq 0 response.body $.t: a JWT eyJh…(155 chars)"
        )
        #expect(warnings.dropLast().last == "and 2 more possible secrets")
        #expect(warnings.last?.hasPrefix("'tdf cassette scan out/cassettes' lists them") == true)
        #expect(SecretScan(paths: []).warnings(directory: "x").isEmpty)
    }
}
