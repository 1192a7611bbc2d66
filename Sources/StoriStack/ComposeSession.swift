import Hashing
import JSON

/// One compose stream after its pre-stream checks passed: routes the prompt (service-contracts.md §3.4) and emits the
/// events of the agent-teams, planner, editing or reasoning path in the documented order.
///
/// Every id derives from the stream's `traceId` (itself derived from the seed, the store key, a counter scoped to
/// that store key and the request body), so the same seed and request give the same bytes. Across agents the real
/// service interleaves events non-deterministically; the simulator uses one fixed interleaving (setup per agent,
/// then per section: every agent's region and generator start, the shared generation, every agent's notes).
struct ComposeSession: Sendable {
    let request: ComposeRequest
    let traceID: String
    let determinism: Determinism
    let store: MaestroStore
    let bridge: StorpheusBridge
    let configuration: StackConfiguration
    /// The faults in force (the language model's among them).
    let faults: FaultPlan
    let stream: EventStream

    /// Track colours by agent position; the first three are the real service's (measured), the rest the simulator's.
    static let palette = [
        "#E85D75", "#5B8DEF", "#50C878", "#F5A623", "#7ED321", "#BD10E0", "#50E3C2", "#F8E71C",
    ]

    /// The `error` of a stream whose language model cannot be reached (the real service's message).
    static let unreachableModelMessage = "All connection attempts failed"
    /// The `error` of every stream when no language model key is configured (the real service's message).
    static let unconfiguredModelMessage = "OpenRouter API key not configured"

    var storeKey: String { request.storeKey }

    /// Runs the whole stream; throws only when the client went away or the stream is cut on purpose.
    func run() async throws {
        if faults.llmFailure == .unconfigured {
            // The real service fails before routing, with a trace id of its own.
            try await stream.send("error", ["message": .string(Self.unconfiguredModelMessage)])
            try await stream.send(
                "complete",
                [
                    "success": false, "traceId": "unhandled-error", "inputTokens": 0, "contextWindowTokens": 0,
                    "error": .string(Self.unconfiguredModelMessage),
                ]
            )
            return
        }
        let baseVersion = await syncProject()
        switch PromptKind(text: request.prompt) {
        case .structured(let prompt):
            switch prompt.mode {
            case .compose where prompt.roles.isEmpty: try await planner(prompt, baseVersion: baseVersion)
            case .compose: try await agentTeams(prompt, baseVersion: baseVersion)
            case .edit: try await editing(prompt)
            case .ask: try await reasoning(question: prompt.request ?? request.prompt, structured: true)
            }
        case .natural(let text):
            if Self.isQuestion(text) {
                try await reasoning(question: text, structured: false)
            } else {
                try await editing(nil)
            }
        case .storiHeader:
            try await reasoning(question: request.prompt, structured: false)  // unreachable: rejected with 400
        }
    }

    static func isQuestion(_ text: String) -> Bool {
        let lowered = text.trimmingWhitespace().lowercased()
        if lowered.hasSuffix("?") { return true }
        return ["what ", "why ", "how ", "which ", "who ", "explain ", "can you explain"].contains {
            lowered.hasPrefix($0)
        }
    }

    /// Ends a stream whose language model cannot be reached, right after its opening events: `error` and a failed
    /// `complete`, as the real service does when its model call fails.
    func failUnreachableModel() async throws {
        let message = Self.unreachableModelMessage
        try await stream.send("error", ["message": .string(message), "traceId": .string(traceID)])
        try await stream.send(
            "complete",
            [
                "success": false, "traceId": .string(traceID), "inputTokens": 0, "contextWindowTokens": 200_000,
                "error": .string(message),
            ]
        )
    }

    // MARK: - Ids and small values

    func uuid(_ parts: String...) -> String {
        determinism.uuid([traceID] + parts)
    }

    func toolCallID(_ parts: String...) -> String {
        "toolu_01" + String(SHA256.hash(([traceID] + parts).joined(separator: "\u{1F}")).hex.prefix(22))
    }

    var inputTokens: Int {
        let projectNotes = request.project?.tracks.reduce(0) { $0 + $1.regions.reduce(0) { $0 + $1.notes.count } } ?? 0
        return 12_000 + request.prompt.utf8.count * 3 + projectNotes * 4
    }

    static func titleCase(_ text: String) -> String {
        text.split(separator: " ").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }

    /// Replaces the store's notes with the snapshot's (when one was sent) and returns the store version.
    func syncProject() async -> Int {
        if let project = request.project {
            return await store.replaceNotes(key: storeKey, with: project.regionMap)
        }
        return await store.version(key: storeKey)
    }

    struct Step {
        var id: String
        var label: String
        var toolName: String
        var parallelGroup: String?
        var phase: String

        var json: JSONValue {
            [
                "stepId": .string(id), "label": .string(label), "status": "pending", "toolName": .string(toolName),
                "parallelGroup": .optional(parallelGroup), "phase": .string(phase),
            ]
        }
    }

