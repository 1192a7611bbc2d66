import HTTPTransport
public import Harness
public import RecordingProxy
import StoriStack
import Synchronization
import Vocabulary

/// One `tdf run` batch against live services (or the embedded simulator): the services are checked, the simulator
/// started when asked, the proxy put in front of them when recording, the harness run, and everything stopped.
public struct LiveBatch: Sendable {
    /// The batch: runs, seed, endpoints, output directory, `stack` and `record`.
    public var configuration: HarnessConfiguration
    /// The JWT sent to Maestro and MUSE; ignored with the embedded stack, which gets a token it accepts.
    public var token: String?
    /// The version written into the artifact tree and the cassettes.
    public var toolVersion: String

    /// Stops the batch early when interrupted; nil: it runs to the end.
    public var interruption: BatchInterruption?
    /// The command line and commit the manifest records.
    public var provenance = BatchProvenance()

    /// A batch of `configuration`, sending `token`.
    public init(_ configuration: HarnessConfiguration, token: String?, toolVersion: String = Release.version) {
        self.configuration = configuration
        self.token = token
        self.toolVersion = toolVersion
    }

    /// What a batch reports while it works.
    public enum Event: Sendable {
        /// The embedded simulator is up at these base URLs.
        case simulatorStarted(maestro: String, storpheus: String)
        /// The proxy said something a person should see (a recording failure, a cassette it could not finish).
        case proxyLine(String)
        /// The runs are about to start.
        case runsStarting
        /// A run started, waits before a retry, or finished.
        case batch(BatchEvent)
    }

    /// What a finished batch produced.
    public struct Outcome: Sendable {
        /// Every run's summary.
        public let result: BatchResult
        /// The recording proxy's report; nil with `record` off.
        public let proxyReport: ProxyReport?
        /// Whether the batch was interrupted: runs in flight ended `interrupted` and later runs never started.
        public let interrupted: Bool
    }

    /// Why a batch could not run (failed runs are not errors: they are in the outcome).
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The output directory cannot be used.
        case unusableOutput(OutputDirectoryProblem)
        /// A service cannot be reached before any run.
        case unreachable(String)
        /// The embedded simulator could not start.
        case simulator(String)
        /// The recording proxy could not start.
        case proxy(ProxyError)
        /// The artifacts could not be written.
        case artifacts(String)

