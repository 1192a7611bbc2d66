/// A key: a tonic pitch class and a mode (major or natural minor).
struct MusicalKey: Sendable, Equatable {
    /// The tonic's pitch class, 0 = C.
    var tonic: Int
    /// Whether the key is minor.
    var isMinor: Bool

    private static let letters: [Character: Int] = ["C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11]
    private static let sharpNames = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
    private static let flatNames = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"]

    /// Parses `Am`, `A minor`, `C#m`, `Bb`, `Ebm`, `F# major`, `Dmin`, `G`; nil for anything else.
    init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        guard let first = trimmed.first.map({ Character($0.uppercased()) }), let base = Self.letters[first] else {
            return nil
        }
        var rest = trimmed.dropFirst()
        var tonic = base
        if let accidental = rest.first, accidental == "#" || accidental == "♯" {
            tonic += 1
            rest = rest.dropFirst()
        } else if let accidental = rest.first, accidental == "b" || accidental == "♭" {
            tonic -= 1
            rest = rest.dropFirst()
        }
        let mode = rest.trimmingPrefix(while: { $0 == " " || $0 == "-" }).lowercased()
        switch mode {
        case "", "maj", "major", "ionian": isMinor = false
        case "m", "min", "minor", "aeolian", "-": isMinor = true
        default:
            if mode.hasPrefix("min") || mode == "m7" {
                isMinor = true
            } else if mode.hasPrefix("maj") {
                isMinor = false
            } else {
                return nil
            }
        }
        self.tonic = (tonic + 12) % 12
    }

    init(tonic: Int, isMinor: Bool) {
        self.tonic = (tonic % 12 + 12) % 12
        self.isMinor = isMinor
    }

    /// The name as prompts write it: `Am`, `Eb`, `F#m`.
    var name: String {
        let names = [1, 3, 8, 10].contains(tonic) && !isMinor ? Self.flatNames : Self.sharpNames
        var root = names[tonic]
        if isMinor && [3, 10].contains(tonic) { root = Self.flatNames[tonic] }
        return root + (isMinor ? "m" : "")
    }

    /// Semitone offsets of the scale degrees from the tonic.
    var scale: [Int] { isMinor ? [0, 2, 3, 5, 7, 8, 10] : [0, 2, 4, 5, 7, 9, 11] }

    /// The pitch class of a scale degree (0-based, any integer).
    func pitchClass(degree: Int) -> Int {
        let octave = degree >= 0 ? degree / 7 : (degree - 6) / 7
        let step = degree - octave * 7
        return (tonic + scale[step]) % 12
    }

    /// The MIDI pitch of scale degree `degree` counted from the tonic at or above `floor`.
    func pitch(degree: Int, above floor: Int) -> Int {
        let octave = degree >= 0 ? degree / 7 : (degree - 6) / 7
        let step = degree - octave * 7
        var base = floor - ((floor - tonic) % 12 + 12) % 12
        if base < floor { base += 12 }
        return base + octave * 12 + scale[step]
    }

    /// The number of sharps (negative: flats) of the key signature, as SMF writes it.
    var sharps: Int {
        let majorTonic = isMinor ? (tonic + 3) % 12 : tonic
        let table = [0, -5, 2, -3, 4, -1, 6, 1, -4, 3, -2, 5]
        return table[majorTonic]
    }

    /// Whether `pitch` belongs to the scale.
    func contains(_ pitch: Int) -> Bool {
        scale.contains(((pitch - tonic) % 12 + 12) % 12)
    }
}

/// The broad family of a style, which decides grooves, swing and harmony.
enum StyleFamily: String, Sendable, CaseIterable {
    case boomBap, lofi, trap, house, techno, rock, pop, funk, jazz, reggae, drumAndBass, ambient, bossa, afrobeat
    case rnb, cinematic, synthwave, gospel

    /// The family a free-text style belongs to, by keyword; pop when nothing matches.
    init(style: String) {
        let text = style.lowercased()
        let table: [(StyleFamily, [String])] = [
            (.lofi, ["lofi", "lo-fi", "lo fi", "chillhop"]),
            (.boomBap, ["boom bap", "boom-bap", "boombap", "hip hop", "hip-hop", "hiphop", "old school"]),
            (.trap, ["trap", "drill", "phonk"]),
            (.drumAndBass, ["drum and bass", "drum & bass", "dnb", "d&b", "jungle", "liquid"]),
            (.house, ["house", "disco", "garage", "dance"]),
            (.techno, ["techno", "trance", "industrial", "minimal"]),
            (.rock, ["rock", "punk", "metal", "grunge", "indie"]),
            (.funk, ["funk", "boogie"]),
            (.jazz, ["jazz", "swing", "bebop", "bop", "big band"]),
            (.reggae, ["reggae", "dub", "ska", "dancehall"]),
            (.ambient, ["ambient", "drone", "new age", "meditation"]),
            (.bossa, ["bossa", "samba", "latin", "salsa"]),
            (.afrobeat, ["afro", "amapiano", "highlife"]),
            (.rnb, ["r&b", "rnb", "neo soul", "neo-soul", "soul"]),
            (.cinematic, ["cinematic", "orchestral", "film", "epic", "score"]),
            (.synthwave, ["synthwave", "retrowave", "80s", "outrun", "synth pop", "synthpop"]),
            (.gospel, ["gospel", "church"]),
            (.pop, ["pop"]),
        ]
        for (family, words) in table where words.contains(where: { text.contains($0) }) {
            self = family
            return
        }
        self = .pop
    }

