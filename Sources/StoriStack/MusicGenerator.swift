/// One generated note, in beats relative to the start of its region.
struct GeneratedNote: Sendable, Equatable {
    var pitch: Int
    var velocity: Int
    var startBeat: Double
    var durationBeats: Double
}

/// What every part of one generation shares: style, key, length, chord progression and section character.
struct Arrangement: Sendable, Equatable {
    var family: StyleFamily
    var key: MusicalKey
    var bars: Int
    /// Scale degree of each bar's chord (cycled).
    var progression: [Int]
    /// The section's character: intros and outros are softer and sparser, choruses and drops louder.
    var section: String

    /// The chord degree of `bar`.
    func chordDegree(bar: Int) -> Int { progression[bar % progression.count] }

    var velocityOffset: Int {
        let name = section.lowercased()
        if name.contains("intro") || name.contains("outro") || name.contains("break") { return -12 }
        if name.contains("chorus") || name.contains("drop") || name.contains("hook") { return 8 }
        return 0
    }

    var isSparse: Bool {
        let name = section.lowercased()
        return name.contains("intro") || name.contains("outro") || name.contains("break")
    }
}

/// The seeded generator behind Storpheus: it writes drums, bass, chords, pads, arpeggios and melodies that follow a
/// style's groove, a key's scale and a chord progression, with humanised timing and velocity.
///
/// Time is computed in units of 1/80 beat (a sixteenth is 20 units), so every start and length is exact on a
/// 480-ticks-per-quarter grid (6 ticks per unit) and prints as a short decimal on the wire.
enum MusicGenerator {
    static let unitsPerBeat = 80
    static let unitsPerStep = 20
    static let unitsPerBar = 320

    /// The shared plan of one generation.
    static func arrangement(
        style: String,
        key: String?,
        bars: Int,
        section: String,
        random: inout SeededRandom
    )
        -> Arrangement
    {
        let family = StyleFamily(style: style)
        let parsedKey = key.flatMap(MusicalKey.init(parsing:)) ?? MusicalKey(tonic: 9, isMinor: true)
        var progression = random.pick(family.progressions(minor: parsedKey.isMinor))
        let name = section.lowercased()
        if name.contains("bridge") || name.contains("break") {
            progression = progression.map { ($0 + 3) % 7 }
        }
        return Arrangement(
            family: family,
            key: parsedKey,
            bars: min(max(bars, 1), 64),
            progression: progression,
            section: section
        )
    }

    /// The notes of one part.
    static func notes(
        for profile: RoleProfile,
        in arrangement: Arrangement,
        random: inout SeededRandom
    )
        -> [GeneratedNote]
    {
        var notes: [GeneratedNote]
        switch profile.part {
        case .drums: notes = drums(arrangement, &random)
        case .bass: notes = bass(arrangement, &random)
        case .chords: notes = chords(arrangement, sustained: false, &random)
        case .pad: notes = chords(arrangement, sustained: true, &random)
        case .melody: notes = melody(arrangement, floor: profile.program == 73 ? 72 : 64, &random)
        case .arpeggio: notes = arpeggio(arrangement, &random)
        }
        notes.sort { ($0.startBeat, $0.pitch) < ($1.startBeat, $1.pitch) }
        return notes
    }

    // MARK: - Building blocks

    private static func note(
        pitch: Int,
        velocity: Int,
        startUnits: Int,
        lengthUnits: Int,
        _ arrangement: Arrangement,
        jitter: Bool = true,
        _ random: inout SeededRandom
    ) -> GeneratedNote {
        var start = startUnits
        if jitter { start += random.int(in: -1...1) }
        start = max(start, 0)
        let end = min(startUnits + lengthUnits, arrangement.bars * unitsPerBar)
        let length = max(end - start, 5)
        let humanVelocity = velocity + arrangement.velocityOffset + random.int(in: -6...6)
        return GeneratedNote(
            pitch: min(max(pitch, 0), 127),
            velocity: min(max(humanVelocity, 1), 127),
            startBeat: Double(start) / Double(unitsPerBeat),
            durationBeats: Double(length) / Double(unitsPerBeat)
        )
    }

    /// The start of sixteenth `step` of `bar` in units, with the family's swing on offbeats.
    private static func position(bar: Int, step: Int, _ arrangement: Arrangement) -> Int {
        let swing = arrangement.family.swingUnits
        let shift = step % 4 == 2 ? swing : (step % 2 == 1 ? swing / 2 : 0)
        return bar * unitsPerBar + step * unitsPerStep + shift
    }

