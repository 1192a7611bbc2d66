public import CommandLineKit
import Foundation
import Sockets
import TourDeForce

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

extension CommandLineTool {
    /// `tdf proxy`: the recording proxy, standalone.
    public static var proxyCommand: CommandSpec {
        CommandSpec(
            name: "proxy",
            abstract: "Record, replay or pass through HTTP and SSE traffic to named services.",
            discussion: """
                Each --service gets its own listener. In record mode every exchange is forwarded to the service's
                upstream, streamed back as it arrives (SSE events reach the client at once) and written to
                DIR/<run>.jsonl.gz, chosen by the request's X-TDF-Run header (DIR/_default.jsonl.gz without one).
                Replay mode answers from DIR alone, by (X-TDF-Run, X-TDF-Ordinal) or, for untagged requests, by the
                next unused recording of the same method, target and body; a request that matches nothing gets a
                599 naming the first differing field. record-missing replays what DIR holds and records the rest;
                passthrough records nothing.
                DIR/index.json keeps the matching rules and redaction a recording was made with; replay uses them
                when none are given, and when given ones differ it warns once and still uses the recorded ones
                unless --override-recorded-settings is given.
                When every listener is up it prints one line, 'proxy ready NAME=http://HOST:PORT ...', on stdout.
                SIGINT or SIGTERM lets in-flight exchanges finish, writes every cassette's end record and
                DIR/index.json, prints a summary (and, in replay, every recording in DIR no request asked for) on
                stderr and exits 0 (1 with --strict after a mismatch or an unused recording).
                While recording, a run's cassette is finished once it has been idle for --cassette-idle seconds
                (a later exchange of the run reopens it), at most --max-open-cassettes are open at once, and
                SIGHUP finishes every idle cassette and writes DIR/index.json whole, so DIR can be copied.
                At shutdown the cassettes it wrote are scanned as 'tdf cassette scan' does, and every string that
                looks like a credential is a warning (the first 10, then how many more); the exit status is unchanged.
                --served FILE writes, when a replay stops, which recordings it served and which it did not, for
                'tdf cassette prune DIR --unused-in FILE'. --max-age makes record-missing forward (and re-record)
                a request whose recording started longer ago than that.
                A client whose HTTP_PROXY (or curl -x) names a service's listener reaches that service whatever
                host it asks for: the absolute-form target is read as its path, as every tdf server reads it.
                --forward [HOST:]PORT adds one listener for every service, to be named as HTTP_PROXY: each request
                goes to the service whose upstream has the host (and port) it asks for, given as
                --service NAME=UPSTREAM (no listener of its own), or to the service of that name, or else to a
                service named after the host (api.example.com:8080 is recorded as api-example-com-8080, forwarded
                to http://api.example.com:8080). Proxy-* headers are not forwarded.
                An UPSTREAM may be https://: the proxy speaks TLS to it through the system's libcurl, checking its
                certificate against the system trust store only (add a private CA there, e.g. with
                update-ca-certificates); clients still speak plain HTTP to tdf. CONNECT (an HTTPS tunnel) gets 501:
                tdf does not intercept TLS.
                """,
            examples: [
                "tdf proxy --mode record --cassettes out/cassettes --service maestro=127.0.0.1:0=http://127.0.0.1:10001 "
                    + "--service storpheus=127.0.0.1:0=http://127.0.0.1:10002",
                "tdf proxy --mode replay --cassettes out/cassettes --service maestro=127.0.0.1:9001 --pace recorded",
                "tdf proxy --mode record --cassettes c --service api=8080=http://127.0.0.1:3000 --redact-json ..token",
                "tdf proxy --mode replay --cassettes c --service api=8080 --ignore-body-path $.variation_id",
                "tdf proxy --mode replay --cassettes c --service api=8080 --served served.json",
                "tdf proxy --mode record-missing --cassettes c --service api=8080=http://127.0.0.1:3000 --max-age 7d",
                "tdf proxy --mode record --cassettes c --service staging=8443=https://staging.example.com",
                "tdf proxy --mode record --cassettes c --forward 3128 --service maestro=http://127.0.0.1:10001",
            ],
            options: [
                .option(
                    "--mode",
                    value: "MODE",
                    help: "What to do with each request.",
                    default: "record",
                    allowed: ProxyConfiguration.Mode.allCases.map(\.rawValue)
                ),
                .option(
                    "--cassettes",
                    value: "DIR",
                    help: "The session directory of cassettes (not needed in passthrough)."
                ),
                .option(
                    "--service",
                    value: "NAME=LISTEN[=UPSTREAM]",
                    help: "A named service: LISTEN is HOST:PORT or PORT (0 picks a free one), UPSTREAM an http:// or "
                        + "https:// URL; NAME=UPSTREAM has no listener of its own and is reached through --forward.",
                    repeatable: true
                ),
                .option(
                    "--forward",
                    value: "[HOST:]PORT",
                    help: "A forward-proxy listener for HTTP_PROXY clients, routing each request by the host it names."
                ),
                .option(
                    "--pace",
                    value: "PACE",
                    help: "Replay pacing: fast, recorded, or a factor (0.1 = ten times faster).",
                    default: "fast"
                ),
                .option(
                    "--redact-header",
                    value: "NAME",
                    help: "A header whose value is redacted, besides Authorization, Cookie, Set-Cookie and X-Api-Key.",
                    repeatable: true
                ),
                .option(
                    "--redact-query",
                    value: "NAME",
                    help: "A query parameter whose value is redacted, besides api_key, token, password and the like.",
                    repeatable: true
                ),
                .option(
                    "--redact-pattern",
                    value: "REGEX",
                    help: "A regular expression whose matches in text bodies are redacted (its first group, if any).",
                    repeatable: true
                ),
                .option(
                    "--redact-json",
                    value: "PATH",
                    help:
                        "A JSON path whose values are redacted in bodies and SSE data, e.g. ..token or $.user.password.",
                    repeatable: true
                ),
            ] + matchingRulesOptions + [
                .option(
                    "--upstream-timeout",
                    value: "SECONDS",
                    help: "How long an upstream may stay silent before 504 (or a cut stream).",
                    default: "300"
                ),
                .option(
                    "--connect-timeout",
                    value: "SECONDS",
                    help: "How long connecting to an upstream may take.",
                    default: "10"
                ),
                .option(
                    "--grace",
                    value: "SECONDS",
                    help: "How long shutdown waits for in-flight exchanges.",
                    default: "10"
                ),
                .option(
                    "--cassette-idle",
                    value: "SECONDS",
                    help: "Finish a run's cassette after this long without an exchange (reopened if the run returns).",
                    default: "120"
                ),
                .option(
                    "--max-open-cassettes",
                    value: "N",
                    help: "Cassettes open at once; one more finishes the least recently used first.",
                    default: "\(DescriptorBudget.openCassetteLimit)"
                ),
                .option(
                    "--max-age",
                    value: "DURATION",
                    help:
                        "record-missing: re-record recordings older than this (90s, 30m, 12h, 7d; a number is seconds)."
                ),
                .option(
                    "--served",
                    value: "FILE",
                    help: "Replay: at shutdown, write which recordings were served and which not (for cassette prune)."
                ),
                .flag(
                    "--override-recorded-settings",
                    help:
                        "Replay with the given rules and redaction where they differ from those DIR was recorded with."
                ),
                .flag(
                    "--strict",
                    help: "Exit 1 when a replayed request got a 599 or a recording in DIR was never asked for (for CI)."
                ),
                .flag(
                    "--verbose",
                    short: "-v",
                    help: "Say how the descriptor limit is shared out between connections and cassettes."
                ),
            ],
            action: { arguments, context in try await runProxy(arguments, context: context) }
        )
    }

