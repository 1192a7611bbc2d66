public import Glibc

/// The file system calls that read and write files (cassettes, the artifact tree), as one replaceable table.
///
/// Production code uses `.live`; tests swap single entries to inject `EINTR`, short writes and
/// failures such as `ENOSPC`. Each entry reads `errno` immediately after the call and returns
/// it as a value, so nothing in between can clobber it. Retrying on `EINTR` is the callers' job
/// (see `retryingOnInterrupt` and `writeAll`), except for `close`, which is never retried.
public struct FileSystemCalls: Sendable {
    /// The outcome of one system call: its result, or the `errno` it failed with.
    public enum Outcome<Value: Sendable>: Sendable {
        /// The call succeeded with this result.
        case success(Value)
        /// The call failed with this `errno`.
        case failure(errno: Int32)
    }

    /// `open(2)`: a path, flags and the mode of a created file; the new descriptor.
    public var open: @Sendable (_ path: String, _ flags: Int32, _ mode: mode_t) -> Outcome<Int32>
    /// `read(2)` into the buffer; the number of bytes read, 0 at the end of the file.
    public var read: @Sendable (_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Outcome<Int>
    /// `write(2)` of the buffer; the number of bytes written, which may be fewer than given.
    public var write: @Sendable (_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Outcome<Int>
    /// `close(2)`.
    public var close: @Sendable (_ descriptor: Int32) -> Outcome<Void>

    /// The real calls.
    public static let live = FileSystemCalls(
        open: { path, flags, mode in
            let descriptor = Glibc.open(path, flags, mode)
            return descriptor >= 0 ? .success(descriptor) : .failure(errno: Glibc.errno)
        },
        read: { descriptor, buffer in
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            return count >= 0 ? .success(count) : .failure(errno: Glibc.errno)
        },
        write: { descriptor, buffer in
            let count = Glibc.write(descriptor, buffer.baseAddress, buffer.count)
            return count >= 0 ? .success(count) : .failure(errno: Glibc.errno)
        },
        close: { descriptor in
            Glibc.close(descriptor) == 0 ? .success(()) : .failure(errno: Glibc.errno)
        }
    )

    /// Repeats `call` while it fails with `EINTR`.
    public static func retryingOnInterrupt<Value>(_ call: () -> Outcome<Value>) -> Outcome<Value> {
        while true {
            let outcome = call()
            if case .failure(let code) = outcome, code == EINTR {
                continue
            }
            return outcome
        }
    }

    /// Why `writeAll` stopped before the end.
    public struct WriteFailure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The `errno` of the failed `write`; nil when `write` accepted no bytes without reporting an error, which
        /// would otherwise be retried for ever.
        public var errno: Int32?
        /// The bytes written before the failure, so a caller can say where the file ends.
        public var written: Int

        /// Makes a failure.
        public init(errno: Int32?, written: Int) {
            self.errno = errno
            self.written = written
        }

        /// The system's text for the `errno` (`strerror`), e.g. `No space left on device`.
        public var description: String {
            errno.map { String(cString: strerror($0)) } ?? "the write accepted no bytes"
        }
    }

    /// Writes all of `bytes` to `descriptor`: continues after a short write and retries `EINTR`, so a signal or a
    /// pipe's capacity never leaves a file cut short without an error.
    public func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) throws(WriteFailure) {
        var written = 0
        while written < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[written...])
            switch Self.retryingOnInterrupt({ write(descriptor, rest) }) {
            case .success(0):
                throw WriteFailure(errno: nil, written: written)
            case .success(let count):
                written += count
            case .failure(let code):
                throw WriteFailure(errno: code, written: written)
            }
        }
    }

    /// Writes all of `bytes` to `descriptor`, as the buffer variant does.
    public func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws(WriteFailure) {
        let outcome = bytes.withUnsafeBytes { buffer in
            Result { () throws(WriteFailure) in try writeAll(buffer, to: descriptor) }
        }
        try outcome.get()
    }
}
