/// The metrics and quality score of one piece of music, from a Standard MIDI File or from the notes
/// of `stori_add_notes` tool calls.
///
/// This is what the harness writes as `midi_summary.json`; its JSON keys are snake_case and stable
/// (`schema_version` changes if they ever must). Optional values are omitted from the JSON when
/// absent (for example `pitch_min` when there are no pitched notes). `Docs/midi-metrics.md` is the
/// reference for every field.
///
/// Terms used throughout:
/// - *beat*: a quarter note; times are in beats from beat 0.
/// - *valid note*: a note whose start and duration are finite and not negative and that ends by
///   beat 10^9. Notes that are not valid are counted in `garbage.invalid_timing_notes` and left out
///   of every metric except the note counts and the pitch and velocity garbage counts.
/// - *pitched note*: a valid note not on the drum channel (channel index 9, MIDI channel 10).
/// - *onset*: a valid note's start beat.
/// - *bar*: bars follow the time-signature map from beat 0 (4/4 when none is given); a bar lasts
///   `numerator × 4 / denominator` beats, and a signature change that falls inside a bar starts a
///   new bar there. `structure.bar_count` is the number of bars from beat 0 that contain an onset or
///   part of a note (at least 1 when there are valid notes, 0 otherwise).
public struct MIDIAnalysis: Codable, Sendable, Equatable {
    /// The version of this JSON shape.
    public static let currentSchemaVersion = 1

    /// Where the notes came from.
    public enum Source: String, Codable, Sendable, Equatable {
        /// A Standard MIDI File.
        case smf
        /// Notes given directly (from `stori_add_notes` tool calls).
        case notes
    }

    /// The version of this JSON shape (`schema_version`), currently 1.
    public var schemaVersion: Int
    /// Where the notes came from (`source`: `smf` or `notes`).
    public var source: Source
    /// Facts about the file itself (`file`); absent for notes input.
    public var file: FileFacts?
    /// Length, tempo, meter, key, tracks, instruments and polyphony (`structure`).
    public var structure: Structure
    /// Ranges and distributions that show whether the music is plausible (`plausibility`).
    public var plausibility: Plausibility
    /// Pitch-class content and harmonic rhythm (`harmony`).
    public var harmony: Harmony
    /// Timing and velocity variation (`humanisation`).
    public var humanisation: Humanisation
    /// Notes and tracks that no sensible composition contains (`garbage`).
    public var garbage: Garbage
    /// The composite 0–100 score with each component and its reason (`score`).
    public var score: QualityScore

    init(
        source: Source,
        file: FileFacts?,
        structure: Structure,
        plausibility: Plausibility,
        harmony: Harmony,
        humanisation: Humanisation,
        garbage: Garbage,
        score: QualityScore
    ) {
        self.schemaVersion = Self.currentSchemaVersion
        self.source = source
        self.file = file
        self.structure = structure
        self.plausibility = plausibility
        self.harmony = harmony
        self.humanisation = humanisation
        self.garbage = garbage
        self.score = score
    }

    private enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case source, file, structure, plausibility, harmony, humanisation, garbage, score
    }
}

extension MIDIAnalysis {
    /// Facts about a Standard MIDI File as read.
    public struct FileFacts: Codable, Sendable, Equatable {
        /// The header's format: 0, 1 or 2 (`format`).
        public var format: Int
        /// Ticks per quarter note, absent for an SMPTE division (`ticks_per_quarter`).
        public var ticksPerQuarter: Int?
        /// SMPTE frames per second (29 means 29.97 drop-frame), absent for a metrical division
        /// (`smpte_frames_per_second`).
        public var smpteFramesPerSecond: Int?
        /// SMPTE ticks per frame, absent for a metrical division (`smpte_ticks_per_frame`).
        public var smpteTicksPerFrame: Int?
        /// File size in bytes (`byte_count`).
        public var byteCount: Int
        /// `MTrk` chunks read (`track_chunks`).
        public var trackChunks: Int
        /// Other chunks skipped (`skipped_chunks`).
        public var skippedChunks: Int
        /// Events read in all tracks, end-of-track events included (`event_count`).
        public var eventCount: Int
        /// Meta events kept uninterpreted: text, markers, lyrics, sequencer data and unknown types
        /// (`other_meta_events`).
        public var otherMetaEvents: Int
        /// System-exclusive and escape events (`sysex_events`).
        public var sysexEvents: Int
        /// Note-offs with no open note of their track, channel and pitch (`orphan_note_offs`).
        public var orphanNoteOffs: Int
        /// Note-ons never closed before their track ended; they are not notes (not counted, not analysed,
        /// not stretched to the track's end) (`unterminated_notes`).
        public var unterminatedNotes: Int
        /// Time of the last event of any track, in beats (`length_beats`).
        public var lengthBeats: Double
        /// Time of the last event of any track, in seconds through the tempo map (`length_seconds`).
        public var lengthSeconds: Double