    func stepUpdate(_ step: Step, _ status: String, result: String? = nil, agent: String? = nil) async throws {
        try await stream.send(
            "planStepUpdate",
            [
                "stepId": .string(step.id), "status": .string(status), "phase": .string(step.phase),
                "result": .optional(result), "agentId": .optional(agent),
            ]
        )
    }

    func toolStart(
        _ name: String,
        _ label: String,
        _ phase: String,
        agent: String? = nil,
        section: String? = nil
    )
        async throws
    {
        try await stream.send(
            "toolStart",
            [
                "name": .string(name), "label": .string(label), "phase": .string(phase), "agentId": .optional(agent),
                "sectionName": .optional(section),
            ]
        )
    }

    func toolCall(
        id: String,
        _ name: String,
        _ params: JSONObject,
        label: String?,
        phase: String,
        proposal: Bool? = nil,
        agent: String? = nil,
        section: String? = nil
    ) async throws {
        try await stream.send(
            "toolCall",
            [
                "id": .string(id), "name": .string(name), "params": .object(params), "label": .optional(label),
                "phase": .string(phase), "proposal": proposal.map(JSONValue.bool), "agentId": .optional(agent),
                "sectionName": .optional(section),
            ]
        )
    }

    func wireNotes(_ notes: [GeneratedNote]) -> JSONValue {
        .array(
            notes.map {
                [
                    "pitch": .int($0.pitch), "velocity": .int($0.velocity), "startBeat": .double($0.startBeat),
                    "durationBeats": .double($0.durationBeats),
                ]
            }
        )
    }

    func trackParams(_ profile: RoleProfile, trackID: String, color: String) -> JSONObject {
        var params: JSONObject = ["name": .string(profile.trackName)]
        if profile.isDrums {
            params["drumKitId"] = "acoustic"
            params["_isDrums"] = true
        } else {
            params["gmProgram"] = .int(profile.program ?? 0)
        }
        params["trackId"] = .string(trackID)
        params["color"] = .string(color)
        params["icon"] = .string(profile.icon)
        params["instrument"] = .string(profile.isDrums ? "Drum Kit" : GeneralMIDI.name(of: profile.program ?? 0))
        if !profile.isDrums { params["_gmInstrumentName"] = .string(GeneralMIDI.name(of: profile.program ?? 0)) }
        return params
    }

    /// A generated region: where it is and what landed in it.
    struct RegionResult {
        var agent: String
        var trackID: String
        var regionID: String
        var channel: Int
        var startBeat: Double
        var bars: Int
        var section: String
        var sectionIndex: Int
        var notes: [GeneratedNote]
    }

    /// Opens a composing stream the way both compose paths do: the `composing` state of a variation, then a
    /// `status` with `message`.
    func startComposition(status message: String) async throws {
        try await stream.send(
            "state",
            [
                "state": "composing", "intent": "compose.generate_music", "confidence": 0.99,
                "traceId": .string(traceID), "executionMode": "variation",
            ]
        )
        try await stream.send("status", ["message": .string(message)])
    }

    /// Ends a composing stream the way both compose paths do: `done`, then `complete` with the variation, phrase
    /// count, total changes and warnings; success means at least one note was generated.
    func finishComposition(
        variationID: String,
        phraseCount: Int,
        totalNotes: Int,
        baseVersion: Int,
        warnings: [String]
    ) async throws {
        let success = totalNotes > 0
        try await stream.send(
            "done",
            ["variationId": .string(variationID), "phraseCount": .int(phraseCount), "status": success ? nil : "failed"]
        )
        try await stream.send(
            "complete",
            [
                "success": .bool(success), "traceId": .string(traceID), "inputTokens": .int(inputTokens),
                "contextWindowTokens": 200_000, "stateVersion": .int(baseVersion), "variationId": .string(variationID),
                "phraseCount": .int(phraseCount), "totalChanges": .int(totalNotes),
                "warnings": warnings.isEmpty ? nil : .strings(warnings),
            ]
        )
    }

    func phraseEvents(
        _ regions: [RegionResult],
        variationID: String,
        baseVersion: Int,
        explanation: String
    )
        async throws -> (phrases: Int, notes: Int)
    {
        let withNotes = regions.filter { !$0.notes.isEmpty }
        let total = withNotes.reduce(0) { $0 + $1.notes.count }
        try await stream.send(
            "meta",
            [
                "variationId": .string(variationID), "baseStateId": .string(String(baseVersion)),
                "intent": .string(request.prompt), "aiExplanation": .string(explanation),
                "affectedTracks": .strings(uniqueInOrder(withNotes.map(\.trackID))),
                "affectedRegions": .strings(withNotes.map(\.regionID)),
                "noteCounts": ["added": .int(total), "removed": 0, "modified": 0],
            ]
        )
        for region in withNotes {
            let firstBar = Int(saturating: region.startBeat / 4) + 1
            let changes = region.notes.enumerated().map { index, note -> JSONValue in
                [
                    "noteId": .string(uuid("note", region.regionID, String(index))), "changeType": "added",
                    "after": TreeNote(
                        pitch: note.pitch,
                        startBeat: note.startBeat,
                        durationBeats: note.durationBeats,
                        velocity: note.velocity,
                        channel: region.channel
                    ).snapshotJSON,
                ]
            }
            try await stream.send(
                "phrase",
                [
                    "phraseId": .string(uuid("phrase", region.regionID)), "trackId": .string(region.trackID),
                    "regionId": .string(region.regionID), "startBeat": .double(region.startBeat),
                    "endBeat": .double(region.startBeat + Double(region.bars * 4)),
                    "label": .string("Bars \(firstBar)-\(firstBar + region.bars - 1)"), "tags": [],
                    "noteChanges": .array(changes), "ccEvents": [], "pitchBends": [], "aftertouch": [],
                ]
            )
        }
        return (withNotes.count, total)
    }

