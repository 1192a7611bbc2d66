import Foundation
import Gzip
import TestSupport
import Testing

@Suite struct GzipDamageTests {
    /// A small cassette-like file: its path, its records and, for each record, the file size right
    /// after its sync flush.
    private typealias Fixture = (path: String, records: [[UInt8]], flushEnds: [Int])

    private static func multiRecordFile(in directory: TemporaryDirectory) throws -> Fixture {
        let path = directory.path("small.gz")
        let records =
            jsonLines(count: 4, seed: 12) + [[], Array("short".utf8)] + [[UInt8](repeating: 0x7A, count: 2000)]
            + jsonLines(count: 3, seed: 13)
        let writer = try GzipFileWriter(path: path)
        var flushEnds: [Int] = []
        for record in records {
            try writer.append(record)
            flushEnds.append(writer.bytesWritten)
        }
        try writer.close()
        return (path, records, flushEnds)
    }

    /// Every prefix of a multi-record file yields exactly a prefix of its records (at least all
    /// flushed before the cut) and a truncation damage at or before the cut; never a crash.
    @Test func truncationAtEveryOffset() throws {
        let directory = try TemporaryDirectory()
        let (path, records, flushEnds) = try Self.multiRecordFile(in: directory)
        let bytes = try contents(of: path)
        for cut in 0...bytes.count {
            let reader = try GzipRecordReader(bytes: Array(bytes[..<cut]))
            let got = try readAll(reader)
            let flushedBefore = flushEnds.filter { $0 <= cut }.count
            #expect(got.count >= flushedBefore, "cut \(cut)")
            #expect(Array(records.prefix(got.count)) == got, "cut \(cut)")
            #expect(try reader.next() == nil)
            if cut == bytes.count {
                #expect(reader.damage == nil)
                #expect(got == records)
            } else {
                let damage = try #require(reader.damage, "cut \(cut)")
                #expect(damage.kind == .truncated, "cut \(cut)")
                #expect(damage.compressedOffset <= cut, "cut \(cut)")
                #expect(damage.recordsBefore == got.count, "cut \(cut)")
                #expect(damage.error.code == .truncated)
            }
        }
    }

    /// A truncated file's damage description names the file, the record and the byte offset, and
    /// mentions the partial record it dropped.
    @Test func truncationDescription() throws {
        let directory = try TemporaryDirectory()
        let (path, records, flushEnds) = try Self.multiRecordFile(in: directory)
        let bytes = try contents(of: path)
        // Cut inside the long record (index 6): its first bytes decode, but it has no newline yet.
        let cut = flushEnds[5] + 8
        let truncatedPath = directory.path("truncated.gz")
        try write(Array(bytes[..<cut]), to: truncatedPath)
        let reader = try GzipRecordReader(path: truncatedPath)
        #expect(try readAll(reader) == Array(records.prefix(6)))
        let damage = try #require(reader.damage)
        #expect(damage.recordsBefore == 6)
        #expect(damage.droppedPartialRecordLength > 0)
        #expect(damage.path == truncatedPath)
        let text = damage.description
        #expect(text.contains(truncatedPath))
        #expect(text.contains("record 7"))
        #expect(text.contains("compressed byte \(cut)"))
        #expect(text.contains("stream ends mid-member (no gzip trailer)"))
        #expect(text.contains("partial record of \(damage.droppedPartialRecordLength) bytes was dropped"))
    }

    /// A corrupted byte in the middle: every record flushed before it comes back intact, then a
    /// corrupt-data damage at or after the bad byte with zlib's message.
    @Test(arguments: [0.3, 0.5, 0.7])
    func corruptByteInTheMiddle(position: Double) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("corrupt.gz")
        let records = jsonLines(count: 200, seed: 14)
        let writer = try GzipFileWriter(path: path)
        var flushEnds: [Int] = []
        for record in records {
            try writer.append(record)
            flushEnds.append(writer.bytesWritten)
        }
        try writer.close()
        var bytes = try contents(of: path)
        let bad = Int(Double(bytes.count) * position)
        bytes[bad] ^= 0xFF
        try write(bytes, to: path)

