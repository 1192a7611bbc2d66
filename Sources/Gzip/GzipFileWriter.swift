import Glibc
import Vocabulary

/// Appends newline-terminated records to a gzip file, each one on disk as soon as `append` returns.
///
/// Every `append` compresses the record and a `"\n"`, sync-flushes (`Z_SYNC_FLUSH`) and writes
/// all the compressed bytes produced with `write(2)`, so a crash loses nothing already appended
/// while the compression dictionary stays shared across records (repeated headers cost almost
/// nothing). `close()` writes the gzip trailer. `GzipRecordReader` gives back exactly the records
/// appended; `zcat` prints them one per line.
///
/// If the writer is dropped without `close()`, `deinit` closes the descriptor but writes no
/// trailer: the file then looks exactly as it would after a crash (every record readable, the end
/// reported as truncated). Writing the trailer there would make an abandoned file look complete,
/// and a `deinit` has no way to report a failed write.
///
/// Not `Sendable`: confine it to one task, or put it behind an actor or a `Mutex`.
public final class GzipFileWriter {
    private enum State {
        case open
        case closed
        case failed(GzipError)
    }

    /// The path the writer was opened with.
    public let path: String

    private static let newline: [UInt8] = [0x0A]

    private let systemCalls: FileSystemCalls
    private let compressor: GzipWriter
    private var descriptor: Int32
    private var state = State.open
    private var pending: [UInt8] = []

    /// The number of records appended so far.
    public private(set) var recordCount = 0

    /// The number of compressed bytes written to the file so far.
    public private(set) var bytesWritten = 0

    /// Creates (or truncates) the file at `path` with mode 0644 and prepares to compress at `level`.
    /// `open(O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC)`
    public convenience init(path: String, level: Int = 6) throws(GzipError) {
        try self.init(path: path, level: level, systemCalls: .live)
    }

    /// Creates the writer with a replaceable system call table (tests inject failures through it).
    init(path: String, level: Int, systemCalls: FileSystemCalls) throws(GzipError) {
        let compressor = try GzipWriter(level: level)
        let flags = O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC
        let outcome = FileSystemCalls.retryingOnInterrupt { systemCalls.open(path, flags, 0o644) }
        switch outcome {
        case .success(let descriptor):
            self.descriptor = descriptor
        case .failure(let code):
            throw .systemCall("open", errno: code, path: path)
        }
        self.path = path
        self.systemCalls = systemCalls
        self.compressor = compressor
    }

    deinit {
        // No trailer on purpose: see the type's documentation. Never retried (see `close()`).
        if self.descriptor >= 0 {
            _ = self.systemCalls.close(self.descriptor)
        }
    }

    /// Appends `record` and a newline, sync-flushed and written before returning.
    ///
    /// `record` must not contain a newline byte (0x0A): it would read back as two records. After a
    /// failed write the file's tail is unknown, so every later call throws.
    public func append(_ record: [UInt8]) throws(GzipError) {
        try withContiguousBytes(record) { (buffer) throws(GzipError) in try self.append(buffer) }
    }

    /// Appends the record in `buffer` and a newline, sync-flushed and written before returning.
    public func append(_ buffer: UnsafeRawBufferPointer) throws(GzipError) {
        try self.checkOpen()
        try self.checkNoNewline(buffer, record: self.recordCount + 1)
        try self.compressAndWrite { (pending) throws(GzipError) in
            try self.compress(buffer, syncFlush: true, appendingTo: &pending)
        }
        self.recordCount += 1
    }

    /// Appends several records, each followed by a newline, with one sync flush and one `write(2)` for all of
    /// them, so a burst of records costs one flush and one system call; all are on disk when this returns.
    public func append(records: [[UInt8]]) throws(GzipError) {
        try self.checkOpen()
        for (offset, record) in records.enumerated() {
            try withContiguousBytes(record) { (buffer) throws(GzipError) in
                try self.checkNoNewline(buffer, record: self.recordCount + offset + 1)
            }
        }
        try self.compressAndWrite { (pending) throws(GzipError) in
            for (offset, record) in records.enumerated() {
                try withContiguousBytes(record) { (buffer) throws(GzipError) in
                    try self.compress(buffer, syncFlush: offset == records.count - 1, appendingTo: &pending)
                }
            }
        }
        self.recordCount += records.count
    }

