import HTTPWire
import TestSupport
import Testing

@Suite struct HTTPResponseHeadParserTests {
    private func responseError(_ text: String, limits: HTTPParserLimits = .standard) -> HTTPWireError? {
        parseResponses([bytes(text)[...]], limits: limits).error
    }

    /// A status line parses into exact version, status and reason, keeping the reason's inner spaces.
    @Test func parsesWellFormedResponse() throws {
        var parser = HTTPResponseHeadParser()
        let input = bytes("HTTP/1.1 422 Unprocessable Entity\r\nContent-Type: application/json\r\n\r\n{}")
        let (head, consumed) = try #require(try parser.feed(input[...]))
        #expect(consumed == input.count - 2)
        #expect(head.version == .http1_1)
        #expect(head.status == 422)
        #expect(head.reason == "Unprocessable Entity")
        #expect(head.headers == ["Content-Type": "application/json"])
    }

    /// An empty reason is accepted with or without the space before it.
    @Test(arguments: ["HTTP/1.1 204\r\n\r\n", "HTTP/1.1 204 \r\n\r\n"])
    func acceptsEmptyReason(input: String) throws {
        var parser = HTTPResponseHeadParser()
        let (head, _) = try #require(try parser.feed(bytes(input)[...]))
        #expect(head.status == 204)
        #expect(head.reason == "")
    }

    /// A bare LF anywhere in a response head — inside a field value, ending the status line, a field line
    /// or the blank line — is rejected at that LF, with the same error however the input is split.
    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nX-A: a\nSet-Cookie: b\r\n\r\n", HTTPWireError.Kind.malformedHeader, 23),
        ("HTTP/1.1 204\n\n", .malformedStartLine, 12),
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n", .malformedHeader, 34),
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n", .malformedHeader, 36),
    ])
    func rejectsBareLineFeeds(input: String, kind: HTTPWireError.Kind, offset: Int) {
        let expected = parseResponses([bytes(input)[...]])
        #expect(expected.error?.kind == kind)
        #expect(expected.error?.offset == offset)
        #expect(DripFeed.firstMismatch(in: bytes(input), expected: expected) { parseResponses($0) } == nil)
    }

    /// An interim `100 Continue` and the final response in one buffer parse one after the other.
    @Test func parsesInterimThenFinalResponse() throws {
        let input = bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi")
        let parsed = parseResponses([input[...]])
        #expect(parsed.values.map(\.head.status) == [100, 200])
        #expect(parsed.values.last?.head.version == .http1_0)
        #expect(parsed.values.last?.body == bytes("hi"))
    }

    /// Each malformed status line is `malformedStartLine` (400) at the offending byte.
    @Test(arguments: [
        ("HTTP/1.1 20 OK\r\n\r\n", 11),
        ("HTTP/1.1 2000 OK\r\n\r\n", 12),
        ("HTTP/1.1 099 Odd\r\n\r\n", 9),
        ("HTTP/1.1 abc OK\r\n\r\n", 9),
        ("HTTP/1.1\r\n\r\n", 8),
        ("HTTP/1.1  200 OK\r\n\r\n", 9),
        ("HTTP/2 200 OK\r\n\r\n", 6),
        ("HTTX/1.1 200 OK\r\n\r\n", 3),
        ("HTTP/1.1 200 O\u{01}K\r\n\r\n", 14),
        ("HTTP/1.1_200 OK\r\n\r\n", 8),
    ])
    func rejectsMalformedStatusLine(input: String, offset: Int) {
        let error = responseError(input)
        #expect(error?.kind == .malformedStartLine)
        #expect(error?.offset == offset)
    }

    /// A well-formed but unsupported version is `unsupportedVersion` at the start of the line.
    @Test func rejectsUnsupportedVersion() {
        let error = responseError("HTTP/2.0 200 OK\r\n\r\n")
        #expect(error?.kind == .unsupportedVersion)
        #expect(error?.offset == 0)
    }

    /// Response header lines follow the same rules as request header lines.
    @Test func rejectsFoldedResponseHeader() {
        let error = responseError("HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n")
        #expect(error?.kind == .malformedHeader)
        #expect(error?.offset == 23)
    }

    /// A status line of exactly `maxStartLineBytes` is accepted; one byte more is `startLineTooLong`.
    @Test func enforcesStatusLineLimit() {
        let limits = HTTPParserLimits(maxStartLineBytes: 20)
        #expect(parseResponses([bytes("HTTP/1.1 200 OKOKOKO\r\n\r\n")[...]], limits: limits).values.count == 1)
        let error = responseError("HTTP/1.1 200 OKOKOKOK\r\n\r\n", limits: limits)
        #expect(error?.kind == .startLineTooLong)
        #expect(error?.offset == 20)
    }

    /// Every split of a response stream (chunked with trailers, HEAD-less Content-Length, 304, and a
    /// body read until close) gives the same heads and bodies.
    @Test func dripFeedResponses() {
        let text =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "1a;ext\r\nabcdefghijklmnopqrstuvwxyz\r\n3\r\n123\r\n0\r\nChecksum: 42\r\nX: y\r\n\r\n"
            + "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
            + "HTTP/1.0 200 OK\r\n\r\nuntil the end"
        let expected = Parsed<Message<HTTPResponseHead>>.messages([
            Message(
                head: HTTPResponseHead(status: 200, reason: "OK", headers: ["Transfer-Encoding": "chunked"]),
                body: bytes("abcdefghijklmnopqrstuvwxyz123"),
                trailers: ["Checksum": "42", "X": "y"]
            ),
            Message(head: HTTPResponseHead(status: 304, headers: ["Content-Length": "99"]), body: []),
            Message(head: HTTPResponseHead(status: 200, headers: ["Content-Length": "3"]), body: bytes("abc")),
            Message(head: HTTPResponseHead(status: 200, version: .http1_0), body: bytes("until the end")),
        ])
        #expect(DripFeed.firstMismatch(in: bytes(text), expected: expected) { parseResponses($0) } == nil)
    }

    /// The response to a HEAD request has no body even with a Content-Length, so the next head follows.
    @Test func headResponseHasNoBody() {
        let input = bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
        let parsed = parseResponses([input[...]], requestMethod: "HEAD")
        #expect(parsed.values.map(\.head.status) == [200, 204])
        #expect(parsed.values.allSatisfy { $0.body.isEmpty })
    }
}
