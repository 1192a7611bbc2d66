import Foundation
import JSON
import MIDI
import Synchronization
import Vocabulary

/// What a run has done so far; kept outside the driver so a timed-out run still reports its partial progress.
struct RunRecord: Sendable {
    struct Step: Sendable {
        var name: String
        var status: String
        var durationMilliseconds: Int
    }

    var prompt: Prompt?
    var steps: [Step] = []
    var streams = 0
    var composeEvents = 0
    var composeNotes = 0
    var tracks = 0
    var regions = 0
    var phrases = 0
    var midiScore: Double?
    var artifactsListed = 0
    var artifactsDownloaded = 0
    var artifactsMissing = 0
    var midiFilesAnalysed = 0
    var commits: [String] = []
    var merges: [String] = []
    var conflictDetected = false
    var conflicts = 0
    var checkouts: [String] = []
    /// Whether the drift test reached MUSE (the scenario may ask for one that an earlier failure prevented).
    var driftTested = false
    var driftDetected = false
    var driftChanges = 0
    var driftRecovered = false
    var head: String?
    var graphNodes = 0
    var graph: MuseGraphExport?
    /// Variation id → symbolic name, for the graph export.
    var names: [String: String] = [:]
    var violations: [String] = []
}

/// A run's record behind a lock, shared by the driver and the batch runner.
final class RecordBox: Sendable {
    private let mutex = Mutex(RunRecord())

    func withLock<T>(_ body: (inout RunRecord) -> T) -> T {
        mutex.withLock { body(&$0) }
    }
}

/// Runs one scenario for one run id, step by step (steps are sequential, which keeps a run deterministic).
struct RunDriver {
    let context: RunContext
    let record: RecordBox

    private var identity: RunIdentity { context.identity }
    private var scenario: Scenario { context.scenario }
    private var conversation: String { identity.conversationID }

    /// The MUSE project of this run: one per run, so concurrent runs never share a HEAD (service-contracts.md §7.8).
    var project: String { "\(context.configuration.museProjectPrefix)-\(identity.runID)" }

    private func update(_ change: (inout RunRecord) -> Void) {
        record.withLock { change(&$0) }
    }

    /// Runs a named step, recording its duration and outcome.
    private func step<T: Sendable>(
        _ name: String,
        _ body: () async throws(HarnessError) -> T
    ) async throws(HarnessError) -> T {
        context.beginStep(name)
        let started = ContinuousClock.now
        do {
            let value = try await body()
            let elapsed = (ContinuousClock.now - started).wholeMilliseconds
            update { $0.steps.append(.init(name: name, status: "ok", durationMilliseconds: elapsed)) }
            context.emit(
                .client,
                "step_end",
                data: ["step": .string(name), "status": "ok", "duration_ms": .int(elapsed)]
            )
            return value
        } catch {
            let elapsed = (ContinuousClock.now - started).wholeMilliseconds
            update { $0.steps.append(.init(name: name, status: error.status.rawValue, durationMilliseconds: elapsed)) }
            context.emit(
                .client,
                "step_end",
                severity: "ERROR",
                data: [
                    "step": .string(name), "status": .string(error.status.rawValue), "duration_ms": .int(elapsed),
                    "error": .string(error.message),
                ]
            )
            context.log("ERROR", error.message)
            throw error
        }
    }

    // MARK: The run

    /// Mutable state of the MUSE part of the run: symbolic refs and the project at each commit.
    private struct Graph {
        var ids: [String: String] = [:]
        var states: [String: ProjectState] = [:]
        var headName = "C1"

        func id(_ ref: String) -> String? { ids[ref == "HEAD" ? headName : ref] }
        func state(_ ref: String) -> ProjectState { states[ref == "HEAD" ? headName : ref] ?? ProjectState() }
        func name(_ ref: String) -> String { ref == "HEAD" ? headName : ref }
    }

