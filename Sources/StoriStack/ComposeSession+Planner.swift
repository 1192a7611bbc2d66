import JSON

/// The planner path (`Mode: compose` without roles): proposals with empty ids, then the executed calls.
extension ComposeSession {
    static func defaultRoles(_ family: StyleFamily) -> [String] {
        switch family {
        case .ambient: ["pad", "melody"]
        case .cinematic: ["strings", "drums", "bass"]
        case .jazz: ["drums", "bass", "piano"]
        default: ["drums", "bass", "keys"]
        }
    }

    func planner(_ prompt: MaestroPrompt, baseVersion: Int) async throws {
        let style = prompt.style ?? "boom bap"
        let family = StyleFamily(style: style)
        let project = request.project
        let tempo = prompt.tempo ?? project?.tempo ?? 90
        let key = prompt.key ?? project?.key ?? "Am"
        let roles = Self.defaultRoles(family)
        let profiles = roles.map { RoleProfile(role: $0, family: family) }
        let sections = prompt.formSections.isEmpty ? ["full"] : prompt.formSections
        let bars = prompt.bars
        let variationID = uuid("variation")

        try await startComposition(status: "Thinking...")
        if faults.llmFailure == .unreachable { return try await failUnreachableModel() }
        try await stream.send(
            "reasoning",
            [
                "content": .string(
                    "No roles were given, so I will arrange \(roles.joined(separator: ", ")) for a \(style) piece in \(key) at \(tempo) BPM."
                )
            ]
        )

        struct PlannedCall {
            var step: Step
            var name: String
            var params: JSONObject
            var result: String
            var region: RegionResult?
        }
        var steps: [Step] = []
        func addStep(_ label: String, _ tool: String, _ phase: String) -> Step {
            let step = Step(id: String(steps.count + 1), label: label, toolName: tool, parallelGroup: nil, phase: phase)
            steps.append(step)
            return step
        }
        var calls: [PlannedCall] = []
        if project?.tempo != tempo {
            let step = addStep("set tempo to \(tempo) BPM", "stori_set_tempo", "setup")
            calls.append(
                PlannedCall(step: step, name: "stori_set_tempo", params: ["tempo": .int(tempo)], result: step.label)
            )
        }
        if project?.key != key {
            let step = addStep("set key signature to \(key)", "stori_set_key", "setup")
            calls.append(
                PlannedCall(step: step, name: "stori_set_key", params: ["key": .string(key)], result: step.label)
            )
        }
        var trackIDs: [String] = []
        for (index, profile) in profiles.enumerated() {
            let trackID = uuid("track", profile.role)
            trackIDs.append(trackID)
            let step = addStep("Create \(profile.trackName) track", "stori_add_midi_track", "setup")
            calls.append(
                PlannedCall(
                    step: step,
                    name: "stori_add_midi_track",
                    params: trackParams(profile, trackID: trackID, color: Self.palette[index % Self.palette.count]),
                    result: "Created \(profile.trackName) track"
                )
            )
        }
        var regionSteps: [(Step, Step, Int, Int)] = []
        for sectionIndex in sections.indices {
            for (index, profile) in profiles.enumerated() {
                let regionStep = addStep("Add region for \(profile.trackName)", "stori_add_midi_region", "setup")
                let notesStep = addStep("Add notes to \(profile.trackName)", "stori_add_notes", "composition")
                regionSteps.append((regionStep, notesStep, index, sectionIndex))
            }
        }
        try await stream.send(
            "plan",
            [
                "planId": .string(uuid("plan")), "title": .string("Composing \(Self.titleCase(style))"),
                "steps": .array(steps.map(\.json)),
            ]
        )

        var outcomes: [StorpheusBridge.Outcome] = []
        if bridge.isHealthy {
            for section in sections {
                let parameters = generationParameters(
                    style: style,
                    tempo: tempo,
                    key: key,
                    roles: roles,
                    bars: bars,
                    preset: "balanced",
                    section: section
                )
                outcomes.append(try await generateSection(parameters, agents: profiles.count))
            }
        } else {
            outcomes = sections.map { _ in .failed("Music generation service (Storpheus) is not responding.") }
        }
        var warnings: [String] = []
        for (regionStep, notesStep, index, sectionIndex) in regionSteps {
            let profile = profiles[index]
            let regionID = uuid("region", profile.role, String(sectionIndex))
            calls.append(
                PlannedCall(
                    step: regionStep,
                    name: "stori_add_midi_region",
                    params: [
                        "trackId": .string(trackIDs[index]), "startBeat": .int(sectionIndex * bars * 4),
                        "durationBeats": .int(bars * 4), "name": .string(profile.trackName),
                        "regionId": .string(regionID),
                    ],
                    result: "Created region for \(profile.trackName)"
                )
            )
            var region = RegionResult(
                agent: profile.role,
                trackID: trackIDs[index],
                regionID: regionID,
                channel: profile.isDrums ? 9 : 0,
                startBeat: Double(sectionIndex * bars * 4),
                bars: bars,
                section: sections[sectionIndex],
                sectionIndex: sectionIndex,
                notes: []
            )
            switch outcomes[sectionIndex] {
            case .generated(let output, _):
                let split = split(output, roles: roles, family: family)[profile.role] ?? ([], 0)
                region.notes = split.notes
                region.channel = split.channel
            case .failed(let message):
                if !warnings.contains(message) { warnings.append(message) }
            }
            calls.append(
                PlannedCall(
                    step: notesStep,
                    name: "stori_add_notes",
                    params: [
                        "trackId": .string(trackIDs[index]), "regionId": .string(regionID),
                        "notes": wireNotes(region.notes),
                    ],
                    result: "\(region.notes.count) notes added",
                    region: region
                )
            )
        }
        if let message = warnings.first {
            try await stream.send("error", ["message": .string(message), "traceId": .string(traceID)])
        }
        for call in calls {
            try await toolCall(
                id: "",
                call.name,
                call.params,
                label: call.step.label,
                phase: call.step.phase,
                proposal: true
            )
        }
        var regions: [RegionResult] = []
        for (index, call) in calls.enumerated() {
            try await stepUpdate(call.step, "active")
            try await toolStart(call.name, call.step.label, call.step.phase)
            try await toolCall(
                id: uuid("call", String(index)),
                call.name,
                call.params,
                label: call.step.label,
                phase: call.step.phase,
                proposal: false
            )
            if let region = call.region {
                regions.append(region)
                await storeNotes(region)
                try await stepUpdate(call.step, region.notes.isEmpty ? "failed" : "completed", result: call.result)
            } else {
                try await stepUpdate(call.step, "completed", result: call.result)
            }
        }
        let (phraseCount, totalNotes) = try await phraseEvents(
            regions,
            variationID: variationID,
            baseVersion: baseVersion,
            explanation: "Planned composition: \(profiles.count) instrument(s)"
        )
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
