import HTTPTransport
import JSON

/// MUSE's HTTP surface under `/api/v1/muse` (service-contracts.md §5): snake_case bodies, camelCase `/log`.
struct MuseRoutes: Sendable {
    let store: MaestroStore

    /// Handles `/api/v1/muse/<rest>` after authentication; `body` is already known to be JSON or absent.
    func handle(method: String, rest: [String], query: String?, body: DecodedBody) async -> HTTPServerResponse {
        switch rest {
        case ["variations"]:
            return await saveVariation(body)
        case ["head"]:
            var validation = RequestValidation()
            guard let object = body.object(&validation),
                let found = validation.required(object, ["variation_id"], at: ["body"]),
                let id = validation.string(found.value, at: found.loc)
            else { return Reply.unprocessable(validation) }
            await store.setHead(id)
            return Reply.json(200, ["head": .string(id)])
        case ["log"]:
            guard let project = RequestTarget.queryItems(query)["project_id"] else {
                var validation = RequestValidation()
                validation.fail("missing", ["query", "project_id"], "Field required", input: .null)
                return Reply.unprocessable(validation)
            }
            return Reply.json(200, await store.log(project: project))
        case ["checkout"]:
            var validation = RequestValidation()
            guard let object = body.object(&validation) else { return Reply.unprocessable(validation) }
            let project = requiredString(object, "project_id", &validation)
            let target = requiredString(object, "target_variation_id", &validation)
            let conversation = optionalString(object, "conversation_id", default: "default", &validation)
            let force = optionalBool(object, "force", &validation)
            guard validation.isValid, let project, let target, let conversation else {
                return Reply.unprocessable(validation)
            }
            switch await store.checkout(project: project, target: target, conversation: conversation, force: force) {
            case .done(let body):
                return Reply.json(200, body)
            case .unknownTarget:
                return Reply.json(404, ["detail": .string("Cannot reconstruct snapshot for variation \(target)")])
            case .blocked(let total):
                return Reply.json(
                    409,
                    ["detail": ["error": "checkout_blocked", "severity": "dirty", "total_changes": .int(total)]]
                )
            }
        case ["merge"]:
            var validation = RequestValidation()
            guard let object = body.object(&validation) else { return Reply.unprocessable(validation) }
            let project = requiredString(object, "project_id", &validation)
            let left = requiredString(object, "left_id", &validation)
            let right = requiredString(object, "right_id", &validation)
            let conversation = optionalString(object, "conversation_id", default: "default", &validation)
            _ = optionalBool(object, "force", &validation)  // force never bypasses conflicts
            guard validation.isValid, let project, let left, let right, let conversation else {
                return Reply.unprocessable(validation)
            }
            switch await store.merge(project: project, left: left, right: right, conversation: conversation) {
            case .done(let body):
                return Reply.json(200, body)
            case .conflicts(let conflicts):
                return Reply.json(
                    409,
                    ["detail": ["error": "merge_conflict", "conflicts": .array(conflicts.map(\.json))]]
                )
            }
        default:
            return Reply.notFound
        }
    }

    /// The allowed method of a MUSE route, nil for an unknown route.
    static func method(of rest: [String]) -> String? {
        switch rest {
        case ["variations"], ["head"], ["checkout"], ["merge"]: "POST"
        case ["log"]: "GET"
        default: nil
        }
    }

    // MARK: - POST /variations