    /// Executes the whole scenario; throws the first failing step's error.
    func execute() async throws(HarnessError) {
        context.emit(.client, "run_start", data: ["scenario": .string(scenario.name), "project": .string(project)])
        let prompt = try await step("prompt_fetch") { () async throws(HarnessError) -> Prompt in
            let (prompt, catalogue) = try await PromptClient(context: context).fetchAndSelect()
            context.emit(
                .prompts,
                "prompt_selected",
                data: [
                    "prompt_id": .string(prompt.id), "catalogue_size": .int(catalogue.count),
                    "style": .string(prompt.style), "key": .string(prompt.key), "tempo": .int(prompt.tempo),
                    "roles": .strings(prompt.roles),
                ]
            )
            return prompt
        }
        update { $0.prompt = prompt }

        let composed = try await step("compose") { () async throws(HarnessError) -> ComposeResult in
            // Counted as they arrive, so a composition that fails still reports the events it got.
            try await compose(label: "compose", prompt: prompt.text, on: nil) { count in
                update { $0.composeEvents = count }
            }
        }
        var state = ProjectState()
        state.add(composed)
        update {
            $0.composeNotes = composed.noteCount
            $0.tracks = state.tracks.count
            $0.regions = state.tracks.reduce(0) { $0 + $1.regions.count }
            $0.phrases = composed.phrases.count
        }

        try await step("midi_metrics") { () async throws(HarnessError) in
            try analyseComposition(state, prompt: prompt)
        }
        try await step("storpheus_artifacts") { () async throws(HarnessError) in
            try await downloadArtifacts(composition: composed.traceID)
        }

        var graph = Graph()
        try await step("muse_commit") { () async throws(HarnessError) in
            let phrases = CommitBuilder.phrases(from: composed, idPrefix: phraseID("C1"))
            try await commit("C1", intent: "compose", parent: nil, phrases: phrases, graph: &graph, state: state)
            try await MuseClient(context: context).setHead(graph.ids["C1"] ?? "")
            graph.headName = "C1"
            update { $0.head = "C1" }
        }

        var editNumber = 0
        for (waveIndex, wave) in scenario.waves.enumerated() {
            for edit in wave.edits {
                editNumber += 1
                let number = editNumber
                try await step("edit_\(edit.name)") { () async throws(HarnessError) in
                    try await branch(edit.name, from: edit.parent, number: number, prompt: prompt, graph: &graph)
                }
            }
            for merge in wave.merges {
                try await step("merge_\(merge.name)") { () async throws(HarnessError) in
                    try await cleanMerge(merge, wave: waveIndex + 1, graph: &graph)
                }
            }
        }

        if scenario.conflict {
            try await step("conflict") { () async throws(HarnessError) in
                try await deliberateConflict(prompt: prompt, graph: &graph)
            }
        }
        if !scenario.checkouts.isEmpty {
            try await step("checkout_traversal") { () async throws(HarnessError) in
                for checkout in scenario.checkouts {
                    try await traverse(checkout, graph: &graph)
                }
            }
        }
        if scenario.drift {
            try await step("drift") { () async throws(HarnessError) in
                try await driftTest(prompt: prompt, graph: &graph)
            }
        }
        try await step("graph_export") { () async throws(HarnessError) in
            try await exportGraph(graph)
        }
        let violations = record.withLock { $0.violations }
        if !violations.isEmpty {
            throw HarnessError(.contract, "contract violations: \(violations.prefix(3).joined(separator: "; "))")
        }
    }

    // MARK: Steps

    private func phraseID(_ commit: String) -> String {
        "ph-" + identity.token("phrase/\(commit)", length: 12)
    }

    private func compose(
        label: String,
        prompt: String,
        on state: ProjectState?,
        received: (Int) -> Void = { _ in }
    ) async throws(HarnessError)
        -> ComposeResult
    {
        let info = record.withLock { $0.prompt }
        let project = state.map {
            $0.snapshot(id: conversation, tempo: info?.tempo ?? 90, key: info?.key ?? "Am")
        }
        update { $0.streams += 1 }
        let result = try await ComposeClient(context: context).compose(
            label: label,
            prompt: prompt,
            project: project,
            conversationID: conversation,
            received: received
        )
        if !result.violations.isEmpty {
            context.emit(
                .maestro,
                "contract_violation",
                severity: "WARN",
                data: ["label": .string(label), "violations": .strings(result.violations)]
            )
            update { $0.violations.append(contentsOf: result.violations.map { "\(label): \($0)" }) }
        }
        return result
    }

    private func analyseComposition(_ state: ProjectState, prompt: Prompt) throws(HarnessError) {
        let analysis = MIDIAnalyzer.analyze(
            tracks: state.noteTracks,
            tempo: Double(prompt.tempo),
            timeSignature: .fourFour
        )
        try writeAnalysis(analysis, to: ArtifactLayout.midiSummaryName(run: identity.runID))
        update { $0.midiScore = analysis.score.total }
        context.metric("midi_quality_score", analysis.score.total, unit: "points")
        context.metric("midi_note_count", Double(state.noteCount), unit: "count")
        context.emit(
            .client,
            "midi_metric",
            data: [
                "notes": .int(state.noteCount), "tracks": .int(state.tracks.count),
                "score": .double(analysis.score.total),
            ]
        )
        guard state.noteCount > 0 else {
            throw HarnessError(.midiQuality, "the composition has no notes (score \(analysis.score.total))")
        }
    }

