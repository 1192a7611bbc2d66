import Cassettes
import Foundation
import HTTPTransport
import HTTPWire
import JSON
import RecordingProxy
import TestSupport
import Testing
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// An `https://` upstream, recorded through the proxy's URLSession client and replayed with the server gone.
///
/// The upstream is Python's `ssl` server with a CA and certificate made by `openssl` for this test. URLSession trusts
/// only the system store, so the recording proxy runs in a private mount namespace (`unshare -m`, as root) where the
/// test's bundle is bind-mounted over the system one: nothing on the machine changes.
@Suite(.serialized) struct HTTPSUpstreamTests {
    /// The upstream: `/json`, `/gzip-json` (gzip-encoded), and `/sse`, three events sent in lockstep with the test,
    /// which releases each next event through a plain-HTTP control port only once the previous one has arrived
    /// through the proxy. An event the test did not release within 20 s is replaced by `lockstep_broken`.
    static let server = #"""
        import gzip, http.server, ssl, sys, threading
        released = [threading.Event() for _ in range(3)]

        class Secure(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def send_body(self, body, content_type, extra=()):
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                for name, value in extra: self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def do_GET(self):
                if self.path == "/json":
                    self.send_body(b'{"secure":true,"items":[1,2,3]}', "application/json")
                elif self.path == "/gzip-json":
                    self.send_body(gzip.compress(b'{"compressed":true}'), "application/json",
                                   [("Content-Encoding", "gzip")])
                elif self.path == "/sse":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for i in range(3):
                        event = b"data: %d\n\n" % i
                        if i > 0 and not released[i - 1].wait(20):
                            event = b"event: lockstep_broken\ndata: %d\n\n" % i
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
                        self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.send_error(404)

        class Control(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def do_GET(self):
                released[int(self.path.rsplit("/", 1)[1])].set()
                self.send_response(204)
                self.end_headers()

        secure = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Secure)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        secure.socket = context.wrap_socket(secure.socket, server_side=True)
        control = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Control)
        threading.Thread(target=control.serve_forever, daemon=True).start()
        print("ready", secure.server_address[1], control.server_address[1], flush=True)
        secure.serve_forever()
        """#

    static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"

    /// A CA and a certificate for `localhost` and 127.0.0.1 signed by it, in `directory`.
    static func makeCertificates(in directory: TemporaryDirectory, openssl: String) async throws {
        let steps: [[String]] = [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory.path("ca.key"), "-out",
                directory.path("ca.pem"), "-days", "2", "-subj", "/CN=tdf test CA", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", directory.path("server.key"), "-out",
                directory.path("server.csr"), "-subj", "/CN=localhost",
            ],
            [
                "x509", "-req", "-in", directory.path("server.csr"), "-CA", directory.path("ca.pem"), "-CAkey",
                directory.path("ca.key"), "-CAcreateserial", "-out", directory.path("server.pem"), "-days", "2",
                "-extfile", directory.path("server.ext"),
            ],
        ]
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: directory.path("server.ext"), atomically: true, encoding: .utf8)
        for step in steps {
            let result = try await ExternalProcess.run(openssl, step)
            try #require(result.status == 0, "openssl \(step[0]) failed: \(result.stderr)")
        }
        let system = try Data(contentsOf: URL(fileURLWithPath: systemBundle))
        let ours = try Data(contentsOf: URL(fileURLWithPath: directory.path("ca.pem")))
        try (system + ours).write(to: URL(fileURLWithPath: directory.path("bundle.pem")))
    }

    /// A directory holding the test CA and certificate, or nil (having said why) when this machine cannot run the
    /// tests.
    static func directoryWithCertificates() async throws -> TemporaryDirectory? {
        if let reason = await missingPrerequisite() {
            print("skipped: \(reason)")
            return nil
        }
        let directory = try TemporaryDirectory()
        try await makeCertificates(in: directory, openssl: try #require(ExternalProcess.which("openssl")))
        return directory
    }

    /// Why this machine cannot run the test, or nil.
    static func missingPrerequisite() async -> String? {
        for tool in ["python3", "openssl", "unshare", "mount"] where ExternalProcess.which(tool) == nil {
            return "\(tool) is not installed"
        }
        guard FileManager.default.fileExists(atPath: systemBundle) else {
            return "there is no system trust store at \(systemBundle) to stand in for"
        }
        guard let unshare = ExternalProcess.which("unshare"),
            let probe = try? await ExternalProcess.run(
                unshare,
                ["-m", "/bin/sh", "-c", "mount --bind /dev/null /dev/null"]
            ), probe.status == 0
        else {
            return "a private mount namespace is not available here (unshare -m and mount need root): "
                + "the proxy cannot be made to trust the test CA without changing the machine's trust store"
        }
        guard TDFExecutable.path() != nil else { return "the tdf executable is not built" }
        return nil
    }

    /// The Python upstream and its ports, stopped by `body`'s end.
    static func withSecureUpstream<R>(
        _ directory: TemporaryDirectory,
        _ body: (_ securePort: Int, _ controlPort: Int) async throws -> R
    ) async throws -> R {
        try Self.server.write(toFile: directory.path("server.py"), atomically: true, encoding: .utf8)
        let python = try #require(ExternalProcess.which("python3"))
        let upstream = try ChildProcess(
            python,
            [directory.path("server.py"), directory.path("server.pem"), directory.path("server.key")]
        )
        // SIGKILL: the test process may hand its children SIGTERM blocked, and this server has nothing to finish.
        defer { upstream.send(SIGKILL) }
        let ready = try #require(await upstream.line(startingWith: "ready "), "\(upstream.standardError)")
        let ports = ready.split(separator: " ").dropFirst().compactMap { Int($0) }
        try #require(ports.count == 2)
        let result = try await body(ports[0], ports[1])
        upstream.send(SIGKILL)
        _ = await upstream.waitForExit()
        return result
    }

    /// What the client saw of the three routes; the SSE stream is read event by event, releasing the next one
    /// through `control` (nil in replay, where no upstream waits).
    static func exchanges(with base: String, control: String?) async throws -> [String] {
        let client = HTTPClient()
        defer { client.close() }
        let json = try await fetch(client, base, "/json")
        let gzip = try await fetch(client, base, "/gzip-json")
        #expect(gzip.headers["Content-Encoding"] == nil, "the body reaches the client decoded, so unlabelled")
        let stream = try await client.execute(
            HTTPClientRequest(url: try #require(HTTPURL(string: base + "/sse")))
        )
        var events: [String] = []
        for try await frame in stream.body.sseFrames() {
            guard case .event(let event) = frame else { continue }
            events.append("\(event.event ?? "message"):\(event.data)")
            if let control, events.count < 3 {
                let released = try await fetch(client, control, "/release/\(events.count - 1)")
                #expect(released.status == 204)
            }
        }
        return ["\(json.status) \(json.text)", "\(gzip.status) \(gzip.text)", events.joined(separator: " ")]
    }

    @Test(.timeLimit(.minutes(2))) func recordsAnHTTPSUpstreamAndReplaysItWithTheServerGone() async throws {
        guard let directory = try await Self.directoryWithCertificates() else { return }
        let cassettes = directory.path("cassettes")
        let expected = [
            #"200 {"secure":true,"items":[1,2,3]}"#, #"200 {"compressed":true}"#, "message:0 message:1 message:2",
        ]

        let recorded = try await Self.withSecureUpstream(directory) { securePort, controlPort in
            let unshare = try #require(ExternalProcess.which("unshare"))
            let proxy = try ChildProcess(
                unshare,
                [
                    "-m", "/bin/sh", "-c", "mount --bind \"$0\" \(Self.systemBundle) && exec \"$@\"",
                    directory.path("bundle.pem"), try #require(TDFExecutable.path()), "proxy", "--cassettes", cassettes,
                    "--service", "secure=127.0.0.1:0=https://localhost:\(securePort)",
                ]
            )
            defer { proxy.send(SIGKILL) }
            let ready = try #require(await proxy.line(startingWith: "proxy ready "), "\(proxy.standardError)")
            let base = try #require(ready.split(separator: "=").last.map(String.init))
            let seen = try await Self.exchanges(with: base, control: "http://127.0.0.1:\(controlPort)")
            proxy.send(SIGTERM)
            #expect(await proxy.waitForExit() == 0, "\(proxy.standardError)")
            return seen
        }
        #expect(recorded == expected)

        let cassette = try Cassette.load(path: cassettes + "/_default.jsonl.gz")
        #expect(cassette.exchanges.map(\.service) == ["secure", "secure", "secure"])
        let gzipped = try #require(cassette.exchanges.first { $0.request.target == "/gzip-json" })
        #expect(gzipped.response.decodedFrom == "gzip")
        #expect(gzipped.response.headers["Content-Encoding"] == "gzip", "the headers stay as the upstream sent them")
        let index = try String(contentsOfFile: cassettes + "/index.json", encoding: .utf8)
        #expect(index.contains("https://localhost:"))

        // The upstream is gone: the recording answers alone.
        let (replayed, report) = try await withProxy(
            proxyConfiguration(.replay, directory: cassettes, services: [("secure", nil)])
        ) { proxy in
            try await Self.exchanges(with: proxy.baseURL(for: "secure")!, control: nil)
        }
        #expect(replayed == expected)
        #expect(report.replayed == 3 && report.mismatches == 0)
    }

    /// Without the test CA in the trust store (the test process's own view of the machine), every request gets a
    /// 502 naming the host and what to do, and the proxy logs that once.
    @Test(.timeLimit(.minutes(1))) func anUntrustedCertificateIsOneClearError() async throws {
        guard let directory = try await Self.directoryWithCertificates() else { return }
        let logged = LogLines()
        try await Self.withSecureUpstream(directory) { securePort, _ in
            var configuration = proxyConfiguration(.record, directory: directory.path("cassettes"), services: [])
            configuration.services = [
                ProxyConfiguration.ServiceRoute(
                    name: "secure",
                    upstream: HTTPURL(string: "https://localhost:\(securePort)", accepting: [.https])
                )
            ]
            configuration.log = { logged.append($0) }
            _ = try await withProxy(configuration) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                for _ in 0..<2 {
                    let answer = try await fetch(client, proxy.baseURL(for: "secure")!, "/json")
                    #expect(answer.status == 502)
                    let body = try JSONParser.parse(answer.body)
                    #expect(body["error"] == .string("upstream_tls_failed"))
                    let detail = body["detail"]?.stringValue ?? ""
                    #expect(detail.contains("localhost:\(securePort)") && detail.contains("trust store"), "\(detail)")
                }
            }
        }
        let lines = logged.all.filter { $0.contains("TLS with localhost") }
        #expect(lines.count == 1, "\(logged.all)")
    }
}
