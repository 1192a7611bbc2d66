import Cassettes
import Foundation
import HTTPTransport
import Harness
import RecordingProxy
import StoriStack

extension TourDeForce {
    /// `tdf run`: the end-to-end harness (issue 6).
    static var runCommand: CommandSpec {
        let defaults = HarnessConfiguration(outputDirectory: "")
        return CommandSpec(
            name: "run",
            abstract: "Run the end-to-end harness against Maestro, Storpheus and MUSE.",
            discussion: """
                Each run fetches a prompt, composes through Maestro's SSE stream, analyses the MIDI, downloads the
                Storpheus artifacts, then exercises MUSE: commit, waves of edit branches and merges, a deliberate
                conflict, a checkout traversal and the drift test. Runs cycle through five scenarios (deep-branching,
                standard, conflict-only, checkout-stress, minimal). Every exchange is recorded through an in-process
                proxy into <out>/cassettes/ unless --no-record is given.
                The JWT is read from the variable named by --jwt-env and sent to Maestro and MUSE only; it is
                redacted from every file written. --stack embedded starts the built-in simulator on free ports
                (seeded with --seed, stream rate limit off), points every URL at it and uses a token it mints.
                --replay DIR replays every run of a recording offline instead (see 'tdf help replay').
                --shard I/N cuts the --runs runs into N contiguous blocks (sizes differ by at most one, larger
                first) and runs block I, counted from 1: --runs 10 --shard 2/4 runs r_000004 to r_000006. A run's
                ids and choices depend only on the seed and its run id, so shards run on separate machines with
                the same flags and joined by 'tdf merge' equal one unsharded run. A 0-based index such as
                Kubernetes' JOB_COMPLETION_INDEX is passed as $((JOB_COMPLETION_INDEX + 1))/N.
                Exit status: 0 when every run succeeded (or replayed identically), 1 when any failed (or diverged),
                2 for a usage or configuration error, 3 when --out cannot be written, a service cannot be reached before
                any run, or the simulator or the proxy cannot start.
                """,
            examples: [
                "tdf run --stack embedded --runs 10 --concurrency 4 --out /tmp/tdf",
                "STORI_JWT=... tdf run --runs 5 --seed 1337 -v",
                "tdf run --maestro http://localhost:10001/api/v1/maestro/stream --no-record",
                "tdf run --replay /data/tdf_20260101_120000 --out /tmp/replayed",
                "tdf run --stack embedded --runs 1000 --seed 7 --shard 3/8 --out /tmp/tdf-shard-3",
            ],
            options: [
                .option(
                    "--jwt-env",
                    value: "NAME",
                    help: "Environment variable holding the JWT.",
                    default: defaults.jwtEnvironmentVariable
                ),
                .option(
                    "--prompt-endpoint",
                    value: "URL",
                    help: "Prompt catalogue URL (a 404 on the default falls "
                        + "back to /api/v1/maestro/prompts).",
                    default: defaults.promptEndpoint
                ),
                .option(
                    "--maestro",
                    value: "URL",
                    help: "Maestro compose stream URL.",
                    default: defaults.maestroStreamURL
                ),
                .option("--storpheus", value: "URL", help: "Storpheus base URL.", default: defaults.storpheusURL),
                .option("--muse-url", value: "URL", help: "MUSE API base URL.", default: defaults.museURL),
                .option("--runs", value: "N", help: "Number of runs.", default: String(defaults.runs)),
                .option(
                    "--shard",
                    value: "I/N",
                    help: "Run only shard I (counted from 1) of N contiguous blocks of the --runs runs."
                ),
                .option(
                    "--seed",
                    value: "N",
                    help: "Seed for prompt selection and every id.",
                    default: String(defaults.seed)
                ),
                .option(
                    "--concurrency",
                    value: "N",
                    help: "Runs executed at once.",
                    default: String(defaults.concurrency)
                ),
                .option("--out", value: "DIR", help: "Artifact directory.", default: "/data/tdf_<UTC yyyymmdd_HHMMSS>"),
                .option(
                    "--quality-preset",
                    value: "PRESET",
                    help: "Compose quality preset.",
                    default: defaults.qualityPreset.rawValue,
                    allowed: HarnessConfiguration.QualityPreset.allCases.map(\.rawValue)
                ),
                .option(
                    "--maestro-timeout",
                    value: "SECONDS",
                    help: "Longest wait for one read of the compose stream.",
                    default: "180"
                ),
                .option(
                    "--storpheus-timeout",
                    value: "SECONDS",
                    help: "Longest wait for a Storpheus request or job.",
                    default: "180"
                ),
                .option("--global-timeout", value: "SECONDS", help: "Longest time one run may take.", default: "300"),
                .flag(
                    "--verbose",
                    short: "-v",
                    help: "Verbose logging: debug lines in logs/client.log, one line per run."
                ),
                .flag("--record", help: "Record every exchange into <out>/cassettes/ (the default)."),
                .flag("--no-record", help: "Talk to the services directly, recording nothing."),
                .option(
                    "--stack",
                    value: "KIND",
                    help: "Start the built-in simulator in-process and run against it.",
                    allowed: ["embedded"]
                ),
                .option(
                    "--replay",
                    value: "DIR",
                    help: "Replay every run of the recording in DIR offline into --out (default DIR/replay) and "
                        + "print one verdict per run."
                ),
                .option(
                    "--pace",
                    value: "PACE",
                    help: "With --replay: fast (no waits), recorded, or a factor of the recorded times.",
                    default: "fast"
                ),
            ],
            action: runHarness
        )
    }