        let reader = try GzipRecordReader(path: path)
        let got = try readAll(reader)
        let intact = flushEnds.filter { $0 <= bad }.count
        #expect(got.count >= intact)
        #expect(Array(got.prefix(intact)) == Array(records.prefix(intact)))
        let damage = try #require(reader.damage)
        #expect(damage.kind == .corrupt)
        #expect(damage.compressedOffset > bad)
        #expect(damage.compressedOffset <= bytes.count)
        #expect(damage.reason.hasPrefix("corrupt deflate data: "))
        #expect(damage.error.zlibMessage != nil)
        #expect(damage.description.contains("compressed byte \(damage.compressedOffset)"))
    }

    /// After every append the bytes already on disk, read while the writer is still open, decompress
    /// to every record appended so far (the sync flush really flushes).
    @Test func syncFlushReallyFlushes() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("live.gz")
        let records = jsonLines(count: 60, seed: 15) + [[]]
        let writer = try GzipFileWriter(path: path)
        for (index, record) in records.enumerated() {
            try writer.append(record)
            let onDisk = try contents(of: path)
            #expect(onDisk.count == writer.bytesWritten)
            let reader = try GzipRecordReader(bytes: onDisk)
            #expect(try readAll(reader) == Array(records.prefix(index + 1)), "after record \(index + 1)")
            #expect(reader.damage?.kind == .truncated)
            #expect(reader.damage?.droppedPartialRecordLength == 0)
        }
        try writer.close()
        let reader = try GzipRecordReader(path: path)
        #expect(try readAll(reader) == records)
        #expect(reader.damage == nil)
    }

    /// An empty file is damage (no gzip data), not a clean empty stream; a closed writer with no records is clean.
    @Test func emptyInputs() throws {
        let directory = try TemporaryDirectory()
        let empty = directory.path("empty.gz")
        try write([], to: empty)
        let reader = try GzipRecordReader(path: empty)
        #expect(try reader.next() == nil)
        #expect(reader.damage?.kind == .truncated)
        #expect(reader.damage?.recordsBefore == 0)

        let none = directory.path("none.gz")
        try GzipFileWriter(path: none).close()
        let clean = try GzipRecordReader(path: none)
        #expect(try clean.next() == nil)
        #expect(clean.damage == nil)

        let error = #expect(throws: GzipError.self) { try GzipData.decompress([UInt8]()) }
        #expect(error?.code == .truncated)
    }

    /// Zero padding after the last member is accepted; other bytes after a member are corrupt data
    /// with their offset.
    @Test func bytesAfterTheLastMember() throws {
        let member = GzipData.compress(Array("one\ntwo\n".utf8))
        #expect(try GzipData.decompress(member + [0, 0, 0, 0]) == Array("one\ntwo\n".utf8))

        let garbage = #expect(throws: GzipError.self) { try GzipData.decompress(member + [0x41, 0x42]) }
        #expect(garbage?.code == .corruptData)
        #expect(garbage?.zlibMessage == "incorrect header check")

        let afterPadding = #expect(throws: GzipError.self) { try GzipData.decompress(member + [0, 0, 7]) }
        #expect(afterPadding?.code == .corruptData)
        #expect(afterPadding?.offset == member.count + 2)

        let reader = try GzipRecordReader(bytes: member + [0x41, 0x42])
        #expect(try readAll(reader) == [Array("one".utf8), Array("two".utf8)])
        #expect(reader.damage?.kind == .corrupt)
        #expect(reader.damage?.recordsBefore == 2)
    }

    /// A reader that failed keeps failing with the same error, and a finished writer refuses more input.
    @Test func failuresAreSticky() throws {
        let reader = try GzipReader()
        let first = #expect(throws: GzipError.self) { try reader.decompress(Array("not gzip".utf8)) }
        let second = #expect(throws: GzipError.self) { try reader.decompress(GzipData.compress([1, 2, 3])) }
        #expect(first == second)
        #expect(reader.failure == first)

        let writer = try GzipWriter()
        _ = try writer.finish()
        let closed = #expect(throws: GzipError.self) { try writer.compress([1, 2, 3]) }
        #expect(closed?.code == .closed)
        #expect(throws: GzipError.self) { try writer.finish() }
        #expect(throws: GzipError.self) { try GzipWriter(level: 10) }
        #expect(throws: GzipError.self) { try GzipWriter(level: -1) }
    }

    /// A batch of records is on disk, every record readable, as soon as `append(records:)` returns; a batch
    /// with a newline in any record is rejected before anything of it is written.
    @Test func batchIsOnDiskWhenAppendReturns() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("batch.gz")
        let records = jsonLines(count: 40, seed: 3)
        let writer = try GzipFileWriter(path: path)
        try writer.append(records: Array(records[..<25]))
        try writer.append(records: Array(records[25...]))
        let error = #expect(throws: GzipError.self) {
            try writer.append(records: [Array("fine".utf8), Array("two\nlines".utf8)])
        }
        #expect(error?.description.contains("record 42") == true)
        let reader = try GzipRecordReader(bytes: try contents(of: path))
        #expect(try readAll(reader) == records)
        #expect(reader.damage?.droppedPartialRecordLength == 0)
        try writer.close()
        #expect(try readAll(GzipRecordReader(path: path)) == records)
    }

    /// A record containing a newline is rejected (it would read back as two) and the writer stays usable.
    @Test func newlineInRecordIsRejected() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("nl.gz")
        let writer = try GzipFileWriter(path: path)
        try writer.append(Array("fine".utf8))
        let error = #expect(throws: GzipError.self) { try writer.append(Array("two\nlines".utf8)) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.description.contains("record 2") == true)
        try writer.append(Array("also fine".utf8))
        try writer.close()
        #expect(try readAll(GzipRecordReader(path: path)) == [Array("fine".utf8), Array("also fine".utf8)])
        let closed = #expect(throws: GzipError.self) { try writer.append([]) }
        #expect(closed?.code == .closed)
    }

    /// Opening a file in a missing directory throws a system error naming the path and errno.
    @Test func openFailuresNameThePath() throws {
        let missing = "/nonexistent-tdf-dir/x.gz"
        let writeError = #expect(throws: GzipError.self) { try GzipFileWriter(path: missing) }
        #expect(writeError?.code == .system)
        #expect(writeError?.errno == ENOENT)
        #expect(writeError?.description.hasPrefix(missing) == true)
        let readError = #expect(throws: GzipError.self) { try GzipRecordReader(path: missing) }
        #expect(readError?.path == missing)
    }
}
