import Cassettes
import Foundation
import HTTPTransport
import HTTPWire
import RecordingProxy
import Sockets
import TestSupport
import Testing
import Vocabulary

/// The documented fault table (Docs/cassette-format.md §3.2.4), row by row: what the client gets from `tdf proxy`
/// in record mode, the `fault` record the cassette keeps, and that replay serves the same fault at the same byte.
@Suite struct FaultMatrixTests {
    /// What a scripted upstream does with the one connection it accepts.
    enum Behaviour: Sendable, CustomStringConvertible {
        /// Nothing listens on the port.
        case refuse
        /// Reads the request, then closes without a byte.
        case closeAfterAccepting
        /// Writes these bytes, then resets the connection (RST).
        case resetAfterSending([UInt8])
        /// Writes these bytes, then stays silent until the proxy gives up.
        case stallAfterSending([UInt8])
        /// Writes these bytes, then closes.
        case closeAfterSending([UInt8])

        var description: String {
            switch self {
            case .refuse: "refuse"
            case .closeAfterAccepting: "close after accepting"
            case .resetAfterSending(let bytes): "reset after \(bytes.count) bytes"
            case .stallAfterSending(let bytes): "stall after \(bytes.count) bytes"
            case .closeAfterSending(let bytes): "close after \(bytes.count) bytes"
            }
        }
    }

    /// One row: the upstream's behaviour, and what the client and the cassette must show.
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let behaviour: Behaviour
        let kind: Fault.Kind
        /// The status the client gets; the body bytes it gets before the cut when the head had arrived.
        let status: Int
        /// The proxy's `X-TDF-Proxy-Error` code for a fault before the head; nil when the upstream's head got through.
        let proxyError: String?
        let bodyBeforeCut: String
        var testDescription: String { name }
    }

    static let sseHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    static let twoEventsAndAHalf = "data: {\"seq\":0}\n\ndata: {\"seq\":1}\n\ndata: {\"par"

    static func chunk(_ text: String) -> String { String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n" }

    static let rows: [Row] = [
        Row(
            name: "upstream refused",
            behaviour: .refuse,
            kind: .refused,
            status: 502,
            proxyError: "upstream_refused",
            bodyBeforeCut: ""
        ),
        Row(
            name: "accepts then closes",
            behaviour: .closeAfterAccepting,
            kind: .reset,
            status: 502,
            proxyError: "upstream_reset",
            bodyBeforeCut: ""
        ),
        Row(
            name: "resets mid-SSE",
            behaviour: .resetAfterSending(Array((sseHead + chunk(twoEventsAndAHalf)).utf8)),
            kind: .reset,
            status: 200,
            proxyError: nil,
            bodyBeforeCut: twoEventsAndAHalf
        ),
        Row(
            name: "stalls mid-SSE (timeout)",
            behaviour: .stallAfterSending(Array((sseHead + chunk("data: first\n\n")).utf8)),
            kind: .timeout,
            status: 200,
            proxyError: nil,
            bodyBeforeCut: "data: first\n\n"
        ),
        Row(
            name: "stalls before the head (timeout)",
            behaviour: .stallAfterSending([]),
            kind: .timeout,
            status: 504,
            proxyError: "upstream_timeout",
            bodyBeforeCut: ""
        ),
        Row(
            name: "malformed status line",
            behaviour: .closeAfterSending(Array("HTTP/1.1 2x0 Sure\r\nContent-Length: 2\r\n\r\nok".utf8)),
            kind: .malformed,
            status: 502,
            proxyError: "upstream_malformed",
            bodyBeforeCut: ""
        ),
        Row(
            name: "oversized header",
            behaviour: .closeAfterSending(
                Array(("HTTP/1.1 200 OK\r\nX-Padding: " + String(repeating: "a", count: 200_000) + "\r\n\r\n").utf8)
            ),
            kind: .malformed,
            status: 502,
            proxyError: "upstream_malformed",
            bodyBeforeCut: ""
        ),
        Row(
            name: "chunked body with a bad size",
            behaviour: .closeAfterSending(
                Array(
                    ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + chunk("hello ") + "zz\r\nworld\r\n0\r\n\r\n").utf8
                )
            ),
            kind: .malformed,
            status: 200,
            proxyError: nil,
            bodyBeforeCut: "hello "
        ),
    ]

    /// Each row: live client response, recorded fault (kind, byte offset, detail), and a replay identical to live.
    @Test(arguments: rows) func faultIsAnsweredRecordedAndReplayed(_ row: Row) async throws {
        let directory = try TemporaryDirectory()
        let upstream = try ScriptedUpstream(row.behaviour)
        let live: Fetched
        do {
            (live, _) = try await withProxy(
                proxyConfiguration(
                    .record,
                    directory: directory.url.path,
                    services: [("svc", upstream.url)],
                    upstreamTimeout: .milliseconds(400)
                )
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                return try await fetch(client, proxy.baseURL(for: "svc")!, "/fault", headers: tags("r_m", 0))
            }
            await upstream.finish()
        } catch {
            await upstream.finish()
            throw error
        }

        #expect(live.status == row.status)
        if let code = row.proxyError {
            #expect(live.headers["X-TDF-Proxy-Error"] == code)
            #expect(live.headers["Content-Type"] == "application/json")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(live.body)) as? [String: String])
            #expect(object["error"] == code)
            #expect(object["detail"]?.contains("svc upstream") == true, "\(object)")
            #expect(live.cut == nil)
        } else {
            #expect(live.text == row.bodyBeforeCut)
            #expect(live.cut != nil, "the client's stream was not cut where the upstream's broke")
        }

        let exchange = try #require(try recordedExchanges(in: directory.url.path)["r_m.jsonl.gz"]?.exchanges.first)
        let fault = try #require(exchange.fault, "no fault recorded")
        #expect(fault.kind == row.kind, "\(fault.detail)")
        #expect(fault.afterBytes == row.bodyBeforeCut.utf8.count)
        #expect(!fault.detail.isEmpty)
        #expect(exchange.response.status == row.status)
        #expect(exchange.response.bodyBytes == live.body)
        #expect((exchange.timing.ttfbMilliseconds == nil) == (row.proxyError != nil))

        let (replay, _) = try await withProxy(
            proxyConfiguration(.replay, directory: directory.url.path, services: [("svc", nil)])
        ) { proxy in
            let client = HTTPClient()
            defer { client.close() }
            return try await fetch(client, proxy.baseURL(for: "svc")!, "/fault", headers: tags("r_m", 0))
        }
        #expect(replay.status == live.status)
        #expect(replay.headers["X-TDF-Proxy-Error"] == live.headers["X-TDF-Proxy-Error"])
        #expect(replay.body == live.body)
        #expect((replay.cut != nil) == (live.cut != nil), "replay did not cut at the same byte")
    }
}

