public import CommandLineKit
import Foundation
import Sockets
import TourDeForce

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

extension CommandLineTool {
    /// `tdf stack`: serves the simulator until SIGINT/SIGTERM; `tdf stack token` mints an access token for it.
    public static var stackCommand: CommandSpec {
        let defaults = StackConfiguration()
        return CommandSpec(
            name: "stack",
            abstract: "Serve the built-in simulator of Maestro, Storpheus and MUSE.",
            discussion: """
                Starts a contract-faithful, seeded simulator of the Stori backend: Maestro (prompts, the JWT-protected
                compose stream over SSE, MUSE under /api/v1/muse) on one port and Storpheus (generation jobs, real
                .mid artifacts) on another. When both listen it prints one line,
                  stack ready maestro=http://HOST:PORT storpheus=http://HOST:PORT
                and serves until SIGINT or SIGTERM. Port 0 picks a free port. The same --seed and the same requests
                give byte-identical responses apart from timing. Everything is kept in memory.

                Compose requests need a bearer token signed with the stack's secret: mint one with 'tdf stack token'.
                The secret is --jwt-secret, else $\(AccessToken.secretEnvironmentVariable), else the public
                development secret '\(AccessToken.developmentSecret)'.

                Faults (--fault, repeatable) reproduce failure modes, each decided from the seed:
                  latency=[SERVICE:]DURATION   every response waits (e.g. latency=200ms, latency=storpheus:1s)
                  cold-start=[SERVICE:]DURATION the first request to each service waits (e.g. cold-start=2s)
                  error-rate=[SERVICE:]P       that fraction of requests answer 500 (e.g. error-rate=storpheus:0.2)
                  cut-stream=N                 compose streams are cut after N events, with no 'complete'
                  storpheus-fail=P             that fraction of Storpheus jobs end 'failed'
                  storpheus-down               Storpheus answers 503 and composes fail at pre-flight
                  auth=401|revoked|503         every authenticated request fails authentication that way
                  llm=unconfigured|unreachable the language model has no key (every stream fails at once) or
                                               cannot be reached (streams that need it fail after they start)
                  rate-limit=N                 compose streams per client IP per minute (0: off)
                  max-compositions=N           concurrent compositions per user (0: off)
                  budget=DOLLARS               every user's budget; under one cent streams answer 402
                SERVICE is maestro, muse or storpheus.
                """,
            examples: [
                "tdf stack",
                "tdf stack --maestro 127.0.0.1:0 --storpheus 127.0.0.1:0 --seed 7",
                "tdf stack --fault latency=200ms --fault error-rate=storpheus:0.2",
                "TOKEN=$(tdf stack token --sub alice)",
                "curl -N -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\",
                "  -d '{\"prompt\":\"MAESTRO PROMPT\\nMode: compose\\nStyle: boom bap\\nKey: Am\\nTempo: 90\\nRole: [drums, bass]\\n\"}' \\",
                "  http://127.0.0.1:10001/api/v1/maestro/stream",
            ],
            options: [
                .option(
                    "--maestro",
                    value: "HOST:PORT",
                    help: "Where Maestro and MUSE listen.",
                    default: "\(defaults.maestroHost):\(defaults.maestroPort)"
                ),
                .option(
                    "--storpheus",
                    value: "HOST:PORT",
                    help: "Where Storpheus listens.",
                    default: "\(defaults.storpheusHost):\(defaults.storpheusPort)"
                ),
                .option(
                    "--seed",
                    value: "N",
                    help: "The seed every id, note and fault derives from.",
                    default: String(defaults.seed)
                ),
                .option("--jwt-secret", value: "SECRET", help: "HS256 secret for access tokens."),
                .option("--fault", value: "SPEC", help: "A failure mode to reproduce (see above).", repeatable: true),
                .option(
                    "--latency",
                    value: "MS[-MS]",
                    help: "Storpheus generation time per section, in milliseconds.",
                    default: "\(defaults.generationLatencyMilliseconds.lowerBound)-"
                        + "\(defaults.generationLatencyMilliseconds.upperBound)"
                ),
                .option(
                    "--heartbeat",
                    value: "SECONDS",
                    help: "Silence before a ': heartbeat' comment in a stream.",
                    default: "8"
                ),
                .option(
                    "--rate-limit",
                    value: "N",
                    help: "Compose streams per client IP per minute (0: off).",
                    default: String(defaults.streamRateLimitPerMinute)
                ),
                .option(
                    "--max-compositions",
                    value: "N",
                    help: "Concurrent compositions per token user (0: off).",
                    default: String(defaults.concurrentCompositionsPerUser)
                ),
                .option(
                    "--queue-size",
                    value: "N",
                    help: "Storpheus jobs that may wait before 503.",
                    default: String(defaults.storpheusQueueSize)
                ),
                .option(
                    "--workers",
                    value: "N",
                    help: "Storpheus workers generating at once.",
                    default: String(defaults.storpheusWorkers)
                ),
                .option(
                    "--cooldown",
                    value: "SECONDS",
                    help: "Pause after each Storpheus job (the real service: 3).",
                    default: "0"
                ),
                .flag(
                    "--legacy-prompt-route",
                    help: "Also serve the catalogue on /api/v1/prompts/random, which the real server lacks (404)."
                ),
                .flag("--verbose", short: "-v", help: "Say how many client connections the descriptor limit allows."),
            ],
            subcommands: [stackTokenCommand],
            action: { arguments, context in try await runStack(arguments, context) }
        )
    }

