import HTTPWire
import TestSupport
import Testing

@Suite struct HTTPRequestHeadParserTests {
    /// Parses the whole input in one feed and returns the error it throws, if any.
    private func requestError(_ text: String, limits: HTTPParserLimits = .standard) -> HTTPWireError? {
        parseRequests([bytes(text)[...]], limits: limits).error
    }

    /// A typical request parses into exact method, target, version and ordered headers.
    @Test func parsesWellFormedRequest() throws {
        let input = bytes(
            "GET /api/v1/maestro/prompts?limit=5 HTTP/1.1\r\nHost: localhost:10001\r\nX-Mixed-Case:  a b \r\n\r\n"
        )
        var parser = HTTPRequestHeadParser()
        let (head, consumed) = try #require(try parser.feed(input[...]))
        #expect(consumed == input.count)
        #expect(head.method == "GET")
        #expect(head.target == "/api/v1/maestro/prompts?limit=5")
        #expect(head.path == "/api/v1/maestro/prompts")
        #expect(head.query == "limit=5")
        #expect(head.version == .http1_1)
        #expect(
            head.headers.fields == [
                HTTPField(name: "Host", value: "localhost:10001"),
                HTTPField(name: "X-Mixed-Case", value: "a b"),
            ]
        )
        #expect(head.headers["x-mixed-case"] == "a b")
    }

    /// HTTP/1.0 parses.
    @Test func parsesHTTP10() throws {
        var parser = HTTPRequestHeadParser()
        let (head, _) = try #require(try parser.feed(bytes("DELETE /x HTTP/1.0\r\nA: 1\r\n\r\n")[...]))
        #expect(head == HTTPRequestHead(method: "DELETE", target: "/x", version: .http1_0, headers: ["A": "1"]))
    }

    /// A bare LF anywhere in a head — inside a field value (where it would split one field into two), ending
    /// the request line, a field line, the blank line or a blank line before the request — is rejected at
    /// that LF, with the same error however the input is split; before, it ended the line like CRLF.
    @Test(arguments: [
        ("GET / HTTP/1.1\r\nX-A: a\nX-Injected: b\r\n\r\n", HTTPWireError.Kind.malformedHeader, 22),
        ("GET / HTTP/1.1\r\nHost: a\nContent-Length: 5\r\n\r\nhello", .malformedHeader, 23),
        ("GET / HTTP/1.1\nHost: a\r\n\r\n", .malformedStartLine, 14),
        ("GET / HTTP/1.1\r\nHost: a\r\n\n", .malformedHeader, 25),
        ("\nGET / HTTP/1.1\r\n\r\n", .malformedStartLine, 0),
        ("\r\n\nGET / HTTP/1.1\r\n\r\n", .malformedStartLine, 2),
    ])
    func rejectsBareLineFeeds(input: String, kind: HTTPWireError.Kind, offset: Int) {
        let expected = parseRequests([bytes(input)[...]])
        #expect(expected.error?.kind == kind)
        #expect(expected.error?.offset == offset)
        #expect(expected.error?.suggestedStatus == 400)
        #expect(DripFeed.firstMismatch(in: bytes(input), expected: expected) { parseRequests($0) } == nil)
    }

    /// Up to eight blank lines before the request line are skipped; a ninth is rejected.
    @Test func skipsFewLeadingBlankLines() throws {
        var parser = HTTPRequestHeadParser()
        let input = bytes(String(repeating: "\r\n", count: 8) + "GET / HTTP/1.1\r\n\r\n")
        let (head, consumed) = try #require(try parser.feed(input[...]))
        #expect(head.method == "GET")
        #expect(consumed == input.count)
        let error = requestError(String(repeating: "\r\n", count: 9) + "GET / HTTP/1.1\r\n\r\n")
        #expect(error?.kind == .malformedStartLine)
        #expect(error?.offset == 16)
    }

    /// `hasBufferedInput` is false while idle or after blank lines, true mid-head, false after a head.
    @Test func reportsBufferedInput() throws {
        var parser = HTTPRequestHeadParser()
        #expect(!parser.hasBufferedInput)
        #expect(try parser.feed(bytes("\r\n\r")[...]) == nil)
        #expect(!parser.hasBufferedInput)
        #expect(try parser.feed(bytes("\nG")[...]) == nil)
        #expect(parser.hasBufferedInput)
        #expect(try parser.feed(bytes("ET / HTTP/1.1\r\nHost: a\r\n")[...]) == nil)
        #expect(parser.hasBufferedInput)
        let result = try parser.feed(bytes("\r\nrest")[...])
        #expect(result?.consumed == 2)
        #expect(!parser.hasBufferedInput)
        parser = HTTPRequestHeadParser()
        _ = try parser.feed(bytes("GE")[...])
        parser.reset()
        #expect(!parser.hasBufferedInput)
    }

    /// With two requests in one buffer, `consumed` stops at the end of the first head and the parser
    /// then parses the second from the rest.
    @Test func stopsAtEndOfFirstPipelinedHead() throws {
        let first = bytes("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        let second = bytes("GET /b HTTP/1.1\r\nHost: y\r\n\r\n")
        let input = first + second
        var parser = HTTPRequestHeadParser()
        let (headA, consumedA) = try #require(try parser.feed(input[...]))
        #expect(headA.target == "/a")
        #expect(consumedA == first.count)
        let (headB, consumedB) = try #require(try parser.feed(input[consumedA...]))
        #expect(headB.target == "/b")
        #expect(consumedB == second.count)
    }

    /// Every split of pipelined requests with Content-Length, chunked and empty bodies gives the same
    /// heads and bodies.
    @Test func dripFeedPipelinedRequestsWithBodies() {
        let text =
            "POST /api/v1/muse/variations HTTP/1.1\r\nHost: muse\r\nContent-Length: 11\r\n\r\n{\"a\":[1,2]}"
            + "PUT /chunked HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4;name=value\r\nWiki\r\n5 ; x\r\npedia\r\n0\r\nX-Trailer: done\r\n\r\n"
            + "\r\nGET /last HTTP/1.1\r\nHost: z\r\n\r\n"
        let expected = Parsed<Message<HTTPRequestHead>>.messages([
            Message(
                head: HTTPRequestHead(
                    method: "POST",
                    target: "/api/v1/muse/variations",
                    headers: ["Host": "muse", "Content-Length": "11"]
                ),
                body: bytes("{\"a\":[1,2]}")
            ),
            Message(
                head: HTTPRequestHead(method: "PUT", target: "/chunked", headers: ["Transfer-Encoding": "chunked"]),
                body: bytes("Wikipedia"),
                trailers: ["X-Trailer": "done"]
            ),
            Message(head: HTTPRequestHead(method: "GET", target: "/last", headers: ["Host": "z"]), body: []),
        ])
        #expect(DripFeed.firstMismatch(in: bytes(text), expected: expected) { parseRequests($0) } == nil)
    }

    /// Every split of a malformed head throws the same error at the same offset.
    @Test func dripFeedKeepsErrorsAndOffsets() {
        let input = bytes("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n")
        let expected = parseRequests([input[...]])
        #expect(expected.error?.kind == .malformedHeader)
        #expect(expected.error?.offset == 28)
        #expect(DripFeed.firstMismatch(in: input, expected: expected) { parseRequests($0) } == nil)
    }

    /// Each malformed request line is rejected as `malformedStartLine` (400) at the offending byte.
    @Test(arguments: [
        ("GET  / HTTP/1.1\r\n\r\n", 4),
        ("G@T / HTTP/1.1\r\n\r\n", 1),
        (" GET / HTTP/1.1\r\n\r\n", 0),
        ("GET\r\n\r\n", 3),
        ("GET /\r\n\r\n", 5),
        ("GET / \r\n\r\n", 6),
        ("GET / HTTP/1.1x\r\n\r\n", 14),
        ("GET / HTTP/1.1 \r\n\r\n", 14),
        ("GET / FOO/1.1\r\n\r\n", 6),
        ("GET / HTTP/11\r\n\r\n", 12),
        ("GET / http/1.1\r\n\r\n", 6),
        ("GET /a\u{01}b HTTP/1.1\r\n\r\n", 6),
        ("GET /caf\u{E9} HTTP/1.1\r\n\r\n", 8),
        ("GET / HTTP/1.1\rX\r\n\r\n", 14),
    ])
    func rejectsMalformedRequestLine(input: String, offset: Int) {
        let error = requestError(input)
        #expect(error?.kind == .malformedStartLine)
        #expect(error?.suggestedStatus == 400)
        #expect(error?.offset == offset)
    }

    /// A well-formed version other than HTTP/1.0 or 1.1 is `unsupportedVersion` (505).
    @Test(arguments: ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.1"])
    func rejectsUnsupportedVersion(version: String) {
        let error = requestError("GET / \(version)\r\n\r\n")
        #expect(error?.kind == .unsupportedVersion)
        #expect(error?.suggestedStatus == 505)
        #expect(error?.offset == 6)
        #expect(error?.description.contains("expected HTTP/1.1 or HTTP/1.0") == true)
    }

    /// Each malformed field line is rejected as `malformedHeader` (400) at the offending byte.
    @Test(arguments: [
        ("Host\r\n", 20),
        ("Host : x\r\n", 20),
        ("Host\t: x\r\n", 20),
        (": x\r\n", 16),
        ("X-A: 1\r\n  folded\r\n", 24),
        ("X-A: 1\r\n\tfolded\r\n", 24),
        (" Host: x\r\n", 16),
        ("X: a\u{00}b\r\n", 20),
        ("X: a\rb\r\n", 20),
        ("X: a\u{7F}\r\n", 20),
        ("Ho\u{7F}st: x\r\n", 18),
        ("H(st: x\r\n", 17),
    ])
    func rejectsMalformedHeader(field: String, offset: Int) {
        let error = requestError("GET / HTTP/1.1\r\n" + field + "\r\n")
        #expect(error?.kind == .malformedHeader)
        #expect(error?.suggestedStatus == 400)
        #expect(error?.offset == offset)
    }

    /// Field values keep inner whitespace and obs-text, lose surrounding OWS, and may be empty.
    @Test func trimsFieldValues() throws {
        var parser = HTTPRequestHeadParser()
        let input = bytes("GET / HTTP/1.1\r\nA:\t x \t\r\nB:\r\nC: caf\u{E9} ok\r\n\r\n")
        let (head, _) = try #require(try parser.feed(input[...]))
        #expect(head.headers.fields.map(\.value) == ["x", "", "caf\u{E9} ok"])
        let latin1: [UInt8] = bytes("GET / HTTP/1.1\r\nD: ") + [0xE9] + bytes("\r\n\r\n")
        parser.reset()
        let (latinHead, _) = try #require(try parser.feed(latin1[...]))
        #expect(latinHead.headers["D"] == "\u{E9}")
    }

    /// A request line of exactly `maxStartLineBytes` is accepted; one byte more is `startLineTooLong`
    /// (414) at the first byte past the limit, even before the line ends.
    @Test func enforcesStartLineLimit() throws {
        let exact = "GET /" + String(repeating: "a", count: 8192 - 14) + " HTTP/1.1"
        #expect(exact.utf8.count == 8192)
        #expect(parseRequests([bytes(exact + "\r\n\r\n")[...]]).values.count == 1)
        let over = "GET /" + String(repeating: "a", count: 8192 - 13) + " HTTP/1.1"
        let error = requestError(over + "\r\n\r\n")
        #expect(error?.kind == .startLineTooLong)
        #expect(error?.suggestedStatus == 414)
        #expect(error?.offset == 8192)
        var parser = HTTPRequestHeadParser()
        #expect(throws: HTTPWireError.self) {
            try parser.feed(bytes("GET /" + String(repeating: "b", count: 9000))[...])
        }
    }

    /// A field line of exactly `maxHeaderLineBytes` is accepted; one byte more is `headerLineTooLong` (431).
    @Test func enforcesHeaderLineLimit() {
        let exact = "X: " + String(repeating: "v", count: 8192 - 3)
        #expect(parseRequests([bytes("GET / HTTP/1.1\r\n" + exact + "\r\n\r\n")[...]]).values.count == 1)
        let error = requestError("GET / HTTP/1.1\r\n" + exact + "v\r\n\r\n")
        #expect(error?.kind == .headerLineTooLong)
        #expect(error?.suggestedStatus == 431)
        #expect(error?.offset == 16 + 8192)
    }

    /// Field lines totalling exactly `maxHeaderBytes` are accepted; one byte more is `headersTooLarge` (431).
    @Test func enforcesHeaderSectionLimit() {
        let full = (0..<7).map { "X\($0): " + String(repeating: "v", count: 8192 - 4) + "\r\n" }.joined()
        let exact = "GET / HTTP/1.1\r\n" + full + "Y: " + String(repeating: "w", count: 8190 - 3) + "\r\na:\r\n\r\n"
        #expect(parseRequests([bytes(exact)[...]]).values.count == 1)
        let over = "GET / HTTP/1.1\r\n" + full + "Y: " + String(repeating: "w", count: 8191 - 3) + "\r\na:\r\n\r\n"
        let error = requestError(over)
        #expect(error?.kind == .headersTooLarge)
        #expect(error?.suggestedStatus == 431)
        #expect(error?.offset == 16 + 7 * 8194 + 8193 + 1)
    }

    /// `maxHeaderCount` fields are accepted; one more is `tooManyHeaders` (431) at that field's line.
    @Test func enforcesHeaderCountLimit() {
        let fields = (0..<100).map { "H\($0): v\r\n" }.joined()
        #expect(
            parseRequests([bytes("GET / HTTP/1.1\r\n" + fields + "\r\n")[...]]).values.first?.head.headers.count == 100
        )
        let error = requestError("GET / HTTP/1.1\r\n" + fields + "Extra: 1\r\n\r\n")
        #expect(error?.kind == .tooManyHeaders)
        #expect(error?.suggestedStatus == 431)
        #expect(error?.offset == 16 + fields.utf8.count)
    }

    /// With small custom limits, a header section that grows past the limit mid-line fails at the same
    /// offset for every split of the input.
    @Test func customLimitsFailAtSameOffsetForEverySplit() {
        let limits = HTTPParserLimits(
            maxStartLineBytes: 20,
            maxHeaderLineBytes: 12,
            maxHeaderBytes: 20,
            maxHeaderCount: 3
        )
        let input = bytes("GET /abc HTTP/1.1\r\nA: 12345678\r\nB: 1234567890\r\n\r\n")
        let expected = parseRequests([input[...]], limits: limits)
        #expect(expected.error?.kind == .headersTooLarge)
        #expect(expected.error?.offset == 19 + 13 + 9)
        #expect(DripFeed.firstMismatch(in: input, expected: expected) { parseRequests($0, limits: limits) } == nil)
    }

    /// After an error, `reset()` makes the parser usable again.
    @Test func resetRecoversAfterError() throws {
        var parser = HTTPRequestHeadParser()
        #expect(throws: HTTPWireError.self) { try parser.feed(bytes("BAD LINE\r\n")[...]) }
        parser.reset()
        let (head, _) = try #require(try parser.feed(bytes("GET / HTTP/1.1\r\n\r\n")[...]))
        #expect(head.target == "/")
    }
}
