import Foundation
import HTTPTransport
import HTTPWire
import JSON
import Testing

@testable import StoriStack

/// A response read whole.
struct TestResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed with the order-keeping parser (nil when not JSON).
    var json: JSONValue? { try? JSONParser.parse(body, options: .python) }
}

/// A compose stream read to its end (or to where the connection broke).
struct TestStream {
    var status: Int
    var headers: HTTPHeaders
    var frames: [SSEFrame]
    /// The raw body bytes received.
    var raw: [UInt8]
    /// Set when the connection broke before the body ended.
    var brokeOff: Bool

    /// Every data frame parsed as an ordered object.
    var events: [JSONObject] {
        frames.compactMap { frame in
            if case .event(let event) = frame,
                case .object(let object)? = try? JSONParser.parse(event.data, options: .python)
            {
                return object
            }
            return nil
        }
    }

    /// The comment frames.
    var comments: [String] {
        frames.compactMap { if case .comment(let text) = $0 { text } else { nil } }
    }

    func events(_ type: String) -> [JSONObject] {
        events.filter { $0["type"] == .string(type) }
    }

    var types: [String] { events.compactMap { $0["type"]?.stringValue } }
}

/// A running stack plus a client, for one test.
struct TestStack {
    let stack: RunningStack
    let client: HTTPClient

    var maestro: String { stack.maestroURL }
    var storpheus: String { stack.storpheusURL }

    /// A token signed with the stack's secret.
    func token(subject: String? = "tester") -> String {
        stack.token(subject: subject)
    }

    func request(
        _ method: String,
        _ url: String,
        body: [UInt8]? = nil,
        headers: HTTPHeaders = HTTPHeaders()
    ) async throws -> TestResponse {
        let parsed = try #require(HTTPURL(string: url))
        let response = try await client.execute(
            HTTPClientRequest(method: method, url: parsed, headers: headers, body: body)
        )
        return TestResponse(status: response.status, headers: response.headers, body: try await response.body.collect())
    }

    func get(_ url: String, token: String? = nil) async throws -> TestResponse {
        var headers = HTTPHeaders()
        if let token { headers.append(name: "Authorization", value: "Bearer \(token)") }
        return try await request("GET", url, headers: headers)
    }

    func post(_ url: String, json: String, token: String? = nil) async throws -> TestResponse {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let token { headers.append(name: "Authorization", value: "Bearer \(token)") }
        return try await request("POST", url, body: Array(json.utf8), headers: headers)
    }

    func post(_ url: String, _ value: JSONValue, token: String? = nil) async throws -> TestResponse {
        try await post(url, json: JSONWriter.string(value), token: token)
    }

    /// POSTs to MUSE with a valid token.
    func muse(_ route: String, _ value: JSONValue) async throws -> TestResponse {
        try await post(maestro + "/api/v1/muse/" + route, value, token: token())
    }

    /// Opens a compose stream and reads it to the end.
    func compose(_ body: JSONValue, token: String? = nil, authorization: String? = nil) async throws -> TestStream {
        try await composeRaw(JSONWriter.bytes(body), token: token ?? self.token(), authorization: authorization)
    }

    /// Opens a compose stream with the prompt (and optional extra fields) and reads it to the end.
    func compose(
        prompt: String,
        conversationID: String? = nil,
        project: JSONValue? = nil,
        token: String? = nil
    )
        async throws -> TestStream
    {
        var body: JSONObject = ["prompt": .string(prompt), "mode": "generate"]
        body["conversationId"] = .optional(conversationID)
        body["project"] = project
        return try await compose(.object(body), token: token)
    }

    /// Opens a generating compose stream and reads it only up to its first event, keeping it open: while the
    /// returned stream lives, the composition occupies one of the user's slots.
    func openStream(prompt: String, token: String, conversationID: String? = nil) async throws -> HeldStream {
        let response = try await startCompose(prompt: prompt, token: token, conversationID: conversationID)
        var frames = response.body.sseFrames().makeAsyncIterator()
        while let frame = try await frames.next() {
            if case .event(let event) = frame {
                return HeldStream(firstEvent: try JSONParser.parse(event.data), frames: frames)
            }
        }
        return HeldStream(firstEvent: nil, frames: frames)
    }

