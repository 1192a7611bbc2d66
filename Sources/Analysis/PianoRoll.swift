import Foundation
import MIDI
import Vocabulary

/// One note of a piano roll, in beats.
public struct PianoRollNote: Sendable, Equatable {
    /// MIDI pitch (0–127).
    public var pitch: Int
    /// Onset, in beats.
    public var startBeat: Double
    /// Length, in beats.
    public var durationBeats: Double
    /// Velocity (1–127).
    public var velocity: Int
    /// Whether it is on the drum channel.
    public var isDrum: Bool
    /// Its track: an index into the roll's ``PianoRoll/tracks``.
    public var track: Int

    /// Makes a note.
    public init(pitch: Int, startBeat: Double, durationBeats: Double, velocity: Int, isDrum: Bool, track: Int = 0) {
        self.pitch = pitch
        self.startBeat = startBeat
        self.durationBeats = durationBeats
        self.velocity = velocity
        self.isDrum = isDrum
        self.track = track
    }
}

/// The notes of one run's downloaded `.mid` files, for a piano roll.
public struct PianoRoll: Sendable, Equatable {
    /// The run id.
    public var runID: String
    /// Every note of every `.mid` file of the run, in onset order.
    public var notes: [PianoRollNote]
    /// The files read.
    public var files: [String]
    /// The tracks that hold notes, as a legend names them: the track's name, else `track N`, with the file's
    /// name in front when the run has several files.
    public var tracks: [String] = []

    /// Reads `midi/run_<runID>/*.mid` under `root`; an unreadable file is returned as a problem naming it.
    public static func load(root: String, runID: String) -> (roll: PianoRoll, problems: [InputProblem]) {
        let layout = ArtifactLayout(root: root)
        let relativeDirectory = ArtifactLayout.midiDirectoryName(run: runID)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: layout.midiDirectory(run: runID))) ?? [])
            .filter { $0.hasSuffix(".mid") }.sorted()
        var roll = PianoRoll(runID: runID, notes: [], files: [])
        var problems: [InputProblem] = []
        for name in names {
            let fileLabel = names.count > 1 ? name + ": " : ""
            let relative = relativeDirectory + "/" + name
            guard let data = FileManager.default.contents(atPath: layout.path(relative)) else {
                problems.append(InputProblem(file: relative, problem: "cannot be read"))
                continue
            }
            do {
                let file = try StandardMIDIFile(bytes: Array(data))
                roll.files.append(name)
                var legendIndex: [Int: Int] = [:]
                for note in file.notes {
                    if legendIndex[note.track] == nil {
                        let track = file.tracks.first { $0.index == note.track }
                        legendIndex[note.track] = roll.tracks.count
                        roll.tracks.append(fileLabel + (track?.name ?? "track \(note.track)"))
                    }
                    roll.notes.append(
                        PianoRollNote(
                            pitch: note.pitch,
                            startBeat: note.startBeat,
                            durationBeats: note.durationBeats,
                            velocity: note.velocity,
                            isDrum: note.isDrum,
                            track: legendIndex[note.track] ?? 0
                        )
                    )
                }
            } catch {
                problems.append(InputProblem(file: relative, problem: "not a readable MIDI file (\(error))"))
            }
        }
        roll.notes.sort { $0.startBeat != $1.startBeat ? $0.startBeat < $1.startBeat : $0.pitch < $1.pitch }
        return (roll, problems)
    }
}

extension RunAnalysis {
    /// Reads the piano rolls of the best and the worst run (the only file reading an analysis does after loading);
    /// unreadable MIDI files are added to the tree's problems.
    public mutating func loadPianoRolls() {
        var seen = Set<String>()
        for run in [best, worst].compactMap({ $0 }) where seen.insert(run.runID).inserted {
            let (roll, problems) = PianoRoll.load(root: tree.root, runID: run.runID)
            tree.problems += problems
            if !roll.notes.isEmpty { pianoRolls.append(roll) }
        }
    }
}
