import Cassettes
import Foundation
import Gzip
import HTTPTransport
import HTTPWire
import JSON
import RecordingProxy
import Synchronization
import Vocabulary

/// An in-process upstream with the kinds of responses a proxy must carry: JSON, binary, SSE (canonical and not),
/// chunked text, streams cut mid-body, a silent endpoint, 204 and an echo of what arrived.
final class Upstream: Sendable {
    /// What the upstream saw: when each `/sse` event was handed to the socket, and how many requests arrived.
    final class Log: Sendable {
        let sentEvents = Mutex<[ContinuousClock.Instant]>([])
        let hits = Mutex(0)
        /// For `/sse-lockstep`: how many events the test's client has received so far.
        let clientReceived = Mutex(0)
        /// For `/sse-lockstep`: set when the client did not get an event before the upstream gave up waiting.
        let lockstepBroken = Mutex(false)
    }

    let server: HTTPServer
    let log = Log()

    init() throws {
        let log = self.log
        server = try HTTPServer { request in
            log.hits.withLock { $0 += 1 }
            return await Upstream.answer(request, log: log)
        }
    }

    var baseURL: String { server.baseURL }
    var url: HTTPURL { HTTPURL(string: server.baseURL)! }

    func stop() async { await server.shutdown(gracePeriod: .seconds(1)) }

