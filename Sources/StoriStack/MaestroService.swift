import Foundation
import HTTPTransport
import HTTPWire
import Hashing
import JSON
import Synchronization
import Vocabulary

/// Maestro's HTTP surface (service-contracts.md §1, §2, §3, §6) with MUSE mounted under `/api/v1/muse`.
final class MaestroService: Sendable {
    static let version = "0.1.4"

    private let configuration: StackConfiguration
    private let determinism: Determinism
    private let faults: FaultPlan
    /// The request-level faults of Maestro and MUSE.
    let gate: FaultGate
    private let store: MaestroStore
    private let bridge: StorpheusBridge
    private let muse: MuseRoutes
    private let storpheusURL: String
    private let composeCounters = ScopedCounters()
    /// Catalogue calls per caller (its `User-Agent`, else its `X-TDF-Run` tag), so each call draws the next sample.
    private let promptCalls = ScopedCounters()
    private let rateWindows = Mutex<[String: (start: ContinuousClock.Instant, count: Int)]>([:])
    private let activeCompositions = Mutex<[String: Int]>([:])

    init(
        configuration: StackConfiguration,
        determinism: Determinism,
        faults: FaultPlan,
        store: MaestroStore,
        bridge: StorpheusBridge,
        storpheusURL: String
    ) {
        self.configuration = configuration
        self.determinism = determinism
        self.faults = faults
        self.gate = FaultGate(plan: faults)
        self.store = store
        self.bridge = bridge
        self.muse = MuseRoutes(store: store)
        self.storpheusURL = storpheusURL
    }

    private var rateLimit: Int { faults.rateLimit ?? configuration.streamRateLimitPerMinute }
    private var compositionLimit: Int { faults.maxCompositions ?? configuration.concurrentCompositionsPerUser }

