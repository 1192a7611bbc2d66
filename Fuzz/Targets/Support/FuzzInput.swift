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

/// The ways one payload is fed to an incremental parser: whole, cut at two places picked by
/// `firstCut` and `secondCut` (so libFuzzer can steer a chunk boundary onto any byte), and, for short
/// payloads, one byte at a time. Each must give the same outcome as the whole payload.
func feedings(of payload: [UInt8], firstCut: UInt8, secondCut: UInt8) -> [[ArraySlice<UInt8>]] {
    var result = [[payload[...]]]
    guard payload.count > 1 else { return result }
    let cuts = [firstCut, secondCut].map { Int($0) * payload.count / 256 }.sorted()
    result.append([payload[..<cuts[0]], payload[cuts[0]..<cuts[1]], payload[cuts[1]...]])
    if payload.count <= 512 {
        result.append(payload.indices.map { payload[$0...$0] })
    }
    return result
}

/// Stops the run with a message when a property the target checks does not hold; libFuzzer records
/// the input as a crash like any trap.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    guard !condition else { return }
    fputs("fuzz invariant broken: \(message())\n", stderr)
    abort()
}
