import Foundation
import Synchronization
import TestSupport
import Testing
import Vocabulary

@testable import Gzip

/// The file types against injected EINTR, short reads and writes, and failures.
@Suite struct GzipSystemCallTests {
    /// Counts calls across the @Sendable system call closures.
    final class Counter: Sendable {
        private let value = Mutex(0)

        /// Adds one and returns the new count.
        func increment() -> Int {
            self.value.withLock { value in
                value += 1
                return value
            }
        }

        var count: Int {
            self.value.withLock { $0 }
        }
    }

    /// Writes that are interrupted every other call and accept at most 3 bytes still produce a valid file.
    @Test func interruptedAndShortWrites() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("eintr.gz")
        let calls = Counter()
        var systemCalls = FileSystemCalls.live
        systemCalls.write = { descriptor, buffer in
            if calls.increment() % 2 == 1 {
                return .failure(errno: EINTR)
            }
            return FileSystemCalls.live.write(descriptor, UnsafeRawBufferPointer(rebasing: buffer.prefix(3)))
        }
        let records = jsonLines(count: 30, seed: 16)
        let writer = try GzipFileWriter(path: path, level: 6, systemCalls: systemCalls)
        for record in records {
            try writer.append(record)
        }
        try writer.close()
        #expect(calls.count > 2 * writer.bytesWritten / 3)
        let reader = try GzipRecordReader(path: path)
        #expect(try readAll(reader) == records)
        #expect(reader.damage == nil)
    }

    /// A write failing with ENOSPC throws a system error with errno, path and offset; the writer is
    /// then unusable, and close() still closes the descriptor exactly once.
    @Test func failedWriteIsSticky() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("enospc.gz")
        let writes = Counter()
        let closes = Counter()
        var systemCalls = FileSystemCalls.live
        systemCalls.write = { descriptor, buffer in
            writes.increment() == 3 ? .failure(errno: ENOSPC) : FileSystemCalls.live.write(descriptor, buffer)
        }
        systemCalls.close = { descriptor in
            _ = closes.increment()
            return FileSystemCalls.live.close(descriptor)
        }
        let writer = try GzipFileWriter(path: path, level: 6, systemCalls: systemCalls)
        try writer.append(Array("one".utf8))
        try writer.append(Array("two".utf8))
        let error = #expect(throws: GzipError.self) { try writer.append(Array("three".utf8)) }
        #expect(error?.code == .system)
        #expect(error?.errno == ENOSPC)
        #expect(error?.path == path)
        #expect(error?.offset == writer.bytesWritten)
        let after = #expect(throws: GzipError.self) { try writer.append(Array("four".utf8)) }
        #expect(after?.code == .closed)
        #expect(throws: GzipError.self) { try writer.close() }
        #expect(closes.count == 1)
        #expect(throws: GzipError.self) { try writer.close() }
        #expect(closes.count == 1)
        // What reached the disk is still two whole records and a truncated tail.
        let reader = try GzipRecordReader(path: path)
        #expect(try readAll(reader) == [Array("one".utf8), Array("two".utf8)])
        #expect(reader.damage?.kind == .truncated)
    }

    /// Reads that are interrupted and return at most 5 bytes still give every record.
    @Test func interruptedAndShortReads() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("reads.gz")
        let records = jsonLines(count: 40, seed: 17)
        try write(GzipData.compress(joinedLines(records)), to: path)
        let calls = Counter()
        var systemCalls = FileSystemCalls.live
        systemCalls.read = { descriptor, buffer in
            if calls.increment() % 3 == 0 {
                return .failure(errno: EINTR)
            }
            return FileSystemCalls.live.read(descriptor, UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(5)))
        }
        let reader = try GzipRecordReader(
            path: path,
            maximumRecordLength: GzipRecordReader.defaultMaximumRecordLength,
            systemCalls: systemCalls
        )
        #expect(try readAll(reader) == records)
        #expect(reader.damage == nil)
    }

    /// A read failing with EIO is thrown (it is not damage in the data), naming the path.
    @Test func failedReadThrows() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("eio.gz")
        try write(GzipData.compress(joinedLines(jsonLines(count: 5, seed: 18))), to: path)
        var systemCalls = FileSystemCalls.live
        systemCalls.read = { _, _ in .failure(errno: EIO) }
        let reader = try GzipRecordReader(
            path: path,
            maximumRecordLength: GzipRecordReader.defaultMaximumRecordLength,
            systemCalls: systemCalls
        )
        let error = #expect(throws: GzipError.self) { try reader.next() }
        #expect(error?.code == .system)
        #expect(error?.errno == EIO)
        #expect(error?.path == path)
    }
}
