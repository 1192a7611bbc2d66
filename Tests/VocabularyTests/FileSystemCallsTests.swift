import Glibc
import Synchronization
import TestSupport
import Testing
import Vocabulary

@Suite struct FileSystemCallsTests {
    /// A `write` that only records what it was given, so a test can interrupt it, shorten it or fail it.
    final class Sink: Sendable {
        private let state = Mutex((bytes: [UInt8](), calls: 0))

        var bytes: [UInt8] { state.withLock { $0.bytes } }
        var calls: Int { state.withLock { $0.calls } }

        /// The table with `write` replaced: `answer` gets the call's number (from 1) and the buffer, and says how
        /// many bytes to accept (nil to accept them all) or which `errno` to fail with.
        func calls(
            answering answer: @escaping @Sendable (Int, UnsafeRawBufferPointer) -> FileSystemCalls.Outcome<Int>?
        ) -> FileSystemCalls {
            var table = FileSystemCalls.live
            table.write = { _, buffer in
                self.state.withLock { state in
                    state.calls += 1
                    let outcome = answer(state.calls, buffer) ?? .success(buffer.count)
                    if case .success(let count) = outcome { state.bytes += buffer.prefix(count) }
                    return outcome
                }
            }
            return table
        }
    }

    private let payload = Array("every byte of this line reaches the file\n".utf8)

    /// Interrupted writes are retried and short writes continued: every byte arrives, in order, once.
    @Test func interruptedAndShortWritesDeliverEverything() throws {
        let sink = Sink()
        let table = sink.calls { call, buffer in
            call % 2 == 1 ? .failure(errno: EINTR) : .success(min(3, buffer.count))
        }
        try table.writeAll(payload, to: -1)
        #expect(sink.bytes == payload)
        #expect(sink.calls == 2 * ((payload.count + 2) / 3))
    }

    /// A failing write stops with its `errno`, in the system's words, and says how much reached the file before.
    @Test func failureCarriesErrnoAndWhatWasWritten() {
        let sink = Sink()
        let table = sink.calls { call, _ in call == 1 ? .success(10) : .failure(errno: ENOSPC) }
        let failure = #expect(throws: FileSystemCalls.WriteFailure.self) { try table.writeAll(payload, to: -1) }
        #expect(failure == FileSystemCalls.WriteFailure(errno: ENOSPC, written: 10))
        #expect(failure?.description == "No space left on device")
        #expect(sink.bytes == Array(payload.prefix(10)))
    }

    /// A `write` that accepts nothing and reports no error ends the loop instead of spinning on it for ever.
    @Test func writeAcceptingNothingFails() {
        let table = Sink().calls { call, _ in call == 1 ? .success(4) : .success(0) }
        let failure = #expect(throws: FileSystemCalls.WriteFailure.self) { try table.writeAll(payload, to: -1) }
        #expect(failure == FileSystemCalls.WriteFailure(errno: nil, written: 4))
    }

    /// Nothing to write makes no call at all.
    @Test func emptyWriteMakesNoCall() throws {
        let sink = Sink()
        try sink.calls { _, _ in .failure(errno: EIO) }.writeAll([], to: -1)
        #expect(sink.calls == 0)
    }

    /// The live table writes to a real file and reads it back.
    @Test func liveTableWritesAndReads() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("line.txt")
        let live = FileSystemCalls.live
        guard case .success(let descriptor) = live.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) else {
            Issue.record("cannot create \(path)")
            return
        }
        try live.writeAll(payload, to: descriptor)
        _ = live.close(descriptor)
        guard case .success(let reader) = live.open(path, O_RDONLY | O_CLOEXEC, 0) else {
            Issue.record("cannot open \(path)")
            return
        }
        defer { _ = live.close(reader) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let outcome = buffer.withUnsafeMutableBytes { bytes in
            FileSystemCalls.retryingOnInterrupt { live.read(reader, bytes) }
        }
        guard case .success(let count) = outcome else {
            Issue.record("cannot read \(path)")
            return
        }
        #expect(Array(buffer.prefix(count)) == payload)
    }
}