    func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse {
        let method = request.head.method
        let segments = RequestTarget.segments(of: request.head.path)
        guard segments.isEmpty || segments.count > 2 && segments[0] == "api" && segments[1] == "v1" else {
            return Reply.notFound
        }
        let rest = segments.isEmpty ? [] : Array(segments[2...])
        let isMuse = rest.first == "muse"
        let isHealth = rest.first == "health"
        guard let allowed = allowedMethod(rest) else { return Reply.notFound }
        // No route ends in a slash: Starlette redirects a known path written with one, whatever the method,
        // before routing, authentication or the body.
        if request.head.path.count > 1, request.head.path.hasSuffix("/") {
            var path = request.head.path
            while path.hasSuffix("/") { path.removeLast() }
            var location = "http://\(request.head.headers["Host"] ?? "127.0.0.1")" + path
            if let query = request.head.query, !query.isEmpty { location += "?" + query }
            return Reply.redirect(to: location)
        }
        guard method == allowed else { return Reply.methodNotAllowed(allowed: [allowed]) }
        if let rejection = await gate.admit(request, service: isMuse ? .muse : .maestro, spareErrors: isHealth) {
            return rejection
        }
        if segments.isEmpty {
            return Reply.json(200, ["service": "Maestro", "version": .string(Self.version), "docs": "/docs"])
        }
        switch rest {
        case ["health"]:
            return Reply.json(200, healthBody)
        case ["health", "full"]:
            var body = healthBody.objectValue ?? JSONObject()
            let storpheusUp = bridge.isHealthy
            body["status"] = storpheusUp ? "ok" : "degraded"
            body["dependencies"] = [
                "llm": ["status": "ok", "provider": "tdf-simulator"],
                "storpheus": ["status": storpheusUp ? "ok" : "unavailable", "url": .string(storpheusURL)],
            ]
            return Reply.json(200, .object(body))
        case ["maestro", "prompts"], ["prompts", "random"]:
            // A fresh sample per call, as on the real service. The sequence is kept per caller: a harness run names
            // itself in its `User-Agent` (the recording proxy keeps the `X-TDF-Run` tag to itself), so concurrent
            // runs sharing a stack, or a shard of them on a stack of its own, draw the same samples.
            let caller = request.head.headers["User-Agent"] ?? request.head.headers[RunTagHeader.run] ?? ""
            let items = PromptCatalogue.sample(
                determinism: determinism,
                caller: caller,
                call: promptCalls.next(caller)
            )
            return Reply.json(200, ["prompts": .array(items.map(\.json))])
        case ["maestro", "ui", "placeholders"]:
            return Reply.json(200, ["placeholders": .strings(PromptCatalogue.placeholders)])
        case ["protocol"]:
            return Reply.json(200, ProtocolDescription.summary)
        case ["protocol", "events.json"]:
            return Reply.json(200, ProtocolDescription.eventSchemas)
        case ["protocol", "schema.json"]:
            return Reply.json(200, ProtocolDescription.schema)
        case ["openapi.json"]:
            return Reply.json(200, ProtocolDescription.openAPI)
        default:
            break
        }
        if rest.count == 3, rest[0] == "maestro", rest[1] == "prompts" {
            guard let item = PromptCatalogue.item(id: rest[2]) else {
                return Reply.json(404, ["detail": .string("Prompt '\(rest[2])' not found.")])
            }
            return Reply.json(200, item.json)
        }

        // Authenticated routes: malformed JSON first, then the token, then the schema.
        // FastAPI parses a body only when it is declared as JSON (measured on MUSE; the compose route, left as it
        // was, still parses any body).
        let body =
            isMuse
            ? DecodedBody(request.body, contentType: request.head.headers["Content-Type"]) : DecodedBody(request.body)
        if case .invalid(let response) = body { return response }
        let claims: AccessToken.Claims
        switch authenticate(request) {
        case .success(let verified): claims = verified
        case .failure(let rejection): return rejection.response
        }
        if rest == ["validate-token"] {
            let now = Int(Date().timeIntervalSince1970)
            let expires = Date(timeIntervalSince1970: TimeInterval(claims.expiresAt))
            // Python's isoformat() of an aware UTC time, as the real service writes it: `+00:00`, not `Z`.
            let expiresAt = ISO8601DateFormatter().string(from: expires).replacingOccurrences(of: "Z", with: "+00:00")
            let budget = claims.subject == nil ? nil : faults.budget
            let body: JSONObject = [
                ("valid", true), ("expiresAt", .string(expiresAt)),
                ("expiresInSeconds", .int(max(0, claims.expiresAt - now))),
                ("budgetRemaining", budget.map(JSONValue.double) ?? .null),
                ("budgetLimit", budget == nil ? .null : 5.0),
            ]
            return Reply.json(200, .object(body))
        }
        if isMuse {
            return await muse.handle(
                method: method,
                rest: Array(rest.dropFirst()),
                query: request.head.query,
                body: body
            )
        }
        return await stream(request, body: body, claims: claims)
    }

    private var healthBody: JSONValue {
        [
            "status": "ok", "service": "Maestro", "version": .string(Self.version),
            "tagline": "the infinite music machine",
        ]
    }

    /// The one method a known route takes, or nil for an unknown route.
    private func allowedMethod(_ rest: [String]) -> String? {
        switch rest {
        case [], ["health"], ["health", "full"], ["maestro", "prompts"], ["maestro", "ui", "placeholders"],
            ["protocol"], ["protocol", "events.json"], ["protocol", "schema.json"], ["openapi.json"],
            ["validate-token"]:
            return "GET"
        case ["prompts", "random"]:
            return configuration.servesHarnessPromptRoute ? "GET" : nil
        case ["maestro", "stream"]:
            return "POST"
        default:
            if rest.count == 3, rest[0] == "maestro", rest[1] == "prompts" { return "GET" }
            if rest.first == "muse" { return MuseRoutes.method(of: Array(rest.dropFirst())) }
            return nil
        }
    }

    // MARK: - Authentication

    struct Rejection: Error {
        let response: HTTPServerResponse
    }

