import Cassettes
import Dispatch
import Foundation
import HTTPTransport
import HTTPWire
import RecordingProxy
import Sockets
import Synchronization
import Vocabulary

/// The recording proxy end to end, as a client reaches it: a `ProxyServer` in record or record-missing mode, a fresh
/// cassette directory, an upstream on 127.0.0.1, and the fuzzed bytes written on one loopback connection (pipelined
/// requests included), so `HTTPServer`, `RequestTags`, `CassetteSession.reserve`, forwarding, body capture and the
/// cassette writer all see them. A fresh proxy per input keeps every input self-contained, so a crash replays alone;
/// the price is the rate: starting and stopping a proxy takes milliseconds, so this target runs tens of inputs a
/// second where the parser targets run thousands.
///
/// Input: byte 0 picks the mode (bit 0 set: record-missing, which also matches each request against what it has
/// recorded so far); the rest is what the client sends, after which it half-closes and reads until the proxy
/// closes. The upstream's answer depends on the path: `/sse` an event stream, `/chunked` a streamed body, `/cut` a
/// stream the upstream breaks, `/nocontent` a 204, anything else a JSON echo. Checks: no trap; every exchange the
/// proxy forwarded is recorded exactly once and nothing failed to record; after shutdown every cassette reads back
/// whole (header, end record, digest, every seq and ordinal in range); none of the three tag headers reaches the
/// upstream; whatever the proxy answers starts with an HTTP/1.1 status line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxyRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mode: ProxyConfiguration.Mode = input.choice() & 1 == 1 ? .recordMissing : .record
    let wire = input.payload
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (answer, report) = waitFor { await exchange(wire, mode: mode, directory: directory) }

    require(answer.isEmpty || answer.starts(with: Array("HTTP/1.1 ".utf8)), "answered \(text(answer.prefix(64)))")
    require(report.recordingFailures.isEmpty, "recording failed: \(report.recordingFailures)")
    require(report.problems.isEmpty, "problems: \(report.problems)")
    require(
        report.recorded == report.forwarded,
        "forwarded \(report.forwarded) exchanges, recorded \(report.recorded)"
    )
    var exchanges = 0
    for name in (try? SessionDirectory.cassetteFileNames(in: directory)) ?? [] {
        do {
            let cassette = try Cassette.load(path: directory + "/" + name)
            require(cassette.isComplete, "\(name) is not whole: \(cassette.problems), \(cassette.damage as Any)")
            exchanges += cassette.exchanges.count
        } catch {
            require(false, "\(name) cannot be read: \(error)")
        }
    }
    require(exchanges == report.recorded, "recorded \(report.recorded) exchanges, the cassettes hold \(exchanges)")
    require(!upstream.log.sawTag.withLock { $0 }, "X-TDF-Run, X-TDF-Ordinal or X-TDF-Step reached the upstream")
    return 0
}

/// Starts a proxy on `directory`, sends `wire` on one connection, reads the answer until the proxy closes it (or
/// three seconds pass) and shuts the proxy down.
private func exchange(
    _ wire: [UInt8],
    mode: ProxyConfiguration.Mode,
    directory: String
) async -> (answer: [UInt8], report: ProxyReport) {
    let configuration = ProxyConfiguration(
        mode: mode,
        cassetteDirectory: directory,
        services: [.init(name: "maestro", upstream: upstream.url)],
        connectTimeout: .seconds(2),
        upstreamTimeout: .seconds(2),
        gracePeriod: .seconds(1),
        toolVersion: "fuzz"
    )
    let proxy: ProxyServer
    do {
        proxy = try await ProxyServer.start(configuration)
    } catch {
        fatalError("the proxy does not start: \(error)")
    }
    var answer: [UInt8] = []
    let port = HTTPURL(string: proxy.baseURL(for: "maestro")!)!.port
    if let socket = try? await Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(2)) {
        let giveUp = deadline(after: .seconds(3))
        try? await socket.write(wire, deadline: giveUp)
        socket.shutdownWrite()
        while let bytes = try? await socket.read(deadline: giveUp), !bytes.isEmpty {
            answer += bytes
        }
        socket.close()
    }
    return (answer, await proxy.shutdown())
}

/// The upstream every input's proxy forwards to, started once; it notes whether one of the proxy's tag headers (which
/// it strips) ever reached it.
final class Upstream: Sendable {
    final class Log: Sendable {
        let sawTag = Mutex(false)
    }

    let server: HTTPServer
    let log = Log()

    init() {
        let log = self.log
        do {
            server = try HTTPServer { request in
                if ["X-TDF-Run", "X-TDF-Ordinal", "X-TDF-Step"].contains(where: request.head.headers.contains) {
                    log.sawTag.withLock { $0 = true }
                }
                return Upstream.answer(request)
            }
        } catch {
            fatalError("the upstream does not start: \(error)")
        }
    }

    var url: HTTPURL { HTTPURL(string: server.baseURL)! }

    private static func answer(_ request: HTTPServerRequest) -> HTTPServerResponse {
        let path = request.head.path
        if path.hasPrefix("/sse") {
            return HTTPServerResponse(
                status: 200,
                headers: ["Content-Type": "text/event-stream"],
                body: .stream { writer in
                    try await writer.write(Array("data: {\"seq\":0}\n\n: heartbeat\n\nid: 7\nevent: e\n".utf8))
                    try await writer.write(Array("data: a\ndata: b\n\ndata:partial".utf8))
                }
            )
        }
        if path.hasPrefix("/chunked") {
            return HTTPServerResponse(
                status: 200,
                headers: ["Content-Type": "text/plain"],
                body: .stream { writer in
                    try await writer.write(Array("alpha ".utf8))
                    try await writer.write(request.body.isEmpty ? [0xC3] : request.body)
                }
            )
        }
        if path.hasPrefix("/cut") {
            return HTTPServerResponse(
                status: 200,
                headers: ["Content-Type": "application/octet-stream", "Content-Length": "100"],
                body: .stream { writer in
                    try await writer.write(Array(request.body.prefix(50)) + [0xFF])
                    throw CancellationError()
                }
            )
        }
        if path.hasPrefix("/nocontent") {
            return HTTPServerResponse(status: 204)
        }
        let echo = "{\"method\":\"\(request.head.method)\",\"body_bytes\":\(request.body.count)}"
        return HTTPServerResponse(
            status: 200,
            headers: ["Content-Type": "application/json"],
            body: .bytes(Array(echo.utf8))
        )
    }
}

let upstream = Upstream()

/// A new empty directory, in memory when the machine has `/dev/shm` (cassettes are synced to disk record by record).
private func temporaryDirectory() -> String {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let path = base + "/tdf-fuzz-proxy-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs `operation` on the cooperative pool and waits for its result on the calling thread, which is libFuzzer's
/// own and never one of the pool's.
private func waitFor<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
    let done = DispatchSemaphore(value: 0)
    let result = Mutex<T?>(nil)
    Task {
        let value = await operation()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0! }
}

private func text(_ bytes: some Collection<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self).debugDescription
}
