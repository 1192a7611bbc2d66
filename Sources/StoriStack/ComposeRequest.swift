import JSON

/// A validated `POST /api/v1/maestro/stream` body (service-contracts.md §3.1); camelCase and snake_case names accepted.
struct ComposeRequest: Sendable {
    /// The prompt with control and invisible characters removed.
    var prompt: String
    var project: ProjectSnapshot?
    var conversationID: String?
    var qualityPreset: String?
    var storePrompt: Bool
    var model: String?

    /// The working-tree key: `project.id`, else `conversationId`, else `"default"`.
    var storeKey: String { project?.id ?? conversationID ?? "default" }

    static let conversationPattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

    /// Validates like pydantic; a project snapshot that fails its own validation becomes nil without an error.
    static func validate(_ body: DecodedBody, maxPromptLength: Int = 32768) -> (ComposeRequest?, RequestValidation) {
        var validation = RequestValidation()
        guard let object = body.object(&validation) else { return (nil, validation) }
        var prompt: String?
        if let found = validation.required(object, ["prompt"], at: ["body"]),
            let text = validation.string(found.value, at: found.loc)
        {
            let length = text.count
            if length < 1 {
                validation.fail(
                    "string_too_short",
                    found.loc,
                    "String should have at least 1 character",
                    input: found.value,
                    ctx: ["min_length": 1]
                )
            } else if length > maxPromptLength {
                validation.fail(
                    "string_too_long",
                    found.loc,
                    "String should have at most \(maxPromptLength) characters",
                    input: found.value,
                    ctx: ["max_length": .int(maxPromptLength)]
                )
            } else if text.unicodeScalars.contains("\u{0}") {
                validation.fail(
                    "value_error",
                    found.loc,
                    "Value error, Prompt must not contain null bytes",
                    input: found.value,
                    ctx: ["error": [:]]
                )
            } else {
                prompt = sanitize(text)
            }
        }
        if let found = RequestValidation.member(object, ["mode"]), found.value != .null {
            _ = validation.string(found.value, at: ["body", .string(found.name)])
        }
        var conversationID: String?
        if let found = RequestValidation.member(object, ["conversationId", "conversation_id"]), found.value != .null {
            let loc: [JSONValue] = ["body", .string(found.name)]
            if let text = validation.string(found.value, at: loc) {
                if isLowercaseUUID(text) {
                    conversationID = text
                } else {
                    validation.fail(
                        "string_pattern_mismatch",
                        loc,
                        "String should match pattern '\(conversationPattern)'",
                        input: found.value,
                        ctx: ["pattern": .string(conversationPattern)]
                    )
                }
            }
        }
        var preset: String?
        if let found = RequestValidation.member(object, ["qualityPreset", "quality_preset"]), found.value != .null {
            let loc: [JSONValue] = ["body", .string(found.name)]
            if case .string(let text) = found.value, ["fast", "balanced", "quality"].contains(text) {
                preset = text
            } else {
                validation.fail(
                    "literal_error",
                    loc,
                    "Input should be 'fast', 'balanced' or 'quality'",
                    input: found.value,
                    ctx: ["expected": "'fast', 'balanced' or 'quality'"]
                )
            }
        }
        var storePrompt = true
        if let found = RequestValidation.member(object, ["storePrompt", "store_prompt"]) {
            if let flag = validation.bool(found.value, at: ["body", .string(found.name)]) { storePrompt = flag }
        }
        var model: String?
        if let found = RequestValidation.member(object, ["model"]), found.value != .null {
            model = validation.string(found.value, at: ["body", "model"])
        }
        let project = object["project"].flatMap(ProjectSnapshot.init(json:))
        guard validation.isValid, let prompt else { return (nil, validation) }
        return (
            ComposeRequest(
                prompt: prompt,
                project: project,
                conversationID: conversationID,
                qualityPreset: preset,
                storePrompt: storePrompt,
                model: model
            ),
            validation
        )
    }

    /// Removes C0/C1 controls other than tab and line breaks, and zero-width or bidi formatting characters.
    static func sanitize(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r" { continue }
            if (0x7F...0x9F).contains(value) { continue }
            if (0x200B...0x200F).contains(value) || (0x202A...0x202E).contains(value)
                || (0x2060...0x2064).contains(value)
                || value == 0xFEFF
            {
                continue
            }
            scalars.append(scalar)
        }
        return String(scalars)
    }

    static func isLowercaseUUID(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == 36 else { return false }
        for (index, byte) in utf8.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                if byte != UInt8(ascii: "-") { return false }
            } else if !((UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte))
            {
                return false
            }
        }
        return true
    }
}

