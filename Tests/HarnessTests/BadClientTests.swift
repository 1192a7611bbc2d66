import Foundation
import HTTPTransport
import RecordingProxy
import Sockets
import StoriStack
import Synchronization
import TestSupport
import Testing
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// Hostile clients against `tdf stack` (Maestro's listener) and against `tdf proxy` recording in front of it: each
/// attacker gets a 4xx/503 JSON answer or is cut off, and a well-behaved client is served throughout. Timeouts are
/// set short here so the tests are quick; Benchmarks/bad-clients/run.sh runs the same attacks with the defaults.
@Suite(.serialized) struct BadClientTests {
    enum Target: String, CaseIterable, Sendable { case stack, proxy }

    /// A stack (and, for `.proxy`, a recording proxy in front of its Maestro) with `policy` on the listener the
    /// attack hits; `body` gets that listener's host and port.
    private func withTarget<R>(
        _ target: Target,
        policy: ClientPolicy,
        _ body: (_ port: Int) async throws -> R
    ) async throws -> R {
        var configuration = StackConfiguration.ephemeral(seed: 7)
        if target == .stack { configuration.clientPolicy = policy }
        let stack = try await Simulator.start(configuration)
        let cassettes = try TemporaryDirectory()
        var proxy: ProxyServer?
        do {
            if target == .proxy {
                var proxyConfiguration = ProxyConfiguration(
                    mode: .record,
                    cassetteDirectory: cassettes.url.path,
                    services: [.init(name: "maestro", upstream: HTTPURL(string: stack.maestroURL))],
                    gracePeriod: .milliseconds(500)
                )
                proxyConfiguration.clientPolicy = policy
                proxy = try await ProxyServer.start(proxyConfiguration)
            }
            let url = HTTPURL(string: proxy?.baseURL(for: "maestro") ?? stack.maestroURL)!
            let result = try await body(url.port)
            await proxy?.shutdown()
            await stack.shutdown()
            return result
        } catch {
            await proxy?.shutdown()
            await stack.shutdown()
            throw error
        }
    }

    /// The status a well-behaved client gets for `GET /api/v1/health` on a fresh connection.
    private func wellBehavedStatus(_ port: Int) async throws -> Int {
        let client = HTTPClient()
        defer { client.close() }
        let url = HTTPURL(host: "127.0.0.1", port: port, target: "/api/v1/health")
        let response = try await client.execute(HTTPClientRequest(url: url))
        for try await _ in response.body {}
        return response.status
    }

    /// Everything the server sends on `socket` until it closes the connection (bounded by a generous deadline).
    private func readUntilClosed(_ socket: Socket) async -> [UInt8] {
        var received: [UInt8] = []
        let until = deadline(after: .seconds(20))
        while let bytes = try? await socket.read(deadline: until), !bytes.isEmpty { received += bytes }
        return received
    }