    private static func url(_ arguments: ParsedArguments, _ name: String) throws(UsageError) -> HTTPURL {
        let text = arguments.value(name) ?? ""
        guard let url = HTTPURL(string: text) else {
            throw UsageError("\(name) takes an http:// URL, not '\(text)'")
        }
        return url
    }

    private static func duration(_ arguments: ParsedArguments, _ name: String) throws(UsageError) -> Duration {
        .milliseconds(Int64(((try arguments.seconds(name)) ?? 1) * 1000))
    }

    private static func runHarness(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        if arguments.isSet("--replay") { return try await replayAll(arguments, context) }
        if arguments.flag("--record") && arguments.flag("--no-record") {
            throw UsageError("give --record or --no-record, not both")
        }
        var configuration = HarnessConfiguration(outputDirectory: "")
        configuration.jwtEnvironmentVariable = arguments.value("--jwt-env") ?? configuration.jwtEnvironmentVariable
        var promptURL = try url(arguments, "--prompt-endpoint")
        var maestroURL = try url(arguments, "--maestro")
        var storpheusURL = try url(arguments, "--storpheus")
        var museURL = try url(arguments, "--muse-url")
        configuration.runs = try arguments.integer("--runs", in: 1...100_000) ?? configuration.runs
        if let text = arguments.value("--shard") {
            do {
                try configuration.narrow(to: Shard(parsing: text))
            } catch {
                throw UsageError(error.message)
            }
        }
        guard let seedText = arguments.value("--seed"), let seed = UInt64(seedText) else {
            throw UsageError(
                "--seed takes a whole number from 0 to \(UInt64.max), not '\(arguments.value("--seed") ?? "")'"
            )
        }
        configuration.seed = seed
        configuration.concurrency = try arguments.integer("--concurrency", in: 1...256) ?? configuration.concurrency
        configuration.qualityPreset =
            HarnessConfiguration.QualityPreset(rawValue: arguments.value("--quality-preset") ?? "") ?? .balanced
        configuration.maestroTimeout = try duration(arguments, "--maestro-timeout")
        configuration.storpheusTimeout = try duration(arguments, "--storpheus-timeout")
        configuration.globalTimeout = try duration(arguments, "--global-timeout")
        configuration.verbose = arguments.flag("--verbose")
        configuration.record = !arguments.flag("--no-record")
        configuration.stack = arguments.value("--stack")

        var userToken: String?
        if configuration.stack != "embedded" {
            let name = configuration.jwtEnvironmentVariable
            guard let value = context.environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
            else {
                throw UsageError(
                    "the environment variable \(name) holds no JWT; export \(name)=<token> (or use --stack embedded)"
                )
            }
            userToken = value
        }
        let out: String
        if arguments.isSet("--out"), let given = arguments.value("--out") {
            out = given.hasPrefix("/") ? given : context.currentDirectory + "/" + given
        } else {
            out = HarnessRunner.defaultOutputDirectory(currentDirectory: context.currentDirectory)
        }
        if let problem = HarnessRunner.outputProblem(out) {
            throw CommandFailure(problem, exitCode: ExitCode.environment)
        }
        configuration.outputDirectory = out
        if configuration.stack != "embedded" {
            let services = [
                ("prompts", promptURL), ("maestro", maestroURL), ("storpheus", storpheusURL), ("muse", museURL),
            ]
            if let problem = await ServiceReachability.firstProblem(
                services.map { ServiceReachability.Service(name: $0.0, url: $0.1) }
            ) {
                throw CommandFailure(
                    "\(problem) before any run; start the stack, fix the URL, or use --stack embedded",
                    exitCode: ExitCode.environment
                )
            }
        }

        var token: String?
        var stack: RunningStack?
        if configuration.stack == "embedded" {
            var stackConfiguration = StackConfiguration.ephemeral(seed: seed)
            stackConfiguration.streamRateLimitPerMinute = 0
            do {
                stack = try await Simulator.start(stackConfiguration)
            } catch {
                throw CommandFailure("cannot start the embedded stack: \(error)", exitCode: ExitCode.environment)
            }
            guard let stack, let maestro = HTTPURL(string: stack.maestroURL),
                let storpheus = HTTPURL(string: stack.storpheusURL)
            else { throw CommandFailure("the embedded stack reported unusable URLs", exitCode: ExitCode.environment) }
            promptURL = maestro.with(target: promptURL.target)
            maestroURL = maestro.with(target: maestroURL.target)
            museURL = maestro.with(target: museURL.target)
            storpheusURL = storpheus.with(target: storpheusURL.target)
            // A fixed issue time keeps the token, and so its redaction tag in the cassettes, the same on every run
            // of the same seed (the stack accepts it until 2046).
            token = AccessToken.mint(
                secret: stack.configuration.jwtSecret,
                ttl: 20 * 365 * 86_400,
                issuedAt: 1_767_225_600
            )
            context.printError("tdf run: embedded stack: maestro \(stack.maestroURL), storpheus \(stack.storpheusURL)")
        } else {
            token = userToken
        }

        let upstreams = [promptURL, maestroURL, storpheusURL, museURL]
        var proxy: ProxyServer?
        if configuration.record {
            let started = await startProxy(
                urls: [promptURL, maestroURL, storpheusURL, museURL],
                out: out,
                configuration: configuration,
                context: context
            )
            switch started {
            case .success(let (server, rewritten)):
                proxy = server
                promptURL = rewritten[0]
                maestroURL = rewritten[1]
                storpheusURL = rewritten[2]
                museURL = rewritten[3]
            case .failure(let failure):
                await stack?.shutdown()
                throw failure
            }
        }
        // config.json names the services' own URLs (the stack's when embedded), not the proxy's loopback ports.
        var effective = configuration
        effective.promptEndpoint = promptURL.description
        effective.maestroStreamURL = maestroURL.description
        effective.storpheusURL = storpheusURL.description
        effective.museURL = museURL.description

        var described = configuration
        func text(_ url: HTTPURL) -> String { url.target == "/" ? "http://\(url.authority)" : url.description }
        described.promptEndpoint = text(upstreams[0])
        described.maestroStreamURL = text(upstreams[1])
        described.storpheusURL = text(upstreams[2])
        described.museURL = text(upstreams[3])
        var runner = HarnessRunner(configuration: effective, token: token, toolVersion: version)
        runner.describedConfiguration = described
        if let proxy {
            runner.onRunFinished = { runID in
                if let run = try? RunID(validating: runID) { _ = try? proxy.finishRun(run) }
            }
        }
        let terminal = context.redrawsProgress
        let verbose = configuration.verbose
        context.printError(
            "tdf run: \(configuration.runs) runs"
                + (configuration.shard.map { " (shard \($0.shard) of \($0.batchRuns) runs)" } ?? "")
                + ", concurrency \(configuration.concurrency), seed \(seed), out \(out)"
                + (configuration.record ? ", recording" : "")
        )
        let result: BatchResult
        do {
            result = try await runner.run { progress in
                let seconds = String(format: "%.1f", progress.elapsed.secondsValue)
                if terminal {
                    var line =
                        "\r\u{1B}[Kruns \(progress.done)/\(progress.total) done, \(progress.failed) failed, \(seconds) s"
                    if verbose || progress.finished.status != .success {
                        line = "\r\u{1B}[K" + describe(progress.finished) + "\n" + line.dropFirst()
                    }
                    context.standardError.write(line)
                } else {
                    context.printError(
                        "tdf run: " + describe(progress.finished) + " [\(progress.done)/\(progress.total)]"
                    )
                }
            }
        } catch {
            _ = await proxy?.shutdown()
            await stack?.shutdown()
            throw CommandFailure("cannot write the artifacts: \(error.message)", exitCode: ExitCode.environment)
        }
        if terminal { context.standardError.write("\n") }
        if let proxy {
            let report = await proxy.shutdown()
            for problem in report.problems + report.recordingFailures {
                context.printError("tdf run: proxy: \(problem)")
            }
            context.printError(
                "tdf run: recorded \(report.recorded) exchanges into \(report.cassettes.count) cassettes"
            )
        }
        await stack?.shutdown()
        var counts: [String: Int] = [:]
        for run in result.runs { counts[run.status.rawValue, default: 0] += 1 }
        let breakdown = counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        context.print(
            "\(result.runs.count) runs: \(result.runs.count - result.failedCount) succeeded, \(result.failedCount) failed "
                + "(\(breakdown)); artifacts in \(out)"
        )
        return result.allSucceeded ? ExitCode.success : ExitCode.failure
    }

