import HTTPTransport
public import Harness
public import RecordingProxy
import StoriStack
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
        /// A run finished.
        case runFinished(RunProgress)
    }

    /// What a finished batch produced.
    public struct Outcome: Sendable {
        /// Every run's summary.
        public let result: BatchResult
        /// The recording proxy's report; nil with `record` off.
        public let proxyReport: ProxyReport?
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
        if let proxy {
            runner.onRunFinished = { runID in
                if let run = try? RunID(validating: runID) { _ = try? proxy.finishRun(run) }
            }
        }
        events(.runsStarting)
        let result: BatchResult
        do {
            result = try await runner.run { progress in events(.runFinished(progress)) }
        } catch {
            _ = await proxy?.shutdown()
            await stack?.shutdown()
            throw .artifacts(error.message)
        }
        let report = await proxy?.shutdown()
        await stack?.shutdown()
        return Outcome(result: result, proxyReport: report)
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