/// A raw TCP upstream that accepts one connection and misbehaves as told, so every byte the proxy sees is chosen.
private final class ScriptedUpstream: Sendable {
    let url: HTTPURL
    private let listener: Listener?
    private let script: Task<Void, Never>?

    init(_ behaviour: FaultMatrixTests.Behaviour) throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        url = HTTPURL(host: "127.0.0.1", port: listener.address.port)
        guard case .refuse = behaviour else {
            self.listener = listener
            // On the socket event loop, like the proxy: a cooperative pool busy with other suites could otherwise
            // hold the script back past the proxy's upstream timeout.
            script = Task(executorPreference: EventLoop.executor) { try? await Self.serveOnce(listener, behaviour) }
            return
        }
        listener.close()
        self.listener = nil
        script = nil
    }

    private static func serveOnce(_ listener: Listener, _ behaviour: FaultMatrixTests.Behaviour) async throws {
        let socket = try await listener.accept()
        defer { socket.close() }
        _ = try await socket.read(deadline: deadline(after: .seconds(5)))
        switch behaviour {
        case .refuse, .closeAfterAccepting:
            return
        case .resetAfterSending(let bytes):
            try await socket.write(bytes)
            try await Task.sleep(for: .milliseconds(20))
            socket.reset()
        case .stallAfterSending(let bytes):
            if !bytes.isEmpty { try await socket.write(bytes) }
            // Silent until the proxy's 400 ms upstream timeout closes its side.
            _ = try? await socket.read(deadline: deadline(after: .seconds(5)))
        case .closeAfterSending(let bytes):
            // The proxy may stop reading (and close) before all of an oversized head is written.
            try? await socket.write(bytes, deadline: deadline(after: .seconds(5)))
        }
    }

    /// Waits for the script to end and closes the listener.
    func finish() async {
        await script?.value
        listener?.close()
    }
}
