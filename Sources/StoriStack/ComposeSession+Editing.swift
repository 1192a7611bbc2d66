import JSON

/// The editing path (`Mode: edit`, or natural language) and the reasoning path (`Mode: ask`, or a question).
extension ComposeSession {
    func editing(_ prompt: MaestroPrompt?) async throws {
        let project = request.project
        let style = prompt?.style ?? "boom bap"
        let family = StyleFamily(style: style)
        let key = prompt?.key ?? project?.key ?? "Am"
        let wanted = (prompt?.target ?? prompt?.roles.first)?.lowercased()

        try await stream.send(
            "state",
            [
                "state": "editing", "intent": .string(Self.editIntent(prompt?.request ?? request.prompt)),
                "confidence": .double(prompt == nil ? 0.86 : 0.99), "traceId": .string(traceID),
                "executionMode": "apply",
            ]
        )
        try await stream.send("status", ["message": "Processing..."])
        if faults.llmFailure == .unreachable { return try await failUnreachableModel() }
        try await stream.send(
            "reasoning",
            ["content": "Reading the request and the current project to decide where the new notes go."]
        )

        // Where the notes go: a region of the snapshot (the one whose track matches Target/Role, else the first),
        // or a new track and region.
        var trackID: String
        var regionID: String
        var regionName: String
        var regionBeats: Double
        var role: String
        var steps: [(Step, String, JSONObject, String)] = []
        let allRegions = (project?.tracks ?? []).flatMap { track in track.regions.map { (track, $0) } }
        let chosen =
            allRegions.first { track, _ in
                guard let wanted else { return false }
                return (track.name ?? "").lowercased().contains(wanted)
            } ?? allRegions.first
        if let (track, region) = chosen {
            trackID = track.id
            regionID = region.id
            regionName = region.name ?? track.name ?? region.id
            regionBeats = region.durationBeats
            role = track.isDrums ? "drums" : (wanted ?? (track.name ?? "melody").lowercased())
        } else {
            role = wanted ?? "melody"
            let profile = RoleProfile(role: role, family: family)
            trackID = uuid("track", role)
            regionID = uuid("region", role)
            regionName = profile.trackName
            regionBeats = Double((prompt?.bars ?? 4) * 4)
            let createTrack = Step(
                id: "1",
                label: "Create \(profile.trackName) track",
                toolName: "stori_add_midi_track",
                parallelGroup: nil,
                phase: "setup"
            )
            steps.append(
                (
                    createTrack, "stori_add_midi_track", trackParams(profile, trackID: trackID, color: Self.palette[0]),
                    "Created \(profile.trackName) track"
                )
            )
            let createRegion = Step(
                id: "2",
                label: "Creating region: \(profile.trackName)",
                toolName: "stori_add_midi_region",
                parallelGroup: nil,
                phase: "setup"
            )
            steps.append(
                (
                    createRegion, "stori_add_midi_region",
                    [
                        "trackId": .string(trackID), "startBeat": 0,
                        "durationBeats": .int(Int(saturating: regionBeats)),
                        "name": .string(profile.trackName), "regionId": .string(regionID),
                    ], "Created region"
                )
            )
        }
        let profile = RoleProfile(role: role, family: family)
        var random = determinism.generator("edit", traceID)
        let bars = max(1, min(prompt?.bars ?? 2, Int(saturating: regionBeats / 4)))
        let arrangement = MusicGenerator.arrangement(
            style: style,
            key: key,
            bars: bars,
            section: "edit",
            random: &random
        )
        let notes = MusicGenerator.notes(for: profile, in: arrangement, random: &random).filter {
            $0.startBeat < regionBeats
        }
        let addLabel = "Add notes to \(regionName)"
        steps.append(
            (
                Step(
                    id: String(steps.count + 1),
                    label: addLabel,
                    toolName: "stori_add_notes",
                    parallelGroup: nil,
                    phase: "composition"
                ), "stori_add_notes",
                ["trackId": .string(trackID), "regionId": .string(regionID), "notes": wireNotes(notes)],
                "\(notes.count) notes added"
            )
        )
        try await stream.send(
            "plan",
            [
                "planId": .string(uuid("plan")), "title": .string("Editing \(regionName)"),
                "steps": .array(steps.map(\.0.json)),
            ]
        )
        var executed: [JSONValue] = []
        for (index, (step, name, params, result)) in steps.enumerated() {
            try await stepUpdate(step, "active")
            try await toolStart(name, step.label, step.phase)
            try await toolCall(id: uuid("call", String(index)), name, params, label: step.label, phase: step.phase)
            try await stepUpdate(step, "completed", result: result)
            executed.append(["tool": .string(name), "params": .object(params)])
        }
        await store.addNotes(
            key: storeKey,
            region: regionID,
            notes: notes.map {
                TreeNote(
                    pitch: $0.pitch,
                    startBeat: $0.startBeat,
                    durationBeats: $0.durationBeats,
                    velocity: $0.velocity,
                    channel: profile.isDrums ? 9 : 0
                )
            }
        )
        let version = await store.bumpVersion(key: storeKey)
        try await stream.send(
            "summary.final",
            [
                "traceId": .string(traceID), "trackCount": .int(steps.count > 1 ? 1 : 0),
                "tracksCreated": steps.count > 1
                    ? .array([["name": .string(regionName), "trackId": .string(trackID)]]) : [],
                "tracksReused": steps.count > 1 ? [] : .array([["trackId": .string(trackID)]]),
                "regionsCreated": .int(steps.count > 1 ? 1 : 0), "notesGenerated": .int(notes.count),
                "effectsAdded": [],
                "effectCount": 0, "sendsCreated": 0, "ccEnvelopes": [], "automationLanes": 0,
            ]
        )
        try await stream.send("content", ["content": .string("Added \(notes.count) notes to \(regionName).")])
        try await stream.send(
            "complete",
            [
                "success": true, "traceId": .string(traceID), "inputTokens": .int(inputTokens),
                "contextWindowTokens": 200_000, "toolCalls": .array(executed), "stateVersion": .int(version),
            ]
        )
    }

