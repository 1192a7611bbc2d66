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

    /// Only the top-level fields are a model (`SaveVariationRequest`); each phrase is a plain dictionary that the
    /// handler reads leniently (see ``musePhrase(_:)``), so phrase contents never cause a 422.
    private func saveVariation(_ body: DecodedBody) async -> HTTPServerResponse {
        var validation = RequestValidation()
        guard let object = body.object(&validation) else { return Reply.unprocessable(validation) }
        // Fields in the model's order, which is the order of pydantic's errors.
        let project = requiredString(object, "project_id", &validation)
        let id = requiredString(object, "variation_id", &validation)
        let intent = requiredString(object, "intent", &validation)
        let conversation = optionalString(object, "conversation_id", default: "default", &validation)
        let parent = nullableString(object, "parent_variation_id", &validation)
        let parent2 = nullableString(object, "parent2_variation_id", &validation)
        var phraseObjects: [JSONObject] = []
        if let value = object["phrases"], let items = validation.list(value, at: ["body", "phrases"]) {
            phraseObjects = items.enumerated().compactMap {
                validation.dictionary($1, at: ["body", "phrases", .int($0)])
            }
        }
        let tracks = stringList(object, "affected_tracks", &validation)
        let regions = stringList(object, "affected_regions", &validation)
        var beatRange: [Double] = [0, 8]
        if let value = object["beat_range"], let pair = validation.floatPair(value, at: ["body", "beat_range"]) {
            beatRange = pair
        }
        guard validation.isValid, let project, let id, let intent, let conversation else {
            return Reply.unprocessable(validation)
        }
        // What the handler's models or the database reject with an unhandled exception: a bare 500.
        let phrases: [MusePhrase]
        do {
            phrases = try phraseObjects.map(Self.musePhrase)
        } catch {
            return Reply.internalServerError
        }
        let narrowColumns =
            [project, id, conversation] + [parent, parent2].compactMap { $0 }
            + phrases.flatMap { [$0.id, $0.trackID, $0.regionID] }
        guard narrowColumns.allSatisfy({ Self.fits($0, width: 36) }),
            phrases.allSatisfy({ Self.fits($0.label, width: 255) })
        else { return Reply.internalServerError }
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
            phrases: phrases,
            timestamp: 0
        )
        do {
            try await store.save(variation)
        } catch {
            return Reply.internalServerError
        }
        return Reply.json(200, ["variation_id": .string(id)])
    }

    /// Whether `text` fits a Postgres `VARCHAR(width)`, which counts code points. The ids, `conversation_id`,
    /// `track_id` and `region_id` are `VARCHAR(36)`, a phrase `label` `VARCHAR(255)`; a longer value fails the
    /// insert with a 500. (SQLite, which the recorded server ran on, does not check: it stored them.)
    private static func fits(_ text: String, width: Int) -> Bool {
        text.unicodeScalars.count <= width
    }

    /// A phrase the real handler could not build: one of its models or `int()` raised.
    private struct PhraseRejected: Error {}

    /// A phrase read as the real handler reads it: `phrase_id`, `track_id`, `region_id` and `label` through
    /// `str()` (defaults `""`, `""`, `""`, `"Muse"`); `start_beat`/`end_beat` when numbers (else 0 and 8);
    /// non-list `note_changes`, `cc_events`, `pitch_bends`, `aftertouch` and `tags` as empty, their non-object
    /// items (non-string tags) skipped; controller fields through `jint`/`jfloat` (a missing `cc` is 0, a
    /// fractional value truncates); `before`/`after` only when objects, validated as `MidiNoteSnapshot`.
    /// Throws where the real phrase or note-change model rejects the result.
    private static func musePhrase(_ object: JSONObject) throws(PhraseRejected) -> MusePhrase {
        func list(_ name: String) -> [JSONObject] {
            (object[name]?.arrayValue ?? []).compactMap(\.objectValue)
        }
        func integer(_ value: JSONValue?, default fallback: Int) throws(PhraseRejected) -> Int {
            guard let number = (value ?? .null).pythonJInt(default: fallback) else { throw PhraseRejected() }
            return number
        }
        func number(_ value: JSONValue?, default fallback: Double) -> Double {
            (value ?? .null).pythonJFloat(default: fallback)
        }
        var changes: [NoteChange] = []
        for change in list("note_changes") {
            let kind: NoteChange.Kind =
                switch change["change_type"]?.pythonStr ?? "" {
                case "added": .added
                case "removed": .removed
                default: .modified
                }
            let before = try snapshot(change["before"])
            let after = try snapshot(change["after"])
            switch kind {
            case .added: guard before == nil else { throw PhraseRejected() }
            case .removed: guard after == nil else { throw PhraseRejected() }
            case .modified: guard before != nil, after != nil else { throw PhraseRejected() }
            }
            changes.append(NoteChange(kind: kind, before: before, after: after))
        }
        var cc: [CCEvent] = []
        for event in list("cc_events") {
            cc.append(
                CCEvent(
                    cc: try integer(event["cc"], default: 0),
                    beat: number(event["beat"], default: 0),
                    value: try integer(event["value"], default: 0)
                )
            )
        }
        var bends: [PitchBendEvent] = []
        for event in list("pitch_bends") {
            bends.append(
                PitchBendEvent(beat: number(event["beat"], default: 0), value: try integer(event["value"], default: 0))
            )
        }
        var touch: [AftertouchEvent] = []
        for event in list("aftertouch") {
            // `pitch` is kept whenever the key is there, `null` included (as 0).
            let pitch: Int? = event["pitch"] == nil ? nil : try integer(event["pitch"], default: 0)
            touch.append(
                AftertouchEvent(
                    beat: number(event["beat"], default: 0),
                    value: try integer(event["value"], default: 0),
                    pitch: pitch
                )
            )
        }
        let start = number(object["start_beat"], default: 0)
        let end = number(object["end_beat"], default: 8)
        guard start >= 0, end > 0 else { throw PhraseRejected() }
        return MusePhrase(
            id: object["phrase_id"]?.pythonStr ?? "",
            trackID: object["track_id"]?.pythonStr ?? "",
            regionID: object["region_id"]?.pythonStr ?? "",
            startBeat: start,
            endBeat: end,
            label: object["label"]?.pythonStr ?? "Muse",
            tags: (object["tags"]?.arrayValue ?? []).compactMap(\.stringValue),
            noteChanges: changes,
            cc: cc,
            pitchBends: bends,
            aftertouch: touch
        )
    }

    /// The note of a change side: nil unless an object; a note it does not describe throws.
    private static func snapshot(_ value: JSONValue?) throws(PhraseRejected) -> TreeNote? {
        guard let object = value?.objectValue else { return nil }
        guard let note = note(object) else { throw PhraseRejected() }
        return note
    }

    /// A note snapshot as `MidiNoteSnapshot` validates it: camelCase or snake_case keys (camelCase wins when both
    /// are there), pydantic's lax numbers (`"60"` is 60, `60.5` is not an integer), velocity 0...127 (default
    /// 100), channel 0...15 (default 0), pitch 0...127, start >= 0, duration > 0; nil when anything fails.
    static func note(_ object: JSONObject) -> TreeNote? {
        var lax = RequestValidation()
        func value(_ names: [String]) -> JSONValue? { RequestValidation.member(object, names)?.value }
        let pitch = value(["pitch"]).flatMap { lax.int($0, at: []) }
        let start = value(["startBeat", "start_beat"]).flatMap { lax.double($0, at: []) }
        let duration = value(["durationBeats", "duration_beats"]).flatMap { lax.double($0, at: []) }
        let velocity: Int? = value(["velocity"]).map { lax.int($0, at: []) } ?? 100
        let channel: Int? = value(["channel"]).map { lax.int($0, at: []) } ?? 0
        guard let pitch, let start, let duration, let velocity, let channel, (0...127).contains(pitch),
            (0...127).contains(velocity), (0...15).contains(channel), start >= 0, duration > 0
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
