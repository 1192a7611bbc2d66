import HTTPTransport

/// The contract-faithful simulator of the Stori backend: Maestro with MUSE on one listener, Storpheus on
/// another, all state in memory, everything derived from one seed.
///
/// It answers every endpoint of `service-contracts.md` with the documented statuses, bodies, key orders and event
/// orders. Where it deliberately differs from the real services, it is so that the same seed and the same requests give
/// the same bytes (apart from timing) and a compose takes well under a second:
/// - **Ids** (traceId, planId, track/region/note/phrase/variation ids, tool-call ids, Storpheus jobIds, MUSE merge
///   and checkout-event ids) are name-based UUIDs (version 8, not 4) of the seed, the request content and a counter
///   scoped to the store key, project or request, never a global counter, the clock or `UUID()`.
/// - **Times in bodies** are logical: MUSE `timestamp` is 2025-02-27T00:00:00Z plus one second per commit of the
///   project; Storpheus `elapsed` is 0.0 until a job ends, then its simulated generation time; `durationMs` is that
///   same simulated time. Token expiry is still checked against the wall clock.
/// - **Generation** is a seeded rule-based generator (style grooves, chord progressions, humanised timing), taking
///   30–150 ms per section by default instead of 30–120 s; Storpheus workers pause 0 s between jobs (real: 3 s).
/// - **Storpheus** has no fuzzy cache matching, writes `.mid` artifacts only (no audio, no plot), and writes them
///   for every `composition_id` that asked, including cache hits and deduplicated requests.
/// - **Prompts**: the sample of four depends on the seed and the request URL, not on chance; the harness's
///   `/api/v1/prompts/random` answers 404 as on the real server unless
///   ``StackConfiguration/servesHarnessPromptRoute`` is set.
/// - **Agents** are interleaved in one fixed order (the real order across agents is non-deterministic), and the
///   process-wide section-result cache of the real Maestro is not reproduced (each compose generates).
/// - **Routing** of natural language is a heuristic: questions take the reasoning path, anything else editing.
/// - **Faults** (``StackFault``) exist only here: latency, cold start, 5xx error rate, cut streams, failing or
///   absent Storpheus, forced auth failures, limit overrides and budgets, each decided from the seed.
public enum Simulator {
    /// Binds both listeners and starts serving. Fails with ``StackStartError`` when a port cannot be bound.
    public static func start(_ configuration: StackConfiguration) async throws(StackStartError) -> RunningStack {
        let determinism = Determinism(seed: configuration.seed)
        let faults = FaultPlan(faults: configuration.faults, determinism: determinism)
        let storpheus = Storpheus(configuration: configuration, determinism: determinism, faults: faults)
        let storpheusGate = FaultGate(plan: faults)
        let storpheusRoutes = StorpheusRoutes(storpheus: storpheus, gate: storpheusGate, faults: faults)
        let storpheusServer: HTTPServer
        do {
            storpheusServer = try HTTPServer(
                configuration: HTTPServerConfiguration(
                    host: configuration.storpheusHost,
                    port: configuration.storpheusPort,
                    policy: configuration.clientPolicy
                ),
                handler: { request in await storpheusRoutes.handle(request) }
            )
        } catch {
            throw StackStartError(
                service: "storpheus",
                address: "\(configuration.storpheusHost):\(configuration.storpheusPort)",
                reason: "\(error)"
            )
        }
        await storpheus.start()
        let store = MaestroStore(determinism: determinism)
        let bridge = StorpheusBridge(
            storpheus: storpheus,
            gate: storpheusGate,
            faults: faults,
            configuration: configuration,
            determinism: determinism
        )
        let maestro = MaestroService(
            configuration: configuration,
            determinism: determinism,
            faults: faults,
            store: store,
            bridge: bridge,
            storpheusURL: storpheusServer.baseURL
        )
        let maestroServer: HTTPServer
        do {
            maestroServer = try HTTPServer(
                configuration: HTTPServerConfiguration(
                    host: configuration.maestroHost,
                    port: configuration.maestroPort,
                    policy: configuration.clientPolicy
                ),
                handler: { request in await maestro.handle(request) }
            )
        } catch {
            await storpheus.stop()
            await storpheusServer.shutdown(gracePeriod: .zero)
            throw StackStartError(
                service: "maestro",
                address: "\(configuration.maestroHost):\(configuration.maestroPort)",
                reason: "\(error)"
            )
        }
        return RunningStack(
            configuration: configuration,
            maestroServer: maestroServer,
            storpheusServer: storpheusServer,
            storpheus: storpheus,
            gates: [maestro.gate, storpheusGate]
        )
    }
}

/// A started stack. Call ``shutdown(gracePeriod:)`` when done.
public final class RunningStack: Sendable {
    /// What the stack was started with.
    public let configuration: StackConfiguration
    /// Maestro's base URL (MUSE lives under it at `/api/v1/muse`), e.g. `http://127.0.0.1:10001`.
    public var maestroURL: String { maestroServer.baseURL }
    /// Storpheus's base URL, e.g. `http://127.0.0.1:10002`.
    public var storpheusURL: String { storpheusServer.baseURL }
    /// MUSE's base URL, `<maestroURL>/api/v1/muse`.
    public var museURL: String { maestroURL + "/api/v1/muse" }

    private let maestroServer: HTTPServer
    private let storpheusServer: HTTPServer
    private let storpheus: Storpheus
    private let gates: [FaultGate]

    init(
        configuration: StackConfiguration,
        maestroServer: HTTPServer,
        storpheusServer: HTTPServer,
        storpheus: Storpheus,
        gates: [FaultGate]
    ) {
        self.configuration = configuration
        self.maestroServer = maestroServer
        self.storpheusServer = storpheusServer
        self.storpheus = storpheus
        self.gates = gates
    }

    /// Mints an access token this stack accepts (HS256 with the stack's secret).
    public func token(subject: String? = nil, ttl: Int = 3600) -> String {
        AccessToken.mint(secret: configuration.jwtSecret, subject: subject, ttl: ttl)
    }

    /// Stops accepting, lets in-flight exchanges finish for up to `gracePeriod`, stops the Storpheus workers.
    ///
    /// Safe to call from a cancelled task: the work runs in a fresh task, because `HTTPServer.shutdown` polls with
    /// `Task.sleep`, which returns at once when cancelled (the wait would spin).
    public func shutdown(gracePeriod: Duration = .seconds(2)) async {
        let work = Task { [maestroServer, storpheusServer, storpheus, gates] in
            for gate in gates { gate.stop() }
            await storpheus.stop()
            async let maestro: Void = maestroServer.shutdown(gracePeriod: gracePeriod)
            async let storpheus: Void = storpheusServer.shutdown(gracePeriod: gracePeriod)
            _ = await (maestro, storpheus)
        }
        await work.value
    }
}

/// A stack that could not start: which service, where, and why.
public struct StackStartError: Error, Sendable, CustomStringConvertible {
    /// `maestro` or `storpheus`.
    public let service: String
    /// The `host:port` it tried to bind.
    public let address: String
    /// The underlying error.
    public let reason: String

    /// One line for the user.
    public var description: String { "cannot start \(service) on \(address): \(reason)" }
}
