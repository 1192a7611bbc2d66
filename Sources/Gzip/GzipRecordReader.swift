import Glibc
import Vocabulary

/// Reads newline-terminated records from a gzip file or from gzip bytes in memory.
///
/// `next()` returns each record without its `"\n"`, then nil. A file is read in 64 KiB blocks
/// and decompressed in bounded pieces, so memory stays near the longest record, never the file.
///
/// A damaged stream is not an error: `next()` returns every whole record before the damage, then
/// nil, and `damage` says what broke and where (a truncated tail, as a crash leaves it, or corrupt
/// data). A final line without `"\n"` counts as a record only when the stream ends cleanly; at a
/// damaged end it is dropped and `damage` mentions it. A clean end leaves `damage` nil.
///
/// Thrown errors are for what is not a property of the data: the file cannot be opened or read,
/// or a record exceeds `maximumRecordLength` (no unbounded growth).
///
/// Not `Sendable`: it is mutable state.
public final class GzipRecordReader {
    /// The default longest record accepted: 64 MiB.
    public static let defaultMaximumRecordLength = 64 * 1024 * 1024

    private enum Source {
        case file(descriptor: Int32)
        case memory([UInt8])
        case exhausted
    }

    private static let blockSize = 64 * 1024
    private static let decompressionStep = 256 * 1024

    /// The file being read, or nil for bytes in memory.
    public let path: String?

    /// The longest record accepted, in bytes (without its newline).
    public let maximumRecordLength: Int

    /// What damaged the stream, once `next()` has returned nil; nil while reading and after a clean end.
    public private(set) var damage: GzipDamage?

    /// The number of records returned so far.
    public private(set) var recordsRead = 0

    private let systemCalls: FileSystemCalls
    private let inflater: GzipReader
    private var source: Source
    /// Compressed bytes read from the source but not yet given to zlib.
    private var block: [UInt8] = []
    private var blockPosition = 0
    /// Decompressed bytes not yet returned: `lines[lineStart...]`; no newline before `searchFrom`.
    private var lines: [UInt8] = []
    private var lineStart = 0
    private var searchFrom = 0
    private var inputEnded = false
    /// Consecutive inflate calls that made no progress at all (a guard against spinning).
    private var stalledCalls = 0
    /// A failed read, thrown again by every later `next()`.
    private var readFailure: GzipError?

    /// Opens the gzip file at `path` for reading. `open(O_RDONLY | O_CLOEXEC)`
    public convenience init(
        path: String,
        maximumRecordLength: Int = GzipRecordReader.defaultMaximumRecordLength
    ) throws(GzipError) {
        try self.init(path: path, maximumRecordLength: maximumRecordLength, systemCalls: .live)
    }

    /// Opens `path` through a replaceable system call table (tests inject failures through it).
    init(path: String, maximumRecordLength: Int, systemCalls: FileSystemCalls) throws(GzipError) {
        let inflater = try GzipReader()
        let flags = O_RDONLY | O_CLOEXEC
        switch FileSystemCalls.retryingOnInterrupt({ systemCalls.open(path, flags, 0) }) {
        case .success(let descriptor):
            self.source = .file(descriptor: descriptor)
        case .failure(let code):
            throw .systemCall("open", errno: code, path: path)
        }
        self.path = path
        self.maximumRecordLength = maximumRecordLength
        self.systemCalls = systemCalls
        self.inflater = inflater
    }

    /// Reads records from gzip bytes held in memory.
    public init(
        bytes: [UInt8],
        maximumRecordLength: Int = GzipRecordReader.defaultMaximumRecordLength
    ) throws(GzipError) {
        self.inflater = try GzipReader()
        self.source = .memory(bytes)
        self.path = nil
        self.maximumRecordLength = maximumRecordLength
        self.systemCalls = .live
    }

    deinit {
        self.closeSource()
    }

    /// The number of compressed bytes decompressed so far.
    public var compressedOffset: Int {
        self.inflater.bytesIn
    }

    /// Returns the next record without its newline, or nil at the end of the stream or at damage
    /// (then see `damage`).
    public func next() throws(GzipError) -> [UInt8]? {
        if let readFailure = self.readFailure {
            throw readFailure
        }
        while true {
            if let newline = self.lines[self.searchFrom...].firstIndex(of: 0x0A) {
                try self.checkLength(newline - self.lineStart)
                let record = Array(self.lines[self.lineStart..<newline])
                self.lineStart = newline + 1
                self.searchFrom = self.lineStart
                self.recordsRead += 1
                return record
            }
            self.searchFrom = self.lines.count
            try self.checkLength(self.lines.count - self.lineStart)
            if self.inputEnded {
                return self.finalPartialRecord()
            }
            try self.decompressMore()
        }
    }

