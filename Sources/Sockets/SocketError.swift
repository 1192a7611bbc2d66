#if canImport(Glibc)
    import CLinux
    @preconcurrency import Glibc
#endif

/// A failure of a socket operation, with the operation and, for system errors, the `errno` value.
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Reason: Sendable, Equatable {
        case system(Int32)
        case timedOut
        case closed
        case resolution(String)
        case invalidAddress
    }

    private let reason: Reason
    /// What was being done, e.g. `connect to 127.0.0.1:10001`.
    public let operation: String

    init(operation: String, errno: Int32) {
        self.operation = operation
        self.reason = .system(errno)
    }

    private init(operation: String, reason: Reason) {
        self.operation = operation
        self.reason = reason
    }

    /// The operation did not finish before its deadline.
    public static func timedOut(_ operation: String) -> SocketError {
        SocketError(operation: operation, reason: .timedOut)
    }

    /// The socket was closed locally while the operation waited.
    public static func closed(_ operation: String) -> SocketError {
        SocketError(operation: operation, reason: .closed)
    }

    /// A host name could not be resolved.
    public static func resolution(_ operation: String, _ message: String) -> SocketError {
        SocketError(operation: operation, reason: .resolution(message))
    }

    /// A host or port could not be turned into a socket address.
    public static func invalidAddress(_ operation: String) -> SocketError {
        SocketError(operation: operation, reason: .invalidAddress)
    }

    /// The `errno` of a failed system call, if that is what happened.
    public var systemErrno: Int32? {
        if case .system(let code) = reason { return code }
        return nil
    }

    /// True when the operation ran out of time.
    public var isTimeout: Bool { reason == .timedOut }

    /// True when the peer refused the connection (nothing listens there).
    public var isConnectionRefused: Bool { reason == .system(ECONNREFUSED) }

    /// True when the peer reset the connection or it broke (`ECONNRESET`, `EPIPE`).
    public var isConnectionReset: Bool { reason == .system(ECONNRESET) || reason == .system(EPIPE) }

    /// One line that says what failed and why.
    public var description: String {
        switch reason {
        case .system(let code):
            return "\(operation): \(String(cString: strerror(code))) (errno \(code))"
        case .timedOut:
            return "\(operation): timed out"
        case .closed:
            return "\(operation): socket closed"
        case .resolution(let message):
            return "\(operation): cannot resolve host: \(message)"
        case .invalidAddress:
            return "\(operation): invalid address"
        }
    }
}