        private enum CodingKeys: String, CodingKey {
            case format
            case ticksPerQuarter = "ticks_per_quarter"
            case smpteFramesPerSecond = "smpte_frames_per_second"
            case smpteTicksPerFrame = "smpte_ticks_per_frame"
            case byteCount = "byte_count"
            case trackChunks = "track_chunks"
            case skippedChunks = "skipped_chunks"
            case eventCount = "event_count"
            case otherMetaEvents = "other_meta_events"
            case sysexEvents = "sysex_events"
            case orphanNoteOffs = "orphan_note_offs"
            case unterminatedNotes = "unterminated_notes"
            case lengthBeats = "length_beats"
            case lengthSeconds = "length_seconds"
        }
    }

    /// A tempo in the structure's tempo list.
    public struct TempoPoint: Codable, Sendable, Equatable {
        /// Beat at which the tempo takes effect (`beat`).
        public var beat: Double
        /// Beats per minute, `60,000,000 / microseconds_per_quarter` (`bpm`).
        public var bpm: Double
        /// Microseconds per quarter note, as stored in a file (`microseconds_per_quarter`).
        public var microsecondsPerQuarter: Int

        private enum CodingKeys: String, CodingKey {
            case beat, bpm
            case microsecondsPerQuarter = "microseconds_per_quarter"
        }
    }

    /// A time signature in the structure's list.
    public struct TimeSignaturePoint: Codable, Sendable, Equatable {
        /// Beat at which the signature takes effect (`beat`).
        public var beat: Double
        /// Upper number (`numerator`).
        public var numerator: Int
        /// Lower number, a power of two (`denominator`).
        public var denominator: Int
    }

    /// A key signature in the structure's list.
    public struct KeyPoint: Codable, Sendable, Equatable {
        /// Beat at which the key takes effect (`beat`).
        public var beat: Double
        /// The key's name, e.g. `Am`, `Eb`, or `?` for an invalid count (`name`).
        public var name: String
        /// Sharps (positive) or flats (negative) (`sharps`).
        public var sharps: Int
        /// Whether the key is minor (`minor`).
        public var minor: Bool
    }

    /// Facts about one track.
    public struct TrackFacts: Codable, Sendable, Equatable {
        /// The track's index: the `MTrk` index in a file, the position in the list of tracks given,
        /// or the notes' `track` value for a flat note list (`index`).
        public var index: Int
        /// Track name or role (`name`).
        public var name: String?
        /// Distinct channels of its valid notes, ascending (`channels`).
        public var channels: [Int]
        /// Notes in the track, valid or not (`note_count`).
        public var noteCount: Int
        /// Lowest pitch of its valid notes (`pitch_min`).
        public var pitchMin: Int?
        /// Highest pitch of its valid notes (`pitch_max`).
        public var pitchMax: Int?
        /// Whether it has valid notes and all of them are on the drum channel (`is_drum`).
        public var isDrum: Bool
        /// Whether it is a format 1 file's first track holding no channel events (the conventional
        /// tempo track); such a track is not counted as empty (`is_conductor`).
        public var isConductor: Bool

        private enum CodingKeys: String, CodingKey {
            case index, name, channels
            case noteCount = "note_count"
            case pitchMin = "pitch_min"
            case pitchMax = "pitch_max"
            case isDrum = "is_drum"
            case isConductor = "is_conductor"
        }
    }

