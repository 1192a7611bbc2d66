import Foundation
import HTTPTransport
import HTTPWire
import Sockets
import Synchronization
import Testing

@Suite struct HTTPClientTests {
    /// Sequential requests to one host reuse one pooled connection (same client port seen by the server).
    @Test func reusesPooledConnection() async throws {
        try await withServer(handler: echoHandler) { server in
            let client = HTTPClient()
            defer { client.close() }
            var remotes: [String] = []
            for index in 0..<3 {
                let url = try #require(HTTPURL(string: "\(server.baseURL)/r\(index)"))
                let response = try await client.execute(HTTPClientRequest(url: url))
                remotes.append(response.headers["X-Remote"] ?? "")
                _ = try await response.body.collect()
            }
            #expect(Set(remotes).count == 1)
        }
    }

    /// A `Content-Length: 0` body ends at once (not when the server closes the idle connection), and the
    /// connection is reused.
    @Test func emptyContentLengthBodyEndsAtOnce() async throws {
        try await withServer(handler: { request in
            HTTPServerResponse(status: 307, headers: ["Location": "/elsewhere", "X-Remote": request.remoteAddress])
        }) { server in
            // Well under the server's 60 s idle timeout, which the body used to wait for, and loose enough for a loaded
            // machine (2 s was not, with the whole suite running on two cores).
            let client = HTTPClient(configuration: HTTPClientConfiguration(readTimeout: .seconds(20)))
            defer { client.close() }
            let url = try #require(HTTPURL(string: "\(server.baseURL)/x"))
            var remotes: [String] = []
            for _ in 0..<2 {
                let response = try await client.execute(HTTPClientRequest(method: "POST", url: url, body: [1]))
                #expect(response.status == 307)
                #expect(try await response.body.collect() == [])
                remotes.append(response.headers["X-Remote"] ?? "")
            }
            #expect(Set(remotes).count == 1)
        }
    }

