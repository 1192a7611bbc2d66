import Analysis
import CommandLineKit
import Foundation
import JSON
import TestSupport
import Testing

@testable import Harness
@testable import TourDeForceCLI

/// Records `tdf run --stack embedded --runs <runs> --seed <seed> [--shard <shard>]` into `out` and requires success.
private func record(runs: Int, seed: Int, shard: String? = nil, out: String) async throws {
    var arguments = [
        "run", "--stack", "embedded", "--runs", String(runs), "--seed", String(seed), "--concurrency", "2",
    ]
    if let shard { arguments += ["--shard", shard] }
    let result = await tdf(arguments + ["--out", out])
    try #require(result.status == 0, "\(arguments): \(result.stderr)")
}

/// Writes a small finished artifact tree of shard `shard` of a 4-run batch at `path` (config.json as `tdf run`
/// writes it, manifest.json, runs.jsonl and one payload per run), without running anything, and returns `path`.
private func makeTree(_ path: String, seed: UInt64, shard: String, state: String = "finished") throws -> String {
    var configuration = HarnessConfiguration(runs: 4, seed: seed, outputDirectory: path, stack: .embedded)
    try configuration.narrow(to: Shard(parsing: shard))
    try FileManager.default.createDirectory(atPath: path + "/payloads/prompt_fetch", withIntermediateDirectories: true)
    func write(_ text: String, _ file: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + file))
    }
    try write(JSONWriter.string(configuration.json, style: .pretty), "config.json")
    try write(#"{"state": "\#(state)", "started_at": "2026-01-01T00:00:00.000Z"}"#, "manifest.json")
    var lines = ""
    for (offset, runID) in configuration.runIDs.enumerated() {
        lines += #"{"run_id":"\#(runID)","index":\#(configuration.firstRunIndex + offset),"status":"success"}"# + "\n"
        try write("{}", "payloads/prompt_fetch/\(runID)_1.json")
    }
    try write(lines, "runs.jsonl")
    return path
}

/// Every regular file under `root` (cassettes and reports included) with its bytes.
private func files(under root: String) throws -> [String: Data] {
    var contents: [String: Data] = [:]
    for relative in try FileManager.default.subpathsOfDirectory(atPath: root) {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory)
        if !isDirectory.boolValue { contents[relative] = FileManager.default.contents(atPath: root + "/" + relative) }
    }
    return contents
}

/// The run ids of `<tree>/runs.jsonl` in file order.
private func runIDs(_ tree: String) -> [String] {
    ArtifactTreeIndex(root: tree).recordedRuns.map(\.runID)
}

