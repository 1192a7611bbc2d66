import HTTPWire
import Testing

@Suite struct HTTPHeadTests {
    /// Lookups and counts ignore name case; the list keeps original order and case; set/remove affect
    /// every field of a name.
    @Test func headerListOperations() {
        var headers = HTTPHeaders([("Set-Cookie", "a=1"), ("Host", "x"), ("set-cookie", "b=2")])
        #expect(headers.count == 3)
        #expect(headers["SET-COOKIE"] == "a=1")
        #expect(headers.values(named: "Set-Cookie") == ["a=1", "b=2"])
        #expect(headers.count(named: "SET-cookie") == 2)
        #expect(headers.count(named: "Set-Cookie2") == 0)
        #expect(headers.contains("host"))
        #expect(!headers.contains("Hos"))
        #expect(headers["Missing"] == nil)
        headers.append(name: "X-New", value: "1")
        #expect(headers.fields.last == HTTPField(name: "X-New", value: "1"))
        headers.set(name: "SET-COOKIE", value: "c=3")
        #expect(headers.map(\.name) == ["Host", "X-New", "SET-COOKIE"])
        headers.remove(named: "x-new")
        #expect(Array(headers) == [HTTPField(name: "Host", value: "x"), HTTPField(name: "SET-COOKIE", value: "c=3")])
        #expect(HTTPHeaders() == [:])
        #expect(HTTPHeaders([("A", "1")]) != HTTPHeaders([("a", "1")]))
    }

    /// Path and query split at the first `?`; an empty query differs from no query.
    @Test func pathAndQuery() {
        let head = HTTPRequestHead(method: "GET", target: "/api/v1/muse/log?project_id=p?x=1")
        #expect(head.path == "/api/v1/muse/log")
        #expect(head.query == "project_id=p?x=1")
        #expect(HTTPRequestHead(method: "GET", target: "/a?").query == "")
        #expect(HTTPRequestHead(method: "GET", target: "/a").query == nil)
        #expect(HTTPRequestHead(method: "GET", target: "/a").path == "/a")
    }

    /// Keep-alive follows the version default and the Connection token list, ignoring case.
    @Test(
        arguments: [
            (HTTPVersion.http1_1, [], true),
            (.http1_1, [("Connection", "close")], false),
            (.http1_1, [("Connection", "Upgrade, CLOSE")], false),
            (.http1_1, [("Connection", "keep-alive"), ("connection", "close")], false),
            (.http1_0, [], false),
            (.http1_0, [("Connection", "Keep-Alive")], true),
            (.http1_0, [("Connection", "foo,keep-alive")], true),
            (.http1_0, [("Connection", "keep-alive-ish")], false),
        ] as [(HTTPVersion, [(String, String)], Bool)]
    )
    func keepAlive(version: HTTPVersion, fields: [(String, String)], expected: Bool) {
        let headers = HTTPHeaders(fields)
        #expect(HTTPRequestHead(method: "GET", target: "/", version: version, headers: headers).keepAlive == expected)
        #expect(HTTPResponseHead(status: 200, version: version, headers: headers).keepAlive == expected)
    }

