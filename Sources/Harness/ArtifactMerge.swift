import Foundation
import Gzip
import JSON
import Vocabulary

/// Why artifact trees cannot be merged: an input that is not a finished tree or that clashes with another (exit 2),
/// or an output that cannot be written (exit 3).
public enum ArtifactMergeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An input is unusable or clashes with another; the line names the tree or file.
    case input(String)
    /// The output cannot be written; the line names the file.
    case output(String)
    /// An input, given here, is not a directory, so not an artifact tree.
    case notADirectory(String)
    /// Two inputs were cut by different shard splits, or one was not cut at all (`shard` nil).
    case differentShardSplits(tree: String, shard: Shard?, sampleTree: String, sampleShard: Shard)
    /// The destination, given here, holds entries, and replacing it was not allowed.
    case destinationNotEmpty(String)

    /// True when the inputs are at fault (a usage error); false when the output could not be written.
    public var isInputProblem: Bool {
        switch self {
        case .output: false
        case .input, .notADirectory, .differentShardSplits, .destinationNotEmpty: true
        }
    }

    /// One line: which tree or file, and what is wrong with it.
    public var description: String {
        switch self {
        case .input(let problem), .output(let problem): problem
        case .notADirectory(let path): "\(path) is not a directory, so not an artifact tree"
        case .differentShardSplits(let tree, let shard, let sampleTree, let sampleShard):
            "\(tree) \(shard.map { "is shard \($0)" } ?? "is not a shard") but \(sampleTree) is shard \(sampleShard); "
                + "merge the shards of one split"
        case .destinationNotEmpty(let path): "\(path) is not empty, and replacing it was not allowed"
        }
    }
}

/// The merge of the artifact trees of several shards of one batch (or of any runs of one seed and configuration)
/// into one tree, as if one `tdf run` had made it (issue 10). The cassette sessions are merged by the caller
/// (Harness does not know cassettes); ``cassetteDirectories`` names them in merge order.
///
/// Merging refuses trees that are not finished, trees of different seeds or configurations (everything in
/// `config.json` except what a shard may choose for itself: `out`, `runs`, `first_run_index`, `shard`,
/// `concurrency`, `verbose`, and the loopback ports of an embedded stack), a run present in two trees, a file present
/// in two trees, and an incomplete set of `--shard` trees. The result is the same bytes whatever the order of the
/// inputs: trees are taken in the order of their first run id, JSON Lines files are ordered by run id (a run's
/// lines keep their order), and the times in the rebuilt `manifest.json` come from the inputs.
public struct ArtifactMerge: Sendable {
    /// One input tree, read and checked.
    struct Source: Sendable {
        var path: String
        var configuration: JSONObject
        var manifest: JSONValue
        var runs: [(runID: String, index: Int, line: String)]
    }

    /// `config.json` keys a shard may set for itself.
    static let perShardKeys: Set<String> = ["out", "runs", "first_run_index", "shard", "concurrency", "verbose"]
    /// `config.json` keys that hold service URLs (compared without their ports when the stack was embedded).
    static let urlKeys: Set<String> = ["prompt_endpoint", "maestro", "storpheus", "muse_url"]
    /// Root files rebuilt from the inputs rather than copied.
    static let rebuiltFiles: Set<String> = [
        ArtifactLayout.configurationName, ArtifactLayout.manifestName, ArtifactLayout.museGraphName,
        ArtifactLayout.museGraphTextName, ArtifactLayout.museGraphVisualisationName,
    ]
    /// JSON Lines files merged in run id order.
    static let runOrderedFiles = [
        ArtifactLayout.runsName, ArtifactLayout.eventsName, ArtifactLayout.metricsName, ArtifactLayout.clientLogName,
    ]
    /// Outputs derived from a tree (by `tdf report`), left out of a merge: they would describe only their shard.
    static let derivedOutputs: Set<String> = [ArtifactLayout.reportDirectoryName, ArtifactLayout.analyticsDatabaseName]

    let sources: [Source]

    /// Reads and checks the trees at `paths` (at least one).
    public init(trees paths: [String]) throws(ArtifactMergeError) {
        guard !paths.isEmpty else { throw .input("give at least one artifact tree to merge") }
        var sources: [Source] = []
        for path in paths { sources.append(try Self.read(path)) }
        sources.sort { $0.runs[0].runID < $1.runs[0].runID }
        try Self.checkSameBatch(sources)
        try Self.checkNoOverlap(sources)
        try Self.checkShardsComplete(sources)
        self.sources = sources
    }

    /// Every run id of the merged batch, in order.
    public var runIDs: [String] { sources.flatMap { $0.runs.map(\.runID) }.sorted() }