    private static func runProxy(_ arguments: ParsedArguments, context: CommandContext) async throws -> Int32 {
        let configuration = try proxyConfiguration(arguments, context: context)
        if arguments.flag("--verbose") { context.printError("tdf proxy: \(DescriptorBudget.raised)") }
        let signals = SignalWaiter(signals: [SIGINT, SIGTERM])
        defer { signals.cancel() }
        let proxy: ProxyServer
        do {
            proxy = try await ProxyServer.start(configuration)
        } catch {
            switch error.kind {
            case .invalidConfiguration: throw UsageError(FlagMessages.message(error))
            case .environment: throw CommandFailure(FlagMessages.message(error), exitCode: ExitCode.environment)
            }
        }
        let checkpoints = SignalAction(on: SIGHUP) {
            do {
                guard let finished = try proxy.checkpoint() else { return }
                context.printError("tdf proxy: SIGHUP: finished \(finished) idle cassettes and wrote index.json whole")
            } catch {
                context.printError("tdf proxy: SIGHUP: cannot checkpoint the cassettes: \(error)")
            }
        }
        defer { checkpoints.cancel() }
        context.print(proxy.readyLine)
        let received = await signals.next()
        context.printError(
            "tdf proxy: \(received == SIGINT ? "SIGINT" : "SIGTERM") received: finishing in-flight exchanges"
        )
        let secondSignal = Task {
            guard await signals.next() != nil else { return }
            context.printError("tdf proxy: second signal: exiting without finishing the cassettes")
            _exit(ExitCode.interrupted)
        }
        defer { secondSignal.cancel() }
        let report = await proxy.shutdown()
        for line in report.lines { context.printError(line) }
        if let served = arguments.value("--served").map(context.absolute),
            let directory = configuration.cassetteDirectory
        {
            var bytes = JSONWriter.bytes(report.replayUsage(directory: directory).jsonValue, style: .pretty)
            bytes.append(0x0A)
            do {
                try SessionDirectory.writeAtomically(bytes, to: served, durable: true)
            } catch {
                context.printError("tdf proxy: cannot write --served \(served): \(error)")
                return ExitCode.environment
            }
            context.printError("tdf proxy: wrote \(served): \(report.unusedRecordings.count) recordings unused")
        }
        let strictFailure = arguments.flag("--strict") && report.failsStrictCheck
        if strictFailure { context.printError("tdf proxy: --strict: the replay did not use the recording exactly") }
        return report.recordingFailures.isEmpty && !strictFailure ? ExitCode.success : ExitCode.failure
    }

