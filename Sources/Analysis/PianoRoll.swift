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

    /// Makes a note.
    public init(pitch: Int, startBeat: Double, durationBeats: Double, velocity: Int, isDrum: Bool) {
        self.pitch = pitch
        self.startBeat = startBeat
        self.durationBeats = durationBeats
        self.velocity = velocity
        self.isDrum = isDrum
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

    /// Reads `midi/run_<runID>/*.mid` under `root`; an unreadable file is returned as a problem naming it.
    public static func load(root: String, runID: String) -> (roll: PianoRoll, problems: [InputProblem]) {
        let layout = ArtifactLayout(root: root)
        let relativeDirectory = ArtifactLayout.midiDirectoryName(run: runID)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: layout.midiDirectory(run: runID))) ?? [])
            .filter { $0.hasSuffix(".mid") }.sorted()
        var roll = PianoRoll(runID: runID, notes: [], files: [])
        var problems: [InputProblem] = []
        for name in names {
            let relative = relativeDirectory + "/" + name
            guard let data = FileManager.default.contents(atPath: layout.path(relative)) else {
                problems.append(InputProblem(file: relative, problem: "cannot be read"))
                continue
            }
            do {
                let file = try StandardMIDIFile(bytes: Array(data))
                roll.files.append(name)
                roll.notes += file.notes.map {
                    PianoRollNote(
                        pitch: $0.pitch,
                        startBeat: $0.startBeat,
                        durationBeats: $0.durationBeats,
                        velocity: $0.velocity,
                        isDrum: $0.isDrum
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
