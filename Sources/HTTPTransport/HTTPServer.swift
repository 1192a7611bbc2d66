import HTTPWire
public import Sockets
import Synchronization

/// An HTTP/1.1 server: keep-alive, pipelining, streamed response bodies flushed write by write, timeouts for
/// slow or silent clients, and a connection cap. Bad input gets a 4xx with a JSON body and only that connection
/// is closed; everyone else keeps being served.
public final class HTTPServer: Sendable {
    private struct Connection {
        let socket: Socket
        var isIdle: Bool
    }

    private struct State {
        var connections: [UInt64: Connection] = [:]
        var nextConnectionID: UInt64 = 0
        var isShuttingDown = false
        var acceptLoopRunning = true
    }

    /// The address the server listens on (the real port when port 0 was asked for).
    public let address: SocketAddress
    private let configuration: HTTPServerConfiguration
    private let handler: HTTPHandler
    private let listener: Listener
    private let state = Mutex(State())

    /// Binds the listener and starts accepting connections in the background.
    public init(
        configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
        handler: @escaping HTTPHandler
    ) throws {
        self.configuration = configuration
        self.handler = handler
        self.listener = try Listener(host: configuration.host, port: configuration.port)
        self.address = listener.address
        Task { [self] in await acceptLoop() }
    }

    /// The base URL clients use, e.g. `http://127.0.0.1:40123`.
    public var baseURL: String { "http://\(address)" }

    /// How many client connections are open right now.
    public var openConnectionCount: Int { state.withLock { $0.connections.count } }

    /// Stops accepting, closes idle connections, lets in-flight exchanges finish for up to `gracePeriod`, then
    /// closes whatever is left.
    public func shutdown(gracePeriod: Duration = .seconds(5)) async {
        // A fresh task: a caller that is itself being cancelled must still get a full, sleeping wait (a cancelled
        // `Task.sleep` returns at once, which turned the polling loops below into a busy spin).
        await Task { await drainAndClose(gracePeriod: gracePeriod) }.value
    }

