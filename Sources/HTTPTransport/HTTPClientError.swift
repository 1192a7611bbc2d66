import HTTPWire
import Sockets

/// Why a client request failed, classified the way a proxy needs it: refused, timed out, reset, malformed.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// The class of failure.
    public struct Kind: Sendable, Equatable, Hashable, CustomStringConvertible {
        private let name: String
        /// Nothing listens at the address (`ECONNREFUSED`), or the host could not be resolved.
        public static let connectFailed = Kind(name: "connect_failed")
        /// The connection was not established in time.
        public static let connectTimeout = Kind(name: "connect_timeout")
        /// No bytes arrived within the read timeout.
        public static let readTimeout = Kind(name: "read_timeout")
        /// The server closed or reset the connection before the response was complete.
        public static let connectionClosed = Kind(name: "connection_closed")
        /// The server sent something that is not valid HTTP/1.1.
        public static let malformedResponse = Kind(name: "malformed_response")
        /// The response body is larger than the configured limit.
        public static let bodyTooLarge = Kind(name: "body_too_large")
        /// The URL or request cannot be sent.
        public static let invalidRequest = Kind(name: "invalid_request")
        /// The TLS handshake failed: most often the server's certificate is not trusted by the system's store.
        public static let tlsFailed = Kind(name: "tls_failed")
        /// The request's ``AbortSignal`` fired before the response head arrived.
        public static let aborted = Kind(name: "aborted")

        /// The kind's name, e.g. `read_timeout`.
        public var description: String { name }
    }

    /// The class of failure.
    public let kind: Kind
    /// What was being requested, e.g. `GET http://127.0.0.1:10001/api/v1/health`.
    public let request: String
    /// Details: the socket or parser error.
    public let detail: String
    /// How many response bytes had arrived before the failure.
    public let bytesReceived: Int

    /// Makes an error; transports outside this module (the proxy's TLS client) classify their failures with it.
    public init(_ kind: Kind, request: String, detail: String, bytesReceived: Int = 0) {
        self.kind = kind
        self.request = request
        self.detail = detail
        self.bytesReceived = bytesReceived
    }

    static func from(_ error: any Error, request: String, bytesReceived: Int, connecting: Bool) -> HTTPClientError {
        if let error = error as? HTTPClientError { return error }
        if let wire = error as? HTTPWireError {
            let kind: Kind
            switch wire.kind {
            case .bodyTooLarge: kind = .bodyTooLarge
            case .truncatedBody: kind = .connectionClosed
            default: kind = .malformedResponse
            }
            return HTTPClientError(kind, request: request, detail: wire.description, bytesReceived: bytesReceived)
        }
        if let socket = error as? SocketError {
            let kind: Kind
            if socket.isTimeout {
                kind = connecting ? .connectTimeout : .readTimeout
            } else if connecting {
                kind = .connectFailed
            } else {
                kind = .connectionClosed
            }
            return HTTPClientError(kind, request: request, detail: socket.description, bytesReceived: bytesReceived)
        }
        return HTTPClientError(
            .connectionClosed,
            request: request,
            detail: String(describing: error),
            bytesReceived: bytesReceived
        )
    }

    /// One line: what was requested, what went wrong.
    public var description: String { "\(request): \(kind): \(detail)" }
}
