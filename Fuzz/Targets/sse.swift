import HTTPWire

/// A `text/event-stream` body through `SSEParser`.
///
/// Input: byte 0 picks `maxEventBytes` (odd: 12 bytes, so the limit is reachable), bytes 1 and 2 pick
/// the cuts, the rest is the stream. Checks: no trap; the same frames, last event id and error however
/// the stream is cut; the frames re-encoded with `SSEEncoder` parse back to the same frames.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSE(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let maxEventBytes = input.choice() & 1 == 1 ? 12 : 16 << 20
    let (firstCut, secondCut) = (input.choice(), input.choice())
    let whole = sameOutcomeForEverySplit(of: input.payload, firstCut: firstCut, secondCut: secondCut) { pieces in
        parseStream(pieces, maxEventBytes: maxEventBytes)
    }
    guard case .success(let parsed) = whole else { return 0 }
    let encoded = parsed.frames.flatMap(SSEEncoder.encode)
    let again = parseStream([encoded[...]])
    let frames = (try? again.get())?.frames
    require(frames == parsed.frames, "frames \(parsed.frames) re-encoded parse as \(again)")
    return 0
}