    /// Stores the composed variation in MUSE, as the real service does when a composition is ready (measured: it
    /// shows in `/log` of the request's `project.id`, or of `""` without a project). A variation with no notes is not
    /// stored, and a store refusal (an id already taken) is not the stream's concern. The lineage is not known to a
    /// compose request, so the commit has no parent; its intent is the prompt, as `meta.intent` says.
    func persistVariation(_ variationID: String, regions: [RegionResult]) async {
        let withNotes = regions.filter { !$0.notes.isEmpty }
        guard !withNotes.isEmpty else { return }
        let phrases = withNotes.map { region in
            MusePhrase(
                id: uuid("phrase", region.regionID),
                trackID: region.trackID,
                regionID: region.regionID,
                startBeat: region.startBeat,
                endBeat: region.startBeat + Double(region.bars * 4),
                label:
                    "Bars \(Int(saturating: region.startBeat / 4) + 1)-\(Int(saturating: region.startBeat / 4) + region.bars)",
                tags: [],
                noteChanges: region.notes.map { note in
                    NoteChange(
                        kind: .added,
                        before: nil,
                        after: TreeNote(
                            pitch: note.pitch,
                            startBeat: note.startBeat,
                            durationBeats: note.durationBeats,
                            velocity: note.velocity,
                            channel: region.channel
                        )
                    )
                },
                cc: [],
                pitchBends: [],
                aftertouch: []
            )
        }
        let variation = MuseVariation(
            id: variationID,
            projectID: request.project?.id ?? "",
            intent: request.prompt,
            conversationID: request.conversationID ?? "default",
            parent: nil,
            parent2: nil,
            affectedTracks: uniqueInOrder(withNotes.map(\.trackID)),
            affectedRegions: withNotes.map(\.regionID),
            beatRange: [0, phrases.map(\.endBeat).max() ?? 0],
            phrases: phrases,
            timestamp: 0
        )
        try? await store.save(variation)
    }

    func uniqueInOrder(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    func storeNotes(_ region: RegionResult) async {
        await store.addNotes(
            key: storeKey,
            region: region.regionID,
            notes: region.notes.map {
                TreeNote(
                    pitch: $0.pitch,
                    startBeat: $0.startBeat,
                    durationBeats: $0.durationBeats,
                    velocity: $0.velocity,
                    channel: region.channel
                )
            }
        )
    }

    func generationParameters(
        style: String,
        tempo: Int,
        key: String,
        roles: [String],
        bars: Int,
        preset: String,
        section: String
    ) -> GenerateParameters {
        var parameters = GenerateParameters()
        parameters.genre = style
        parameters.tempo = tempo
        parameters.key = key
        parameters.instruments = roles
        parameters.bars = bars
        parameters.qualityPreset = preset
        parameters.unifiedOutput = true
        parameters.compositionID = traceID
        parameters.traceID = traceID
        parameters.intentHash = String(SHA256.hash(request.prompt).hex.prefix(16))
        parameters.goalNames = [section]
        return parameters
    }

    /// Runs one section's generation while the stream stays alive.
    func generateSection(_ parameters: GenerateParameters, agents: Int) async throws -> StorpheusBridge.Outcome {
        let completion = Completion<StorpheusBridge.Outcome>()
        let bridge = bridge
        let task = Task { completion.fulfil(await bridge.generate(parameters)) }
        do {
            return try await stream.awaitKeepingAlive(
                completion,
                heartbeat: configuration.heartbeatInterval,
                statusAfter: configuration.silenceStatusInterval,
                silenceMessage: "Generating music (\(agents) agents working)..."
            )
        } catch {
            task.cancel()
            throw error
        }
    }

    /// The notes of each role from a unified result (by Storpheus channel label; a role with no label gets them all).
    func split(
        _ output: GenerationOutput,
        roles: [String],
        family: StyleFamily
    ) -> [String: (notes: [GeneratedNote], channel: Int)] {
        let assignment = StorpheusBridge.assign(roles: roles, labels: output.channels.map(\.label), family: family)
        var result: [String: ([GeneratedNote], Int)] = [:]
        for role in roles {
            if let label = assignment[role], let channel = output.channels.first(where: { $0.label == label }) {
                result[role] = (channel.notes, channel.channel)
            } else {
                result[role] = (output.flatNotes, 0)
            }
        }
        return result
    }
}
