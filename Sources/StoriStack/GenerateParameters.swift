import JSON

/// A validated Storpheus `POST /generate` request (service-contracts.md §4.2).
struct GenerateParameters: Sendable, Equatable {
    var genre = "boom_bap"
    var tempo = 90
    var instruments = ["drums", "bass"]
    var bars = 4
    var key: String?
    var qualityPreset = "balanced"
    var unifiedOutput = false
    var addOutro = false
    var seed: Int?
    var compositionID: String?
    var traceID: String?
    var intentHash: String?
    var temperature: Double?
    var topP: Double?
    /// `energy, valence, tension, intimacy, motion`, when given.
    var emotion: [Double]?
    /// The names of `intent_goals`.
    var goalNames: [String] = []

    /// The cache key: the canonical request (lower-cased trimmed genre, tempo, key, sorted instruments, bars, goal
    /// names, emotion axes quantised to 0.2, preset) hashed. The real service uses MD5 over the same fields; the
    /// simulator uses SHA-256, which nobody outside can tell apart.
    var cacheKey: String {
        let emotionText =
            emotion.map { axes in
                axes.map { String(Int(saturating: ($0 / 0.2).rounded())) }.joined(separator: ",")
            } ?? "-"
        let parts = [
            genre.trimmingWhitespace().lowercased(), String(tempo), key ?? "-",
            instruments.map { $0.lowercased() }.sorted().joined(separator: ","), String(bars),
            goalNames.sorted().joined(separator: ","), emotionText, qualityPreset,
        ]
        return Determinism.digest(Array(parts.joined(separator: "|").utf8))
    }

    /// The section the request is for: its first goal name when that names one, else `full`.
    var sectionName: String {
        goalNames.first ?? "full"
    }

    /// Validates a request body like pydantic: unknown keys are ignored, wrong types give 422 errors.
    static func validate(_ body: DecodedBody) -> (GenerateParameters?, RequestValidation) {
        var validation = RequestValidation()
        guard let object = body.object(&validation) else { return (nil, validation) }
        var parameters = GenerateParameters()
        func field(_ name: String) -> (loc: [JSONValue], value: JSONValue)? {
            guard let value = object[name], value != .null else { return nil }
            return (["body", .string(name)], value)
        }
        func nullable(_ name: String) -> (loc: [JSONValue], value: JSONValue)? {
            field(name)
        }
        if let (loc, value) = field("genre"), let text = validation.string(value, at: loc) { parameters.genre = text }
        if let (loc, value) = field("tempo"), let number = validation.int(value, at: loc) { parameters.tempo = number }
        if let (loc, value) = field("instruments"), let names = validation.strings(value, at: loc) {
            parameters.instruments = names
        }
        if let (loc, value) = field("bars"), let number = validation.int(value, at: loc) { parameters.bars = number }
        if let (loc, value) = nullable("key"), let text = validation.string(value, at: loc) { parameters.key = text }
        if let (loc, value) = field("quality_preset"), let text = validation.string(value, at: loc) {
            parameters.qualityPreset = text
        }
        if let (loc, value) = field("unified_output"), let flag = validation.bool(value, at: loc) {
            parameters.unifiedOutput = flag
        }
        if let (loc, value) = field("add_outro"), let flag = validation.bool(value, at: loc) {
            parameters.addOutro = flag
        }
        if let (loc, value) = nullable("seed"), let number = validation.int(value, at: loc) { parameters.seed = number }
        if let (loc, value) = nullable("composition_id"), let text = validation.string(value, at: loc) {
            parameters.compositionID = text
        }
        if let (loc, value) = nullable("trace_id"), let text = validation.string(value, at: loc) {
            parameters.traceID = text
        }
        if let (loc, value) = nullable("intent_hash"), let text = validation.string(value, at: loc) {
            parameters.intentHash = text
        }
        if let (loc, value) = nullable("temperature"), let number = validation.double(value, at: loc) {
            parameters.temperature = number
        }
        if let (loc, value) = nullable("top_p"), let number = validation.double(value, at: loc) {
            parameters.topP = number
        }
        if let (loc, value) = nullable("emotion_vector"), let vector = validation.model(value, at: loc) {
            var axes: [Double] = []
            for axis in ["energy", "valence", "tension", "intimacy", "motion"] {
                if let axisValue = vector[axis], let number = validation.double(axisValue, at: loc + [.string(axis)]) {
                    axes.append(number)
                } else {
                    axes.append(0.5)
                }
            }
            parameters.emotion = axes
        }
        for name in ["role_profile_summary", "generation_constraints"] {
            if let (loc, value) = nullable(name) { _ = validation.dictionary(value, at: loc) }
        }
        if let (loc, value) = nullable("intent_goals"), let goals = validation.list(value, at: loc) {
            for (index, goal) in goals.enumerated() {
                let goalLoc = loc + [.int(index)]
                guard let goalObject = validation.model(goal, at: goalLoc) else { continue }
                if let found = validation.required(goalObject, ["name"], at: goalLoc),
                    let name = validation.string(found.value, at: found.loc)
                {
                    parameters.goalNames.append(name)
                }
                if let weight = goalObject["weight"] { _ = validation.double(weight, at: goalLoc + ["weight"]) }
                if let kind = goalObject["constraint_type"],
                    let text = validation.string(kind, at: goalLoc + ["constraint_type"]),
                    text != "soft" && text != "hard"
                {
                    validation.fail(
                        "literal_error",
                        goalLoc + ["constraint_type"],
                        "Input should be 'soft' or 'hard'",
                        input: kind,
                        ctx: ["expected": "'soft' or 'hard'"]
                    )
                }
            }
        }
        return (validation.isValid ? parameters : nil, validation)
    }
}
