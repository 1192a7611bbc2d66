import HTTPWire

/// One message body through `HTTPBodyDecoder`, mostly chunked.
///
/// Input: byte 0 picks the limits (bit 0: tiny), whether the input then ends (bit 1: call
/// `finishAtEndOfInput`) and the framing (bits 2-3: chunked twice as often as a Content-Length of
/// byte 1, or until close); bytes 2 and 3 pick the cuts; the rest is the body and what follows it.
/// Checks: no trap; the same payload, trailers, leftover bytes or error however the body is cut; the
/// payload stays within `maxBodyBytes`; a decoded chunked body re-encoded with `ChunkedEncoding`
/// decodes to the same payload and trailers.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunkedBody(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let options = input.choice()
    let length = Int(input.choice())
    let limits = options & 1 == 1 ? HTTPParserLimits.tiny : .standard
    let finish = options & 2 == 2
    let framing: BodyFraming =
        switch (options >> 2) & 3 {
        case 2: .contentLength(length)
        case 3: .untilClose
        default: .chunked
        }
    let (firstCut, secondCut) = (input.choice(), input.choice())
    let whole = sameOutcomeForEverySplit(of: input.payload, firstCut: firstCut, secondCut: secondCut) { pieces in
        decodeBody(pieces, framing: framing, limits: limits, finish: finish)
    }
    guard case .success(let body) = whole else { return 0 }
    require(body.payload.count <= limits.maxBodyBytes, "\(body.payload.count) bytes decoded past the limit")
    if framing == .chunked && body.isComplete {
        let encoded = ChunkedEncoding.chunk(body.payload) + ChunkedEncoding.lastChunk(trailers: body.trailers)
        // Standard limits: a Latin-1 trailer value grows when written back as UTF-8.
        let again = decodeBody([encoded[...]], framing: .chunked)
        let expected = DecodedBody(payload: body.payload, trailers: body.trailers, isComplete: true)
        require(again == .success(expected), "re-encoded body decodes as \(again), expected \(expected)")
    }
    return 0
}