    /// Length, tempo, meter, key, tracks, instruments and polyphony.
    public struct Structure: Codable, Sendable, Equatable {
        /// Every note given or read, valid or not (`note_count`).
        public var noteCount: Int
        /// Tracks: `MTrk` chunks in a file, tracks given, or distinct `track` values of a flat note
        /// list (`track_count`).
        public var trackCount: Int
        /// Beat at which the last valid note ends, 0 without valid notes (`duration_beats`).
        public var durationBeats: Double
        /// `duration_beats` converted to seconds through the tempo map (`duration_seconds`).
        public var durationSeconds: Double
        /// Bars from beat 0 that contain an onset or part of a note (see `MIDIAnalysis`) (`bar_count`).
        public var barCount: Int
        /// Tempo at beat 0 in BPM (120 when none is given) (`initial_tempo_bpm`).
        public var initialTempoBPM: Double
        /// Tempo of the earliest `set_tempo` event in BPM, wherever it is, absent when the file gives none; it
        /// differs from `initial_tempo_bpm` when the first tempo event comes after beat 0 (`first_tempo_bpm`).
        public var firstTempoBPM: Double?
        /// Tempo changes after the initial tempo (`tempo_change_count`).
        public var tempoChangeCount: Int
        /// The tempo map, the first entry at beat 0; at most 256 entries are listed (`tempos`).
        public var tempos: [TempoPoint]
        /// Time-signature changes after the one in effect at beat 0 (`time_signature_change_count`).
        public var timeSignatureChangeCount: Int
        /// The time-signature map, the first entry at beat 0 (4/4 when none is given); at most 256
        /// entries are listed (`time_signatures`).
        public var timeSignatures: [TimeSignaturePoint]
        /// The name of the first key signature, absent when none is given (`key`).
        public var key: String?
        /// Key signatures in order; at most 256 are listed (`key_signatures`).
        public var keySignatures: [KeyPoint]
        /// Distinct instruments that play valid notes: distinct General MIDI programs in effect on
        /// the channels of pitched notes at their onsets (program 0 where no program change came
        /// before), plus 1 if any valid note is on the drum channel (`instrument_count`).
        public var instrumentCount: Int
        /// The distinct programs counted in `instrument_count`, ascending (`programs`).
        public var programs: [Int]
        /// Whether any valid note is on the drum channel (`has_drums`).
        public var hasDrums: Bool
        /// Note count of each track, in track order (`notes_per_track`).
        public var notesPerTrack: [Int]
        /// Time-weighted mean number of valid notes sounding at once, over the time during which
        /// at least one sounds; a note sounds on `[start, end)`, so zero-length notes never sound;
        /// 0 when nothing sounds (`polyphony_mean`).
        public var polyphonyMean: Double
        /// Largest number of valid notes sounding at one instant (`polyphony_max`).
        public var polyphonyMax: Int
        /// Per-track facts, in track order (`tracks`).
        public var tracks: [TrackFacts]

        private enum CodingKeys: String, CodingKey {
            case noteCount = "note_count"
            case trackCount = "track_count"
            case durationBeats = "duration_beats"
            case durationSeconds = "duration_seconds"
            case barCount = "bar_count"
            case initialTempoBPM = "initial_tempo_bpm"
            case firstTempoBPM = "first_tempo_bpm"
            case tempoChangeCount = "tempo_change_count"
            case tempos
            case timeSignatureChangeCount = "time_signature_change_count"
            case timeSignatures = "time_signatures"
            case key
            case keySignatures = "key_signatures"
            case instrumentCount = "instrument_count"
            case programs
            case hasDrums = "has_drums"
            case notesPerTrack = "notes_per_track"
            case polyphonyMean = "polyphony_mean"
            case polyphonyMax = "polyphony_max"
            case tracks
        }
    }

    /// Onsets per bar over the bars of the piece.
    public struct BarDensity: Codable, Sendable, Equatable {
        /// Valid notes divided by `bar_count`, 0 without bars (`mean`).
        public var mean: Double
        /// Fewest onsets in any of the `bar_count` bars (0 if some bar has none) (`min`).
        public var min: Int
        /// Most onsets in one bar (`max`).
        public var max: Int
    }

    /// A histogram bucket of a length distribution.
    public struct Bucket: Codable, Sendable, Equatable {
        /// Inclusive upper bound in beats; absent for the last, unbounded bucket. A value falls in
        /// the first bucket whose bound it does not exceed by more than 10^-9 (`upper_beats`).
        public var upperBeats: Double?
        /// Values in the bucket (`count`).
        public var count: Int

        private enum CodingKeys: String, CodingKey {
            case upperBeats = "upper_beats"
            case count
        }
    }

    /// A distribution of lengths in beats: summary statistics and a fixed histogram.
    ///
    /// The buckets' upper bounds are 0, 1/16, 1/8, 1/4 (a sixteenth note), 1/2, 1, 2, 4 beats and
    /// unbounded.
    public struct Distribution: Codable, Sendable, Equatable {
        /// Number of values (`count`).
        public var count: Int
        /// Arithmetic mean, 0 when empty (`mean`).
        public var mean: Double
        /// Median (mean of the two middle values for an even count), 0 when empty (`median`).
        public var median: Double
        /// Smallest value (`min`).
        public var min: Double?
        /// Largest value (`max`).
        public var max: Double?
        /// Shannon entropy in bits of the bucket counts, `−Σ p log2 p` over non-empty buckets
        /// (`entropy_bits`).
        public var entropyBits: Double
        /// The histogram (`buckets`).
        public var buckets: [Bucket]

