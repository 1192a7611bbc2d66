import Foundation

/// Notes and maps in one shape, whatever their source, and the computation of every metric.
struct AnalysisInput {
    struct Track {
        var index: Int
        var name: String?
        var isConductor: Bool
    }

    var source: MIDIAnalysis.Source
    var file: MIDIAnalysis.FileFacts?
    /// Notes whose `track` is a position in `tracks`.
    var notes: [Note]
    var tracks: [Track]
    var programChanges: [ProgramChange]
    var tempoMap: TempoMap
    var timeSignatures: [TimeSignatureChange]
    var keySignatures: [KeySignatureChange]

    /// Notes must end by this beat to be valid (keeps every bar and grid index well inside `Int`).
    static let maxBeat = 1e9
    /// Most entries listed in the tempo, time- and key-signature lists of the JSON.
    static let listLimit = 256
    /// Onsets closer than this (in beats) are one onset; bucket bounds allow this much excess.
    static let epsilon = 1e-9
    /// Distance from the sixteenth grid (or from a whole beat) still counted as on it, in beats.
    static let gridTolerance = 1e-3
    /// A window of this many beats holding `spamThreshold` onsets or more is note spam.
    static let spamWindow = 0.25
    static let spamThreshold = 32
    /// Upper bounds of the length-distribution buckets, in beats (the last bucket is unbounded).
    static let bucketBounds: [Double] = [0, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 1, 2, 4]

    static func isValidTiming(_ note: Note) -> Bool {
        note.startBeat.isFinite && note.durationBeats.isFinite && note.startBeat >= 0 && note.durationBeats >= 0
            && note.startBeat + note.durationBeats <= maxBeat
    }