    /// `Expect: 100-continue` (any case, surrounding spaces) counts only on HTTP/1.1.
    @Test func expectsContinue() {
        #expect(HTTPRequestHead(method: "POST", target: "/", headers: ["Expect": " 100-Continue "]).expectsContinue)
        #expect(!HTTPRequestHead(method: "POST", target: "/", headers: ["Expect": "nothing"]).expectsContinue)
        #expect(!HTTPRequestHead(method: "POST", target: "/").expectsContinue)
        #expect(
            !HTTPRequestHead(method: "POST", target: "/", version: .http1_0, headers: ["Expect": "100-continue"])
                .expectsContinue
        )
    }

    /// Serialized heads are the exact wire bytes, and parse back to the same head.
    @Test func serializesHeads() throws {
        let request = HTTPRequestHead(
            method: "POST",
            target: "/api/v1/maestro/stream",
            headers: HTTPHeaders([("Host", "localhost"), ("Content-Length", "2")])
        )
        let requestBytes = request.serialized()
        #expect(
            requestBytes
                == bytes("POST /api/v1/maestro/stream HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n")
        )
        var requestParser = HTTPRequestHeadParser()
        #expect(try requestParser.feed(requestBytes[...])?.head == request)

        let response = HTTPResponseHead(status: 503, headers: ["Retry-After": "1"])
        let responseBytes = response.serialized()
        #expect(responseBytes == bytes("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\r\n"))
        var responseParser = HTTPResponseHeadParser()
        #expect(try responseParser.feed(responseBytes[...])?.head == response)
        #expect(
            HTTPResponseHead(status: 200, reason: "", version: .http1_0).serialized() == bytes("HTTP/1.0 200 \r\n\r\n")
        )
    }

    /// CR, LF and NUL in any serialized part become spaces, so no header or response can be injected.
    @Test func serializationCannotSplitMessages() {
        let head = HTTPResponseHead(
            status: 200,
            reason: "OK\r\nX-Evil: 1",
            headers: ["X-A": "v\r\nSet-Cookie: s=1", "X\nB": "\u{0}"]
        )
        let text = String(decoding: head.serialized(), as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK  X-Evil: 1\r\nX-A: v  Set-Cookie: s=1\r\nX B:  \r\n\r\n")
    }

    /// Standard reason phrases, including the codes the stack and proxy use, and 599 for replay mismatch.
    @Test(arguments: [
        (200, "OK"), (204, "No Content"), (400, "Bad Request"), (401, "Unauthorized"), (402, "Payment Required"),
        (404, "Not Found"), (408, "Request Timeout"), (413, "Content Too Large"), (414, "URI Too Long"),
        (422, "Unprocessable Content"), (429, "Too Many Requests"), (431, "Request Header Fields Too Large"),
        (500, "Internal Server Error"), (501, "Not Implemented"), (502, "Bad Gateway"),
        (503, "Service Unavailable"), (504, "Gateway Timeout"), (505, "HTTP Version Not Supported"),
        (599, "Replay Mismatch"), (299, "Success"), (499, "Client Error"), (999, "Unknown"),
    ])
    func reasonPhrases(status: Int, phrase: String) {
        #expect(HTTPStatus.reasonPhrase(for: status) == phrase)
        #expect(HTTPResponseHead(status: status).reason == phrase)
    }

    /// Versions print as on the wire.
    @Test func versionDescription() {
        #expect(HTTPVersion.http1_1.description == "HTTP/1.1")
        #expect(HTTPVersion(major: 1, minor: 0) == .http1_0)
    }

    /// An error's description says what, where and what was expected, and kinds compare by identity.
    @Test func errorDescriptions() {
        let error = HTTPWireError(.malformedHeader, at: 20, "expected ':' right after the field name, found SP")
        #expect(
            error.description == "malformed header field at byte 20: expected ':' right after the field name, found SP"
        )
        #expect(HTTPWireError(.conflictingFraming, at: nil, "x").description == "conflicting message framing: x")
        #expect(error.kind == .malformedHeader)
        #expect(error.kind != .malformedStartLine)
        #expect(HTTPWireError.Kind.sseEventTooLarge.description == "sseEventTooLarge")
        let statuses: [(HTTPWireError.Kind, Int)] = [
            (.malformedStartLine, 400), (.unsupportedVersion, 505), (.startLineTooLong, 414),
            (.headerLineTooLong, 431), (.headersTooLarge, 431), (.tooManyHeaders, 431), (.malformedHeader, 400),
            (.invalidContentLength, 400), (.conflictingFraming, 400), (.unsupportedTransferEncoding, 501),
            (.malformedChunk, 400), (.chunkLineTooLong, 400), (.bodyTooLarge, 413), (.truncatedBody, 400),
            (.sseEventTooLarge, 400),
        ]
        for (kind, status) in statuses {
            #expect(HTTPWireError(kind, at: 0, "").suggestedStatus == status, "\(kind)")
        }
    }

    /// A parse error message from a real parser names the byte found and what was expected.
    @Test func parserErrorMessagesAreReadable() {
        let error = parseRequests([bytes("GET / HTTP/1.1\r\nHost : x\r\n\r\n")[...]]).error
        #expect(
            error?.description == "malformed header field at byte 20: expected ':' right after the field name, found SP"
        )
        let version = parseRequests([bytes("GET / HTTP/2.0\r\n\r\n")[...]]).error
        #expect(
            version?.description
                == "unsupported HTTP version at byte 6: HTTP/2.0 is not supported; expected HTTP/1.1 or HTTP/1.0"
        )
    }

    /// RFC 9112 §3.2.2: absolute-form becomes origin-form with the target's authority as `Host`; other forms stay.
    @Test func originFormOfEveryTargetForm() {
        func origin(_ target: String, host: String = "proxy") -> (String, String?) {
            let head = HTTPRequestHead(method: "GET", target: target, headers: ["Host": host]).originForm()
            return (head.target, head.headers["Host"])
        }
        #expect(origin("http://a.example:8080/p/q?x=1") == ("/p/q?x=1", "a.example:8080"))
        #expect(origin("https://a.example?x=1") == ("/?x=1", "a.example"))
        #expect(origin("http://user:pw@a.example/p#frag") == ("/p", "a.example"))
        #expect(origin("/already/origin") == ("/already/origin", "proxy"))
        #expect(origin("a.example:443") == ("a.example:443", "proxy"), "a CONNECT authority stays")
        #expect(origin("*") == ("*", "proxy"))
        #expect(origin("http:///nohost") == ("http:///nohost", "proxy"), "no authority: left for the handler to refuse")
    }
}