        private enum CodingKeys: String, CodingKey {
            case count, mean, median, min, max
            case entropyBits = "entropy_bits"
            case buckets
        }
    }

    /// Ranges and distributions that show whether the music is plausible.
    public struct Plausibility: Codable, Sendable, Equatable {
        /// Lowest pitch among pitched notes (drums excluded) (`pitch_min`).
        public var pitchMin: Int?
        /// Highest pitch among pitched notes (drums excluded) (`pitch_max`).
        public var pitchMax: Int?
        /// Lowest note number of all valid notes, drum notes included (`pitch_min_with_drums`).
        public var pitchMinWithDrums: Int?
        /// Highest note number of all valid notes, drum notes included (`pitch_max_with_drums`).
        public var pitchMaxWithDrums: Int?
        /// Mean velocity of valid notes, 0 without notes (`velocity_mean`).
        public var velocityMean: Double
        /// Population standard deviation of valid notes' velocities (`velocity_stdev`).
        public var velocityStdev: Double
        /// Lowest velocity of valid notes (`velocity_min`).
        public var velocityMin: Int?
        /// Highest velocity of valid notes (`velocity_max`).
        public var velocityMax: Int?
        /// Rhythmic density: onsets per bar (`notes_per_bar`).
        public var notesPerBar: BarDensity
        /// Durations of valid notes in beats (`note_lengths`).
        public var noteLengths: Distribution
        /// Inter-onset intervals: within each track, the gaps between consecutive distinct onsets
        /// (onsets less than 10^-9 beats apart count as one), pooled over tracks
        /// (`inter_onset_intervals`).
        public var interOnsetIntervals: Distribution
        /// Pitch 4-grams: within each track, the valid notes ordered by onset then pitch give a
        /// pitch sequence; every run of 4 consecutive pitches is a 4-gram (`pitch_4gram_count`).
        public var pitch4GramCount: Int
        /// `(4-grams − distinct 4-grams) / 4-grams`, distinct counted per track: the share of 4-grams
        /// that repeat one seen before in the same track; 0 without 4-grams
        /// (`repeated_4gram_fraction`).
        public var repeated4GramFraction: Double

        private enum CodingKeys: String, CodingKey {
            case pitchMin = "pitch_min"
            case pitchMax = "pitch_max"
            case pitchMinWithDrums = "pitch_min_with_drums"
            case pitchMaxWithDrums = "pitch_max_with_drums"
            case velocityMean = "velocity_mean"
            case velocityStdev = "velocity_stdev"
            case velocityMin = "velocity_min"
            case velocityMax = "velocity_max"
            case notesPerBar = "notes_per_bar"
            case noteLengths = "note_lengths"
            case interOnsetIntervals = "inter_onset_intervals"
            case pitch4GramCount = "pitch_4gram_count"
            case repeated4GramFraction = "repeated_4gram_fraction"
        }
    }

    /// Pitch-class content and harmonic rhythm.
    public struct Harmony: Codable, Sendable, Equatable {
        /// Pitched notes counted (`pitched_note_count`).
        public var pitchedNoteCount: Int
        /// Pitched notes per pitch class `pitch mod 12`, C first (`pitch_class_histogram`).
        public var pitchClassHistogram: [Int]
        /// Shannon entropy in bits of `pitch_class_histogram`, each note counting once: 0 for one
        /// pitch class, log2 12 ≈ 3.585 for all twelve equally (`pitch_class_entropy_bits`).
        public var pitchClassEntropyBits: Double
        /// Changes of sounding pitch-class set: the piece is cut into windows of one beat of the time
        /// signature (`4 / denominator` quarter notes, restarting at each signature change); a window's
        /// set holds the pitch classes of pitched notes that start in it or sound during it; a change
        /// is a non-empty set that differs from the previous non-empty set (`chord_changes`).
        public var chordChanges: Int
        /// `chord_changes / bar_count`, 0 without bars (`chord_changes_per_bar`).
        public var chordChangesPerBar: Double

        private enum CodingKeys: String, CodingKey {
            case pitchedNoteCount = "pitched_note_count"
            case pitchClassHistogram = "pitch_class_histogram"
            case pitchClassEntropyBits = "pitch_class_entropy_bits"
            case chordChanges = "chord_changes"
            case chordChangesPerBar = "chord_changes_per_bar"
        }
    }