    func analyze() -> MIDIAnalysis {
        // Validity and the flags that do not depend on time.
        var invalidTiming = 0
        var invalidPitch = 0
        var impossibleVelocity = 0
        var extremePitch = 0
        var flaggedInvalid = 0
        var validIndices: [Int] = []
        validIndices.reserveCapacity(notes.count)
        var trackNoteCounts = Array(repeating: 0, count: tracks.count)
        for (index, note) in notes.enumerated() {
            if tracks.indices.contains(note.track) { trackNoteCounts[note.track] += 1 }
            let badPitch = note.pitch < 0 || note.pitch > 127
            let badVelocity = note.velocity < 1 || note.velocity > 127
            let extreme = !note.isDrum && (note.pitch < 21 || note.pitch > 108)
            if badPitch { invalidPitch += 1 }
            if badVelocity { impossibleVelocity += 1 }
            if extreme { extremePitch += 1 }
            if Self.isValidTiming(note) {
                validIndices.append(index)
            } else {
                invalidTiming += 1
                flaggedInvalid += 1
            }
        }
        // Valid notes by onset; ties keep input order (track order then event order for a file).
        let alreadySorted = zip(validIndices, validIndices.dropFirst()).allSatisfy {
            notes[$0.0].startBeat <= notes[$0.1].startBeat
        }
        if !alreadySorted {
            validIndices.sort { lhs, rhs in
                let left = notes[lhs].startBeat
                let right = notes[rhs].startBeat
                return left != right ? left < right : lhs < rhs
            }
        }
        let valid = validIndices.map { notes[$0] }
        var flagged = valid.map { note in
            note.durationBeats == 0 || note.pitch < 0 || note.pitch > 127 || note.velocity < 1 || note.velocity > 127
                || (!note.isDrum && (note.pitch < 21 || note.pitch > 108))
        }

        let timeSignatureMap = Self.effectiveTimeSignatures(timeSignatures)
        let bars = BeatGrid(signatures: timeSignatureMap, unit: \.beatsPerBar)
        let durationBeats = valid.reduce(0.0) { max($0, $1.endBeat) }
        let barCount =
            valid.isEmpty
            ? 0 : max(bars.index(at: valid[valid.count - 1].startBeat) + 1, bars.unitsBefore(durationBeats))

        let spam = Self.spam(in: valid, flagged: &flagged)
        let polyphony = Self.polyphony(of: valid)
        let perTrack = Self.perTrackOrder(valid, trackCount: tracks.count)
        let pitched = valid.filter { !$0.isDrum }

        // Structure
        let tempoPoints = tempoMap.changes.prefix(Self.listLimit).map {
            MIDIAnalysis.TempoPoint(beat: $0.beat, bpm: $0.bpm, microsecondsPerQuarter: $0.microsecondsPerQuarter)
        }
        let signaturePoints = timeSignatureMap.prefix(Self.listLimit).map {
            MIDIAnalysis.TimeSignaturePoint(
                beat: $0.beat,
                numerator: $0.timeSignature.numerator,
                denominator: $0.timeSignature.denominator
            )
        }
        let keyPoints = keySignatures.filter(\.beat.isFinite).prefix(Self.listLimit).map {
            MIDIAnalysis.KeyPoint(
                beat: $0.beat,
                name: $0.keySignature.name,
                sharps: $0.keySignature.sharps,
                minor: $0.keySignature.isMinor
            )
        }
        let programs = Self.programsInUse(valid, changes: programChanges)
        let hasDrums = valid.contains { $0.isDrum }
        let trackFacts = tracks.enumerated().map { position, track in
            let trackNotes = perTrack[position].map { valid[$0] }
            let channels = Array(Set(trackNotes.map(\.channel))).sorted()
            return MIDIAnalysis.TrackFacts(
                index: track.index,
                name: track.name,
                channels: channels,
                noteCount: trackNoteCounts[position],
                pitchMin: trackNotes.map(\.pitch).min(),
                pitchMax: trackNotes.map(\.pitch).max(),
                isDrum: !trackNotes.isEmpty && trackNotes.allSatisfy(\.isDrum),
                isConductor: track.isConductor
            )
        }
        let structure = MIDIAnalysis.Structure(
            noteCount: notes.count,
            trackCount: tracks.count,
            durationBeats: durationBeats,
            durationSeconds: tempoMap.seconds(atBeat: durationBeats),
            barCount: barCount,
            initialTempoBPM: tempoMap.changes[0].bpm,
            firstTempoBPM: tempoMap.firstGiven?.bpm,
            tempoChangeCount: tempoMap.changes.count - 1,
            tempos: Array(tempoPoints),
            timeSignatureChangeCount: timeSignatureMap.count - 1,
            timeSignatures: Array(signaturePoints),
            key: keyPoints.first?.name,
            keySignatures: Array(keyPoints),
            instrumentCount: programs.count + (hasDrums ? 1 : 0),
            programs: programs,
            hasDrums: hasDrums,
            notesPerTrack: trackNoteCounts,
            polyphonyMean: polyphony.mean,
            polyphonyMax: polyphony.max,
            tracks: trackFacts
        )

        // Plausibility
        let velocities = valid.map { Double($0.velocity) }
        let velocityMean = Self.mean(velocities)
        let velocityVariance = Self.mean(velocities.map { ($0 - velocityMean) * ($0 - velocityMean) })
        let density = Self.barDensity(valid, bars: bars, barCount: barCount)
        let ngrams = Self.repeatedFourGrams(valid, perTrack: perTrack)
        let plausibility = MIDIAnalysis.Plausibility(
            pitchMin: pitched.map(\.pitch).min(),
            pitchMax: pitched.map(\.pitch).max(),
            pitchMinWithDrums: valid.map(\.pitch).min(),
            pitchMaxWithDrums: valid.map(\.pitch).max(),
            velocityMean: velocityMean,
            velocityStdev: velocityVariance.squareRoot(),
            velocityMin: valid.map(\.velocity).min(),
            velocityMax: valid.map(\.velocity).max(),
            notesPerBar: density,
            noteLengths: Self.distribution(valid.map(\.durationBeats)),
            interOnsetIntervals: Self.distribution(Self.interOnsetIntervals(valid, perTrack: perTrack)),
            pitch4GramCount: ngrams.count,
            repeated4GramFraction: ngrams.fraction
        )

        // Harmony
        var histogram = Array(repeating: 0, count: 12)
        for note in pitched { histogram[Self.pitchClass(note.pitch)] += 1 }
        let chordWindows = BeatGrid(signatures: timeSignatureMap, unit: \.beatLength)
        let chordChanges = Self.chordChanges(pitched, windows: chordWindows)
        let harmony = MIDIAnalysis.Harmony(
            pitchedNoteCount: pitched.count,
            pitchClassHistogram: histogram,
            pitchClassEntropyBits: Self.entropy(histogram),
            chordChanges: chordChanges,
            chordChangesPerBar: barCount == 0 ? 0 : Double(chordChanges) / Double(barCount)
        )

        // Humanisation
        let humanisation = Self.humanisation(valid, tempoMap: tempoMap, velocityVariance: velocityVariance)

        // Garbage
        let scoredTracks = tracks.count { !$0.isConductor }
        let emptyTracks = tracks.indices.count { !tracks[$0].isConductor && trackNoteCounts[$0] == 0 }
        let flaggedNotes = flaggedInvalid + flagged.count { $0 }
        let garbage = MIDIAnalysis.Garbage(
            zeroLengthNotes: valid.count { $0.durationBeats == 0 },
            extremePitchNotes: extremePitch,
            invalidPitchNotes: invalidPitch,
            impossibleVelocityNotes: impossibleVelocity,
            invalidTimingNotes: invalidTiming,
            spamNotes: spam.notes,
            spamBursts: spam.bursts,
            maxOnsetsPerQuarterBeat: spam.maxInWindow,
            emptyTracks: emptyTracks,
            flaggedNotes: flaggedNotes,
            flaggedFraction: notes.isEmpty ? 0 : Double(flaggedNotes) / Double(notes.count)
        )

        let score = QualityScore(
            structure: structure,
            plausibility: plausibility,
            harmony: harmony,
            garbage: garbage,
            validNotes: valid.count,
            tracksWithNotes: perTrack.count { !$0.isEmpty },
            scoredTracks: scoredTracks
        )
        return MIDIAnalysis(
            source: source,
            file: file,
            structure: structure,
            plausibility: plausibility,
            harmony: harmony,
            humanisation: humanisation,
            garbage: garbage,
            score: score
        )
    }

