import CZlib

/// A streaming gzip decompressor: feed compressed bytes in pieces of any size, get bytes out.
///
/// - Concatenated members (`cat a.gz b.gz`) decompress as one stream, as `gzip -d` does.
/// - Zero bytes after the last member (tape-style padding) are accepted and ignored, as
///   `gzip -d` does; any other byte after them is corrupt data.
/// - Corrupt data (zlib's `Z_DATA_ERROR`) throws `.corruptData` with the compressed offset
///   where zlib stopped; everything decoded before it has been handed out already. Deflate has
///   no check until a member's trailer, so damage can also surface there as "incorrect data
///   check", after some wrongly decoded bytes.
/// - `finish()` declares the end of input and throws `.truncated` if it came inside a member.
///
/// After an error every call throws it again. The zlib stream lives at a fixed heap address and
/// is released with `inflateEnd` in `deinit`. Not `Sendable`: it is mutable state.
public final class GzipReader {
    private enum Phase {
        /// Expecting the first byte of a member (or the end of input).
        case betweenMembers
        /// Inside a member: its header, deflate data or trailer.
        case inMember
        /// Only zero bytes since the last member ended.
        case padding
        case finished
        case failed(GzipError)
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private let scratch: UnsafeMutableBufferPointer<UInt8>
    private var phase = Phase.betweenMembers
    /// zlib filled the whole output space on its last call, so it may hold more output.
    private var outputPending = false

    /// The number of compressed bytes consumed so far.
    public private(set) var bytesIn = 0

    /// The number of decompressed bytes produced so far.
    public private(set) var bytesOut = 0

    /// The number of gzip members decoded completely, trailer checked.
    public private(set) var membersCompleted = 0

    /// Creates a decompressor for gzip data (windowBits 31). `inflateInit2`
    public init() throws(GzipError) {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = tdf_inflateInit2(stream, 31)
        guard status == Z_OK else {
            let error = GzipError.zlib("inflateInit2", status: status, message: stream.pointee.message)
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw error
        }
        self.stream = stream
        self.scratch = .allocate(capacity: 64 * 1024)
    }

    deinit {
        inflateEnd(self.stream)
        self.stream.deinitialize(count: 1)
        self.stream.deallocate()
        self.scratch.deallocate()
    }

    /// True when the input so far ends exactly at a member boundary (or in trailing padding), so
    /// ending the input here would be clean.
    public var isAtCleanEnd: Bool {
        switch self.phase {
        case .betweenMembers: self.membersCompleted > 0
        case .padding, .finished: true
        case .inMember, .failed: false
        }
    }

    /// The error that stopped this reader, if any.
    public var failure: GzipError? {
        if case .failed(let error) = self.phase { error } else { nil }
    }

    /// Decompresses `bytes` and returns the bytes produced. `inflate`
    public func decompress(_ bytes: some Collection<UInt8>) throws(GzipError) -> [UInt8] {
        var output: [UInt8] = []
        try withContiguousBytes(bytes) { (buffer) throws(GzipError) in
            try self.decompress(buffer, appendingTo: &output)
        }
        return output
    }

