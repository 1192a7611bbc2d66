public import HTTPTransport

/// Everything a simulated stack is started with: where it listens, its seed and secret, the faults to reproduce
/// and the knobs that make it fast enough for tests.
///
/// The defaults follow the real services (service-contracts.md §1.3, §3.3, §4.3) except where a knob's comment says
/// otherwise; those differences exist so a whole compose finishes in well under a second.
public struct StackConfiguration: Sendable {
    /// The numeric host Maestro (and MUSE) binds.
    public var maestroHost: String
    /// Maestro's port; 0 picks a free one. The real service uses 10001.
    public var maestroPort: Int
    /// The numeric host Storpheus binds.
    public var storpheusHost: String
    /// Storpheus's port; 0 picks a free one. The real service uses 10002.
    public var storpheusPort: Int
    /// The seed every id, note and fault decision derives from.
    public var seed: UInt64
    /// The HS256 secret access tokens are verified with (Maestro's `ACCESS_TOKEN_SECRET`).
    public var jwtSecret: String
    /// The failure modes to reproduce.
    public var faults: [StackFault]
    /// How long Storpheus takes per generation, in milliseconds; each job's time is drawn from this range by
    /// hashing the seed and the request. The real service takes 30–120 s per compose; the default is 30–150 ms.
    public var generationLatencyMilliseconds: ClosedRange<Int>
    /// How long a compose stream may be silent during generation before a `: heartbeat` comment (real: 8 s).
    public var heartbeatInterval: Duration
    /// How long a compose stream may be silent during generation before a `status` event saying how many agents
    /// are working (real: 15 s).
    public var silenceStatusInterval: Duration
    /// Compose streams allowed per client IP per minute, fixed window (real: 20); 0 turns the limit off.
    public var streamRateLimitPerMinute: Int
    /// Concurrent compositions per token subject (real: 2); 0 turns the limit off.
    public var concurrentCompositionsPerUser: Int
    /// Storpheus jobs that may wait in the queue before `/generate` answers 503 (real: 20).
    public var storpheusQueueSize: Int
    /// Storpheus workers generating at once (real: 1).
    public var storpheusWorkers: Int
    /// The pause each Storpheus worker takes after a job. The real service pauses 3 s; the simulator defaults to
    /// none, so back-to-back compositions are not throttled (set it to 3 s to reproduce the real pacing).
    public var storpheusCooldown: Duration
    /// How long finished Storpheus jobs stay queryable before `/jobs/{id}` says 404 (real: about 300 s).
    public var jobRetention: Duration
    /// Whether `GET /api/v1/prompts/random` serves the catalogue like `/api/v1/maestro/prompts`. The real server
    /// has no such route (404, measured), and neither has the simulator unless this is true: a client that calls it,
    /// as the earlier harness did by default, must see the failure it would see in production.
    public var servesHarnessPromptRoute: Bool
    /// How both listeners treat slow, idle and numerous clients.
    public var clientPolicy = ClientPolicy()

    /// A configuration with the real ports, seed 0, the development secret and the fast defaults.
    public init(
        maestroHost: String = "127.0.0.1",
        maestroPort: Int = 10001,
        storpheusHost: String = "127.0.0.1",
        storpheusPort: Int = 10002,
        seed: UInt64 = 0,
        jwtSecret: String = AccessToken.developmentSecret,
        faults: [StackFault] = [],
        generationLatencyMilliseconds: ClosedRange<Int> = 30...150,
        heartbeatInterval: Duration = .seconds(8),
        silenceStatusInterval: Duration = .seconds(15),
        streamRateLimitPerMinute: Int = 20,
        concurrentCompositionsPerUser: Int = 2,
        storpheusQueueSize: Int = 20,
        storpheusWorkers: Int = 1,
        storpheusCooldown: Duration = .zero,
        jobRetention: Duration = .seconds(300),
        servesHarnessPromptRoute: Bool = false
    ) {
        self.maestroHost = maestroHost
        self.maestroPort = maestroPort
        self.storpheusHost = storpheusHost
        self.storpheusPort = storpheusPort
        self.seed = seed
        self.jwtSecret = jwtSecret
        self.faults = faults
        self.generationLatencyMilliseconds = generationLatencyMilliseconds
        self.heartbeatInterval = heartbeatInterval
        self.silenceStatusInterval = silenceStatusInterval
        self.streamRateLimitPerMinute = streamRateLimitPerMinute
        self.concurrentCompositionsPerUser = concurrentCompositionsPerUser
        self.storpheusQueueSize = storpheusQueueSize
        self.storpheusWorkers = storpheusWorkers
        self.storpheusCooldown = storpheusCooldown
        self.jobRetention = jobRetention
        self.servesHarnessPromptRoute = servesHarnessPromptRoute
    }

