import CommandLineKit
import TourDeForce

extension CommandLineTool {
    /// `tdf merge OUT DIR...`: join the artifact trees and cassette sessions of the shards of a batch (issue 10), or
    /// bare cassette sessions.
    static var mergeCommand: CommandSpec {
        CommandSpec(
            name: "merge",
            abstract: "Merge sharded artifact trees and cassette sessions into one.",
            discussion: """
                Joins the --out trees of 'tdf run --shard I/N' (or of any runs of one seed and configuration) into
                OUT, as if one unsharded run had made it: runs.jsonl, events.jsonl, metrics.jsonl and logs/client.log
                in run id order (a run's lines keep their order; the last three sealed into .gz as a finished
                batch has them), midi/, muse/run_*, payloads/ and every other file
                copied, muse/graph.json, graph_viz.json and graph.txt rebuilt, config.json and manifest.json
                rewritten for the whole batch (manifest.json lists the shards), and cassettes/ merged with a new
                index.json. Then 'tdf report --in OUT' and 'tdf replay --in OUT' work on it. The same inputs in any
                order give the same bytes. report/ and tourdeforce.db of the inputs are left out: rerun tdf report.
                Refused, naming the trees: an unfinished tree, different seeds or configurations, a run or file in
                two trees, a missing shard. OUT is built beside itself and renamed into place when complete, so a
                crash leaves no half-merged OUT; it must be new or empty unless --force replaces it.
                Bare cassette sessions (directories 'tdf proxy --cassettes' recorded into: index.json and cassettes,
                no config.json) are merged the same way into one session OUT: each run's cassette copied, a run in
                two sessions refused, untagged traffic joined, a new index.json. Trees and bare sessions cannot be
                mixed: give a tree's cassettes/ directory to merge it with bare sessions.
                Exit status: 0 merged, 2 the inputs cannot be merged (or a usage error), 3 OUT cannot be written.
                """,
            examples: [
                "tdf merge /tmp/tdf-all /tmp/tdf-shard-1 /tmp/tdf-shard-2 /tmp/tdf-shard-3 /tmp/tdf-shard-4",
                "tdf merge --force merged shards/*", "tdf merge all-cassettes proxy-a/cassettes proxy-b/cassettes",
            ],
            options: [.flag("--force", help: "Replace OUT when it is not empty.")],
            positionals: [
                PositionalSpec("OUT", help: "The merged tree to create."),
                PositionalSpec(
                    "DIR",
                    help: "The artifact trees to merge (the --out of each shard), or bare cassette sessions.",
                    variadic: true
                ),
            ],
            action: mergeTrees
        )
    }

    private static func mergeTrees(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        // The parser has checked that OUT and at least one DIR are given.
        let paths = arguments.positionals.map { context.absolute($0) }
        let out = paths[0]
        let outcome: ShardMerge.Outcome
        do {
            outcome = try await ShardMerge.merge(
                Array(paths.dropFirst()),
                into: out,
                replacing: arguments.flag("--force")
            )
        } catch {
            throw CommandFailure(
                FlagMessages.message(error),
                exitCode: error.isInputProblem ? ExitCode.usage : ExitCode.environment
            )
        }
        let cassettes = outcome.isSessionMerge ? "" : "cassettes/"
        for summary in outcome.cassettes where !summary.isComplete {
            context.printError(
                "tdf merge: warning: \(cassettes)\(summary.fileName) is damaged or incomplete in its input and was "
                    + "copied as it is; 'tdf cassette verify \(out)/\(cassettes)' names the damage"
            )
        }
        if !outcome.droppedDerived.isEmpty {
            context.printError(
                "tdf merge: left out \(outcome.droppedDerived.joined(separator: ", ")) of the inputs; "
                    + "run tdf report --in \(out) to rebuild them"
            )
        }
        if outcome.isSessionMerge {
            context.print(
                "tdf merge: \(outcome.cassettes.count) cassettes (\(outcome.runs) runs) from \(outcome.trees) cassette "
                    + "sessions; merged session in \(out)"
            )
        } else {
            context.print(
                "tdf merge: \(outcome.runs) runs from \(outcome.trees) trees, \(outcome.copiedFiles) files copied, "
                    + "\(outcome.cassettes.count) cassettes; merged tree in \(out)"
            )
        }
        return ExitCode.success
    }
}