    private static func chordTones(_ arrangement: Arrangement, bar: Int, sevenths: Bool) -> [Int] {
        let degree = arrangement.chordDegree(bar: bar)
        var tones = [degree, degree + 2, degree + 4]
        if sevenths { tones.append(degree + 6) }
        return tones
    }

    // MARK: - Drums

    private static func drumPattern(_ family: StyleFamily) -> [(Int, String)] {
        switch family {
        case .boomBap: [(36, "X......x..x....."), (38, "....X.......X..."), (42, "x.o.x.o.x.o.x.o.")]
        case .lofi: [(36, "X.....x...x....."), (38, "....X.......X..g"), (42, "x.o.x.o.x.o.x.oo")]
        case .trap: [(36, "X......x..X....."), (38, "........X......."), (42, "xoxoxoxoxoxoxxxx")]
        case .house:
            [(36, "X...X...X...X..."), (39, "....X.......X..."), (46, "..x...x...x...x."), (42, "o...o...o...o...")]
        case .techno:
            [(36, "X...X...X...X..."), (42, "oxoxoxoxoxoxoxox"), (46, "..x...x...x...x."), (39, "....o.......o...")]
        case .rock: [(36, "X.....x.X......."), (38, "....X.......X..."), (42, "x.x.x.x.x.x.x.x.")]
        case .pop:
            [(36, "X.....x...X....."), (38, "....X.......X..."), (39, "....o.......o..."), (42, "x.o.x.o.x.o.x.o.")]
        case .funk: [(36, "X..x..x...X..x.."), (38, "....X..g.g..X..g"), (42, "xoxoxoxoxoxoxoxo")]
        case .jazz:
            [(51, "x...x.x.x...x.x."), (44, "....x.......x..."), (36, "o..............."), (38, "......g.....g..g")]
        case .reggae: [(36, "........X......."), (37, "........X......."), (42, "x.o.x.o.x.o.x.o.")]
        case .drumAndBass: [(36, "X.........X....."), (38, "....X.......X..."), (42, "x.x.x.x.x.x.x.x.")]
        case .ambient: [(36, "o..............."), (70, "o.o.o.o.o.o.o.o.")]
        case .bossa: [(36, "x..xx..xx..xx..x"), (37, "x..x..x...x..x.."), (42, "o.o.o.o.o.o.o.o.")]
        case .afrobeat:
            [(36, "X.....x...x..x.."), (38, "....x..g....x..."), (70, "oxoxoxoxoxoxoxox"), (63, "..x..x....x..x..")]
        case .rnb: [(36, "X......x.x......"), (38, "....X.......X..."), (42, "x.o.x.o.x.o.x.oo")]
        case .cinematic: [(36, "X.......X......."), (45, "X.......x.....x."), (48, "....o.......o...")]
        case .synthwave: [(36, "X...x...X...x..."), (38, "....X.......X..."), (42, "x.x.x.x.x.x.x.x.")]
        case .gospel: [(36, "X..x..x...x....."), (38, "....X..g....X..g"), (42, "x.xox.xox.xox.xo")]
        }
    }