    /// The input trees in merge order (by their first run id).
    public var trees: [String] { sources.map(\.path) }

    /// The `cassettes/` directories of the inputs that have one, in merge order.
    public var cassetteDirectories: [String] {
        sources.map { ArtifactLayout(root: $0.path).cassettesDirectory }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    // MARK: - Reading and checking

    private static func read(_ path: String) throws(ArtifactMergeError) -> Source {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notADirectory(path)
        }
        let layout = ArtifactLayout(root: path)
        guard let configuration = try json(layout.configurationFile).objectValue else {
            throw .input("\(layout.configurationFile) is not a JSON object")
        }
        let manifest = try json(layout.manifestFile)
        let state = manifest["state"]?.stringValue
        guard state == "finished" else {
            throw .input(
                "\(path) is not finished (\(ArtifactLayout.manifestName) state '\(state ?? "?")'): "
                    + "its run was interrupted; run that shard again"
            )
        }
        var runs: [(runID: String, index: Int, line: String)] = []
        for (number, line) in try lines(layout.runsFile).enumerated() {
            let record = try? JSONParser.parse(line, options: .python)
            guard let runID = record?["run_id"]?.stringValue, let index = record?["index"]?.intValue else {
                throw .input("\(layout.runsFile) line \(number + 1) is not a run record with run_id and index")
            }
            runs.append((runID, index, line))
        }
        guard !runs.isEmpty else { throw .input("\(layout.runsFile) lists no runs: there is nothing to merge") }
        return Source(path: path, configuration: configuration, manifest: manifest, runs: runs)
    }

