import JSON

@testable import StoriStack

/// Checks the stream semantics of service-contracts.md §8 on one finished stream; returns every violation found (empty
/// when the stream is well-formed). `projectRegions` maps region ids of a sent snapshot to their track ids.
func streamViolations(_ events: [JSONObject], projectRegions: [String: String] = [:]) -> [String] {
    var problems: [String] = []
    func fail(_ text: String) { problems.append(text) }
    guard let first = events.first else { return ["empty stream"] }
    if first["type"] != "state" { fail("first event is \(first["type"] ?? .null), not state") }
    let completes = events.indices.filter { events[$0]["type"] == "complete" }
    if completes != [events.count - 1] { fail("complete at \(completes), stream has \(events.count) events") }
    for (index, event) in events.enumerated() {
        if event["seq"] != .int(index) { fail("event \(index) has seq \(event["seq"] ?? .null)") }
        if event["protocolVersion"] != "0.1.4" { fail("event \(index) lacks protocolVersion") }
        if Array(event.keys.prefix(3)) != ["type", "seq", "protocolVersion"] {
            fail("event \(index) starts with keys \(event.keys.prefix(3))")
        }
        if event.members.contains(where: { $0.value == .null }) { fail("event \(index) has a null field") }
    }
    let traceID = first["traceId"]
    if let complete = events.last, complete["type"] == "complete", complete["traceId"] != traceID {
        fail("complete.traceId \(complete["traceId"] ?? .null) differs from state.traceId")
    }

    // Plan steps: ids "1", "2", ... and each reaches a terminal update.
    var stepIDs: [String] = []
    for plan in events where plan["type"] == "plan" {
        stepIDs = (plan["steps"]?.arrayValue ?? []).compactMap { $0["stepId"]?.stringValue }
        if stepIDs != (0..<stepIDs.count).map({ String($0 + 1) }) { fail("step ids \(stepIDs)") }
    }
    let terminal = Set(
        events.filter {
            $0["type"] == "planStepUpdate"
                && ["completed", "failed", "skipped"].contains($0["status"]?.stringValue ?? "")
        }
        .compactMap { $0["stepId"]?.stringValue }
    )
    // A stream that failed with an `error` leaves its remaining steps as they were, as the real service does when
    // Storpheus fails its pre-flight check (measured).
    let failed = events.contains { $0["type"] == "error" } && events.last?["success"] == .bool(false)
    for step in stepIDs where !terminal.contains(step) && !failed {
        fail("plan step \(step) never reaches a terminal status")
    }

    // toolStart before each toolCall (per agent), same label and phase.
    var lastStart: [String: JSONObject] = [:]
    var tracks = Set<String>()
    var regionTrack = projectRegions
    var notesByRegion: [String: [JSONValue]] = [:]
    var lastGeneratorCount: [String: Int] = [:]
    for event in events {
        let agent = event["agentId"]?.stringValue ?? ""
        switch event["type"]?.stringValue ?? "" {
        case "toolStart":
            lastStart[agent] = event
        case "generatorStart":
            if lastStart[agent]?["name"] != "stori_generate_midi" {
                fail("generatorStart without toolStart(stori_generate_midi)")
            }
        case "generatorComplete":
            lastGeneratorCount[agent] = event["noteCount"]?.intValue
        case "toolCall":
            if event["proposal"] == .bool(true) { continue }
            let name = event["name"]?.stringValue ?? ""
            guard let start = lastStart[agent] else {
                fail("toolCall \(name) without a toolStart")
                continue
            }
            let startName = start["name"]?.stringValue ?? ""
            if !(startName == name || (name == "stori_add_notes" && startName == "stori_generate_midi")) {
                fail("toolCall \(name) follows toolStart \(startName)")
            }
            if start["label"] != event["label"] || start["phase"] != event["phase"] {
                fail("toolCall \(name) label/phase differ from its toolStart")
            }
            lastStart[agent] = nil
            let params = event.object("params") ?? JSONObject()
            switch name {
            case "stori_add_midi_track":
                guard let track = params["trackId"]?.stringValue else {
                    fail("track without params.trackId")
                    continue
                }
                tracks.insert(track)
                if params["_isDrums"] == .bool(true) && params["gmProgram"] != nil { fail("drum track with gmProgram") }
            case "stori_set_track_icon":
                if !tracks.contains(params["trackId"]?.stringValue ?? "") { fail("icon for unknown track") }
                if let id = event["id"]?.stringValue, !id.hasSuffix("-icon") { fail("icon call id \(id)") }
            case "stori_add_midi_region":
                guard let track = params["trackId"]?.stringValue, let region = params["regionId"]?.stringValue else {
                    fail("region without ids")
                    continue
                }
                if !tracks.contains(track) && !projectRegions.values.contains(track) { fail("region on unknown track") }
                regionTrack[region] = track
            case "stori_add_notes":
                let region = params["regionId"]?.stringValue ?? ""
                guard let owner = regionTrack[region] else {
                    fail("notes for unknown region \(region)")
                    continue
                }
                if params["trackId"]?.stringValue != owner { fail("notes' trackId differs from the region's track") }
                let notes = params["notes"]?.arrayValue ?? []
                if startName == "stori_generate_midi", let count = lastGeneratorCount[agent], count != notes.count {
                    fail("generatorComplete.noteCount \(count) != notes.count \(notes.count)")
                }
                for note in notes {
                    guard let pitch = note["pitch"]?.intValue, (0...127).contains(pitch),
                        let velocity = note["velocity"]?.intValue, (1...127).contains(velocity),
                        let start = note["startBeat"]?.doubleValue, start >= 0,
                        let duration = note["durationBeats"]?.doubleValue, duration > 0
                    else {
                        fail("bad note \(note)")
                        continue
                    }
                }
                notesByRegion[region, default: []] += notes
            default:
                break
            }
        default:
            break
        }
    }

    // The compose ending: meta, phrase*, done, complete agree.
    let metas = events.filter { $0["type"] == "meta" }
    if let meta = metas.first {
        let phrases = events.filter { $0["type"] == "phrase" }
        let done = events.first { $0["type"] == "done" }
        let complete = events.last!
        let variation = meta["variationId"]
        if done?["variationId"] != variation || complete["variationId"] != variation {
            fail("variationId differs across meta/done/complete")
        }
        if done?["phraseCount"] != .int(phrases.count) || complete["phraseCount"] != .int(phrases.count) {
            fail("phraseCount differs from \(phrases.count) phrases")
        }
        let changes = phrases.reduce(0) { $0 + ($1["noteChanges"]?.arrayValue?.count ?? 0) }
        if complete["totalChanges"] != .int(changes) {
            fail("totalChanges \(complete["totalChanges"] ?? .null) != \(changes)")
        }
        if meta.object("noteCounts")?["added"] != .int(changes) { fail("noteCounts.added differs from \(changes)") }
        for phrase in phrases {
            let region = phrase["regionId"]?.stringValue ?? ""
            if regionTrack[region] != phrase["trackId"]?.stringValue { fail("phrase references unknown region/track") }
            let after = (phrase["noteChanges"]?.arrayValue ?? []).compactMap { $0["after"] }
            let sent = notesByRegion[region] ?? []
            let same =
                after.count == sent.count
                && zip(after, sent).allSatisfy { lhs, rhs in
                    ["pitch", "startBeat", "durationBeats", "velocity"].allSatisfy { lhs[$0] == rhs[$0] }
                }
            if !same { fail("phrase notes of \(region) differ from its stori_add_notes") }
        }
        let order = events.suffix(phrases.count + 3).compactMap { $0["type"]?.stringValue }
        if order.first != "meta" || order.suffix(2) != ["done", "complete"] { fail("compose ending order \(order)") }
    }
    return problems
}
