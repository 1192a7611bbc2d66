import Cassettes
import Foundation
import Gzip
import HTTPWire
import JSON
import Synchronization
import Vocabulary

/// Reads an artifact tree (the harness's `--out` directory). A missing or damaged file is recorded as an
/// ``InputProblem`` naming it and what is wrong, and loading goes on with the rest.
public enum ArtifactTreeLoader {
    /// Event types kept from `events.jsonl` (the rest are not needed by the analysis).
    static let keptEventTypes: Set<String> = [
        "muse_merge", "muse_conflict", "muse_checkout", "muse_commit", "drift_detected", "drift_recovered",
    ]

    /// Loads the tree at `root`.
    public static func load(root: String) -> ArtifactTree {
        var tree = ArtifactTree(root: root)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            tree.problems.append(InputProblem(file: root, problem: "not a directory (missing)"))
            return tree
        }
        loadRuns(&tree)
        loadEvents(&tree)
        loadGraph(&tree)
        loadMIDI(&tree)
        loadCassettes(&tree)
        loadManifest(&tree)
        return tree
    }

    /// Loads only `runs.jsonl` and the MIDI summaries of the tree at `root` (what a diff needs beside the
    /// cassettes, which it reads whole); the tree's `root` must be a directory.
    static func loadRunsAndMIDI(root: String) -> ArtifactTree {
        var tree = ArtifactTree(root: root)
        loadRuns(&tree)
        loadMIDI(&tree)
        return tree
    }

    // MARK: - Files

    private static func read(_ relative: String, into tree: inout ArtifactTree) -> Data? {
        let path = ArtifactLayout(root: tree.root).path(relative)
        guard FileManager.default.fileExists(atPath: path) else {
            tree.problems.append(InputProblem(file: relative, problem: "missing"))
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            tree.problems.append(InputProblem(file: relative, problem: "cannot be read"))
            return nil
        }
        return data
    }

    /// The lines of a line file, sealed (`<relative>.gz`) or plain.
    private static func lines(_ relative: String, into tree: inout ArtifactTree) -> [UInt8]? {
        do {
            guard let bytes = try SealedLineFile.contents(of: ArtifactLayout(root: tree.root).path(relative)) else {
                tree.problems.append(InputProblem(file: relative, problem: "missing"))
                return nil
            }
            return bytes
        } catch {
            tree.problems.append(InputProblem(file: relative, problem: "cannot be read (\(error))"))
            return nil
        }
    }

    /// Parses each non-empty line (only those containing `filter`, when given); a damaged line is named by number
    /// and skipped.
    private static func jsonLines(
        _ relative: String,
        into tree: inout ArtifactTree,
        filter: [UInt8]? = nil
    ) -> [JSONValue]? {
        guard let bytes = lines(relative, into: &tree) else { return nil }
        var values: [JSONValue] = []
        var damaged: [String] = []
        let needle = filter ?? []
        var lineNumber = 0
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var start = 0
            while start < buffer.count {
                let end: Int
                if let found = memchr(base + start, Int32(UInt8(ascii: "\n")), buffer.count - start) {
                    end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                } else {
                    end = buffer.count
                }
                lineNumber += 1
                let line = UnsafeBufferPointer(rebasing: buffer[start..<end])
                start = end + 1
                if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
                if !needle.isEmpty,
                    needle.withUnsafeBytes({ ByteSearch.firstOffset(of: $0, in: UnsafeRawBufferPointer(line)) }) == nil
                {
                    continue
                }
                do {
                    values.append(try JSONParser.parse(line))
                } catch {
                    if damaged.count < 3 {
                        damaged.append("line \(lineNumber): \(error)")
                    } else if damaged.count == 3 {
                        damaged.append("…")
                    }
                }
            }
        }
        if !damaged.isEmpty {
            tree.problems.append(
                InputProblem(file: relative, problem: "damaged lines skipped (" + damaged.joined(separator: "; ") + ")")
            )
        }
        return values
    }

    private static func json(_ relative: String, into tree: inout ArtifactTree) -> JSONValue? {
        guard let data = read(relative, into: &tree) else { return nil }
        do {
            return try JSONParser.parse(data)
        } catch {
            tree.problems.append(InputProblem(file: relative, problem: "not valid JSON (\(error))"))
            return nil
        }
    }

    // MARK: - runs.jsonl

    private static func loadRuns(_ tree: inout ArtifactTree) {
        guard let lines = jsonLines(ArtifactLayout.runsName, into: &tree) else { return }
        tree.hasRuns = true
        var missingID = 0
        for value in lines {
            guard let runID = value["run_id"]?.stringValue else {
                missingID += 1
                continue
            }
            let steps = (value["steps"]?.arrayValue ?? []).map { step in
                RunStep(
                    name: step["name"]?.stringValue ?? "?",
                    status: step["status"]?.stringValue ?? "?",
                    durationMilliseconds: step["duration_ms"]?.doubleValue ?? 0
                )
            }
            tree.runs.append(
                RunRecord(
                    runID: runID,
                    index: value["index"]?.intValue ?? 0,
                    scenario: value["scenario"]?.stringValue ?? "",
                    status: value["status"]?.stringValue ?? "unknown",
                    error: value["error"]?.stringValue,
                    startedAt: value["started_at"]?.stringValue ?? "",
                    durationMilliseconds: value["duration_ms"]?.doubleValue ?? 0,
                    promptID: value["prompt"]?["id"]?.stringValue,
                    promptTitle: value["prompt"]?["title"]?.stringValue,
                    style: value["prompt"]?["style"]?.stringValue,
                    notes: value["compose"]?["notes"]?.intValue,
                    qualityScore: value["midi"]?["quality_score"]?.doubleValue,
                    requests: value["requests"]?.intValue ?? 0,
                    steps: steps,
                    contractViolations: (value["contract_violations"]?.arrayValue ?? []).map {
                        $0.stringValue ?? $0.compactText
                    },
                    museHead: value["muse"]?["head"]?.stringValue
                )
            )
        }
        if missingID > 0 {
            tree.problems.append(
                InputProblem(file: ArtifactLayout.runsName, problem: "\(missingID) lines without a run_id skipped")
            )
        }
        tree.runs.sort { $0.runID < $1.runID }
    }

    // MARK: - events.jsonl

    private static func loadEvents(_ tree: inout ArtifactTree) {
        let museEvents = Array(#""component":"muse""#.utf8)
        guard let lines = jsonLines(ArtifactLayout.eventsName, into: &tree, filter: museEvents) else { return }
        tree.hasEvents = true
        for value in lines {
            guard let type = value["event_type"]?.stringValue, keptEventTypes.contains(type) else { continue }
            var fields: [String: String] = [:]
            for (key, member) in value["data"]?.members ?? [] {
                switch member {
                case .string(let text): fields[key] = text
                case .number(let text): fields[key] = text
                case .bool(let flag): fields[key] = flag ? "true" : "false"
                case .array(let elements):
                    fields[key] = elements.map { $0.stringValue ?? $0.compactText }.joined(separator: "\n")
                case .null: break
                case .object: fields[key] = member.compactText
                }
            }
            tree.events.append(
                RecordedEvent(
                    timestamp: value["ts"]?.stringValue ?? "",
                    runID: value["run_id"]?.stringValue ?? "",
                    component: value["component"]?.stringValue ?? "",
                    type: type,
                    fields: fields
                )
            )
        }
    }

    static func merges(in events: [RecordedEvent]) -> [MuseMerge] {
        events.compactMap { event in
            switch event.type {
            case "muse_merge":
                return MuseMerge(
                    runID: event.runID,
                    name: event.fields["name"],
                    left: event.fields["left"] ?? "?",
                    right: event.fields["right"] ?? "?",
                    outcome: "clean",
                    conflicts: 0,
                    descriptions: []
                )
            case "muse_conflict":
                return MuseMerge(
                    runID: event.runID,
                    name: nil,
                    left: event.fields["left"] ?? "?",
                    right: event.fields["right"] ?? "?",
                    outcome: "conflict",
                    conflicts: Int(event.fields["conflicts"] ?? "") ?? 1,
                    descriptions: (event.fields["descriptions"] ?? "").split(separator: "\n").map(String.init)
                )
            default:
                return nil
            }
        }
    }

    static func checkouts(in events: [RecordedEvent]) -> [MuseCheckout] {
        events.filter { $0.type == "muse_checkout" }.map { event in
            MuseCheckout(
                runID: event.runID,
                ref: event.fields["name"] ?? event.fields["ref"] ?? "?",
                force: event.fields["force"] == "true",
                headMoved: event.fields["head_moved"] != "false"
            )
        }
    }

    // MARK: - muse/graph.json

    private static func loadGraph(_ tree: inout ArtifactTree) {
        guard let graph = json(ArtifactLayout.museGraphName, into: &tree) else { return }
        guard let runs = graph["runs"]?.arrayValue else {
            tree.problems.append(InputProblem(file: ArtifactLayout.museGraphName, problem: "has no `runs` array"))
            return
        }
        tree.hasGraph = true
        for run in runs {
            let nodes = (run["nodes"]?.arrayValue ?? []).compactMap { node -> MuseNode? in
                guard let id = node["id"]?.stringValue else { return nil }
                return MuseNode(
                    id: id,
                    name: node["name"]?.stringValue ?? String(id.prefix(8)),
                    parent: node["parent"]?.stringValue,
                    secondParent: node["parent2"]?.stringValue,
                    isHead: node["is_head"]?.boolValue ?? false,
                    intent: node["intent"]?.stringValue ?? ""
                )
            }
            tree.graphs.append(
                MuseGraph(runID: run["run_id"]?.stringValue ?? "?", nodes: nodes, head: run["head"]?.stringValue)
            )
        }
    }

    // MARK: - midi/run_<id>/midi_summary.json

    private static func loadMIDI(_ tree: inout ArtifactTree) {
        let layout = ArtifactLayout(root: tree.root)
        let runIDs = tree.runs.isEmpty ? directoryRunIDs(layout.midiDirectory) : tree.runs.map(\.runID)
        for runID in runIDs {
            guard FileManager.default.fileExists(atPath: layout.midiSummaryFile(run: runID)) else { continue }
            guard let value = json(ArtifactLayout.midiSummaryName(run: runID), into: &tree) else { continue }
            let structure = value["structure"]
            tree.midi.append(
                MIDISummary(
                    runID: runID,
                    score: value["score"]?["total"]?.doubleValue ?? value["score"]?.doubleValue ?? 0,
                    noteCount: structure?["note_count"]?.intValue ?? 0,
                    trackCount: structure?["track_count"]?.intValue ?? 0,
                    durationSeconds: structure?["duration_seconds"]?.doubleValue ?? 0,
                    tempoBPM: structure?["initial_tempo_bpm"]?.doubleValue ?? 0,
                    pitchClassEntropy: value["harmony"]?["pitch_class_entropy_bits"]?.doubleValue ?? 0,
                    flaggedNotes: value["garbage"]?["flagged_notes"]?.intValue ?? 0
                )
            )
        }
    }

    private static func directoryRunIDs(_ path: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.compactMap(ArtifactLayout.run(ofRunDirectory:)).sorted()
    }

    // MARK: - manifest.json

    /// Says when the batch did not finish (the harness was killed): which runs started without a final status.
    private static func loadManifest(_ tree: inout ArtifactTree) {
        let layout = ArtifactLayout(root: tree.root)
        if FileManager.default.fileExists(atPath: layout.configurationFile),
            let configuration = json(ArtifactLayout.configurationName, into: &tree)
        {
            tree.batch.targets = [
                ("prompts", "prompt_endpoint"), ("maestro", "maestro"), ("storpheus", "storpheus"),
                ("muse", "muse_url"),
            ].compactMap { role, key in
                configuration[key]?.stringValue.map { BatchDescription.Target(role: role, url: $0) }
            }
            tree.batch.stack = configuration["stack"]?.stringValue
        }
        guard FileManager.default.fileExists(atPath: layout.manifestFile),
            let manifest = json(ArtifactLayout.manifestName, into: &tree)
        else { return }
        tree.batch.startedAt = manifest["started_at"]?.stringValue
        tree.batch.finishedAt = manifest["finished_at"]?.stringValue
        tree.batch.state = manifest["state"]?.stringValue
        tree.batch.seed = manifest["seed"]?.stringValue
        tree.batch.toolVersion = manifest["tool_version"]?.stringValue
        tree.batch.commit = manifest["commit"]?.stringValue
        tree.batch.command = manifest["command"]?.stringValue
        tree.batch.commandLine = (manifest["command_line"]?.arrayValue ?? []).compactMap(\.stringValue)
        let state = manifest["state"]?.stringValue ?? "unknown"
        guard state != "finished" else { return }
        tree.batchUnfinished = true
        let finished = Set(tree.runs.map(\.runID))
        let cassetteRunIDs = ((try? SessionDirectory.cassetteFileNames(in: layout.cassettesDirectory)) ?? [])
            .compactMap { name in RunID.run(forFileName: name)??.rawValue }
        let started = Set(
            cassetteRunIDs + directoryRunIDs(layout.midiDirectory) + directoryRunIDs(layout.museDirectory)
        )
        tree.unfinishedRuns = started.subtracting(finished).sorted()
        let planned = manifest["runs_planned"]?.intValue.map { " of \($0) planned" } ?? ""
        var problem =
            "the batch did not finish (state '\(state)'): \(finished.count)\(planned) runs have a final status"
        if !tree.unfinishedRuns.isEmpty {
            problem += "; " + tree.unfinishedRuns.joined(separator: ", ") + " started but have no final status"
        }
        tree.problems.append(InputProblem(file: ArtifactLayout.manifestName, problem: problem))
    }

    // MARK: - cassettes/

    private static func loadCassettes(_ tree: inout ArtifactTree) {
        let directory = ArtifactLayout(root: tree.root).cassettesDirectory
        let named = ArtifactLayout.cassettesDirectoryName + "/"
        guard FileManager.default.fileExists(atPath: directory) else {
            tree.problems.append(InputProblem(file: named, problem: "missing"))
            return
        }
        let names: [String]
        do {
            names = try SessionDirectory.cassetteFileNames(in: directory)
        } catch {
            tree.problems.append(InputProblem(file: named, problem: error.description))
            return
        }
        // Cassettes are independent: read and reduce them on every core, then merge in file order.
        let slots = Mutex([CassetteResult?](repeating: nil, count: names.count))
        DispatchQueue.concurrentPerform(iterations: names.count) { index in
            let result = reduceCassette(directory: directory, name: names[index])
            slots.withLock { $0[index] = result }
        }
        for result in slots.withLock({ $0 }) {
            guard let result else { continue }
            tree.problems += result.problems
            if result.wasRead { tree.hasCassettes = true }
            tree.exchanges += result.exchanges
            tree.blockedCheckouts += result.blockedCheckouts
        }
    }

    /// What one cassette contributes to the tree.
    private struct CassetteResult: Sendable {
        var wasRead = false
        var problems: [InputProblem] = []
        var exchanges: [ExchangeRecord] = []
        var blockedCheckouts: [MuseCheckout] = []
    }

    private static func reduceCassette(directory: String, name: String) -> CassetteResult {
        let relative = ArtifactLayout.cassettesDirectoryName + "/" + name
        var result = CassetteResult()
        let cassette: Cassette
        do {
            cassette = try Cassette.load(path: directory + "/" + name)
        } catch {
            result.problems.append(InputProblem(file: relative, problem: error.reason))
            return result
        }
        result.wasRead = true
        if let damage = cassette.damage {
            result.problems.append(
                InputProblem(file: relative, problem: "damaged (\(damage)); \(cassette.exchanges.count) exchanges kept")
            )
        }
        for problem in cassette.problems.prefix(3) {
            result.problems.append(InputProblem(file: relative, problem: problem))
        }
        let runID = cassette.run?.rawValue ?? RunID.untaggedName
        for exchange in cassette.exchanges {
            let reduced = record(exchange, runID: runID)
            result.exchanges.append(reduced)
            if reduced.pathTemplate.hasSuffix("/muse/checkout"), reduced.status == 409 {
                result.blockedCheckouts.append(blockedCheckout(exchange, runID: runID))
            }
        }
        return result
    }

    /// The `type` member of an event's JSON data: read straight from a `{"type":"…"` prefix (how the services write
    /// it), else by parsing.
    static func eventType(inData data: String) -> String? {
        let prefix = #"{"type":""#
        if data.hasPrefix(prefix) {
            let rest = data.utf8.dropFirst(prefix.utf8.count)
            if let end = rest.firstIndex(of: UInt8(ascii: "\"")), let name = String(rest[..<end]),
                !name.contains("\\")
            {
                return name
            }
        }
        return (try? JSONParser.parse(data))?["type"]?.stringValue
    }

    /// A checkout the server refused (409 `checkout_blocked`), with the ref from the request body.
    private static func blockedCheckout(_ exchange: Exchange, runID: String) -> MuseCheckout {
        let body = try? JSONParser.parse(exchange.request.body)
        return MuseCheckout(
            runID: runID,
            ref: body?["target_variation_id"]?.stringValue ?? "?",
            force: body?["force"]?.boolValue ?? false,
            headMoved: false
        )
    }

    private static func record(_ exchange: Exchange, runID: String) -> ExchangeRecord {
        var frames: [StreamFrame] = []
        if case .events(let events, _) = exchange.response.content {
            frames = events.map { event in
                switch event.frame {
                case .comment(let text):
                    return StreamFrame(atMilliseconds: event.atMilliseconds, type: "comment", data: text)
                case .event(let sse):
                    var type = sse.event ?? "message"
                    if sse.event == nil { type = eventType(inData: sse.data) ?? type }
                    return StreamFrame(atMilliseconds: event.atMilliseconds, type: type, data: sse.data)
                }
            }
        }
        var reduced = ExchangeRecord(
            runID: runID,
            seq: exchange.seq,
            ordinal: exchange.ordinal,
            service: exchange.service,
            step: exchange.step,
            method: exchange.request.method,
            target: exchange.request.target,
            pathTemplate: PathTemplate.collapse(exchange.request.target),
            status: exchange.response.status,
            ttfbMilliseconds: exchange.timing.ttfbMilliseconds,
            totalMilliseconds: exchange.timing.totalMilliseconds,
            fault: exchange.fault.map { $0.kind.name },
            frames: frames
        )
        if exchange.response.status >= 400 || exchange.fault != nil {
            reduced.failedRequestBody = shownBody(exchange.request.body)
            reduced.failedResponseBody = frames.isEmpty ? shownBody(exchange.response.bodyBytes) : ""
        }
        return reduced
    }

    /// The start of a body as text, for a report (4 KiB; bytes that are not UTF-8 shown as U+FFFD).
    private static func shownBody(_ bytes: [UInt8]) -> String {
        let limit = 4096
        let text = String(decoding: bytes.prefix(limit), as: UTF8.self)
        return bytes.count > limit ? text + "… (\(bytes.count) bytes)" : text
    }
}

/// Collapses the ids in a request path so requests to the same endpoint group together.
public enum PathTemplate {
    /// The path of `target` without its query, each id-like segment replaced by `{id}` and each file name by
    /// `{file}`: `/api/v1/jobs/3f6b489a-b26a/wait?x=1` → `/api/v1/jobs/{id}/wait`.
    public static func collapse(_ target: String) -> String {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            let text = String(segment)
            guard !text.isEmpty else { return text }
            let hasDigit = text.contains { $0.isNumber }
            if text.allSatisfy(\.isNumber) { return "{id}" }
            if hasDigit, text.contains(".") { return "{file}" }
            let idCharacters = text.allSatisfy { $0.isHexDigit || $0 == "-" || $0 == "_" }
            if hasDigit, text.count >= 8, idCharacters { return "{id}" }
            if text.hasPrefix("r_"), text.dropFirst(2).allSatisfy(\.isNumber) { return "{id}" }
            if hasDigit, text.count >= 12 { return "{id}" }
            return text
        }
        return segments.joined(separator: "/")
    }
}