    private static func describe(_ run: RunSummary) -> String {
        let seconds = String(format: "%.1f", run.duration.secondsValue)
        var line = "\(run.runID) \(run.scenario) \(run.status.rawValue) (\(seconds) s)"
        if let error = run.error { line += ": " + error }
        return line
    }

    /// Starts the proxy with one service per distinct upstream (maestro, storpheus, and prompts or muse only when
    /// they live elsewhere) and returns the URLs rewritten to go through it. Recording (the default) writes into
    /// `<out>/cassettes`; replay answers from `cassetteDirectory` with no upstream, under the same service names.
    static func startProxy(
        urls: [HTTPURL],
        out: String,
        configuration: HarnessConfiguration,
        context: CommandContext,
        mode: ProxyConfiguration.Mode = .record,
        cassetteDirectory: String? = nil,
        pace: ProxyConfiguration.Pace = .fast,
        log: (@Sendable (String) -> Void)? = nil
    ) async -> Result<(ProxyServer, [HTTPURL]), CommandFailure> {
        let names = ["prompts", "maestro", "storpheus", "muse"]
        var services: [ProxyConfiguration.Service] = []
        var serviceURLs: [HTTPURL] = []
        var serviceOfURL = Array(repeating: "", count: urls.count)
        for index in [1, 2, 0, 3] {
            let url = urls[index]
            if let existing = serviceURLs.firstIndex(where: { $0.host == url.host && $0.port == url.port }) {
                serviceOfURL[index] = services[existing].name
            } else {
                let upstream = mode.forwards ? url.with(target: "/") : nil
                services.append(ProxyConfiguration.Service(name: names[index], upstream: upstream))
                serviceURLs.append(url)
                serviceOfURL[index] = names[index]
            }
        }
        let upstreamTimeout = max(configuration.maestroTimeout, configuration.storpheusTimeout) + .seconds(30)
        let proxyConfiguration = ProxyConfiguration(
            mode: mode,
            cassetteDirectory: cassetteDirectory ?? out + "/cassettes",
            services: services,
            pace: pace,
            upstreamTimeout: upstreamTimeout,
            gracePeriod: .seconds(2),
            toolVersion: version,
            log: log ?? { line in context.printError("tdf run: proxy: \(line)") }
        )
        let proxy: ProxyServer
        do {
            proxy = try await ProxyServer.start(proxyConfiguration)
        } catch {
            return .failure(
                CommandFailure(
                    "cannot start the recording proxy: \(error.message)",
                    exitCode: error.kind == .environment ? ExitCode.environment : ExitCode.usage
                )
            )
        }
        var rewritten: [HTTPURL] = []
        for (index, url) in urls.enumerated() {
            guard let base = proxy.baseURL(for: serviceOfURL[index]), let local = HTTPURL(string: base) else {
                rewritten.append(url)
                continue
            }
            rewritten.append(local.with(target: url.target))
        }
        return .success((proxy, rewritten))
    }
}

extension Duration {
    var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
