import Gzip
import TestSupport
import Testing

/// Every record a reader returns before nil.
func readAll(_ reader: GzipRecordReader) throws -> [[UInt8]] {
    var records: [[UInt8]] = []
    while let record = try reader.next() {
        records.append(record)
    }
    return records
}

@Suite struct GzipRoundTripTests {
    /// Sample payloads: random bytes (incompressible), zeros (a thousandfold expansion) and text.
    private static func payload(kind: Int, count: Int, generator: inout SeededGenerator) -> [UInt8] {
        switch kind {
        case 0: return generator.bytes(count)
        case 1: return [UInt8](repeating: 0, count: count)
        default: return Array(joinedLines(jsonLines(count: count / 400 + 1, seed: generator.next())).prefix(count))
        }
    }

    /// Data of 0 B to 4 MiB, compressed in random pieces with random sync flushes and decompressed in
    /// other random pieces, comes back byte for byte.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func streamingRoundTrip(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        for size in [0, 1, 2, 1000, 65_535, 65_536, 65_537, 1 << 20, 4 << 20] {
            let original = Self.payload(kind: Int(seed % 3), count: size, generator: &generator)
            let writer = try GzipWriter(level: Int(generator.next() % 10))
            var compressed: [UInt8] = []
            var offset = 0
            while offset < original.count {
                let step = min(Int(generator.next() % 200_000), original.count - offset)
                let flush: GzipWriter.Flush = generator.next() % 4 == 0 ? .sync : .none
                compressed += try writer.compress(original[offset..<(offset + step)], flush: flush)
                offset += step
            }
            compressed += try writer.finish()
            #expect(writer.bytesIn == original.count)
            #expect(writer.bytesOut == compressed.count)

