import CommandLineKit
import TourDeForce

extension CommandLineTool {
    /// `tdf shadow FROM --to NAME=URL... --out DIR`: send a recording's requests to live servers, record their
    /// answers, and diff them with the recording (issue 22).
    static var shadowCommand: CommandSpec {
        CommandSpec(
            name: "shadow",
            abstract: "Send a recording's requests to live servers and diff their answers with the recording.",
            discussion: """
                FROM is an artifact tree or a cassette session (what tdf run or tdf proxy recorded, from tdf's
                harness or any other client). Every exchange of a service named with --to is sent again to that
                URL: each run's exchanges one after another in their recorded order, --concurrency runs at once.
                The answers are recorded through a recording proxy into OUT/cassettes/, an ordinary cassette session
                (SSE per event, failures as faults), and then compared with FROM as 'tdf diff FROM OUT' does; the
                diff is printed and --fail-on decides the exit status the same way. 'tdf report --in OUT' builds
                the latency and SSE sections from it.
                Values the servers mint: where a live answer (a JSON body, or the data of an SSE event of the same
                type at the same place) carries a value where the recorded answer had another (an id, a token), the
                live value replaces the recorded one in every later request of that run (target, headers, body),
                by the value-threading rules of Docs/matching.md. Every replacement is listed.
                Credentials never come from the recording, which holds redaction tokens in their place: --header
                sets a header on every request (e.g. Authorization for the target). A request that still holds a
                redaction token is not sent and is listed. Only the services named with --to are contacted;
                requests other than GET and HEAD are refused unless --allow-writes is given, since they write to
                the target. --dry-run lists what would be sent and contacts nothing.
                Exit status: as tdf diff (0 nothing differs or no --fail-on item holds, 1 differences), 2 a usage
                error or writes not allowed, 3 FROM cannot be read or OUT cannot be written. See Docs/shadow.md.
                """,
            examples: [
                "tdf shadow out/run --to maestro=http://staging:10001 --to storpheus=http://staging:10002 "
                    + "--out shadowed --allow-writes --header \"Authorization: Bearer $STAGING_JWT\"",
                "tdf shadow captured/cassettes --to api=http://127.0.0.1:8080 --out s --dry-run",
                "tdf shadow out/run --to maestro=http://new:10001 --out s --allow-writes --fail-on contract",
            ],
            options: [
                .option(
                    "--to",
                    value: "NAME=URL",
                    help: "A service to contact and its live base URL (http:// or https://).",
                    repeatable: true
                ),
                .option("--out", value: "DIR", help: "Where the answers are recorded: DIR/cassettes/ (new or empty)."),
                .option(
                    "--header",
                    value: "'NAME: VALUE'",
                    help:
                        "A header set on every request sent, replacing the recorded one (credentials for the target).",
                    repeatable: true
                ),
                .option("--concurrency", value: "N", help: "How many runs are shadowed at once.", default: "4"),
                .option(
                    "--timeout",
                    value: "SECONDS",
                    help: "How long a target may stay silent before the exchange is a timeout.",
                    default: "300"
                ),
                .flag("--allow-writes", help: "Send requests other than GET and HEAD (they write to the target)."),
                .flag("--dry-run", help: "List what would be sent and contact nothing."),
                .option(
                    "--fail-on",
                    value: "SPEC",
                    help: "Comma-separated conditions that exit 1, as tdf diff takes them (categories, contract, ...)."
                ),
                .option(
                    "--ignore",
                    value: "PATH",
                    help: "A JSON path whose values the diff treats as volatile.",
                    repeatable: true
                ),
            ],
            positionals: [PositionalSpec("FROM", help: "The recording: an artifact tree or a cassette session.")],
            action: shadowRecording
        )
    }

    /// How many threaded values `tdf shadow` lists one per line: a composition threads hundreds.
    static let listedSubstitutions = 20

