import Foundation
import HTTPTransport
import HTTPWire
import JSON
import Testing

@testable import StoriStack

@Suite struct ComposeStreamTests {
    /// Every catalogue prompt under several seeds gives a stream that satisfies all the invariants of
    /// service-contracts.md §8.
    @Test func catalogueStreamsSatisfyInvariantsAcrossSeeds() async throws {
        for seed: UInt64 in [0, 1, 7, 1337] {
            try await withStack(testConfiguration(seed: seed)) { stack in
                let items = seed == 0 ? PromptCatalogue.items : Array(PromptCatalogue.items.shuffled().prefix(6))
                for item in items {
                    let result = try await stack.compose(prompt: item.fullPrompt, conversationID: testConversation)
                    #expect(result.status == 200)
                    #expect(result.headers["Content-Type"]?.hasPrefix("text/event-stream") == true)
                    let problems = streamViolations(result.events)
                    #expect(problems.isEmpty, "\(item.id) seed \(seed): \(problems)")
                    #expect(result.events.last?["success"] == .bool(true), "\(item.id) seed \(seed) did not succeed")
                }
            }
        }
    }

    /// The agent-teams stream follows the documented order: state, status, plan, tempo and key steps, preflights,
    /// agent setup, generation, summary, summary.final, meta, phrases, done, complete.
    @Test func agentTeamsOrderMatchesTheContract() async throws {
        try await withStack { stack in
            let result = try await stack.compose(
                prompt: maestroPrompt(roles: ["bass"]),
                conversationID: testConversation
            )
            let expected = [
                "state", "status", "plan",
                "planStepUpdate", "toolStart", "toolCall", "planStepUpdate",
                "planStepUpdate", "toolStart", "toolCall", "planStepUpdate",
                "preflight", "preflight",
                "status", "reasoning", "reasoningEnd", "planStepUpdate", "toolStart", "toolCall", "toolStart",
                "toolCall",
                "planStepUpdate", "planStepUpdate",
                "toolStart", "toolCall", "toolStart", "generatorStart", "generatorComplete", "toolCall",
                "planStepUpdate", "agentComplete", "planStepUpdate",
                "summary", "summary.final", "meta", "phrase", "done", "complete",
            ]
            #expect(result.types == expected)
            let state = try #require(result.events.first)
            #expect(state["state"] == "composing")
            #expect(state["intent"] == "compose.generate_music")
            #expect(state["confidence"] == .double(0.99))
            #expect(state["executionMode"] == "variation")
            let track = try #require(
                result.events.first { $0["name"] == "stori_add_midi_track" && $0["type"] == "toolCall" }
            )
            #expect(track.object("params")?["gmProgram"] == .int(33))
            #expect(track["id"]?.stringValue?.hasPrefix("toolu_") == true)
            let plan = try #require(result.events("plan").first)
            #expect(plan["title"] == "Composing Boom Bap")
        }
    }

    /// Drum tracks are flagged `_isDrums` without `gmProgram`; drum notes land on channel 9 in the phrases.
    @Test func drumTracksAreFlaggedAndOnChannelTen() async throws {
        try await withStack { stack in
            let result = try await stack.compose(prompt: maestroPrompt(roles: ["drums", "bass"]))
            let drums = try #require(
                result.events.first { $0["type"] == "toolCall" && $0.object("params")?["name"] == "Drums" }
            )
            #expect(drums.object("params")?["_isDrums"] == .bool(true))
            #expect(drums.object("params")?["gmProgram"] == nil)
            let drumTrack = drums.object("params")?["trackId"]
            let phrase = try #require(result.events("phrase").first { $0["trackId"] == drumTrack })
            let channels = Set(
                (phrase["noteChanges"]?.arrayValue ?? []).compactMap { $0["after"]?["channel"]?.intValue }
            )
            #expect(channels == [9])
        }
    }

    /// Without roles a compose takes the planner path: proposals with empty ids, then executed calls.
    @Test func composeWithoutRolesTakesThePlannerPath() async throws {
        try await withStack { stack in
            let result = try await stack.compose(prompt: maestroPrompt(style: "jazz", key: "Bb", roles: []))
            #expect(streamViolations(result.events).isEmpty, "\(streamViolations(result.events))")
            #expect(Array(result.types.prefix(4)) == ["state", "status", "reasoning", "plan"])
            #expect(result.events[1]["message"] == "Thinking...")
            let proposals = result.events.filter { $0["type"] == "toolCall" && $0["proposal"] == .bool(true) }
            let executed = result.events.filter { $0["type"] == "toolCall" && $0["proposal"] == .bool(false) }
            #expect(!proposals.isEmpty)
            #expect(proposals.allSatisfy { $0["id"] == "" })
            #expect(proposals.count == executed.count)
            #expect(result.events.last?["phraseCount"] == .int(3))
        }
    }

    /// `Mode: edit` takes the editing path and adds notes to the snapshot's region; `complete` lists the tool calls.
    @Test func editModeAppliesNotesToTheProjectRegion() async throws {
        try await withStack { stack in
            let project: JSONValue = [
                "id": "tdf-project", "tempo": 90, "key": "Am",
                "tracks": [
                    [
                        "id": "trk-1", "name": "Bass", "gmProgram": 33,
                        "regions": [["id": "reg-1", "startBeat": 0, "durationBeats": 16, "notes": []]],
                    ]
                ],
            ]
            let result = try await stack.compose(
                prompt: maestroPrompt(mode: "edit", roles: ["bass"]),
                project: project
            )
            #expect(streamViolations(result.events, projectRegions: ["reg-1": "trk-1"]).isEmpty)
            let state = try #require(result.events.first)
            #expect(state["state"] == "editing")
            #expect(state["executionMode"] == "apply")
            let complete = try #require(result.events.last)
            let calls = complete["toolCalls"]?.arrayValue ?? []
            #expect(calls.count == 1)
            #expect(calls.first?["tool"] == "stori_add_notes")
            #expect(calls.first?["params"]?["regionId"] == "reg-1")
            #expect(result.types.contains("content"))
        }
    }

    /// `Mode: ask` and plain questions take the reasoning path: state, reasoning, content, complete.
    @Test func askModeTakesTheReasoningPath() async throws {
        try await withStack { stack in
            let structured = try await stack.compose(
                prompt: "MAESTRO PROMPT\nMode: ask\nRequest: |\n  Why minor keys?\n"
            )
            #expect(structured.types == ["state", "reasoning", "reasoning", "content", "complete"])
            #expect(structured.events.first?["executionMode"] == "reasoning")
            let plain = try await stack.compose(prompt: "What key is this song in?")
            #expect(plain.events.first?["state"] == "reasoning")
            #expect(streamViolations(plain.events).isEmpty)
        }
    }

    /// Natural-language edit instructions (the harness's conflict branches) take the editing path.
    @Test func naturalLanguageEditTakesTheEditingPath() async throws {
        try await withStack { stack in
            let result = try await stack.compose(
                prompt: "MOTIVE EDIT: add a rising keys figure in bar 1",
                conversationID: testConversation
            )
            #expect(result.events.first?["state"] == "editing")
            #expect(streamViolations(result.events).isEmpty, "\(streamViolations(result.events))")
        }
    }

    /// A role the project already has a track for gets content on that track: the plan has no "Create" step for it
    /// (the real service's plan for such an edit is [Add content to Melody, Add effects and routing]), no track is
    /// added, and the new region goes on the existing track, so repeated edits do not grow the project.
    @Test func aRoleWithAnExistingTrackReusesIt() async throws {
        try await withStack { stack in
            let project: JSONValue = [
                "id": "p-edit", "tempo": 90, "key": "Am",
                "tracks": [
                    [
                        "id": "trk-melody", "name": "Melody", "gmProgram": 73,
                        "regions": [["id": "reg-1", "startBeat": 0, "durationBeats": 8, "notes": []]],
                    ]
                ],
            ]
            let result = try await stack.compose(prompt: maestroPrompt(roles: ["melody"]), project: project)
            let plan = try #require(result.events("plan").first)
            #expect(
                plan["steps"]?.arrayValue?.compactMap { $0["label"]?.stringValue }
                    == ["Add content to Melody", "Add effects and routing"]
            )
            #expect(!result.events.contains { $0["name"] == "stori_add_midi_track" })
            let regions = result.events("toolCall").filter { $0["name"] == "stori_add_midi_region" }
            #expect(!regions.isEmpty)
            #expect(regions.allSatisfy { $0["params"]?["trackId"] == "trk-melody" })
            #expect(streamViolations(result.events, projectRegions: ["reg-1": "trk-melody"]).isEmpty)
        }
    }

    /// A finished composition is stored in MUSE as the real service stores it: a commit named by the stream's
    /// `variationId`, in the `/log` of the request's `project.id` (or of `""` without a project), its regions those of
    /// the phrases; it is not HEAD.
    @Test func aComposedVariationShowsInTheMuseLog() async throws {
        try await withStack { stack in
            let project: JSONValue = ["id": "p-composed", "tempo": 90, "key": "Am", "tracks": []]
            let composed = try await stack.compose(prompt: maestroPrompt(roles: ["bass"]), project: project)
            let variationID = try #require(composed.events("done").first?["variationId"]?.stringValue)
            let regions = Set(composed.events("phrase").compactMap { $0["regionId"]?.stringValue })
            let log = try await stack.get(
                stack.maestro + "/api/v1/muse/log?project_id=p-composed",
                token: stack.token()
            )
            let nodes = log.json?["nodes"]?.arrayValue ?? []
            #expect(nodes.compactMap { $0["id"]?.stringValue } == [variationID])
            #expect(Set(nodes.first?["regions"]?.arrayValue?.compactMap(\.stringValue) ?? []) == regions)
            #expect(nodes.first?["parent"] == .null)
            #expect(log.json?["head"] == .null)

            let bare = try await stack.compose(prompt: maestroPrompt(roles: ["drums"]))
            let bareID = try #require(bare.events("done").first?["variationId"]?.stringValue)
            let unnamed = try await stack.get(stack.maestro + "/api/v1/muse/log?project_id=", token: stack.token())
            #expect(unnamed.json?["nodes"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [bareID])
        }
    }

    /// Tempo and key steps are left out when the project snapshot already has that tempo and key.
    @Test func tempoAndKeyStepsOnlyWhenTheyDiffer() async throws {
        try await withStack { stack in
            let project: JSONValue = ["id": "p1", "tempo": 90, "key": "Am", "tracks": []]
            let same = try await stack.compose(prompt: maestroPrompt(roles: ["bass"]), project: project)
            #expect(!same.events.contains { $0["name"] == "stori_set_tempo" || $0["name"] == "stori_set_key" })
            let other = try await stack.compose(prompt: maestroPrompt(tempo: 120, roles: ["bass"]), project: project)
            #expect(other.events.contains { $0["type"] == "toolCall" && $0["name"] == "stori_set_tempo" })
            #expect(!other.events.contains { $0["name"] == "stori_set_key" })
        }
    }

    /// A `Form` with three sections gives three regions and phrases per role, one generation per section.
    @Test func formSectionsGiveOneRegionPerSection() async throws {
        try await withStack { stack in
            let prompt = try #require(PromptCatalogue.items.first { $0.id == "pop_song_form" }).fullPrompt
            let result = try await stack.compose(prompt: prompt, conversationID: testConversation)
            #expect(streamViolations(result.events).isEmpty)
            #expect(result.events("phrase").count == 9)
            #expect(
                Set(result.events("generatorStart").compactMap { $0["sectionName"]?.stringValue }) == [
                    "intro", "verse", "chorus",
                ]
            )
            let labels = result.events("phrase").compactMap { $0["label"]?.stringValue }
            #expect(labels.contains("Bars 9-12"))
            let artifacts = try await stack.get(
                stack.storpheus + "/artifacts/" + (result.events.first?["traceId"]?.stringValue ?? "")
            )
            #expect(artifacts.json?["files"]?.arrayValue?.count == 3)
        }
    }

    /// Heartbeat comments arrive while generation is slower than the heartbeat interval, without consuming a seq.
    @Test func heartbeatsDuringSlowGeneration() async throws {
        var configuration = testConfiguration()
        configuration.heartbeatInterval = .milliseconds(50)
        configuration.silenceStatusInterval = .milliseconds(500)
        let frames = try await Self.readHeldCompose(roles: ["drums"], configuration) { frames in
            // Two heartbeats, then the next real event, which shows whether they took a seq.
            let beats = frames.indices.filter { frames[$0].isComment }
            guard beats.count >= 2 else { return false }
            return frames[beats[1]...].contains { !$0.isComment }
        }
        let comments = frames.compactMap { if case .comment(let text) = $0 { text } else { nil } }
        #expect(comments.count >= 2)
        #expect(comments.allSatisfy { $0 == "heartbeat" })
        #expect(frames.first?.isComment == false, "the stream began with a heartbeat, before its state event")
        let events = frames.compactMap { if case .event(let event) = $0 { event } else { nil } }
        let seqs = events.compactMap { (try? JSONParser.parse($0.data))?["seq"]?.intValue }
        #expect(seqs == Array(0..<events.count))
    }

    /// After the silence-status interval a real `status` event says how many agents are working.
    @Test func silenceStatusAfterLongGeneration() async throws {
        var configuration = testConfiguration()
        configuration.heartbeatInterval = .milliseconds(50)
        configuration.silenceStatusInterval = .milliseconds(120)
        let message = "Generating music (2 agents working)..."
        let frames = try await Self.readHeldCompose(roles: ["drums", "bass"], configuration) { frames in
            guard case .event(let event)? = frames.last else { return false }
            return (try? JSONParser.parse(event.data))?["message"] == .string(message)
        }
        let last = frames.last.flatMap { if case .event(let event) = $0 { event } else { nil } }
        let status = try #require(try last.map { try JSONParser.parse($0.data) })
        #expect(status["type"] == "status" && status["message"] == .string(message))
    }

    /// Reads a compose stream whose generation is held by a two-minute Storpheus cold start until `isEnough`
    /// says so (or the stream ends), then hangs up. What must arrive during generation thus arrives in lockstep
    /// with the test, however busy the machine; the cold start is only a safety net that ends a broken stream.
    private static func readHeldCompose(
        roles: [String],
        _ configuration: StackConfiguration,
        until isEnough: ([SSEFrame]) -> Bool
    ) async throws -> [SSEFrame] {
        var configuration = configuration
        configuration.faults = [try StackFault(parsing: "cold-start=storpheus:120s")]
        return try await withStack(configuration) { stack in
            let response = try await stack.startCompose(prompt: maestroPrompt(roles: roles), token: stack.token())
            var frames: [SSEFrame] = []
            for try await frame in response.body.sseFrames() {
                frames.append(frame)
                if isEnough(frames) { break }
            }
            return frames
        }
    }

    /// Generated notes are added to the working tree of the stream's store key (`project.id`), and a later stream's
    /// snapshot replaces the store's notes: a MUSE checkout on that key sees exactly those notes.
    @Test func projectSnapshotIsHonouredInTheWorkingTree() async throws {
        try await withStack { stack in
            func snapshot(_ id: String, region: String) -> JSONValue {
                [
                    "id": .string(id),
                    "tracks": [
                        [
                            "id": "t1", "name": "Keys",
                            "regions": [
                                [
                                    "id": .string(region), "startBeat": 0, "durationBeats": 8,
                                    "notes": [["pitch": 60, "startBeat": 0, "durationBeats": 1, "velocity": 100]],
                                ]
                            ],
                        ]
                    ],
                ]
            }
            _ = try await stack.muse("variations", ["project_id": "px", "variation_id": "root", "intent": "root"])
            func clearedRegions(_ key: String) async throws -> [String] {
                let checkout = try await stack.muse(
                    "checkout",
                    ["project_id": "px", "target_variation_id": "root", "conversation_id": .string(key), "force": true]
                )
                let events = checkout.json?["execution"]?["events"]?.arrayValue ?? []
                return events.filter { $0["tool"] == "stori_clear_notes" }.compactMap {
                    $0["params"]?["regionId"]?.stringValue
                }
            }
            // Key A: the snapshot's region plus the generated region hold notes.
            let stream = try await stack.compose(
                prompt: maestroPrompt(roles: ["bass"]),
                project: snapshot("key-a", region: "r-old")
            )
            let generatedRegion = try #require(stream.events("phrase").first?["regionId"]?.stringValue)
            #expect(try await clearedRegions("key-a") == ["r-old", generatedRegion].sorted())
            // Key B: a later stream's snapshot replaces every note of the store, whatever path the prompt takes.
            _ = try await stack.compose(
                prompt: maestroPrompt(roles: ["bass"]),
                project: snapshot("key-b", region: "r-old")
            )
            _ = try await stack.compose(prompt: "What is this?", project: snapshot("key-b", region: "r-new"))
            #expect(try await clearedRegions("key-b") == ["r-new"])
        }
    }

    /// A project snapshot that violates its schema is dropped silently: the stream still succeeds.
    @Test func invalidSnapshotIsSilentlyIgnored() async throws {
        try await withStack { stack in
            let project: JSONValue = ["id": "p", "tempo": 900, "tracks": [["id": "t", "gmProgram": "Electric Bass"]]]
            let result = try await stack.compose(prompt: maestroPrompt(roles: ["bass"]), project: project)
            #expect(result.status == 200)
            #expect(result.events.contains { $0["name"] == "stori_set_tempo" })
            #expect(streamViolations(result.events).isEmpty)
        }
    }
}

extension SSEFrame {
    fileprivate var isComment: Bool { if case .comment = self { true } else { false } }
}
