import CommandLineKit
import TourDeForce

extension CommandLineTool {
    /// `tdf diff A B [--json] [--html FILE] [--fail-on SPEC] [--ignore PATH]` (issue 8).
    static var diffCommand: CommandSpec {
        CommandSpec(
            name: "diff",
            abstract: "Compare two recordings and name every regression.",
            discussion: """
                A and B are artifact trees (the --out of tdf run: cassettes/, runs.jsonl, midi/) or cassette session
                directories (index.json and <run_id>.jsonl.gz). Runs are paired by run id; a run's exchanges are
                aligned on service, method, target (ids masked) and harness step, so a request added or removed is
                one difference and the others still pair. Ids the backend invents, timestamps, durations and loopback
                ports are ignored (--ignore adds JSON paths). Per-endpoint latency (p50/p95) and single exchanges
                much slower or faster (latency-outlier) are shown and only fail with a latency threshold.
                A diff of more than \(DiffListing.automaticLimit) differences prints counts per category and the
                first \(DiffListing.summaryExamples) of each; --full lists them all (--json always does).
                Exit status: 0 when nothing differs; 1 when any contract or content difference is found, or, with
                --fail-on, only when a listed condition holds; 2 for a usage error (a bad SPEC names the item);
                3 when an input cannot be read (the file, record and offset are named). See Docs/diff.md.

                Categories (--fail-on names them):
                """ + DiffCategory.all.map { "\n  \($0.name) (\($0.kind.rawValue)): \($0.summary)" }.joined(),
            examples: [
                "tdf diff /data/run_monday /data/run_tuesday",
                "tdf diff old new --fail-on status,sse-order,quality-drop=5,latency-p95=+50%",
                "tdf diff old new --fail-on contract,latency-outlier=+500ms --full",
                "tdf diff old/cassettes new/cassettes --json > diff.json",
                "tdf diff old new --html diff.html --ignore '$.stateVersion'",
            ],
            options: [
                .flag("--json", help: "Print the diff as JSON instead of text."),
                .flag("--full", help: "List every difference, however many."),
                .flag("--summary", help: "Print counts per category and the first few of each, however few."),
                .option("--html", value: "FILE", help: "Also write the diff as a self-contained HTML page."),
                .option(
                    "--fail-on",
                    value: "SPEC",
                    help: "Comma-separated conditions that exit 1: categories, contract, content, any, "
                        + "CATEGORY=N, quality-drop=N, latency-p50/p95=+N% or +Nms, latency-outlier=+Nms or Fx."
                ),
                .option(
                    "--ignore",
                    value: "PATH",
                    help: "A JSON path whose values are volatile (e.g. $.stateVersion, ..etag).",
                    repeatable: true
                ),
            ],
            positionals: [
                PositionalSpec("A", help: "The earlier recording (the baseline)."),
                PositionalSpec("B", help: "The later recording."),
            ],
            action: { arguments, context in try diffRecordings(arguments, context) }
        )
    }

    private static func diffRecordings(_ arguments: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        guard arguments.positionals.count == 2 else {
            throw UsageError("tdf diff takes two recordings, A and B (got \(arguments.positionals.count))")
        }
        let (policy, options) = try diffFlags(arguments)
        if arguments.flag("--full"), arguments.flag("--summary") {
            throw UsageError("--full and --summary ask for opposite listings; give one")
        }
        let listing: DiffListing =
            arguments.flag("--full") ? .full : arguments.flag("--summary") ? .summary : .automatic
        let html = arguments.value("--html").map { context.absolute($0) }
        var recordings: [Recording] = []
        for given in arguments.positionals {
            do {
                recordings.append(try Recording.load(path: context.absolute(given)))
            } catch {
                throw CommandFailure("cannot read \(given): \(error.message)", exitCode: ExitCode.environment)
            }
        }
        for warning in recordings.flatMap(\.warnings) { context.printError("tdf diff: warning: \(warning)") }
        let diff = RecordingDiff.compare(recordings[0], recordings[1], options: options)
        if arguments.flag("--json") {
            context.print(JSONWriter.string(diff.jsonValue, style: .pretty))
        } else {
            context.standardOutput.write(diff.text(listing))
        }
        if let html {
            do {
                try SessionDirectory.writeAtomically(Array(DiffHTML.page(diff).utf8), to: html)
            } catch {
                throw CommandFailure("cannot write --html \(html): \(error.reason)", exitCode: ExitCode.environment)
            }
        }
        let violations = policy.violations(of: diff)
        if arguments.isSet("--fail-on") {
            for line in violations { context.printError("tdf diff: fails --fail-on: \(line)") }
        }
        return violations.isEmpty ? ExitCode.success : ExitCode.failure
    }

    /// `--fail-on SPEC` (the default: any contract or content difference) and `--ignore PATH`, as `tdf diff` and
    /// `tdf shadow` take them.
    static func diffFlags(_ arguments: ParsedArguments) throws(UsageError) -> (FailPolicy, DiffOptions) {
        var policy = FailPolicy.anyDifference
        if let spec = arguments.value("--fail-on") {
            do {
                policy = try FailPolicy(parsing: spec)
            } catch {
                throw UsageError(FlagMessages.message(error))
            }
        }
        var options = DiffOptions()
        for text in arguments.values("--ignore") {
            guard let path = JSONPath(text) else {
                throw UsageError("--ignore '\(text)' is not a JSON path (e.g. $.stateVersion, ..etag, items[*].id)")
            }
            options.volatilePaths.append(path)
        }
        return (policy, options)
    }
}