@Suite struct ShardTests {
    /// `I/N` parses with I counted from 1; anything else is refused with the text and the part that is wrong.
    @Test func parsesShardArguments() throws {
        let shard = try Shard(parsing: "2/4")
        #expect(shard.index == 2 && shard.count == 4 && shard.description == "2/4")
        #expect(try Shard(parsing: "1/1") == Shard(parsing: "1/1"))
        let cases: [(text: String, error: ShardError)] = [
            ("0/4", .indexOutOfRange(text: "0/4", index: 0, count: 4)),
            ("5/4", .indexOutOfRange(text: "5/4", index: 5, count: 4)),
            ("-1/4", .indexOutOfRange(text: "-1/4", index: -1, count: 4)),
            ("1/0", .countOutOfRange(text: "1/0", count: 0)),
            ("1/100001", .countOutOfRange(text: "1/100001", count: 100_001)),
            ("2", .unparsable(text: "2")), ("2/4/1", .unparsable(text: "2/4/1")), ("a/b", .unparsable(text: "a/b")),
            ("", .unparsable(text: "")), (" 2/4", .unparsable(text: " 2/4")),
        ]
        for (text, error) in cases {
            #expect(throws: error, "\(text)") { try Shard(parsing: text) }
            #expect(!error.description.contains("--shard") && !error.description.contains("\n"))
        }
        #expect(
            ShardError.indexOutOfRange(text: "0/4", index: 0, count: 4).description
                == "the shard 0/4: I must be from 1 to 4"
        )
    }

    /// The shards of a batch are contiguous blocks that cover every run exactly once, larger blocks first, sizes
    /// differing by at most one; `--runs 10` in 4 shards is r_1–3, r_4–6, r_7–8, r_9–10.
    @Test func partitionsRunsIntoContiguousBlocks() throws {
        let blocks = try (1...4).map { try Shard(parsing: "\($0)/4").runIndexes(ofBatch: 10) }
        #expect(blocks == [1..<4, 4..<7, 7..<9, 9..<11])
        for runs in 1...23 {
            for count in 1...7 {
                let ranges = try (1...count).map { try Shard(parsing: "\($0)/\(count)").runIndexes(ofBatch: runs) }
                #expect(ranges.flatMap { Array($0) } == Array(1...runs), "runs \(runs) in \(count) shards")
                let sizes = ranges.map(\.count)
                #expect(sizes.max()! - sizes.min()! <= 1)
                #expect(sizes == sizes.sorted(by: >))
            }
        }
        #expect(try Shard(parsing: "2/2").runIndexes(ofBatch: 4, firstRunIndex: 11) == 13..<15)
    }

    /// Narrowing a configuration to a shard sets its first run and count and records the shard in config.json; a
    /// shard that gets no run is refused.
    @Test func narrowsConfigurationToShard() throws {
        var configuration = HarnessConfiguration(runs: 10, outputDirectory: "/tmp/x")
        try configuration.narrow(to: Shard(parsing: "3/4"))
        #expect(configuration.runIDs == ["r_000007", "r_000008"])
        #expect(configuration.json["shard"] == "3/4" && configuration.json["batch_runs"]?.intValue == 10)
        #expect(HarnessConfiguration(outputDirectory: "/tmp/x").json["shard"] == nil)
        var small = HarnessConfiguration(runs: 3, outputDirectory: "/tmp/x")
        let last = try Shard(parsing: "4/4")
        #expect(throws: ShardError.noRuns(shard: last, batchRuns: 3)) { try small.narrow(to: last) }
        #expect(
            ShardError.noRuns(shard: last, batchRuns: 3).description == "the shard 4/4 gets no run of a batch of 3 runs"
        )
    }

    /// Bad `--shard` values are one line each, exit 2, before anything starts.
    @Test func badShardFlagIsAUsageError() async throws {
        let directory = try TemporaryDirectory()
        for (arguments, says) in [
            (["--shard", "0/4"], "I counts from 1"), (["--shard", "5/4"], "from 1 to 4"),
            (["--shard", "2-4"], "takes I/N"), (["--runs", "3", "--shard", "4/4"], "gets no run of --runs 3"),
        ] {
            let result = await tdf(["run", "--stack", "embedded", "--out", directory.path("out")] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(says), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("out")))
    }
}

@Suite struct MergeErrorTests {
    /// The merge's errors carry the trees and shards at fault; their descriptions name no flag of `tdf merge`.
    @Test func mergeErrorsCarryTheTreesAtFault() throws {
        let directory = try TemporaryDirectory()
        let first = try makeTree(directory.path("first"), seed: 5, shard: "1/2")
        let otherSplit = try makeTree(directory.path("other-split"), seed: 5, shard: "2/3")
        let file = first + "/config.json"
        let errors: [ArtifactMergeError] = [
            .notADirectory(file),
            .differentShardSplits(
                tree: otherSplit,
                shard: try Shard(parsing: "2/3"),
                sampleTree: first,
                sampleShard: try Shard(parsing: "1/2")
            ),
            .destinationNotEmpty(first),
        ]
        #expect(throws: errors[0]) { try ArtifactMerge(trees: [file]) }
        #expect(throws: errors[1]) { try ArtifactMerge(trees: [otherSplit, first]) }
        #expect(throws: errors[2]) { try StagedDirectory(destination: first, replacing: false) }
        for error in errors {
            #expect(error.isInputProblem)
            #expect(!error.description.contains("--"), "\(error)")
        }
        #expect(errors[2].description == "\(first) is not empty, and replacing it was not allowed")
    }

