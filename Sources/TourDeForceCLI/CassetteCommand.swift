public import CommandLineKit
import TourDeForce

extension CommandLineTool {
    /// `tdf cassette`: list, show, verify and export recorded cassettes.
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
            abstract: "List, show, verify and export recorded cassettes.",
            discussion: "Reads the cassettes themselves (the files are the truth; index.json is checked by verify).",
            examples: [
                "tdf cassette ls out/cassettes", "tdf cassette show out/cassettes --run r_000042",
                "tdf cassette verify out/cassettes", "tdf cassette har out/cassettes --run r_000042 --out run.har",
            ],
            subcommands: [
                CommandSpec(
                    name: "ls",
                    abstract: "List the runs with their exchange counts, services, digests and times.",
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
                    name: "har",
                    abstract: "Export exchanges as an HTTP Archive (HAR 1.2).",
                    examples: ["tdf cassette har out/cassettes --run r_000042 --out run.har"],
                    options: [run, .option("--out", value: "FILE", help: "Write the HAR here instead of stdout.")],
                    positionals: [target],
                    action: { arguments, context in try exportHAR(arguments, context: context) }
                ),
            ]
        )
    }

    /// The cassettes the command line names. Errors the library gives become messages naming the arguments.
    private static func selectCassettes(
        _ arguments: ParsedArguments,
        context: CommandContext
    ) throws -> CassetteSelection {
        do {
            return try CassetteSelection(
                path: arguments.positionals[0],
                currentDirectory: context.currentDirectory,
                run: arguments.value("--run")
            )
        } catch {
            switch error {
            case .missing(let path): throw UsageError("\(path) does not exist; give a session directory of cassettes")
            case .unreadable(let failure): throw failure
            case .invalidRun(_, let failure): throw UsageError("--run: \(failure.reason)")
            case .noCassette(let path, let run, let fileName):
                throw CommandFailure("\(path) has no cassette \(fileName) for --run \(run)")
            }
        }
    }

    private static func listCassettes(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let summaries = try selectCassettes(arguments, context: context).load().map(\.summary)
        if arguments.flag("--json") {
            context.print(JSONWriter.string(.array(summaries.map(CassetteSession.row)), style: .pretty))
        } else {
            CassetteTranscript.table(of: summaries).forEach(context.print)
        }
        return ExitCode.success
    }

    private static func showCassettes(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let seq = try arguments.integer("--seq", in: 0...Int.max)
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

    private static func exportHAR(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let cassettes = try selectCassettes(arguments, context: context).load()
        var bytes = JSONWriter.bytes(HARExport.document(of: cassettes, toolVersion: version), style: .pretty)
        bytes.append(0x0A)
        guard var out = arguments.value("--out") else {
            context.standardOutput.write(String(decoding: bytes, as: UTF8.self))
            return ExitCode.success
        }
        out = context.absolute(out)
        do {
            try SessionDirectory.writeAtomically(bytes, to: out)
        } catch {
            throw CommandFailure("cannot write --out: \(error)", exitCode: ExitCode.environment)
        }
        context.printError("wrote \(cassettes.reduce(0) { $0 + $1.exchanges.count }) entries to \(out)")
        return ExitCode.success
    }
}