    /// A `--max-age` value: a positive whole number with `s`, `m`, `h` or `d` after it, or alone for seconds.
    private static func age(_ text: String) throws(UsageError) -> Duration {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        let unit = text.last.flatMap { units[$0] }
        let seconds = Int64(unit == nil ? text : String(text.dropLast())).map {
            $0.multipliedReportingOverflow(by: unit ?? 1)
        }
        // Ten years at most: the cutoff is computed in milliseconds since 1970 and must not overflow.
        guard let seconds, !seconds.overflow, seconds.partialValue > 0, seconds.partialValue <= 10 * 366 * 86400 else {
            throw UsageError("--max-age takes a duration such as 90s, 30m, 12h or 7d (at most 10 years), not '\(text)'")
        }
        return .seconds(seconds.partialValue)
    }

    private static func proxyConfiguration(
        _ arguments: ParsedArguments,
        context: CommandContext
    ) throws -> ProxyConfiguration {
        func usage<T>(_ body: () throws(ProxyConfigurationError) -> T) throws(UsageError) -> T {
            do {
                return try body()
            } catch {
                throw UsageError(FlagMessages.message(error))
            }
        }
        let mode = ProxyConfiguration.Mode(rawValue: arguments.value("--mode") ?? "record") ?? .record
        let services = try arguments.values("--service").map { text throws(UsageError) in
            try usage { () throws(ProxyConfigurationError) in try ProxyConfiguration.ServiceRoute(argument: text) }
        }
        let pace = try usage { () throws(ProxyConfigurationError) in
            try ProxyConfiguration.Pace(argument: arguments.value("--pace") ?? "fast")
        }
        var paths: [JSONPath] = []
        for text in arguments.values("--redact-json") {
            guard let path = JSONPath(text) else {
                throw UsageError(
                    "--redact-json '\(text)' is not a JSON path; write e.g. access_token, $.user.password, items[*].key or ..token"
                )
            }
            paths.append(path)
        }
        var forwardListener: ProxyConfiguration.Listener?
        if let text = arguments.value("--forward") {
            guard let listener = ProxyConfiguration.Listener(argument: text) else {
                throw UsageError("--forward '\(text)' should be HOST:PORT or PORT (0 picks a free port)")
            }
            forwardListener = listener
        }
        var directory = arguments.value("--cassettes")
        directory = directory.map(context.absolute)
        var configuration = ProxyConfiguration(
            mode: mode,
            cassetteDirectory: directory,
            services: services,
            pace: pace,
            redactJSONPaths: paths,
            connectTimeout: try arguments.duration("--connect-timeout"),
            upstreamTimeout: try arguments.duration("--upstream-timeout"),
            gracePeriod: try arguments.duration("--grace"),
            toolVersion: version,
            log: { line in context.printError(line) }
        )
        configuration.forwardListener = forwardListener
        configuration.matchingRules = try matchingRules(arguments, context: context)
        let redaction = try rulesFile(arguments, context: context).redaction
        configuration.redactJSONPaths += redaction.jsonPaths
        configuration.redactHeaders.formUnion(redaction.headers)
        configuration.redactQueryParameters.formUnion(redaction.queryParameters)
        configuration.redactPatterns += redaction.patterns
        for name in arguments.values("--redact-header") {
            guard HTTPField.isValidName(name) else {
                throw UsageError("--redact-header '\(name)' is not a header name; write e.g. X-Session-Token")
            }
            configuration.redactHeaders.insert(name.lowercased())
        }
        configuration.redactQueryParameters.formUnion(arguments.values("--redact-query").map { $0.lowercased() })
        for text in arguments.values("--redact-pattern") {
            do {
                configuration.redactPatterns.append(try RedactionPattern(text))
            } catch {
                throw UsageError("--redact-pattern '\(text)' is not a regular expression: \(error)")
            }
        }
        if arguments.flag("--override-recorded-settings") { configuration.recordedSettings = .override }
        configuration.cassetteIdleTimeout = try arguments.duration("--cassette-idle")
        configuration.maxOpenCassettes = try arguments.integer("--max-open-cassettes", in: 1...1_000_000) ?? 1
        configuration.maxAge = try arguments.value("--max-age").map(age(_:))
        if arguments.isSet("--served") && !mode.replays {
            throw UsageError(
                "--served lists what a replay served; it needs --mode replay or record-missing, not \(mode)"
            )
        }
        try usage { () throws(ProxyConfigurationError) in try configuration.validate() }
        return configuration
    }
}
