import JSON

/// The agent-teams path (`Mode: compose` with roles, service-contracts.md §3.4): one agent per role, one unified
/// Storpheus generation per section.
extension ComposeSession {
    /// The plan's title: "Building Lofi Verse" for a prompt with a section (the real service's, measured), else
    /// "Composing Lofi".
    static func planTitle(style: String, section: String?) -> String {
        guard let section, !section.isEmpty else { return "Composing \(titleCase(style))" }
        return "Building \(titleCase(style)) \(titleCase(section))"
    }

    func agentTeams(_ prompt: MaestroPrompt, baseVersion: Int) async throws {
        let style = prompt.style ?? "boom bap"
        let family = StyleFamily(style: style)
        let project = request.project
        let tempo = prompt.tempo ?? project?.tempo ?? 90
        let key = prompt.key ?? project?.key ?? "Am"
        let roles = uniqueInOrder(prompt.roles.map { $0.trimmingWhitespace().lowercased() }.filter { !$0.isEmpty })
        let profiles = roles.map { RoleProfile(role: $0, family: family) }
        let sections = prompt.formSections.isEmpty ? ["full"] : prompt.formSections
        let bars = prompt.bars
        let preset = roles.count >= 5 ? "fast" : (roles.count >= 3 ? "balanced" : "quality")
        let variationID = uuid("variation")

        try await startComposition(status: "Preparing composition...")

        var steps: [Step] = []
        func addStep(_ label: String, _ tool: String, _ phase: String, group: String? = nil) -> Step {
            let step = Step(
                id: String(steps.count + 1),
                label: label,
                toolName: tool,
                parallelGroup: group,
                phase: phase
            )
            steps.append(step)
            return step
        }
        let tempoStep = project?.tempo == tempo ? nil : addStep("set tempo to \(tempo) BPM", "stori_set_tempo", "setup")
        let keyStep = project?.key == key ? nil : addStep("set key signature to \(key)", "stori_set_key", "setup")
        // A role the project already has a track for adds content to that track (the real service plans no
        // "Create" step for it), so repeated edits do not grow the project by a track each.
        let existingTracks = profiles.map { profile in
            project?.tracks.first { ($0.name ?? "").lowercased() == profile.trackName.lowercased() }
        }
        var createSteps: [Step?] = []
        var contentSteps: [Step] = []
        for (profile, existing) in zip(profiles, existingTracks) {
            createSteps.append(
                existing != nil
                    ? nil
                    : addStep(
                        "Create \(profile.trackName) track",
                        "stori_add_midi_track",
                        "setup",
                        group: "instruments"
                    )
            )
            contentSteps.append(
                addStep("Add content to \(profile.trackName)", "stori_add_notes", "composition", group: "instruments")
            )
        }
        let effectsStep = addStep(
            "Add effects and routing",
            "stori_add_insert_effect",
            "soundDesign",
            group: "instruments"
        )
        try await stream.send(
            "plan",
            [
                "planId": .string(uuid("plan")),
                "title": .string(Self.planTitle(style: style, section: prompt.section)),
                "steps": .array(steps.map(\.json)),
            ]
        )

        if let tempoStep {
            try await stepUpdate(tempoStep, "active")
            try await toolStart("stori_set_tempo", tempoStep.label, "setup")
            try await toolCall(
                id: uuid("call", "tempo"),
                "stori_set_tempo",
                ["tempo": .int(tempo)],
                label: tempoStep.label,
                phase: "setup"
            )
            try await stepUpdate(tempoStep, "completed", result: tempoStep.label)
        }
        if let keyStep {
            try await stepUpdate(keyStep, "active")
            try await toolStart("stori_set_key", keyStep.label, "setup")
            try await toolCall(
                id: uuid("call", "key"),
                "stori_set_key",
                ["key": .string(key)],
                label: keyStep.label,
                phase: "setup"
            )
            try await stepUpdate(keyStep, "completed", result: "set key to \(key)")
        }
        for (index, profile) in profiles.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            for step in [createSteps[index], contentSteps[index]].compactMap(\.self) {
                try await stream.send(
                    "preflight",
                    [
                        "stepId": .string(step.id), "agentId": .string(profile.role),
                        "agentRole": .string(profile.role),
                        "label": .string(step.label), "toolName": .string(step.toolName),
                        "parallelGroup": .optional(step.parallelGroup), "confidence": 0.9, "trackColor": .string(color),
                    ]
                )
            }
        }

