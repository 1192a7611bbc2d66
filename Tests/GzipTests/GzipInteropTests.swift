import Foundation
import Gzip
import TestSupport
import Testing

/// Whether the real gzip tools are installed; prints the reason when they are not.
private let gzipToolsPresent: Bool = {
    let present = ["/usr/bin/gzip", "/usr/bin/zcat"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    if !present {
        print("skipping GzipInteropTests: /usr/bin/gzip or /usr/bin/zcat is not installed")
    }
    return present
}()

/// Interoperability with the real gzip tools, both ways.
@Suite(.enabled(if: gzipToolsPresent, "needs /usr/bin/gzip and /usr/bin/zcat"))
struct GzipInteropTests {
    static let gzip = "/usr/bin/gzip"
    static let zcat = "/usr/bin/zcat"

    /// zcat prints exactly the records of a closed GzipFileWriter file and exits 0.
    @Test func zcatReadsClosedFile() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("closed.jsonl.gz")
        let records = jsonLines(count: 200, seed: 1)
        let writer = try GzipFileWriter(path: path, level: 9)
        for record in records {
            try writer.append(record)
        }
        try writer.close()
        let result = try await ExternalProcess.run(Self.zcat, [path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == joinedLines(records))
        #expect(try await ExternalProcess.run(Self.gzip, ["-t", path]).status == 0)
    }

    /// A file sync-flushed 10,000 times (one record each) is valid gzip to zcat and to our reader.
    @Test func tenThousandSyncFlushes() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("many.gz")
        var generator = SeededGenerator(seed: 3)
        let records = randomRecords(count: 10_000, maximumLength: 40, generator: &generator)
        let writer = try GzipFileWriter(path: path, level: 1)
        for record in records {
            try writer.append(record)
        }
        try writer.close()
        let result = try await ExternalProcess.run(Self.zcat, [path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == joinedLines(records))
        let reader = try GzipRecordReader(path: path)
        #expect(try readAll(reader) == records)
        #expect(reader.damage == nil)
    }

    /// A writer dropped without close leaves every record readable: zcat prints them all and
    /// complains about the end, and our reader returns them all and reports a truncated tail.
    @Test func neverClosedFile() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("crashed.jsonl.gz")
        let records = jsonLines(count: 50, seed: 2)
        do {
            let writer = try GzipFileWriter(path: path)
            for record in records {
                try writer.append(record)
            }
            // No close(): deinit closes the descriptor and writes no trailer.
        }
        let result = try await ExternalProcess.run(Self.zcat, [path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("unexpected end of file"), "\(result.stderr)")
        #expect(result.stdout == joinedLines(records))

        let reader = try GzipRecordReader(path: path)
        #expect(try readAll(reader) == records)
        let damage = try #require(reader.damage)
        #expect(damage.kind == .truncated)
        #expect(damage.recordsBefore == 50)
        #expect(damage.droppedPartialRecordLength == 0)
        #expect(damage.compressedOffset == (try contents(of: path)).count)
        #expect(damage.reason == "stream ends mid-member (no gzip trailer)")
    }

    /// Files made by `gzip -1` and `gzip -9` read back as the original lines.
    @Test(arguments: ["-1", "-9"])
    func readsGzipOutput(level: String) async throws {
        let directory = try TemporaryDirectory()
        let plain = directory.path("plain.jsonl")
        let records = jsonLines(count: 3000, seed: 4)
        try write(joinedLines(records), to: plain)
        let compressed = try await ExternalProcess.run(Self.gzip, [level, "-c", plain])
        #expect(compressed.status == 0)
        let path = directory.path("tool.jsonl.gz")
        try write(compressed.stdout, to: path)
        let reader = try GzipRecordReader(path: path)
        #expect(try readAll(reader) == records)
        #expect(reader.damage == nil)
        #expect(try GzipData.decompress(compressed.stdout) == joinedLines(records))
    }

    /// Two gzip outputs concatenated (`cat a.gz b.gz`) read as one stream of both files' lines.
    @Test func readsConcatenatedMembers() async throws {
        let directory = try TemporaryDirectory()
        let first = jsonLines(count: 100, seed: 5)
        let second = jsonLines(count: 70, seed: 6)
        try write(joinedLines(first), to: directory.path("a"))
        try write(joinedLines(second), to: directory.path("b"))
        let a = try await ExternalProcess.run(Self.gzip, ["-c", directory.path("a")])
        let b = try await ExternalProcess.run(Self.gzip, ["-9", "-c", directory.path("b")])
        let path = directory.path("ab.gz")
        try write(a.stdout + b.stdout, to: path)
        let zcat = try await ExternalProcess.run(Self.zcat, [path])
        #expect(zcat.stdout == joinedLines(first + second))

        let reader = try GzipRecordReader(path: path)
        #expect(try readAll(reader) == first + second)
        #expect(reader.damage == nil)
    }

    /// `gzip -dc` decompresses what GzipData.compress and GzipWriter produce, at levels 0, 1, 6 and 9.
    @Test(arguments: [0, 1, 6, 9])
    func gzipReadsOurOutput(level: Int) async throws {
        let directory = try TemporaryDirectory()
        var generator = SeededGenerator(seed: UInt64(level))
        let original = generator.bytes(300_000) + joinedLines(jsonLines(count: 500, seed: 8))
        let path = directory.path("ours.gz")
        try write(GzipData.compress(original, level: level), to: path)
        let result = try await ExternalProcess.run(Self.gzip, ["-dc", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == original)
    }

    /// While the writer is still open, zcat on the file prints every record appended so far.
    @Test func zcatReadsOpenFile() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("open.gz")
        let records = jsonLines(count: 20, seed: 10)
        let writer = try GzipFileWriter(path: path)
        for record in records {
            try writer.append(record)
        }
        let result = try await ExternalProcess.run(Self.zcat, [path])
        #expect(result.stdout == joinedLines(records))
        #expect(result.stderr.contains("unexpected end of file"))
        try writer.close()
        #expect(try await ExternalProcess.run(Self.zcat, [path]).status == 0)
    }
}