    private func saveVariation(_ body: DecodedBody) async -> HTTPServerResponse {
        var validation = RequestValidation()
        guard let object = body.object(&validation) else { return Reply.unprocessable(validation) }
        let project = requiredString(object, "project_id", &validation)
        let id = requiredString(object, "variation_id", &validation)
        let intent = requiredString(object, "intent", &validation)
        let conversation = optionalString(object, "conversation_id", default: "default", &validation)
        let parent = nullableString(object, "parent_variation_id", &validation)
        let parent2 = nullableString(object, "parent2_variation_id", &validation)
        let tracks = stringList(object, "affected_tracks", &validation)
        let regions = stringList(object, "affected_regions", &validation)
        var beatRange: [Double] = [0, 8]
        if let value = object["beat_range"], let items = validation.list(value, at: ["body", "beat_range"]) {
            beatRange = items.enumerated().compactMap { validation.double($1, at: ["body", "beat_range", .int($0)]) }
        }
        var phrases: [RawPhrase] = []
        if let value = object["phrases"], let items = validation.list(value, at: ["body", "phrases"]) {
            for (index, item) in items.enumerated() {
                if let phrase = parsePhrase(item, at: ["body", "phrases", .int(index)], &validation) {
                    phrases.append(phrase)
                }
            }
        }
        guard validation.isValid, let project, let id, let intent, let conversation else {
            return Reply.unprocessable(validation)
        }
        // What the database or the ORM would reject with an unhandled exception: a bare 500.
        let ids = [project, id] + [parent, parent2].compactMap { $0 } + phrases.map(\.id)
        guard ids.allSatisfy({ $0.count <= 36 }), let built = build(phrases) else { return Reply.internalServerError }
        let variation = MuseVariation(
            id: id,
            projectID: project,
            intent: intent,
            conversationID: conversation,
            parent: parent,
            parent2: parent2,
            affectedTracks: tracks,
            affectedRegions: regions,
            beatRange: beatRange,
            phrases: built,
            timestamp: 0
        )
        do {
            try await store.save(variation)
        } catch {
            return Reply.internalServerError
        }
        return Reply.json(200, ["variation_id": .string(id)])
    }

    private struct RawPhrase {
        var id: String
        var trackID: String
        var regionID: String
        var startBeat: Double
        var endBeat: Double
        var label: String
        var tags: [String]
        var changes: [(kind: String, before: JSONObject?, after: JSONObject?)]
        var cc: [JSONObject]
        var pitchBends: [JSONObject]
        var aftertouch: [JSONObject]
    }

    private func parsePhrase(
        _ value: JSONValue,
        at loc: [JSONValue],
        _ validation: inout RequestValidation
    ) -> RawPhrase? {
        guard let object = validation.model(value, at: loc) else { return nil }
        let id = required(object, "phrase_id", at: loc, &validation)
        let track = required(object, "track_id", at: loc, &validation)
        let region = required(object, "region_id", at: loc, &validation)
        var start = 0.0
        var end = 8.0
        var label = "Muse"
        var tags: [String] = []
        if let value = object["start_beat"], let number = validation.double(value, at: loc + ["start_beat"]) {
            start = number
        }
        if let value = object["end_beat"], let number = validation.double(value, at: loc + ["end_beat"]) {
            end = number
        }
        if let value = object["label"], let text = validation.string(value, at: loc + ["label"]) { label = text }
        if let value = object["tags"], let list = validation.strings(value, at: loc + ["tags"]) { tags = list }
        var changes: [(String, JSONObject?, JSONObject?)] = []
        if let value = object["note_changes"], let items = validation.list(value, at: loc + ["note_changes"]) {
            for (index, item) in items.enumerated() {
                let changeLoc = loc + ["note_changes", .int(index)]
                guard let change = validation.model(item, at: changeLoc) else { continue }
                if let noteID = change["note_id"], noteID != .null {
                    _ = validation.string(noteID, at: changeLoc + ["note_id"])
                }
                guard let found = validation.required(change, ["change_type"], at: changeLoc),
                    let kind = validation.string(found.value, at: found.loc)
                else { continue }
                var sides: [JSONObject?] = [nil, nil]
                for (side, name) in ["before", "after"].enumerated() {
                    if let snapshot = change[name], snapshot != .null {
                        sides[side] = validation.dictionary(snapshot, at: changeLoc + [.string(name)])
                    }
                }
                changes.append((kind, sides[0], sides[1]))
            }
        }
        func events(_ name: String) -> [JSONObject] {
            guard let value = object[name], let items = validation.list(value, at: loc + [.string(name)]) else {
                return []
            }
            return items.enumerated().compactMap { validation.dictionary($1, at: loc + [.string(name), .int($0)]) }
        }
        let cc = events("cc_events")
        let bends = events("pitch_bends")
        let touch = events("aftertouch")
        guard let id, let track, let region else { return nil }
        return RawPhrase(
            id: id,
            trackID: track,
            regionID: region,
            startBeat: start,
            endBeat: end,
            label: label,
            tags: tags,
            changes: changes.map { (kind: $0.0, before: $0.1, after: $0.2) },
            cc: cc,
            pitchBends: bends,
            aftertouch: touch
        )
    }

