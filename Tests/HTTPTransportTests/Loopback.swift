import Foundation
import HTTPTransport
import HTTPWire
import Sockets

/// A raw client connection for sending exactly the bytes a test wants, good or bad.
struct RawClient {
    let socket: Socket

    static func connect(to server: HTTPServer) async throws -> RawClient {
        RawClient(socket: try await Socket.connect(host: "127.0.0.1", port: server.address.port, timeout: .seconds(60)))
    }

    func send(_ text: String) async throws {
        try await socket.write(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await socket.write(bytes)
    }

    /// Reads until the server closes the connection (or the timeout passes).
    func readUntilClose(timeout: Duration = .seconds(60)) async throws -> String {
        var all: [UInt8] = []
        let limit = deadline(after: timeout)
        while true {
            let bytes = try await socket.read(deadline: limit)
            if bytes.isEmpty { return String(decoding: all, as: UTF8.self) }
            all.append(contentsOf: bytes)
        }
    }

    /// Reads exactly one response with a Content-Length or chunked body and returns its head and body.
    func readResponse(timeout: Duration = .seconds(60)) async throws -> (head: HTTPResponseHead, body: String) {
        var parser = HTTPResponseHeadParser()
        var pending: [UInt8] = []
        let limit = deadline(after: timeout)
        while true {
            if !pending.isEmpty, let (head, consumed) = try parser.feed(pending[...]) {
                pending.removeFirst(consumed)
                var decoder = HTTPBodyDecoder(framing: try BodyFraming.response(head, requestMethod: "GET"))
                var body: [UInt8] = []
                while !decoder.isComplete {
                    if pending.isEmpty {
                        pending = try await socket.read(deadline: limit)
                        if pending.isEmpty {
                            body += try decoder.finishAtEndOfInput().payload
                            break
                        }
                    }
                    let step = try decoder.feed(pending[...])
                    body += step.payload
                    pending.removeFirst(step.consumed)
                }
                return (head, String(decoding: body, as: UTF8.self))
            }
            pending.removeAll()
            let bytes = try await socket.read(deadline: limit)
            if bytes.isEmpty { throw SocketError.closed("response") }
            pending = bytes
        }
    }
}

/// Starts a server for one test and always shuts it down, even when the test fails.
func withServer<R>(
    _ configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
    handler: @escaping HTTPHandler,
    _ body: (HTTPServer) async throws -> R
) async throws -> R {
    let server = try HTTPServer(configuration: configuration, handler: handler)
    do {
        let result = try await body(server)
        await server.shutdown(gracePeriod: .seconds(1))
        return result
    } catch {
        await server.shutdown(gracePeriod: .seconds(1))
        throw error
    }
}

/// A handler that echoes method, target and body as JSON-ish text, for checking what arrived.
let echoHandler: HTTPHandler = { request in
    let text =
        "\(request.head.method) \(request.head.target) \(request.body.count) \(String(decoding: request.body, as: UTF8.self))"
    var headers = HTTPHeaders()
    headers.append(name: "Content-Type", value: "text/plain")
    headers.append(name: "X-Remote", value: request.remoteAddress)
    return HTTPServerResponse(status: 200, headers: headers, body: .bytes(Array(text.utf8)))
}

/// Parses the JSON body of an error response.
func jsonObject(_ text: String) -> [String: String]? {
    guard let data = text.data(using: .utf8),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return nil }
    return object.compactMapValues { $0 as? String }
}