    // MARK: - Maps

    /// The time-signature map the metrics use: sorted by beat, changes at non-finite beats or past
    /// `maxBeat` dropped, negative beats moved to 0, the last of several at one beat kept, repeats of
    /// the signature in effect dropped, and 4/4 at beat 0 when nothing is in effect there.
    static func effectiveTimeSignatures(_ changes: [TimeSignatureChange]) -> [TimeSignatureChange] {
        let cleaned = changes.enumerated().compactMap { offset, change -> (Int, TimeSignatureChange)? in
            guard change.beat.isFinite, change.beat <= maxBeat else { return nil }
            var change = change
            change.beat = max(change.beat, 0)
            return (offset, change)
        }.sorted { $0.1.beat != $1.1.beat ? $0.1.beat < $1.1.beat : $0.0 < $1.0 }.map(\.1)
        var result: [TimeSignatureChange] = []
        for change in cleaned {
            if let last = result.last, last.beat == change.beat {
                result[result.count - 1] = change
            } else {
                result.append(change)
            }
        }
        if result.first?.beat != 0 {
            result.insert(TimeSignatureChange(beat: 0, timeSignature: .fourFour), at: 0)
        }
        var deduplicated: [TimeSignatureChange] = []
        for change in result where deduplicated.last?.timeSignature != change.timeSignature {
            deduplicated.append(change)
        }
        return deduplicated
    }

    /// Distinct programs in effect on the channels of pitched notes at their onsets, ascending.
    static func programsInUse(_ valid: [Note], changes: [ProgramChange]) -> [Int] {
        var current = Array(repeating: 0, count: 16)
        var used = Set<Int>()
        var next = 0
        for note in valid where !note.isDrum {
            while next < changes.count && changes[next].beat <= note.startBeat {
                let change = changes[next]
                if (0..<16).contains(change.channel) { current[change.channel] = change.program }
                next += 1
            }
            used.insert((0..<16).contains(note.channel) ? current[note.channel] : 0)
        }
        return used.sorted()
    }