    private static func json(_ path: String) throws(ArtifactMergeError) -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .input("cannot read \(path): is this a tdf run artifact tree?")
        }
        do {
            return try JSONParser.parse(String(decoding: data, as: UTF8.self), options: .python)
        } catch {
            throw .input("\(path) is not JSON: \(error)")
        }
    }

    private static func lines(_ path: String) throws(ArtifactMergeError) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .input("cannot read \(path)") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    private static func checkSameBatch(_ sources: [Source]) throws(ArtifactMergeError) {
        let first = sources[0]
        let embedded = { (source: Source) in source.configuration["stack"]?.stringValue == "embedded" }
        for other in sources.dropFirst() {
            let bothEmbedded = embedded(first) && embedded(other)
            let keys = first.configuration.keys + other.configuration.keys.filter { first.configuration[$0] == nil }
            for key in keys where !perShardKeys.contains(key) {
                var left = first.configuration[key]
                var right = other.configuration[key]
                if bothEmbedded && urlKeys.contains(key) {
                    left = left.map(withoutPorts)
                    right = right.map(withoutPorts)
                }
                guard left != right else { continue }
                throw .input(
                    "\(first.path) and \(other.path) were recorded with different \(key) "
                        + "(\(left?.compactText ?? "absent") and \(right?.compactText ?? "absent")); "
                        + "merge only trees of one batch"
                )
            }
        }
    }

    /// `value` with the port of every `http://host:port` in it as `PORT`: each shard's embedded stack listens on
    /// ports its own process chose. (Analysis's volatility policy masks ports the same way for the replay comparison;
    /// Harness cannot import Analysis, and these are the shards' settings, not recorded content.)
    private static func withoutPorts(_ value: JSONValue) -> JSONValue {
        guard case .string(let text) = value else { return value }
        return .string(
            text.replacingOccurrences(
                of: #"(https?://[A-Za-z0-9.\-\[\]]+):[0-9]+"#,
                with: "$1:PORT",
                options: .regularExpression
            )
        )
    }

    private static func checkNoOverlap(_ sources: [Source]) throws(ArtifactMergeError) {
        var owner: [String: String] = [:]
        for source in sources {
            for run in source.runs {
                if let earlier = owner[run.runID] {
                    throw .input(
                        "run \(run.runID) is in both \(earlier) and \(source.path); each run must come from one tree"
                    )
                }
                owner[run.runID] = source.path
            }
        }
    }

    /// Trees made with `--shard` must be every shard of their batch.
    private static func checkShardsComplete(_ sources: [Source]) throws(ArtifactMergeError) {
        let shards = sources.map { $0.configuration["shard"]?.stringValue.flatMap { try? Shard(parsing: $0) } }
        guard let sampleIndex = shards.firstIndex(where: { $0 != nil }), let sampleShard = shards[sampleIndex] else {
            return
        }
        let sample = sources[sampleIndex]
        for (source, shard) in zip(sources, shards) where shard?.count != sampleShard.count {
            throw .differentShardSplits(
                tree: source.path,
                shard: shard,
                sampleTree: sample.path,
                sampleShard: sampleShard
            )
        }
        let batchRuns = sample.configuration["batch_runs"]?.intValue ?? 0
        let offset = sampleShard.runIndexes(ofBatch: batchRuns).lowerBound - 1
        let batchFirst = (sample.configuration["first_run_index"]?.intValue ?? 1) - offset
        let given = Set(shards.compactMap { $0?.index })
        for index in 1...sampleShard.count where !given.contains(index) {
            let missing = Shard(index: index, count: sampleShard.count)
            let range = missing.runIndexes(ofBatch: batchRuns, firstRunIndex: batchFirst)
            throw .input(
                "shard \(missing) of the \(batchRuns)-run batch is missing (runs "
                    + "\(RunIdentity.runID(index: range.lowerBound)) to \(RunIdentity.runID(index: range.upperBound - 1))"
                    + "); give the tree of every shard"
            )
        }
    }

    // MARK: - Writing

    /// What a merge wrote.
    public struct Outcome: Sendable {
        /// Runs in the merged tree.
        public var runs: Int
        /// Files copied as they are.
        public var copiedFiles: Int
        /// Derived outputs of the inputs left out (`report/`, `tourdeforce.db`): `tdf report` rebuilds them.
        public var droppedDerived: [String]
    }

    /// Writes the merged tree (everything but `cassettes/`) into `directory`, describing it as `destination` in
    /// `config.json`.
    public func write(
        into directory: String,
        destination: String,
        toolVersion: String
    ) throws(ArtifactMergeError) -> Outcome {
        let store: ArtifactStore
        do {
            store = try ArtifactStore(root: directory, secrets: [])
        } catch {
            throw .output(error.message)
        }
        var outcome = Outcome(runs: runIDs.count, copiedFiles: 0, droppedDerived: [])
        try copyFiles(into: store, outcome: &outcome)
        do {
            for file in Self.runOrderedFiles { try mergeRunOrdered(file, into: store) }
            try writeGraphAggregates(into: store)
            let configuration = mergedConfiguration(destination: destination)
            try store.write(json: .object(configuration), to: ArtifactLayout.configurationName)
            try store.write(
                json: manifest(configuration: configuration, toolVersion: toolVersion),
                to: ArtifactLayout.manifestName
            )
        } catch {
            throw .output(error.message)
        }
        return outcome
    }

    /// Copies every file that belongs to one run or is not rebuilt, refusing a file two trees both have.
    private func copyFiles(into store: ArtifactStore, outcome: inout Outcome) throws(ArtifactMergeError) {
        let manager = FileManager.default
        var owner: [String: String] = [:]
        var dropped: Set<String> = []
        for source in sources {
            guard let paths = try? manager.subpathsOfDirectory(atPath: source.path) else {
                throw .input("cannot list \(source.path)")
            }
            for relative in paths.sorted() {
                let components = relative.split(separator: "/")
                let top = String(components.first ?? "")
                // Dot files are temporary files of interrupted atomic writes, not artifacts.
                if components.contains(where: { $0.hasPrefix(".") }) || top == ArtifactLayout.cassettesDirectoryName {
                    continue
                }
                if Self.derivedOutputs.contains(top) {
                    dropped.insert(top)
                    continue
                }
                if Self.rebuiltFiles.contains(relative) || Self.runOrderedFiles.contains(relative)
                    || Self.runOrderedFiles.contains(where: { relative == $0 + SealedLineFile.sealedSuffix })
                {
                    continue
                }
                var isDirectory: ObjCBool = false
                _ = manager.fileExists(atPath: source.path + "/" + relative, isDirectory: &isDirectory)
                do {
                    if isDirectory.boolValue {
                        try store.makeDirectory(relative)
                        continue
                    }
                } catch {
                    throw .output(error.message)
                }
                if let earlier = owner[relative] {
                    throw .input(
                        "\(relative) is in both \(earlier) and \(source.path); a merged file may come from one tree only"
                    )
                }
                owner[relative] = source.path
                do {
                    try manager.copyItem(atPath: source.path + "/" + relative, toPath: store.path(relative))
                } catch {
                    throw .output("cannot copy \(source.path)/\(relative) to \(store.path(relative)): \(error)")
                }
                outcome.copiedFiles += 1
            }
        }
        outcome.droppedDerived = dropped.sorted()
    }

    /// Writes `file` with the lines of every tree ordered by run id; a run's lines keep their order, lines without a
    /// run id come first.
    private func mergeRunOrdered(_ file: String, into store: ArtifactStore) throws(HarnessError) {
        var present = false
        var keyed: [(runID: String, order: Int, line: String)] = []
        for source in sources {
            let data: [UInt8]?
            do {
                data = try SealedLineFile.contents(of: source.path + "/" + file)
            } catch {
                throw HarnessError(.io, "cannot read \(source.path)/\(file): \(error)")
            }
            guard let data else { continue }
            present = true
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let runID = (try? JSONParser.parse(String(line), options: .python))?["run_id"]?.stringValue ?? ""
                keyed.append((runID, keyed.count, String(line)))
            }
        }
        guard present else { return }
        keyed.sort { ($0.runID, $0.order) < ($1.runID, $1.order) }
        try store.write(keyed.map { $0.line + "\n" }.joined(), to: file)
        if ArtifactStore.sealedLineFiles.contains(file) {
            do {
                try SealedLineFile.seal(store.path(file))
            } catch {
                throw HarnessError(.io, "cannot seal \(store.path(file)): \(error)")
            }
        }
    }

    /// Rebuilds `muse/graph.json`, `graph_viz.json` and `graph.txt` from the runs the trees' own aggregates list.
    private func writeGraphAggregates(into store: ArtifactStore) throws(HarnessError) {
        var graphs: [(runID: String, graph: JSONValue, visualisation: JSONValue?, text: String)] = []
        var present = false
        for source in sources {
            let layout = ArtifactLayout(root: source.path)
            guard let data = FileManager.default.contents(atPath: layout.museGraphFile) else { continue }
            present = true
            let visualisations = (try? Self.json(layout.museGraphVisualisationFile))?["runs"]?.arrayValue ?? []
            let entries = (try? JSONParser.parse(String(decoding: data, as: UTF8.self)))?["runs"]?.arrayValue ?? []
            for entry in entries {
                guard let runID = entry["run_id"]?.stringValue else { continue }
                let text = try? String(contentsOfFile: layout.museGraphTextFile(run: runID), encoding: .utf8)
                graphs.append(
                    (runID, entry, visualisations.first { $0["run_id"]?.stringValue == runID }, text ?? "")
                )
            }
        }
        guard present else { return }
        graphs.sort { $0.runID < $1.runID }
        try MuseGraphExport.writeAggregates(
            graphs: graphs.map(\.graph),
            visualisations: graphs.compactMap(\.visualisation),
            texts: graphs.map(\.text),
            to: store
        )
    }

    /// The first tree's configuration, describing the whole batch: all its runs, from the first index, in
    /// `destination`, with no shard.
    private func mergedConfiguration(destination: String) -> JSONObject {
        var configuration = sources[0].configuration
        configuration["runs"] = .int(runIDs.count)
        configuration["first_run_index"] = .int(sources.flatMap { $0.runs.map(\.index) }.min() ?? 1)
        configuration["out"] = .string(destination)
        configuration["shard"] = nil
        configuration["batch_runs"] = nil
        return configuration
    }

    private func manifest(configuration: JSONObject, toolVersion: String) -> JSONValue {
        let runs = sources.flatMap { source in
            source.runs.map { run -> BatchManifest.Run in
                let record = try? JSONParser.parse(run.line, options: .python)
                return BatchManifest.Run(
                    runID: run.runID,
                    status: record?["status"]?.stringValue ?? "unknown",
                    scenario: record?["scenario"]?.stringValue ?? "unknown"
                )
            }
        }
        .sorted { $0.runID < $1.runID }
        let started = sources.compactMap { $0.manifest["started_at"]?.stringValue }.min() ?? ""
        let finished = sources.compactMap { $0.manifest["finished_at"]?.stringValue }.max() ?? started
        var manifest = BatchManifest(
            toolVersion: toolVersion,
            command: "merge",
            startedAt: started,
            finishedAt: finished,
            seed: configuration["seed"]?.stringValue ?? "",
            runsPlanned: runs.count,
            runs: runs,
            recorded: !cassetteDirectories.isEmpty,
            configuration: .object(configuration)
        )
        .json
        manifest["shards"] = .array(sources.map { .object(Self.shardEntry($0)) })
        return .object(manifest)
    }

    /// The manifest's account of one input tree.
    private static func shardEntry(_ source: Source) -> JSONObject {
        let runIDs = source.runs.map(\.runID)
        var entry = JSONObject()
        entry["tree"] = .string(source.path)
        entry["shard"] = source.configuration["shard"] ?? .null
        entry["first_run_id"] = .string(runIDs.min() ?? "")
        entry["last_run_id"] = .string(runIDs.max() ?? "")
        entry["runs"] = .int(runIDs.count)
        entry["concurrency"] = source.configuration["concurrency"] ?? .null
        entry["started_at"] = source.manifest["started_at"] ?? .null
        entry["finished_at"] = source.manifest["finished_at"] ?? .null
        return entry
    }
}