    private static func shadowRecording(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        guard arguments.positionals.count == 1 else {
            throw UsageError("tdf shadow takes one recording, FROM (got \(arguments.positionals.count))")
        }
        var targets: [Service: HTTPURL] = [:]
        for text in arguments.values("--to") {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let name = Service(rawValue: parts[0]),
                let url = HTTPURL(string: parts[1], accepting: [.http, .https])
            else {
                throw UsageError("--to '\(text)' should be NAME=URL, e.g. maestro=http://127.0.0.1:10001")
            }
            targets[name] = url
        }
        guard !targets.isEmpty else { throw UsageError("give at least one --to NAME=URL: the services to contact") }
        guard let out = arguments.value("--out") else { throw UsageError("give --out DIR for the answers") }
        var headers = HTTPHeaders()
        for text in arguments.values("--header") {
            guard let colon = text.firstIndex(of: ":"), HTTPField.isValidName(String(text[..<colon])) else {
                throw UsageError("--header '\(text)' should be 'NAME: VALUE', e.g. 'Authorization: Bearer …'")
            }
            headers.append(name: String(text[..<colon]), value: String(text[text.index(after: colon)...].trimmingOWS()))
        }
        let (policy, diffOptions) = try diffFlags(arguments)
        let from = context.absolute(arguments.positionals[0])
        var configuration = ShadowReplay.Configuration(
            source: from,
            output: context.absolute(out),
            targets: targets,
            toolVersion: version
        )
        configuration.headers = headers
        configuration.concurrency = try arguments.integer("--concurrency", in: 1...256) ?? 4
        configuration.timeout = try arguments.duration("--timeout")
        configuration.allowsWrites = arguments.flag("--allow-writes")
        configuration.progress = { line in context.printError(line) }

        if arguments.flag("--dry-run") {
            let plan: ShadowReplay.Plan
            do {
                plan = try ShadowReplay.plan(configuration)
            } catch {
                throw CommandFailure("tdf shadow: \(error)", exitCode: ExitCode.environment)
            }
            for (run, requests) in plan.runs {
                for planned in requests {
                    context.print("\(run) #\(planned.exchange.ordinal) \(planned.request.method) \(planned.url)")
                }
            }
            for skipped in plan.skipped { context.print("skip \(skipped)") }
            context.print(
                "tdf shadow: would send \(plan.requestCount) requests in \(plan.runs.count) runs, skip "
                    + "\(plan.skipped.count)"
                    + (plan.writes.isEmpty || configuration.allowsWrites ? "" : "; the writes need --allow-writes")
            )
            return ExitCode.success
        }

        let outcome: ShadowReplay.Outcome
        do {
            outcome = try await ShadowReplay.run(configuration)
        } catch {
            switch error {
            case .writesNotAllowed:
                throw UsageError("\(error); add --allow-writes to send them, or --dry-run to list them")
            case .unreadableSource, .outputNotEmpty, .proxy:
                throw CommandFailure("tdf shadow: \(error)", exitCode: ExitCode.environment)
            }
        }
        for skipped in outcome.plan.skipped { context.printError("tdf shadow: not sent: \(skipped)") }
        for substitution in outcome.substitutions.prefix(Self.listedSubstitutions) {
            context.printError("tdf shadow: threaded \(substitution)")
        }
        if outcome.substitutions.count > Self.listedSubstitutions {
            context.printError(
                "tdf shadow: threaded \(outcome.substitutions.count - Self.listedSubstitutions) more values (the first "
                    + "\(Self.listedSubstitutions) are listed)"
            )
        }
        for warning in outcome.report.secretWarnings { context.printError("tdf shadow: warning: \(warning)") }
        context.printError(
            "tdf shadow: \(outcome.sent) requests sent, \(outcome.plan.skipped.count) not sent, "
                + "\(outcome.substitutions.count) live values threaded; answers recorded in \(configuration.output)"
        )
        let recordings: [Recording]
        do {
            recordings = [try Recording.load(path: from), try Recording.load(path: configuration.output)]
        } catch {
            throw CommandFailure("cannot read the recordings to diff: \(error.message)", exitCode: ExitCode.environment)
        }
        let diff = RecordingDiff.compare(recordings[0], recordings[1], options: diffOptions)
        context.standardOutput.write(diff.text)
        let violations = policy.violations(of: diff)
        if arguments.isSet("--fail-on") {
            for line in violations { context.printError("tdf shadow: fails --fail-on: \(line)") }
        }
        return violations.isEmpty ? ExitCode.success : ExitCode.failure
    }
}
