import Foundation
import JSON
import MIDI

/// What one Storpheus generation produced: a channel per instrument, labelled the way Storpheus labels them.
struct GenerationOutput: Sendable, Equatable {
    /// One MIDI channel of the output.
    struct Channel: Sendable, Equatable {
        /// `drums`, or the GM family of the program (`bass`, `piano`, ...), suffixed `_<ch>` when shared.
        var label: String
        /// The MIDI channel, 0-based (9 for drums).
        var channel: Int
        /// The GM program, nil for drums.
        var program: Int?
        /// The notes, beats from the start of the generation.
        var notes: [GeneratedNote]
    }

    var channels: [Channel]
    var tempo: Int
    var key: MusicalKey

    /// Every note, sorted by start then pitch (Storpheus's post-processed flat list).
    var flatNotes: [GeneratedNote] {
        channels.flatMap(\.notes).sorted { ($0.startBeat, $0.pitch) < ($1.startBeat, $1.pitch) }
    }

    /// Generates every instrument of a request. The arrangement (progression) is shared, so bass, chords and
    /// melody agree; each part draws from its own generator, so adding an instrument does not change the others.
    static func generate(_ parameters: GenerateParameters, determinism: Determinism) -> GenerationOutput {
        let cacheKey = parameters.cacheKey
        var arrangementRandom = determinism.generator("arrangement", cacheKey)
        let style = parameters.genre.replacingOccurrences(of: "_", with: " ")
        let arrangement = MusicGenerator.arrangement(
            style: style,
            key: parameters.key,
            bars: parameters.bars,
            section: parameters.sectionName,
            random: &arrangementRandom
        )
        var drumNotes: [GeneratedNote] = []
        var melodic: [(program: Int, notes: [GeneratedNote])] = []
        for (index, instrument) in parameters.instruments.enumerated() {
            let profile = RoleProfile(role: instrument, family: arrangement.family)
            var random = determinism.generator("part", cacheKey, String(index), profile.role)
            let notes = MusicGenerator.notes(for: profile, in: arrangement, random: &random)
            if profile.isDrums {
                drumNotes += notes
            } else {
                melodic.append((profile.program ?? 0, notes))
            }
        }
        var channels: [Channel] = []
        var nextChannel = 0
        for part in melodic {
            if nextChannel == NoteTrack.drumChannel { nextChannel += 1 }
            channels.append(
                Channel(
                    label: GeneralMIDI.family(of: part.program),
                    channel: min(nextChannel, 15),
                    program: part.program,
                    notes: part.notes
                )
            )
            nextChannel += 1
        }
        var familyCounts: [String: Int] = [:]
        for channel in channels { familyCounts[channel.label, default: 0] += 1 }
        for index in channels.indices where familyCounts[channels[index].label, default: 0] > 1 {
            channels[index].label += "_\(channels[index].channel)"
        }
        if !drumNotes.isEmpty
            || parameters.instruments.contains(where: { RoleProfile(role: $0, family: arrangement.family).isDrums })
        {
            drumNotes.sort { ($0.startBeat, $0.pitch) < ($1.startBeat, $1.pitch) }
            channels.append(Channel(label: "drums", channel: NoteTrack.drumChannel, program: nil, notes: drumNotes))
        }
        channels.sort { $0.channel < $1.channel }
        return GenerationOutput(channels: channels, tempo: parameters.tempo, key: arrangement.key)
    }

    /// The output as a format-1 Standard MIDI File: conductor track with tempo, 4/4 and key, one track per channel.
    func midiFile(title: String) -> [UInt8] {
        let writer = SMFWriter(
            format: .multiTrack,
            ticksPerQuarter: 480,
            tempo: Double(min(max(tempo, 20), 300)),
            timeSignature: .fourFour,
            keySignature: KeySignature(sharps: key.sharps, isMinor: key.isMinor),
            title: title
        )
        let tracks = channels.map { channel in
            NoteTrack(
                name: channel.label,
                channel: channel.channel,
                program: channel.program,
                notes: channel.notes.map {
                    Note(
                        pitch: $0.pitch,
                        velocity: $0.velocity,
                        startBeat: $0.startBeat,
                        durationBeats: $0.durationBeats,
                        channel: channel.channel
                    )
                }
            )
        }
        return writer.bytes(for: tracks)
    }

    /// A note as Storpheus writes it: `{pitch, startBeat, durationBeats, velocity}`.
    static func wire(_ note: GeneratedNote) -> JSONValue {
        [
            "pitch": .int(note.pitch), "startBeat": .double(note.startBeat),
            "durationBeats": .double(note.durationBeats),
            "velocity": .int(note.velocity),
        ]
    }

    /// The `result` object of a successful generation (service-contracts.md §4.4).
    func result(
        for parameters: GenerateParameters,
        cacheHit: Bool,
        midiPath: String,
        latencySeconds: Double
    ) -> JSONValue {
        let flat = flatNotes
        var channelNotes: JSONValue = .null
        if parameters.unifiedOutput {
            channelNotes = .object(JSONObject(merging: channels.map { ($0.label, .array($0.notes.map(Self.wire))) }))
        }
        var metadata: JSONObject = [
            "policy_version": "tdf-sim-1",
            "cache_hit": .bool(cacheHit),
            "note_count": .int(flat.count),
            "rejection_score": 0.0,
            "params_used": [
                "temperature": .double(parameters.temperature ?? 0.9), "top_p": .double(parameters.topP ?? 0.96),
                "prime_tokens": 2048, "gen_tokens": 512,
            ],
            "controls_used": ["genre": .string(parameters.genre), "bars": .int(parameters.bars), "tempo": .int(tempo)],
            "fulfillment_report": [
                "instruments_requested": .int(parameters.instruments.count),
                "instruments_delivered": .int(channels.count),
            ],
            "candidate_selection": ["candidates": 1, "selected": 0],
            "post_processing": ["quantized": false, "humanized": true],
            "timing": ["generation_seconds": .double(latencySeconds)],
            "seed_provenance": ["source": "tdf stack seed"],
            "gradio_inputs": [:],
            "midi_path": .string(midiPath),
        ]
        if parameters.unifiedOutput {
            metadata["unified_channels"] = .strings(channels.map(\.label))
            metadata["program_changes"] = .object(
                JSONObject(
                    channels.compactMap { channel in channel.program.map { (String(channel.channel), .int($0)) } }
                )
            )
        }
        metadata["trace_id"] = .optional(parameters.traceID)
        metadata["intent_hash"] = .optional(parameters.intentHash)
        metadata["seed"] = .optional(parameters.seed)
        return [
            "success": true, "notes": .array(flat.map(Self.wire)), "channel_notes": channelNotes, "tool_calls": .null,
            "error": .null, "metadata": .object(metadata),
        ]
    }

    /// The `result` object of a failed generation.
    static func failureResult(_ message: String) -> JSONValue {
        [
            "success": false, "notes": .null, "channel_notes": .null, "tool_calls": .null, "error": .string(message),
            "metadata": .null,
        ]
    }
}
