import Foundation
import Gzip
import HTTPTransport
import HTTPWire
import Synchronization
import TestSupport
import Testing

@testable import Harness

/// A small in-process HTTP service on 127.0.0.1 port 0 that answers with a test's handler and remembers every
/// request it saw.
final class FakeService: Sendable {
    let server: HTTPServer

    init(_ handler: @escaping @Sendable (HTTPServerRequest) async -> HTTPServerResponse) throws {
        let recorder = RequestRecorder()
        server = try HTTPServer { request in
            recorder.append(request)
            return await handler(request)
        }
        self.recorder = recorder
    }

    private let recorder: RequestRecorder

    /// Every request seen so far.
    var requests: [HTTPServerRequest] { recorder.all }

    var baseURL: String { server.baseURL }

    func stop() async {
        await server.shutdown(gracePeriod: .milliseconds(200))
    }
}

final class RequestRecorder: Sendable {
    private let list = Mutex<[HTTPServerRequest]>([])
    func append(_ request: HTTPServerRequest) { list.withLock { $0.append(request) } }
    var all: [HTTPServerRequest] { list.withLock { $0 } }
}

/// A JSON response from text.
func jsonResponse(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPServerResponse {
    .json(status: status, Array(text.utf8), headers: HTTPHeaders(headers))
}

/// A 200 JSON response from text.
func jsonResponse(_ text: String) -> HTTPServerResponse {
    jsonResponse(200, text)
}

/// An SSE response that writes `frames` (already framed text) one write each, with an optional pause between.
func sseResponse(_ frames: [String], pause: Duration = .zero) -> HTTPServerResponse {
    var headers = HTTPHeaders()
    headers.set(name: "Content-Type", value: "text/event-stream")
    return HTTPServerResponse(
        status: 200,
        headers: headers,
        body: .stream { writer in
            for frame in frames {
                try await writer.write(Array(frame.utf8))
                if pause > .zero { try await Task.sleep(for: pause) }
            }
        }
    )
}

/// A data frame for `object` (compact JSON text).
func dataFrame(_ json: String) -> String { "data: \(json)\n\n" }

/// A run context for client tests: the fake's URLs for every service, a temporary artifact directory.
struct ClientFixture {
    let directory: TemporaryDirectory
    let context: RunContext
    let token = "test.jwt.token-SECRET-value"

    /// The default read timeouts are safety nets only: a test whose subject is a timeout passes a short one.
    init(
        baseURL: String,
        maestroTimeout: Duration = .seconds(120),
        museTimeout: Duration = .seconds(120),
        retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)),
        scenario: Scenario = .minimal
    ) throws {
        directory = try TemporaryDirectory()
        let configuration = HarnessConfiguration(
            endpoints: try Endpoints(everyRoleAt: baseURL),
            outputDirectory: directory.path("out"),
            maestroTimeout: maestroTimeout,
            storpheusTimeout: .seconds(120),
            museTimeout: museTimeout,
            retry: retry
        )
        let store = try ArtifactStore(root: configuration.outputDirectory, secrets: [token])
        context = RunContext(
            identity: RunIdentity(index: 1, seed: 7),
            scenario: scenario,
            configuration: configuration,
            store: store,
            client: HTTPClient(),
            limits: ServiceLimits(maestro: 4, storpheus: 2),
            token: token
        )
    }

    /// The text of a file under the artifact directory; a payload's `relative` is its name without `.gz`, and its
    /// text is read decompressed.
    func file(_ relative: String) -> String? {
        artifactText(context.store.path(relative))
    }

    /// Every file's text under the artifact directory joined, gzip files decompressed (for secret greps).
    func allText() -> String {
        let root = context.store.root
        let names = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return names.compactMap { artifactText(root + "/" + $0.replacing(/\.gz$/, with: "")) }.joined(
            separator: "\n"
        )
    }
}

extension ClientFixture {
    /// One compose through the fixture's fake Maestro with a throwaway prompt and conversation.
    func composeOnce() async throws(HarnessError) -> ComposeResult {
        try await ComposeClient(context: context).compose(
            label: "compose",
            prompt: "p",
            project: nil,
            conversationID: "c"
        )
    }
}

extension Endpoints {
    /// Every role on one server, at the paths Maestro, Storpheus and MUSE use.
    init(everyRoleAt base: String) throws {
        let url = try #require(HTTPURL(string: base))
        self.init(
            prompts: url.with(target: "/api/v1/maestro/prompts"),
            maestro: url.with(target: "/api/v1/maestro/stream"),
            storpheus: url,
            muse: url.with(target: "/api/v1/muse")
        )
    }
}

/// The text of the artifact file at `path`, or of `path` + `.gz` decompressed (payloads are written compressed).
/// The lines of a line file (`events.jsonl`, …), sealed into `.gz` or plain; throws when there are none.
func lineFileText(_ path: String) throws -> String {
    guard let bytes = try SealedLineFile.contents(of: path) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
    }
    return String(decoding: bytes, as: UTF8.self)
}

func artifactText(_ path: String) -> String? {
    if let text = try? String(contentsOfFile: path, encoding: .utf8) { return text }
    guard let compressed = FileManager.default.contents(atPath: path + ".gz"),
        let bytes = try? GzipData.decompress(compressed)
    else { return nil }
    return String(validating: bytes, as: UTF8.self)
}