    private static func drums(_ arrangement: Arrangement, _ random: inout SeededRandom) -> [GeneratedNote] {
        var notes: [GeneratedNote] = []
        let pattern = drumPattern(arrangement.family)
        let fills = arrangement.family != .ambient && arrangement.family != .jazz
        for bar in 0..<arrangement.bars {
            let isFillBar = fills && (bar % 4 == 3 || bar == arrangement.bars - 1) && arrangement.bars > 1
            if bar == 0 && [.rock, .pop, .cinematic, .house, .synthwave].contains(arrangement.family)
                && !arrangement.isSparse
            {
                notes.append(
                    note(pitch: 49, velocity: 100, startUnits: 0, lengthUnits: 40, arrangement, jitter: false, &random)
                )
            }
            for (pitch, row) in pattern {
                for (step, symbol) in row.enumerated() {
                    if isFillBar && step >= 12 && pitch != 36 { continue }
                    if arrangement.isSparse && pitch != 36 && step % 4 != 0 && random.chance(0.5) { continue }
                    let velocity: Int
                    switch symbol {
                    case "X": velocity = 112
                    case "x": velocity = 96
                    case "o": velocity = 64
                    case "g":
                        guard random.chance(0.5) else { continue }
                        velocity = 44
                    default: continue
                    }
                    let length = pitch == 42 || pitch == 44 || pitch == 70 ? 10 : 20
                    notes.append(
                        note(
                            pitch: pitch,
                            velocity: velocity,
                            startUnits: position(bar: bar, step: step, arrangement),
                            lengthUnits: length,
                            arrangement,
                            jitter: step != 0,
                            &random
                        )
                    )
                }
            }
            if arrangement.family == .trap && random.chance(0.5) {
                // A hi-hat roll in thirty-seconds on the last beat.
                for index in 0..<8 {
                    notes.append(
                        note(
                            pitch: 42,
                            velocity: 58 + index * 5,
                            startUnits: bar * unitsPerBar + 240 + index * 10,
                            lengthUnits: 8,
                            arrangement,
                            jitter: false,
                            &random
                        )
                    )
                }
            }
            if isFillBar {
                let toms = [50, 48, 47, 45]
                for step in 12..<16 {
                    let pitch = random.chance(0.5) ? 38 : toms[step - 12]
                    notes.append(
                        note(
                            pitch: pitch,
                            velocity: 80 + (step - 12) * 8,
                            startUnits: bar * unitsPerBar + step * unitsPerStep,
                            lengthUnits: 20,
                            arrangement,
                            &random
                        )
                    )
                }
            }
        }
        return notes
    }

    // MARK: - Bass

    private enum BassChoice { case root, fifth, octave, third, seventh, approach }

    private static func bassPattern(_ family: StyleFamily) -> [(Int, Int, BassChoice)] {
        switch family {
        case .boomBap: [(0, 3, .root), (6, 2, .root), (10, 2, .fifth), (14, 2, .approach)]
        case .lofi: [(0, 6, .root), (7, 3, .third), (10, 5, .fifth)]
        case .trap: [(0, 7, .root), (7, 2, .root), (10, 6, .root)]
        case .house: [(2, 2, .root), (6, 2, .root), (10, 2, .octave), (14, 2, .root)]
        case .techno:
            [
                (2, 1, .root), (3, 1, .root), (6, 1, .root), (7, 1, .root), (10, 1, .root), (11, 1, .root),
                (14, 1, .root), (15, 1, .root),
            ]
        case .rock: (0..<8).map { ($0 * 2, 2, $0 == 6 ? .fifth : .root) }
        case .pop: [(0, 4, .root), (6, 2, .root), (8, 4, .fifth), (12, 3, .root)]
        case .funk:
            [(0, 2, .root), (3, 1, .octave), (6, 1, .root), (8, 2, .fifth), (11, 1, .octave), (14, 2, .seventh)]
        case .jazz: [(0, 4, .root), (4, 4, .third), (8, 4, .fifth), (12, 4, .approach)]
        case .reggae: [(2, 2, .root), (4, 3, .root), (8, 2, .fifth), (10, 2, .third), (12, 4, .root)]
        case .drumAndBass: [(0, 6, .root), (10, 6, .fifth)]
        case .ambient, .cinematic: [(0, 16, .root)]
        case .bossa: [(0, 6, .root), (6, 2, .fifth), (8, 6, .fifth), (14, 2, .root)]
        case .afrobeat: [(0, 2, .root), (3, 2, .root), (6, 2, .fifth), (10, 2, .octave), (12, 2, .root)]
        case .rnb: [(0, 5, .root), (6, 2, .fifth), (8, 4, .root), (13, 3, .approach)]
        case .synthwave: (0..<8).map { ($0 * 2, 2, $0 % 2 == 0 ? .root : .octave) }
        case .gospel:
            [(0, 3, .root), (3, 1, .third), (4, 4, .fifth), (8, 3, .root), (11, 1, .seventh), (12, 4, .approach)]
        }
    }

