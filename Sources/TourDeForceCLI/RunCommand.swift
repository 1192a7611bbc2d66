import CommandLineKit
import Foundation
import Synchronization
import TourDeForce

#if canImport(Glibc)
    import Glibc
#endif

extension CommandLineTool {
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
                redacted from every file written, and the cassettes are scanned afterwards as 'tdf cassette scan'
                does: each string that looks like a credential is a warning on stderr. --stack embedded starts the
                built-in simulator on free ports (seeded with --seed, stream rate limit off), points every URL at it
                and uses a token it mints.
                --replay DIR replays every run of a recording offline instead (see 'tdf help replay').
                --shard I/N cuts the --runs runs into N contiguous blocks (sizes differ by at most one, larger
                first) and runs block I, counted from 1: --runs 10 --shard 2/4 runs r_000004 to r_000006. A run's
                ids and choices depend only on the seed and its run id, so shards run on separate machines with
                the same flags and joined by 'tdf merge' equal one unsharded run. A 0-based index such as
                Kubernetes' JOB_COMPLETION_INDEX is passed as $((JOB_COMPLETION_INDEX + 1))/N.
                --out must be new or empty: a directory that already holds a batch is refused (its cassettes, MIDI and
                runs would mix with this batch's in the report and in replays) unless --force replaces it; a
                non-empty directory that holds no batch is always refused.
                SIGINT or SIGTERM stops the batch in order: no new run starts, the runs in flight are cancelled and
                recorded as 'interrupted', every cassette gets its end record, manifest.json says 'interrupted', and
                the summary is printed; a second signal exits at once.
                Exit status: 0 when every run succeeded (or replayed identically), 1 when any failed (or diverged),
                2 for a usage or configuration error (an occupied --out), 3 when --out cannot be written, a service
                cannot be reached before any run, or the simulator or the proxy cannot start; 130 when interrupted.
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
                    help: "Prompt catalogue URL (a 404 on the earlier harness's /api/v1/prompts/random falls "
                        + "back to /api/v1/maestro/prompts).",
                    default: defaults.endpoints.prompts.configurationText
                ),
                .option(
                    "--maestro",
                    value: "URL",
                    help: "Maestro compose stream URL.",
                    default: defaults.endpoints.maestro.configurationText
                ),
                .option(
                    "--storpheus",
                    value: "URL",
                    help: "Storpheus base URL.",
                    default: defaults.endpoints.storpheus.configurationText
                ),
                .option(
                    "--muse-url",
                    value: "URL",
                    help: "MUSE API base URL.",
                    default: defaults.endpoints.muse.configurationText
                ),
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
                .option(
                    "--out",
                    value: "DIR",
                    help: "Artifact directory, new or empty.",
                    default: "/data/tdf_<UTC yyyymmdd_HHMMSS>"
                ),
                .flag("--force", help: "Replace the batch --out already holds."),
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
                    allowed: HarnessConfiguration.StackKind.allCases.map(\.rawValue)
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
            ] + matchingRulesOptions,
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

    private static func runHarness(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        if arguments.isSet("--replay") { return try await replayAll(arguments, context) }
        if let flag = matchingRulesFlagNames.first(where: arguments.isSet) {
            throw UsageError("\(flag) applies to replay: give it with --replay DIR")
        }
        if arguments.flag("--record") && arguments.flag("--no-record") {
            throw UsageError("give --record or --no-record, not both")
        }
        var configuration = HarnessConfiguration(outputDirectory: "")
        configuration.jwtEnvironmentVariable = arguments.value("--jwt-env") ?? configuration.jwtEnvironmentVariable
        configuration.endpoints = Endpoints(
            prompts: try url(arguments, "--prompt-endpoint"),
            maestro: try url(arguments, "--maestro"),
            storpheus: try url(arguments, "--storpheus"),
            muse: try url(arguments, "--muse-url")
        )
        configuration.runs = try arguments.integer("--runs", in: 1...100_000) ?? configuration.runs
        if let text = arguments.value("--shard") {
            do {
                try configuration.narrow(to: Shard(parsing: text))
            } catch {
                throw UsageError(FlagMessages.message(error))
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
        configuration.maestroTimeout = try arguments.duration("--maestro-timeout")
        configuration.storpheusTimeout = try arguments.duration("--storpheus-timeout")
        configuration.globalTimeout = try arguments.duration("--global-timeout")
        configuration.verbose = arguments.flag("--verbose")
        configuration.record = !arguments.flag("--no-record")
        configuration.stack = arguments.value("--stack").flatMap(HarnessConfiguration.StackKind.init(rawValue:))

        var token: String?
        if configuration.stack == nil {
            let name = configuration.jwtEnvironmentVariable
            guard let value = context.environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
            else {
                throw UsageError(
                    "the environment variable \(name) holds no JWT; export \(name)=<token> (or use --stack embedded)"
                )
            }
            token = value
        }
        configuration.outputDirectory =
            arguments.isSet("--out")
            ? context.absolute(arguments.value("--out") ?? "")
            : HarnessRunner.defaultOutputDirectory(currentDirectory: context.currentDirectory)
        try clearOutput(configuration.outputDirectory, force: arguments.flag("--force"))
        let terminal = context.redrawsProgress
        let interruption = BatchInterruption()
        let signals = SignalWaiter(signals: [SIGINT, SIGTERM])
        let watcher = Task {
            guard let received = await signals.next() else { return }
            context.printError(
                "\ntdf run: \(received == SIGINT ? "SIGINT" : "SIGTERM"): stopping; the runs in flight end "
                    + "'interrupted' and the cassettes are finished (a second signal exits at once)"
            )
            interruption.interrupt()
            guard await signals.next() != nil else { return }
            context.printError("tdf run: second signal: exiting without finishing")
            _exit(ExitCode.interrupted)
        }
        defer {
            watcher.cancel()
            signals.cancel()
        }
        var batch = LiveBatch(configuration, token: token)
        batch.interruption = interruption
        batch.provenance = BatchProvenance(commandLine: ["tdf"] + arguments.words, environment: context.environment)
        let progress = Mutex(BatchProgress(total: configuration.runs))
        let batchStarted = ContinuousClock.now
        let redraw: @Sendable () -> Void = {
            let now = ContinuousClock.now
            guard let line = progress.withLock({ $0.hasStarted ? $0.line(elapsed: now - batchStarted, now: now) : nil })
            else { return }
            context.standardError.write("\r\u{1B}[K" + line)
        }
        // On a terminal the line also moves between events: waits count down, the elapsed time and estimate change.
        let ticker = Task {
            guard terminal else { return }
            while (try? await Task.sleep(for: .seconds(1))) != nil { redraw() }
        }
        defer { ticker.cancel() }
        let outcome: LiveBatch.Outcome
        do {
            outcome = try await batch.run { [configuration] event in
                switch event {
                case .simulatorStarted(let maestro, let storpheus):
                    context.printError("tdf run: embedded stack: maestro \(maestro), storpheus \(storpheus)")
                case .proxyLine(let line):
                    context.printError("tdf run: proxy: \(line)")
                case .runsStarting:
                    context.printError(
                        "tdf run: \(configuration.runs) runs"
                            + (configuration.shard.map { " (shard \($0.shard) of \($0.batchRuns) runs)" } ?? "")
                            + ", concurrency \(configuration.concurrency), seed \(seed), out "
                            + configuration.outputDirectory + (configuration.record ? ", recording" : "")
                    )
                case .batch(let event):
                    progress.withLock { $0.apply(event, at: .now) }
                    guard terminal else {
                        printPlainProgress(event, context: context)
                        return
                    }
                    if case .runFinished(let finished) = event,
                        configuration.verbose || finished.finished.status != .success
                    {
                        context.standardError.write("\r\u{1B}[K" + describe(finished.finished) + "\n")
                    }
                    redraw()
                }
            }
        } catch {
            switch error {
            case .proxy(let proxyError) where proxyError.kind != .environment:
                throw CommandFailure(FlagMessages.message(error), exitCode: ExitCode.usage)
            default:
                throw CommandFailure(FlagMessages.message(error), exitCode: ExitCode.environment)
            }
        }
        ticker.cancel()
        if terminal { context.standardError.write("\n") }
        if let report = outcome.proxyReport {
            for problem in report.problems + report.recordingFailures {
                context.printError("tdf run: proxy: \(problem)")
            }
            for warning in report.secretWarnings { context.printError("tdf run: warning: \(warning)") }
            context.printError(
                "tdf run: recorded \(report.recorded) exchanges into \(report.cassettes.count) cassettes"
            )
        }
        let result = outcome.result
        var counts: [String: Int] = [:]
        for run in result.runs { counts[run.status.rawValue, default: 0] += 1 }
        let breakdown = counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        context.print(
            "\(result.runs.count) runs: \(result.runs.count - result.failedCount) succeeded, \(result.failedCount) failed "
                + "(\(breakdown)); artifacts in \(configuration.outputDirectory)"
        )
        if outcome.interrupted {
            context.printError(
                "tdf run: interrupted: \(result.runs.count) of \(configuration.runs) planned runs have a status; "
                    + "manifest.json says 'interrupted'"
            )
            return ExitCode.interrupted
        }
        return result.allSucceeded ? ExitCode.success : ExitCode.failure
    }

    /// Refuses an `--out` that is not empty, unless it holds a batch and `force` replaces it: a second batch in the
    /// same tree would append to its line files and leave the first batch's cassettes and MIDI beside its own.
    private static func clearOutput(_ path: String, force: Bool) throws {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path), !entries.isEmpty else {
            return
        }
        // --force removes the directory, so only what tdf wrote qualifies: a manifest it signed, or runs.jsonl. A
        // manifest of tdf is kilobytes; a huge file of that name is another tool's and is not read.
        let manifestPath = path + "/" + ArtifactLayout.manifestName
        let manifestSize = (try? FileManager.default.attributesOfItem(atPath: manifestPath)[.size] as? Int) ?? 0
        let manifest =
            manifestSize <= 16 << 20
            ? try? JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: manifestPath)))) : nil
        let holdsBatch = manifest?["tool"]?.stringValue == "tdf" || entries.contains(ArtifactLayout.runsName)
        guard holdsBatch else {
            throw UsageError("--out \(path) is not empty and holds no tdf batch; give a new or empty directory")
        }
        guard force else {
            throw UsageError("--out \(path) already holds a batch; give a new directory, or --force to replace it")
        }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw CommandFailure(
                "--force cannot remove the batch in \(path): \((error as NSError).localizedDescription)",
                exitCode: ExitCode.environment
            )
        }
    }

    /// Progress without a terminal (a log, CI): a line per finished run and per wait before a retry.
    private static func printPlainProgress(_ event: BatchEvent, context: CommandContext) {
        switch event {
        case .runStarted: break
        case .waiting(let wait):
            context.printError(
                "tdf run: \(wait.runID) waits \(String(format: "%.1f", wait.delay.secondsValue)) s before a retry: "
                    + wait.reason
            )
        case .runFinished(let progress):
            context.printError("tdf run: " + describe(progress.finished) + " [\(progress.done)/\(progress.total)]")
        }
    }

    private static func describe(_ run: RunSummary) -> String {
        let seconds = String(format: "%.1f", run.duration.secondsValue)
        var line = "\(run.runID) \(run.scenario) \(run.status.rawValue) (\(seconds) s)"
        if let error = run.error { line += ": " + error }
        return line
    }
}
