import Foundation

// Small fixtures for this target only. They belong in Tests/TestSupport, which another engineer
// owns at the moment; move them there once it exists.

/// A seeded, reproducible random number generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` random bytes.
    mutating func bytes(count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = self.next()
            for _ in 0..<min(8, count - index) {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return bytes
    }
}

/// A fresh directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tdf-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.url = url
    }

    deinit {
        try? FileManager.default.removeItem(at: self.url)
    }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String {
        self.url.appendingPathComponent(name).path
    }
}

/// What a finished process left behind.
struct ToolResult {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
}

/// Runs `executable` with `arguments` (stdin from `stdinPath`, or empty) and collects its output
/// through files, so a chatty tool can never block on a full pipe.
func run(_ executable: String, _ arguments: [String], stdinPath: String? = nil) throws -> ToolResult {
    let directory = try TemporaryDirectory()
    let outPath = directory.path("stdout")
    let errPath = directory.path("stderr")
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    process.standardOutput = outHandle
    process.standardError = errHandle
    if let stdinPath {
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: stdinPath))
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    let stdout = try Data(contentsOf: URL(fileURLWithPath: outPath))
    let stderr = try Data(contentsOf: URL(fileURLWithPath: errPath))
    return ToolResult(
        status: process.terminationStatus,
        stdout: Array(stdout),
        stderr: String(decoding: stderr, as: UTF8.self)
    )
}

/// `count` JSON lines shaped like cassette exchange records: repeated keys and headers, varying
/// ids, sequence numbers, times and bodies. No line contains a newline.
func jsonLines(count: Int, seed: UInt64) -> [[UInt8]] {
    var generator = SplitMix64(seed: seed)
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
func randomRecords(count: Int, maximumLength: Int, generator: inout SplitMix64) -> [[UInt8]] {
    (0..<count).map { _ in
        let length = Int(generator.next() % UInt64(maximumLength + 1))
        return generator.bytes(count: length).map { $0 == 0x0A ? 0x0B : $0 }
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