    private static func bass(_ arrangement: Arrangement, _ random: inout SeededRandom) -> [GeneratedNote] {
        var notes: [GeneratedNote] = []
        let key = arrangement.key
        let floor = arrangement.family == .trap ? 24 : 28
        for bar in 0..<arrangement.bars {
            let degree = arrangement.chordDegree(bar: bar)
            let root = key.pitch(degree: degree, above: floor)
            let nextRoot = key.pitch(degree: arrangement.chordDegree(bar: bar + 1), above: floor)
            for (step, length, choice) in bassPattern(arrangement.family) {
                if arrangement.isSparse && step != 0 && random.chance(0.4) { continue }
                let pitch: Int
                switch choice {
                case .root: pitch = root
                case .fifth: pitch = key.pitch(degree: degree + 4, above: floor)
                case .octave: pitch = root + 12
                case .third: pitch = key.pitch(degree: degree + 2, above: floor)
                case .seventh: pitch = key.pitch(degree: degree + 6, above: floor)
                case .approach: pitch = random.chance(0.5) ? nextRoot - 1 : key.pitch(degree: degree + 1, above: floor)
                }
                let velocity = step == 0 ? 104 : (step % 4 == 0 ? 94 : 84)
                notes.append(
                    note(
                        pitch: pitch,
                        velocity: velocity,
                        startUnits: position(bar: bar, step: step, arrangement),
                        lengthUnits: length * unitsPerStep - 4,
                        arrangement,
                        jitter: step != 0,
                        &random
                    )
                )
            }
        }
        return notes
    }

    // MARK: - Chords and pads

    private static func chordRhythm(_ family: StyleFamily) -> [(Int, Int)] {
        switch family {
        case .boomBap: [(0, 3), (6, 2), (10, 4)]
        case .lofi: [(0, 7), (8, 7)]
        case .trap, .drumAndBass, .ambient, .cinematic: [(0, 16)]
        case .house, .reggae: [(2, 1), (6, 1), (10, 1), (14, 1)]
        case .techno: [(0, 2), (6, 2), (12, 2)]
        case .rock, .synthwave: [(0, 2), (2, 2), (4, 2), (6, 2), (8, 2), (10, 2), (12, 2), (14, 2)]
        case .pop: [(0, 4), (4, 4), (8, 4), (12, 4)]
        case .funk: [(0, 1), (3, 1), (6, 1), (10, 1), (13, 1)]
        case .jazz: [(0, 3), (6, 2), (12, 3)]
        case .bossa: [(0, 3), (3, 3), (8, 3), (11, 3)]
        case .afrobeat: [(0, 2), (3, 2), (6, 2), (10, 2), (12, 2)]
        case .rnb: [(0, 8), (10, 6)]
        case .gospel: [(0, 3), (3, 3), (6, 2), (8, 4), (12, 4)]
        }
    }

    private static func chords(
        _ arrangement: Arrangement,
        sustained: Bool,
        _ random: inout SeededRandom
    )
        -> [GeneratedNote]
    {
        var notes: [GeneratedNote] = []
        let key = arrangement.key
        var previous: [Int] = []
        let rhythm = sustained ? [(0, 16)] : chordRhythm(arrangement.family)
        for bar in 0..<arrangement.bars {
            let tones = chordTones(arrangement, bar: bar, sevenths: arrangement.family.usesSevenths)
            let voicing = voiceLead(
                tones.map { key.pitchClass(degree: $0) },
                previous: previous,
                center: sustained ? 60 : 62
            )
            previous = voicing
            for (step, length) in rhythm {
                if arrangement.isSparse && step != 0 && random.chance(0.5) { continue }
                let velocity = sustained ? 70 : (step == 0 ? 90 : 78)
                let start = position(bar: bar, step: step, arrangement)
                for pitch in voicing {
                    notes.append(
                        note(
                            pitch: pitch,
                            velocity: velocity,
                            startUnits: start,
                            lengthUnits: length * unitsPerStep - (sustained ? 0 : 4),
                            arrangement,
                            jitter: step != 0,
                            &random
                        )
                    )
                }
            }
        }
        return notes
    }

    /// A close voicing of `pitchClasses` near `center`, moving each voice as little as possible from `previous`.
    private static func voiceLead(_ pitchClasses: [Int], previous: [Int], center: Int) -> [Int] {
        var best: [Int] = []
        var bestCost = Int.max
        for inversion in 0..<pitchClasses.count {
            let rotated = Array(pitchClasses[inversion...] + pitchClasses[..<inversion])
            for base in [center - 12, center - 6, center] {
                var voicing: [Int] = []
                var floor = base
                for pitchClass in rotated {
                    var pitch = floor - ((floor - pitchClass) % 12 + 12) % 12
                    if pitch < floor { pitch += 12 }
                    voicing.append(pitch)
                    floor = pitch + 1
                }
                let cost: Int
                if previous.count == voicing.count {
                    cost = zip(previous.sorted(), voicing.sorted()).map { abs($0 - $1) }.reduce(0, +)
                } else {
                    cost = abs(voicing.reduce(0, +) / voicing.count - center) * 2
                }
                if cost < bestCost && voicing.allSatisfy({ (48...84).contains($0) }) {
                    best = voicing
                    bestCost = cost
                }
            }
        }
        return best.isEmpty ? pitchClasses.map { 60 + $0 } : best
    }

