public import HTTPWire
import Sockets
import Synchronization

/// Timeouts, pool size and limits of an ``HTTPClient``.
public struct HTTPClientConfiguration: Sendable {
    /// How long connecting may take.
    public var connectTimeout: Duration
    /// How long any one read may wait for bytes (per read, so an SSE stream with heartbeats stays alive).
    public var readTimeout: Duration
    /// Idle keep-alive connections kept per host and port.
    public var maxIdleConnectionsPerHost: Int
    /// Size limits for response heads and bodies.
    public var limits: HTTPParserLimits

    /// A configuration with the harness's defaults (connect 10 s, read 180 s).
    public init(
        connectTimeout: Duration = .seconds(10),
        readTimeout: Duration = .seconds(180),
        maxIdleConnectionsPerHost: Int = 16,
        limits: HTTPParserLimits = HTTPParserLimits(maxBodyBytes: 512 << 20)
    ) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.maxIdleConnectionsPerHost = maxIdleConnectionsPerHost
        self.limits = limits
    }
}

/// A request to send: method, URL, headers and an optional body.
public struct HTTPClientRequest: Sendable {
    /// The method, e.g. `GET`.
    public var method: String
    /// Where to send it.
    public var url: HTTPURL
    /// Request headers; `Host` and `Content-Length` are added when absent.
    public var headers: HTTPHeaders
    /// The body, sent with a `Content-Length`.
    public var body: [UInt8]?

    /// Makes a request.
    public init(method: String = "GET", url: HTTPURL, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    var summary: String { "\(method) \(url)" }
}

/// A response whose head has arrived; the body is read on demand from ``body``.
public struct HTTPClientResponse: Sendable {
    /// The status line and headers.
    public let head: HTTPResponseHead
    /// The body, as an async sequence of byte chunks in arrival order.
    public let body: HTTPClientBody
    /// The content coding the transport already removed from the body, while the headers still name it as sent (a
    /// URLSession decodes what its libcurl can); nil when the body is as the server sent it, as ``HTTPClient``'s is.
    public let decodedFrom: String?

    /// Makes a response from a head and a body read from anywhere.
    public init(head: HTTPResponseHead, body: HTTPClientBody, decodedFrom: String? = nil) {
        self.head = head
        self.body = body
        self.decodedFrom = decodedFrom
    }

    /// The status code.
    public var status: Int { head.status }
    /// The response headers.
    public var headers: HTTPHeaders { head.headers }
}

/// An HTTP/1.1 client with a keep-alive pool per host. All waiting happens on the readiness loop, never on the
/// cooperative pool.
public final class HTTPClient: Sendable {
    private let configuration: HTTPClientConfiguration
    /// Kept-alive connections per `host:port`, each with when it was released (monotonic nanoseconds).
    private let idle = Mutex<[String: [(socket: Socket, releasedAt: UInt64)]]>([:])
    /// A connection released this recently is reused without probing it: a server that closed it in between is
    /// rare, and caught anyway (the request is sent again on a fresh connection, as for a connection that closed
    /// after the probe). Under load that saves a system call per request.
    private static let unprobedReuseNanoseconds: UInt64 = 100_000_000

    /// Makes a client.
    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) {
        self.configuration = configuration
    }

    deinit {
        close()
    }

    /// Closes every idle pooled connection.
    public func close() {
        let sockets = idle.withLock { pool -> [Socket] in
            defer { pool.removeAll() }
            return pool.values.flatMap { $0.map(\.socket) }
        }
        sockets.forEach { $0.close() }
    }

    /// Connects to the URL's host and port and closes the connection at once, sending nothing: proof that
    /// something listens there, without a request that a server, or a recording proxy, would see.
    public func probe(_ url: HTTPURL) async throws(HTTPClientError) {
        do {
            let socket = try await Socket.connect(host: url.host, port: url.port, timeout: configuration.connectTimeout)
            socket.close()
        } catch {
            throw HTTPClientError.from(error, request: "connect \(url.authority)", bytesReceived: 0, connecting: true)
        }
    }

