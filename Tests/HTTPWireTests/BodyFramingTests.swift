import HTTPWire
import Testing

@Suite struct BodyFramingTests {
    private func request(_ headers: HTTPHeaders, version: HTTPVersion = .http1_1) -> HTTPRequestHead {
        HTTPRequestHead(method: "POST", target: "/", version: version, headers: headers)
    }

    private func requestFraming(_ headers: HTTPHeaders) -> Result<BodyFraming, HTTPWireError> {
        Result { () throws(HTTPWireError) in try BodyFraming.request(request(headers)) }
    }

    /// A request with neither Content-Length nor Transfer-Encoding has no body.
    @Test func requestWithoutFramingHeadersIsEmpty() throws {
        #expect(try BodyFraming.request(request(["Host": "x"])) == .empty)
    }

    /// Content-Length gives the length; repeated identical values and identical lists are accepted.
    @Test(arguments: [
        (["Content-Length": "42"] as HTTPHeaders, 42),
        (HTTPHeaders([("Content-Length", "5"), ("content-length", "5")]), 5),
        (["Content-Length": "5, 5"] as HTTPHeaders, 5),
        (["Content-Length": "0"] as HTTPHeaders, 0),
        (["Content-Length": "0099"] as HTTPHeaders, 99),
    ])
    func contentLengthIsParsed(headers: HTTPHeaders, length: Int) throws {
        #expect(try BodyFraming.request(request(headers)) == .contentLength(length))
    }

    /// A Content-Length that is not digits, overflows, or disagrees with another is `invalidContentLength`.
    @Test(arguments: ["-1", "+5", "5.0", "0x10", "", "5 5", "5,6", "99999999999999999999", "5,"])
    func invalidContentLengthIsRejected(value: String) {
        let result = requestFraming(["Content-Length": value])
        #expect(throws: HTTPWireError.self) { try result.get() }
        if case .failure(let error) = result {
            #expect(error.kind == .invalidContentLength)
            #expect(error.suggestedStatus == 400)
        }
        let repeated = requestFraming(HTTPHeaders([("Content-Length", "5"), ("Content-Length", "6")]))
        if case .failure(let error) = repeated {
            #expect(error.kind == .invalidContentLength)
        } else {
            Issue.record("differing Content-Length fields were accepted")
        }
    }

    /// A request whose Transfer-Encoding ends in chunked is chunked, whatever the case and extra codings.
    @Test(arguments: ["chunked", "Chunked", "gzip, chunked", "gzip,chunked ", "gzip, ,chunked"])
    func chunkedRequest(value: String) throws {
        #expect(try BodyFraming.request(request(["Transfer-Encoding": value])) == .chunked)
        #expect(
            try BodyFraming.request(
                request(HTTPHeaders([("Transfer-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]))
            )
                == .chunked
        )
    }

    /// Transfer-Encoding together with Content-Length is `conflictingFraming` (400), in either order.
    @Test func transferEncodingWithContentLengthConflicts() {
        for headers: HTTPHeaders in [
            ["Transfer-Encoding": "chunked", "Content-Length": "5"],
            ["Content-Length": "5", "Transfer-Encoding": "chunked"],
        ] {
            guard case .failure(let error) = requestFraming(headers) else {
                Issue.record("TE + CL was accepted")
                continue
            }
            #expect(error.kind == .conflictingFraming)
            #expect(error.suggestedStatus == 400)
        }
    }

    /// A request Transfer-Encoding that does not end in chunked is `unsupportedTransferEncoding` (501).
    @Test(arguments: ["gzip", "chunked, gzip", "identity"])
    func unsupportedTransferEncoding(value: String) {
        guard case .failure(let error) = requestFraming(["Transfer-Encoding": value]) else {
            Issue.record("Transfer-Encoding \(value) was accepted")
            return
        }
        #expect(error.kind == .unsupportedTransferEncoding)
        #expect(error.suggestedStatus == 501)
    }

    /// chunked applied twice, or an empty coding list, is a malformed header.
    @Test(arguments: ["chunked, chunked", "", " , "])
    func malformedTransferEncoding(value: String) {
        guard case .failure(let error) = requestFraming(["Transfer-Encoding": value]) else {
            Issue.record("Transfer-Encoding '\(value)' was accepted")
            return
        }
        #expect(error.kind == .malformedHeader)
    }

    /// A huge Content-Length is reported as is, for the server to refuse with 413 before reading.
    @Test func largeContentLengthIsLeftToTheCaller() throws {
        #expect(try BodyFraming.request(request(["Content-Length": "9000000000"])) == .contentLength(9_000_000_000))
    }

    /// Responses: HEAD, 1xx, 204 and 304 have no body; chunked; Content-Length; otherwise until close.
    @Test func responseFraming() throws {
        func framing(_ status: Int, _ headers: HTTPHeaders, method: String = "GET") throws -> BodyFraming {
            try BodyFraming.response(HTTPResponseHead(status: status, headers: headers), requestMethod: method)
        }
        #expect(try framing(200, ["Content-Length": "10"], method: "HEAD") == .empty)
        #expect(try framing(101, [:]) == .empty)
        #expect(try framing(204, ["Content-Length": "3"]) == .empty)
        #expect(try framing(304, ["Transfer-Encoding": "chunked"]) == .empty)
        #expect(try framing(200, ["Transfer-Encoding": "chunked"]) == .chunked)
        #expect(try framing(200, ["Transfer-Encoding": "chunked", "Content-Length": "3"]) == .chunked)
        #expect(try framing(200, ["Transfer-Encoding": "gzip"]) == .untilClose)
        #expect(try framing(200, ["Content-Length": "3"]) == .contentLength(3))
        #expect(try framing(200, ["Content-Type": "text/event-stream"]) == .untilClose)
        #expect(try framing(404, [:]) == .untilClose)
        #expect(throws: HTTPWireError.self) { try framing(200, ["Content-Length": "x"]) }
    }
}