    private func writeAnalysis(_ analysis: MIDIAnalysis, to path: String) throws(HarnessError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(analysis) else {
            throw HarnessError(.io, "cannot encode the MIDI analysis for \(path)")
        }
        try context.store.write(String(decoding: data, as: UTF8.self) + "\n", to: path)
    }

    private func downloadArtifacts(composition: String?) async throws(HarnessError) {
        guard let composition else {
            context.log("WARN", "the compose stream named no trace id; no Storpheus artifacts to list")
            return
        }
        let client = StorpheusClient(context: context)
        let files = try await client.listArtifacts(composition: composition)
        update { $0.artifactsListed = files.count }
        for file in files {
            guard let artifact = try await client.download(composition: composition, file: file) else {
                update { $0.artifactsMissing += 1 }
                context.emit(.storpheus, "artifact_missing", severity: "WARN", data: ["file": .string(file)])
                continue
            }
            try context.store.write(
                bytes: artifact.bytes,
                to: ArtifactLayout.midiArtifactName(run: identity.runID, file: artifact.name)
            )
            update { $0.artifactsDownloaded += 1 }
            context.emit(
                .storpheus,
                "artifact_downloaded",
                data: [
                    "file": .string(artifact.name), "bytes": .int(artifact.bytes.count),
                    "content_type": .string(artifact.contentType),
                ]
            )
            let lower = artifact.name.lowercased()
            guard lower.hasSuffix(".mid") || lower.hasSuffix(".midi") else { continue }
            do {
                let analysis = try MIDIAnalyzer.analyze(file: artifact.bytes)
                try writeAnalysis(
                    analysis,
                    to: ArtifactLayout.midiFileSummaryName(run: identity.runID, file: artifact.name)
                )
                update { $0.midiFilesAnalysed += 1 }
                context.emit(
                    .client,
                    "midi_metric",
                    data: ["file": .string(artifact.name), "score": .double(analysis.score.total)]
                )
            } catch let error as HarnessError {
                throw error
            } catch {
                context.emit(
                    .storpheus,
                    "artifact_unreadable",
                    severity: "WARN",
                    data: ["file": .string(artifact.name), "error": .string(String(describing: error))]
                )
            }
        }
    }

    private func commit(
        _ name: String,
        intent: String,
        parent: String?,
        phrases: [JSONValue],
        graph: inout Graph,
        state: ProjectState
    ) async throws(HarnessError) {
        let id = identity.variationID(name)
        let body = CommitBuilder.variation(
            project: project,
            id: id,
            intent: intent,
            conversation: conversation,
            parent: parent,
            phrases: phrases
        )
        try await MuseClient(context: context).saveVariation(body)
        graph.ids[name] = id
        update { $0.names[id] = name }
        graph.states[name] = state
        update { $0.commits.append(name) }
        context.emit(
            .muse,
            "muse_commit",
            data: [
                "name": .string(name), "variation_id": .string(id), "intent": .string(intent),
                "parent": parent.map { .string($0) } ?? .null, "phrases": .int(phrases.count),
            ]
        )
    }

    private func branch(
        _ name: String,
        from parentRef: String,
        number: Int,
        prompt: Prompt,
        graph: inout Graph
    ) async throws(HarnessError) {
        guard let parent = graph.id(parentRef) else {
            throw HarnessError(.muse, "edit \(name): unknown parent \(parentRef)")
        }
        let base = graph.state(parentRef)
        let text = EditPrompt.build(from: prompt, number: number, name: name)
        let result = try await compose(label: "edit_\(name)", prompt: text, on: base)
        var state = base
        state.add(result)
        let phrases = CommitBuilder.phrases(from: result, idPrefix: phraseID(name))
        try await commit(name, intent: "edit:\(name)", parent: parent, phrases: phrases, graph: &graph, state: state)
    }