    /// Sends a request and returns once the response head has arrived. A pooled connection that turns out to be
    /// closed by the server before any response byte is retried once on a fresh connection. If `abortSignal`
    /// fires before the head has arrived (connecting included), the request fails with
    /// ``HTTPClientError/Kind/aborted``.
    public func execute(
        _ request: HTTPClientRequest,
        readTimeout: Duration? = nil,
        abortSignal: AbortSignal? = nil
    ) async throws(HTTPClientError)
        -> HTTPClientResponse
    {
        guard let abortSignal else { return try await execute(request, readTimeout: readTimeout, connection: nil) }
        // Closing the connection in use fails whatever waits on it, connecting included.
        let connection = ConnectionInUse()
        guard let registration = abortSignal.add({ connection.abort() }) else {
            throw HTTPClientError(.aborted, request: request.summary, detail: "aborted before sending")
        }
        defer { abortSignal.remove(registration) }
        do {
            return try await execute(request, readTimeout: readTimeout, connection: connection)
        } catch let error where abortSignal.isAborted {
            throw HTTPClientError(.aborted, request: request.summary, detail: "aborted: \(error.detail)")
        }
    }

    private func execute(
        _ request: HTTPClientRequest,
        readTimeout: Duration?,
        connection: ConnectionInUse?
    ) async throws(HTTPClientError) -> HTTPClientResponse {
        guard request.url.scheme == .http else {
            throw HTTPClientError(
                .invalidRequest,
                request: request.summary,
                detail: "this client speaks plain HTTP only"
            )
        }
        let readTimeout = readTimeout ?? configuration.readTimeout
        var head = HTTPRequestHead(method: request.method, target: request.url.target, headers: request.headers)
        if !head.headers.contains("Host") { head.headers.append(name: "Host", value: request.url.authority) }
        if let body = request.body {
            head.headers.set(name: "Content-Length", value: String(body.count))
        } else if ["POST", "PUT", "PATCH"].contains(request.method) {
            head.headers.set(name: "Content-Length", value: "0")
        }
        var message = head.serialized()
        if let body = request.body { message.append(contentsOf: body) }

        let key = "\(request.url.host):\(request.url.port)"
        if let pooled = takeIdle(key) {
            connection?.use(pooled)
            do {
                return try await exchange(message, head: head, on: pooled, key: key, readTimeout: readTimeout)
            } catch let failure where failure.kind == .connectionClosed && failure.bytesReceived == 0 {
                // The server closed the kept-alive connection before seeing this request: safe to send again.
            }
        }
        let socket: Socket
        do {
            socket = try await Socket.connect(
                host: request.url.host,
                port: request.url.port,
                timeout: configuration.connectTimeout,
                whileConnecting: { connection?.use($0) }
            )
        } catch {
            throw HTTPClientError.from(error, request: request.summary, bytesReceived: 0, connecting: true)
        }
        return try await exchange(message, head: head, on: socket, key: key, readTimeout: readTimeout)
    }

    private func exchange(
        _ message: [UInt8],
        head requestHead: HTTPRequestHead,
        on socket: Socket,
        key: String,
        readTimeout: Duration
    ) async throws(HTTPClientError) -> HTTPClientResponse {
        let summary = "\(requestHead.method) http://\(key)\(requestHead.target)"
        var received = 0
        do {
            try await socket.write(message, deadline: deadline(after: readTimeout))
            var parser = HTTPResponseHeadParser(limits: configuration.limits)
            var pending: [UInt8] = []
            while true {
                let bytes = try await socket.read(deadline: deadline(after: readTimeout))
                if bytes.isEmpty {
                    socket.close()
                    throw HTTPClientError(
                        .connectionClosed,
                        request: summary,
                        detail: received == 0
                            ? "the server closed the connection without a response"
                            : "the server closed the connection inside the response head",
                        bytesReceived: received
                    )
                }
                received += bytes.count
                pending.append(contentsOf: bytes)
                while let (head, consumed) = try parser.feed(pending[...]) {
                    pending.removePrefix(consumed)
                    if (100..<200).contains(head.status) && head.status != 101 {
                        parser.reset()  // an interim response (100 Continue): the real one follows
                        continue
                    }
                    var framing = try BodyFraming.response(head, requestMethod: requestHead.method)
                    // `Content-Length: 0` (a redirect, say): nothing to read, so do not wait for bytes that never come.
                    if framing == .contentLength(0) { framing = .empty }
                    let reusable = head.keepAlive && requestHead.keepAlive && framing != .untilClose
                    if framing == .empty && reusable && pending.isEmpty {
                        release(socket, key: key)
                    }
                    let releaser: (@Sendable (Socket) -> Void)?
                    if reusable && framing != .empty {
                        releaser = { [weak self] socket in self?.release(socket, key: key) }
                    } else {
                        releaser = nil
                    }
                    let reader = HTTPClientBodyReader(
                        socket: socket,
                        framing: framing,
                        pending: pending,
                        limits: configuration.limits,
                        readTimeout: readTimeout,
                        request: summary,
                        bytesReceived: received,
                        release: releaser
                    )
                    return HTTPClientResponse(head: head, body: HTTPClientBody(source: reader))
                }
                pending.removeAll(keepingCapacity: true)
            }
        } catch {
            socket.close()
            throw HTTPClientError.from(error, request: summary, bytesReceived: received, connecting: false)
        }
    }