    // MARK: - Per-track order

    /// For each track, the indices into `valid` of its notes, by onset then pitch.
    static func perTrackOrder(_ valid: [Note], trackCount: Int) -> [[Int]] {
        var groups = Array(repeating: [Int](), count: trackCount)
        for (index, note) in valid.enumerated() where groups.indices.contains(note.track) {
            groups[note.track].append(index)
        }
        for position in groups.indices {
            groups[position].sort { lhs, rhs in
                let left = valid[lhs]
                let right = valid[rhs]
                if left.startBeat != right.startBeat { return left.startBeat < right.startBeat }
                if left.pitch != right.pitch { return left.pitch < right.pitch }
                return lhs < rhs
            }
        }
        return groups
    }

    // MARK: - Metrics

    static func polyphony(of valid: [Note]) -> (mean: Double, max: Int) {
        var starts: [Double] = []  // already in order: `valid` is sorted by onset
        var ends: [Double] = []
        starts.reserveCapacity(valid.count)
        ends.reserveCapacity(valid.count)
        for note in valid where note.durationBeats > 0 {
            starts.append(note.startBeat)
            ends.append(note.endBeat)
        }
        ends.sort()
        var startIndex = 0
        var endIndex = 0
        var sounding = 0
        var maximum = 0
        var area = 0.0
        var soundingTime = 0.0
        var previous = 0.0
        // Merge the two sorted lists; at equal times ends come first, so touching notes do not overlap.
        while endIndex < ends.count {
            let takeEnd = startIndex >= starts.count || ends[endIndex] <= starts[startIndex]
            let time = takeEnd ? ends[endIndex] : starts[startIndex]
            if sounding > 0 {
                area += Double(sounding) * (time - previous)
                soundingTime += time - previous
            }
            previous = time
            if takeEnd {
                sounding -= 1
                endIndex += 1
            } else {
                sounding += 1
                startIndex += 1
                maximum = max(maximum, sounding)
            }
        }
        return (soundingTime > 0 ? area / soundingTime : 0, maximum)
    }

    static func barDensity(_ valid: [Note], bars: BeatGrid, barCount: Int) -> MIDIAnalysis.BarDensity {
        guard !valid.isEmpty, barCount > 0 else { return .init(mean: 0, min: 0, max: 0) }
        var maximum = 0
        var minimum = Int.max
        var barsWithOnsets = 0
        var currentBar = bars.index(at: valid[0].startBeat)
        var count = 0
        for note in valid {
            let bar = bars.index(at: note.startBeat)
            if bar != currentBar {
                maximum = max(maximum, count)
                minimum = min(minimum, count)
                barsWithOnsets += 1
                currentBar = bar
                count = 0
            }
            count += 1
        }
        maximum = max(maximum, count)
        minimum = min(minimum, count)
        barsWithOnsets += 1
        return .init(
            mean: Double(valid.count) / Double(barCount),
            min: barsWithOnsets < barCount ? 0 : minimum,
            max: maximum
        )
    }

    static func interOnsetIntervals(_ valid: [Note], perTrack: [[Int]]) -> [Double] {
        var intervals: [Double] = []
        for group in perTrack {
            var previous: Double?
            for index in group {
                let onset = valid[index].startBeat
                if let last = previous {
                    guard onset - last > epsilon else { continue }
                    intervals.append(onset - last)
                }
                previous = onset
            }
        }
        return intervals
    }

