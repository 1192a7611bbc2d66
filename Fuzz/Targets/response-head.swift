import HTTPWire

/// Responses as the client reads them, including `1xx` interim heads, `HEAD` responses and bodies that
/// run until the connection closes.
///
/// Input: byte 0 picks the limits (bit 0: tiny) and the request method (bit 1: HEAD, else GET),
/// bytes 1 and 2 pick the cuts, the rest is the wire. Checks: no trap; the same messages or the same
/// error however the wire is cut; every parsed head serializes to bytes that parse back to it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponseHead(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let options = input.choice()
    let limits = options & 1 == 1 ? HTTPParserLimits.tiny : .standard
    let method = options & 2 == 2 ? "HEAD" : "GET"
    let (firstCut, secondCut) = (input.choice(), input.choice())
    let whole = sameOutcomeForEverySplit(of: input.payload, firstCut: firstCut, secondCut: secondCut) { pieces in
        parseResponses(pieces, requestMethod: method, limits: limits)
    }
    for message in whole.values {
        var parser = HTTPResponseHeadParser()
        let reparsed = try? parser.feed(message.head.serialized()[...])
        require(reparsed?.head == message.head, "\(message.head) serialized parses as \(String(describing: reparsed))")
    }
    return 0
}