    private func takeIdle(_ key: String) -> Socket? {
        while let (socket, releasedAt) = idle.withLock({ $0[key]?.popLast() }) {
            if monotonicNanoseconds() &- releasedAt < Self.unprobedReuseNanoseconds || !socket.isStale() {
                return socket
            }
            socket.close()
        }
        return nil
    }

    private func release(_ socket: Socket, key: String) {
        let kept = idle.withLock { pool -> Bool in
            guard pool[key, default: []].count < configuration.maxIdleConnectionsPerHost else { return false }
            pool[key, default: []].append((socket, monotonicNanoseconds()))
            return true
        }
        if !kept { socket.close() }
    }
}

/// The connection a request with an ``AbortSignal`` is using, so that the signal can close it.
private final class ConnectionInUse: Sendable {
    private let state = Mutex<(socket: Socket?, isAborted: Bool)>((nil, false))

    func use(_ socket: Socket) {
        let abortedAlready = state.withLock { state in
            state.socket = socket
            return state.isAborted
        }
        if abortedAlready { socket.close() }
    }

    func abort() {
        let socket = state.withLock { state in
            state.isAborted = true
            return state.socket
        }
        socket?.close()
    }
}

/// Where the bytes of an ``HTTPClientBody`` come from: a connection of ``HTTPClient``, or another transport.
public protocol HTTPBodySource: Sendable {
    /// The next piece of the body, or nil at its end; throws ``HTTPClientError`` when the body breaks off.
    func next() async throws -> [UInt8]?
    /// The rest of the body if all of it has already arrived, taken without waiting; nil otherwise.
    func takeIfAlreadyComplete() async -> [UInt8]?
}

/// A response body, read from its source only as fast as it is consumed.
public struct HTTPClientBody: AsyncSequence, Sendable {
    /// A chunk of body bytes.
    public typealias Element = [UInt8]
    /// Body reads fail with ``HTTPClientError``.
    public typealias Failure = any Error

    let reader: any HTTPBodySource

    /// A body read from `source`.
    public init(source: any HTTPBodySource) {
        reader = source
    }

    /// Iterates over body chunks as they arrive.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let reader: any HTTPBodySource

        /// The next chunk, or nil at the end of the body.
        public mutating func next() async throws -> [UInt8]? {
            try await reader.next()
        }
    }

    /// Starts iterating.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(reader: reader)
    }

    /// The whole body if it already arrived with the head (a small `Content-Length` body usually does), taken
    /// without waiting for the connection; nil when more bytes must come, which iterating then reads as usual.
    public func takeIfAlreadyComplete() async -> [UInt8]? {
        await reader.takeIfAlreadyComplete()
    }

    /// Reads the whole body.
    public func collect() async throws -> [UInt8] {
        var all: [UInt8] = []
        for try await chunk in self { all.append(contentsOf: chunk) }
        return all
    }

    /// Parses the body as a Server-Sent Events stream, yielding each event or comment as soon as it is complete.
    public func sseFrames(maxEventBytes: Int = 16 << 20) -> SSEFrames {
        SSEFrames(body: self, maxEventBytes: maxEventBytes)
    }
}

/// The frames of an SSE body, in order.
public struct SSEFrames: AsyncSequence, Sendable {
    /// An event or a comment.
    public typealias Element = SSEFrame
    /// Reads fail with ``HTTPClientError`` or ``HTTPWireError``.
    public typealias Failure = any Error

    let body: HTTPClientBody
    let maxEventBytes: Int

    /// Iterates over frames.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: HTTPClientBody.AsyncIterator
        var parser: SSEParser
        var ready: [SSEFrame] = []

