import HTTPTransport
import HTTPWire
import JSON
import Testing

@testable import StoriStack

@Suite struct FaultTests {
    private static func configuration(_ specs: String...) throws -> StackConfiguration {
        var configuration = testConfiguration()
        configuration.faults = try specs.map { try StackFault(parsing: $0) }
        return configuration
    }

    /// Every documented spec parses and prints back; bad specs give one line naming the problem.
    @Test func parsesSpecs() throws {
        for spec in [
            "latency=200ms", "latency=storpheus:2s", "cold-start=2s", "error-rate=0.2", "error-rate=muse:0.5",
            "cut-stream=25", "storpheus-fail=1.0", "storpheus-down", "auth=401", "auth=revoked", "auth=503",
            "rate-limit=5", "max-compositions=1", "budget=0.0", "llm=unconfigured", "llm=unreachable",
        ] {
            #expect(try StackFault(parsing: spec).description == spec)
        }
        #expect(try StackFault(parsing: "latency=1.5s").kind == .latency(.milliseconds(1500)))
        for bad in [
            "latency", "latency=fast", "error-rate=2", "cut-stream=0", "auth=418", "warp=9", "cut-stream=maestro:3",
            "llm=down", "llm",
        ] {
            #expect(throws: StackFaultError.self) { try StackFault(parsing: bad) }
        }
        do {
            _ = try StackFault(parsing: "warp=9")
        } catch {
            #expect(error.message.hasPrefix("unknown fault 'warp=9'"))
            #expect(!error.message.contains("\n"))
        }
    }

    /// Added latency delays every response; cold start delays the first request of a service.
    @Test func latencyAndColdStart() async throws {
        let clock = ContinuousClock()
        try await withStack(try Self.configuration("latency=maestro:150ms", "cold-start=storpheus:300ms")) { stack in
            var start = clock.now
            _ = try await stack.get(stack.maestro + "/api/v1/health")
            #expect(start.duration(to: clock.now) >= .milliseconds(150))
            start = clock.now
            _ = try await stack.get(stack.storpheus + "/health")
            #expect(start.duration(to: clock.now) >= .milliseconds(300))
        }
    }

    private enum Outcome: Hashable {
        case answered(Int?)
        case shutDown
        case safetyNet
    }