    /// A configuration for tests: both services on loopback port 0, otherwise the defaults.
    public static func ephemeral(seed: UInt64 = 0) -> StackConfiguration {
        StackConfiguration(maestroPort: 0, storpheusPort: 0, seed: seed)
    }

    /// The stack `tdf run --stack embedded` starts: free loopback ports, seeded like the batch, with the compose
    /// stream's rate limit off (a batch opens streams far faster than one person would), and `faults` injected.
    public static func embedded(seed: UInt64, faults: [StackFault] = []) -> StackConfiguration {
        var configuration = ephemeral(seed: seed)
        configuration.streamRateLimitPerMinute = 0
        configuration.faults = faults
        return configuration
    }
}

/// The faults of a configuration, resolved into the questions the services ask.
struct FaultPlan: Sendable {
    let faults: [StackFault]
    let determinism: Determinism

    private func applies(_ fault: StackFault, to service: StackFault.Service) -> Bool {
        guard let scope = fault.service else { return true }
        if scope == service { return true }
        return scope == .maestro && service == .muse
    }

    /// The added latency for a request to `service`.
    func latency(for service: StackFault.Service) -> Duration {
        faults.reduce(.zero) { total, fault in
            if case .latency(let duration) = fault.kind, applies(fault, to: service) { return total + duration }
            return total
        }
    }

    /// The cold-start delay for the first request to `service`.
    func coldStart(for service: StackFault.Service) -> Duration {
        faults.reduce(.zero) { total, fault in
            if case .coldStart(let duration) = fault.kind, applies(fault, to: service) { return total + duration }
            return total
        }
    }

    /// Whether the request with `key`, seen `occurrence` times before, fails with a 500.
    func failsWithServerError(service: StackFault.Service, key: String, occurrence: Int) -> Bool {
        for fault in faults {
            guard case .errorRate(let rate) = fault.kind, applies(fault, to: service), rate > 0 else { continue }
            if determinism.unit("error-rate", service.rawValue, key, String(occurrence)) < rate { return true }
        }
        return false
    }

    /// After how many data frames compose streams are cut, if at all.
    var cutStreamAfter: Int? {
        faults.compactMap { if case .cutStream(let count) = $0.kind { count } else { nil } }.min()
    }

    /// Whether the Storpheus job for `key` (its `occurrence`-th submission) fails.
    func storpheusJobFails(key: String, occurrence: Int) -> Bool {
        for fault in faults {
            guard case .storpheusJobFailure(let rate) = fault.kind, rate > 0 else { continue }
            if determinism.unit("storpheus-fail", key, String(occurrence)) < rate { return true }
        }
        return false
    }

    /// Whether Storpheus is down.
    var storpheusDown: Bool {
        faults.contains { $0.kind == .storpheusDown }
    }

    /// The forced authentication failure, if any.
    var authFailure: StackFault.AuthFailure? {
        for fault in faults { if case .auth(let failure) = fault.kind { return failure } }
        return nil
    }

    /// The rate limit override, if any.
    var rateLimit: Int? {
        for fault in faults { if case .rateLimit(let count) = fault.kind { return count } }
        return nil
    }

    /// The concurrency limit override, if any.
    var maxCompositions: Int? {
        for fault in faults { if case .maxCompositions(let count) = fault.kind { return count } }
        return nil
    }

    /// How the language model is unavailable, if it is.
    var llmFailure: StackFault.LLMFailure? {
        for fault in faults { if case .llm(let failure) = fault.kind { return failure } }
        return nil
    }

    /// The budget every user has, if one was set.
    var budget: Double? {
        for fault in faults { if case .budget(let dollars) = fault.kind { return dollars } }
        return nil
    }
}