        // The real service checks Storpheus here, before any agent asks the language model for its part.
        if !bridge.isHealthy || faults.llmFailure == .unreachable {
            let message =
                bridge.isHealthy
                ? Self.unreachableModelMessage
                : "Music generation service (Storpheus) is not responding. Cannot start composition — please verify "
                    + "Storpheus is running and retry."
            try await stream.send("error", ["message": .string(message)])
            _ = try await phraseEvents(
                [],
                variationID: variationID,
                baseVersion: baseVersion,
                explanation: "No notes generated"
            )
            try await stream.send("done", ["variationId": .string(variationID), "phraseCount": 0])
            try await stream.send(
                "complete",
                [
                    "success": false, "traceId": .string(traceID), "inputTokens": 0, "contextWindowTokens": 200_000,
                    "variationId": .string(variationID), "phraseCount": 0, "totalChanges": 0,
                ]
            )
            return
        }

        // Phase 2: every agent sets up its track.
        var trackIDs: [String] = []
        for (index, profile) in profiles.enumerated() {
            let agent = profile.role
            let trackID = existingTracks[index]?.id ?? uuid("track", agent)
            trackIDs.append(trackID)
            try await stream.send(
                "status",
                ["message": .string("\(profile.trackName) agent starting..."), "agentId": .string(agent)]
            )
            try await stream.send(
                "reasoning",
                [
                    "content": .string(
                        "Planning a \(style) \(agent) part in \(key) at \(tempo) BPM over \(bars) bars per section."
                    ),
                    "agentId": .string(agent),
                ]
            )
            try await stream.send("reasoningEnd", ["agentId": .string(agent)])
            if let create = createSteps[index] {
                try await stepUpdate(create, "active", agent: agent)
                try await toolStart("stori_add_midi_track", create.label, "setup", agent: agent)
                let trackCall = toolCallID("track", agent)
                try await toolCall(
                    id: trackCall,
                    "stori_add_midi_track",
                    trackParams(profile, trackID: trackID, color: Self.palette[index % Self.palette.count]),
                    label: create.label,
                    phase: "setup",
                    agent: agent
                )
                let iconLabel = "Set \(profile.trackName) icon"
                try await toolStart("stori_set_track_icon", iconLabel, "setup", agent: agent)
                try await toolCall(
                    id: trackCall + "-icon",
                    "stori_set_track_icon",
                    ["trackId": .string(trackID), "icon": .string(profile.icon)],
                    label: iconLabel,
                    phase: "setup",
                    agent: agent
                )
                try await stepUpdate(create, "completed", result: "Created \(profile.trackName) track", agent: agent)
            }
            try await stepUpdate(contentSteps[index], "active", agent: agent)
        }

