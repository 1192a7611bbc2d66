import Foundation
import HTTPTransport
import HTTPWire
import JSON
import Synchronization
import Vocabulary

extension Endpoints.Role {
    /// The role as the envelope's `component` and the metrics' `service` tag name it: `prompt_service`, `maestro`,
    /// `storpheus`, `muse`.
    var componentName: String { self == .prompts ? "prompt_service" : rawValue }

    /// Whether requests carry the JWT (Maestro's stream and MUSE only; service-contracts.md §1.1).
    var needsToken: Bool { self == .maestro || self == .muse }
}

/// A whole (non-streamed) answer.
struct Reply: Sendable {
    /// The status code.
    var status: Int
    /// The headers.
    var headers: HTTPHeaders
    /// The body bytes.
    var body: [UInt8]

    /// The body as JSON, if it is.
    var json: JSONValue? { try? JSONParser.parse(body, options: .python) }

    /// The body as text (lossy).
    var text: String { String(decoding: body, as: UTF8.self) }

    /// What the service said went wrong: FastAPI's `detail` (string, or object as JSON), else `error`, else the body.
    var serviceMessage: String {
        if let json {
            if let detail = json["detail"] {
                if let text = detail.stringValue { return text }
                if let message = detail["message"]?.stringValue { return message }
                return detail.compactText
            }
            if let error = json["error"]?.stringValue { return error }
        }
        let text = self.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : String(text.prefix(300))
    }
}

/// Shared limits of a batch: the Maestro and Storpheus semaphores.
final class ServiceLimits: Sendable {
    /// Compose streams open at once.
    let maestro: AsyncSemaphore
    /// Storpheus requests at once.
    let storpheus: AsyncSemaphore

    init(maestro: Int, storpheus: Int) {
        self.maestro = AsyncSemaphore(permits: maestro)
        self.storpheus = AsyncSemaphore(permits: storpheus)
    }
}

/// Everything one run uses: its identity and scenario, the HTTP client, the token, the artifact store, the per-run
/// request counter behind `X-TDF-Ordinal`, and the spans of the event envelope.
final class RunContext: Sendable {
    let identity: RunIdentity
    let scenario: Scenario
    let configuration: HarnessConfiguration
    let store: ArtifactStore
    let client: HTTPClient
    let limits: ServiceLimits
    private let token: String?
    /// Tells the batch's progress that the run waits before a retry.
    let announceWait: @Sendable (RunWait) -> Void
    private let state = Mutex(MutableState())

    private struct MutableState {
        var ordinal = 0
        var spans = 1
        var stepSpan: String?
        var closed = false
        var step = "start"
    }

    init(
        identity: RunIdentity,
        scenario: Scenario,
        configuration: HarnessConfiguration,
        store: ArtifactStore,
        client: HTTPClient,
        limits: ServiceLimits,
        token: String?,
        announceWait: @escaping @Sendable (RunWait) -> Void = { _ in }
    ) {
        self.identity = identity
        self.scenario = scenario
        self.configuration = configuration
        self.store = store
        self.client = client
        self.limits = limits
        self.token = token
        self.announceWait = announceWait
    }

    var runID: String { identity.runID }

    /// The run's root span.
    var rootSpan: String { identity.spanID(1) }

