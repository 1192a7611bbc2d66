public import CommandLineKit
import TourDeForce

extension CommandLineTool {
    /// `tdf cassette`: list, show, verify, scan, export and maintain recorded cassettes.
    public static var cassetteCommand: CommandSpec {
        let target = PositionalSpec("DIR", help: "A session directory of cassettes, or one .jsonl.gz cassette.")
        let run = OptionSpec.option(
            "--run",
            value: "ID",
            help: "Only this run's cassette (_default for untagged traffic)."
        )
        let json = OptionSpec.flag("--json", help: "Print JSON instead of text.")
        return CommandSpec(
            name: "cassette",
            abstract: "List, show, verify, scan, export and maintain recorded cassettes.",
            discussion:
                "Reads the cassettes themselves (the files are the truth; index.json is checked by verify). reseal and "
                + "prune rewrite them (docs: Docs/cassette-format.md, Maintaining recordings).",
            examples: [
                "tdf cassette ls out/cassettes", "tdf cassette show out/cassettes --run r_000042",
                "tdf cassette verify out/cassettes", "tdf cassette scan out/cassettes",
                "tdf cassette har out/cassettes --run r_000042 --out run.har",
                "tdf cassette learn rec1 rec2 --out rules.json", "tdf cassette reseal out/cassettes",
                "tdf cassette prune out/cassettes --unused-in served.json --dry-run",
            ],
            subcommands: [
                CommandSpec(
                    name: "ls",
                    abstract: "List the runs with their exchange counts, services, digests, times and ages.",
                    discussion:
                        "AGE (age_s in --json, in seconds) is how long ago the newest exchange of the cassette started.",
                    examples: [
                        "tdf cassette ls out/cassettes", "tdf cassette ls out/cassettes --json | jq '.[].run_id'",
                    ],
                    options: [run, json],
                    positionals: [target],
                    action: { arguments, context in try listCassettes(arguments, context: context) }
                ),
                CommandSpec(
                    name: "show",
                    abstract: "Print every exchange, with SSE events one per line.",
                    discussion:
                        "--seq prints one recording, such as the one a replay mismatch (599) names by cassette and seq; "
                        + "seqs count per cassette, so give the run or the cassette file too.",
                    examples: [
                        "tdf cassette show out/cassettes --run r_000042 | less",
                        "tdf cassette show out/cassettes --run r_000042 --seq 3",
                        "tdf cassette show out/cassettes/r_000042.jsonl.gz --json | jq .response.status",
                    ],
                    options: [
                        run, json,
                        .option("--seq", value: "N", help: "Only the exchange with this seq, in each cassette shown."),
                    ],
                    positionals: [target],
                    action: { arguments, context in try showCassettes(arguments, context: context) }
                ),
                CommandSpec(
                    name: "verify",
                    abstract: "Check integrity: gzip stream, records, end record, digest, index; exit 1 on any damage.",
                    examples: [
                        "tdf cassette verify out/cassettes", "tdf cassette verify out/cassettes --run r_000042 --json",
                    ],
                    options: [run, json],
                    positionals: [target],
                    action: { arguments, context in try verifyCassettes(arguments, context: context) }
                ),
                CommandSpec(
                    name: "scan",
                    abstract: "Look for strings that look like credentials; exit 1 naming cassette, seq and place.",
                    discussion:
                        "Finds JWTs, bearer tokens, redacted-by-default headers (Authorization, Proxy-Authorization, "
                        + "Cookie, Set-Cookie, X-Api-Key) in clear, well-known key prefixes (sk-, sk_live_, ghp_, github_pat_, xoxb-, AKIA, "
                        + "AIza), PEM private keys, values named like secrets (api_key, token, password, …) and long "
                        + "random-looking tokens, in targets, headers, bodies (by JSON path), SSE events and chunks. "
                        + "Redaction tokens never count. Values are shown masked. Docs/security.md lists the detectors "
                        + "and their guards. Exit status: 0 when nothing was found, 1 when something was (or a "
                        + "cassette could not be read), 2 for a usage error.",
                    examples: [
                        "tdf cassette scan out/cassettes", "tdf cassette scan out/cassettes --run r_000042",
                        "tdf cassette scan out/cassettes --json | jq '.findings[].location'",
                    ],
                    options: [run, json],
                    positionals: [target],
                    action: { arguments, context in try scanCassettes(arguments, context: context) }
                ),
                CommandSpec(
                    name: "har",
                    abstract: "Export exchanges as an HTTP Archive (HAR 1.2).",
                    examples: ["tdf cassette har out/cassettes --run r_000042 --out run.har"],
                    options: [run, .option("--out", value: "FILE", help: "Write the HAR here instead of stdout.")],
                    positionals: [target],
                    action: { arguments, context in try exportHAR(arguments, context: context) }
                ),
                CommandSpec(
                    name: "reseal",
                    abstract: "Recompute end records, digests and index.json after a hand edit; say what changed.",
                    discussion: """
                        Reads each cassette of DIR as written (an end record or digest that no longer matches its
                        exchanges is what reseal fixes), rewrites those whose end record is wrong (each atomically:
                        a crash leaves the old cassette or the new one), then rewrites index.json. Prints a line per
                        cassette: unchanged, or resealed with the old and new exchange counts and digests. A cassette
                        with a record that does not decode (named by file, record and decompressed byte), a repeated
                        seq or a damaged gzip stream is refused and left as it is. Refuses a directory a proxy is
                        recording into. Exit status: 0 resealed, 1 a cassette was refused, 2 usage, 3 cannot write.
                        """,
                    examples: [
                        "zcat out/cassettes/r_000042.jsonl.gz | jq -c 'if .seq == 3 then .response.status = 503 else . end' "
                            + "| gzip > r.gz && mv r.gz out/cassettes/r_000042.jsonl.gz && tdf cassette reseal out/cassettes"
                    ],
                    positionals: [PositionalSpec("DIR", help: "A session directory of cassettes.")],
                    action: { arguments, context in try resealCassettes(arguments, context: context) }
                ),
                CommandSpec(
                    name: "prune",
                    abstract: "Drop the recordings a replay session never served.",
                    discussion: """
                        FILE is what 'tdf proxy --mode replay --served FILE' wrote when it stopped: per cassette, the
                        seqs it served and those it did not, and the digest it read. prune removes exactly the unused
                        recordings (every other record keeps its seq), removes a cassette none of whose recordings
                        were used, and rewrites their index.json rows; cassettes FILE does not name are left alone. A
                        cassette changed since that replay (its digest differs) is refused: replay again. Exit
                        status: 0 pruned, 1 a cassette was refused, 2 usage, 3 cannot write.
                        """,
                    examples: [
                        "tdf proxy --mode replay --cassettes rec --service maestro=9001 --served served.json",
                        "tdf cassette prune rec --unused-in served.json --dry-run",
                    ],
                    options: [
                        .option(
                            "--unused-in",
                            value: "FILE",
                            help: "The usage file a replay wrote (tdf proxy --served FILE); required."
                        ),
                        .flag("--dry-run", help: "List what would be removed; change nothing."),
                    ],
                    positionals: [PositionalSpec("DIR", help: "The session directory that replay read.")],
                    action: { arguments, context in try pruneCassettes(arguments, context: context) }
                ),
                CommandSpec(
                    name: "learn",
                    abstract: "Propose matching rules from two recordings of the same client doing the same thing.",
                    discussion:
                        "Pairs the exchanges (by run cassette and ordinal, else per route in order) and proposes one "
                        + "rule per route leaving out the body JSON paths and query parameters whose values differ. "
                        + "Each is classified on stderr as uuid, timestamp, counter or random; unpaired exchanges and "
                        + "differences no rule can leave out (paths, non-JSON bodies) are listed there too.",
                    examples: [
                        "tdf cassette learn rec1 rec2 --out rules.json",
                        "tdf proxy --mode replay --cassettes rec1 --rules rules.json --service maestro=9001",
                    ],
                    options: [.option("--out", value: "FILE", help: "Write the rules here instead of stdout.")],
                    positionals: [
                        PositionalSpec("A", help: "A session directory of cassettes: the first recording."),
                        PositionalSpec("B", help: "The second recording of the same client doing the same thing."),
                    ],
                    action: { arguments, context in try learnRules(arguments, context: context) }
                ),
            ]
        )
    }

