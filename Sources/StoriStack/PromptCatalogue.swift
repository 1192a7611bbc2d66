import JSON

/// The curated MAESTRO PROMPTs behind `GET /api/v1/maestro/prompts` (service-contracts.md §2.2).
///
/// Like the real catalogue it holds 51 prompts of about 7.5 kB each: the routing header (varied styles, keys, tempos,
/// one to five roles, a few with a multi-section `Form`), a request written for that prompt, and long extension
/// blocks (Harmony, Melody, Rhythm, Dynamics, Orchestration, Effects, Expression, Texture, Form, Humanization,
/// MidiExpressiveness, Automation) built from the prompt's own data and the phrase banks of
/// `PromptCatalogue+Brief.swift`. The entries live in `PromptCatalogue+Entries.swift`.
enum PromptCatalogue {
    /// One catalogue prompt: its routing header, its request and the musical details its extension blocks expand.
    struct Item: Sendable, Equatable {
        /// The stable slug the item route serves it under.
        var id: String
        var name: String
        var section: String
        var style: String
        var key: String
        var tempo: Int
        var energy: String
        var roles: [String]
        /// Bars per section (`Constraints.bars`).
        var bars: Int
        var vibe: [String]
        /// The request paragraph, one line; the prompt wraps it.
        var request: String
        /// The scale the melody keeps to, e.g. `C dorian`.
        var scale: String
        /// One pass of the chord progression.
        var progression: [String]
        /// How the groove feels, one line.
        var feel: String
        /// The swing, as the percentage of the beat the first of two eighths takes (50 = straight).
        var swing: Int
        /// The references and colour the brief is after, one line.
        var character: String
        /// Section names for `Form.structure`; empty for a single-section prompt.
        var form: [String] = []

        var title: String { "\(name) · \(key) · \(tempo) BPM" }

        var preview: String {
            "Mode: compose · Section: \(section)\nStyle: \(style) · Key: \(key) · \(tempo) BPM\nRole: \(roles.joined(separator: ", "))"
        }

        /// The complete MAESTRO PROMPT (header, request, extension blocks).
        var fullPrompt: String { PromptBrief(item: self).text }

        var json: JSONValue {
            [
                "id": .string(id), "title": .string(title), "preview": .string(preview),
                "fullPrompt": .string(fullPrompt),
            ]
        }
    }

    /// How many items one call returns, as on the real service.
    static let sampleSize = 4

    /// The item with this id, if any.
    static func item(id: String) -> Item? {
        items.first { $0.id == id }
    }

    /// `count` items sampled without replacement. The real service draws a fresh random sample on every call; the
    /// simulator draws the `call`-th sample of a sequence fixed by the stack's seed and `caller`, so the same seed and
    /// the same calls give the same samples, and successive calls differ.
    static func sample(determinism: Determinism, caller: String, call: Int, count: Int = sampleSize) -> [Item] {
        var random = determinism.generator("prompts", caller, String(call))
        return Array(items.shuffled(using: &random).prefix(count))
    }

    /// Placeholder texts for the prompt box.
    static let placeholders = [
        "Compose a dusty lo-fi groove in C minor at 75 BPM",
        "Add a walking bass under the piano",
        "Make the chorus lift: brighter chords, busier drums",
        "Write an 8-bar synthwave hook with arps",
        "Tighten the bass groove and add subtle syncopation",
    ]
}
