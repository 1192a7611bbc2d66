public import Cassettes
import HTTPSClient
import HTTPTransport
import HTTPWire
import JSON
import Sockets
import Synchronization
public import Vocabulary

/// The recording proxy: one HTTP listener per named service that records, replays or passes through every
/// exchange (cassette-format.md). The harness starts it in-process; `tdf proxy` runs it standalone.
///
/// ```swift
/// let proxy = try await ProxyServer.start(ProxyConfiguration(
///     mode: .record, cassetteDirectory: "out/cassettes",
///     services: [.init(name: "maestro", upstream: HTTPURL(string: "http://127.0.0.1:10001"))]))
/// let maestro = proxy.baseURL(for: "maestro")!   // http://127.0.0.1:PORT
/// ...
/// let report = await proxy.shutdown()
/// ```
public final class ProxyServer: Sendable {
    /// The configuration it runs with: the one given, with the settings of the recording it replays where they
    /// apply (``ProxyConfiguration/applying(_:)``).
    public let configuration: ProxyConfiguration
    /// Each service's name and base URL (`http://HOST:PORT`), in configuration order; services reached only through
    /// the forward listener have none.
    public let endpoints: [(service: Service, baseURL: String)]
    /// The forward listener's URL, `http://HOST:PORT`, to give clients as `HTTP_PROXY`; nil without one.
    public let forwardURL: String?
    private let core: ProxyCore
    /// Every listener: the services' own, then the forward listener.
    private let servers: [HTTPServer]
    private let finished = Mutex<ProxyReport?>(nil)
    /// The upkeep of a recording session (``CassetteSession/maintain(idleTimeout:)``), cancelled at shutdown.
    private let maintenance: Task<Void, Never>?

    private init(configuration: ProxyConfiguration, core: ProxyCore, servers: [HTTPServer], forwardServer: HTTPServer?)
    {
        self.configuration = configuration
        self.core = core
        self.servers = servers + (forwardServer.map { [$0] } ?? [])
        self.endpoints = zip(configuration.services.filter(\.listens), servers).map { ($0.name, $1.baseURL) }
        self.forwardURL = forwardServer?.baseURL
        self.maintenance = core.session.map { session in
            // On the pool, never the event loop: upkeep writes files and, now and then, folds the whole index.
            Task(executorPreference: globalConcurrentExecutor) {
                await Self.maintain(session, configuration: configuration)
            }
        }
    }

