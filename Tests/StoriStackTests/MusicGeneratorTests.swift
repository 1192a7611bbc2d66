import Testing

@testable import StoriStack

@Suite struct MusicGeneratorTests {
    private static func output(
        style: String,
        key: String,
        roles: [String],
        bars: Int = 4,
        seed: UInt64 = 3
    )
        -> GenerationOutput
    {
        var parameters = GenerateParameters()
        parameters.genre = style
        parameters.key = key
        parameters.instruments = roles
        parameters.bars = bars
        parameters.tempo = 100
        parameters.unifiedOutput = true
        return GenerationOutput.generate(parameters, determinism: Determinism(seed: seed))
    }

    /// Drums are on channel index 9 with the style's kick, snare or clap and hi-hat (or ride) pitches.
    @Test func drumsFollowTheStyle() {
        let expectations: [(String, Set<Int>)] = [
            ("boom bap", [36, 38, 42]), ("house", [36, 39, 46]), ("trap", [36, 38, 42]), ("jazz", [51, 44]),
            ("reggae", [36, 37]),
        ]
        for (style, pitches) in expectations {
            let output = Self.output(style: style, key: "Am", roles: ["drums"])
            let drums = output.channels.first { $0.label == "drums" }
            #expect(drums?.channel == 9)
            let used = Set(drums?.notes.map(\.pitch) ?? [])
            #expect(pitches.isSubset(of: used), "\(style): \(used.sorted())")
        }
        let house = Self.output(style: "deep house", key: "Fm", roles: ["drums"]).channels[0].notes
        let kicks = house.filter { $0.pitch == 36 }.map(\.startBeat)
        #expect(kicks.count == 16)  // four on the floor, humanised by at most 1/80 beat
        #expect(kicks.allSatisfy { abs($0 - $0.rounded()) < 0.013 })
    }

    /// Bass plays chord roots on downbeats, in a low register, inside the key.
    @Test func bassFollowsChordRoots() {
        let output = Self.output(style: "pop", key: "C", roles: ["bass"])
        let bass = output.channels[0]
        #expect(bass.label == "bass")
        #expect(bass.notes.allSatisfy { (24...52).contains($0.pitch) })
        let key = MusicalKey(tonic: 0, isMinor: false)
        let downbeats = bass.notes.filter { $0.startBeat.truncatingRemainder(dividingBy: 4) == 0 }
        #expect(downbeats.count == 4)
        #expect(downbeats.allSatisfy { key.contains($0.pitch) })
    }

    /// Chords and melody stay in the key (at least 90% of notes), in their registers, within the bars asked for.
    @Test func harmonyAndMelodyInKey() {
        for (style, keyName) in [("lofi hip hop", "Cm"), ("pop", "G"), ("jazz", "Bb"), ("synthwave", "F#m")] {
            let output = Self.output(style: style, key: keyName, roles: ["keys", "melody", "pad", "arp"], bars: 8)
            let key = MusicalKey(parsing: keyName)!
            for channel in output.channels {
                #expect(!channel.notes.isEmpty)
                let inKey = channel.notes.filter { key.contains($0.pitch) }.count
                #expect(Double(inKey) / Double(channel.notes.count) >= 0.9, "\(style) \(channel.label)")
                #expect(channel.notes.allSatisfy { $0.startBeat >= 0 && $0.startBeat + $0.durationBeats <= 32.0001 })
            }
        }
    }

    /// Timing and velocity are humanised: not every note is on the sixteenth grid, velocities vary, values stay valid.
    @Test func humanised() {
        let notes = Self.output(style: "boom bap", key: "Am", roles: ["drums", "bass", "keys"]).flatNotes
        #expect(notes.contains { ($0.startBeat * 4).rounded() != $0.startBeat * 4 })
        #expect(Set(notes.map(\.velocity)).count > 10)
        #expect(notes.allSatisfy { (1...127).contains($0.velocity) && $0.durationBeats > 0 })
        // Every time is on the 1/80-beat grid (exact at 480 ticks per quarter).
        #expect(notes.allSatisfy { ($0.startBeat * 80).rounded() == $0.startBeat * 80 })
    }

    /// Storpheus labels channels by GM family, suffixed with the channel when two share one, and Maestro maps
    /// each role to its own label.
    @Test func labelsAndRoleAssignment() {
        let output = Self.output(style: "lofi", key: "Cm", roles: ["drums", "bass", "keys", "melody"])
        let labels = output.channels.map(\.label)
        #expect(labels == ["bass", "piano_1", "piano_2", "drums"])
        let assignment = StorpheusBridge.assign(
            roles: ["drums", "bass", "keys", "melody"],
            labels: labels,
            family: .lofi
        )
        #expect(assignment == ["drums": "drums", "bass": "bass", "keys": "piano_1", "melody": "piano_2"])
        let synth = Self.output(style: "synthwave", key: "Am", roles: ["drums", "bass", "arp", "lead", "pad"])
        let synthAssignment = StorpheusBridge.assign(
            roles: ["drums", "bass", "arp", "lead", "pad"],
            labels: synth.channels.map(\.label),
            family: .synthwave
        )
        #expect(Set(synthAssignment.values).count == 5)
        #expect(synthAssignment["lead"] == "synth_lead")
    }

    /// Keys parse in the usual spellings and know their scale and signature.
    @Test func keysParse() {
        #expect(MusicalKey(parsing: "Am") == MusicalKey(tonic: 9, isMinor: true))
        #expect(MusicalKey(parsing: "F# minor") == MusicalKey(tonic: 6, isMinor: true))
        #expect(MusicalKey(parsing: "Bb") == MusicalKey(tonic: 10, isMinor: false))
        #expect(MusicalKey(parsing: "Cm")?.sharps == -3)
        #expect(MusicalKey(parsing: "E")?.sharps == 4)
        #expect(MusicalKey(parsing: "H") == nil)
    }

    /// MAESTRO PROMPT routing fields parse case-insensitively, with bars from Constraints, a bars key or Request.
    @Test func maestroPromptFields() {
        let text =
            "MAESTRO PROMPT\nmode: Compose\nSTYLE: trap\nKey: F#m\ntempo: 92 bpm\nRole: drums, bass\nRequest: |\n  Make 12 bars of it.\n"
        guard case .structured(let prompt) = PromptKind(text: text) else {
            Issue.record("did not parse")
            return
        }
        #expect(prompt.mode == .compose)
        #expect(prompt.style == "trap")
        #expect(prompt.tempo == 92)
        #expect(prompt.roles == ["drums", "bass"])
        #expect(prompt.bars == 12)
        #expect(PromptKind(text: "MAESTRO PROMPT\nStyle: x\n") == .natural("MAESTRO PROMPT\nStyle: x\n"))
        #expect(PromptKind(text: "maestro prompt\nMode: compose\n") == .natural("maestro prompt\nMode: compose\n"))
        #expect(PromptKind(text: "  STORI PROMPT \nMode: compose") == .storiHeader(found: "STORI PROMPT"))
    }
}
