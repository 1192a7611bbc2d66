#if canImport(Glibc)
    import CLinux
    @preconcurrency import Glibc
#endif

/// The outcome of a non-blocking system call: a value, or "try again when the descriptor is ready".
enum SystemCallResult<Value> {
    case done(Value)
    case wouldBlock
}

/// Runs a call from a ``SocketSystemCalls`` table, retrying on `EINTR`.
///
/// Errors `isBlocking` accepts (`EAGAIN`/`EWOULDBLOCK` unless told otherwise) come back as ``SystemCallResult/wouldBlock``;
/// `EBADF` and `EFAULT` are programming errors and trap, as in swift-nio's `SystemCallHelpers`.
@inline(__always)
func systemCall<Value: Sendable>(
    _ operation: StaticString,
    isBlocking: (Int32) -> Bool = { $0 == EAGAIN || $0 == EWOULDBLOCK },
    _ body: () -> SocketSystemCalls.Outcome<Value>
) throws(SocketError) -> SystemCallResult<Value> {
    while true {
        switch body() {
        case .success(let value):
            return .done(value)
        case .failure(let code) where code == EINTR:
            continue
        case .failure(let code) where code == EBADF || code == EFAULT:
            preconditionFailure("\(operation) failed with errno \(code): a descriptor bug in tdf")
        case .failure(let code) where isBlocking(code):
            return .wouldBlock
        case .failure(let code):
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
