import HTTPWire
import JSON
import Testing

@testable import StoriStack

/// A note snapshot in MUSE's snake_case.
private func note(_ pitch: Int, _ start: Double, duration: Double = 0.5, velocity: Int = 90) -> JSONValue {
    [
        "pitch": .int(pitch), "start_beat": .double(start), "duration_beats": .double(duration),
        "velocity": .int(velocity),
    ]
}

/// A commit body with one phrase per region, all changes `added`.
private func commit(
    _ id: String,
    project: String = "proj",
    parent: String? = nil,
    intent: String = "edit",
    regions: [String: [JSONValue]] = [:]
) -> JSONValue {
    let phrases = regions.keys.sorted().map { region -> JSONValue in
        [
            "phrase_id": .string("ph-\(id)-\(region)"), "track_id": .string(region), "region_id": .string(region),
            "note_changes": .array(
                regions[region]!.map { ["note_id": "ignored", "change_type": "added", "before": .null, "after": $0] }
            ),
        ]
    }
    return [
        "project_id": .string(project), "variation_id": .string(id), "intent": .string(intent),
        "parent_variation_id": parent.map(JSONValue.string) ?? .null, "phrases": .array(phrases),
    ]
}

@Suite struct MuseTests {
    /// Saving answers the id and does not move HEAD; `/log` lists nodes in Kahn order with camelCase keys, logical
    /// timestamps, null for an empty intent, and regions taken from phrases.
    @Test func saveAndLog() async throws {
        try await withStack { stack in
            #expect(
                try await stack.muse("variations", commit("root", intent: "compose", regions: ["keys": [note(60, 0)]]))
                    .text == #"{"variation_id":"root"}"#
            )
            _ = try await stack.muse("variations", commit("b-left", parent: "root", intent: ""))
            _ = try await stack.muse("variations", commit("a-right", parent: "root", regions: ["bass": [note(40, 0)]]))
            let log0 = try await stack.get(stack.maestro + "/api/v1/muse/log?project_id=proj", token: stack.token())
            #expect(log0.json?["head"] == .null)
            #expect(try await stack.muse("head", ["variation_id": "b-left"]).text == #"{"head":"b-left"}"#)
            let merge = try await stack.muse(
                "merge",
                ["project_id": "proj", "left_id": "b-left", "right_id": "a-right"]
            )
            #expect(merge.status == 200)
            let mergeID = try #require(merge.json?["merge_variation_id"]?.stringValue)
            let log = try #require(
                try await stack.get(stack.maestro + "/api/v1/muse/log?project_id=proj", token: stack.token()).json
            )
            #expect(log.objectValue?.keys == ["projectId", "head", "nodes"])
            #expect(log["head"] == .string(mergeID))
            let nodes = log["nodes"]?.arrayValue ?? []
            #expect(nodes.compactMap { $0["id"]?.stringValue } == ["root", "b-left", "a-right", mergeID])
            #expect(
                nodes.first?.objectValue?.keys == [
                    "id", "parent", "parent2", "isHead", "timestamp", "intent", "regions",
                ]
            )
            #expect(nodes[0]["timestamp"] == .double(MaestroStore.epoch))
            #expect(nodes[3]["timestamp"] == .double(MaestroStore.epoch + 3))
            #expect(nodes[0]["regions"] == ["keys"])
            #expect(nodes[1]["intent"] == .null)
            #expect(nodes[3]["parent"] == "b-left")
            #expect(nodes[3]["parent2"] == "a-right")
            #expect(nodes[3]["intent"] == "merge")
            #expect(nodes[3]["isHead"] == .bool(true))
            #expect(nodes.dropLast().allSatisfy { $0["isHead"] == .bool(false) })
        }
    }

    /// `/head` with an unknown id is a silent 200; `/log` needs `project_id` (422) and knows no unknown project.
    @Test func headAndLogEdges() async throws {
        try await withStack { stack in
            _ = try await stack.muse("variations", commit("root"))
            _ = try await stack.muse("head", ["variation_id": "root"])
            #expect(try await stack.muse("head", ["variation_id": "nope"]).text == #"{"head":"nope"}"#)
            let log = try await stack.get(stack.maestro + "/api/v1/muse/log?project_id=proj", token: stack.token())
            #expect(log.json?["head"] == "root")
            let missing = try await stack.get(stack.maestro + "/api/v1/muse/log", token: stack.token())
            #expect(missing.status == 422)
            #expect(
                missing.text
                    == #"{"detail":[{"type":"missing","loc":["query","project_id"],"msg":"Field required","input":null}]}"#
            )
            let unknown = try await stack.get(stack.maestro + "/api/v1/muse/log?project_id=x", token: stack.token())
            #expect(unknown.text == #"{"projectId":"x","head":null,"nodes":[]}"#)
        }
    }

    /// Missing fields are 422; duplicates, unknown parents, long ids, bad note values and inconsistent change
    /// sides are a bare `text/plain` 500 that stores nothing.
    @Test func saveValidationAndServerErrors() async throws {
        try await withStack { stack in
            let missing = try await stack.muse("variations", ["project_id": "proj", "intent": "x"])
            #expect(missing.status == 422)
            #expect(missing.json?["detail"]?[0]?["loc"] == ["body", "variation_id"])
            _ = try await stack.muse("variations", commit("root"))
            var badChange = commit("bad-change", regions: ["r": [note(60, 0)]]).objectValue!
            badChange["phrases"] = [
                [
                    "phrase_id": "p-bc", "track_id": "r", "region_id": "r",
                    "note_changes": [["change_type": "added", "before": note(60, 0), "after": note(60, 0)]],
                ]
            ]
            let failures: [JSONValue] = [
                commit("root"),
                commit("orphan", parent: "missing-parent"),
                commit(String(repeating: "x", count: 37)),
                commit("bad-pitch", regions: ["r": [note(128, 0)]]),
                commit("bad-duration", regions: ["r": [note(60, 0, duration: 0)]]),
                .object(badChange),
                [
                    "project_id": "proj", "variation_id": "dup-phrase", "intent": "x",
                    "phrases": [["phrase_id": "ph-has-phrase-root", "track_id": "t", "region_id": "r"]],
                ],
            ]
            _ = try await stack.muse("variations", commit("has-phrase", regions: ["root": []]))
            for body in failures {
                let response = try await stack.muse("variations", body)
                #expect(response.status == 500, "\(body)")
                #expect(response.text == "Internal Server Error")
                #expect(response.headers["Content-Type"]?.hasPrefix("text/plain") == true)
            }
            let log = try await stack.get(stack.maestro + "/api/v1/muse/log?project_id=proj", token: stack.token())
            #expect(log.json?["nodes"]?.arrayValue?.count == 2)
        }
    }

    /// Checkout: an unknown target is 404 even with a dirty tree; drift is 409 with the change count; force skips
    /// only the drift check; the plan clears and re-adds, and its hash is Python's `json.dumps(sort_keys=True)`.
    @Test func checkoutDriftForceAndPlanHash() async throws {
        try await withStack { stack in
            _ = try await stack.muse("variations", commit("v1", project: "tdf-project", regions: ["r1": [note(61, 0)]]))
            _ = try await stack.muse(
                "variations",
                commit(
                    "v2",
                    project: "tdf-project",
                    regions: ["r1": [note(60, 0, duration: 1, velocity: 100), note(64, 1.5, duration: 0.25)]]
                )
            )
            let first = try await stack.muse("checkout", ["project_id": "tdf-project", "target_variation_id": "v1"])
            #expect(first.status == 200)
            #expect(first.json?["from_variation_id"] == .null)
            #expect(first.json?["execution"]?["executed"] == .int(1))
            let second = try await stack.muse("checkout", ["project_id": "tdf-project", "target_variation_id": "v2"])
            #expect(second.status == 200)
            let execution = try #require(second.json?["execution"])
            #expect(
                second.json?.objectValue?.keys == [
                    "project_id", "from_variation_id", "to_variation_id", "execution", "head_moved",
                ]
            )
            #expect(execution.objectValue?.keys == ["executed", "failed", "plan_hash", "events"])
            #expect(execution["executed"] == .int(2))
            #expect(execution["failed"] == .int(0))
            #expect(execution["plan_hash"] == "9bf2d8d5aa9b3957d1de58bf3b859d3b")
            #expect(
                execution["events"]?.arrayValue?.compactMap { $0["tool"]?.stringValue } == [
                    "stori_clear_notes", "stori_add_notes",
                ]
            )
            #expect(
                execution["events"]?[1]?["params"] == [
                    "regionId": "r1",
                    "notes": [
                        ["pitch": 60, "startBeat": 0.0, "durationBeats": 1.0, "velocity": 100],
                        ["pitch": 64, "startBeat": 1.5, "durationBeats": 0.25, "velocity": 90],
                    ],
                ]
            )
            #expect(second.json?["from_variation_id"] == "v1")
            #expect(second.json?["head_moved"] == .bool(true))
            // Already there: a no-op.
            let again = try await stack.muse("checkout", ["project_id": "tdf-project", "target_variation_id": "v2"])
            #expect(again.json?["execution"]?["executed"] == .int(0))
            #expect(again.json?["execution"]?["events"] == [])
            // HEAD moved behind the tree's back: 1 removed + 2 added.
            _ = try await stack.muse("head", ["variation_id": "v1"])
            let blocked = try await stack.muse("checkout", ["project_id": "tdf-project", "target_variation_id": "v2"])
            #expect(blocked.status == 409)
            #expect(blocked.text == #"{"detail":{"error":"checkout_blocked","severity":"dirty","total_changes":3}}"#)
            let unknown = try await stack.muse("checkout", ["project_id": "tdf-project", "target_variation_id": "zzz"])
            #expect(unknown.status == 404)
            #expect(unknown.text == #"{"detail":"Cannot reconstruct snapshot for variation zzz"}"#)
            let forced = try await stack.muse(
                "checkout",
                ["project_id": "tdf-project", "target_variation_id": "v1", "force": true]
            )
            #expect(forced.status == 200)
            #expect(forced.json?["execution"]?["executed"] == .int(2))
        }
    }

    /// A committed phrase region with no notes makes a non-force checkout dirty with 0 changes.
    @Test func emptyHeadRegionIsDirtyWithZeroChanges() async throws {
        try await withStack { stack in
            _ = try await stack.muse("variations", commit("v3", regions: ["empty": []]))
            _ = try await stack.muse("head", ["variation_id": "v3"])
            let blocked = try await stack.muse(
                "checkout",
                ["project_id": "proj", "target_variation_id": "v3", "conversation_id": "c2"]
            )
            #expect(blocked.text == #"{"detail":{"error":"checkout_blocked","severity":"dirty","total_changes":0}}"#)
        }
    }

    /// The merge base is the first node of right's first-parent chain that is in left's chain: merging a commit
    /// with its own ancestor is clean even though the ancestor's note is "modified" along the way.
    @Test func mergeBaseIsTheNearestCommonAncestor() async throws {
        try await withStack { stack in
            _ = try await stack.muse("variations", commit("root"))
            _ = try await stack.muse(
                "variations",
                commit("a", parent: "root", regions: ["r": [note(60, 0, velocity: 100)]])
            )
            _ = try await stack.muse(
                "variations",
                commit("b", parent: "a", regions: ["r": [note(60, 0, velocity: 80)]])
            )
            let clean = try await stack.muse("merge", ["project_id": "proj", "left_id": "b", "right_id": "a"])
            #expect(clean.status == 200)
            // Against root as the base, the same notes would conflict (both sides add pitch 60 at beat 0).
            _ = try await stack.muse(
                "variations",
                commit("c", parent: "root", regions: ["r": [note(60, 0, velocity: 70)]])
            )
            let conflict = try await stack.muse("merge", ["project_id": "proj", "left_id": "b", "right_id": "c"])
            #expect(conflict.status == 409)
            #expect(conflict.json?["detail"]?["conflicts"]?.arrayValue?.count == 2)
        }
    }

    /// Disjoint regions merge cleanly: a merge commit becomes HEAD, the working tree gets both sides, and since a
    /// merge's snapshot is its left parent's, the right side's notes then count as drift.
    @Test func cleanMergeOfDisjointRegions() async throws {
        try await withStack { stack in
            _ = try await stack.muse("variations", commit("root", regions: ["keys": [note(60, 0)]]))
            _ = try await stack.muse(
                "variations",
                commit("left", parent: "root", regions: ["bass": [note(40, 0), note(43, 1)]])
            )
            _ = try await stack.muse(
                "variations",
                commit("right", parent: "root", regions: ["drums": [note(36, 0), note(38, 1), note(42, 0.5)]])
            )
            let merge = try await stack.muse("merge", ["project_id": "proj", "left_id": "left", "right_id": "right"])
            #expect(merge.status == 200)
            let body = try #require(merge.json)
            #expect(
                body.objectValue?.keys == [
                    "project_id", "merge_variation_id", "left_id", "right_id", "execution", "head_moved",
                ]
            )
            #expect(body["execution"]?["executed"] == .int(3))
            let regions = body["execution"]?["events"]?.arrayValue?.compactMap {
                $0["params"]?["regionId"]?.stringValue
            }
            #expect(regions == ["bass", "drums", "keys"])
            #expect(body["execution"]?["plan_hash"]?.stringValue?.count == 32)
            let drift = try await stack.muse("checkout", ["project_id": "proj", "target_variation_id": "left"])
            #expect(drift.text == #"{"detail":{"error":"checkout_blocked","severity":"dirty","total_changes":3}}"#)
        }
    }

    /// Both sides adding different notes at the same pitch within 0.05 beats conflict (force does not help);
    /// 0.06 beats apart they do not; identical additions are both kept.
    @Test func additionConflictsAndIdenticalAdditions() async throws {
        try await withStack { stack in
            _ = try await stack.muse("variations", commit("root"))
            _ = try await stack.muse(
                "variations",
                commit("l1", parent: "root", regions: ["keys": [note(72, 0, velocity: 90)]])
            )
            _ = try await stack.muse(
                "variations",
                commit("r1", parent: "root", regions: ["keys": [note(72, 0.04, velocity: 60)]])
            )
            let conflict = try await stack.muse(
                "merge",
                ["project_id": "proj", "left_id": "l1", "right_id": "r1", "force": true]
            )
            #expect(conflict.status == 409)
            #expect(
                conflict.text
                    == #"{"detail":{"error":"merge_conflict","conflicts":[{"region_id":"keys","type":"note","description":"Both sides added conflicting note at pitch=72 beat=0.0"}]}}"#
            )
            _ = try await stack.muse(
                "variations",
                commit("r2", parent: "root", regions: ["keys": [note(72, 0.06, velocity: 60)]])
            )
            #expect(
                try await stack.muse("merge", ["project_id": "proj", "left_id": "l1", "right_id": "r2"]).status == 200
            )
            _ = try await stack.muse(
                "variations",
                commit("r3", parent: "root", regions: ["keys": [note(72, 0, velocity: 90)]])
            )
            let same = try await stack.muse(
                "merge",
                ["project_id": "proj", "left_id": "l1", "right_id": "r3", "conversation_id": "fresh"]
            )
            #expect(same.status == 200)
            let added = same.json?["execution"]?["events"]?[0]?["params"]?["notes"]?.arrayValue
            #expect(added?.count == 2)
        }
    }

    /// No common ancestor (including unknown ids) is a 409 with the single `*` conflict.
    @Test func noCommonAncestor() async throws {
        try await withStack { stack in
            _ = try await stack.muse("variations", commit("x"))
            _ = try await stack.muse("variations", commit("y"))
            let expected =
                #"{"detail":{"error":"merge_conflict","conflicts":[{"region_id":"*","type":"note","description":"No common ancestor found between the two variations"}]}}"#
            #expect(
                try await stack.muse("merge", ["project_id": "proj", "left_id": "x", "right_id": "y"]).text == expected
            )
            #expect(
                try await stack.muse("merge", ["project_id": "proj", "left_id": "x", "right_id": "nope"]).text
                    == expected
            )
        }
    }

    /// The real Maestro's recorded merge (fixture seq 19): `stori_add_midi_cc` events each carry their `cc`, and
    /// the plan hashes to the real `plan_hash`; the merged tree then drifts by 4 from HEAD (seq 24): the bass notes
    /// and the poly aftertouch that landed without its pitch.
    @Test func mergePlanCarriesCCNumbersInEvents() async throws {
        try await withStack { stack in
            _ = try await stack.muse("variations", commit("f55065-root", project: "pf55065"))
            var left = commit(
                "f55065-left",
                project: "pf55065",
                parent: "f55065-root",
                regions: ["keys": [note(72, 0)]]
            )
            .objectValue!
            var phrase = left["phrases"]![0]!.objectValue!
            phrase["cc_events"] = [["cc": 64, "beat": 0.0, "value": 127]]
            phrase["pitch_bends"] = [["beat": 1.0, "value": 2048]]
            phrase["aftertouch"] = [["beat": 2.0, "value": 40, "pitch": 72]]
            left["phrases"] = [.object(phrase)]
            _ = try await stack.muse("variations", .object(left))
            _ = try await stack.muse(
                "variations",
                commit(
                    "f55065-bass",
                    project: "pf55065",
                    parent: "f55065-root",
                    regions: [
                        "bass": [note(40, 0, duration: 1, velocity: 100), note(43, 2, duration: 1, velocity: 100)]
                    ]
                )
            )
            let merge = try await stack.muse(
                "merge",
                ["project_id": "pf55065", "left_id": "f55065-left", "right_id": "f55065-bass"]
            )
            let execution = try #require(merge.json?["execution"])
            #expect(execution["executed"] == .int(5))
            #expect(
                execution["events"]?[2]?["params"] == [
                    "regionId": "keys", "cc": 64, "events": [["cc": 64, "beat": 0.0, "value": 127]],
                ]
            )
            #expect(execution["plan_hash"] == "c72c419dac3d20119abed27e1eebe28b")
            let drift = try await stack.muse(
                "checkout",
                ["project_id": "pf55065", "target_variation_id": "f55065-left"]
            )
            #expect(drift.text == #"{"detail":{"error":"checkout_blocked","severity":"dirty","total_changes":4}}"#)
        }
    }

    /// A checkout applies poly aftertouch without its pitch (fixture seq 72-74): checking the same variation out
    /// again is dirty by 2, and forcing it sends the aftertouch again, with the real `plan_hash`.
    @Test func appliedPolyAftertouchLosesItsPitch() async throws {
        try await withStack { stack in
            _ = try await stack.muse("variations", commit("623f63-atroot", project: "r623f63"))
            var variation = commit(
                "623f63-at",
                project: "r623f63",
                parent: "623f63-atroot",
                regions: ["pad": [note(60, 0)]]
            )
            .objectValue!
            var phrase = variation["phrases"]![0]!.objectValue!
            phrase["aftertouch"] = [["beat": 2.0, "value": 40, "pitch": 60]]
            variation["phrases"] = [.object(phrase)]
            _ = try await stack.muse("variations", .object(variation))
            let request: JSONValue = [
                "project_id": "r623f63", "target_variation_id": "623f63-at", "conversation_id": "a",
            ]
            let first = try await stack.muse("checkout", request)
            #expect(first.json?["execution"]?["executed"] == .int(2))
            let again = try await stack.muse("checkout", request)
            #expect(again.status == 409)
            #expect(again.text == #"{"detail":{"error":"checkout_blocked","severity":"dirty","total_changes":2}}"#)
            var forcedRequest = request.objectValue!
            forcedRequest["force"] = true
            let forced = try await stack.muse("checkout", .object(forcedRequest))
            let execution = try #require(forced.json?["execution"])
            #expect(execution["executed"] == .int(1))
            #expect(execution["events"]?[0]?["tool"] == "stori_add_aftertouch")
            #expect(
                execution["events"]?[0]?["params"] == [
                    "regionId": "pad", "events": [["beat": 2.0, "value": 40, "pitch": 60]],
                ]
            )
            #expect(execution["plan_hash"] == "84277123c87622bc0eed53f218660b2b")
        }
    }

    /// Modifications on both sides of the same base note conflict; a modification on one side is taken.
    @Test func modifiedBaseNotes() {
        let base: RegionMap = [
            "r": RegionContent(notes: [TreeNote(pitch: 60, startBeat: 0, durationBeats: 1, velocity: 100, channel: 0)])
        ]
        func side(_ velocity: Int) -> RegionMap {
            [
                "r": RegionContent(notes: [
                    TreeNote(pitch: 60, startBeat: 0.01, durationBeats: 1, velocity: velocity, channel: 0)
                ])
            ]
        }
        guard case .failure(let list) = MuseAlgorithms.merge(base: base, left: side(80), right: side(70)) else {
            Issue.record("both-modified did not conflict")
            return
        }
        #expect(list.conflicts.map(\.description) == ["Both sides modified note at pitch=60 beat=0.0"])
        guard case .success(let merged) = MuseAlgorithms.merge(base: base, left: side(80), right: base) else {
            Issue.record("one-sided modification conflicted")
            return
        }
        #expect(merged["r"]?.notes.map(\.velocity) == [80])
    }
}