    static var stackTokenCommand: CommandSpec {
        CommandSpec(
            name: "token",
            abstract: "Print an HS256 access token that 'tdf stack' accepts.",
            discussion: """
                Prints a signed JWT with claims type=access, iat, exp and (with --sub) sub. The secret is --secret,
                else $\(AccessToken.secretEnvironmentVariable), else the development secret the stack uses by default.
                """,
            examples: [
                "tdf stack token",
                "tdf stack token --sub alice --ttl 86400",
                "STORI_JWT=$(tdf stack token) tdf run --maestro http://127.0.0.1:10001",
            ],
            options: [
                .option(
                    "--secret",
                    value: "SECRET",
                    help: "HS256 secret (default: $TDF_JWT_SECRET or the development secret)."
                ),
                .option("--ttl", value: "SECONDS", help: "How long the token is valid.", default: "3600"),
                .option("--sub", value: "USER", help: "The user id (the concurrency limit applies per user)."),
            ],
            action: { arguments, context in
                let secret = AccessToken.secret(explicit: arguments.value("--secret"), environment: context.environment)
                guard !secret.isEmpty else { throw UsageError("--secret must not be empty") }
                let ttl = try arguments.integer("--ttl", in: 1...315_360_000) ?? 3600
                context.print(AccessToken.mint(secret: secret, subject: arguments.value("--sub"), ttl: ttl))
                return ExitCode.success
            }
        )
    }

    /// Builds the stack configuration from the command line; every mistake is one `UsageError` line.
    static func stackConfiguration(
        _ arguments: ParsedArguments,
        environment: [String: String]
    ) throws(UsageError)
        -> StackConfiguration
    {
        var configuration = StackConfiguration()
        (configuration.maestroHost, configuration.maestroPort) = try endpoint(arguments, "--maestro", 10001)
        (configuration.storpheusHost, configuration.storpheusPort) = try endpoint(arguments, "--storpheus", 10002)
        if let text = arguments.value("--seed") {
            guard let seed = UInt64(text) ?? Int64(text).map({ UInt64(bitPattern: $0) }) else {
                throw UsageError("--seed takes a whole number, not '\(text)'")
            }
            configuration.seed = seed
        }
        configuration.jwtSecret = AccessToken.secret(
            explicit: arguments.value("--jwt-secret"),
            environment: environment
        )
        if configuration.jwtSecret.isEmpty { throw UsageError("--jwt-secret must not be empty") }
        for spec in arguments.values("--fault") {
            do {
                configuration.faults.append(try StackFault(parsing: spec))
            } catch {
                throw UsageError("--fault: \(error.message)")
            }
        }
        if let text = arguments.value("--latency") {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(parts.count), let low = parts.first ?? nil, let high = parts.last ?? nil, low >= 0,
                high >= low, high <= 600_000
            else { throw UsageError("--latency takes milliseconds like 100 or 30-150, not '\(text)'") }
            configuration.generationLatencyMilliseconds = low...high
        }
        if let text = arguments.value("--heartbeat") {
            guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
                throw UsageError("--heartbeat takes a number of seconds greater than 0, not '\(text)'")
            }
            configuration.heartbeatInterval = .milliseconds(Int64(seconds * 1000))
        }
        configuration.streamRateLimitPerMinute =
            try arguments.integer("--rate-limit", in: 0...1_000_000) ?? configuration.streamRateLimitPerMinute
        configuration.concurrentCompositionsPerUser =
            try arguments.integer("--max-compositions", in: 0...10_000) ?? configuration.concurrentCompositionsPerUser
        configuration.storpheusQueueSize =
            try arguments.integer("--queue-size", in: 0...100_000) ?? configuration.storpheusQueueSize
        configuration.storpheusWorkers =
            try arguments.integer("--workers", in: 1...64) ?? configuration.storpheusWorkers
        if let text = arguments.value("--cooldown") {
            guard let seconds = Double(text), seconds >= 0, seconds <= 3600 else {
                throw UsageError("--cooldown takes a number of seconds, 0 or more, not '\(text)'")
            }
            configuration.storpheusCooldown = .milliseconds(Int64(seconds * 1000))
        }
        configuration.servesHarnessPromptRoute = arguments.flag("--legacy-prompt-route")
        return configuration
    }

    /// Parses `HOST:PORT`, `[V6]:PORT` or a bare port; `localhost` means 127.0.0.1.
    private static func endpoint(
        _ arguments: ParsedArguments,
        _ name: String,
        _ defaultPort: Int
    ) throws(UsageError)
        -> (String, Int)
    {
        let text = arguments.value(name) ?? "127.0.0.1:\(defaultPort)"
        var host = "127.0.0.1"
        var portText = text
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = String(text[text.index(after: close)...].drop { $0 == ":" })
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = String(text[text.index(after: colon)...])
        }
        if host.isEmpty || host == "localhost" { host = "127.0.0.1" }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw UsageError("\(name) takes HOST:PORT like 127.0.0.1:10001 (port 0 picks a free one), not '\(text)'")
        }
        return (host, port)
    }

    private static func runStack(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let configuration = try stackConfiguration(arguments, environment: context.environment)
        if arguments.flag("--verbose") { context.printError("tdf stack: \(DescriptorBudget.raised)") }
        let signals = SignalWaiter(signals: [SIGINT, SIGTERM])
        defer { signals.cancel() }
        let stack: RunningStack
        do {
            stack = try await Simulator.start(configuration)
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCode.environment)
        }
        context.print("stack ready maestro=\(stack.maestroURL) storpheus=\(stack.storpheusURL)")
        if !configuration.faults.isEmpty {
            context.printError("tdf stack: faults: \(configuration.faults.map(\.description).joined(separator: ", "))")
        }
        // Serve until a signal arrives (or the task running the command is cancelled, as in tests).
        if let number = await signals.next() {
            context.printError("tdf stack: received signal \(number), shutting down")
        }
        await stack.shutdown()
        return ExitCode.success
    }
}