    /// A pooled connection that the server closed in the meantime is replaced transparently.
    @Test func replacesConnectionClosedByServer() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.idleTimeout = .milliseconds(100)
        try await withServer(configuration, handler: echoHandler) { server in
            let client = HTTPClient()
            defer { client.close() }
            let url = try #require(HTTPURL(string: "\(server.baseURL)/x"))
            _ = try await client.execute(HTTPClientRequest(url: url)).body.collect()
            try await Task.sleep(for: .milliseconds(400))
            let again = try await client.execute(HTTPClientRequest(method: "POST", url: url, body: Array("b".utf8)))
            #expect(String(decoding: try await again.body.collect(), as: UTF8.self) == "POST /x 1 b")
        }
    }

    /// A pooled connection the server closed moments after answering is reused without a probe, finds the
    /// connection gone, and the request is sent again on a fresh one: the caller sees only the answer.
    @Test func replacesConnectionClosedRightAfterItsResponse() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.idleTimeout = .milliseconds(1)
        let requests = Mutex<[String]>([])
        try await withServer(
            configuration,
            handler: { request in
                requests.withLock { $0.append(request.head.target) }
                return await echoHandler(request)
            }
        ) { server in
            let client = HTTPClient()
            defer { client.close() }
            let url = try #require(HTTPURL(string: "\(server.baseURL)/first"))
            _ = try await client.execute(HTTPClientRequest(url: url)).body.collect()
            // Closed by the server's idle timeout by now, and still young enough not to be probed.
            try await Task.sleep(for: .milliseconds(50))
            let again = try await client.execute(HTTPClientRequest(url: url.with(target: "/second")))
            #expect(String(decoding: try await again.body.collect(), as: UTF8.self) == "GET /second 0 ")
            #expect(requests.withLock { $0 } == ["/first", "/second"])
        }
    }

    /// Nothing listening gives a connect_failed error naming the request.
    @Test func reportsRefusedConnection() async throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        let port = listener.address.port
        listener.close()
        let client = HTTPClient()
        let url = try #require(HTTPURL(string: "http://127.0.0.1:\(port)/nothing"))
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.execute(HTTPClientRequest(url: url))
        }
        #expect(error?.kind == .connectFailed)
        #expect(error?.description.contains("/nothing") == true)
    }

    /// A probe finds a listening server without sending it a request, and fails as connect_failed where nothing
    /// listens.
    @Test func probeConnectsWithoutARequest() async throws {
        let requests = Mutex<[String]>([])
        try await withServer(handler: { request in
            requests.withLock { $0.append(request.head.target) }
            return await echoHandler(request)
        }) { server in
            let client = HTTPClient()
            defer { client.close() }
            let url = try #require(HTTPURL(string: "\(server.baseURL)/probed"))
            try await client.probe(url)
            _ = try await client.execute(HTTPClientRequest(url: url.with(target: "/after"))).body.collect()
            #expect(requests.withLock { $0 } == ["/after"])
        }
        let listener = try Listener(host: "127.0.0.1", port: 0)
        let port = listener.address.port
        listener.close()
        let closed = try #require(HTTPURL(string: "http://127.0.0.1:\(port)/"))
        let error = await #expect(throws: HTTPClientError.self) { try await HTTPClient().probe(closed) }
        #expect(error?.kind == .connectFailed)
    }

    /// A server that never answers gives a read_timeout after the read timeout.
    @Test func timesOutSilentServer() async throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let accepted = Task { try await listener.accept() }
        let client = HTTPClient(configuration: HTTPClientConfiguration(readTimeout: .milliseconds(300)))
        let url = try #require(HTTPURL(string: "http://127.0.0.1:\(listener.address.port)/slow"))
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.execute(HTTPClientRequest(url: url))
        }
        #expect(error?.kind == .readTimeout)
        try await accepted.value.close()
    }

    /// Firing an abort signal cuts a request still waiting for its head at once (its read timeout is a minute),
    /// as `aborted` rather than a connection closed by the server, which a pooled connection would retry.
    @Test func abortSignalCutsARequestWaitingForItsHead() async throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let received = AsyncStream<Socket>.makeStream()
        let server = Task {
            let socket = try await listener.accept()
            _ = try await socket.read()
            received.continuation.yield(socket)
        }
        let signal = AbortSignal()
        let client = HTTPClient(configuration: HTTPClientConfiguration(readTimeout: .seconds(60)))
        defer { client.close() }
        let url = try #require(HTTPURL(string: "http://127.0.0.1:\(listener.address.port)/long-poll"))
        let request = Task { try await client.execute(HTTPClientRequest(url: url), abortSignal: signal) }
        var requestArrived = received.stream.makeAsyncIterator()
        let serverSide = try #require(await requestArrived.next())
        signal.abort()
        let error = await #expect(throws: HTTPClientError.self) { try await request.value }
        #expect(error?.kind == .aborted)
        #expect(error?.description.contains("/long-poll") == true)
        serverSide.close()
        try await server.value
    }

    /// A request given a signal that already fired fails before connecting: where nothing listens it is
    /// `aborted`, not `connect_failed`.
    @Test func firedAbortSignalRefusesNewRequests() async throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        let port = listener.address.port
        listener.close()
        let signal = AbortSignal()
        signal.abort()
        let url = try #require(HTTPURL(string: "http://127.0.0.1:\(port)/late"))
        let error = await #expect(throws: HTTPClientError.self) {
            try await HTTPClient().execute(HTTPClientRequest(url: url), abortSignal: signal)
        }
        #expect(error?.kind == .aborted)
    }

    /// A server that resets the connection in the middle of a body gives connection_closed with the bytes counted.
    @Test func reportsTruncatedBody() async throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let server = Task {
            let socket = try await listener.accept()
            _ = try await socket.read()
            try await socket.write(Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part".utf8))
            socket.close()
        }
        let client = HTTPClient()
        let url = try #require(HTTPURL(string: "http://127.0.0.1:\(listener.address.port)/cut"))
        let response = try await client.execute(HTTPClientRequest(url: url))
        let error = await #expect(throws: HTTPClientError.self) { try await response.body.collect() }
        #expect(error?.kind == .connectionClosed)
        try await server.value
    }

    /// SSE frames are parsed from a streamed body in order, comments included.
    @Test func parsesServerSentEvents() async throws {
        let handler: HTTPHandler = { _ in
            var headers = HTTPHeaders()
            headers.append(name: "Content-Type", value: "text/event-stream")
            return HTTPServerResponse(
                status: 200,
                headers: headers,
                body: .stream { writer in
                    try await writer.write(SSEEncoder.encode(.event(SSEEvent(data: "{\"type\":\"state\",\"seq\":0}"))))
                    try await writer.write(SSEEncoder.encode(.comment("heartbeat")))
                    try await writer.write(Array("data: line one\ndata: line two\n\n".utf8))
                }
            )
        }
        try await withServer(handler: handler) { server in
            let client = HTTPClient()
            defer { client.close() }
            let url = try #require(HTTPURL(string: "\(server.baseURL)/stream"))
            let response = try await client.execute(HTTPClientRequest(method: "POST", url: url, body: []))
            var frames: [SSEFrame] = []
            for try await frame in response.body.sseFrames() { frames.append(frame) }
            #expect(
                frames == [
                    .event(SSEEvent(data: "{\"type\":\"state\",\"seq\":0}")),
                    .comment("heartbeat"),
                    .event(SSEEvent(data: "line one\nline two")),
                ]
            )
        }
    }

    /// URLs parse into host, port and target; https and junk are refused.
    @Test func parsesURLs() {
        #expect(
            HTTPURL(string: "http://maestro:10001/api/v1/maestro/stream")
                == HTTPURL(host: "maestro", port: 10001, target: "/api/v1/maestro/stream")
        )
        #expect(HTTPURL(string: "http://127.0.0.1:8080?q=1") == HTTPURL(host: "127.0.0.1", port: 8080, target: "/?q=1"))
        #expect(HTTPURL(string: "http://[::1]:9/x")?.authority == "[::1]:9")
        #expect(HTTPURL(string: "http://example.org")?.port == 80)
        #expect(HTTPURL(string: "https://example.org") == nil)
        #expect(HTTPURL(string: "http://:80/") == nil)
        #expect(HTTPURL(string: "http://host:99999/") == nil)
        #expect(HTTPURL(string: "maestro:10001") == nil)
    }
}