    private func checkNoNewline(_ buffer: UnsafeRawBufferPointer, record: Int) throws(GzipError) {
        if let base = buffer.baseAddress, memchr(base, 0x0A, buffer.count) != nil {
            throw .recordContainsNewline(record: record, path: self.path)
        }
    }

    /// Compresses one record and its newline; `syncFlush` pushes everything so far out to `pending`.
    private func compress(
        _ record: UnsafeRawBufferPointer,
        syncFlush: Bool,
        appendingTo pending: inout [UInt8]
    ) throws(GzipError) {
        try self.compressor.compress(record, flush: .none, appendingTo: &pending)
        try withContiguousBytes(Self.newline) { (newline) throws(GzipError) in
            try self.compressor.compress(newline, flush: syncFlush ? .sync : .none, appendingTo: &pending)
        }
    }

    /// Runs `compress` into the reused output buffer and writes what it produced; any failure leaves the
    /// writer failed, since the file's tail is then unknown.
    private func compressAndWrite(
        _ compress: (inout [UInt8]) throws(GzipError) -> Void
    ) throws(GzipError) {
        var pending = self.pending
        self.pending = []
        pending.removeAll(keepingCapacity: true)
        defer { self.pending = pending }
        do {
            try compress(&pending)
            try withContiguousBytes(pending) { (bytes) throws(GzipError) in try self.writeAll(bytes) }
        } catch {
            let located = error.at(path: self.path)
            self.state = .failed(located)
            throw located
        }
    }

    /// Writes the gzip trailer and closes the file. Further calls throw.
    ///
    /// The descriptor is closed even when writing the trailer fails. `close(2)` is never retried:
    /// on Linux the descriptor is gone even when it reports `EINTR`, and a retry could close a
    /// descriptor another thread has just been given. On a writer whose earlier `append` failed,
    /// this closes the descriptor without a trailer and throws that failure again. `close`
    public func close() throws(GzipError) {
        var firstError: GzipError?
        switch self.state {
        case .open:
            self.pending.removeAll(keepingCapacity: true)
            do {
                try self.compressor.finish(appendingTo: &self.pending)
                try withContiguousBytes(self.pending) { (bytes) throws(GzipError) in try self.writeAll(bytes) }
            } catch {
                firstError = error.at(path: self.path)
            }
        case .closed:
            throw .alreadyFinished(path: self.path)
        case .failed(let error):
            firstError = .failedEarlier(error)
        }
        self.state = .closed
        let descriptor = self.descriptor
        self.descriptor = -1
        if case .failure(let code) = self.systemCalls.close(descriptor), firstError == nil {
            firstError = .systemCall("close", errno: code, path: self.path)
        }
        if let firstError {
            throw firstError
        }
    }

    private func checkOpen() throws(GzipError) {
        switch self.state {
        case .open: return
        case .closed: throw .alreadyFinished(path: self.path)
        case .failed(let error): throw .failedEarlier(error)
        }
    }

    /// Writes all of `bytes`, counting what reached the file even when the write fails part way.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(GzipError) {
        do throws(FileSystemCalls.WriteFailure) {
            try self.systemCalls.writeAll(bytes, to: self.descriptor)
            self.bytesWritten += bytes.count
        } catch {
            self.bytesWritten += error.written
            guard let code = error.errno else { throw .shortWrite(path: self.path, offset: self.bytesWritten) }
            throw .systemCall("write", errno: code, path: self.path, offset: self.bytesWritten)
        }
    }
}

@available(*, unavailable, message: "GzipFileWriter is mutable state; confine it to one task or guard it")
extension GzipFileWriter: Sendable {}
