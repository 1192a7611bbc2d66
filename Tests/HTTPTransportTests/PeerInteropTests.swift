import Foundation
import HTTPTransport
import HTTPWire
import Sockets
import Synchronization
import TestSupport
import Testing

/// Real peers agree with the transport: curl and Python's http.client against the server, the client against
/// Python's http.server. A test whose peer is not installed says so and passes without checking.
@Suite struct PeerInteropTests {
    /// curl reuses one kept-alive connection for two URLs on the same server.
    @Test func curlReusesKeepAliveConnection() async throws {
        guard let curl = ExternalProcess.which("curl") else { return print("skip: curl is not installed") }
        try await withServer(handler: echoHandler) { server in
            let result = try await ExternalProcess.run(
                curl,
                ["-sS", "-v", "\(server.baseURL)/first", "\(server.baseURL)/second"]
            )
            #expect(result.status == 0)
            #expect(result.stdoutText == "GET /first 0 GET /second 0 ")
            #expect(
                result.stderr.contains("Re-using existing connection")
                    || result.stderr.contains("Reusing existing connection")
            )
        }
    }

    /// curl's chunked upload arrives whole.
    @Test func curlChunkedUploadArrivesWhole() async throws {
        guard let curl = ExternalProcess.which("curl") else { return print("skip: curl is not installed") }
        let payload = String(repeating: "0123456789", count: 10_000)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tdf-upload-\(UUID().uuidString)")
        try Data(payload.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try await withServer(handler: echoHandler) { server in
            let result = try await ExternalProcess.run(
                curl,
                ["-sS", "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(file.path)", "\(server.baseURL)/up"]
            )
            #expect(result.status == 0)
            #expect(result.stdoutText.hasPrefix("POST /up 100000 0123456789"), "\(result.stdoutText.prefix(80))")
            #expect(result.stdoutText == "POST /up 100000 \(payload)", "the upload came back altered")
        }
    }

    /// An SSE response reaches `curl -N` event by event: each event is on curl's stdout before the server
    /// sends the next one.
    @Test func curlReceivesEventsProgressively() async throws {
        guard let curl = ExternalProcess.which("curl") else { return print("skip: curl is not installed") }
        let sentAt = Mutex<[ContinuousClock.Instant]>([])
        let handler: HTTPHandler = { _ in
            var headers = HTTPHeaders()
            headers.append(name: "Content-Type", value: "text/event-stream")
            return HTTPServerResponse(
                status: 200,
                headers: headers,
                body: .stream { writer in
                    for seq in 0..<5 {
                        sentAt.withLock { $0.append(.now) }
                        try await writer.write(SSEEncoder.encode(.event(SSEEvent(data: "{\"seq\":\(seq)}"))))
                        try await Task.sleep(for: .milliseconds(250))
                    }
                }
            )
        }
        try await withServer(handler: handler) { server in
            let process = try ExternalProcess(curl, ["-sS", "-N", "\(server.baseURL)/api/v1/maestro/stream"])
            #expect(await process.waitForExit() == 0)
            var arrivals: [(seq: Int, at: ContinuousClock.Instant)] = []
            for chunk in process.chunks {
                for line in String(decoding: chunk.bytes, as: UTF8.self).split(separator: "\n") {
                    if let range = line.range(of: "\"seq\":"),
                        let seq = Int(line[range.upperBound...].prefix { $0.isNumber })
                    {
                        arrivals.append((seq, chunk.at))
                    }
                }
            }
            #expect(arrivals.map(\.seq) == [0, 1, 2, 3, 4])
            let sent = sentAt.withLock { $0 }
            for (seq, arrived) in arrivals where seq + 1 < sent.count {
                #expect(arrived < sent[seq + 1], "event \(seq) was held back until the next one was sent")
            }
        }
    }

    /// Python's http.client keeps one connection for two requests and reads both bodies.
    @Test func pythonHTTPClientKeepsAlive() async throws {
        guard let python = ExternalProcess.which("python3") else { return print("skip: python3 is not installed") }
        try await withServer(handler: echoHandler) { server in
            let script = """
                import http.client
                c = http.client.HTTPConnection("127.0.0.1", \(server.address.port), timeout=120)
                c.request("GET", "/py1"); r = c.getresponse(); a = r.read().decode(); ra = r.getheader("X-Remote")
                c.request("POST", "/py2", body=b"xyz"); r = c.getresponse(); b = r.read().decode(); rb = r.getheader("X-Remote")
                print(a); print(b); print("same" if ra == rb else "different")
                """
            let result = try await ExternalProcess.run(python, ["-c", script])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdoutText == "GET /py1 0 \nPOST /py2 3 xyz\nsame\n")
        }
    }

    /// The client reads files from Python's http.server (HTTP/1.0, Content-Length, close).
    @Test func clientTalksToPythonHTTPServer() async throws {
        guard let python = ExternalProcess.which("python3") else { return print("skip: python3 is not installed") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tdf-pyserve-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let content = (0..<50_000).map { _ in UInt8.random(in: 0...255) }
        try Data(content).write(to: directory.appendingPathComponent("blob.bin"))
        let server = try ExternalProcess(
            python,
            ["-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", directory.path, "0"]
        )
        defer { server.terminate() }
        var port: Int?
        for _ in 0..<100 where port == nil {
            try await Task.sleep(for: .milliseconds(50))
            if let range = server.standardOutput.range(of: "port ") {
                port = Int(server.standardOutput[range.upperBound...].prefix { $0.isNumber })
            }
        }
        let boundPort = try #require(port, "python http.server did not report its port: \(server.standardError)")
        let client = HTTPClient()
        defer { client.close() }
        for _ in 0..<2 {
            let url = try #require(HTTPURL(string: "http://127.0.0.1:\(boundPort)/blob.bin"))
            let response = try await client.execute(HTTPClientRequest(url: url))
            #expect(response.status == 200)
            #expect(try await response.body.collect() == content)
        }
        let missing = try await client.execute(
            HTTPClientRequest(url: try #require(HTTPURL(string: "http://127.0.0.1:\(boundPort)/none")))
        )
        #expect(missing.status == 404)
    }
}

/// The client against nginx, the reference server of the benchmarks.
@Suite struct NginxInteropTests {
    /// Keep-alive reuse and a static file body through nginx, when nginx is installed.
    @Test func clientReadsFromNginxWithKeepAlive() async throws {
        let candidates = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        guard let nginx = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return print("skip: nginx is not installed")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tdf-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("www"),
            withIntermediateDirectories: true
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        let content = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(content).write(to: directory.appendingPathComponent("www/blob.bin"))
        let probe = try Listener(host: "127.0.0.1", port: 0)
        let port = probe.address.port
        probe.close()
        let configuration = """
            daemon off; master_process off; worker_processes 1; pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log;
            events { worker_connections 64; }
            http { access_log off; keepalive_requests 100;
              server { listen 127.0.0.1:\(port); root \(directory.path)/www; } }
            """
        try configuration.write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let server = try ExternalProcess(
            nginx,
            ["-p", directory.path, "-c", directory.appendingPathComponent("nginx.conf").path]
        )
        defer { server.terminate() }
        let client = HTTPClient()
        defer { client.close() }
        let url = try #require(HTTPURL(string: "http://127.0.0.1:\(port)/blob.bin"))
        var response: HTTPClientResponse?
        for _ in 0..<100 {
            if let ready = try? await client.execute(HTTPClientRequest(url: url)) {
                response = ready
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let first = try #require(response, "nginx did not start: \(server.standardError)")
        #expect(first.status == 200)
        #expect(try await first.body.collect() == content)
        let second = try await client.execute(HTTPClientRequest(url: url))
        #expect(try await second.body.collect() == content)
        let missing = try await client.execute(HTTPClientRequest(url: url.with(target: "/none")))
        #expect(missing.status == 404)
        _ = try await missing.body.collect()
    }
}