    static let binary: [UInt8] = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }

    /// What `/binary?size=N` answers: `size` bytes that are not UTF-8.
    static func binaryBody(_ size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 7 &+ 3) | 0x80) }
    }

    private static func query(_ target: String, _ name: String) -> Int? {
        guard let query = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == name { return Int(parts[1]) }
        }
        return nil
    }

    private static func answer(
        _ request: HTTPServerRequest,
        log: Log
    ) async
        -> HTTPServerResponse
    {
        let target = request.head.target
        var headers = HTTPHeaders()
        switch request.head.path {
        case "/json":
            headers.append(name: "Content-Type", value: "application/json")
            headers.append(name: "Keep-Alive", value: "timeout=5")
            return HTTPServerResponse(
                status: 200,
                headers: headers,
                body: .bytes(Array(#"{"ok":true,"items":[1,2,3]}"#.utf8))
            )
        case "/binary":
            headers.append(name: "Content-Type", value: "application/octet-stream")
            guard let size = query(target, "size") else {
                return HTTPServerResponse(status: 200, headers: headers, body: .bytes(binary))
            }
            return HTTPServerResponse(status: 200, headers: headers, body: .bytes(binaryBody(size)))
        case "/echo":
            let fields = request.head.headers.fields.map { [$0.name, $0.value] }
            let object: [String: Any] = [
                "method": request.head.method, "target": target,
                "body": String(decoding: request.body, as: UTF8.self), "headers": fields,
            ]
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            headers.append(name: "Content-Type", value: "application/json")
            return HTTPServerResponse(status: 201, reason: "Made It", headers: headers, body: .bytes(Array(data)))
        case "/auth":
            let seen = request.head.headers["Authorization"] ?? ""
            headers.append(name: "Content-Type", value: "application/json")
            headers.append(name: "Set-Cookie", value: "session=\(seen.count)abcdefgh; Path=/")
            return HTTPServerResponse(
                status: 200,
                headers: headers,
                body: .bytes(Array(#"{"seen":"\#(seen)","token":"\#(seen.dropFirst("Bearer ".count))"}"#.utf8))
            )
        case "/sse":
            let count = query(target, "n") ?? 5
            let gap = query(target, "gap") ?? 10
            headers.append(name: "Content-Type", value: "text/event-stream")
            headers.append(name: "Cache-Control", value: "no-cache")
            return HTTPServerResponse(
                status: 200,
                headers: headers,
                body: .stream { writer in
                    for index in 0..<count {
                        if index == count / 2 { try await writer.write(Array(": heartbeat\n\n".utf8)) }
                        log.sentEvents.withLock { $0.append(.now) }
                        try await writer.write(Array("data: {\"type\":\"tick\",\"seq\":\(index)}\n\n".utf8))
                        if index < count - 1 { try await Task.sleep(for: .milliseconds(gap)) }
                    }
                }
            )
        case "/sse-echo":
            // Three events naming the `id` of the JSON body: what value threading must rewrite in SSE data.
            let sent = (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])?["id"]
            let id = sent as? String ?? ""
            headers.append(name: "Content-Type", value: "text/event-stream")
            return HTTPServerResponse(
                status: 200,
                headers: headers,
                body: .stream { writer in
                    for index in 0..<3 {
                        try await writer.write(Array("data: {\"id\":\"\(id)\",\"seq\":\(index)}\n\n".utf8))
                    }
                }
            )
        case "/sse-lockstep":
            // Sends event k, then waits (up to 10 s) until the client reports it received event k: a proxy
            // that holds events back can never complete this stream.
            let count = query(target, "n") ?? 5
            headers.append(name: "Content-Type", value: "text/event-stream")
            return HTTPServerResponse(
                status: 200,
                headers: headers,
                body: .stream { writer in
                    for index in 0..<count {
                        try await writer.write(Array("data: {\"type\":\"tick\",\"seq\":\(index)}\n\n".utf8))
                        let clock = ContinuousClock()
                        let giveUp = clock.now.advanced(by: .seconds(10))
                        while log.clientReceived.withLock({ $0 }) <= index {
                            guard clock.now < giveUp else {
                                log.lockstepBroken.withLock { $0 = true }
                                return
                            }
                            try await Task.sleep(for: .milliseconds(1))
                        }
                    }
                }
            )
        case "/sse-raw":
            headers.append(name: "Content-Type", value: "text/event-stream; charset=utf-8")
            return HTTPServerResponse(
                status: 200,
                headers: headers,
                body: .stream { writer in
                    try await writer.write(Array("data:first\r\n\r\nid: 5\nevent: e\n".utf8))
                    try await Task.sleep(for: .milliseconds(5))
                    try await writer.write(Array("data: a\ndata: b\n\n: c\n\n".utf8))
                }
            )
        case "/gzip-json", "/deflate-json", "/br":
            // A JSON answer with a token inside, compressed as the path says (br: bytes tdf cannot decode).
            let json = Array(#"{"token":"tok-4f9a2c8e1b7d","n":1}"#.utf8)
            let coding = String(request.head.path.dropFirst().prefix { $0 != "-" })
            let body: [UInt8]
            switch coding {
            case "gzip": body = GzipData.compress(json)
            case "deflate": body = DeflateData.compress(json)
            default: body = [0x8B, 0x07, 0x80, 0x7B, 0x7D, 0x03]
            }
            headers.append(name: "Content-Type", value: "application/json")
            headers.append(name: "Content-Encoding", value: coding)
            return HTTPServerResponse(status: 200, headers: headers, body: .bytes(body))
        case "/chunked":
            headers.append(name: "Content-Type", value: "text/plain; charset=utf-8")
            return HTTPServerResponse(
                status: 200,
                headers: headers,
                body: .stream { writer in
                    for piece in ["alpha ", "béta ", "gamma"] {
                        try await writer.write(Array(piece.utf8))
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
            )
        case "/cut":
            headers.append(name: "Content-Type", value: "text/event-stream")
            return HTTPServerResponse(
                status: 200,
                headers: headers,
                body: .stream { writer in
                    try await writer.write(Array("data: {\"seq\":0}\n\n".utf8))
                    try await Task.sleep(for: .milliseconds(10))
                    try await writer.write(Array("data: {\"seq\":1}\n\ndata: {\"partial".utf8))
                    try await Task.sleep(for: .milliseconds(10))
                    throw CancellationError()
                }
            )
        case "/cut-length":
            headers.append(name: "Content-Type", value: "application/octet-stream")
            headers.append(name: "Content-Length", value: "1000")
            return HTTPServerResponse(
                status: 200,
                headers: headers,
                body: .stream { writer in
                    try await writer.write(Array(binary.prefix(300)))
                    try await Task.sleep(for: .milliseconds(10))
                    throw CancellationError()
                }
            )
        case "/slow":
            // Far longer than any timeout a test sets, so "it returned early" proves the timeout was applied.
            try? await Task.sleep(for: .seconds(20))
            return HTTPServerResponse(status: 200, body: .bytes(Array("late".utf8)))
        case "/nocontent":
            return HTTPServerResponse(status: 204)
        default:
            return HTTPServerResponse.error(status: 404, code: "not_found", detail: "no route \(target)")
        }
    }
}

/// What a client got: the head, the body bytes (as far as they came), and the error that cut the body, if any.
struct Fetched: Sendable {
    var status: Int
    var reason: String
    var headers: HTTPHeaders
    var body: [UInt8]
    var cut: HTTPClientError?
    /// When each piece of the body arrived.
    var arrivals: [ContinuousClock.Instant]

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Sends one request and reads the whole response, keeping the bytes that arrived before a cut.
func fetch(
    _ client: HTTPClient,
    _ base: String,
    _ target: String,
    method: String = "GET",
    headers: HTTPHeaders = HTTPHeaders(),
    body: [UInt8]? = nil
) async throws -> Fetched {
    let url = HTTPURL(string: base + target)!
    let response = try await client.execute(HTTPClientRequest(method: method, url: url, headers: headers, body: body))
    var fetched = Fetched(
        status: response.status,
        reason: response.head.reason,
        headers: response.headers,
        body: [],
        cut: nil,
        arrivals: []
    )
    do {
        for try await piece in response.body {
            fetched.body.append(contentsOf: piece)
            fetched.arrivals.append(.now)
        }
    } catch let error as HTTPClientError {
        fetched.cut = error
    }
    return fetched
}

/// The harness's tags.
func tags(_ run: String, _ ordinal: Int, step: String? = nil) -> HTTPHeaders {
    var headers = HTTPHeaders([("X-TDF-Run", run), ("X-TDF-Ordinal", String(ordinal))])
    if let step { headers.append(name: "X-TDF-Step", value: step) }
    return headers
}

/// Starts a proxy for one test and always shuts it down; returns the body's result and the shutdown report.
func withProxy<R>(
    _ configuration: ProxyConfiguration,
    _ body: (ProxyServer) async throws -> R
) async throws -> (result: R, report: ProxyReport) {
    let proxy = try await ProxyServer.start(configuration)
    do {
        let result = try await body(proxy)
        return (result, await proxy.shutdown())
    } catch {
        await proxy.shutdown()
        throw error
    }
}

/// A recording or replaying configuration for one test, with short timeouts.
func proxyConfiguration(
    _ mode: ProxyConfiguration.Mode,
    directory: String,
    services: [(Service, HTTPURL?)],
    pace: ProxyConfiguration.Pace = .fast,
    redact: [String] = [],
    upstreamTimeout: Duration = .seconds(10)
) -> ProxyConfiguration {
    ProxyConfiguration(
        mode: mode,
        cassetteDirectory: directory,
        services: services.map { ProxyConfiguration.ServiceRoute(name: $0.0, upstream: $0.1) },
        pace: pace,
        redactJSONPaths: redact.compactMap(JSONPath.init),
        connectTimeout: .seconds(2),
        upstreamTimeout: upstreamTimeout,
        gracePeriod: .seconds(2),
        toolVersion: "test"
    )
}

/// Every exchange of every cassette in `directory`, by file name.
func recordedExchanges(in directory: String) throws -> [String: Cassette] {
    var cassettes: [String: Cassette] = [:]
    for name in try SessionDirectory.cassetteFileNames(in: directory) {
        cassettes[name] = try Cassette.load(path: directory + "/" + name)
    }
    return cassettes
}

/// Runs `body` with a fresh upstream and always stops it.
func withUpstream<R>(_ body: (Upstream) async throws -> R) async throws -> R {
    let upstream = try Upstream()
    do {
        let result = try await body(upstream)
        await upstream.stop()
        return result
    } catch {
        await upstream.stop()
        throw error
    }
}

/// Lines a proxy logged.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