    /// Converts phrases, or nil where the real service would raise (bad note values, inconsistent change sides).
    private func build(_ phrases: [RawPhrase]) -> [MusePhrase]? {
        var result: [MusePhrase] = []
        for phrase in phrases {
            guard phrase.endBeat > 0, phrase.startBeat >= 0 else { return nil }
            var changes: [NoteChange] = []
            for change in phrase.changes {
                let kind: NoteChange.Kind =
                    change.kind == "added" ? .added : (change.kind == "removed" ? .removed : .modified)
                switch kind {
                case .added: guard change.before == nil, change.after != nil else { return nil }
                case .removed: guard change.after == nil, change.before != nil else { return nil }
                case .modified: guard change.before != nil, change.after != nil else { return nil }
                }
                var before: TreeNote?
                var after: TreeNote?
                if let snapshot = change.before {
                    guard let note = Self.note(snapshot) else { return nil }
                    before = note
                }
                if let snapshot = change.after {
                    guard let note = Self.note(snapshot) else { return nil }
                    after = note
                }
                changes.append(NoteChange(kind: kind, before: before, after: after))
            }
            var cc: [CCEvent] = []
            for event in phrase.cc {
                guard let number = event["cc"]?.intValue, let beat = event["beat"]?.doubleValue,
                    let value = event["value"]?.intValue
                else { return nil }
                cc.append(CCEvent(cc: number, beat: beat, value: value))
            }
            var bends: [PitchBendEvent] = []
            for event in phrase.pitchBends {
                guard let beat = event["beat"]?.doubleValue, let value = event["value"]?.intValue else { return nil }
                bends.append(PitchBendEvent(beat: beat, value: value))
            }
            var touch: [AftertouchEvent] = []
            for event in phrase.aftertouch {
                guard let beat = event["beat"]?.doubleValue, let value = event["value"]?.intValue else { return nil }
                touch.append(AftertouchEvent(beat: beat, value: value, pitch: event["pitch"]?.intValue))
            }
            result.append(
                MusePhrase(
                    id: phrase.id,
                    trackID: phrase.trackID,
                    regionID: phrase.regionID,
                    startBeat: phrase.startBeat,
                    endBeat: phrase.endBeat,
                    label: phrase.label,
                    tags: phrase.tags,
                    noteChanges: changes,
                    cc: cc,
                    pitchBends: bends,
                    aftertouch: touch
                )
            )
        }
        return result
    }

    /// A note snapshot in snake_case or camelCase; nil when a field is missing or out of range.
    static func note(_ object: JSONObject) -> TreeNote? {
        guard let pitch = object["pitch"]?.intValue,
            let start = (object["start_beat"] ?? object["startBeat"])?.doubleValue,
            let duration = (object["duration_beats"] ?? object["durationBeats"])?.doubleValue
        else { return nil }
        let velocity: Int? = object["velocity"].map { $0.intValue } ?? 100
        let channel: Int? = object["channel"].map { $0.intValue } ?? 0
        guard let velocity, let channel, (0...127).contains(pitch), (0...127).contains(velocity), start >= 0,
            duration > 0
        else { return nil }
        return TreeNote(pitch: pitch, startBeat: start, durationBeats: duration, velocity: velocity, channel: channel)
    }

    // MARK: - Field helpers

    private func required(
        _ object: JSONObject,
        _ name: String,
        at loc: [JSONValue],
        _ validation: inout RequestValidation
    )
        -> String?
    {
        guard let found = validation.required(object, [name], at: loc) else { return nil }
        return validation.string(found.value, at: found.loc)
    }

    private func requiredString(_ object: JSONObject, _ name: String, _ validation: inout RequestValidation) -> String?
    {
        required(object, name, at: ["body"], &validation)
    }

    private func optionalString(
        _ object: JSONObject,
        _ name: String,
        default fallback: String,
        _ validation: inout RequestValidation
    ) -> String? {
        guard let value = object[name] else { return fallback }
        return validation.string(value, at: ["body", .string(name)])
    }

    private func nullableString(_ object: JSONObject, _ name: String, _ validation: inout RequestValidation) -> String?
    {
        guard let value = object[name], value != .null else { return nil }
        return validation.string(value, at: ["body", .string(name)])
    }

    private func optionalBool(_ object: JSONObject, _ name: String, _ validation: inout RequestValidation) -> Bool {
        guard let value = object[name] else { return false }
        return validation.bool(value, at: ["body", .string(name)]) ?? false
    }

    private func stringList(_ object: JSONObject, _ name: String, _ validation: inout RequestValidation) -> [String] {
        guard let value = object[name] else { return [] }
        return validation.strings(value, at: ["body", .string(name)]) ?? []
    }
}
