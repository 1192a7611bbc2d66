import JSON

/// The curated MAESTRO PROMPTs behind `GET /api/v1/maestro/prompts` (service-contracts.md §2.2): varied styles, keys,
/// tempos, one to five roles and lengths, a few with a multi-section `Form`.
enum PromptCatalogue {
    struct Item: Sendable, Equatable {
        var id: String
        var name: String
        var section: String
        var style: String
        var key: String
        var tempo: Int
        var energy: String
        var roles: [String]
        var bars: Int
        var vibe: [String]
        var request: String
        var form: [String] = []

        var title: String { "\(name) · \(key) · \(tempo) BPM" }

        var preview: String {
            "Mode: compose · Section: \(section)\nStyle: \(style) · Key: \(key) · \(tempo) BPM\nRole: \(roles.joined(separator: ", "))"
        }

        var fullPrompt: String {
            var lines = [
                "MAESTRO PROMPT", "Mode: compose", "Section: \(section)", "Style: \(style)", "Key: \(key)",
                "Tempo: \(tempo)", "Energy: \(energy)", "Role: [\(roles.joined(separator: ", "))]", "Constraints:",
                "  bars: \(bars)", "Vibe: [\(vibe.joined(separator: ", "))]",
            ]
            if !form.isEmpty { lines += ["Form:", "  structure: [\(form.joined(separator: ", "))]"] }
            lines += ["Request: |", "  \(request)"]
            return lines.joined(separator: "\n") + "\n"
        }

        var json: JSONValue {
            [
                "id": .string(id), "title": .string(title), "preview": .string(preview),
                "fullPrompt": .string(fullPrompt),
            ]
        }
    }