            let reader = try GzipReader()
            var restored: [UInt8] = []
            offset = 0
            while offset < compressed.count {
                let step = min(1 + Int(generator.next() % 70_000), compressed.count - offset)
                restored += try reader.decompress(compressed[offset..<(offset + step)])
                offset += step
            }
            try reader.finish()
            #expect(restored == original, "size \(size), seed \(seed)")
            #expect(reader.membersCompleted == 1)
        }
    }

    /// The one-call helpers round-trip at every level, and decompress accepts any Collection of bytes.
    @Test func oneCallHelpers() throws {
        var generator = SeededGenerator(seed: 11)
        let original = joinedLines(jsonLines(count: 300, seed: 5)) + generator.bytes(5000)
        for level in 0...9 {
            let compressed = GzipData.compress(original, level: level)
            #expect(try GzipData.decompress(compressed) == original, "level \(level)")
            #expect(try GzipData.decompress(compressed[...]) == original)
        }
        #expect(try GzipData.decompress(GzipData.compress([])) == [])
    }

    /// Feeding a multi-member stream to the reader split at every byte boundary, or one byte at a
    /// time, gives the same output as feeding it whole (the drip-feed rule).
    @Test func dripFeed() throws {
        let first = Array("first member\n".utf8)
        let second = joinedLines(jsonLines(count: 3, seed: 9))
        let stream = GzipData.compress(first) + GzipData.compress(second, level: 1)
        let expected = first + second
        for split in 0...stream.count {
            let reader = try GzipReader()
            var output = try reader.decompress(stream[..<split])
            output += try reader.decompress(stream[split...])
            try reader.finish()
            #expect(output == expected, "split at \(split)")
            #expect(reader.membersCompleted == 2)
        }
        let reader = try GzipReader()
        var output: [UInt8] = []
        for byte in stream {
            output += try reader.decompress([byte])
        }
        try reader.finish()
        #expect(output == expected)
    }

    /// Random records of random lengths written with GzipFileWriter come back identical from a file and from memory.
    @Test(arguments: [UInt64(21), 22, 23, 24])
    func recordRoundTrip(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let directory = try TemporaryDirectory()
        let path = directory.path("records.gz")
        let records =
            randomRecords(count: 300, maximumLength: 3000, generator: &generator)
            + [[], []] + randomRecords(count: 3, maximumLength: 300_000, generator: &generator)
        let writer = try GzipFileWriter(path: path, level: 6)
        for record in records {
            try writer.append(record)
        }
        try writer.close()
        #expect(writer.recordCount == records.count)

        let fromFile = try GzipRecordReader(path: path)
        #expect(try readAll(fromFile) == records)
        #expect(fromFile.damage == nil)
        #expect(fromFile.recordsRead == records.count)
        #expect(fromFile.compressedOffset == writer.bytesWritten)

        let fromMemory = try GzipRecordReader(bytes: try contents(of: path))
        #expect(try readAll(fromMemory) == records)
        #expect(fromMemory.damage == nil)
    }

    /// Highly compressible records larger than the reader's 64 KiB block and 256 KiB step read back whole.
    @Test func recordsLargerThanBuffers() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("big.gz")
        let records = [
            [UInt8](repeating: 0x41, count: 3 << 20), [0x42], [UInt8](repeating: 0x43, count: 700_000),
        ]
        let writer = try GzipFileWriter(path: path)
        for record in records {
            try writer.append(record)
        }
        try writer.close()
        let reader = try GzipRecordReader(path: path)
        #expect(try readAll(reader) == records)
        #expect(reader.damage == nil)
    }

    /// A record longer than the reader's maximum throws `.limitExceeded` instead of growing without bound.
    @Test func recordLengthLimit() throws {
        let bytes = GzipData.compress(
            joinedLines([[UInt8](repeating: 0x61, count: 100), [UInt8](repeating: 0x62, count: 101)])
        )
        let reader = try GzipRecordReader(bytes: bytes, maximumRecordLength: 100)
        #expect(try reader.next()?.count == 100)
        let error = #expect(throws: GzipError.self) { try reader.next() }
        #expect(error?.code == .limitExceeded)
        #expect(error?.description.contains("record 2") == true)

        let endless = GzipData.compress([UInt8](repeating: 0x61, count: 10 << 20))
        let unbounded = try GzipRecordReader(bytes: endless, maximumRecordLength: 1 << 20)
        #expect(throws: GzipError.self) { try unbounded.next() }
    }

    /// GzipData.decompress stops at `maximumSize` with `.limitExceeded` (a decompression bomb guard).
    @Test func decompressLimit() throws {
        let bomb = GzipData.compress([UInt8](repeating: 0, count: 8 << 20), level: 9)
        #expect(bomb.count < 20_000)
        let error = #expect(throws: GzipError.self) { try GzipData.decompress(bomb, maximumSize: 1 << 20) }
        #expect(error?.code == .limitExceeded)
        #expect(try GzipData.decompress(bomb, maximumSize: 8 << 20).count == 8 << 20)
    }

    /// A clean stream whose last line has no newline returns that line as a final record, with no damage.
    @Test func unterminatedLastLineOfCleanStream() throws {
        let reader = try GzipRecordReader(bytes: GzipData.compress(Array("a\nb\nlast".utf8)))
        #expect(try readAll(reader) == [Array("a".utf8), Array("b".utf8), Array("last".utf8)])
        #expect(reader.damage == nil)
    }

    /// 1000 similar JSON lines, each sync-flushed, compress at least 5x because the dictionary spans records.
    @Test func repeatedHeadersCompressWell() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("cassette.jsonl.gz")
        let records = jsonLines(count: 1000, seed: 77)
        let writer = try GzipFileWriter(path: path)
        for record in records {
            try writer.append(record)
        }
        try writer.close()
        let raw = joinedLines(records).count
        let ratio = Double(raw) / Double(writer.bytesWritten)
        #expect(ratio >= 5, "ratio \(ratio): \(raw) -> \(writer.bytesWritten) bytes")
        #expect(try readAll(GzipRecordReader(path: path)) == records)
    }
}
