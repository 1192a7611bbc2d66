import Cassettes
import Foundation
import HTTPTransport
import HTTPWire
import JSON
import RecordingProxy
import Synchronization
import TestSupport
import Testing
import Vocabulary

/// Clients configured with an HTTP proxy (`HTTP_PROXY`, `curl -x`) send absolute-form requests to a proxy listener:
/// they are recorded and replayed like any other, and `CONNECT` is refused with a 501 that says what to do instead.
@Suite struct ProxyClientTests {
    /// Python's `urllib` with `HTTP_PROXY` and `curl -x` record through the listener, then replay with the upstream
    /// gone.
    @Test func httpProxyClientsRecordAndReplay() async throws {
        guard let python = ExternalProcess.which("python3"), let curl = ExternalProcess.which("curl") else {
            Issue.record("python3 and curl are needed for this test (.ci/run installs them)")
            return
        }
        let directory = try TemporaryDirectory()
        func clients(_ proxy: ProxyServer) async throws -> [String] {
            let listener = proxy.baseURL(for: "maestro")!
            let viaPython = try await ExternalProcess.run(
                "/usr/bin/env",
                [
                    "HTTP_PROXY=\(listener)", "NO_PROXY=", python, "-c",
                    "import urllib.request; print(urllib.request.urlopen('http://maestro.internal:10001/json').read().decode())",
                ]
            )
            let viaCurl = try await ExternalProcess.run(
                curl,
                ["-s", "--noproxy", "", "-x", listener, "http://maestro.internal:10001/echo?via=curl"]
            )
            return [viaPython.stdout, viaCurl.stdout].map { String(decoding: $0, as: UTF8.self) }
        }
        let recorded = try await withUpstream { upstream in
            try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)]),
                clients
            ).result
        }
        #expect(recorded[0] == #"{"ok":true,"items":[1,2,3]}"# + "\n")
        #expect(recorded[1].contains(#""target":"\/echo?via=curl""#), "the upstream got origin-form: \(recorded[1])")
        let cassette = try Cassette.load(path: directory.url.path + "/_default.jsonl.gz")
        #expect(cassette.exchanges.map(\.request.target) == ["/json", "/echo?via=curl"])

        let (replayed, report) = try await withProxy(
            proxyConfiguration(.replay, directory: directory.url.path, services: [("maestro", nil)]),
            clients
        )
        #expect(replayed == recorded)
        #expect(report.replayed == 2 && report.mismatches == 0)
    }

    /// `CONNECT` (a client asking for a TLS tunnel) gets 501 with a JSON body naming what to do instead, and the
    /// listener goes on serving.
    @Test func connectIsRefusedWithAReason() async throws {
        let directory = try TemporaryDirectory()
        _ = try await withUpstream { upstream in
            try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                let base = proxy.baseURL(for: "maestro")!
                let refused = try await fetch(client, base, "/", method: "CONNECT")
                #expect(refused.status == 501)
                let body = try JSONParser.parse(refused.body)
                #expect(body["error"] == .string("connect_not_supported"))
                #expect(body["detail"]?.stringValue?.contains("does not intercept TLS") == true)
                #expect(try await fetch(client, base, "/json").status == 200)
            }
        }
    }

    /// The forward listener routes by the authority a request names: a configured upstream's, a service's name, or
    /// any other (recorded under a name made of it); a request for the proxy itself and one naming no host get a
    /// 400 JSON, CONNECT the 501, and what the client said to the proxy (`Proxy-*`) is neither forwarded nor recorded.
    @Test func forwardListenerRoutesByAuthority() async throws {
        let directory = try TemporaryDirectory()
        try await withUpstream { named in
            try await withUpstream { unnamed in
                var configuration = proxyConfiguration(.record, directory: directory.url.path, services: [])
                configuration.services = [.forwarded(name: "maestro", upstream: named.url)]
                configuration.forwardListener = .init()
                let (_, report) = try await withProxy(configuration) { proxy in
                    #expect(proxy.endpoints.isEmpty)
                    #expect(proxy.readyLine == "proxy ready forward=\(proxy.forwardURL!)")
                    let forward = proxy.forwardURL!
                    let client = HTTPClient()
                    defer { client.close() }
                    func get(host: String, _ target: String, extra: [(String, String)] = []) async throws -> Fetched {
                        try await fetch(client, forward, target, headers: HTTPHeaders([("Host", host)] + extra))
                    }
                    let byUpstream = try await get(
                        host: named.url.authority,
                        "/echo?to=named",
                        extra: [("Proxy-Authorization", "Basic c2VjcmV0")]
                    )
                    #expect(byUpstream.status == 201)
                    #expect(!byUpstream.text.lowercased().contains("proxy-authorization"), "\(byUpstream.text)")
                    #expect(try await get(host: "maestro", "/json").status == 200)
                    #expect(try await get(host: unnamed.url.authority, "/echo?to=unnamed").status == 201)
                    #expect(named.log.hits.withLock { $0 } == 2 && unnamed.log.hits.withLock { $0 } == 1)

                    let itself = try await get(host: HTTPURL(string: forward)!.authority, "/json")
                    #expect(itself.status == 400)
                    #expect(try JSONParser.parse(itself.body)["error"] == .string("not_a_proxy_request"))
                    let connect = try await fetch(client, forward, "/", method: "CONNECT")
                    #expect(connect.status == 501)
                }
                #expect(report.recorded == 3)
            }
        }
        let cassette = try Cassette.load(path: directory.url.path + "/_default.jsonl.gz")
        let unnamedName = cassette.exchanges.last?.service ?? ""
        #expect(cassette.exchanges.map(\.service).prefix(2) == ["maestro", "maestro"])
        #expect(unnamedName.hasPrefix("127-0-0-1-"))
        #expect(cassette.exchanges.allSatisfy { $0.request.headers["Proxy-Authorization"] == nil })
    }
}
