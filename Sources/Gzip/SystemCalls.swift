import Glibc

/// The file system calls the gzip file types make, as one replaceable table.
///
/// Production code uses `.live`; tests swap single entries to inject `EINTR`, short writes and
/// failures such as `ENOSPC`. Each entry reads `errno` immediately after the call and returns
/// it as a value, so nothing in between can clobber it. Retrying on `EINTR` is the callers' job
/// (see `retryingOnInterrupt`), except for `close`, which is never retried.
struct SystemCalls: Sendable {
    /// The outcome of one system call: its result, or the `errno` it failed with.
    enum Outcome<Value: Sendable>: Sendable {
        case success(Value)
        case failure(errno: Int32)
    }

    var open: @Sendable (_ path: String, _ flags: Int32, _ mode: mode_t) -> Outcome<Int32>
    var read: @Sendable (_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Outcome<Int>
    var write: @Sendable (_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Outcome<Int>
    var close: @Sendable (_ descriptor: Int32) -> Outcome<Void>

    /// The real calls.
    static let live = SystemCalls(
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
    static func retryingOnInterrupt<Value>(_ call: () -> Outcome<Value>) -> Outcome<Value> {
        while true {
            let outcome = call()
            if case .failure(let code) = outcome, code == EINTR {
                continue
            }
            return outcome
        }
    }
}
