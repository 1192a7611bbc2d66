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

/// Runs `executable` and returns its standard output as text; throws unless it exits with 0.
func runTool(_ executable: String, _ arguments: [String]) throws -> String {
    let result = try run(executable, arguments)
    guard result.status == 0 else {
        throw ToolFailure(description: "\(executable) exited with \(result.status): \(result.stderr)")
    }
    return String(decoding: result.stdout, as: UTF8.self)
}

/// A tool run that failed.
struct ToolFailure: Error, CustomStringConvertible {
    var description: String
}
