import Foundation
public import HTTPWire

/// How an ``HTTPServer`` listens and how long it waits for slow or silent clients.
public struct HTTPServerConfiguration: Sendable {
    /// The numeric host to bind; loopback unless told otherwise.
    public var host: String
    /// The port to bind; 0 picks a free one.
    public var port: Int
    /// Size limits for request heads and bodies.
    public var limits: HTTPParserLimits
    /// How long a client may take to send a whole request head once its first byte arrived (then 408).
    public var headerTimeout: Duration
    /// How long a client may take to send a whole request, head and body (then 408).
    public var requestTimeout: Duration
    /// How long an idle keep-alive connection is kept open waiting for the next request.
    public var idleTimeout: Duration
    /// How long one write to a client that does not read may block before the connection is dropped.
    public var writeTimeout: Duration
    /// How many connections are served at once; the next one gets a 503 and is closed.
    public var maxConnections: Int
    /// Where connections are served (the handler included): nil for the cooperative pool, or
    /// ``EventLoop/executor`` for a handler that never blocks and mostly waits for sockets, such as a proxy's.
    public var connectionExecutor: (any TaskExecutor)?

    /// A configuration with conservative defaults for a test harness.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        limits: HTTPParserLimits = .standard,
        headerTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(60),
        idleTimeout: Duration = .seconds(60),
        writeTimeout: Duration = .seconds(60),
        maxConnections: Int = 2048
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.headerTimeout = headerTimeout
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.maxConnections = maxConnections
    }
}

/// How long a server waits for slow or idle clients and how many it serves at once: the part of an
/// ``HTTPServerConfiguration`` a service built on the server lets its user tune.
public struct ClientPolicy: Sendable {
    /// How long a client may take to send a request head once its first byte arrived (then 408).
    public var headerTimeout: Duration
    /// How long a client may take to send a whole request (then 408).
    public var requestTimeout: Duration
    /// How long a connection may stay idle before it is closed.
    public var idleTimeout: Duration
    /// How many connections are served at once; the next one gets a 503.
    public var maxConnections: Int

    /// A policy; the defaults are those of ``HTTPServerConfiguration``.
    public init(
        headerTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(60),
        idleTimeout: Duration = .seconds(60),
        maxConnections: Int = 2048
    ) {
        self.headerTimeout = headerTimeout
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }
}

extension HTTPServerConfiguration {
    /// A configuration for `host:port` with `policy`'s timeouts and connection cap.
    public init(host: String, port: Int, limits: HTTPParserLimits = .standard, policy: ClientPolicy) {
        self.init(
            host: host,
            port: port,
            limits: limits,
            headerTimeout: policy.headerTimeout,
            requestTimeout: policy.requestTimeout,
            idleTimeout: policy.idleTimeout,
            writeTimeout: max(policy.requestTimeout, .seconds(60)),
            maxConnections: policy.maxConnections
        )
    }
}

/// A complete request as the server hands it to a handler.
public struct HTTPServerRequest: Sendable {
    /// The request line and headers.
    public var head: HTTPRequestHead
    /// The whole body, de-chunked.
    public var body: [UInt8]
    /// The client's address, `host:port`.
    public var remoteAddress: String

    /// Makes a request value (the server builds these; tests may too).
    public init(head: HTTPRequestHead, body: [UInt8] = [], remoteAddress: String = "127.0.0.1:0") {
        self.head = head
        self.body = body
        self.remoteAddress = remoteAddress
    }
}

/// Writes a streamed response body; each ``write(_:)`` reaches the client before it returns.
public protocol HTTPBodyWriter: Sendable {
    /// Sends `bytes` to the client at once (as one chunk when the response is chunked).
    func write(_ bytes: [UInt8]) async throws
}

/// A handler's answer: status, headers and a body given whole or streamed.
public struct HTTPServerResponse: Sendable {
    /// How the body is produced.
    public enum Body: Sendable {
        /// The whole body, sent with a `Content-Length`.
        case bytes([UInt8])
        /// A body written piece by piece; chunked unless the handler set `Content-Length`.
        case stream(@Sendable (any HTTPBodyWriter) async throws -> Void)
    }

    /// The status code.
    public var status: Int
    /// The reason phrase; nil uses the standard one.
    public var reason: String?
    /// Response headers; framing headers are added by the server.
    public var headers: HTTPHeaders
    /// The body.
    public var body: Body

    /// Makes a response.
    public init(status: Int, reason: String? = nil, headers: HTTPHeaders = HTTPHeaders(), body: Body = .bytes([])) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    /// A response with a JSON body already encoded as bytes.
    public static func json(status: Int, _ body: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> HTTPServerResponse {
        var headers = headers
        headers.set(name: "Content-Type", value: "application/json")
        return HTTPServerResponse(status: status, headers: headers, body: .bytes(body))
    }

    /// A JSON error body `{"error": code, "detail": message}`, the shape every transport-level rejection uses.
    public static func error(status: Int, code: String, detail: String) -> HTTPServerResponse {
        let object = ["error": code, "detail": detail]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return .json(status: status, Array(data))
    }
}

/// Serves one request; it never throws, so a handler decides every status code itself.
public typealias HTTPHandler = @Sendable (HTTPServerRequest) async -> HTTPServerResponse

extension Array {
    /// Removes the first `count` elements; when that is all of them, by dropping the buffer rather than the copy
    /// `removeFirst(_:)` makes of one that is shared (a parser's slice of it may still be alive).
    mutating func removePrefix(_ count: Int) {
        if count == self.count { self = [] } else { removeFirst(count) }
    }
}