        var regions: [RegionResult] = []
        var warnings: [String] = []
        var agentFailed = [Bool](repeating: false, count: profiles.count)
        var agentNotes = [Int](repeating: 0, count: profiles.count)
        for (sectionIndex, section) in sections.enumerated() {
            let sectionStart = Double(sectionIndex * bars * 4)
            for (index, profile) in profiles.enumerated() {
                let agent = profile.role
                let regionID = uuid("region", agent, String(sectionIndex))
                let regionLabel = "Creating region: \(profile.trackName)"
                try await toolStart("stori_add_midi_region", regionLabel, "setup", agent: agent, section: section)
                try await toolCall(
                    id: toolCallID("region", agent, String(sectionIndex)),
                    "stori_add_midi_region",
                    [
                        "trackId": .string(trackIDs[index]), "startBeat": .int(sectionIndex * bars * 4),
                        "durationBeats": .int(bars * 4), "name": .string(profile.trackName),
                        "regionId": .string(regionID),
                    ],
                    label: regionLabel,
                    phase: "setup",
                    agent: agent,
                    section: section
                )
                try await toolStart(
                    "stori_generate_midi",
                    "Generating \(agent) via Orpheus",
                    "composition",
                    agent: agent,
                    section: section
                )
                try await stream.send(
                    "generatorStart",
                    [
                        "role": .string(agent), "agentId": .string(agent), "style": .string(style), "bars": .int(bars),
                        "startBeat": .double(sectionStart), "label": .string(profile.trackName),
                        "sectionName": .string(section),
                    ]
                )
            }
            let parameters = generationParameters(
                style: style,
                tempo: tempo,
                key: key,
                roles: roles,
                bars: bars,
                preset: preset,
                section: section
            )
            let outcome = try await generateSection(parameters, agents: profiles.count)
            for (index, profile) in profiles.enumerated() {
                let agent = profile.role
                let regionID = uuid("region", agent, String(sectionIndex))
                var result = RegionResult(
                    agent: agent,
                    trackID: trackIDs[index],
                    regionID: regionID,
                    channel: profile.isDrums ? 9 : 0,
                    startBeat: sectionStart,
                    bars: bars,
                    section: section,
                    sectionIndex: sectionIndex,
                    notes: []
                )
                switch outcome {
                case .failed(let message):
                    agentFailed[index] = true
                    warnings.append("\(profile.trackName) (\(section)): \(message)")
                    try await stream.send(
                        "toolError",
                        [
                            "name": "stori_generate_midi", "error": .string(message), "agentId": .string(agent),
                            "sectionName": .string(section),
                        ]
                    )
                case .generated(let output, let durationMs):
                    let split = split(output, roles: roles, family: family)[agent] ?? ([], 0)
                    result.notes = split.notes
                    result.channel = split.channel
                    try await stream.send(
                        "generatorComplete",
                        [
                            "role": .string(agent), "agentId": .string(agent), "noteCount": .int(split.notes.count),
                            "durationMs": .int(durationMs), "sectionName": .string(section),
                        ]
                    )
                    try await toolCall(
                        id: toolCallID("generate", agent, String(sectionIndex)),
                        "stori_add_notes",
                        [
                            "trackId": .string(trackIDs[index]), "regionId": .string(regionID),
                            "notes": wireNotes(split.notes),
                        ],
                        label: "Generating \(agent) via Orpheus",
                        phase: "composition",
                        agent: agent,
                        section: section
                    )
                    if split.notes.count < 4 {
                        let message = "Low note count (\(split.notes.count) notes) for \(agent) in \(section)"
                        warnings.append(message)
                        try await stream.send(
                            "toolError",
                            [
                                "name": "stori_generate_midi", "error": .string(message), "agentId": .string(agent),
                                "sectionName": .string(section),
                            ]
                        )
                    }
                    agentNotes[index] += split.notes.count
                    await storeNotes(result)
                }
                regions.append(result)
            }
        }
        for (index, profile) in profiles.enumerated() {
            let failed = agentFailed[index] && agentNotes[index] == 0
            try await stepUpdate(
                contentSteps[index],
                failed ? "failed" : "completed",
                result: "\(agentNotes[index]) notes generated",
                agent: profile.role
            )
            try await stream.send("agentComplete", ["agentId": .string(profile.role), "success": .bool(!failed)])
        }

        let totalNotes = agentNotes.reduce(0, +)
        var effects: [JSONValue] = []
        if profiles.count >= 2 && totalNotes > 0 {
            let target = profiles.firstIndex(where: \.isDrums) ?? 0
            let label = "Add compressor to \(profiles[target].trackName)"
            try await stepUpdate(effectsStep, "active")
            try await toolStart("stori_add_insert_effect", label, "soundDesign")
            try await toolCall(
                id: uuid("call", "effect"),
                "stori_add_insert_effect",
                ["trackId": .string(trackIDs[target]), "type": "compressor"],
                label: label,
                phase: "soundDesign"
            )
            try await stepUpdate(effectsStep, "completed", result: label)
            effects.append(["trackId": .string(trackIDs[target]), "type": "compressor"])
        } else {
            try await stepUpdate(effectsStep, "skipped")
        }

        try await stream.send(
            "summary",
            [
                "tracks": .strings(profiles.map(\.trackName)), "regions": .int(regions.count),
                "notes": .int(totalNotes),
                "effects": .int(effects.count),
            ]
        )
        try await stream.send(
            "summary.final",
            [
                "traceId": .string(traceID), "trackCount": .int(profiles.count),
                "tracksCreated": .array(
                    profiles.enumerated().map { index, profile in
                        ["name": .string(profile.trackName), "trackId": .string(trackIDs[index])]
                    }
                ),
                "tracksReused": [], "regionsCreated": .int(regions.count), "notesGenerated": .int(totalNotes),
                "effectsAdded": .array(effects), "effectCount": .int(effects.count), "sendsCreated": 0,
                "ccEnvelopes": [], "automationLanes": 0,
                "text": .string("Composed \(profiles.count) track(s) with \(totalNotes) notes."),
            ]
        )
        let (phraseCount, _) = try await phraseEvents(
            regions,
            variationID: variationID,
            baseVersion: baseVersion,
            explanation: "Agent Teams composition: \(profiles.count) instrument(s)"
        )
        if totalNotes == 0 && warnings.isEmpty { warnings.append("No notes were generated") }
        await persistVariation(variationID, regions: regions)
        try await finishComposition(
            variationID: variationID,
            phraseCount: phraseCount,
            totalNotes: totalNotes,
            baseVersion: baseVersion,
            warnings: warnings
        )
    }
}