    // MARK: - Melody and arpeggio

    private static func melodyRhythms(_ family: StyleFamily) -> [[(Int, Int)]] {
        switch family {
        case .ambient, .cinematic: [[(0, 8), (8, 8)], [(0, 6), (6, 2), (8, 8)]]
        case .jazz:
            [[(0, 2), (2, 2), (4, 2), (6, 2), (8, 4), (12, 2), (14, 2)], [(0, 3), (3, 1), (4, 4), (10, 2), (12, 4)]]
        case .trap: [[(0, 3), (3, 3), (6, 2), (10, 2), (12, 4)], [(0, 2), (2, 2), (4, 4), (10, 3), (13, 3)]]
        case .house, .techno: [[(2, 2), (6, 2), (8, 4), (14, 2)], [(0, 2), (4, 2), (6, 4), (12, 4)]]
        default:
            [
                [(0, 4), (4, 2), (6, 2), (8, 6), (14, 2)], [(0, 2), (2, 2), (4, 4), (10, 2), (12, 4)],
                [(0, 3), (3, 3), (6, 2), (8, 8)],
            ]
        }
    }

    private static func melody(_ arrangement: Arrangement, floor: Int, _ random: inout SeededRandom) -> [GeneratedNote]
    {
        let key = arrangement.key
        let rhythms = melodyRhythms(arrangement.family)
        // The motif: a rhythm and a contour of scale steps, restated on each bar's chord.
        let motifRhythm = random.pick(rhythms)
        var contour: [Int] = [0]
        for _ in 1..<motifRhythm.count { contour.append(contour.last! + random.pick([-2, -1, -1, 1, 1, 2, 0])) }
        var notes: [GeneratedNote] = []
        for bar in 0..<arrangement.bars {
            let chord = arrangement.chordDegree(bar: bar)
            let anchor = chord + random.pick([0, 2, 4])
            let phrasePosition = bar % 4
            var rhythm = motifRhythm
            var steps = contour
            if phrasePosition == 3 || bar == arrangement.bars - 1 {
                rhythm = [(0, 4), (4, 4), (8, 8)]
                steps = [2, 1, 0]
            } else if phrasePosition == 2 {
                steps = contour.map { -$0 }
            }
            for (index, (step, length)) in rhythm.enumerated() {
                if arrangement.isSparse && index % 2 == 1 { continue }
                var degree = anchor + steps[min(index, steps.count - 1)]
                if step % 8 == 0 {
                    // Strong beats land on a chord tone.
                    let tones = [chord, chord + 2, chord + 4, chord + 7]
                    degree = tones.min { abs($0 - degree) < abs($1 - degree) }!
                }
                let pitch = key.pitch(degree: degree, above: floor)
                notes.append(
                    note(
                        pitch: min(pitch, floor + 24),
                        velocity: step % 8 == 0 ? 96 : 84,
                        startUnits: position(bar: bar, step: step, arrangement),
                        lengthUnits: length * unitsPerStep - 2,
                        arrangement,
                        jitter: step != 0,
                        &random
                    )
                )
            }
        }
        return notes
    }

    private static func arpeggio(_ arrangement: Arrangement, _ random: inout SeededRandom) -> [GeneratedNote] {
        let key = arrangement.key
        var notes: [GeneratedNote] = []
        let shape = random.pick([[0, 1, 2, 3], [0, 1, 2, 1], [0, 2, 1, 3], [3, 2, 1, 0]])
        for bar in 0..<arrangement.bars {
            let tones = chordTones(arrangement, bar: bar, sevenths: false) + [arrangement.chordDegree(bar: bar) + 7]
            for step in 0..<16 {
                if arrangement.isSparse && step % 2 == 1 { continue }
                let degree = tones[shape[step % 4]]
                notes.append(
                    note(
                        pitch: key.pitch(degree: degree, above: 60),
                        velocity: step % 4 == 0 ? 92 : 72,
                        startUnits: position(bar: bar, step: step, arrangement),
                        lengthUnits: unitsPerStep - 4,
                        arrangement,
                        jitter: false,
                        &random
                    )
                )
            }
        }
        return notes
    }
}