    /// The cassettes the command line names. Errors the library gives become messages naming the arguments.
    private static func selectCassettes(
        _ arguments: ParsedArguments,
        context: CommandContext
    ) throws -> CassetteSelection {
        try selectCassettes(at: arguments.positionals[0], run: arguments.value("--run"), context: context)
    }

    private static func selectCassettes(
        at path: String,
        run: String?,
        context: CommandContext
    ) throws -> CassetteSelection {
        do {
            return try CassetteSelection(path: path, currentDirectory: context.currentDirectory, run: run)
        } catch {
            switch error {
            case .missing(let path): throw UsageError("\(path) does not exist; give a session directory of cassettes")
            case .unreadable(let failure): throw failure
            case .invalidRun(_, let failure): throw UsageError("--run: \(failure.reason)")
            case .noCassette(let path, let run, let fileName):
                // An unknown run id is a usage error in every command that takes one (replay too), naming the runs
                // there are.
                let known = ((try? SessionDirectory.cassetteFileNames(in: path)) ?? []).compactMap { name in
                    RunID.run(forFileName: name).map { $0?.rawValue ?? RunID.untaggedName }
                }
                let listed = known.prefix(20).joined(separator: ", ") + (known.count > 20 ? ", …" : "")
                throw UsageError(
                    "\(path) has no cassette \(fileName) for --run \(run)"
                        + (known.isEmpty ? "" : "; its runs are \(listed)")
                )
            }
        }
    }

