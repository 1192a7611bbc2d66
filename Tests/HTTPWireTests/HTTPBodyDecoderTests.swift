import HTTPWire
import TestSupport
import Testing

@Suite struct HTTPBodyDecoderTests {
    private func decodeError(
        _ text: String,
        framing: BodyFraming = .chunked,
        limits: HTTPParserLimits = .standard,
        finish: Bool = false
    ) -> HTTPWireError? {
        if case .failure(let error) = decodeBody([bytes(text)[...]], framing: framing, limits: limits, finish: finish) {
            return error
        }
        return nil
    }

    /// A Content-Length body consumes exactly its length and leaves the next message's bytes alone.
    @Test func contentLengthStopsAtEndOfBody() throws {
        var decoder = HTTPBodyDecoder(framing: .contentLength(5))
        #expect(!decoder.isComplete)
        let first = try decoder.feed(bytes("hel")[...])
        #expect(first == HTTPBodyDecodeStep(payload: bytes("hel"), consumed: 3, isComplete: false))
        let second = try decoder.feed(bytes("loGET /")[...])
        #expect(second == HTTPBodyDecodeStep(payload: bytes("lo"), consumed: 2, isComplete: true))
        #expect(decoder.isComplete)
        #expect(try decoder.feed(bytes("more")[...]).consumed == 0)
    }