    /// Cold start holds only the first request of a service, and shutdown ends a fault delay at once: of two requests
    /// sent together under a ten-minute cold start one is answered while the other is held, and shutting down then
    /// releases the held one. Only a minutes-long safety net bounds the waits; it never decides a healthy run.
    @Test func coldStartHoldsOnlyTheFirstRequestAndShutdownEndsIt() async throws {
        let stack = try await Simulator.start(try Self.configuration("cold-start=storpheus:600s"))
        let client = HTTPClient(configuration: HTTPClientConfiguration(readTimeout: .seconds(600)))
        defer { client.close() }
        let url = try #require(HTTPURL(string: stack.storpheusURL + "/health"))
        let outcomes = await withTaskGroup(of: Outcome.self) { group in
            for _ in 0..<2 {
                group.addTask { .answered(try? await client.execute(HTTPClientRequest(url: url)).status) }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: .seconds(120))
                    return .safetyNet
                } catch {
                    return .shutDown  // cancelled: the test is over
                }
            }
            var outcomes: [Outcome] = []
            if let first = await group.next() { outcomes.append(first) }
            // One request got through, so the other is the service's first and is held by the cold start.
            group.addTask {
                await stack.shutdown(gracePeriod: .seconds(60))
                return .shutDown
            }
            while outcomes.count < 3, let next = await group.next() { outcomes.append(next) }
            group.cancelAll()
            return outcomes
        }
        #expect(outcomes.first == .answered(200))
        #expect(Set(outcomes.dropFirst()) == [.answered(200), .shutDown])
    }

    /// The error rate fails a seed-determined subset of requests with a plain 500, the same subset on every stack.
    @Test func errorRateIsDeterministic() async throws {
        func outcomes() async throws -> [Int] {
            try await withStack(try Self.configuration("error-rate=storpheus:0.5")) { stack in
                var statuses: [Int] = []
                for index in 0..<24 {
                    statuses.append(try await stack.get(stack.storpheus + "/queue/status?probe=\(index)").status)
                }
                #expect(try await stack.get(stack.storpheus + "/health").status == 200)
                #expect(try await stack.get(stack.maestro + "/api/v1/maestro/prompts").status == 200)
                return statuses
            }
        }
        let first = try await outcomes()
        #expect(first == (try await outcomes()))
        #expect(first.contains(500))
        #expect(first.contains(200))
        #expect(Set(first) == [200, 500])
    }

    /// A cut stream ends after exactly N events with the connection closed and no `complete`.
    @Test func cutStreamStopsWithoutComplete() async throws {
        try await withStack(try Self.configuration("cut-stream=12")) { stack in
            let stream = try await stack.compose(prompt: maestroPrompt(roles: ["bass", "drums"]))
            #expect(stream.status == 200)
            #expect(stream.brokeOff)
            #expect(stream.events.count == 12)
            #expect(!stream.types.contains("complete"))
            #expect(try await stack.get(stack.maestro + "/api/v1/health").status == 200)
        }
    }

    /// Failing Storpheus jobs end `failed` on Storpheus and give a compose `toolError`s and `success:false`.
    @Test func storpheusJobFailure() async throws {
        try await withStack(try Self.configuration("storpheus-fail=1.0")) { stack in
            let job = try #require(try await stack.post(stack.storpheus + "/generate", ["bars": 1]).json)
            let id = try #require(job["jobId"]?.stringValue)
            let failed = try #require(try await stack.get(stack.storpheus + "/jobs/\(id)/wait?timeout=60").json)
            #expect(failed["status"] == "failed")
            #expect(failed["result"]?["success"] == .bool(false))
            #expect(failed["result"]?["metadata"] == .null)
            #expect(failed["error"]?.stringValue?.isEmpty == false)
            let stream = try await stack.compose(prompt: maestroPrompt(roles: ["bass", "drums"]))
            #expect(streamViolations(stream.events).isEmpty, "\(streamViolations(stream.events))")
            #expect(stream.events("toolError").count == 2)
            #expect(stream.events("toolError").allSatisfy { $0["name"] == "stori_generate_midi" })
            let complete = try #require(stream.events.last)
            #expect(complete["success"] == .bool(false))
            #expect(complete["error"] == nil)
            #expect((complete["warnings"]?.arrayValue?.count ?? 0) > 0)
            #expect(stream.events("done").first?["status"] == "failed")
        }
    }

    /// With Storpheus down, the compose emits `error` after pre-flight and ends meta/done/complete with
    /// `success:false` and no `error` field, in the real service's shape (measured): no plan step gets a terminal
    /// update, `error` has no `traceId`, `done` no `status`, `complete` no `warnings` and `inputTokens: 0`, and
    /// `meta` says "No notes generated". Storpheus routes answer 503.
    @Test func storpheusDownFailsAtPreflight() async throws {
        try await withStack(try Self.configuration("storpheus-down")) { stack in
            #expect(try await stack.get(stack.storpheus + "/queue/status").status == 503)
            let stream = try await stack.compose(prompt: maestroPrompt(roles: ["bass"]))
            #expect(streamViolations(stream.events).isEmpty, "\(streamViolations(stream.events))")
            let types = stream.types
            let errorIndex = try #require(types.firstIndex(of: "error"))
            #expect(types[errorIndex - 1] == "preflight")
            #expect(Array(types.suffix(3)) == ["meta", "done", "complete"])
            let complete = try #require(stream.events.last)
            #expect(complete["success"] == .bool(false))
            #expect(complete["error"] == nil)
            #expect(complete["phraseCount"] == .int(0))
            #expect(complete["totalChanges"] == .int(0))
            #expect(complete["warnings"] == nil)
            #expect(complete["inputTokens"] == .int(0))
            #expect(Array(types[errorIndex...]) == ["error", "meta", "done", "complete"])
            let error = try #require(stream.events("error").first)
            #expect(error["traceId"] == nil)
            #expect(
                error["message"]?.stringValue
                    == "Music generation service (Storpheus) is not responding. Cannot start composition — please "
                    + "verify Storpheus is running and retry."
            )
            #expect(stream.events("done").first?["status"] == nil)
            #expect(stream.events("meta").first?["aiExplanation"] == "No notes generated")
            let health = try await stack.get(stack.maestro + "/api/v1/health/full")
            #expect(health.json?["status"] == "degraded")
        }
    }

    /// Without a language model key every stream is `error` + `complete` with the real service's trace id
    /// `unhandled-error`; with a key but no route to the model, a stream that needs it (an edit) fails after its
    /// `state` and `status` (both measured against the real service).
    @Test func anUnavailableLanguageModelFailsStreamsAsTheRealServiceDoes() async throws {
        try await withStack(try Self.configuration("llm=unconfigured")) { stack in
            let stream = try await stack.compose(prompt: maestroPrompt(roles: ["bass"]))
            #expect(stream.types == ["error", "complete"])
            #expect(stream.events.first?["message"] == "OpenRouter API key not configured")
            let complete = try #require(stream.events.last)
            #expect(complete["traceId"] == "unhandled-error")
            #expect(complete["success"] == .bool(false))
            #expect(complete["contextWindowTokens"] == .int(0))
            #expect(complete["error"] == "OpenRouter API key not configured")
        }
        try await withStack(try Self.configuration("llm=unreachable")) { stack in
            let edit = try await stack.compose(
                prompt:
                    "MAESTRO PROMPT\nMode: edit\nSection: verse\nRole: [melody]\nRequest: |\n  Make the melody busier.\n"
            )
            #expect(edit.types == ["state", "status", "error", "complete"])
            #expect(edit.events.first?["intent"] == "mix.energy")
            #expect(edit.events.first?["confidence"] == .number("0.99"))
            #expect(edit.events("error").first?["message"] == "All connection attempts failed")
            #expect(edit.events("error").first?["traceId"] == edit.events.first?["traceId"])
            #expect(edit.events.last?["error"] == "All connection attempts failed")
        }
    }

    /// Storpheus latency also slows a compose, which Maestro drives in process; heartbeats keep it alive.
    @Test func storpheusLatencySlowsComposes() async throws {
        var configuration = try Self.configuration("latency=storpheus:200ms")
        configuration.heartbeatInterval = .milliseconds(60)
        try await withStack(configuration) { stack in
            let clock = ContinuousClock()
            let start = clock.now
            let stream = try await stack.compose(prompt: maestroPrompt(roles: ["bass"]))
            #expect(start.duration(to: clock.now) >= .milliseconds(200))
            #expect(!stream.comments.isEmpty)
            #expect(stream.events.last?["success"] == .bool(true))
        }
    }

    /// A client that hangs up mid-stream frees its composition slot, and the server keeps serving.
    @Test func hangUpFreesTheCompositionSlot() async throws {
        var configuration = testConfiguration()
        // Generation takes an hour, so only the hang-up itself can free the two slots within the test.
        configuration.generationLatencyMilliseconds = 3_600_000...3_600_000
        try await withStack(configuration) { stack in
            let token = stack.token(subject: "erin")
            for _ in 0..<2 {
                try await Self.readFirstFramesThenHangUp(stack, token: token)
            }
            // The server notices each hang-up on its own schedule: retry (up to a minute, a safety net for a
            // loaded machine) until two generating compositions held open at once both start normally, i.e. both
            // slots were freed.
            let clock = ContinuousClock()
            let giveUp = clock.now.advanced(by: .seconds(60))
            var firstEvents: [String?] = []
            while clock.now < giveUp {
                let first = try await stack.openStream(prompt: maestroPrompt(roles: ["bass"]), token: token)
                let second = try await stack.openStream(prompt: maestroPrompt(roles: ["bass"]), token: token)
                firstEvents = [first.firstType, second.firstType]
                withExtendedLifetime((first, second)) {}
                if firstEvents == ["state", "state"] { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(firstEvents == ["state", "state"])
        }
    }

    private static func readFirstFramesThenHangUp(_ stack: TestStack, token: String) async throws {
        let response = try await stack.startCompose(prompt: maestroPrompt(roles: ["drums"]), token: token)
        var frames = 0
        for try await _ in response.body.sseFrames() {
            frames += 1
            if frames == 3 { break }
        }
        #expect(frames == 3)
    }

    /// Rate-limit and concurrency overrides replace the configured limits.
    @Test func limitOverrides() async throws {
        try await withStack(try Self.configuration("rate-limit=1")) { (stack: TestStack) async throws in
            #expect(try await stack.compose(prompt: "What?").status == 200)
            #expect(
                try await stack.post(
                    stack.maestro + "/api/v1/maestro/stream",
                    ["prompt": "What?"],
                    token: stack.token()
                ).status == 429
            )
        }
        var configuration = try Self.configuration("max-compositions=1")
        // The first composition holds the only slot from its first event until it completes, seconds later.
        configuration.generationLatencyMilliseconds = 5_000...5_000
        try await withStack(configuration) { stack in
            var first = try await stack.openStream(prompt: maestroPrompt(roles: ["bass"]), token: stack.token())
            #expect(first.firstType == "state")
            let second = try await stack.compose(prompt: maestroPrompt(roles: ["drums"]))
            #expect(second.types == ["error", "complete"])
            #expect(try await first.lastEvent()?["type"] == "complete")
        }
    }
}