    private static func listCassettes(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let summaries = try selectCassettes(arguments, context: context).load().map(\.summary)
        if arguments.flag("--json") {
            context.print(JSONWriter.string(CassetteTranscript.rows(of: summaries), style: .pretty))
        } else {
            CassetteTranscript.table(of: summaries).forEach(context.print)
        }
        return ExitCode.success
    }

    private static func showCassettes(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let seq = try arguments.integer("--seq", in: 0...CassetteFormat.maximumSeqOrOrdinal)
        var shown = 0
        // One cassette at a time: a long session starts printing at once and is never in memory whole.
        for path in try selectCassettes(arguments, context: context).paths {
            let cassette = try Cassette.load(path: path)
            if arguments.flag("--json") {
                let exchanges = seq.map { cassette.exchange(seq: $0).map { [$0] } ?? [] } ?? cassette.exchanges
                for exchange in exchanges { context.print(JSONWriter.string(exchange.jsonValue)) }
                shown += exchanges.count
            } else if let seq {
                guard let lines = CassetteTranscript.lines(of: cassette, seq: seq) else { continue }
                lines.forEach(context.print)
                shown += 1
            } else {
                CassetteTranscript.lines(of: cassette).forEach(context.print)
            }
        }
        if let seq, shown == 0 { throw CommandFailure("\(arguments.positionals[0]) has no exchange with --seq \(seq)") }
        return ExitCode.success
    }

    private static func verifyCassettes(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let verification = CassetteVerification(of: try selectCassettes(arguments, context: context))
        if arguments.flag("--json") {
            context.print(JSONWriter.string(verification.jsonValue, style: .pretty))
        } else {
            verification.lines.forEach(context.print)
        }
        // stdout has every problem; stderr one per damaged cassette and index.
        for problem in verification.firstProblems { context.printError("tdf cassette verify: \(problem)") }
        return verification.isOK ? ExitCode.success : ExitCode.failure
    }

    private static func scanCassettes(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let scan = SecretScan(of: try selectCassettes(arguments, context: context))
        if arguments.flag("--json") {
            context.print(JSONWriter.string(scan.jsonValue, style: .pretty))
        } else {
            scan.lines.forEach(context.print)
        }
        for problem in scan.problems { context.printError("tdf cassette scan: \(problem)") }
        return scan.isClean ? ExitCode.success : ExitCode.failure
    }

    private static func resealCassettes(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let directory = context.absolute(arguments.positionals[0])
        try requireSessionDirectory(directory, given: arguments.positionals[0])
        return try maintain(context: context) { () throws(CassetteError) in
            try SessionMaintenance.reseal(directory: directory, toolVersion: version)
        }
    }