    private func authenticate(_ request: HTTPServerRequest) -> Result<AccessToken.Claims, Rejection> {
        let headers: HTTPHeaders = ["WWW-Authenticate": "Bearer"]
        func reject(_ status: Int, _ detail: String) -> Result<AccessToken.Claims, Rejection> {
            .failure(Rejection(response: Reply.json(status, ["detail": .string(detail)], headers: headers)))
        }
        let verdict = AccessToken.verify(
            authorization: request.head.headers["Authorization"],
            secret: configuration.jwtSecret,
            now: Int(Date().timeIntervalSince1970)
        )
        switch verdict {
        case .missing:
            return reject(401, "Access code required. Please provide a valid access code.")
        case .invalid:
            return reject(401, "Invalid or expired access code.")
        case .valid(let claims):
            switch faults.authFailure {
            case .invalid?: return reject(401, "Invalid or expired access code.")
            case .revoked?: return reject(401, "Access code has been revoked.")
            case .unavailable?: return reject(503, "Unable to verify token status. Please try again later.")
            case nil: return .success(claims)
            }
        }
    }

    // MARK: - The compose stream

    private func stream(
        _ request: HTTPServerRequest,
        body: DecodedBody,
        claims: AccessToken.Claims
    ) async
        -> HTTPServerResponse
    {
        let (parsed, validation) = ComposeRequest.validate(body)
        guard let compose = parsed else { return Reply.unprocessable(validation) }
        if rateLimit > 0 {
            let client = RequestTarget.clientHost(request.remoteAddress)
            let now = ContinuousClock.now
            let admitted = rateWindows.withLock { windows -> Bool in
                var window = windows[client] ?? (now, 0)
                if window.start.duration(to: now) >= .seconds(60) { window = (now, 0) }
                window.count += 1
                windows[client] = window
                return window.count <= rateLimit
            }
            if !admitted {
                return Reply.json(429, ["error": .string("Rate limit exceeded: \(rateLimit) per 1 minute")])
            }
        }
        if let budget = faults.budget, claims.subject != nil, budget < 0.01 {
            return Reply.json(
                402,
                ["detail": ["message": "Insufficient budget", "budgetRemaining": .double(budget)]]
            )
        }
        if case .storiHeader(let found) = PromptKind(text: compose.prompt) {
            return Reply.json(
                400,
                [
                    "detail": [
                        "error": "invalid_prompt",
                        "message": .string("Structured prompts must start with 'MAESTRO PROMPT'. Found: '\(found)'."),
                    ]
                ]
            )
        }
        let headers: HTTPHeaders = [
            "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", "Connection": "keep-alive",
            "X-Accel-Buffering": "no",
        ]
        let bodyDigest = Determinism.digest(request.body)
        return HTTPServerResponse(
            status: 200,
            headers: headers,
            body: .stream { [self] writer in
                try await self.produce(
                    writer: writer,
                    compose: compose,
                    subject: claims.subject,
                    bodyDigest: bodyDigest
                )
            }
        )
    }

    private func produce(
        writer: any HTTPBodyWriter,
        compose: ComposeRequest,
        subject: String?,
        bodyDigest: String
    )
        async throws
    {
        let stream = EventStream(writer: writer, cutAfter: faults.cutStreamAfter)
        let limit = compositionLimit
        if let subject, limit > 0 {
            let active = activeCompositions.withLock { active -> Int? in
                let current = active[subject, default: 0]
                if current >= limit { return current }
                active[subject] = current + 1
                return nil
            }
            if let active {
                try await stream.send(
                    "error",
                    ["message": .string("User \(subject) has \(active) active compositions (limit: \(limit))")]
                )
                try await stream.send(
                    "complete",
                    [
                        "success": false, "traceId": "composition-limit", "inputTokens": 0, "contextWindowTokens": 0,
                        "error": .string("Too many concurrent compositions (limit: \(limit))"),
                    ]
                )
                return
            }
        }
        defer {
            if let subject, limit > 0 {
                activeCompositions.withLock { active in
                    active[subject, default: 1] -= 1
                    if active[subject] == 0 { active[subject] = nil }
                }
            }
        }
        // The n-th identical request on this store key: unrelated streams never shift each other's ids.
        let storeKey = compose.storeKey
        let index = composeCounters.next(storeKey + "\u{1F}" + bodyDigest)
        let traceID = determinism.uuid("trace", storeKey, String(index), bodyDigest)
        let session = ComposeSession(
            request: compose,
            traceID: traceID,
            determinism: determinism,
            store: store,
            bridge: bridge,
            configuration: configuration,
            faults: faults,
            stream: stream
        )
        try await session.run()
    }
}