    /// Binds a listener for every service and starts serving. Throws a ``ProxyError`` whose kind says whether the
    /// configuration is wrong or the environment (a port in use, an unwritable directory) is the problem.
    public static func start(_ given: ProxyConfiguration) async throws(ProxyError) -> ProxyServer {
        do {
            try given.validate()
        } catch {
            throw .invalidConfiguration(error)
        }
        let configuration = withRecordedSettings(given)
        let redactor = Redactor(
            jsonPaths: configuration.redactJSONPaths,
            headers: configuration.redactHeaders,
            queryParameters: configuration.redactQueryParameters,
            patterns: configuration.redactPatterns
        )
        // One cutoff for the whole session: a recording does not go stale while it runs, and what it records is new.
        let staleBefore = configuration.maxAge.map { age in
            Timestamp(millisecondsSinceEpoch: Timestamp.now().millisecondsSinceEpoch - Int64(age.wholeMilliseconds))
        }
        var session: CassetteSession?
        var library: ReplayLibrary?
        if let directory = configuration.cassetteDirectory {
            if configuration.mode == .replay && !SessionDirectory.exists(directory) {
                throw .missingCassetteDirectory(directory)
            }
            if configuration.mode.replays {
                library = ReplayLibrary(
                    directory: directory,
                    redactor: redactor,
                    rules: configuration.matchingRules,
                    staleBefore: staleBefore
                )
            }
            if configuration.mode.records {
                do {
                    session = try CassetteSession(
                        directory: directory,
                        configuration: configuration.indexValue,
                        toolVersion: configuration.toolVersion,
                        keepsExistingCassettes: configuration.mode == .recordMissing,
                        staleBefore: staleBefore,
                        openCassetteLimit: configuration.maxOpenCassettes
                    )
                } catch {
                    throw .unrecordableCassetteDirectory(directory, error)
                }
            }
        }
        let client = HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: configuration.connectTimeout,
                readTimeout: configuration.upstreamTimeout,
                maxIdleConnectionsPerHost: 256
            )
        )
        let secureClient =
            configuration.mode.forwards && configuration.services.contains { $0.upstream?.scheme == .https }
            ? HTTPSClient() : nil
        let core = ProxyCore(
            configuration: configuration,
            session: session,
            library: library,
            redactor: redactor,
            client: client,
            secureClient: secureClient
        )
        var servers: [HTTPServer] = []
        func listen(
            on listener: ProxyConfiguration.Listener,
            _ handler: @escaping @Sendable (HTTPServerRequest) async -> HTTPServerResponse
        ) throws -> HTTPServer {
            var serverConfiguration = HTTPServerConfiguration(
                host: listener.host,
                port: listener.port,
                limits: HTTPParserLimits(maxBodyBytes: configuration.maxRequestBodyBytes),
                policy: configuration.clientPolicy
            )
            serverConfiguration.connectionExecutor = core.executor
            return try HTTPServer(configuration: serverConfiguration, handler: handler)
        }
        func giveUp() async {
            for server in servers { await server.shutdown(gracePeriod: .zero) }
            _ = try? session?.close()
            client.close()
        }
        for service in configuration.services where service.listens {
            let handler = ServiceHandler(service: service, core: core)
            do {
                servers.append(
                    try listen(on: .init(host: service.host, port: service.port)) { await handler.handle($0) }
                )
            } catch {
                await giveUp()
                throw .cannotListen(service: service, problem: "\(error)")
            }
        }
        var forwardServer: HTTPServer?
        if let listener = configuration.forwardListener {
            let handler = ForwardHandler(
                routing: ForwardRouting(services: configuration.services, forwards: configuration.mode.forwards),
                core: core
            )
            do {
                let server = try listen(on: listener) { await handler.handle($0) }
                handler.ownPorts.withLock { $0 = Set((servers + [server]).map(\.address.port)) }
                forwardServer = server
            } catch {
                await giveUp()
                throw .cannotListenForward(listener: listener, problem: "\(error)")
            }
        }
        return ProxyServer(configuration: configuration, core: core, servers: servers, forwardServer: forwardServer)
    }

    /// `given` with the matching and redaction settings of the recording it replays where they apply
    /// (``ProxyConfiguration/applying(_:)``), logging the warning when they differ. Read before a recording session
    /// of record-missing writes its own index over them.
    private static func withRecordedSettings(_ given: ProxyConfiguration) -> ProxyConfiguration {
        // An index that cannot be read holds no settings to prefer; the cassettes, not the index, are replayed.
        guard given.mode.replays, let directory = given.cassetteDirectory,
            let index = try? SessionIndex.read(directory: directory)
        else { return given }
        let (configuration, warning) = given.applying(.init(indexConfiguration: index.configuration))
        if let warning { configuration.log(warning) }
        return configuration
    }

    /// Finishes idle cassettes and writes changed index rows, once a second, until shutdown.
    private static func maintain(_ session: CassetteSession, configuration: ProxyConfiguration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            do {
                try session.maintain(idleTimeout: configuration.cassetteIdleTimeout)
            } catch {
                configuration.log("tdf proxy: cannot keep the cassette index: \(error)")
            }
        }
    }

    /// Finishes every cassette with no exchange in flight and folds the index journal into `index.json`, so the
    /// cassette directory can be copied whole while the proxy runs (`tdf proxy` does this on `SIGHUP`). Returns how
    /// many cassettes it finished; nil when not recording.
    @discardableResult
    public func checkpoint() throws(CassetteError) -> Int? {
        try core.session?.checkpoint()
    }

    /// The base URL of a service, e.g. `http://127.0.0.1:40123`, or nil for an unknown name.
    public func baseURL(for service: Service) -> String? {
        endpoints.first { $0.service == service }?.baseURL
    }

    /// The line `tdf proxy` prints once every listener is up: `proxy ready maestro=http://HOST:PORT …`, ending with
    /// `forward=http://HOST:PORT` when there is a forward listener.
    public var readyLine: String {
        let listeners = endpoints.map { "\($0.service)=\($0.baseURL)" } + (forwardURL.map { ["forward=\($0)"] } ?? [])
        return "proxy ready " + listeners.joined(separator: " ")
    }

    /// Writes the `end` record of a run's cassette now (the harness calls this when a run is over, so cassettes
    /// need not stay open until shutdown). A later exchange of the same run reopens it. Nil when not recording.
    @discardableResult
    public func finishRun(_ run: RunID?) throws(CassetteError) -> CassetteSummary? {
        try core.session?.finish(run: run)
    }

    /// Counters so far: exchanges forwarded, recorded and replayed, and replay mismatches.
    public var counters: (forwarded: Int, recorded: Int, replayed: Int, mismatches: Int) {
        core.counters.withLock { ($0.forwarded, $0.recorded, $0.replayed, $0.mismatches) }
    }

    /// Stops accepting, lets in-flight exchanges finish for the grace period (then cuts them, recording what
    /// they had), writes every cassette's `end` record and the index, and reports. Calling it again returns the
    /// same report.
    @discardableResult
    public func shutdown() async -> ProxyReport {
        if let report = finished.withLock({ $0 }) { return report }
        // After the grace period, exchanges still waiting for an upstream's head are answered 503 (and recorded):
        // the servers cut streams themselves, but cannot interrupt a handler that has not answered yet.
        let core = self.core
        let grace = configuration.gracePeriod
        let watchdog = Task {
            try await Task.sleep(for: grace)
            core.abortWaits()
        }
        await withTaskGroup(of: Void.self) { group in
            for server in servers {
                // Half a second more, so the 503s of aborted waits still reach their clients.
                group.addTask { await server.shutdown(gracePeriod: grace + .milliseconds(500)) }
            }
        }
        watchdog.cancel()
        maintenance?.cancel()
        core.client.close()
        // Finishing cassettes writes files, and the usage and secret scan read them all back: work for a thread of
        // its own, not one of the cooperative pool's two.
        let configuration = self.configuration
        let (cassettes, problems, usage, secretScan) = await OwnThread.run(name: "tdf-proxy-shutdown") {
            Self.closeAndScan(core: core, configuration: configuration)
        }
        let counts = core.counters.withLock { $0 }
        let report = ProxyReport(
            mode: configuration.mode,
            cassettes: cassettes,
            cassetteUsage: usage,
            unusedRecordings: usage.flatMap(\.unused),
            forwarded: counts.forwarded,
            recorded: counts.recorded,
            replayed: counts.replayed,
            mismatches: counts.mismatches,
            mismatchDetails: counts.mismatchDetails,
            recordingFailures: counts.recordingFailures,
            undecodedBodies: counts.undecodedBodies,
            undecodedBodyCount: counts.undecodedBodyCount,
            problems: problems,
            secretScan: secretScan,
            cassetteDirectory: configuration.cassetteDirectory
        )
        return finished.withLock { state in
            if let earlier = state { return earlier }
            state = report
            return report
        }
    }

    /// Finishes the session's cassettes, lists what the replay left unused, and scans what was written for secrets.
    private static func closeAndScan(
        core: ProxyCore,
        configuration: ProxyConfiguration
    ) -> (cassettes: [CassetteSummary], problems: [String], usage: [CassetteUsage], secretScan: SecretScan?) {
        var problems: [String] = []
        var cassettes: [CassetteSummary] = []
        if let session = core.session {
            do {
                cassettes = try session.close()
            } catch {
                problems.append("cannot finish the cassettes: \(error)")
                cassettes = session.summaries
            }
        }
        // Before the library's problems: listing them reads the cassettes no request opened, and their damage.
        let usage = core.library?.usage(ofRuns: configuration.unusedRecordingRuns) ?? []
        problems += core.library?.problems ?? []
        // What this session wrote, read back from disk: the cassettes are what could leak, whatever was in memory.
        var secretScan: SecretScan?
        if core.session != nil, let directory = configuration.cassetteDirectory {
            secretScan = SecretScan(paths: cassettes.map { directory + "/" + $0.fileName })
        }
        return (cassettes, problems, usage, secretScan)
    }
}