        /// The next frame, or nil when the stream ends.
        public mutating func next() async throws -> SSEFrame? {
            while ready.isEmpty {
                guard let chunk = try await chunks.next() else {
                    _ = parser.finish()
                    return nil
                }
                ready = try parser.feed(chunk[...])
            }
            return ready.removeFirst()
        }
    }

    /// Starts iterating.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(chunks: body.makeAsyncIterator(), parser: SSEParser(maxEventBytes: maxEventBytes))
    }
}

/// Reads one response body from its connection and hands the connection back to the pool when done.
actor HTTPClientBodyReader: HTTPBodySource {
    private let socket: Socket
    private var decoder: HTTPBodyDecoder
    private var pending: [UInt8]
    private let readTimeout: Duration
    private let request: String
    private var bytesReceived: Int
    private let release: (@Sendable (Socket) -> Void)?
    private var finished = false

    init(
        socket: Socket,
        framing: BodyFraming,
        pending: [UInt8],
        limits: HTTPParserLimits,
        readTimeout: Duration,
        request: String,
        bytesReceived: Int,
        release: (@Sendable (Socket) -> Void)?
    ) {
        self.socket = socket
        self.decoder = HTTPBodyDecoder(framing: framing, limits: limits)
        self.pending = pending
        self.readTimeout = readTimeout
        self.request = request
        self.bytesReceived = bytesReceived
        self.release = release
        if framing == .empty { finished = true }
    }

    deinit {
        if !finished { socket.close() }  // abandoned mid-body: the connection cannot be reused
    }

    func next() async throws -> [UInt8]? {
        while !finished {
            do {
                if let damage { throw damage }
                if pending.isEmpty {
                    let bytes = try await socket.read(deadline: deadline(after: readTimeout))
                    if bytes.isEmpty {
                        let step = try decoder.finishAtEndOfInput()
                        complete(reusable: false)
                        return step.payload.isEmpty ? nil : step.payload
                    }
                    bytesReceived += bytes.count
                    pending = bytes
                }
                let step: HTTPBodyDecodeStep
                let beforeFeed = decoder
                do {
                    step = try decoder.feed(pending[...])
                } catch {
                    if let valid = try validPrefix(before: error, decodingFrom: beforeFeed) { return valid }
                    throw error
                }
                framedBytesConsumed += step.consumed
                pending.removePrefix(step.consumed)
                if step.isComplete { complete(reusable: pending.isEmpty) }
                if !step.payload.isEmpty { return step.payload }
            } catch {
                finished = true
                socket.close()
                throw HTTPClientError.from(error, request: request, bytesReceived: bytesReceived, connecting: false)
            }
        }
        if let release, socket.isOpen, !released {
            released = true
            release(socket)
        }
        return nil
    }

    private var released = false
    /// Framed body bytes the decoder has consumed: a decoding error's offset minus this is how much of `pending`
    /// was valid.
    private var framedBytesConsumed = 0
    /// A decoding error held back while the valid bytes that arrived before it in the same read are handed out.
    private var damage: HTTPWireError?

    /// The body bytes before `error` in `pending` (a bad chunk size after good chunks, in one read), decoded from
    /// the state before the failed feed; `error` is then thrown by the next call. A proxy relays and records those
    /// bytes as the upstream sent them instead of losing them with the damage.
    private func validPrefix(
        before error: HTTPWireError,
        decodingFrom state: HTTPBodyDecoder
    ) throws(HTTPWireError) -> [UInt8]? {
        guard let offset = error.offset, offset - framedBytesConsumed > 0, offset - framedBytesConsumed < pending.count
        else { return nil }
        var decoder = state
        let step = try decoder.feed(pending[..<(offset - framedBytesConsumed)])
        damage = error
        pending.removeAll()
        return step.payload.isEmpty ? nil : step.payload
    }

    func takeIfAlreadyComplete() -> [UInt8]? {
        guard !finished, !pending.isEmpty else { return nil }
        // A trial on a copy: a body that is not all here yet leaves the reader exactly as it was.
        var trial = decoder
        guard let step = try? trial.feed(pending[...]), step.isComplete else { return nil }
        decoder = trial
        pending.removePrefix(step.consumed)
        complete(reusable: pending.isEmpty)
        if let release, !released {
            released = true
            release(socket)
        }
        return step.payload
    }

    private func complete(reusable: Bool) {
        finished = true
        if !reusable {
            released = true
            socket.close()
        }
    }
}
