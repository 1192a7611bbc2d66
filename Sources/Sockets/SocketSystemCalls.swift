#if canImport(Glibc)
    import CLinux
    @preconcurrency import Glibc
#endif

/// The system calls on a socket's data path, as one replaceable table.
///
/// Production code uses `.live`; tests swap single entries to inject `EINTR`, `EAGAIN`, short transfers and
/// failures such as `ECONNRESET`, which a real kernel produces only under load or by chance. Each entry reads
/// `errno` immediately after the call and returns it as a value, so nothing in between can clobber it. Retrying
/// and waiting are the callers' job (see `systemCall`), except for `close`, which is never retried. Setup calls
/// (`socket`, `bind`, `listen`, `setsockopt`) stay direct: they have no retry or wait path to test.
struct SocketSystemCalls: Sendable {
    /// The outcome of one system call: its result, or the `errno` it failed with.
    enum Outcome<Value: Sendable>: Sendable {
        case success(Value)
        case failure(errno: Int32)
    }

    var recv: @Sendable (_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer, _ flags: Int32) -> Outcome<Int>
    var send: @Sendable (_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer, _ flags: Int32) -> Outcome<Int>
    var accept4:
        @Sendable (
            _ descriptor: Int32,
            _ address: UnsafeMutablePointer<sockaddr>,
            _ length: UnsafeMutablePointer<socklen_t>,
            _ flags: Int32
        ) -> Outcome<Int32>
    var connect:
        @Sendable (_ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Outcome<Void>
    var close: @Sendable (_ descriptor: Int32) -> Outcome<Void>

    /// The real calls.
    static let live = SocketSystemCalls(
        recv: { descriptor, buffer, flags in
            let count = Glibc.recv(descriptor, buffer.baseAddress, buffer.count, flags)
            return count >= 0 ? .success(count) : .failure(errno: Glibc.errno)
        },
        send: { descriptor, buffer, flags in
            let count = Glibc.send(descriptor, buffer.baseAddress, buffer.count, flags)
            return count >= 0 ? .success(count) : .failure(errno: Glibc.errno)
        },
        accept4: { descriptor, address, length, flags in
            let accepted = tdf_accept4(descriptor, address, length, flags)
            return accepted >= 0 ? .success(accepted) : .failure(errno: Glibc.errno)
        },
        connect: { descriptor, address, length in
            Glibc.connect(descriptor, address, length) == 0 ? .success(()) : .failure(errno: Glibc.errno)
        },
        close: { descriptor in
            Glibc.close(descriptor) == 0 ? .success(()) : .failure(errno: Glibc.errno)
        }
    )
}