    /// POSTs a compose and returns as soon as the response head arrives, leaving the stream to the caller.
    func startCompose(prompt: String, token: String, conversationID: String? = nil) async throws -> HTTPClientResponse {
        let url = try #require(HTTPURL(string: maestro + "/api/v1/maestro/stream"))
        var body: JSONObject = ["prompt": .string(prompt)]
        body["conversationId"] = .optional(conversationID)
        return try await client.execute(
            HTTPClientRequest(
                method: "POST",
                url: url,
                headers: ["Authorization": "Bearer \(token)"],
                body: JSONWriter.bytes(.object(body))
            )
        )
    }

    func composeRaw(_ body: [UInt8], token: String?, authorization: String? = nil) async throws -> TestStream {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let authorization {
            headers.append(name: "Authorization", value: authorization)
        } else if let token {
            headers.append(name: "Authorization", value: "Bearer \(token)")
        }
        let url = try #require(HTTPURL(string: maestro + "/api/v1/maestro/stream"))
        let response = try await client.execute(
            HTTPClientRequest(method: "POST", url: url, headers: headers, body: body)
        )
        var raw: [UInt8] = []
        var brokeOff = false
        do {
            for try await chunk in response.body { raw.append(contentsOf: chunk) }
        } catch {
            brokeOff = true
        }
        var parser = SSEParser()
        let frames = (try? parser.feed(raw[...])) ?? []
        return TestStream(
            status: response.status,
            headers: response.headers,
            frames: frames,
            raw: raw,
            brokeOff: brokeOff
        )
    }
}

/// The configuration tests start from: loopback port 0, a fast generator, no rate limit.
func testConfiguration(seed: UInt64 = 0) -> StackConfiguration {
    var configuration = StackConfiguration.ephemeral(seed: seed)
    configuration.generationLatencyMilliseconds = 1...4
    configuration.streamRateLimitPerMinute = 0
    return configuration
}

/// Starts a stack, runs `body`, and always shuts the stack down.
func withStack<T>(
    _ configuration: StackConfiguration = testConfiguration(),
    _ body: (TestStack) async throws -> T
) async throws -> T {
    let stack = try await Simulator.start(configuration)
    let client = HTTPClient(
        // Safety nets only: no test here is about the client's own timeouts, and a loaded machine is slow.
        configuration: HTTPClientConfiguration(connectTimeout: .seconds(60), readTimeout: .seconds(120))
    )
    let result: T
    do {
        result = try await body(TestStack(stack: stack, client: client))
    } catch {
        client.close()
        await stack.shutdown(gracePeriod: .milliseconds(100))
        throw error
    }
    client.close()
    await stack.shutdown(gracePeriod: .milliseconds(100))
    return result
}

/// A MAESTRO PROMPT for tests.
func maestroPrompt(
    mode: String = "compose",
    style: String = "boom bap",
    key: String = "Am",
    tempo: Int = 90,
    roles: [String],
    bars: Int = 2,
    extra: String = ""
) -> String {
    var lines = ["MAESTRO PROMPT", "Mode: \(mode)", "Style: \(style)", "Key: \(key)", "Tempo: \(tempo)"]
    if !roles.isEmpty { lines.append("Role: [\(roles.joined(separator: ", "))]") }
    lines += ["Constraints:", "  bars: \(bars)"]
    if !extra.isEmpty { lines.append(extra) }
    lines += ["Request: |", "  Test request."]
    return lines.joined(separator: "\n") + "\n"
}

/// The standard conversation id tests use.
let testConversation = "0b7f6c2e-3f1a-4c9d-8e21-4a6b7c8d9e0f"

extension JSONObject {
    /// The nested object at `key`.
    func object(_ key: String) -> JSONObject? { self[key]?.objectValue }
}

/// A compose stream read up to its first event and still open.
struct HeldStream {
    /// The first event, parsed.
    let firstEvent: JSONValue?
    var frames: SSEFrames.AsyncIterator

    /// The first event's `type`.
    var firstType: String? { firstEvent?["type"]?.stringValue }

    /// Reads the rest of the stream and returns its last event.
    mutating func lastEvent() async throws -> JSONValue? {
        var last = firstEvent
        while let frame = try await frames.next() {
            if case .event(let event) = frame { last = try JSONParser.parse(event.data) }
        }
        return last
    }
}