        /// One line.
        public var description: String {
            switch self {
            case .unusableOutput(let problem): problem.description
            case .unreachable(let problem):
                "\(problem) before any run; start the stack, fix the URL, or use the embedded stack"
            case .simulator(let problem): problem
            case .proxy(let error): "cannot start the recording proxy: \(error)"
            case .artifacts(let problem): "cannot write the artifacts: \(problem)"
            }
        }
    }

    /// Runs the batch; `events` hears about it as it goes.
    public func run(events: @escaping @Sendable (Event) -> Void = { _ in }) async throws(Failure) -> Outcome {
        var configuration = configuration
        if let problem = HarnessRunner.outputProblem(configuration.outputDirectory) { throw .unusableOutput(problem) }
        var token = token
        var stack: RunningStack?
        switch configuration.stack {
        case nil:
            if let problem = await ServiceReachability.firstProblem(reaching: configuration.endpoints) {
                throw .unreachable(problem)
            }
        case .embedded:
            let started = try await Self.startSimulator(seed: configuration.seed, endpoints: configuration.endpoints)
            (stack, configuration.endpoints, token) = (started.stack, started.endpoints, started.token)
            events(.simulatorStarted(maestro: started.stack.maestroURL, storpheus: started.stack.storpheusURL))
        }
        // config.json names the services' own URLs (the simulator's when embedded), not the proxy's loopback ports.
        let described = configuration
        var proxy: ProxyServer?
        if configuration.record {
            let routing = EndpointRouting(configuration.endpoints, forwarding: true)
            do {
                let server = try await ProxyServer.start(
                    ProxyConfiguration(
                        mode: .record,
                        cassetteDirectory: ArtifactLayout(root: configuration.outputDirectory).cassettesDirectory,
                        services: routing.services,
                        upstreamTimeout: max(configuration.maestroTimeout, configuration.storpheusTimeout)
                            + .seconds(30),
                        gracePeriod: .seconds(2),
                        toolVersion: toolVersion,
                        log: { line in events(.proxyLine(line)) }
                    )
                )
                configuration.endpoints = routing.rewrite(configuration.endpoints, through: server)
                proxy = server
            } catch {
                await stack?.shutdown()
                throw .proxy(error)
            }
        }
        var runner = HarnessRunner(configuration: configuration, token: token, toolVersion: toolVersion)
        runner.describedConfiguration = described
        runner.provenance = provenance
        if let proxy {
            runner.onRunFinished = { runID in
                if let run = try? RunID(validating: runID) { _ = try? proxy.finishRun(run) }
            }
        }
        events(.runsStarting)
        // The runs go in a task of their own, so an interruption cancels them and not the shutdown below, which
        // finishes every cassette.
        let harness = runner
        let batch = Task { () -> Result<BatchResult, HarnessError> in
            do throws(HarnessError) {
                return .success(try await harness.run { event in events(.batch(event)) })
            } catch {
                return .failure(error)
            }
        }
        interruption?.whenInterrupted { batch.cancel() }
        let ran = await batch.value
        let report = await proxy?.shutdown()
        await stack?.shutdown()
        switch ran {
        case .success(let result):
            return Outcome(
                result: result,
                proxyReport: report,
                interrupted: result.wasInterrupted(planned: configuration.runs)
            )
        case .failure(let error):
            throw .artifacts(error.message)
        }
    }

    /// Starts the simulator seeded like the batch, and returns it with `endpoints`
    /// moved onto it (targets kept) and a token it accepts.
    private static func startSimulator(
        seed: UInt64,
        endpoints: Endpoints
    ) async throws(Failure) -> (stack: RunningStack, endpoints: Endpoints, token: String) {
        let stack: RunningStack
        do {
            stack = try await Simulator.start(.embedded(seed: seed))
        } catch {
            throw .simulator("cannot start the embedded stack: \(error)")
        }
        guard let maestro = HTTPURL(string: stack.maestroURL), let storpheus = HTTPURL(string: stack.storpheusURL)
        else {
            await stack.shutdown()
            throw .simulator("the embedded stack reported unusable URLs")
        }
        let moved = endpoints.map { role, url in
            (role == .storpheus ? storpheus : maestro).with(target: url.target)
        }
        // A fixed issue time keeps the token, and so its redaction tag in the cassettes, the same on every run of the
        // same seed (the stack accepts it until 2046).
        let token = AccessToken.mint(
            secret: stack.configuration.jwtSecret,
            ttl: 20 * 365 * 86_400,
            issuedAt: 1_767_225_600
        )
        return (stack, moved, token)
    }
}

/// Stops a running batch from outside, as a signal handler does: the runs in flight end `interrupted`, no later run
/// starts, and the batch still writes its summary, its manifest (state `interrupted`) and every cassette's end.
public final class BatchInterruption: Sendable {
    private let state = Mutex<(interrupted: Bool, stop: (@Sendable () -> Void)?)>((false, nil))

    /// Not interrupted yet.
    public init() {}

    /// Interrupts the batch (again: nothing more happens).
    public func interrupt() {
        let stop = state.withLock { state -> (@Sendable () -> Void)? in
            guard !state.interrupted else { return nil }
            state.interrupted = true
            return state.stop
        }
        stop?()
    }

    /// Runs `stop` on interruption, or now if the batch is already interrupted.
    func whenInterrupted(_ stop: @escaping @Sendable () -> Void) {
        let already = state.withLock { state -> Bool in
            state.stop = stop
            return state.interrupted
        }
        if already { stop() }
    }
}