    private func checkLength(_ length: Int) throws(GzipError) {
        guard length > self.maximumRecordLength else { return }
        throw .recordTooLong(
            record: self.recordsRead + 1,
            limit: self.maximumRecordLength,
            path: self.path,
            offset: self.inflater.bytesIn
        )
    }

    /// At the end: a clean stream's unterminated last line is a record; a damaged one's is dropped.
    private func finalPartialRecord() -> [UInt8]? {
        let partialLength = self.lines.count - self.lineStart
        guard partialLength > 0 else { return nil }
        if let damage = self.damage {
            self.damage = damage.droppingPartialRecord(of: partialLength)
            self.lineStart = self.lines.count
            return nil
        }
        let record = Array(self.lines[self.lineStart...])
        self.lineStart = self.lines.count
        self.recordsRead += 1
        return record
    }

    /// Decompresses the next bounded piece into `lines`, reading a block from the source if needed;
    /// sets `inputEnded` (and `damage`, if any) at the end of the stream.
    private func decompressMore() throws(GzipError) {
        if self.lineStart > 0 {
            self.lines.removeSubrange(0..<self.lineStart)
            self.searchFrom -= self.lineStart
            self.lineStart = 0
        }
        if self.blockPosition == self.block.count && !self.inflater.hasPendingOutput {
            let more: Bool
            do {
                more = try self.readBlock()
            } catch {
                self.readFailure = error
                throw error
            }
            guard more else {
                do {
                    try self.inflater.finish()
                } catch {
                    self.noteDamage(error)
                }
                self.inputEnded = true
                return
            }
        }
        let countBefore = self.lines.count
        let consumed = self.block.withUnsafeBytes { buffer in
            self.inflater.inflate(
                UnsafeRawBufferPointer(rebasing: buffer[self.blockPosition...]),
                appendingTo: &self.lines,
                outputLimit: Self.decompressionStep
            )
        }
        self.blockPosition += consumed
        let progressed = consumed > 0 || self.lines.count > countBefore || self.inflater.hasPendingOutput
        self.stalledCalls = progressed ? 0 : self.stalledCalls + 1
        if self.stalledCalls > 2 && self.inflater.failure == nil {
            self.noteDamage(.zlib("inflate", status: -5, message: "no progress"))
            self.inputEnded = true
            self.closeSource()
        }
        if let failure = self.inflater.failure {
            self.noteDamage(failure)
            self.inputEnded = true
            self.closeSource()
        }
    }

    /// Replaces `block` with the next compressed bytes; returns false at the end of the source.
    private func readBlock() throws(GzipError) -> Bool {
        self.blockPosition = 0
        switch self.source {
        case .exhausted:
            self.block.removeAll()
            return false
        case .memory(let bytes):
            self.block = bytes
            self.source = .exhausted
            return !bytes.isEmpty
        case .file(let descriptor):
            if self.block.count != Self.blockSize {
                self.block = [UInt8](repeating: 0, count: Self.blockSize)
            }
            let outcome = self.block.withUnsafeMutableBytes { buffer in
                FileSystemCalls.retryingOnInterrupt { self.systemCalls.read(descriptor, buffer) }
            }
            switch outcome {
            case .success(0):
                self.block.removeAll()
                self.closeSource()
                return false
            case .success(let count):
                self.block.removeSubrange(count...)
                return true
            case .failure(let code):
                self.block.removeAll()
                self.closeSource()
                throw .systemCall("read", errno: code, path: self.path, offset: self.inflater.bytesIn)
            }
        }
    }

    private func noteDamage(_ error: GzipError) {
        self.damage = GzipDamage(
            path: self.path,
            compressedOffset: error.offset ?? self.inflater.bytesIn,
            recordsBefore: self.recordsRead + self.wholeRecordsBuffered(),
            error: error
        )
    }

    /// Whole records decompressed but not yet returned (they precede the damage).
    private func wholeRecordsBuffered() -> Int {
        self.lines[self.lineStart...].reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
    }

    /// Closes the file, if one is open. `close(2)` is never retried.
    private func closeSource() {
        if case .file(let descriptor) = self.source {
            _ = self.systemCalls.close(descriptor)
            self.source = .exhausted
        }
    }
}

@available(*, unavailable, message: "GzipRecordReader is mutable state; confine it to one task or guard it")
extension GzipRecordReader: Sendable {}