    /// How far offbeat eighths are delayed, in 1/80 beat units (0 = straight).
    var swingUnits: Int {
        switch self {
        case .boomBap: 7
        case .lofi: 8
        case .jazz: 13
        case .rnb, .reggae, .gospel: 6
        case .bossa, .afrobeat: 2
        default: 0
        }
    }

    /// Whether chords use sevenths.
    var usesSevenths: Bool {
        [.lofi, .jazz, .rnb, .bossa, .gospel, .house].contains(self)
    }

    /// Chord progressions as 0-based scale degrees, one chord per bar.
    func progressions(minor: Bool) -> [[Int]] {
        switch self {
        case .jazz: return minor ? [[1, 4, 0, 0], [0, 3, 1, 4]] : [[1, 4, 0, 5], [0, 5, 1, 4]]
        case .lofi, .rnb:
            return minor ? [[0, 3, 6, 2], [3, 4, 0, 0], [0, 5, 3, 4]] : [[1, 4, 0, 3], [3, 2, 1, 0]]
        case .trap, .techno, .drumAndBass:
            return minor ? [[0, 0, 5, 4], [0, 5, 0, 6]] : [[5, 5, 3, 4], [0, 0, 3, 4]]
        case .ambient, .cinematic: return minor ? [[0, 5, 2, 6], [0, 3, 5, 4]] : [[0, 3, 5, 4], [0, 4, 5, 3]]
        case .reggae: return minor ? [[0, 3, 0, 3], [0, 6, 5, 6]] : [[0, 3, 4, 3], [0, 4, 3, 4]]
        case .gospel: return minor ? [[0, 3, 4, 0]] : [[0, 3, 2, 5], [3, 4, 2, 5]]
        default:
            return minor
                ? [[0, 5, 2, 6], [0, 3, 4, 0], [0, 6, 5, 6], [0, 5, 3, 4]]
                : [[0, 4, 5, 3], [0, 5, 3, 4], [0, 3, 4, 3], [5, 3, 0, 4]]
        }
    }
}

/// General MIDI program families (the labels Storpheus gives non-drum channels).
enum GeneralMIDI {
    /// The family label of a program: `piano`, `bass`, `synth_lead`, ...
    static func family(of program: Int) -> String {
        let families = [
            "piano", "chromatic_perc", "organ", "guitar", "bass", "strings", "ensemble", "brass", "reed", "pipe",
            "synth_lead", "synth_pad", "synth_fx", "ethnic", "percussive", "sfx",
        ]
        return families[min(max(program, 0), 127) / 8]
    }

    /// The instrument name of a program, for `_gmInstrumentName` and track params.
    static func name(of program: Int) -> String {
        let names: [Int: String] = [
            0: "Acoustic Grand Piano", 4: "Electric Piano 1", 5: "Electric Piano 2", 11: "Vibraphone",
            14: "Tubular Bells", 16: "Drawbar Organ", 19: "Church Organ", 24: "Acoustic Guitar (nylon)",
            25: "Acoustic Guitar (steel)", 27: "Electric Guitar (clean)", 29: "Overdriven Guitar",
            30: "Distortion Guitar", 32: "Acoustic Bass", 33: "Electric Bass (finger)", 34: "Electric Bass (pick)",
            35: "Fretless Bass", 38: "Synth Bass 1", 39: "Synth Bass 2", 40: "Violin", 42: "Cello",
            46: "Orchestral Harp", 48: "String Ensemble 1", 49: "String Ensemble 2", 52: "Choir Aahs",
            56: "Trumpet", 61: "Brass Section", 65: "Alto Sax", 66: "Tenor Sax", 71: "Clarinet", 73: "Flute",
            80: "Lead 1 (square)", 81: "Lead 2 (sawtooth)", 88: "Pad 1 (new age)", 89: "Pad 2 (warm)",
            90: "Pad 3 (polysynth)", 95: "Pad 8 (sweep)", 98: "FX 3 (crystal)", 108: "Kalimba",
        ]
        return names[program] ?? "GM Program \(program)"
    }
}
