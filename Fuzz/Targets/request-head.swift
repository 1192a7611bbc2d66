import HTTPWire

/// Pipelined requests as the server reads them: head parser, body framing, body decoder, next head.
///
/// Input: byte 0 picks the limits (odd: tiny limits, so every limit check is reachable), bytes 1 and 2
/// pick the cuts, the rest is the wire. Checks: no trap; the same messages or the same error however
/// the wire is cut; every parsed head serializes to bytes that parse back to the same head.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestHead(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let limits = input.choice() & 1 == 1 ? HTTPParserLimits.tiny : .standard
    let (firstCut, secondCut) = (input.choice(), input.choice())
    let whole = sameOutcomeForEverySplit(of: input.payload, firstCut: firstCut, secondCut: secondCut) { pieces in
        parseRequests(pieces, limits: limits)
    }
    for message in whole.values {
        var parser = HTTPRequestHeadParser()
        let reparsed = try? parser.feed(message.head.serialized()[...])
        require(reparsed?.head == message.head, "\(message.head) serialized parses as \(String(describing: reparsed))")
    }
    return 0
}
