#if canImport(Glibc)
    import CLinux
    @preconcurrency import Glibc
#endif

/// The outcome of a non-blocking system call: a value, or "try again when the descriptor is ready".
enum SystemCallResult<Value> {
    case done(Value)
    case wouldBlock
}

/// Runs a system call, retrying on `EINTR` and reading `errno` immediately after a failure.
///
/// Errors `isBlocking` accepts (`EAGAIN`/`EWOULDBLOCK` unless told otherwise) come back as ``SystemCallResult/wouldBlock``;
/// `EBADF` and `EFAULT` are programming errors and trap, as in swift-nio's `SystemCallHelpers`.
@inline(__always)
func systemCall<T: FixedWidthInteger>(
    _ operation: StaticString,
    isBlocking: (Int32) -> Bool = { $0 == EAGAIN || $0 == EWOULDBLOCK },
    _ body: () -> T
) throws(SocketError) -> SystemCallResult<T> {
    while true {
        let result = body()
        if result >= 0 { return .done(result) }
        let code = errno
        switch code {
        case EINTR:
            continue
        case EBADF, EFAULT:
            preconditionFailure("\(operation) failed with errno \(code): a descriptor bug in tdf")
        case _ where isBlocking(code):
            return .wouldBlock
        default:
            throw SocketError(operation: "\(operation)", errno: code)
        }
    }
}

/// Monotonic time in nanoseconds, the clock every socket deadline is measured on.
package func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}

/// Ignores `SIGPIPE` for the whole process, once: a peer that went away must be an error value, not a signal.
let ignoreSIGPIPEOnce: Void = {
    signal(SIGPIPE, SIG_IGN)
}()