    /// Decompresses all of `buffer`, appending the bytes produced to `output`. On corrupt data,
    /// `output` keeps everything decoded before the damage and the error is thrown. `inflate`
    public func decompress(_ buffer: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws(GzipError) {
        try self.decompress(buffer, appendingTo: &output, maximumCount: .max)
    }

    /// Like `decompress(_:appendingTo:)`, but throws `.limitExceeded` once `output` would hold
    /// more than `maximumCount` bytes (it may overshoot by at most one 64 KiB step).
    func decompress(
        _ buffer: UnsafeRawBufferPointer,
        appendingTo output: inout [UInt8],
        maximumCount: Int
    ) throws(GzipError) {
        var consumed = 0
        repeat {
            let countBefore = output.count
            let used = self.inflate(
                UnsafeRawBufferPointer(rebasing: buffer[consumed...]),
                appendingTo: &output,
                outputLimit: max(maximumCount - output.count, 1)
            )
            consumed += used
            if let failure = self.failure {
                throw failure
            }
            if output.count > maximumCount {
                let error = GzipError.outputTooLarge(limit: maximumCount, offset: self.bytesIn)
                self.phase = .failed(error)
                throw error
            }
            if used == 0 && output.count == countBefore && !self.outputPending && consumed < buffer.count {
                if case .betweenMembers = self.phase { continue }  // a member just ended; start the next
                let error = GzipError.zlib("inflate", status: Z_BUF_ERROR, message: "no progress")
                self.phase = .failed(error)
                throw error
            }
        } while consumed < buffer.count || self.outputPending
    }

    /// Declares the end of the compressed input. Throws `.truncated` if it ends inside a member
    /// or no member was seen, and the earlier error if the reader had failed.
    public func finish() throws(GzipError) {
        switch self.phase {
        case .betweenMembers where self.membersCompleted > 0, .padding, .finished:
            self.phase = .finished
        case .betweenMembers:
            self.phase = .failed(.noMember())
        case .inMember:
            self.phase = .failed(.endsMidMember(offset: self.bytesIn))
        case .failed:
            break
        }
        if let failure = self.failure {
            throw failure
        }
    }

    /// True while zlib may hold output that it could not hand out for lack of space.
    var hasPendingOutput: Bool {
        self.outputPending
    }

    /// Inflates from `input` until it is used up, `output` has grown by at least `outputLimit`
    /// bytes, or the data turns out corrupt (then `failure` is set). Returns the bytes consumed.
    ///
    /// The limit lets a caller bound memory: a 64 KiB compressed block can expand a
    /// thousandfold. Call again (with the rest of the input, or none) while `hasPendingOutput`.
    func inflate(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8], outputLimit: Int) -> Int {
        let startCount = output.count
        var consumed = 0
        while consumed < input.count || self.outputPending {
            guard output.count - startCount < outputLimit else { break }
            switch self.phase {
            case .failed, .finished:
                if case .finished = self.phase {
                    self.phase = .failed(.alreadyFinished())
                }
                return consumed
            case .padding:
                let rest = input[consumed...]
                if let garbage = rest.firstIndex(where: { $0 != 0 }) {
                    let offset = self.bytesIn + (garbage - consumed)
                    self.phase = .failed(.garbageAfterPadding(offset: offset))
                }
                self.bytesIn += rest.count
                consumed = input.count
            case .betweenMembers:
                guard consumed < input.count else { return consumed }
                if self.membersCompleted > 0 {
                    if input[consumed] == 0 {
                        self.phase = .padding
                        continue
                    }
                    let status = inflateReset(self.stream)
                    guard status == Z_OK else {
                        self.phase = .failed(
                            .zlib("inflateReset", status: status, message: self.stream.pointee.message)
                        )
                        return consumed
                    }
                }
                self.phase = .inMember
            case .inMember:
                let rest = UnsafeRawBufferPointer(rebasing: input[consumed...])
                let countBefore = output.count
                let used = self.inflateStep(rest, appendingTo: &output)
                consumed += used
                if used == 0 && output.count == countBefore && !self.outputPending {
                    return consumed  // zlib made no progress; never spin
                }
            }
        }
        return consumed
    }

    /// One `inflate` call on `input` with the scratch buffer as output space; returns bytes consumed.
    private func inflateStep(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) -> Int {
        let offered = min(input.count, Int(UInt32.max))
        self.stream.pointee.next_in = input.baseAddress.map {
            UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self))
        }
        self.stream.pointee.avail_in = UInt32(offered)
        self.stream.pointee.next_out = self.scratch.baseAddress
        self.stream.pointee.avail_out = UInt32(self.scratch.count)
        let status = CZlib.inflate(self.stream, Z_NO_FLUSH)
        let used = offered - Int(self.stream.pointee.avail_in)
        let produced = self.scratch.count - Int(self.stream.pointee.avail_out)
        self.bytesIn += used
        if produced > 0 {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: self.scratch[0..<produced]))
            self.bytesOut += produced
        }
        self.outputPending = self.stream.pointee.avail_out == 0
        switch status {
        case Z_OK:
            break
        case Z_STREAM_END:
            self.membersCompleted += 1
            self.phase = .betweenMembers
            self.outputPending = false
        case Z_BUF_ERROR:
            // No progress possible: all input taken and nothing left to hand out.
            self.outputPending = false
        case Z_DATA_ERROR, Z_NEED_DICT:
            let message = self.stream.pointee.message ?? "invalid data"
            self.phase = .failed(.corrupt(message, offset: self.bytesIn))
            self.outputPending = false
        default:
            self.phase = .failed(.zlib("inflate", status: status, message: self.stream.pointee.message))
            self.outputPending = false
        }
        return used
    }
}

@available(*, unavailable, message: "GzipReader is mutable state; confine it to one task or guard it")
extension GzipReader: Sendable {}