    /// Timing and velocity variation, the marks of a human performance.
    public struct Humanisation: Codable, Sendable, Equatable {
        /// Mean of `|onset − nearest multiple of 1/4 beat|` over valid notes, in beats (at most 0.125)
        /// (`timing_deviation_beats`).
        public var timingDeviationBeats: Double
        /// The same deviations in milliseconds, each converted at the tempo in effect at its onset
        /// (`deviation × 60,000 / bpm`), then averaged (`timing_deviation_ms`).
        public var timingDeviationMs: Double
        /// Mean of the signed deviations `onset − nearest grid point` in beats: negative means ahead
        /// of the grid (`signed_timing_deviation_beats`).
        public var signedTimingDeviationBeats: Double
        /// Share of onsets within 0.001 beats of the sixteenth grid (`on_grid_fraction`).
        public var onGridFraction: Double
        /// Population variance of valid notes' velocities (`velocity_variance`).
        public var velocityVariance: Double
        /// Number of distinct velocities among valid notes (`distinct_velocities`).
        public var distinctVelocities: Int
        /// Mean velocity of onsets within 0.001 beats of a whole beat (`on_beat_velocity_mean`).
        public var onBeatVelocityMean: Double?
        /// Mean velocity of the other onsets (`off_beat_velocity_mean`).
        public var offBeatVelocityMean: Double?

        private enum CodingKeys: String, CodingKey {
            case timingDeviationBeats = "timing_deviation_beats"
            case timingDeviationMs = "timing_deviation_ms"
            case signedTimingDeviationBeats = "signed_timing_deviation_beats"
            case onGridFraction = "on_grid_fraction"
            case velocityVariance = "velocity_variance"
            case distinctVelocities = "distinct_velocities"
            case onBeatVelocityMean = "on_beat_velocity_mean"
            case offBeatVelocityMean = "off_beat_velocity_mean"
        }
    }

    /// Notes and tracks that no sensible composition contains.
    public struct Garbage: Codable, Sendable, Equatable {
        /// Valid notes with duration exactly 0 (`zero_length_notes`).
        public var zeroLengthNotes: Int
        /// Notes not on the drum channel with pitch below 21 (A0) or above 108 (C8), the piano's range;
        /// a drum note's pitch names a sound, so drums are exempt (`extreme_pitch_notes`).
        public var extremePitchNotes: Int
        /// Notes with a pitch outside MIDI's 0...127 (`invalid_pitch_notes`).
        public var invalidPitchNotes: Int
        /// Notes with velocity 0 or outside 1...127 (only possible from notes input: a file's
        /// velocity-0 note-on is a note-off) (`impossible_velocity_notes`).
        public var impossibleVelocityNotes: Int
        /// Notes whose start or duration is negative or not finite, or that end after beat 10^9
        /// (`invalid_timing_notes`).
        public var invalidTimingNotes: Int
        /// Valid notes whose onset lies in some window `[t, t + 1/4 beat)` holding 32 or more
        /// onsets (all tracks together) (`spam_notes`).
        public var spamNotes: Int
        /// Maximal runs of consecutive spam onsets (`spam_bursts`).
        public var spamBursts: Int
        /// Largest number of onsets in any window `[t, t + 1/4 beat)` (`max_onsets_per_quarter_beat`).
        public var maxOnsetsPerQuarterBeat: Int
        /// Tracks with no notes, not counting a conductor track (`empty_tracks`).
        public var emptyTracks: Int
        /// Notes with at least one of the flags above, each counted once (`flagged_notes`).
        public var flaggedNotes: Int
        /// `flagged_notes / note_count`, 0 without notes (`flagged_fraction`).
        public var flaggedFraction: Double

        private enum CodingKeys: String, CodingKey {
            case zeroLengthNotes = "zero_length_notes"
            case extremePitchNotes = "extreme_pitch_notes"
            case invalidPitchNotes = "invalid_pitch_notes"
            case impossibleVelocityNotes = "impossible_velocity_notes"
            case invalidTimingNotes = "invalid_timing_notes"
            case spamNotes = "spam_notes"
            case spamBursts = "spam_bursts"
            case maxOnsetsPerQuarterBeat = "max_onsets_per_quarter_beat"
            case emptyTracks = "empty_tracks"
            case flaggedNotes = "flagged_notes"
            case flaggedFraction = "flagged_fraction"
        }
    }
}
