/// How the simulator plays a `Role:` entry: what part it writes, on which General MIDI program, and how Maestro
/// names and decorates its track.
struct RoleProfile: Sendable, Equatable {
    /// The kind of part.
    enum Part: Sendable, Equatable {
        case drums, bass, chords, pad, melody, arpeggio
    }

    /// The role as the prompt wrote it, lowercased and trimmed (`bass`, `keys`, `lead synth`).
    var role: String
    /// The part it writes.
    var part: Part
    /// The General MIDI program, nil for drums.
    var program: Int?

    /// Whether it plays on the percussion channel.
    var isDrums: Bool { part == .drums }

    /// The track name Maestro gives it: the role with each word capitalised.
    var trackName: String {
        role.split(separator: " ").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }

    /// The SF Symbol Maestro puts on the track.
    var icon: String {
        switch part {
        case .drums: "music.quarternote.3"
        case .bass: "guitars"
        case .chords: role.contains("guitar") ? "guitars" : "pianokeys"
        case .pad: "waveform"
        case .melody: "music.note"
        case .arpeggio: "waveform.path"
        }
    }

    /// Works out the part and program of `role` in a style family.
    init(role rawRole: String, family: StyleFamily) {
        let role = rawRole.trimmingWhitespace().lowercased()
        self.role = role
        func has(_ words: [String]) -> Bool { words.contains { role.contains($0) } }
        if has(["drum", "percussion", "beat", "kit", "groove"]) {
            part = .drums
            program = nil
        } else if has(["bass", "808", "sub"]) {
            part = .bass
            program =
                switch family {
                case .trap, .house, .synthwave, .drumAndBass: 38
                case .techno: 39
                case .jazz, .bossa: 32
                case .rock: 34
                case .rnb, .lofi: 35
                default: 33
                }
        } else if has(["arp"]) {
            // A crystal-like FX patch: its own GM family, so it never shares a Storpheus label with a lead.
            part = .arpeggio
            program = 98
        } else if has(["pad", "atmosphere", "drone", "texture"]) {
            part = .pad
            program = family == .ambient ? 88 : 89
        } else if has(["string", "violin", "cello", "orchestra"]) {
            part = role.contains("violin") ? .melody : .pad
            program = role.contains("violin") ? 40 : (role.contains("cello") ? 42 : 48)
        } else if has(["choir", "vox", "voices"]) {
            part = .pad
            program = 52
        } else if has(["organ"]) {
            part = .chords
            program = family == .gospel ? 19 : 16
        } else if has(["guitar"]) {
            part = .chords
            program =
                switch family {
                case .rock: 29
                case .bossa: 24
                case .funk, .reggae, .afrobeat: 27
                default: 25
                }
        } else if has(["rhodes", "epiano", "e-piano", "electric piano", "wurli"]) {
            part = .chords
            program = 4
        } else if has(["piano", "keys", "chord", "comp", "harmony", "synth"]) {
            part = .chords
            program =
                switch family {
                case .lofi, .rnb, .jazz, .house, .gospel: role.contains("piano") ? 0 : 4
                case .synthwave, .techno, .trap: role.contains("piano") ? 0 : 90
                default: 0
                }
        } else if has(["flute"]) {
            part = .melody
            program = 73
        } else if has(["sax"]) {
            part = .melody
            program = 65
        } else if has(["trumpet", "horn", "brass"]) {
            part = .melody
            program = role.contains("trumpet") ? 56 : 61
        } else if has(["bell", "vibe", "mallet", "kalimba", "marimba"]) {
            part = .melody
            program = role.contains("kalimba") ? 108 : 11
        } else {
            // melody, lead, hook, vocal, counter-melody and anything unknown carry a tune.
            part = .melody
            program =
                switch family {
                case .jazz: 65
                case .bossa, .ambient: 73
                case .cinematic: 40
                case .lofi, .rnb: 4
                case .reggae: 56
                default: role.contains("lead") ? 81 : 80
                }
        }
    }
}
