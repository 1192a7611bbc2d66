@preconcurrency import Glibc

/// The bytes libFuzzer hands a target: the first few are read as choices (limits, framing, where to
/// cut), the rest is the payload the parser sees. Reading a choice past the end gives 0, so every
/// input, even an empty one, is a valid test case.
struct FuzzInput {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = UnsafeBufferPointer(start: data, count: size)
    }

    /// The next control byte, or 0 when the input has run out.
    mutating func choice() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// Every byte not taken as a choice.
    var payload: [UInt8] {
        Array(bytes[min(position, bytes.count)...])
    }
}

/// Feeds `payload` to `parse` whole, cut at two places picked by `firstCut` and `secondCut` (so libFuzzer
/// can steer a chunk boundary onto any byte) and, when it is short, one byte at a time; stops the run
/// unless every feeding gives the outcome of the whole payload, which it returns.
func sameOutcomeForEverySplit<Outcome: Equatable>(
    of payload: [UInt8],
    firstCut: UInt8,
    secondCut: UInt8,
    _ parse: ([ArraySlice<UInt8>]) -> Outcome
) -> Outcome {
    let whole = parse([payload[...]])
    guard payload.count > 1 else { return whole }
    let cuts = [firstCut, secondCut].map { Int($0) * payload.count / 256 }.sorted()
    var feedings = [[payload[..<cuts[0]], payload[cuts[0]..<cuts[1]], payload[cuts[1]...]]]
    if payload.count <= 512 {
        feedings.append(payload.indices.map { payload[$0...$0] })
    }
    for pieces in feedings {
        let cut = parse(pieces)
        require(cut == whole, "fed in \(pieces.count) pieces: \(cut), whole: \(whole)")
    }
    return whole
}

/// Stops the run with a message when a property the target checks does not hold; libFuzzer records
/// the input as a crash like any trap.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    guard !condition else { return }
    fputs("fuzz invariant broken: \(message())\n", stderr)
    abort()
}
