// Throughput of Hashing and Gzip on realistic cassette-like data (JSON lines), release build.
// Built and run by run.sh beside this file; prints one "name<TAB>MB/s<TAB>note" row per measurement.
import Foundation
import Gzip
import Hashing

/// A seeded generator (SplitMix64), so every run measures the same bytes.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// About `size` bytes of JSON lines shaped like cassette exchanges; returns the bytes and the line count.
func makeData(size: Int) -> (bytes: [UInt8], lines: Int) {
    var generator = SplitMix64(state: 1337)
    let services = ["maestro", "storpheus", "muse"]
    let words = ["lofi", "jazz", "ambient", "drum", "bass", "piano", "strings", "minor", "major", "swing"]
    var bytes: [UInt8] = []
    bytes.reserveCapacity(size + 4096)
    var index = 0
    while bytes.count < size {
        let tag = String(generator.next() & 0xFFFF_FFFF, radix: 16)
        let prompt = (0..<(3 + Int(generator.next() % 8))).map { _ in words[Int(generator.next() % 10)] }
        let notes = (0..<Int(generator.next() % 12)).map { _ in
            #"{"p":\#(36 + generator.next() % 48),"b":\#(generator.next() % 64),"d":\#(1 + generator.next() % 8)}"#
        }
        let line =
            #"{"type":"exchange","seq":\#(index),"ordinal":\#(index),"service":"\#(services[index % 3])","#
            + #""started":"2026-01-01T00:\#(index % 60):\#(generator.next() % 60).\#(generator.next() % 1000)Z","#
            + #""request":{"method":"POST","target":"/api/v1/maestro/compose/stream","headers":[["#
            + #""content-type","application/json"],["x-tdf-run","r_000042"],["x-tdf-ordinal","\#(index)"],"#
            + #"["authorization","<redacted:\#(tag)>"]],"body":{"text":"{\"prompt\":\"\#(prompt.joined(separator: " "))\"}"}},"#
            + #""response":{"status":200,"headers":[["content-type","text/event-stream"]],"events":[{"at_ms":"#
            + #"\#(generator.next() % 5000),"data":"{\"type\":\"tool_call\",\"notes\":[\#(notes.joined(separator: ","))]}"}]},"#
            + #""timing":{"ttfb_ms":\#(generator.next() % 300),"total_ms":\#(generator.next() % 90000)},"fault":null}"#
        bytes += line.utf8
        bytes.append(0x0A)
        index += 1
    }
    return (bytes, index)
}

/// Runs `body` and returns the wall-clock seconds it took.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func row(_ name: String, bytes: Int, seconds: Double, _ note: String = "") {
    let rate = Double(bytes) / 1_048_576 / seconds
    print("\(name)\t\(String(format: "%.1f", rate))\t\(note)")
}

let arguments = CommandLine.arguments
let sizeMiB = arguments.count > 1 ? Int(arguments[1])! : 256
let directory = arguments.count > 2 ? arguments[2] : NSTemporaryDirectory()
let (data, lineCount) = makeData(size: sizeMiB << 20)
let dataPath = directory + "/data.jsonl"
try Data(data).write(to: URL(fileURLWithPath: dataPath))

// SHA-256, one pass over the buffer (best of 3).
var digest = SHA256.hash([])
var best = Double.infinity
for _ in 0..<3 {
    best = min(best, seconds { digest = data.withUnsafeBytes { SHA256.hash($0) } })
}
row("SHA256.hash (Swift)", bytes: data.count, seconds: best, digest.hex)

// gzip level 1, streaming in 1 MiB pieces.
var compressed: [UInt8] = []
let level1 = try seconds {
    let writer = try GzipWriter(level: 1)
    var offset = 0
    try data.withUnsafeBytes { buffer in
        while offset < buffer.count {
            let end = min(offset + (1 << 20), buffer.count)
            try writer.compress(UnsafeRawBufferPointer(rebasing: buffer[offset..<end]), appendingTo: &compressed)
            offset = end
        }
    }
    try writer.finish(appendingTo: &compressed)
}
row(
    "GzipWriter level 1",
    bytes: data.count,
    seconds: level1,
    "ratio \(String(format: "%.2f", Double(data.count) / Double(compressed.count)))"
)
try Data(compressed).write(to: URL(fileURLWithPath: directory + "/data.jsonl.gz"))

// Decompression, in 64 KiB compressed pieces.
var restoredCount = 0
let inflate = try seconds {
    let reader = try GzipReader()
    var output: [UInt8] = []
    try compressed.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let end = min(offset + 65_536, buffer.count)
            output.removeAll(keepingCapacity: true)
            try reader.decompress(UnsafeRawBufferPointer(rebasing: buffer[offset..<end]), appendingTo: &output)
            restoredCount += output.count
            offset = end
        }
    }
    try reader.finish()
}
precondition(restoredCount == data.count, "decompressed \(restoredCount) of \(data.count) bytes")
row("GzipReader", bytes: data.count, seconds: inflate, "output MiB/s")

// gzip level 6 in one call, for comparison with the per-record path below.
var level6Count = 0
let level6 = seconds { level6Count = GzipData.compress(data, level: 6).count }
row(
    "GzipData.compress level 6",
    bytes: data.count,
    seconds: level6,
    "ratio \(String(format: "%.2f", Double(data.count) / Double(level6Count)))"
)

// The cassette path: one record per append, sync-flushed and written each time (level 6).
let cassettePath = directory + "/cassette.jsonl.gz"
var written = 0
let cassette = try seconds {
    let writer = try GzipFileWriter(path: cassettePath, level: 6)
    var start = 0
    for index in data.indices where data[index] == 0x0A {
        try data.withUnsafeBytes { try writer.append(UnsafeRawBufferPointer(rebasing: $0[start..<index])) }
        start = index + 1
    }
    try writer.close()
    written = writer.bytesWritten
}
row(
    "GzipFileWriter level 6, sync per record",
    bytes: data.count,
    seconds: cassette,
    "\(lineCount) records, ratio \(String(format: "%.2f", Double(data.count) / Double(written)))"
)

var records = 0
let recordRead = try seconds {
    let reader = try GzipRecordReader(path: cassettePath)
    while try reader.next() != nil {
        records += 1
    }
    precondition(reader.damage == nil)
}
precondition(records == lineCount, "read \(records) of \(lineCount) records")
row("GzipRecordReader (file)", bytes: data.count, seconds: recordRead, "\(records) records")
