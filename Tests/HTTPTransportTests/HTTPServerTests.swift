import Foundation
import HTTPTransport
import HTTPWire
import Sockets
import Synchronization
import Testing

@Suite struct HTTPServerTests {
    /// Two requests on one connection are both answered and the connection stays open between them.
    @Test func keepsConnectionAliveAcrossRequests() async throws {
        try await withServer(handler: echoHandler) { server in
            let client = try await RawClient.connect(to: server)
            try await client.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n")
            let first = try await client.readResponse()
            try await client.send("POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
            let second = try await client.readResponse()
            #expect(first.head.status == 200)
            #expect(first.body == "GET /one 0 ")
            #expect(second.body == "POST /two 5 hello")
            #expect(first.head.headers["Connection"] == "keep-alive")
        }
    }

    /// A client using this server as its HTTP proxy sends absolute-form targets: the handler sees origin-form and the
    /// target's authority as `Host` (RFC 9112 §3.2.2).
    @Test func absoluteFormTargetsReachTheHandlerAsOriginForm() async throws {
        try await withServer(handler: { request in
            HTTPServerResponse(
                status: 200,
                body: .bytes(Array("\(request.head.target) \(request.head.headers["Host"] ?? "-")".utf8))
            )
        }) { server in
            let client = try await RawClient.connect(to: server)
            try await client.send("GET http://stori.example:10001/api/v1/health?x=1 HTTP/1.1\r\nHost: proxy\r\n\r\n")
            #expect(try await client.readResponse().body == "/api/v1/health?x=1 stori.example:10001")
            try await client.send("GET HTTP://Other.example HTTP/1.1\r\nHost: proxy\r\n\r\n")
            #expect(try await client.readResponse().body == "/ Other.example")
        }
    }

    /// Two Host lines get 400 (RFC 9112 §3.2), so no handler routes by one while another is meant; the server keeps
    /// serving.
    @Test func twoHostLinesAreRefused() async throws {
        try await withServer(handler: echoHandler) { server in
            let bad = try await RawClient.connect(to: server)
            try await bad.send("GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n")
            let answer = try await bad.readUntilClose()
            #expect(answer.hasPrefix("HTTP/1.1 400 "))
            #expect(answer.contains("more than one Host"))
            try await expectServed(server)
        }
    }

    /// Pipelined requests sent in one write get their responses in order.
    @Test func answersPipelinedRequestsInOrder() async throws {
        try await withServer(handler: echoHandler) { server in
            let client = try await RawClient.connect(to: server)
            try await client.send(
                "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            let text = try await client.readUntilClose()
            let bodies = ["GET /a 0 ", "POST /b 2 hi", "GET /c 0 "]
            var searchFrom = text.startIndex
            for body in bodies {
                let found = try #require(text.range(of: body, range: searchFrom..<text.endIndex), "missing \(body)")
                searchFrom = found.upperBound
            }
        }
    }

    /// A chunked request body (with an extension and a trailer) arrives de-chunked.
    @Test func decodesChunkedRequestBody() async throws {
        try await withServer(handler: echoHandler) { server in
            let client = try await RawClient.connect(to: server)
            try await client.send(
                "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;name=v\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n"
            )
            let response = try await client.readResponse()
            #expect(response.body == "POST /up 11 hello world")
        }
    }

    /// Garbage instead of a request line gets a 400 with a JSON body, and another client is served meanwhile.
    @Test func rejectsGarbageRequestLineAndKeepsServing() async throws {
        try await withServer(handler: echoHandler) { server in
            let bad = try await RawClient.connect(to: server)
            try await bad.send("\u{01}\u{02} nonsense\r\n\r\n")
            let answer = try await bad.readUntilClose()
            #expect(answer.hasPrefix("HTTP/1.1 400 "))
            let body = String(answer[answer.range(of: "\r\n\r\n")!.upperBound...])
            #expect(jsonObject(body)?["error"] == "bad_request")
            try await expectServed(server)
        }
    }

    /// A header block over 64 KiB gets 431 and the server keeps serving others.
    @Test func rejectsOversizedHeaderBlockWith431() async throws {
        try await withServer(handler: echoHandler) { server in
            let bad = try await RawClient.connect(to: server)
            var request = "GET / HTTP/1.1\r\nHost: x\r\n"
            for index in 0..<20 { request += "X-Filler-\(index): \(String(repeating: "a", count: 4000))\r\n" }
            try await bad.send(request + "\r\n")
            let answer = try await bad.readUntilClose()
            #expect(answer.hasPrefix("HTTP/1.1 431 "))
            #expect(answer.contains("\"error\""))
            try await expectServed(server)
        }
    }

    /// A declared body over the limit gets 413 before any body byte is sent.
    @Test func rejectsOversizedBodyWith413BeforeReadingIt() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.limits.maxBodyBytes = 1024
        try await withServer(configuration, handler: echoHandler) { server in
            let bad = try await RawClient.connect(to: server)
            try await bad.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n")
            let answer = try await bad.readUntilClose()
            #expect(answer.hasPrefix("HTTP/1.1 413 "))
            #expect(answer.contains("payload_too_large"))
            try await expectServed(server)
        }
    }

    /// A chunked body that grows past the limit gets 413 too.
    @Test func rejectsChunkedBodyOverLimit() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.limits.maxBodyBytes = 16
        try await withServer(configuration, handler: echoHandler) { server in
            let bad = try await RawClient.connect(to: server)
            try await bad.send(
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n\(String(repeating: "z", count: 32))\r\n0\r\n\r\n"
            )
            let answer = try await bad.readUntilClose()
            #expect(answer.hasPrefix("HTTP/1.1 413 "))
        }
    }

