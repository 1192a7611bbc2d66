import Cassettes
import HTTPWire

/// Value threading over bytes tdf does not control: `ValueThreads.learn` reads two request bodies and targets as a
/// client and a recording wrote them, and `Substitution` rewrites every recorded answer a replay serves.
///
/// Input: byte 0 picks where the payload is cut into the recorded and the live request (each half: a target up to
/// its first newline, then the body). The learned threads rewrite the payload toward the live values and back, as
/// bytes and as a target. Checks: no trap; every thread is threadable on both sides and the two sides differ; at
/// most `ValueThreads.limit` threads; learning a request from itself threads nothing; a substitution leaves bytes
/// holding none of its values as they were, and rewriting with no threads changes nothing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzValueThreads(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let cut = input.choice()
    let payload = input.payload
    let middle = Int(cut) * payload.count / 256
    let recorded = request(payload[..<middle])
    let live = request(payload[middle...])

    var threads = ValueThreads()
    threads.learn(recorded: recorded, live: live)
    require(threads.threads.count <= ValueThreads.limit, "\(threads.threads.count) threads")
    for thread in threads.threads {
        require(thread.recorded != thread.live, "a thread to itself: \(thread)")
        require(
            ValueThreads.isThreadable(thread.recorded) && ValueThreads.isThreadable(thread.live),
            "not threadable: \(thread)"
        )
    }
    var itself = ValueThreads()
    require(itself.learn(recorded: recorded, live: recorded) == 0, "a request threaded against itself")

    let text = String(decoding: payload, as: UTF8.self)
    let empty = ValueThreads()
    require(empty.towardLive.applied(to: payload) == payload, "no threads changed the bytes")
    require(empty.towardRecorded.applied(toTarget: text) == text, "no threads changed a target")

    let towardLive = threads.towardLive.applied(to: payload)
    _ = threads.towardRecorded.applied(to: towardLive)
    _ = threads.towardLive.applied(toTarget: text)
    let holdsARecordedValue = threads.threads.contains { text.utf8.contains(subsequence: Array($0.recorded.utf8)) }
    require(holdsARecordedValue || towardLive == payload, "bytes without a recorded value were changed")
    return 0
}

/// A request from fuzzed bytes: the target up to the first newline, the body after it.
private func request(_ bytes: ArraySlice<UInt8>) -> RecordedRequest {
    let newline = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
    return RecordedRequest(
        method: "POST",
        target: String(decoding: bytes[..<newline], as: UTF8.self),
        body: Array(bytes[newline...].dropFirst())
    )
}

extension Sequence where Element == UInt8 {
    /// Whether `needle` occurs in these bytes.
    fileprivate func contains(subsequence needle: [UInt8]) -> Bool {
        let haystack = Array(self)
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        return (0...(haystack.count - needle.count)).contains { start in
            haystack[start..<(start + needle.count)].elementsEqual(needle)
        }
    }
}