    static let items: [Item] = [
        Item(
            id: "lofi_boom_bap",
            name: "Lo-fi boom bap",
            section: "verse",
            style: "lofi hip hop",
            key: "Cm",
            tempo: 75,
            energy: "low",
            roles: ["drums", "bass", "piano", "melody"],
            bars: 8,
            vibe: ["dusty x3", "warm", "nostalgic"],
            request: "Laid-back head-nod groove with dusty piano chords and a lazy, sparse melody."
        ),
        Item(
            id: "boom_bap_classic",
            name: "Boom bap classic",
            section: "verse",
            style: "boom bap",
            key: "Am",
            tempo: 90,
            energy: "medium",
            roles: ["drums", "bass"],
            bars: 8,
            vibe: ["gritty x2", "swing"],
            request: "Hard-hitting kick and snare with a swung hat and a bass line that locks to the kick."
        ),
        Item(
            id: "dark_trap",
            name: "Dark trap",
            section: "hook",
            style: "trap",
            key: "F#m",
            tempo: 140,
            energy: "high",
            roles: ["drums", "bass", "pad"],
            bars: 8,
            vibe: ["dark x3", "menacing"],
            request: "Rolling hi-hats, a booming 808 and an ominous pad underneath."
        ),
        Item(
            id: "deep_house",
            name: "Deep house",
            section: "groove",
            style: "deep house",
            key: "Fm",
            tempo: 122,
            energy: "medium",
            roles: ["drums", "bass", "keys"],
            bars: 8,
            vibe: ["late night", "hypnotic x2"],
            request: "Four-on-the-floor groove with offbeat keys stabs and a rubbery bass."
        ),
        Item(
            id: "warehouse_techno",
            name: "Warehouse techno",
            section: "drop",
            style: "techno",
            key: "Am",
            tempo: 128,
            energy: "high",
            roles: ["drums", "bass", "arp"],
            bars: 8,
            vibe: ["driving x3", "industrial"],
            request: "Relentless kick, rolling sixteenth bass and a hypnotic arpeggio."
        ),
        Item(
            id: "indie_rock_drive",
            name: "Indie rock drive",
            section: "chorus",
            style: "indie rock",
            key: "E",
            tempo: 128,
            energy: "high",
            roles: ["drums", "bass", "guitar"],
            bars: 8,
            vibe: ["anthemic", "raw"],
            request: "Driving eighth-note guitars over a straight rock beat and a pumping bass."
        ),
        Item(
            id: "pop_anthem",
            name: "Pop anthem",
            section: "chorus",
            style: "pop",
            key: "C",
            tempo: 118,
            energy: "high",
            roles: ["drums", "bass", "piano", "lead", "pad"],
            bars: 8,
            vibe: ["uplifting x3", "bright"],
            request: "A big singalong chorus with a soaring lead and lush pad."
        ),
        Item(
            id: "funk_strut",
            name: "Funk strut",
            section: "groove",
            style: "funk",
            key: "Em",
            tempo: 104,
            energy: "high",
            roles: ["drums", "bass", "guitar", "brass"],
            bars: 4,
            vibe: ["tight x2", "syncopated"],
            request: "Ghost-note drums, a slapping octave bass, choppy guitar and brass stabs."
        ),
        Item(
            id: "late_night_jazz_trio",
            name: "Late-night jazz trio",
            section: "head",
            style: "jazz",
            key: "Bb",
            tempo: 132,
            energy: "medium",
            roles: ["drums", "bass", "piano"],
            bars: 8,
            vibe: ["smoky", "swing x2"],
            request: "Ride-cymbal swing, a walking bass and comping piano on a ii-V-I."
        ),
        Item(
            id: "roots_reggae",
            name: "Roots reggae",
            section: "verse",
            style: "roots reggae",
            key: "G",
            tempo: 76,
            energy: "low",
            roles: ["drums", "bass", "organ"],
            bars: 8,
            vibe: ["one drop", "warm"],
            request: "One-drop drums, a deep melodic bass and offbeat organ skanks."
        ),
        Item(
            id: "liquid_dnb",
            name: "Liquid drum and bass",
            section: "drop",
            style: "liquid drum and bass",
            key: "Dm",
            tempo: 174,
            energy: "high",
            roles: ["drums", "bass", "pad"],
            bars: 8,
            vibe: ["rolling x2", "airy"],
            request: "Two-step breakbeat, long sub notes and a floating pad."
        ),
        Item(
            id: "ambient_drift",
            name: "Ambient drift",
            section: "intro",
            style: "ambient",
            key: "D",
            tempo: 70,
            energy: "low",
            roles: ["pad"],
            bars: 8,
            vibe: ["spacious x3", "calm"],
            request: "Slow-moving pad chords that breathe and overlap."
        ),
        Item(
            id: "bossa_evening",
            name: "Bossa evening",
            section: "verse",
            style: "bossa nova",
            key: "Dm",
            tempo: 120,
            energy: "low",
            roles: ["drums", "bass", "guitar", "flute"],
            bars: 8,
            vibe: ["breezy", "intimate"],
            request: "Cross-stick clave, nylon guitar comping and a gentle flute line."
        ),
        Item(
            id: "afrobeat_sunrise",
            name: "Afrobeat sunrise",
            section: "groove",
            style: "afrobeat",
            key: "G",
            tempo: 110,
            energy: "high",
            roles: ["drums", "bass", "guitar", "horns"],
            bars: 4,
            vibe: ["joyful x2", "polyrhythmic"],
            request: "Interlocking percussion, a cyclical bass and horn riffs."
        ),
        Item(
            id: "neo_soul_keys",
            name: "Neo-soul keys",
            section: "verse",
            style: "neo soul",
            key: "Eb",
            tempo: 86,
            energy: "medium",
            roles: ["drums", "bass", "rhodes"],
            bars: 8,
            vibe: ["silky", "behind the beat"],
            request: "Laid-back drums, a lazy fretless bass and rich seventh chords on Rhodes."
        ),
        Item(
            id: "cinematic_rise",
            name: "Cinematic rise",
            section: "build",
            style: "cinematic orchestral",
            key: "Cm",
            tempo: 96,
            energy: "rising",
            roles: ["strings", "brass", "drums"],
            bars: 8,
            vibe: ["epic x2", "tense"],
            request: "Swelling strings, brass calls and thunderous toms building tension."
        ),
        Item(
            id: "synthwave_night_drive",
            name: "Synthwave night drive",
            section: "chorus",
            style: "synthwave",
            key: "Am",
            tempo: 108,
            energy: "high",
            roles: ["drums", "bass", "arp", "lead", "pad"],
            bars: 8,
            vibe: ["neon x3", "nostalgic"],
            request: "Gated drums, pulsing octave bass, a bright arp and a singing lead."
        ),
        Item(
            id: "gospel_praise",
            name: "Gospel praise",
            section: "chorus",
            style: "gospel",
            key: "Ab",
            tempo: 84,
            energy: "high",
            roles: ["drums", "bass", "organ", "piano"],
            bars: 4,
            vibe: ["uplifting", "churchy x2"],
            request: "Shouting organ, big piano voicings and a bass that walks between chords."
        ),
        Item(
            id: "solo_bass_groove",
            name: "Solo bass groove",
            section: "verse",
            style: "funk",
            key: "A",
            tempo: 100,
            energy: "medium",
            roles: ["bass"],
            bars: 4,
            vibe: ["pocket"],
            request: "A syncopated bass riff that works on its own."
        ),
        Item(
            id: "breakbeat_drums",
            name: "Breakbeat drums",
            section: "intro",
            style: "boom bap",
            key: "Dm",
            tempo: 94,
            energy: "medium",
            roles: ["drums"],
            bars: 4,
            vibe: ["crunchy x2"],
            request: "A dusty breakbeat with a fill at the end of the phrase."
        ),
        Item(
            id: "melody_sketch",
            name: "Melody sketch",
            section: "hook",
            style: "pop",
            key: "G",
            tempo: 96,
            energy: "medium",
            roles: ["melody"],
            bars: 4,
            vibe: ["catchy x2"],
            request: "A short, memorable hook melody that resolves home."
        ),
        Item(
            id: "chillhop_study",
            name: "Chillhop study session",
            section: "verse",
            style: "chillhop",
            key: "F",
            tempo: 82,
            energy: "low",
            roles: ["drums", "bass", "keys", "melody"],
            bars: 8,
            vibe: ["cozy x2", "rainy"],
            request: "Soft swung drums, warm keys and a relaxed melody for studying."
        ),
        Item(
            id: "uk_drill",
            name: "UK drill",
            section: "verse",
            style: "uk drill",
            key: "C#m",
            tempo: 142,
            energy: "high",
            roles: ["drums", "bass", "bells"],
            bars: 8,
            vibe: ["cold x2", "sliding"],
            request: "Skippy hats, sliding 808 and an eerie bell melody."
        ),
        Item(
            id: "disco_house",
            name: "Disco house",
            section: "groove",
            style: "disco house",
            key: "Gm",
            tempo: 124,
            energy: "high",
            roles: ["drums", "bass", "keys", "strings"],
            bars: 8,
            vibe: ["funky x2", "glitter"],
            request: "Filtered disco energy: octave bass, stabby keys and string swells."
        ),
        Item(
            id: "punk_rush",
            name: "Punk rush",
            section: "chorus",
            style: "punk rock",
            key: "D",
            tempo: 170,
            energy: "very high",
            roles: ["drums", "bass", "guitar"],
            bars: 4,
            vibe: ["loud x3", "fast"],
            request: "Breakneck drums, downpicked bass and distorted power chords."
        ),
        Item(
            id: "kalimba_lofi",
            name: "Kalimba lo-fi",
            section: "verse",
            style: "lofi",
            key: "Em",
            tempo: 80,
            energy: "low",
            roles: ["kalimba", "drums"],
            bars: 4,
            vibe: ["gentle", "tape hiss"],
            request: "A plucky kalimba figure over soft lo-fi drums."
        ),
        Item(
            id: "pop_song_form",
            name: "Pop song form",
            section: "full",
            style: "pop",
            key: "F",
            tempo: 100,
            energy: "medium",
            roles: ["drums", "bass", "piano"],
            bars: 4,
            vibe: ["radio-ready"],
            request: "A short song: quiet intro, a verse, then a lifted chorus.",
            form: ["intro", "verse", "chorus"]
        ),
        Item(
            id: "jazz_waltz_ballad",
            name: "Jazz ballad",
            section: "head",
            style: "jazz ballad",
            key: "Db",
            tempo: 68,
            energy: "low",
            roles: ["piano", "bass", "sax"],
            bars: 8,
            vibe: ["tender x2", "smoky"],
            request: "Brushed intimacy: lush piano voicings, a walking bass and a breathy sax line."
        ),
    ]

    /// Four items sampled without replacement. The real service samples at random on every call; the simulator
    /// draws from the seed and the request target, so a given seed and URL always answer the same (add any query
    /// parameter, which the real route ignores, to get another sample).
    static func sample(determinism: Determinism, target: String, count: Int = 4) -> [Item] {
        var random = determinism.generator("prompts", target)
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