    /// A chunk size that is not hexadecimal gets a 400 with a JSON body.
    @Test func rejectsBadChunkSize() async throws {
        try await withServer(handler: echoHandler) { server in
            let bad = try await RawClient.connect(to: server)
            try await bad.send(
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
            )
            let answer = try await bad.readUntilClose()
            #expect(answer.hasPrefix("HTTP/1.1 400 "))
            #expect(answer.contains("\"detail\""))
            try await expectServed(server)
        }
    }

    /// A client that stops sending in the middle of the head gets 408 after the header timeout, then a close.
    @Test func timesOutSilentClientMidHeadWith408() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.headerTimeout = .milliseconds(300)
        try await withServer(configuration, handler: echoHandler) { server in
            let slow = try await RawClient.connect(to: server)
            // Taken before the first byte leaves, so it precedes the server's start of the header timeout: the
            // lower bound below holds however late any task runs, and shows the 408 did not come early.
            let started = ContinuousClock.now
            try await slow.send("GET /slow HTTP/1.1\r\nHost: x\r\n")
            try await expectServed(server)  // others are served while it dawdles
            let answer = try await slow.readUntilClose()
            #expect(answer.hasPrefix("HTTP/1.1 408 "))
            #expect(answer.contains("request_timeout"))
            #expect(ContinuousClock.now - started >= .milliseconds(300))
        }
    }

    /// An idle keep-alive connection is closed quietly (no response bytes) after the idle timeout.
    @Test func closesIdleConnectionQuietly() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.idleTimeout = .milliseconds(200)
        try await withServer(configuration, handler: echoHandler) { server in
            let idle = try await RawClient.connect(to: server)
            let answer = try await idle.readUntilClose(timeout: .seconds(60))
            #expect(answer.isEmpty)
        }
    }

    /// A streamed body reaches the client piece by piece as the handler writes it, not at the end.
    @Test func streamsResponseChunksAsTheyAreWritten() async throws {
        let piecesReceived = Mutex(0)
        let lockstepBroken = Mutex(false)
        let handler: HTTPHandler = { _ in
            HTTPServerResponse(
                status: 200,
                body: .stream { writer in
                    for index in 0..<4 {
                        try await writer.write(Array("piece \(index)\n".utf8))
                        // The next piece is written only once the client holds this one: a server that held the
                        // body back would stall here until the safety net gives up.
                        let clock = ContinuousClock()
                        let giveUp = clock.now.advanced(by: .seconds(60))
                        while piecesReceived.withLock({ $0 }) <= index {
                            guard clock.now < giveUp else {
                                lockstepBroken.withLock { $0 = true }
                                return
                            }
                            try await Task.sleep(for: .milliseconds(1))
                        }
                    }
                }
            )
        }
        try await withServer(handler: handler) { server in
            let client = HTTPClient()
            defer { client.close() }
            let url = try #require(HTTPURL(string: "\(server.baseURL)/stream"))
            let response = try await client.execute(HTTPClientRequest(url: url))
            #expect(response.headers["Transfer-Encoding"] == "chunked")
            var pieces: [String] = []
            for try await chunk in response.body {
                pieces.append(String(decoding: chunk, as: UTF8.self))
                piecesReceived.withLock { $0 += 1 }
            }
            #expect(pieces == ["piece 0\n", "piece 1\n", "piece 2\n", "piece 3\n"])
            #expect(!lockstepBroken.withLock { $0 })
        }
    }

    /// When the client hangs up in the middle of a streamed response, the producer is stopped and the
    /// connection freed.
    @Test func freesConnectionWhenClientDisconnectsMidResponse() async throws {
        let producerStopped = Mutex(false)
        let handler: HTTPHandler = { request in
            guard request.head.path == "/events" else { return await echoHandler(request) }
            return HTTPServerResponse(
                status: 200,
                body: .stream { writer in
                    defer { producerStopped.withLock { $0 = true } }
                    for _ in 0..<1000 {
                        try await writer.write(Array("data: tick\n\n".utf8))
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
            )
        }
        try await withServer(handler: handler) { server in
            let client = try await RawClient.connect(to: server)
            try await client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await client.socket.read()
            client.socket.close()
            let clock = ContinuousClock()
            let giveUp = clock.now.advanced(by: .seconds(60))
            while clock.now < giveUp, server.openConnectionCount > 0 || !producerStopped.withLock({ $0 }) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(server.openConnectionCount == 0)
            #expect(producerStopped.withLock { $0 })
            try await expectServed(server)
        }
    }

    /// Beyond the connection cap a new client gets a 503 with a JSON body instead of hanging.
    @Test func answers503BeyondConnectionCap() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.maxConnections = 2
        try await withServer(configuration, handler: echoHandler) { server in
            let first = try await RawClient.connect(to: server)
            let second = try await RawClient.connect(to: server)
            try await first.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            try await second.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await first.readResponse()
            _ = try await second.readResponse()
            let third = try await RawClient.connect(to: server)
            let answer = try await third.readUntilClose()
            #expect(answer.hasPrefix("HTTP/1.1 503 "))
            #expect(answer.contains("too_many_connections"))
        }
    }

    /// `Expect: 100-continue` gets an interim 100 before the body is sent.
    @Test func sendsContinueForExpectingClients() async throws {
        try await withServer(handler: echoHandler) { server in
            let client = try await RawClient.connect(to: server)
            try await client.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
            let interim = try await client.socket.read(deadline: deadline(after: .seconds(60)))
            #expect(String(decoding: interim, as: UTF8.self).hasPrefix("HTTP/1.1 100 Continue"))
            try await client.send("abc")
            let response = try await client.readResponse()
            #expect(response.body == "POST /e 3 abc")
        }
    }

    /// A HEAD request gets the headers (with the length) but no body, and the connection stays usable.
    @Test func answersHeadWithoutBody() async throws {
        try await withServer(handler: echoHandler) { server in
            let client = try await RawClient.connect(to: server)
            try await client.send(
                "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /g HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            let text = try await client.readUntilClose()
            #expect(text.components(separatedBy: "HTTP/1.1 200").count == 3)
            #expect(text.hasSuffix("GET /g 0 "))
        }
    }

    /// Makes one ordinary request on a new connection and expects a 200: the server still serves others.
    private func expectServed(_ server: HTTPServer) async throws {
        let client = HTTPClient()
        defer { client.close() }
        let url = try #require(HTTPURL(string: "\(server.baseURL)/ok"))
        let response = try await client.execute(HTTPClientRequest(url: url))
        #expect(response.status == 200)
        #expect(String(decoding: try await response.body.collect(), as: UTF8.self) == "GET /ok 0 ")
    }
}
