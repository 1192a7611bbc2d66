import CZlib

/// A streaming gzip compressor: bytes in, gzip-framed deflate bytes out.
///
/// One writer produces one gzip member (RFC 1952, zlib windowBits 31). Call `compress` as often
/// as needed, then `finish()` once to get the trailer (CRC-32 and length); after that, and after
/// any zlib failure, every call throws. The zlib stream lives at a fixed heap address for the
/// writer's whole life and is released with `deflateEnd` in `deinit`.
///
/// Not `Sendable`: it is mutable state. Confine it to one task, or put it behind an actor or a
/// `Mutex`.
public final class GzipWriter {
    /// How far a `compress` call pushes its input through to the output.
    public enum Flush: Sendable {
        /// Let zlib buffer as it likes, for the best compression.
        case none
        /// Emit everything so far and align to a byte boundary (`Z_SYNC_FLUSH`), so a reader
        /// can decompress all input given so far from the output given so far.
        case sync
    }

    private enum State {
        case open
        case finished
        case failed(GzipError)
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private let scratch: UnsafeMutableBufferPointer<UInt8>
    private var state = State.open

    /// The zlib compression level this writer was created with (0…9).
    public let level: Int

    /// The number of uncompressed bytes given to `compress` so far.
    public private(set) var bytesIn = 0

    /// The number of compressed bytes returned so far (header and trailer included).
    public private(set) var bytesOut = 0

    /// Creates a compressor at `level` (0 = store, 1 = fastest, 9 = smallest; 6 is zlib's default).
    /// `deflateInit2`
    public init(level: Int = 6) throws(GzipError) {
        guard (0...9).contains(level) else { throw .invalidLevel(level) }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        stream.pointee.zalloc = PageMappedMemory.allocate
        stream.pointee.zfree = PageMappedMemory.free
        let status = tdf_deflateInit2(stream, Int32(level), Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY)
        guard status == Z_OK else {
            let error = GzipError.zlib("deflateInit2", status: status, message: stream.pointee.message)
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw error
        }
        self.stream = stream
        self.scratch = .allocate(capacity: 64 * 1024)
        self.level = level
    }

    deinit {
        deflateEnd(self.stream)
        self.stream.deinitialize(count: 1)
        self.stream.deallocate()
        self.scratch.deallocate()
    }

    /// Compresses `bytes` and returns whatever compressed output zlib produced (possibly none
    /// with `.none`; always everything so far with `.sync`). `deflate`
    public func compress(_ bytes: some Collection<UInt8>, flush: Flush = .none) throws(GzipError) -> [UInt8] {
        var output: [UInt8] = []
        try withContiguousBytes(bytes) { (buffer) throws(GzipError) in
            try self.compress(buffer, flush: flush, appendingTo: &output)
        }
        return output
    }

    /// Compresses the bytes in `buffer` and appends the compressed output produced to `output`.
    /// `deflate`
    public func compress(
        _ buffer: UnsafeRawBufferPointer,
        flush: Flush = .none,
        appendingTo output: inout [UInt8]
    ) throws(GzipError) {
        let mode = flush == .sync ? Z_SYNC_FLUSH : Z_NO_FLUSH
        try self.deflate(buffer, mode: mode, appendingTo: &output)
    }

    /// Ends the member and returns the remaining compressed bytes and the gzip trailer; the
    /// writer cannot be used afterwards. `deflate(Z_FINISH)`
    public func finish() throws(GzipError) -> [UInt8] {
        var output: [UInt8] = []
        try self.finish(appendingTo: &output)
        return output
    }

    /// Ends the member and appends the remaining compressed bytes and the trailer to `output`.
    /// `deflate(Z_FINISH)`
    public func finish(appendingTo output: inout [UInt8]) throws(GzipError) {
        try self.deflate(UnsafeRawBufferPointer(start: nil, count: 0), mode: Z_FINISH, appendingTo: &output)
        self.state = .finished
    }

    private func deflate(
        _ input: UnsafeRawBufferPointer,
        mode: Int32,
        appendingTo output: inout [UInt8]
    ) throws(GzipError) {
        switch self.state {
        case .open: break
        case .finished: throw .alreadyFinished()
        case .failed(let error): throw .failedEarlier(error)
        }
        // avail_in is 32 bits wide: feed very large inputs in pieces; only the last piece flushes.
        let pieceLimit = 1 << 30
        var offset = 0
        repeat {
            let pieceCount = min(input.count - offset, pieceLimit)
            let isLast = offset + pieceCount == input.count
            let next = input.baseAddress.map {
                UnsafeMutablePointer(mutating: ($0 + offset).assumingMemoryBound(to: Bytef.self))
            }
            self.stream.pointee.next_in = next
            self.stream.pointee.avail_in = UInt32(pieceCount)
            do {
                try self.drive(mode: isLast ? mode : Z_NO_FLUSH, appendingTo: &output)
            } catch {
                self.state = .failed(error)
                throw error
            }
            offset += pieceCount
        } while offset < input.count
        self.bytesIn += input.count
    }

    /// Calls `deflate` until zlib has taken all input and, for a flush, emitted everything.
    private func drive(mode: Int32, appendingTo output: inout [UInt8]) throws(GzipError) {
        while true {
            self.stream.pointee.next_out = self.scratch.baseAddress
            self.stream.pointee.avail_out = UInt32(self.scratch.count)
            let status = CZlib.deflate(self.stream, mode)
            let produced = self.scratch.count - Int(self.stream.pointee.avail_out)
            if produced > 0 {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: self.scratch[0..<produced]))
                self.bytesOut += produced
            }
            switch status {
            case Z_STREAM_END:
                return
            case Z_OK, Z_BUF_ERROR:
                // Done once all input is taken and the output space was not filled; Z_BUF_ERROR
                // means no progress was possible, which only happens when there is nothing to do.
                let outputRoomLeft = self.stream.pointee.avail_out != 0
                if self.stream.pointee.avail_in == 0 && mode != Z_FINISH && (outputRoomLeft || status == Z_BUF_ERROR) {
                    return
                }
                if status == Z_BUF_ERROR && produced == 0 {
                    throw .zlib("deflate", status: status, message: self.stream.pointee.message)
                }
            default:
                throw .zlib("deflate", status: status, message: self.stream.pointee.message)
            }
        }
    }
}

@available(*, unavailable, message: "GzipWriter is mutable state; confine it to one task or guard it")
extension GzipWriter: Sendable {}

extension z_stream {
    /// zlib's last message (`msg`), if any.
    var message: String? {
        self.msg.map { String(cString: $0) }
    }
}

/// Calls `body` with the bytes of `bytes` as one contiguous buffer, copying only when the
/// collection has no contiguous storage.
func withContiguousBytes<Result, Failure: Error>(
    _ bytes: some Collection<UInt8>,
    _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
) throws(Failure) -> Result {
    let direct: Swift.Result<Result, Failure>? = bytes.withContiguousStorageIfAvailable { buffer in
        Swift.Result { () throws(Failure) -> Result in try body(UnsafeRawBufferPointer(buffer)) }
    }
    if let direct {
        return try direct.get()
    }
    let copy = Array(bytes)
    let copied: Swift.Result<Result, Failure> = copy.withUnsafeBytes { buffer in
        Swift.Result { () throws(Failure) -> Result in try body(buffer) }
    }
    return try copied.get()
}