    /// An artifact directory that cannot be used is reported with its path and what stands in the way.
    @Test func outputProblemsCarryPathAndReason() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("file")
        try Data().write(to: URL(fileURLWithPath: file))
        let occupied = HarnessRunner.outputProblem(file)
        #expect(occupied == OutputDirectoryProblem(path: file, reason: .notADirectory))
        #expect(occupied?.description == "the output directory \(file) exists and is not a directory")
        let unwritable = try #require(HarnessRunner.outputProblem("/proc/tdf-cannot-write-here"))
        #expect(unwritable.path == "/proc/tdf-cannot-write-here")
        guard case .unwritable(let explanation) = unwritable.reason else {
            Issue.record("\(unwritable)")
            return
        }
        #expect(!explanation.isEmpty)
        #expect(HarnessRunner.outputProblem(directory.path("new")) == nil)
    }
}

@Suite struct MergeCommandTests {
    /// Four shards of `--runs 8 --seed 1337`, merged in any order, equal one unsharded run on the deterministic
    /// projection run by run (and in cassette digests and the MUSE graph text), with every JSON Lines file in run
    /// id order; the merge is the same bytes
    /// whatever the order of its inputs; `tdf report` counts all eight runs and a run from the third shard replays
    /// identically from the merged tree.
    @Test func fourShardsMergedEqualOneUnshardedRun() async throws {
        let directory = try TemporaryDirectory()
        let whole = directory.path("whole")
        try await record(runs: 8, seed: 1337, out: whole)
        let shards = (1...4).map { directory.path("shard-\($0)") }
        for (number, shard) in shards.enumerated() {
            try await record(runs: 8, seed: 1337, shard: "\(number + 1)/4", out: shard)
            #expect(runIDs(shard).count == 2)
        }
        let merged = directory.path("merged")
        let result = await tdf(["merge", merged, shards[2], shards[0], shards[3], shards[1]])
        try #require(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("8 runs from 4 trees"))

        let expected = (1...8).map { RunIdentity.runID(index: $0) }
        #expect(runIDs(merged) == expected)
        let comparison = ReplayComparison(original: ArtifactTreeIndex(root: whole), replayed: merged)
        for runID in expected {
            let divergence = comparison.firstDivergence(runID: runID)
            #expect(divergence == nil, "\(runID): \(divergence?.description ?? "")")
        }
        for file in ["events.jsonl", "metrics.jsonl", "logs/client.log"] {
            let lines = try lineFileText(merged + "/" + file).split(separator: "\n")
            let owners = try lines.map { try JSONParser.parse(String($0))["run_id"]?.stringValue ?? "" }
            #expect(Set(owners) == Set(expected), "\(file)")
            let unordered = zip(owners, owners.dropFirst()).enumerated().first { $0.element.0 > $0.element.1 }
            #expect(unordered == nil, "\(file) line \((unordered?.offset ?? 0) + 2) is out of run id order")
        }
        #expect(try cassetteDigests(merged + "/cassettes") == cassetteDigests(whole + "/cassettes"))
        #expect(
            try String(contentsOfFile: merged + "/muse/graph.txt", encoding: .utf8)
                == String(contentsOfFile: whole + "/muse/graph.txt", encoding: .utf8)
        )
        let manifest = try JSONParser.parse(String(contentsOfFile: merged + "/manifest.json", encoding: .utf8))
        #expect(manifest["runs_finished"]?.intValue == 8 && manifest["command"] == "merge")
        #expect(
            manifest["shards"]?.arrayValue?.compactMap { $0["shard"]?.stringValue } == ["1/4", "2/4", "3/4", "4/4"]
        )
        let configuration = try JSONParser.parse(String(contentsOfFile: merged + "/config.json", encoding: .utf8))
        #expect(configuration["runs"]?.intValue == 8 && configuration["first_run_index"]?.intValue == 1)
        #expect(configuration["shard"] == nil)

        let first = try files(under: merged)
        let again = await tdf(["merge", "--force", merged, shards[0], shards[1], shards[2], shards[3]])
        try #require(again.status == 0, "\(again.stderr)")
        #expect(try files(under: merged) == first)

        let report = await tdf(["report", "--in", merged])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("tdf report: 8 runs, "))
        let replay = await tdf(["replay", "--run-id", "r_000006", "--in", merged, "--out", directory.path("replayed")])
        #expect(replay.status == 0 && replay.stdout == "identical\n", "\(replay.stdout) \(replay.stderr)")
    }

    /// Trees that cannot be one batch are refused with exit 2 and a line naming the trees and what clashes — a
    /// missing shard, another seed, a run or a file in two trees, a tree with no runs, an unfinished tree, a shard of
    /// another split, an OUT inside an input, a non-empty OUT — and nothing is left at OUT or beside it.
    @Test func refusesTreesThatAreNotOneBatch() async throws {
        let directory = try TemporaryDirectory()
        let first = try makeTree(directory.path("first"), seed: 5, shard: "1/2")
        let second = try makeTree(directory.path("second"), seed: 5, shard: "2/2")
        let otherSeed = try makeTree(directory.path("other-seed"), seed: 6, shard: "2/2")
        let otherSplit = try makeTree(directory.path("other-split"), seed: 5, shard: "2/3")
        let unfinished = try makeTree(directory.path("unfinished"), seed: 5, shard: "2/2", state: "running")
        let empty = try makeTree(directory.path("empty"), seed: 5, shard: "2/2")
        try Data().write(to: URL(fileURLWithPath: empty + "/runs.jsonl"))
        let sharedFile = try makeTree(directory.path("shared-file"), seed: 5, shard: "2/2")
        try Data("a".utf8).write(to: URL(fileURLWithPath: first + "/notes.txt"))
        try Data("b".utf8).write(to: URL(fileURLWithPath: sharedFile + "/notes.txt"))
        let copy = directory.path("copy")
        let manager = FileManager.default
        try manager.copyItem(atPath: first, toPath: copy)

        let out = directory.path("out")
        let refusals: [(inputs: [String], says: [String])] = [
            ([second], ["shard 1/2 of the 4-run batch is missing (runs r_000001 to r_000002)"]),
            ([first, otherSeed], ["different seed", "\"5\"", "\"6\"", first, otherSeed]),
            ([first, copy], ["run r_000001 is in both", first, copy]),
            ([first, empty], [empty + "/runs.jsonl lists no runs"]),
            ([first, unfinished], [unfinished + " is not finished"]),
            ([first, otherSplit], [otherSplit + " is shard 2/3 but " + first + " is shard 1/2"]),
            ([first, sharedFile], ["notes.txt is in both", first, sharedFile]),
            ([], ["'tdf merge' needs DIR"]),
        ]
        let inside = await tdf(["merge", first + "/merged", first, second])
        #expect(inside.status == 2 && inside.stderr.contains("overlaps the input \(first)"), "\(inside.stderr)")
        #expect(!manager.fileExists(atPath: first + "/merged"))
        for (inputs, says) in refusals {
            let result = await tdf(["merge", out] + inputs)
            #expect(result.status == 2, "\(inputs): \(result.stderr)")
            for text in says { #expect(result.stderr.contains(text), "\(result.stderr)") }
            #expect(result.stderr.split(separator: "\n").count == 1)
            #expect(!manager.fileExists(atPath: out))
        }

        try manager.createDirectory(atPath: out, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: out + "/kept.txt"))
        let occupied = await tdf(["merge", out, first, second])
        #expect(occupied.status == 2)
        #expect(occupied.stderr.contains("is not empty") && occupied.stderr.contains("--force"))
        #expect(try manager.contentsOfDirectory(atPath: out) == ["kept.txt"])
        let forced = await tdf(["merge", "--force", out, second, first])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(runIDs(out) == ["r_000001", "r_000002", "r_000003", "r_000004"])
        #expect(manager.fileExists(atPath: out + "/payloads/prompt_fetch/r_000004_1.json"))
        #expect(!manager.fileExists(atPath: out + "/kept.txt"))
        #expect(try manager.contentsOfDirectory(atPath: directory.path("")).filter { $0.hasPrefix(".") }.isEmpty)
    }
}