    /// The intent an edit request is classified as: `mix.energy` for a request about how busy or energetic the music
    /// is (the real service classifies "Make the melody busier." so), else `edit.add_notes`.
    static func editIntent(_ text: String) -> String {
        let lowered = text.lowercased()
        let energyWords = ["busier", "less busy", "energy", "energetic", "calmer", "intensity"]
        return energyWords.contains { lowered.contains($0) } ? "mix.energy" : "edit.add_notes"
    }

    // MARK: - Reasoning (Mode: ask, or a question)

    func reasoning(question: String, structured: Bool) async throws {
        try await stream.send(
            "state",
            [
                "state": "reasoning", "intent": "ask.general", "confidence": .double(structured ? 0.95 : 0.8),
                "traceId": .string(traceID), "executionMode": "reasoning",
            ]
        )
        if faults.llmFailure == .unreachable {
            try await stream.send("status", ["message": "Processing..."])
            return try await failUnreachableModel()
        }
        try await stream.send("reasoning", ["content": "Considering the question against the current project."])
        try await stream.send("reasoning", ["content": "Drafting a short, practical answer."])
        let topic = question.trimmingWhitespace().split(separator: "\n").last.map(String.init) ?? question
        try await stream.send(
            "content",
            [
                "content": .string(
                    "This is the simulated Maestro (tdf stack): it answers questions without an LLM. You asked: \(topic.prefix(200))"
                )
            ]
        )
        try await stream.send(
            "complete",
            [
                "success": true, "traceId": .string(traceID), "inputTokens": .int(inputTokens),
                "contextWindowTokens": 200_000,
            ]
        )
    }
}
