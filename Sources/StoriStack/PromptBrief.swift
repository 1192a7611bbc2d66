import Hashing

/// Writes a catalogue item out as a full MAESTRO PROMPT of the real catalogue's size and shape: the routing header,
/// the request, then extension blocks (service-contracts.md §2.3) that expand the item's own data (progression,
/// scale, feel, roles, energy, form) with phrases from the banks of `PromptBrief+Banks.swift`, picked by a generator
/// seeded from the item's id. The text depends on the item alone, never on the stack's seed.
///
/// Every line is YAML that both PyYAML and ``MiniYAML`` read: multi-line text is a `|` block, plain values never
/// contain `": "` or `" #"`, and `Form.structure` is present only when the item has sections.
struct PromptBrief {
    let item: PromptCatalogue.Item
    private let family: StyleFamily
    private let parts: [RoleProfile.Part]
    private var random: SeededRandom
    private var lines: [String] = []

    init(item: PromptCatalogue.Item) {
        self.item = item
        family = StyleFamily(style: item.style)
        parts = item.roles.map { RoleProfile(role: $0, family: StyleFamily(style: item.style)).part }
        random = SeededRandom(seed: stableHash(["prompt-catalogue", item.id]))
    }

    /// The prompt text, ending with a newline.
    var text: String {
        var brief = self
        brief.write()
        return brief.lines.joined(separator: "\n") + "\n"
    }

    // MARK: Shape of the piece

    private var sections: [String] { item.form.isEmpty ? [item.section] : item.form }
    private var totalBars: Int { item.bars * sections.count }
    private var totalBeats: Int { totalBars * 4 }
    private var mood: Mood { Mood(family) }

    /// The role that carries the tune: the first that is neither drums nor bass, else the first role.
    private var leadIndex: Int {
        parts.firstIndex { $0 == .melody } ?? parts.firstIndex { $0 != .drums && $0 != .bass } ?? 0
    }

