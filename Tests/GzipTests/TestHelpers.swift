import Foundation
import TestSupport

/// `count` JSON lines shaped like cassette exchange records: repeated keys and headers, varying
/// ids, sequence numbers, times and bodies. No line contains a newline.
func jsonLines(count: Int, seed: UInt64) -> [[UInt8]] {
    var generator = SeededGenerator(seed: seed)
    let services = ["maestro", "storpheus", "muse"]
    let targets = ["/api/v1/maestro/compose/stream", "/generate", "/jobs/j_0001/wait", "/api/v1/muse/variations"]
    return (0..<count).map { index in
        let service = services[Int(generator.next() % 3)]
        let target = targets[Int(generator.next() % 4)]
        let tag = String(generator.next() & 0xFFFF_FFFF, radix: 16)
        let millis = 1000 + Int(generator.next() % 90000)
        let line =
            #"{"type":"exchange","seq":\#(index),"ordinal":\#(index),"service":"\#(service)","#
            + #""started":"2026-01-01T00:00:\#(index % 60).\#(millis % 1000)Z","step":"compose","#
            + #""request":{"method":"POST","target":"\#(target)","headers":[["content-type","application/json"],"#
            + #"["accept","text/event-stream"],["x-tdf-run","r_000042"],["x-tdf-ordinal","\#(index)"],"#
            + #"["authorization","<redacted:\#(tag)>"]],"body":{"text":"{\"prompt\":\"lofi beat \#(millis)\"}"}},"#
            + #""response":{"status":200,"reason":"OK","headers":[["content-type","application/json"],"#
            + #"["content-length","\#(millis % 977)"]],"body":{"text":"{\"ok\":true,\"id\":\"\#(tag)\"}"}},"#
            + #""timing":{"ttfb_ms":\#(millis % 300),"total_ms":\#(millis)},"fault":null}"#
        return Array(line.utf8)
    }
}

/// Random records of random lengths (0…`maximumLength`) that contain no newline byte.
func randomRecords(count: Int, maximumLength: Int, generator: inout SeededGenerator) -> [[UInt8]] {
    (0..<count).map { _ in
        let length = Int(generator.next() % UInt64(maximumLength + 1))
        return generator.bytes(length).map { $0 == 0x0A ? 0x0B : $0 }
    }
}

/// Records joined with a newline after each, as zcat prints them.
func joinedLines(_ records: [[UInt8]]) -> [UInt8] {
    var bytes: [UInt8] = []
    for record in records {
        bytes += record
        bytes.append(0x0A)
    }
    return bytes
}

/// The bytes of the file at `path`.
func contents(of path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Writes `bytes` to a new file at `path`.
func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