    /// Slowloris: a head trickled a byte at a time gets a 408 JSON answer once the header timeout is over, long
    /// before the head is complete, and a well-behaved client is served meanwhile.
    @Test(.timeLimit(.minutes(1)), arguments: Target.allCases)
    func slowHeadGets408(_ target: Target) async throws {
        try await withTarget(target, policy: ClientPolicy(headerTimeout: .milliseconds(300))) { port in
            let socket = try await Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
            defer { socket.close() }
            let answer = Task { await readUntilClosed(socket) }
            let head = Array(
                "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: \(String(repeating: "z", count: 100))".utf8
            )
            var sent = 0
            for byte in head {
                guard (try? await socket.write([byte])) != nil else { break }
                sent += 1
                if sent % 5 == 0 { #expect(try await wellBehavedStatus(port) == 200) }
                try await Task.sleep(for: .milliseconds(50))
            }
            let text = String(decoding: await answer.value, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 408 "), "\(text)")
            #expect(text.contains(#""error":"request_timeout""#))
            #expect(sent < head.count, "the server waited for the whole trickled head")
            #expect(try await wellBehavedStatus(port) == 200)
        }
    }

    /// 1,000 connections opened and left idle: a well-behaved client is still served, and the idle timeout closes
    /// every one of them.
    @Test(.timeLimit(.minutes(2)), arguments: Target.allCases)
    func thousandIdleConnectionsAreReaped(_ target: Target) async throws {
        try raiseOpenFileLimit(to: 4096)
        try await withTarget(target, policy: ClientPolicy(idleTimeout: .seconds(3))) { port in
            var idle: [Socket] = []
            defer { idle.forEach { $0.close() } }
            for _ in 0..<1000 {
                idle.append(try await Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(5)))
            }
            for _ in 0..<5 { #expect(try await wellBehavedStatus(port) == 200) }
            var reaped = 0
            for socket in idle where await readUntilClosed(socket).isEmpty { reaped += 1 }
            #expect(reaped == 1000, "only \(reaped) of 1000 idle connections were closed by the idle timeout")
            #expect(try await wellBehavedStatus(port) == 200)
        }
    }

    /// With the connection cap reached by idle clients, the next connection gets a 503 JSON answer with
    /// Retry-After; once the idle ones are reaped, clients are served again.
    @Test(.timeLimit(.minutes(1)), arguments: Target.allCases)
    func connectionCapAnswers503(_ target: Target) async throws {
        try await withTarget(target, policy: ClientPolicy(idleTimeout: .seconds(2), maxConnections: 16)) { port in
            var idle: [Socket] = []
            defer { idle.forEach { $0.close() } }
            for _ in 0..<16 {
                idle.append(try await Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(5)))
            }
            let extra = try await Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
            defer { extra.close() }
            let text = String(decoding: await readUntilClosed(extra), as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 503 "), "\(text)")
            #expect(text.contains("Retry-After: 1"))
            #expect(text.contains(#""error":"too_many_connections""#))
            for socket in idle { _ = await readUntilClosed(socket) }
            #expect(try await wellBehavedStatus(port) == 200)
        }
    }

    /// Garbage pipelined after a good request: the good one is answered, the garbage gets a 400 JSON answer and the
    /// connection is closed; other clients are unaffected.
    @Test(.timeLimit(.minutes(1)), arguments: Target.allCases)
    func pipelinedGarbageGets400ThenClose(_ target: Target) async throws {
        try await withTarget(target, policy: ClientPolicy()) { port in
            let socket = try await Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
            defer { socket.close() }
            try await socket.write(
                Array("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n\u{1}\u{2}NOT HTTP AT ALL\r\n\r\n".utf8)
            )
            let text = String(decoding: await readUntilClosed(socket), as: UTF8.self)
            let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
            #expect(statuses == ["200", "400"], "\(text)")
            #expect(text.contains(#""error":"bad_request""#))
            #expect(try await wellBehavedStatus(port) == 200)
        }
    }

    /// A client that declares a 1 GB body and starts streaming it gets 413 as soon as its head is read: the answer
    /// arrives while only a small part has been sent, so the body was neither read nor buffered.
    @Test(.timeLimit(.minutes(1)), arguments: Target.allCases)
    func gigabyteUploadRefusedBeforeItsBody(_ target: Target) async throws {
        try await withTarget(target, policy: ClientPolicy()) { port in
            let socket = try await Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
            defer { socket.close() }
            let answered = Mutex(false)
            let answer = Task {
                var received: [UInt8] = []
                let until = deadline(after: .seconds(20))
                while let bytes = try? await socket.read(deadline: until), !bytes.isEmpty {
                    received += bytes
                    answered.withLock { $0 = true }
                }
                return received
            }
            try await socket.write(
                Array(
                    ("POST /api/v1/maestro/stream HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000000000\r\n\r\n").utf8
                )
            )
            let piece = [UInt8](repeating: UInt8(ascii: " "), count: 64 * 1024)
            var sent = 0
            // Stream until the answer arrives, as a client that watches for an early answer does (at most 64 MB).
            while sent < 64 << 20, !answered.withLock({ $0 }),
                (try? await socket.write(piece, deadline: deadline(after: .seconds(2)))) != nil
            {
                sent += piece.count
                await Task.yield()
            }
            socket.shutdownWrite()
            let text = String(decoding: await answer.value, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 413 "), "\(text.prefix(200))")
            #expect(text.contains(#""error":"payload_too_large""#))
            #expect(sent < 16 << 20, "\(sent) bytes were sent before the answer: the server read the body it refused")
            #expect(try await wellBehavedStatus(port) == 200)
        }
    }

    /// A client still sending a refused body when the 413 arrives is not reset under it (which would make it report
    /// "connection reset" instead of the 413): the server half-closes and lets the rest of its sending drain away.
    @Test(.timeLimit(.minutes(1)), arguments: Target.allCases)
    func refusedUploadIsNotResetUnderTheClient(_ target: Target) async throws {
        try await withTarget(target, policy: ClientPolicy()) { port in
            let socket = try await Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
            defer { socket.close() }
            let piece = [UInt8](repeating: UInt8(ascii: " "), count: 64 * 1024)
            let head = "POST /api/v1/maestro/stream HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n"
            try await socket.write(Array(head.utf8) + piece)
            var answer: [UInt8] = []
            while !String(decoding: answer, as: UTF8.self).contains("payload_too_large"),
                let bytes = try? await socket.read(deadline: deadline(after: .seconds(10))), !bytes.isEmpty
            {
                answer += bytes
            }
            #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 413 "))
            // Give a server that closes at once the time to do it, then go on sending as a streaming client would.
            try await Task.sleep(for: .milliseconds(100))
            var sentAfterAnswer = 0
            for _ in 0..<4 {
                guard (try? await socket.write(piece, deadline: deadline(after: .seconds(5)))) != nil else { break }
                sentAfterAnswer += piece.count
            }
            #expect(sentAfterAnswer == 4 * piece.count, "the connection was reset after the 413")
            #expect(await readUntilClosed(socket).isEmpty)
        }
    }

    /// Raises this process's soft descriptor limit (1,000 client and 1,000 server sockets live in this process).
    private func raiseOpenFileLimit(to wanted: rlim_t) throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = min(wanted, limit.rlim_max)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        try #require(limit.rlim_cur >= wanted, "ulimit -n is \(limit.rlim_cur); 1,000 idle connections need \(wanted)")
    }
}