    /// Empty framing and a zero Content-Length are complete before any input.
    @Test func emptyBodiesAreCompleteAtOnce() throws {
        for framing in [BodyFraming.empty, .contentLength(0)] {
            var decoder = HTTPBodyDecoder(framing: framing)
            #expect(decoder.isComplete)
            #expect(
                try decoder.feed(bytes("next")[...]) == HTTPBodyDecodeStep(payload: [], consumed: 0, isComplete: true)
            )
            #expect(try decoder.finishAtEndOfInput().isComplete)
        }
    }

    /// An untilClose body takes every byte and completes when the input ends.
    @Test func untilCloseCompletesAtEndOfInput() throws {
        var decoder = HTTPBodyDecoder(framing: .untilClose)
        #expect(try decoder.feed(bytes("abc")[...]).payload == bytes("abc"))
        #expect(!decoder.isComplete)
        #expect(try decoder.finishAtEndOfInput() == HTTPBodyDecodeStep(payload: [], consumed: 0, isComplete: true))
        #expect(decoder.isComplete)
    }

    /// Input ending inside a Content-Length or chunked body is `truncatedBody` at the body offset reached.
    @Test func truncatedBodiesAreReported() {
        let fixed = decodeError("abc", framing: .contentLength(10), finish: true)
        #expect(fixed?.kind == .truncatedBody)
        #expect(fixed?.offset == 3)
        #expect(fixed?.description.contains("7 bytes before") == true)
        for text in ["", "5\r\nab", "5\r\nabcde", "5\r\nabcde\r\n", "0\r\n", "0\r\nX: y\r\n"] {
            let error = decodeError(text, finish: true)
            #expect(error?.kind == .truncatedBody, "\(text.debugDescription)")
            #expect(error?.offset == text.utf8.count)
        }
    }

    /// Chunk extensions are ignored and trailers are returned on the final step.
    @Test func decodesChunkedWithExtensionsAndTrailers() throws {
        let text =
            "4;a=b;c\r\nWiki\r\n5 ;q=\"x y\"\r\npedia\r\nA\r\n in chunks\r\n0;end\r\nExpires: never\r\nX-Sum: 1\r\n\r\nNEXT"
        let result = decodeBody([bytes(text)[...]], framing: .chunked)
        #expect(
            result
                == .success(
                    DecodedBody(
                        payload: bytes("Wikipedia in chunks"),
                        trailers: ["Expires": "never", "X-Sum": "1"],
                        isComplete: true,
                        rest: bytes("NEXT")
                    )
                )
        )
    }

    /// Every split of a chunked body with extensions and trailers decodes the same, leaving the same rest.
    @Test func dripFeedChunkedBody() {
        let input = bytes("3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: v\r\n\r\nGET")
        let expected = Result<DecodedBody, HTTPWireError>.success(
            DecodedBody(
                payload: bytes("abc0123456789abcdef"),
                trailers: ["T": "v"],
                isComplete: true,
                rest: bytes("GET")
            )
        )
        #expect(DripFeed.firstMismatch(in: input, expected: expected) { decodeBody($0, framing: .chunked) } == nil)
        let fixed = bytes("0123456789rest")
        let fixedExpected = Result<DecodedBody, HTTPWireError>.success(
            DecodedBody(payload: bytes("0123456789"), isComplete: true, rest: bytes("rest"))
        )
        #expect(
            DripFeed.firstMismatch(in: fixed, expected: fixedExpected) { decodeBody($0, framing: .contentLength(10)) }
                == nil
        )
    }

    /// Each malformed chunk framing is `malformedChunk` (400) at the offending byte.
    @Test(arguments: [
        ("\r\n", 0),
        ("g\r\n", 0),
        (";ext\r\n", 0),
        ("5x\r\nabcde\r\n0\r\n\r\n", 1),
        ("-5\r\n", 0),
        ("5\r\nabcdeX\r\n0\r\n\r\n", 8),
        ("5\r\nabcde\r\r\n0\r\n\r\n", 9),
        ("5\r\nabcde\n\n", 8),
        ("5;a\u{01}\r\n", 3),
        ("1000000000000000000\r\n", 16),
    ])
    func rejectsMalformedChunk(input: String, offset: Int) {
        let error = decodeError(input)
        #expect(error?.kind == .malformedChunk)
        #expect(error?.suggestedStatus == 400)
        #expect(error?.offset == offset)
    }

    /// A bare LF ending a chunk size line, following chunk data or in the trailers is malformed at that LF,
    /// however the body is split: a LF alone never ends a line of the chunked framing.
    @Test(arguments: [
        ("4\nWiki\r\n0\r\n\r\n", HTTPWireError.Kind.malformedChunk, 1),
        ("4;ext\nWiki\r\n0\r\n\r\n", .malformedChunk, 5),
        ("4\r\nWiki\n0\r\n\r\n", .malformedChunk, 7),
        ("0\n\r\n", .malformedChunk, 1),
        ("0\r\nT: v\nX-Injected: y\r\n\r\n", .malformedHeader, 7),
        ("0\r\nT: v\r\n\n", .malformedHeader, 9),
    ])
    func rejectsBareLineFeeds(input: String, kind: HTTPWireError.Kind, offset: Int) {
        let expected = decodeBody([bytes(input)[...]], framing: .chunked)
        guard case .failure(let error) = expected else {
            Issue.record("decoded as \(expected)")
            return
        }
        #expect(error.kind == kind)
        #expect(error.offset == offset)
        let mismatch = DripFeed.firstMismatch(in: bytes(input), expected: expected) { pieces in
            decodeBody(pieces, framing: .chunked)
        }
        #expect(mismatch == nil)
    }

    /// Malformed trailer fields are rejected with the header error kinds.
    @Test func rejectsMalformedTrailer() {
        let error = decodeError("0\r\nBad Trailer: 1\r\n\r\n")
        #expect(error?.kind == .malformedHeader)
        #expect(error?.offset == 6)
    }

    /// A chunk size line of exactly `maxChunkLineBytes` is accepted; one more byte is `chunkLineTooLong`.
    @Test func enforcesChunkLineLimit() {
        let limits = HTTPParserLimits(maxChunkLineBytes: 10)
        let exact = "1;abcdefgh\r\nx\r\n0\r\n\r\n"
        #expect((try? decodeBody([bytes(exact)[...]], framing: .chunked, limits: limits).get())?.payload == bytes("x"))
        let error = decodeError("1;abcdefghi\r\nx\r\n0\r\n\r\n", limits: limits)
        #expect(error?.kind == .chunkLineTooLong)
        #expect(error?.offset == 10)
        let later = decodeError("1\r\nx\r\n1;abcdefghi\r\n", limits: limits)
        #expect(later?.offset == 6 + 10)
    }

    /// A body of exactly `maxBodyBytes` is accepted under every framing; one byte more is `bodyTooLarge`
    /// (413), thrown as soon as a chunk announces it.
    @Test func enforcesBodyLimit() {
        let limits = HTTPParserLimits(maxBodyBytes: 8)
        let exact = Result<DecodedBody, HTTPWireError>.success(
            DecodedBody(payload: bytes("12345678"), isComplete: true)
        )
        #expect(decodeBody([bytes("12345678")[...]], framing: .contentLength(8), limits: limits) == exact)
        #expect(decodeBody([bytes("12345678")[...]], framing: .untilClose, limits: limits, finish: true) == exact)
        #expect(
            decodeBody([bytes("3\r\n123\r\n5\r\n45678\r\n0\r\n\r\n")[...]], framing: .chunked, limits: limits) == exact
        )

        let fixed = decodeError("123456789", framing: .contentLength(9), limits: limits)
        #expect(fixed?.kind == .bodyTooLarge)
        #expect(fixed?.suggestedStatus == 413)
        #expect(fixed?.offset == 8)
        let open = decodeError("1234567890", framing: .untilClose, limits: limits)
        #expect(open?.kind == .bodyTooLarge)
        #expect(open?.offset == 8)
        let chunked = decodeError("3\r\n123\r\n6\r\n", limits: limits)
        #expect(chunked?.kind == .bodyTooLarge)
        #expect(chunked?.offset == 8)
    }

    /// Trailer sections are bounded by the header limits.
    @Test func enforcesTrailerLimits() {
        let limits = HTTPParserLimits(maxHeaderLineBytes: 6, maxHeaderCount: 2)
        #expect(decodeError("0\r\nA: 123\r\nB: 1\r\n\r\n", limits: limits) == nil)
        let long = decodeError("0\r\nA: 1234\r\n\r\n", limits: limits)
        #expect(long?.kind == .headerLineTooLong)
        #expect(long?.offset == 3 + 6)
        let many = decodeError("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits)
        #expect(many?.kind == .tooManyHeaders)
        #expect(many?.offset == 15)
    }

    /// `ChunkedEncoding` writes chunks and a last chunk with trailers that the decoder reads back.
    @Test func chunkedEncodingRoundTrips() throws {
        #expect(ChunkedEncoding.chunk(bytes("hello, world!!!!")) == bytes("10\r\nhello, world!!!!\r\n"))
        #expect(ChunkedEncoding.chunk([UInt8]()) == [])
        #expect(ChunkedEncoding.lastChunk() == bytes("0\r\n\r\n"))
        #expect(ChunkedEncoding.lastChunk(trailers: ["X-A": "1"]) == bytes("0\r\nX-A: 1\r\n\r\n"))
        var generator = SeededGenerator(seed: 7)
        let payloads = (0..<20).map { _ in generator.bytes(Int.random(in: 0..<300, using: &generator)) }
        let wire = payloads.flatMap { ChunkedEncoding.chunk($0) } + ChunkedEncoding.lastChunk(trailers: ["T": "z"])
        let decoded = try decodeBody([wire[...]], framing: .chunked).get()
        #expect(decoded.payload == payloads.flatMap { $0 })
        #expect(decoded.trailers == ["T": "z"])
        #expect(decoded.isComplete)
    }
}