    private func cleanMerge(_ merge: Scenario.Merge, wave: Int, graph: inout Graph) async throws(HarnessError) {
        guard let left = graph.id(merge.left), let right = graph.id(merge.right) else {
            throw HarnessError(.muse, "merge \(merge.name): unknown ref \(merge.left) or \(merge.right)")
        }
        let outcome = try await MuseClient(context: context).merge(
            project: project,
            left: left,
            right: right,
            conversation: conversation
        )
        switch outcome {
        case .merged(let id, let headMoved, let execution):
            guard headMoved, execution.failed == 0 else {
                throw HarnessError(
                    .muse,
                    "merge \(merge.name): HEAD did not move (\(execution.failed) failed tool calls)"
                )
            }
            let leftName = graph.name(merge.left)
            graph.ids[merge.name] = id
            update { $0.names[id] = merge.name }
            graph.states[merge.name] = graph.state(merge.left).merged(with: graph.state(merge.right))
            graph.headName = merge.name
            update {
                $0.merges.append(merge.name)
                $0.head = merge.name
            }
            context.emit(
                .muse,
                "muse_merge",
                tags: ["wave": .int(wave)],
                data: [
                    "name": .string(merge.name), "left": .string(leftName), "right": .string(merge.right),
                    "merge_variation_id": .string(id), "execution": execution.json,
                ]
            )
        case .conflict(let conflicts):
            try writeConflicts(left: merge.left, right: merge.right, conflicts: conflicts, expected: false)
            throw HarnessError(
                .mergeConflict,
                "merge \(merge.name) of \(merge.right) into \(graph.name(merge.left)) answered 409: "
                    + conflicts.compactMap { $0["description"]?.stringValue }.prefix(3).joined(separator: "; ")
            )
        }
    }

    private func writeConflicts(
        left: String,
        right: String,
        conflicts: [JSONValue],
        expected: Bool
    ) throws(HarnessError) {
        try context.store.write(
            json: [
                "run_id": .string(identity.runID), "scenario": .string(scenario.name), "left": .string(left),
                "right": .string(right), "expected": .bool(expected), "conflicts": .array(conflicts),
            ],
            to: ArtifactLayout.mergeConflictsName(run: identity.runID)
        )
    }

    /// Two branches from HEAD, each with its edit stream's phrases plus one note at the same pitch and beat of the
    /// same region but with different velocity and length; their merge must answer 409.
    private func deliberateConflict(prompt: Prompt, graph: inout Graph) async throws(HarnessError) {
        guard let head = graph.id("HEAD") else { throw HarnessError(.muse, "conflict: no HEAD") }
        let base = graph.state("HEAD")
        guard let target = base.firstRegionWithNotes else {
            throw HarnessError(.muse, "conflict: HEAD has no region with notes to stage a conflict in")
        }
        let pitch = 96
        let variants = [("X1", 110, 1.0), ("X2", 50, 2.0)]
        for (offset, variant) in variants.enumerated() {
            let (name, velocity, length) = variant
            let text = EditPrompt.build(from: prompt, number: 100 + offset, name: name)
            let result = try await compose(label: "conflict_\(name)", prompt: text, on: base)
            var state = base
            state.add(result)
            var phrases = CommitBuilder.phrases(from: result, idPrefix: phraseID(name))
            let note = WireNote(pitch: pitch, startBeat: 0, durationBeats: length, velocity: velocity)
            phrases.append(
                CommitBuilder.phrase(
                    id: phraseID(name) + "-x",
                    track: target.track.id,
                    region: target.region.id,
                    start: target.region.startBeat,
                    end: target.region.startBeat + target.region.durationBeats,
                    label: "conflict \(name)",
                    notes: [note]
                )
            )
            try await commit(
                name,
                intent: "conflict:\(name)",
                parent: head,
                phrases: phrases,
                graph: &graph,
                state: state
            )
        }
        guard let left = graph.ids["X1"], let right = graph.ids["X2"] else { return }
        let outcome = try await MuseClient(context: context).merge(
            project: project,
            left: left,
            right: right,
            conversation: conversation
        )
        switch outcome {
        case .conflict(let conflicts):
            try writeConflicts(left: "X1", right: "X2", conflicts: conflicts, expected: true)
            update {
                $0.conflictDetected = true
                $0.conflicts = conflicts.count
            }
            context.emit(
                .muse,
                "muse_conflict",
                data: [
                    "left": "X1", "right": "X2", "region": .string(target.region.id),
                    "conflicts": .int(conflicts.count),
                    "descriptions": .array(conflicts.compactMap { $0["description"] }),
                ]
            )
        case .merged(let id, _, _):
            throw HarnessError(
                .muse,
                "the deliberate conflict (X1, X2 at pitch \(pitch) beat 0 of region \(target.region.id)) "
                    + "merged cleanly as \(id); MUSE should answer 409"
            )
        }
    }