    static func repeatedFourGrams(_ valid: [Note], perTrack: [[Int]]) -> (count: Int, fraction: Double) {
        var total = 0
        var repeated = 0
        var keys: [UInt64] = []
        for group in perTrack where group.count >= 4 {
            // Pack the last four pitches (each shifted into 0...0xFFFF) into one key; sorting the keys
            // and counting equal neighbours finds the repeats faster than hashing them.
            keys.removeAll(keepingCapacity: true)
            var key: UInt64 = 0
            for (position, index) in group.enumerated() {
                let pitch = UInt64(truncatingIfNeeded: min(max(valid[index].pitch, -1), 0xFFFE) + 1)
                key = key << 16 | pitch
                if position >= 3 { keys.append(key) }
            }
            keys.sort()
            total += keys.count
            for position in keys.indices.dropFirst() where keys[position] == keys[position - 1] { repeated += 1 }
        }
        return (total, total == 0 ? 0 : Double(repeated) / Double(total))
    }

    static func chordChanges(_ pitched: [Note], windows: BeatGrid) -> Int {
        // Each note adds its pitch class to the windows it touches, [window of start, window of end];
        // events are packed as `window << 4 | pitch class`. Additions come in window order because
        // the notes are sorted by onset; removals are sorted here.
        var additions: [Int] = []
        var removals: [Int] = []
        additions.reserveCapacity(pitched.count)
        removals.reserveCapacity(pitched.count)
        for note in pitched {
            let first = windows.index(at: note.startBeat)
            let last = note.durationBeats > 0 ? max(first, windows.unitsBefore(note.endBeat) - 1) : first
            let pitchClass = pitchClass(note.pitch)
            additions.append(first << 4 | pitchClass)
            removals.append((last + 1) << 4 | pitchClass)
        }
        removals.sort()
        var counts = Array(repeating: 0, count: 12)
        var previousSet = 0
        var changes = 0
        var added = 0
        var removed = 0
        while added < additions.count || removed < removals.count {
            let window = min(
                added < additions.count ? additions[added] >> 4 : Int.max,
                removed < removals.count ? removals[removed] >> 4 : Int.max
            )
            while added < additions.count && additions[added] >> 4 == window {
                counts[additions[added] & 15] += 1
                added += 1
            }
            while removed < removals.count && removals[removed] >> 4 == window {
                counts[removals[removed] & 15] -= 1
                removed += 1
            }
            var set = 0
            for pitchClass in 0..<12 where counts[pitchClass] > 0 { set |= 1 << pitchClass }
            if set != 0 {
                if previousSet != 0 && set != previousSet { changes += 1 }
                previousSet = set
            }
        }
        return changes
    }

    static func humanisation(
        _ valid: [Note],
        tempoMap: TempoMap,
        velocityVariance: Double
    ) -> MIDIAnalysis.Humanisation {
        var absolute = 0.0
        var signed = 0.0
        var milliseconds = 0.0
        var onGrid = 0
        var onBeat = (sum: 0.0, count: 0)
        var offBeat = (sum: 0.0, count: 0)
        for note in valid {
            let deviation = note.startBeat - (note.startBeat * 4).rounded() / 4
            absolute += abs(deviation)
            signed += deviation
            milliseconds += abs(deviation) * 60_000 / tempoMap.tempo(atBeat: note.startBeat).bpm
            if abs(deviation) <= gridTolerance { onGrid += 1 }
            if abs(note.startBeat - note.startBeat.rounded()) <= gridTolerance {
                onBeat = (onBeat.sum + Double(note.velocity), onBeat.count + 1)
            } else {
                offBeat = (offBeat.sum + Double(note.velocity), offBeat.count + 1)
            }
        }
        let count = Double(max(valid.count, 1))
        return MIDIAnalysis.Humanisation(
            timingDeviationBeats: absolute / count,
            timingDeviationMs: milliseconds / count,
            signedTimingDeviationBeats: signed / count,
            onGridFraction: valid.isEmpty ? 0 : Double(onGrid) / count,
            velocityVariance: velocityVariance,
            distinctVelocities: Set(valid.map(\.velocity)).count,
            onBeatVelocityMean: onBeat.count > 0 ? onBeat.sum / Double(onBeat.count) : nil,
            offBeatVelocityMean: offBeat.count > 0 ? offBeat.sum / Double(offBeat.count) : nil
        )
    }