    private func trackName(_ role: String) -> String {
        role.split(separator: " ").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "_")
    }

    private func yamlKey(_ role: String) -> String {
        role.lowercased().split(separator: " ").joined(separator: "_")
    }

    private func barRange(_ first: Int, _ last: Int) -> String {
        first == last ? "\(first)" : "\(first)-\(last)"
    }

    // MARK: Writing

    private mutating func add(_ line: String) {
        lines.append(line)
    }

    /// A `key: |` block with `text` wrapped to 72 columns at `indent + 2`.
    private mutating func block(_ key: String, _ text: String, indent: Int) {
        add(String(repeating: " ", count: indent) + key + ": |")
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lines += Self.wrap(String(paragraph), indent: indent + 2)
        }
    }

    private static func wrap(_ text: String, indent: Int, width: Int = 72) -> [String] {
        let prefix = String(repeating: " ", count: indent)
        var result: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty, prefix.count + current.count + 1 + word.count > width {
                result.append(prefix + current)
                current = ""
            }
            current += current.isEmpty ? String(word) : " " + word
        }
        if !current.isEmpty { result.append(prefix + current) }
        return result
    }

    private mutating func pick(_ choices: [String]) -> String {
        random.pick(choices)
    }

    /// The role that holds the low end: bass, else drums, else the first role.
    private var bassIndex: Int {
        parts.firstIndex(of: .bass) ?? parts.firstIndex(of: .drums) ?? 0
    }

    /// `the drum part`, `the rhodes part`: a name that takes a singular verb.
    private func partName(_ index: Int) -> String {
        let role = item.roles[index]
        return "\(role == "drums" ? "drum" : role) part"
    }

    private func isPlural(_ role: String) -> Bool {
        role.hasSuffix("s") && !role.hasSuffix("ss")
    }

    /// A bank phrase this item can use: one naming both a lead and a bass only when they are different parts.
    private mutating func pickTemplate(_ bank: [String]) -> String {
        let usable = bassIndex != leadIndex ? bank : bank.filter { !$0.contains("{bass}") }
        return fill(pick(usable.isEmpty ? bank : usable))
    }

    /// Fills `{style}`, `{key}`, `{lead}`, `{bass}`, `{bars}`, `{tempo}` and `{section}` in a bank phrase.
    private func fill(_ template: String) -> String {
        template
            .replacing("{style}", with: item.style)
            .replacing("{key}", with: item.key)
            .replacing("{lead}", with: partName(leadIndex))
            .replacing("{bass}", with: partName(bassIndex))
            .replacing("{bars}", with: String(totalBars))
            .replacing("{tempo}", with: String(item.tempo))
            .replacing("{section}", with: sections.joined(separator: " and "))
    }

    private mutating func write() {
        writeHeader()
        writeHarmony()
        writeMelody()
        writeRhythm()
        writeDynamics()
        writeOrchestration()
        writeEffects()
        writeExpression()
        writeTexture()
        writeArrangement()
        writeForm()
        writeHumanization()
        writeMidiExpressiveness()
        writeAutomation()
    }

    private mutating func writeHeader() {
        lines += [
            "MAESTRO PROMPT", "Mode: compose", "Section: \(item.section)", "Style: \(item.style)", "Key: \(item.key)",
            "Tempo: \(item.tempo)", "Energy: \(item.energy)", "Role: [\(item.roles.joined(separator: ", "))]",
            "Constraints:", "  bars: \(item.bars)", "Vibe: [\(item.vibe.joined(separator: ", "))]", "",
        ]
        block("Request", item.request, indent: 0)
        add("")
    }

    private mutating func writeHarmony() {
        add("Harmony:")
        add("  progression: |")
        let chords = item.progression
        for (index, section) in sections.enumerated() {
            let first = index * item.bars + 1
            let last = first + item.bars - 1
            let shift = index % max(chords.count, 1)
            let rotated = Array(chords[shift...] + chords[..<shift])
            let perBar = (0..<item.bars).map { rotated[$0 % rotated.count] }
            let name = section.prefix(1).uppercased() + section.dropFirst()
            add("    \(name) (\(barRange(first, last))): [\(perBar.joined(separator: ", "))]")
        }
        add("  voicing: \(pick(Bank.voicings[mood]!))")
        let rhythm =
            chords.count >= item.bars ? "one chord per bar, changing on the downbeat" : pick(Bank.harmonicRhythms)
        add("  rhythm: \(rhythm)")
        add("  extensions: \(pick(Bank.extensions[mood]!))")
        add("  bass_motion: \(pick(Bank.bassMotions))")
        add("")
    }

    private mutating func writeMelody() {
        let lead = item.roles[leadIndex]
        add("Melody:")
        add("  scale: \(item.scale)")
        add("  register: \(lead) — \(Bank.registers[parts[leadIndex]]!)")
        block("contour", pickTemplate(Bank.contours) + "\n" + pickTemplate(Bank.contourEndings), indent: 2)
        add("  motif: \(pick(Bank.motifs))")
        add("  phrases:")
        add("    structure: \(pick(Bank.phraseStructures))")
        add("    breath: \(pick(Bank.breaths))")
        add("  density: \(Bank.densities[energyLevel])")
        add("")
    }

    private mutating func writeRhythm() {
        add("Rhythm:")
        add("  feel: \(item.feel)")
        let subdivision =
            item.tempo >= 150
            ? "8th notes, the kit thinking in half time"
            : (item.tempo < 80 ? "16th notes" : pick(["16th notes", "8th notes with 16th-note fills"]))
        add("  subdivision: \(subdivision)")
        add("  swing: \(item.swing)%")
        add("  pocket: \(pick(Bank.pockets[mood]!))")
        add("  accents: \(pick(Bank.accents))")
        add("")
    }

    /// 0 (very low) through 4 (very high); `rising` counts as medium.
    private var energyLevel: Int {
        switch item.energy {
        case "very low": 0
        case "low": 1
        case "high": 3
        case "very high": 4
        default: 2
        }
    }

    private mutating func writeDynamics() {
        let ladder = Bank.levels[energyLevel]
        let rising = item.energy == "rising"
        add("Dynamics:")
        add("  overall: \(rising ? "pp rising to fff" : "\(ladder[0]) to \(ladder[2]) and back")")
        add("  arc:")
        let stages = min(4, totalBars)
        let shapes = random.pick(Bank.arcShapes)
        for stage in 0..<stages {
            let first = stage * totalBars / stages + 1
            let last = (stage + 1) * totalBars / stages
            let level: String
            if rising {
                level = ["pp", "mp", "f", "fff"][stage * 4 / stages]
            } else {
                level = ladder[min(stage * ladder.count / stages, ladder.count - 1)]
            }
            add("    - bars: \(barRange(first, last))")
            add("      level: \(level)")
            add("      shape: \(shapes[stage * shapes.count / stages])")
        }
        add("  accent_velocity: \(Bank.accentVelocity[energyLevel] + random.int(in: -4...4))")
        add("  ghost_velocity: \(Bank.ghostVelocity[energyLevel] + random.int(in: -3...3))")
        add("")
    }

    private mutating func writeOrchestration() {
        add("Orchestration:")
        for (index, role) in item.roles.enumerated() {
            let part = parts[index]
            let entry = index == 0 || energyLevel >= 2 ? 1 : min(totalBars, 1 + index * max(1, totalBars / 4))
            add("  \(yamlKey(role)):")
            add("    instrument: \(fill(pick(Bank.instruments(part, mood: mood, role: role))))")
            add("    technique: \(pick(Bank.techniques[part]!))")
            add("    register: \(Bank.registers[part]!)")
            add("    articulation: \(pick(Bank.articulations[part]!))")
            add("    role_in_mix: \(pick(Bank.mixRoles[part]!))")
            add("    entry: bar \(entry)")
        }
        add("")
    }

    private mutating func writeEffects() {
        let space = pick(Bank.spaces[mood]!)
        add("Effects:")
        for (index, role) in item.roles.enumerated() {
            let part = parts[index]
            add("  \(yamlKey(role)):")
            if index == 0 {
                add("    reverb: \(space)")
            } else {
                add("    reverb: same \(roomName(space)), \(pick(Bank.sends))")
            }
            add("    \(pick(Bank.processing[part]!))")
            if part != .drums, part != .bass { add("    delay: \(pick(Bank.delays))") }
        }
        add("  master:")
        add("    bus: \(pick(Bank.masterBus))")
        add("")
    }

    /// `small wooden room` out of `small wooden room, 0.8s decay, ...`.
    private func roomName(_ space: String) -> String {
        String(space.prefix { $0 != "," })
    }

    private mutating func writeExpression() {
        add("Expression:")
        add("  arc: \(pick(Bank.expressionArcs))")
        let narrative = [
            pickTemplate(Bank.narratives), pickTemplate(Bank.narrativeMiddles), pickTemplate(Bank.narrativeEndings),
        ]
        block("narrative", narrative.joined(separator: " "), indent: 2)
        add("  character: \(item.character)")
        let centred = item.roles.indices.filter { parts[$0] == .drums || parts[$0] == .bass }.map { item.roles[$0] }
        var image: [String] = []
        if !centred.isEmpty {
            let names = centred.map { "the \($0)" }.joined(separator: " and ")
            let verb = centred.count == 1 && !isPlural(centred[0]) ? "sits" : "sit"
            image.append(names.prefix(1).uppercased() + names.dropFirst() + " \(verb) in the centre.")
        }
        let places = Bank.placements
        for (index, role) in item.roles.enumerated() where !centred.contains(role) {
            let verb = isPlural(role) ? "sit" : "sits"
            image.append("The \(role) \(verb) \(places[(index + item.roles.count) % places.count]).")
        }
        block("spatial_image", image.joined(separator: " ") + " " + pick(Bank.spatialEndings), indent: 2)
        add("")
    }

    private mutating func writeTexture() {
        add("Texture:")
        add("  density: \(Bank.textureDensities[energyLevel])")
        let low = parts.contains(.bass) ? "E1" : (parts.contains(.drums) ? "C2" : "C3")
        let high = parts.contains(.arpeggio) || parts.contains(.melody) ? "C6" : "G5"
        add("  register_spread: \(low)-\(high)")
        add(
            "  layers: \(item.roles.count == 1 ? "a single voice carrying everything" : "\(item.roles.count) parts, each with its own register")"
        )
        add("  space:")
        block("principle", pickTemplate(Bank.spacePrinciples), indent: 4)
        add("")
    }

    /// What the ensemble is, and how the parts cover for the ones it leaves out.
    private mutating func writeArrangement() {
        add("Arrangement:")
        let sizes = ["a single voice", "a duo", "a trio", "a quartet", "a quintet"]
        add("  ensemble: \(sizes[min(item.roles.count, 5) - 1]) — \(item.roles.joined(separator: ", "))")
        let missing: [(String, Bool)] = [
            ("without_drums", !parts.contains(.drums)),
            ("without_bass", !parts.contains(.bass)),
            ("without_harmony", !parts.contains { [.chords, .pad, .arpeggio].contains($0) }),
            ("without_melody", !parts.contains(.melody) && !parts.contains(.arpeggio)),
        ]
        if parts.allSatisfy({ $0 == .drums }) {
            block("drums_alone", pickTemplate(Bank.drumsAlone), indent: 2)
        } else {
            let noHarmony = missing[2].1
            for (key, isMissing) in missing where isMissing {
                // With neither chords nor a tune, only the rhythmic-hook phrase makes sense.
                let bank = Bank.absences[key]!
                block(key, pickTemplate(key == "without_melody" && noHarmony ? [bank.last!] : bank), indent: 2)
            }
        }
        add("")
    }

    private mutating func writeForm() {
        add("Form:")
        if item.form.isEmpty {
            add("  shape: one \(item.bars)-bar \(item.section) that loops cleanly into itself")
            add("  development:")
            let half = max(1, item.bars / 2)
            add("    - phase: statement (bars \(barRange(1, half)))")
            add("      intensity: \(pick(Bank.statementIntensities))")
            if item.bars > 1 {
                add("    - phase: answer (bars \(barRange(half + 1, item.bars)))")
                add("      variation: \(pick(Bank.answerVariations))")
            }
        } else {
            add("  structure: \(item.form.joined(separator: "-"))")
            add("  development:")
            for (index, section) in item.form.enumerated() {
                let first = index * item.bars + 1
                add("    - section: \(section) (bars \(barRange(first, first + item.bars - 1)))")
                let key = index == 0 ? "intensity" : (index == item.form.count - 1 ? "contrast" : "variation")
                add("      \(key): \(Bank.sectionRoles[min(index * 3 / item.form.count, 2)])")
            }
        }
        block("variation_strategy", pickTemplate(Bank.variationStrategies), indent: 2)
        add("")
    }

    private mutating func writeHumanization() {
        let tight = mood == .club
        add("Humanization:")
        add("  timing:")
        add("    jitter: \(tight ? "0.01" : ["0.02", "0.03", "0.04", "0.05"][random.int(in: 0...3)])")
        add("    late_bias: \(item.swing > 55 ? "0.03" : "0.0")")
        add("    grid: \(item.tempo >= 150 ? "8th" : "16th")")
        add("  velocity:")
        add("    arc: \(pick(["phrase", "bar", "section"]))")
        add("    stdev: \(tight ? random.int(in: 3...6) : random.int(in: 7...12))")
        add("    accents:")
        add("      beats: \(pick(["[0, 2]", "[1, 3]", "[0]", "[0, 1.5, 3]"]))")
        add("      strength: \(random.int(in: 1...3))")
        add("    ghost_notes:")
        add("      probability: \(parts.contains(.drums) ? pick(["0.05", "0.08", "0.12"]) : "0.02")")
        add("      velocity: [\(Bank.ghostVelocity[energyLevel] - 6), \(Bank.ghostVelocity[energyLevel] + 8)]")
        add("  feel: \(pick(Bank.humanFeels[mood]!))")
        add("")
    }

    private mutating func writeMidiExpressiveness() {
        let lead = item.roles[leadIndex]
        let ladder = Bank.levels[energyLevel]
        let low = 20 + energyLevel * 12
        add("MidiExpressiveness:")
        add("  expression:")
        add("    curve: follows the dynamic arc, \(ladder[0]) to \(ladder[2]) and back")
        add("    range: [\(low), \(min(127, low + 50 + random.int(in: 0...10)))]")
        add("  modulation:")
        add("    instrument: \(lead)")
        add("    depth: \(pick(Bank.modulationDepths))")
        add("    onset: bars \(barRange(max(1, totalBars / 2), totalBars))")
        add("  cc_curves:")
        for (cc, from, to) in [
            (91, 30 + random.int(in: 0...20), 60 + random.int(in: 0...30)), (11, low, min(127, low + 45)),
            (74, 40, 90 + random.int(in: 0...20)),
        ] {
            add("    - cc: \(cc)")
            add("      from: \(from)")
            add("      to: \(to)")
            add("      position: bars \(barRange(1, totalBars))")
        }
        if item.roles.contains(where: { $0.contains("piano") || $0.contains("rhodes") || $0.contains("keys") }) {
            add("  sustain_pedal:")
            add("    style: \(pick(Bank.pedalStyles))")
            add("    changes_per_bar: \(random.int(in: 1...2))")
        }
        add("  pitch_bend:")
        add("    style: \(pick(Bank.bendStyles))")
        add("    depth: \(pick(["microtonal", "up to a semitone", "up to a whole tone"]))")
        add("")
    }

    private mutating func writeAutomation() {
        add("Automation:")
        var tracks = [(trackName(item.roles[leadIndex]), pick(Bank.leadParameters))]
        if let other = item.roles.indices.first(where: { $0 != leadIndex }) {
            let parameters = parts[other] == .drums ? ["volume", "filter_cutoff"] : Bank.supportParameters
            tracks.append((trackName(item.roles[other]), pick(parameters)))
        }
        tracks.append(("Master", pick(["reverb_wet", "highpass_cutoff", "volume"])))
        for (track, parameter) in tracks {
            add("  - track: \(track)")
            add("    param: \(parameter)")
            add("    events:")
            let steps = [0, totalBeats / 4, totalBeats / 2, totalBeats * 3 / 4, totalBeats]
            var tenths = random.int(in: 2...5)
            for (index, beat) in steps.enumerated() {
                add("      - beat: \(beat)")
                add("        value: 0.\(tenths)")
                if index > 0 { add("        curve: \(pick(["smooth", "linear", "exponential"]))") }
                tenths = min(9, max(1, tenths + random.int(in: -1...2)))
            }
        }
    }
}

extension PromptBrief {
    /// Broad groups of style families that share phrase banks.
    enum Mood: Hashable {
        case groove, club, band, space

        init(_ family: StyleFamily) {
            switch family {
            case .house, .techno, .trap, .drumAndBass, .synthwave: self = .club
            case .rock, .pop: self = .band
            case .ambient, .cinematic: self = .space
            default: self = .groove
            }
        }
    }
}