    private func traverse(_ checkout: Scenario.Checkout, graph: inout Graph) async throws(HarnessError) {
        let name = graph.name(checkout.ref)
        guard let target = graph.id(checkout.ref) else {
            throw HarnessError(.muse, "checkout: unknown ref \(checkout.ref)")
        }
        let outcome = try await MuseClient(context: context).checkout(
            project: project,
            target: target,
            conversation: conversation,
            force: checkout.force
        )
        switch outcome {
        case .checkedOut(_, _, let headMoved, let execution):
            guard headMoved || execution.failed == 0, execution.failed == 0 else {
                throw HarnessError(.muse, "checkout \(name): \(execution.failed) tool calls failed; HEAD did not move")
            }
            graph.headName = name
            update {
                $0.checkouts.append((checkout.force ? "force:" : "") + name)
                $0.head = name
            }
            context.emit(
                .muse,
                "muse_checkout",
                data: [
                    "ref": .string(checkout.ref), "name": .string(name), "force": .bool(checkout.force),
                    "head_moved": .bool(headMoved), "execution": execution.json,
                ]
            )
        case .blocked(let severity, let changes):
            throw HarnessError(
                .muse,
                "checkout \(name) (force \(checkout.force)) was blocked: \(severity), \(changes) changes"
            )
        }
    }

    /// Changes the working tree with one more stream, expects a non-forced checkout to answer 409, recovers with a
    /// forced checkout, and proves the tree is clean again with a non-forced one.
    private func driftTest(prompt: Prompt, graph: inout Graph) async throws(HarnessError) {
        guard let head = graph.id("HEAD") else { throw HarnessError(.muse, "drift: no HEAD") }
        update { $0.driftTested = true }
        let text = EditPrompt.build(from: prompt, number: 200, name: "drift")
        _ = try await compose(label: "drift", prompt: text, on: graph.state("HEAD"))
        let muse = MuseClient(context: context)
        let first = try await muse.checkout(project: project, target: head, conversation: conversation, force: false)
        guard case .blocked(let severity, let changes) = first else {
            throw HarnessError(.muse, "drift: a non-forced checkout after changing the working tree was not blocked")
        }
        update {
            $0.driftDetected = true
            $0.driftChanges = changes
        }
        context.emit(.muse, "drift_detected", data: ["severity": .string(severity), "total_changes": .int(changes)])
        let forced = try await muse.checkout(project: project, target: head, conversation: conversation, force: true)
        guard case .checkedOut(_, _, _, let execution) = forced, execution.failed == 0 else {
            throw HarnessError(.muse, "drift: the forced recovery checkout failed")
        }
        let verify = try await muse.checkout(project: project, target: head, conversation: conversation, force: false)
        guard case .checkedOut = verify else {
            throw HarnessError(.muse, "drift: the working tree is still dirty after the forced recovery")
        }
        update { $0.driftRecovered = true }
        context.emit(.muse, "drift_recovered", data: ["execution": execution.json])
    }

    private func exportGraph(_ graph: Graph) async throws(HarnessError) {
        let (head, nodes) = try await writeGraph()
        let names = record.withLock { $0.names }
        let merges = nodes.filter { $0.parent2 != nil }.count
        context.emit(
            .muse,
            "graph_export",
            data: [
                "nodes": .int(nodes.count), "merges": .int(merges), "head": .string(head.flatMap { names[$0] } ?? ""),
            ]
        )
        guard merges == scenario.expectedMerges else {
            throw HarnessError(
                .muse,
                "the MUSE log shows \(merges) merge commits where \(scenario.expectedMerges) were made"
            )
        }
        guard head == graph.id("HEAD") else {
            throw HarnessError(.muse, "the MUSE log's HEAD is not \(graph.headName)")
        }
    }

    /// Fetches `/log` and writes the run's graph files (also after a failed run, so every run's graph is kept).
    @discardableResult
    func writeGraph() async throws(HarnessError) -> (head: String?, nodes: [MuseNode]) {
        let (head, nodes, raw) = try await MuseClient(context: context).log(project: project)
        let names = record.withLock { $0.names }
        let export = MuseGraphExport(
            runID: identity.runID,
            scenario: scenario.name,
            project: project,
            head: head,
            nodes: nodes,
            names: names
        )
        let run = identity.runID
        try context.store.write(json: raw, to: ArtifactLayout.museLogName(run: run))
        try context.store.write(json: export.graphJSON, to: ArtifactLayout.museGraphName(run: run))
        try context.store.write(export.text, to: ArtifactLayout.museGraphTextName(run: run))
        try context.store.write(json: export.vizJSON, to: ArtifactLayout.museGraphVisualisationName(run: run))
        update {
            $0.graphNodes = nodes.count
            $0.graph = export
        }
        return (head, nodes)
    }
}