    /// Marks notes whose onset lies in a quarter-beat window with 32 or more onsets.
    static func spam(in valid: [Note], flagged: inout [Bool]) -> (notes: Int, bursts: Int, maxInWindow: Int) {
        var markedEnd = 0
        var notes = 0
        var bursts = 0
        var maximum = 0
        var end = 0
        for start in valid.indices {
            end = max(end, start)
            while end < valid.count && valid[end].startBeat < valid[start].startBeat + spamWindow { end += 1 }
            maximum = max(maximum, end - start)
            guard end - start >= spamThreshold else { continue }
            if start >= markedEnd { bursts += 1 }
            for index in max(start, markedEnd)..<end {
                flagged[index] = true
                notes += 1
            }
            markedEnd = max(markedEnd, end)
        }
        return (notes, bursts, maximum)
    }

    // MARK: - Statistics

    static func pitchClass(_ pitch: Int) -> Int {
        (pitch % 12 + 12) % 12
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// Shannon entropy in bits of a histogram.
    static func entropy(_ counts: [Int]) -> Double {
        let total = Double(counts.reduce(0, +))
        guard total > 0 else { return 0 }
        var bits = 0.0
        for count in counts where count > 0 {
            let share = Double(count) / total
            bits -= share * log2(share)
        }
        return max(bits, 0)
    }

    static func distribution(_ values: [Double]) -> MIDIAnalysis.Distribution {
        var counts = Array(repeating: 0, count: bucketBounds.count + 1)
        for value in values {
            let bucket = bucketBounds.firstIndex { value <= $0 + epsilon } ?? bucketBounds.count
            counts[bucket] += 1
        }
        let sorted = values.sorted()
        let median: Double
        if sorted.isEmpty {
            median = 0
        } else if sorted.count % 2 == 1 {
            median = sorted[sorted.count / 2]
        } else {
            median = (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        let buckets = counts.enumerated().map { index, count in
            MIDIAnalysis.Bucket(upperBeats: index < bucketBounds.count ? bucketBounds[index] : nil, count: count)
        }
        return MIDIAnalysis.Distribution(
            count: values.count,
            mean: mean(values),
            median: median,
            min: sorted.first,
            max: sorted.last,
            entropyBits: entropy(counts),
            buckets: buckets
        )
    }
}

/// Consecutive units (bars, or beats of the time signature) laid out from beat 0 by a time-signature
/// map; each signature change starts a new unit.
struct BeatGrid {
    private struct Segment {
        var start: Double
        var unit: Double
        var firstIndex: Int
    }

    private let segments: [Segment]

    init(signatures: [TimeSignatureChange], unit: KeyPath<TimeSignature, Double>) {
        var segments: [Segment] = []
        for (position, change) in signatures.enumerated() {
            var firstIndex = 0
            if position > 0 {
                let previous = segments[position - 1]
                let span = (change.beat - previous.start) / previous.unit
                firstIndex = previous.firstIndex + Int((span - AnalysisInput.epsilon).rounded(.up))
            }
            segments.append(
                Segment(start: change.beat, unit: change.timeSignature[keyPath: unit], firstIndex: firstIndex)
            )
        }
        self.segments = segments
    }

    private func segment(at beat: Double) -> Segment {
        var low = 0
        var high = segments.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if segments[middle].start <= beat { low = middle } else { high = middle - 1 }
        }
        return segments[low]
    }

    /// The index of the unit containing `beat` (0 ≤ beat ≤ `AnalysisInput.maxBeat`).
    func index(at beat: Double) -> Int {
        let segment = segment(at: beat)
        return segment.firstIndex + Int(((beat - segment.start) / segment.unit + AnalysisInput.epsilon).rounded(.down))
    }

    /// The number of units that start before `beat`.
    func unitsBefore(_ beat: Double) -> Int {
        let segment = segment(at: beat)
        let units = (beat - segment.start) / segment.unit
        return segment.firstIndex + Int((units - AnalysisInput.epsilon).rounded(.up))
    }
}