    /// Stops all further writes of this run (after a timeout, late steps must not write).
    func close() {
        state.withLock { $0.closed = true }
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Starts a step: a new span under the root span; returns its id.
    @discardableResult
    func beginStep(_ name: String) -> String {
        let span = state.withLock { state -> String in
            state.spans += 1
            let span = identity.spanID(state.spans)
            state.stepSpan = span
            state.step = name
            return span
        }
        emit(.client, "step_start", data: ["step": .string(name)])
        return span
    }

    /// The name of the current step.
    var currentStep: String { state.withLock { $0.step } }

    /// The next request ordinal of the run (1 for the first request).
    func nextOrdinal() -> Int {
        state.withLock { state in
            state.ordinal += 1
            return state.ordinal
        }
    }

    // MARK: Events, metrics, logs

    /// Component names of the envelope.
    enum Component: String {
        case client, maestro, storpheus, muse
        case prompts = "prompt_service"

        init(_ service: Endpoints.Role) {
            switch service {
            case .prompts: self = .prompts
            case .maestro: self = .maestro
            case .storpheus: self = .storpheus
            case .muse: self = .muse
            }
        }
    }

    /// Appends one envelope to `events.jsonl`.
    func emit(
        _ component: Component,
        _ eventType: String,
        severity: String = "INFO",
        tags: JSONObject = JSONObject(),
        data: JSONObject = JSONObject()
    ) {
        guard !isClosed else { return }
        let span = state.withLock { $0.stepSpan } ?? rootSpan
        let envelope: JSONValue = [
            "ts": .string(Timestamp.now().description),
            "run_id": .string(runID),
            "scenario": .string(scenario.name),
            "component": .string(component.rawValue),
            "event_type": .string(eventType),
            "trace_id": .string(identity.traceID),
            "span_id": .string(span),
            "parent_span_id": span == rootSpan ? .null : .string(rootSpan),
            "severity": .string(severity),
            "tags": .object(tags),
            "data": .object(data),
        ]
        store.appendLine(json: envelope, to: ArtifactLayout.eventsName)
    }

    /// Appends one metric to `metrics.jsonl`.
    func metric(_ name: String, _ value: Double, unit: String, tags: JSONObject = JSONObject()) {
        guard !isClosed else { return }
        let line: JSONValue = [
            "ts": .string(Timestamp.now().description),
            "run_id": .string(runID),
            "scenario": .string(scenario.name),
            "name": .string(name),
            "value": .double(value),
            "unit": .string(unit),
            "tags": .object(tags),
        ]
        store.appendLine(json: line, to: ArtifactLayout.metricsName)
    }

    /// Appends one JSON line to `logs/client.log`.
    func log(_ level: String, _ message: String, fields: JSONObject = JSONObject()) {
        guard !isClosed else { return }
        if level == "DEBUG" && !configuration.verbose { return }
        var line: JSONObject = [
            "ts": .string(Timestamp.now().description), "level": .string(level), "run_id": .string(runID),
            "step": .string(currentStep), "message": .string(message),
        ]
        line.merge(fields)
        store.appendLine(json: .object(line), to: ArtifactLayout.clientLogName)
    }

    /// Writes a payload file under `payloads/<kind>/`, named `<run id>_<name>.json.gz` (indented JSON, gzip).
    func payload(_ kind: ArtifactLayout.PayloadKind, _ name: String, json: JSONValue) {
        payload(kind, name + ".json", text: JSONWriter.string(json, style: .pretty) + "\n")
    }

    /// Writes a text payload file under `payloads/<kind>/`, named `<run id>_<name>.gz` (gzip).
    func payload(_ kind: ArtifactLayout.PayloadKind, _ name: String, text: String) {
        guard !isClosed else { return }
        try? store.writeCompressed(text, to: ArtifactLayout.payloadName(kind, run: runID, name: name))
    }

    // MARK: Requests

    /// Builds a request with the run headers (`X-TDF-Run`, `X-TDF-Ordinal`) and, for Maestro and MUSE, the token.
    /// `User-Agent: tdf (run r_000001)` names the run to the service itself, since the recording proxy keeps the
    /// tags to itself: service logs can be matched with runs, and the simulator draws each run's prompt samples
    /// from a sequence of its own.
    func makeRequest(
        _ service: Endpoints.Role,
        method: String,
        url: HTTPURL,
        body: JSONValue?,
        accept: String = "application/json"
    ) -> (request: HTTPClientRequest, ordinal: Int) {
        let ordinal = nextOrdinal()
        var headers = HTTPHeaders()
        headers.append(name: "Accept", value: accept)
        headers.append(name: "User-Agent", value: "tdf (run \(runID))")
        if body != nil { headers.append(name: "Content-Type", value: "application/json") }
        headers.append(name: RunTagHeader.run, value: runID)
        headers.append(name: RunTagHeader.ordinal, value: String(ordinal))
        headers.append(name: RunTagHeader.step, value: currentStep)
        if service.needsToken, let token { headers.append(name: "Authorization", value: "Bearer \(token)") }
        return (HTTPClientRequest(method: method, url: url, headers: headers, body: body?.compactBytes), ordinal)
    }

    /// Sends a request, retrying 429 and 503 with bounded backoff (honouring `Retry-After`), and returns the
    /// response at its head. Transport failures become ``HarnessError``s of the service's kind (timeouts of kind
    /// `timeout`).
    func send(
        _ service: Endpoints.Role,
        method: String,
        url: HTTPURL,
        body: JSONValue?,
        readTimeout: Duration,
        accept: String = "application/json"
    ) async throws(HarnessError) -> (response: HTTPClientResponse, ordinal: Int) {
        var attempt = 1
        while true {
            let (request, ordinal) = makeRequest(service, method: method, url: url, body: body, accept: accept)
            let started = ContinuousClock.now
            log(
                "DEBUG",
                "-> \(method) \(url.target)",
                fields: ["service": .string(service.componentName), "ordinal": .int(ordinal)]
            )
            emit(
                Component(service),
                "http_request",
                data: [
                    "method": .string(method), "target": .string(url.target), "ordinal": .int(ordinal),
                    "attempt": .int(attempt),
                ]
            )
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, readTimeout: readTimeout)
            } catch {
                let kind: HarnessError.Kind =
                    (error.kind == .readTimeout || error.kind == .connectTimeout) ? .timeout : Self.kind(of: service)
                emit(
                    Component(service),
                    "http_error",
                    severity: "ERROR",
                    data: [
                        "ordinal": .int(ordinal), "error": .string(error.kind.description),
                        "detail": .string(error.description),
                    ]
                )
                throw HarnessError(
                    kind,
                    "\(service.componentName): \(method) \(url.target): \(error.kind): \(error.detail)"
                )
            }
            let elapsed = (ContinuousClock.now - started).wholeMilliseconds
            log("DEBUG", "<- \(response.status) \(method) \(url.target)", fields: ["ordinal": .int(ordinal)])
            emit(
                Component(service),
                "http_response",
                data: ["ordinal": .int(ordinal), "status": .int(response.status), "ttfb_ms": .int(elapsed)]
            )
            metric("http_ttfb_ms", Double(elapsed), unit: "ms", tags: ["service": .string(service.componentName)])
            guard response.status == 429 || response.status == 503, attempt < configuration.retry.maxAttempts else {
                return (response, ordinal)
            }
            let drained = try? await response.body.collect()
            let delay = configuration.retry.delay(retry: attempt, retryAfter: response.headers["Retry-After"])
            let reply = Reply(status: response.status, headers: response.headers, body: drained ?? [])
            log(
                "WARN",
                "\(service.componentName) answered \(response.status); retrying in \(delay.secondsValue) s",
                fields: ["service_message": .string(reply.serviceMessage)]
            )
            emit(
                Component(service),
                "http_retry",
                severity: "WARN",
                data: [
                    "ordinal": .int(ordinal), "status": .int(response.status),
                    "delay_ms": .int(delay.wholeMilliseconds), "message": .string(reply.serviceMessage),
                ]
            )
            announceWait(
                RunWait(
                    runID: runID,
                    delay: delay,
                    reason: "\(service.componentName) answered \(response.status): \(reply.serviceMessage)"
                )
            )
            do {
                try await configuration.retry.wait(delay)
            } catch {
                throw HarnessError(.timeout, "\(service.componentName): cancelled while waiting to retry")
            }
            attempt += 1
        }
    }

    /// Sends a request and reads the whole answer (any status; the caller decides what is an error).
    func fetch(
        _ service: Endpoints.Role,
        method: String,
        url: HTTPURL,
        body: JSONValue? = nil,
        readTimeout: Duration
    ) async throws(HarnessError) -> (reply: Reply, ordinal: Int) {
        let (response, ordinal) = try await send(
            service,
            method: method,
            url: url,
            body: body,
            readTimeout: readTimeout
        )
        do {
            let bytes = try await response.body.collect()
            return (Reply(status: response.status, headers: response.headers, body: bytes), ordinal)
        } catch {
            let timedOut = (error as? HTTPClientError)?.kind == .readTimeout
            throw HarnessError(
                timedOut ? .timeout : Self.kind(of: service),
                "\(service.componentName): \(method) \(url.target): reading the body failed: \(error)"
            )
        }
    }

    static func kind(of service: Endpoints.Role) -> HarnessError.Kind {
        switch service {
        case .prompts: .prompt
        case .maestro: .maestro
        case .storpheus: .storpheus
        case .muse: .muse
        }
    }
}