    private static func pruneCassettes(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let directory = context.absolute(arguments.positionals[0])
        try requireSessionDirectory(directory, given: arguments.positionals[0])
        guard let file = arguments.value("--unused-in") else {
            throw UsageError("prune needs --unused-in FILE, the file 'tdf proxy --mode replay --served FILE' wrote")
        }
        let usage: ReplayUsage
        do {
            usage = try ReplayUsage(path: context.absolute(file))
        } catch {
            throw UsageError("--unused-in \(file): \(error.reason)")
        }
        return try maintain(context: context) { () throws(CassetteError) in
            try SessionMaintenance.prune(
                directory: directory,
                usage: usage,
                dryRun: arguments.flag("--dry-run"),
                toolVersion: version
            )
        }
    }

    private static func requireSessionDirectory(_ directory: String, given: String) throws {
        guard SessionDirectory.exists(directory) else {
            throw UsageError("\(given) does not exist; give a session directory of cassettes")
        }
    }

    /// Runs a maintenance step and prints its report; a refused cassette exits 1, a directory that cannot be
    /// locked or written 3.
    private static func maintain(
        context: CommandContext,
        _ step: () throws(CassetteError) -> MaintenanceReport
    ) throws -> Int32 {
        let report: MaintenanceReport
        do {
            report = try step()
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCode.environment)
        }
        report.lines.forEach(context.print)
        for change in report.changes where change.refusal != nil { context.printError("tdf cassette: \(change)") }
        return report.isOK ? ExitCode.success : ExitCode.failure
    }

    private static func exportHAR(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let cassettes = try selectCassettes(arguments, context: context).load()
        let document = HARExport.document(of: cassettes, toolVersion: version)
        if let out = try write(document, arguments: arguments, context: context) {
            context.printError("wrote \(cassettes.reduce(0) { $0 + $1.exchanges.count }) entries to \(out)")
        }
        return ExitCode.success
    }

    /// Writes `document` as pretty JSON to `--out` atomically, or to stdout; the absolute `--out` path, if given.
    private static func write(
        _ document: JSONValue,
        arguments: ParsedArguments,
        context: CommandContext
    ) throws -> String? {
        var bytes = JSONWriter.bytes(document, style: .pretty)
        bytes.append(0x0A)
        guard let out = arguments.value("--out").map(context.absolute) else {
            context.standardOutput.write(String(decoding: bytes, as: UTF8.self))
            return nil
        }
        do {
            try SessionDirectory.writeAtomically(bytes, to: out)
        } catch {
            throw CommandFailure("cannot write --out: \(error)", exitCode: ExitCode.environment)
        }
        return out
    }

    private static func learnRules(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let first = try selectCassettes(at: arguments.positionals[0], run: nil, context: context).load()
        let second = try selectCassettes(at: arguments.positionals[1], run: nil, context: context).load()
        let proposal = NoiseLearner.learn(first, second)
        // stdout (or --out) holds only the rules, editable as they are; why each is there goes to stderr.
        let out = try write(proposal.rules.document, arguments: arguments, context: context)
        for finding in proposal.findings {
            context.printError(
                "\(finding.service) \(finding.method) \(finding.path) \(finding.location): \(finding.kind.rawValue) "
                    + "(\(finding.first ?? "absent") vs \(finding.second ?? "absent"))"
            )
        }
        for unpaired in proposal.unpaired {
            context.printError(
                "unpaired in \(arguments.positionals[unpaired.isInFirst ? 0 : 1]): "
                    + "\(unpaired.cassette) seq \(unpaired.seq) \(unpaired.service) \(unpaired.method) \(unpaired.target)"
            )
        }
        for unlearnable in proposal.unlearnable {
            context.printError(
                "no rule leaves out: \(unlearnable.service) \(unlearnable.method) \(unlearnable.target) "
                    + "differs in \(unlearnable.location)"
            )
        }
        let rules = proposal.rules.rules.count
        context.printError(
            "proposed \(rules) rule\(rules == 1 ? "" : "s") for \(proposal.findings.count) differing values "
                + "from \(proposal.pairs) paired exchanges; \(proposal.unpaired.count) unpaired"
                + (out.map { "; wrote \($0)" } ?? "")
        )
        return ExitCode.success
    }
}