/// What a proxy did, reported at shutdown.
public struct ProxyReport: Sendable {
    /// How many mismatches a report keeps whole.
    public static let keptMismatches = 1000
    /// How many undecoded bodies a report names.
    public static let keptUndecodedBodies = 100

    /// The mode it ran in.
    public var mode: ProxyConfiguration.Mode
    /// The cassettes this session wrote.
    public var cassettes: [CassetteSummary]
    /// How a replay (or record-missing) used each cassette of the replayed directory; ``unusedRecordings`` are
    /// theirs. ``replayUsage(directory:)`` makes it the document `tdf cassette prune` reads.
    public var cassetteUsage: [CassetteUsage]
    /// Recordings in the replayed directory that no request used, in every cassette there, opened or not
    /// (cassette-format.md §7: listed at the end).
    public var unusedRecordings: [UnusedRecording]
    /// Requests sent upstream.
    public var forwarded: Int
    /// Exchanges written to cassettes.
    public var recorded: Int
    /// Requests answered from recordings.
    public var replayed: Int
    /// Requests answered 599.
    public var mismatches: Int
    /// The requests answered 599, in arrival order, each with its run, ordinal and the field that differed: the first
    /// ``keptMismatches`` of them (a client that mismatches without end must not grow the report without end).
    public var mismatchDetails: [ReplayMismatch]
    /// Exchanges that could not be written, one line each.
    public var recordingFailures: [String]
    /// Bodies stored as they came, in a content coding tdf cannot decode (`br`, `zstd`) or that did not decode, so
    /// neither redacted inside nor scanned: the first ``keptUndecodedBodies``, one line each.
    public var undecodedBodies: [String]
    /// How many such bodies there were in all.
    public var undecodedBodyCount: Int
    /// Other problems: damaged cassettes read for replay, a cassette that could not be finished.
    public var problems: [String]
    /// The secret scan of the cassettes this session wrote; nil when it recorded nothing.
    public var secretScan: SecretScan?
    /// The session directory of cassettes, if there is one.
    public var cassetteDirectory: String?