/// The DAW project a client sends with a compose request; only what the simulator uses is kept.
struct ProjectSnapshot: Sendable, Equatable {
    struct Track: Sendable, Equatable {
        var id: String
        var name: String?
        var isDrums: Bool
        var regions: [Region]
    }

    struct Region: Sendable, Equatable {
        var id: String
        var name: String?
        var startBeat: Double
        var durationBeats: Double
        var notes: [TreeNote]
    }

    var id: String
    var tempo: Int?
    var key: String?
    var tracks: [Track]

    /// Parses and validates a snapshot; nil when anything violates the schema (Maestro then drops it silently).
    init?(json: JSONValue) {
        guard case .object(let object) = json, case .string(let id)? = object["id"] else { return nil }
        self.id = id
        if let tempo = object["tempo"], tempo != .null {
            guard let number = tempo.doubleValue, (20...300).contains(number) else { return nil }
            self.tempo = Int(number.rounded())
        }
        if let key = object["key"], key != .null {
            guard case .string(let text) = key else { return nil }
            self.key = text
        }
        var tracks: [Track] = []
        if let list = object["tracks"], list != .null {
            guard case .array(let items) = list else { return nil }
            for item in items {
                guard let track = Self.track(item) else { return nil }
                tracks.append(track)
            }
        }
        self.tracks = tracks
    }

    private static func optionalNumber(_ object: JSONObject, _ name: String, _ range: ClosedRange<Double>) -> Bool {
        guard let value = object[name], value != .null else { return true }
        guard let number = value.doubleValue else { return false }
        return range.contains(number)
    }

    private static func track(_ json: JSONValue) -> Track? {
        guard case .object(let object) = json, case .string(let id)? = object["id"] else { return nil }
        if let program = object["gmProgram"], program != .null {
            guard let number = program.intValue, (0...127).contains(number), program.doubleValue != nil else {
                return nil
            }
        }
        guard optionalNumber(object, "volume", 0...1.5), optionalNumber(object, "pan", 0...1) else { return nil }
        for flag in ["isDrums", "muted", "solo"] {
            if let value = object[flag], value != .null, value.boolValue == nil { return nil }
        }
        if let name = object["name"], name != .null, name.stringValue == nil { return nil }
        var regions: [Region] = []
        if let list = object["regions"], list != .null {
            guard case .array(let items) = list else { return nil }
            for item in items {
                guard case .object(let region) = item, case .string(let regionID)? = region["id"] else { return nil }
                let start = region["startBeat"]?.doubleValue ?? 0
                let duration = region["durationBeats"]?.doubleValue ?? 16
                guard start >= 0, duration > 0 else { return nil }
                var notes: [TreeNote] = []
                if let noteList = region["notes"], noteList != .null {
                    guard case .array(let noteItems) = noteList else { return nil }
                    for noteItem in noteItems {
                        guard case .object(let note) = noteItem else { return nil }
                        let pitch = note["pitch"]?.intValue ?? 60
                        let velocity = note["velocity"]?.intValue ?? 100
                        let channel = note["channel"]?.intValue ?? 0
                        let noteStart = note["startBeat"]?.doubleValue ?? 0
                        let noteDuration = note["durationBeats"]?.doubleValue ?? 1
                        guard (0...127).contains(pitch), (0...127).contains(velocity), (0...15).contains(channel),
                            noteStart >= 0, noteDuration > 0
                        else { return nil }
                        notes.append(
                            TreeNote(
                                pitch: pitch,
                                startBeat: noteStart,
                                durationBeats: noteDuration,
                                velocity: velocity,
                                channel: channel
                            )
                        )
                    }
                }
                regions.append(
                    Region(
                        id: regionID,
                        name: region["name"]?.stringValue,
                        startBeat: start,
                        durationBeats: duration,
                        notes: notes
                    )
                )
            }
        }
        return Track(
            id: id,
            name: object["name"]?.stringValue,
            isDrums: object["isDrums"]?.boolValue ?? false,
            regions: regions
        )
    }

    /// The snapshot's notes per region.
    var regionMap: RegionMap {
        var map: RegionMap = [:]
        for track in tracks {
            for region in track.regions { map[region.id, default: RegionContent()].notes += region.notes }
        }
        return map
    }
}