    private func drainAndClose(gracePeriod: Duration) async {
        let idle = state.withLock { state -> [Socket] in
            state.isShuttingDown = true
            return state.connections.values.filter(\.isIdle).map(\.socket)
        }
        listener.close()
        idle.forEach { $0.close() }
        let clock = ContinuousClock()
        let giveUp = clock.now.advanced(by: gracePeriod)
        while clock.now < giveUp, state.withLock({ !$0.connections.isEmpty || $0.acceptLoopRunning }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let remaining = state.withLock { $0.connections.values.map(\.socket) }
        remaining.forEach { $0.close() }
        while state.withLock({ !$0.connections.isEmpty || $0.acceptLoopRunning }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func acceptLoop() async {
        defer { state.withLock { $0.acceptLoopRunning = false } }
        while true {
            let socket: Socket
            do {
                socket = try await listener.accept()
            } catch {
                if state.withLock({ $0.isShuttingDown }) { return }
                // EMFILE and friends: back off briefly instead of spinning, then keep accepting.
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            let admitted = state.withLock { state -> UInt64? in
                // Refused before the process runs out of descriptors (DescriptorBudget), not only at the cap.
                guard !state.isShuttingDown, state.connections.count < configuration.maxConnections,
                    DescriptorBudget.admitsConnection
                else { return nil }
                state.nextConnectionID += 1
                state.connections[state.nextConnectionID] = Connection(socket: socket, isIdle: true)
                return state.nextConnectionID
            }
            if let id = admitted {
                Task(executorPreference: configuration.connectionExecutor) { [self] in
                    await serve(socket, id: id)
                    socket.close()
                    _ = state.withLock { $0.connections.removeValue(forKey: id) }
                }
            } else {
                Task { [configuration] in
                    let response = HTTPServerResponse.error(
                        status: 503,
                        code: "too_many_connections",
                        detail: "the server is at its connection limit; try again shortly"
                    )
                    var rejection = response
                    rejection.headers.set(name: "Retry-After", value: "1")
                    _ = try? await Self.write(
                        rejection,
                        to: socket,
                        requestHead: nil,
                        keepAlive: false,
                        configuration: configuration
                    )
                    socket.close()
                }
            }
        }
    }

    private func setIdle(_ id: UInt64, _ isIdle: Bool) -> Bool {
        state.withLock { state in
            state.connections[id]?.isIdle = isIdle
            return state.isShuttingDown
        }
    }

    /// Serves requests on one connection until it closes, errs, or asks not to be kept alive.
    private func serve(_ socket: Socket, id: UInt64) async {
        var pending: [UInt8] = []
        let limits = configuration.limits
        let remoteAddress = socket.peer?.description ?? "unknown"
        while true {
            if setIdle(id, true) && pending.isEmpty { return }
            var parser = HTTPRequestHeadParser(limits: limits)
            let idleDeadline = deadline(after: configuration.idleTimeout)
            var headDeadline: UInt64?
            var requestDeadline: UInt64?
            let head: HTTPRequestHead
            do {
                head = try await readHead(
                    from: socket,
                    parser: &parser,
                    pending: &pending,
                    idleDeadline: idleDeadline,
                    headDeadline: &headDeadline,
                    requestDeadline: &requestDeadline,
                    id: id
                )
            } catch let error as HTTPWireError {
                await reject(socket, status: error.suggestedStatus, code: "bad_request", detail: error.description)
                return
            } catch let error as SocketError where error.isTimeout && headDeadline != nil {
                await reject(
                    socket,
                    status: 408,
                    code: "request_timeout",
                    detail: "the request head did not arrive within \(configuration.headerTimeout)"
                )
                return
            } catch {
                return  // idle timeout, peer closed, or shutdown: close quietly
            }

            let body: [UInt8]
            do {
                body = try await readBody(
                    of: head,
                    from: socket,
                    pending: &pending,
                    deadline: requestDeadline ?? idleDeadline
                )
            } catch let error as DeclaredBodyTooLarge {
                await reject(socket, status: 413, code: "payload_too_large", detail: error.description)
                return
            } catch let error as HTTPWireError {
                let code = error.suggestedStatus == 413 ? "payload_too_large" : "bad_request"
                await reject(socket, status: error.suggestedStatus, code: code, detail: error.description)
                return
            } catch let error as SocketError where error.isTimeout {
                await reject(
                    socket,
                    status: 408,
                    code: "request_timeout",
                    detail: "the request body did not arrive within \(configuration.requestTimeout)"
                )
                return
            } catch {
                return
            }

            // Two Host lines leave open which authority the request is for, and the forward proxy routes by it
            // (RFC 9112 §3.2: a server must answer 400).
            if head.headers.values(named: "Host").count > 1 {
                await reject(socket, status: 400, code: "bad_request", detail: "the request has more than one Host")
                return
            }
            // Every handler sees origin-form: a client that treats this server as its HTTP proxy sends absolute-form.
            let request = HTTPServerRequest(
                head: head.originForm(),
                body: body,
                remoteAddress: remoteAddress
            )
            let response = await handler(request)
            let shuttingDown = state.withLock { $0.isShuttingDown }
            let keepAlive =
                head.keepAlive && !shuttingDown
                && !(response.headers["Connection"]?.lowercased().contains("close") ?? false)
            do {
                let outcome = try await Self.write(
                    response,
                    to: socket,
                    requestHead: head,
                    keepAlive: keepAlive,
                    configuration: configuration
                )
                pending.append(contentsOf: outcome.pipelined)
                if !outcome.keptAlive { return }
            } catch {
                return  // the client went away mid-response: free the connection
            }
        }
    }

    private func readHead(
        from socket: Socket,
        parser: inout HTTPRequestHeadParser,
        pending: inout [UInt8],
        idleDeadline: UInt64,
        headDeadline: inout UInt64?,
        requestDeadline: inout UInt64?,
        id: UInt64
    ) async throws -> HTTPRequestHead {
        while true {
            if !pending.isEmpty {
                if headDeadline == nil {
                    headDeadline = deadline(after: configuration.headerTimeout)
                    requestDeadline = deadline(after: configuration.requestTimeout)
                    _ = setIdle(id, false)
                }
                if let (head, consumed) = try parser.feed(pending[...]) {
                    pending.removePrefix(consumed)
                    return head
                }
                pending.removeAll(keepingCapacity: true)
            }
            let bytes = try await socket.read(deadline: headDeadline ?? idleDeadline)
            if bytes.isEmpty { throw SocketError.closed("read request head") }
            pending = bytes
        }
    }

    private func readBody(
        of head: HTTPRequestHead,
        from socket: Socket,
        pending: inout [UInt8],
        deadline: UInt64
    ) async throws -> [UInt8] {
        let framing = try BodyFraming.request(head)
        switch framing {
        case .empty:
            return []
        case .contentLength(let length) where length > configuration.limits.maxBodyBytes:
            throw DeclaredBodyTooLarge(length: length, limit: configuration.limits.maxBodyBytes)
        default:
            break
        }
        if head.expectsContinue && pending.isEmpty {
            try await socket.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), deadline: deadline)
        }
        var decoder = HTTPBodyDecoder(framing: framing, limits: configuration.limits)
        var body: [UInt8] = []
        while !decoder.isComplete {
            if pending.isEmpty {
                pending = try await socket.read(deadline: deadline)
                if pending.isEmpty {
                    body.append(contentsOf: try decoder.finishAtEndOfInput().payload)
                    break
                }
            }
            let step = try decoder.feed(pending[...])
            body.append(contentsOf: step.payload)
            pending.removePrefix(step.consumed)
        }
        return body
    }

    private func reject(_ socket: Socket, status: Int, code: String, detail: String) async {
        let response = HTTPServerResponse.error(status: status, code: code, detail: detail)
        guard
            (try? await Self.write(
                response,
                to: socket,
                requestHead: nil,
                keepAlive: false,
                configuration: configuration
            )) != nil
        else { return }
        await Self.lingerBeforeClosing(socket)
    }

    /// Closing a socket with unread input sends a reset, which can reach a client still streaming a refused
    /// upload before it has read the answer, and make it report "connection reset" instead of the 413. So the
    /// server half-closes and discards what still arrives, for at most a second and 8 MiB (more than the socket
    /// buffers hold, so what the client had in flight when it saw the answer), before closing.
    private static func lingerBeforeClosing(_ socket: Socket) async {
        socket.shutdownWrite()
        let giveUp = deadline(after: .seconds(1))
        var discarded = 0
        while discarded < 8 << 20, let bytes = try? await socket.read(deadline: giveUp), !bytes.isEmpty {
            discarded += bytes.count
        }
    }

    private struct WriteOutcome {
        var keptAlive: Bool
        /// Bytes of a pipelined next request that arrived while a streamed body was being written.
        var pipelined: [UInt8]
    }

    /// Writes a response; a streamed body is watched for the client hanging up so the producer stops at once.
    private static func write(
        _ response: HTTPServerResponse,
        to socket: Socket,
        requestHead: HTTPRequestHead?,
        keepAlive: Bool,
        configuration: HTTPServerConfiguration
    ) async throws -> WriteOutcome {
        var head = HTTPResponseHead(status: response.status, reason: response.reason, headers: response.headers)
        head.headers.set(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        if !head.headers.contains("Server") { head.headers.append(name: "Server", value: "tdf") }
        let isHead = requestHead?.method == "HEAD"
        let mayHaveBody = !(100..<200).contains(response.status) && response.status != 204 && response.status != 304
        let writeDeadline = { deadline(after: configuration.writeTimeout) }

        switch response.body {
        case .bytes(let bytes):
            if mayHaveBody { head.headers.set(name: "Content-Length", value: String(bytes.count)) }
            var message = head.serialized()
            if mayHaveBody && !isHead { message.append(contentsOf: bytes) }
            try await socket.write(message, deadline: writeDeadline())
            return WriteOutcome(keptAlive: keepAlive, pipelined: [])

        case .stream(let produce):
            let declaredLength = head.headers["Content-Length"] != nil
            let chunked = mayHaveBody && !declaredLength && (requestHead?.version ?? .http1_1) == .http1_1
            var keepAlive = keepAlive
            if chunked {
                head.headers.set(name: "Transfer-Encoding", value: "chunked")
            } else if mayHaveBody && !declaredLength {
                keepAlive = false  // an HTTP/1.0 client learns the end of the body from the close
                head.headers.set(name: "Connection", value: "close")
            }
            try await socket.write(head.serialized(), deadline: writeDeadline())
            if isHead || !mayHaveBody { return WriteOutcome(keptAlive: keepAlive, pipelined: []) }

            let writer = SocketBodyWriter(socket: socket, chunked: chunked, timeout: configuration.writeTimeout)
            let pipelined = try await produceWatchingForHangUp(socket: socket) { try await produce(writer) }
            if chunked { try await socket.write(ChunkedEncoding.lastChunk(), deadline: writeDeadline()) }
            return WriteOutcome(keptAlive: keepAlive, pipelined: pipelined)
        }
    }

    private enum StreamEvent: Sendable {
        case produced
        case clientBytes([UInt8])
        case watchEnded
    }

    /// Runs the body producer while watching the socket: if the client hangs up, the producer is cancelled;
    /// bytes the client sends meanwhile (a pipelined request) are kept and returned.
    private static func produceWatchingForHangUp(
        socket: Socket,
        produce: @escaping @Sendable () async throws -> Void
    ) async throws -> [UInt8] {
        try await withThrowingTaskGroup(of: StreamEvent.self) { group in
            group.addTask {
                try await produce()
                return .produced
            }
            group.addTask {
                do {
                    return .clientBytes(try await socket.read())
                } catch {
                    return .watchEnded  // cancelled because the body is done, or the socket failed
                }
            }
            var pipelined: [UInt8] = []
            while let event = try await group.next() {
                switch event {
                case .produced:
                    group.cancelAll()
                case .clientBytes(let bytes) where bytes.isEmpty:
                    group.cancelAll()
                    throw SocketError.closed("client hung up during a streamed response")
                case .clientBytes(let bytes):
                    pipelined.append(contentsOf: bytes)
                case .watchEnded:
                    break
                }
            }
            return pipelined
        }
    }
}

/// Writes body pieces straight to the socket, one chunk per write when the response is chunked.
private struct SocketBodyWriter: HTTPBodyWriter {
    let socket: Socket
    let chunked: Bool
    let timeout: Duration

    func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }  // an empty chunk would end a chunked body
        try await socket.write(chunked ? ChunkedEncoding.chunk(bytes) : bytes, deadline: deadline(after: timeout))
    }
}

/// A request whose `Content-Length` exceeds the body limit; answered with 413 before any body byte is read.
private struct DeclaredBodyTooLarge: Error, CustomStringConvertible {
    let length: Int
    let limit: Int

    var description: String {
        "the request body of \(length) bytes exceeds the limit of \(limit) bytes"
    }
}