    /// One line per possible secret the recording holds (the first few, then how many more), nothing when clean: a
    /// warning, not a failure, since the exchanges happened whatever the cassettes hold.
    public var secretWarnings: [String] {
        guard let secretScan, let cassetteDirectory else { return [] }
        return secretScan.warnings(directory: cassetteDirectory)
    }

    /// Whether a CI run that asked for `--strict` fails: some request was answered 599, or some recording was
    /// never asked for (the client and the recording no longer agree, even if every request was answered).
    public var failsStrictCheck: Bool { mismatches > 0 || !unusedRecordings.isEmpty }

    /// The usage document of this replay of `directory` (``ReplayUsage``), for `tdf proxy --served FILE`.
    public func replayUsage(directory: String) -> ReplayUsage {
        ReplayUsage(directory: directory, finished: .now(), cassettes: cassetteUsage)
    }

    /// The report as lines for a person: counts, each cassette, each unused recording, each problem.
    public var lines: [String] {
        var lines = [
            "proxy stopped (\(mode)): \(forwarded) forwarded, \(recorded) recorded, \(replayed) replayed, "
                + "\(mismatches) mismatched"
        ]
        for cassette in cassettes {
            lines.append(
                "  \(cassette.fileName): \(cassette.exchangeCount) exchanges, digest \(cassette.digest.prefix(16))"
                    + (cassette.isComplete ? "" : " (incomplete)")
            )
        }
        if !unusedRecordings.isEmpty {
            lines.append("\(unusedRecordings.count) recordings were not used:")
            lines += unusedRecordings.map { "  \($0)" }
        }
        lines += recordingFailures.map { "recording failed: \($0)" }
        if undecodedBodyCount > 0 {
            lines.append(
                "warning: \(undecodedBodyCount) bodies were stored as they came, not decoded, so secrets inside them "
                    + "were neither redacted nor scanned:"
            )
            lines += undecodedBodies.map { "  \($0)" }
            if undecodedBodyCount > undecodedBodies.count {
                lines.append("  and \(undecodedBodyCount - undecodedBodies.count) more")
            }
        }
        lines += problems.map { "problem: \($0)" }
        lines += secretWarnings.map { "warning: \($0)" }
        return lines
    }
}
