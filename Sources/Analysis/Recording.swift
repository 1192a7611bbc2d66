public import Cassettes
import Foundation
import Vocabulary

/// One side of a diff: the cassettes of an artifact tree (`<dir>/cassettes/` plus `runs.jsonl` and the MIDI
/// summaries) or of a bare cassette session directory (`index.json` and `<run_id>.jsonl.gz`).
public struct Recording: Sendable {
    /// The directory given.
    public var path: String
    /// Each run's exchanges, sorted by ordinal then seq; untagged traffic is under `_default`.
    public var exchanges: [String: [Exchange]]
    /// Each run's status from `runs.jsonl` (artifact trees only).
    public var runStatuses: [String: String]
    /// Each run's MIDI summary (artifact trees only).
    public var midi: [String: MIDISummary]
    /// Things found odd while loading that do not stop the diff, one line each naming the file.
    public var warnings: [String] = []

    /// Makes a recording from its parts (tests build them by hand).
    public init(
        path: String,
        exchanges: [String: [Exchange]],
        runStatuses: [String: String] = [:],
        midi: [String: MIDISummary] = [:]
    ) {
        self.path = path
        self.exchanges = exchanges.mapValues(Self.ordered)
        self.runStatuses = runStatuses
        self.midi = midi
    }

    private static func ordered(_ exchanges: [Exchange]) -> [Exchange] {
        exchanges.sorted { ($0.ordinal, $0.seq) < ($1.ordinal, $1.seq) }
    }

    /// Reads the recording at `path`. Anything that cannot be read whole — a missing directory, a cassette that
    /// cannot be opened, is not version 1, has a damaged gzip stream or a malformed record, a damaged
    /// `runs.jsonl` line or MIDI summary — is an error naming the file, the record and the offset: a diff over
    /// half a recording would report the missing half as dropped.
    public static func load(path: String) throws(DiffError) -> Recording {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DiffError("\(path): not a directory (expected an artifact tree or a cassette session)")
        }
        let treeCassettes = ArtifactLayout(root: path).cassettesDirectory
        let isTree = SessionDirectory.exists(treeCassettes)
        let cassettes = isTree ? treeCassettes : path
        let names: [String]
        do {
            names = try SessionDirectory.cassetteFileNames(in: cassettes)
        } catch {
            throw DiffError(error.description)
        }
        guard !names.isEmpty || SessionDirectory.exists(cassettes + "/" + SessionDirectory.indexFileName) else {
            throw DiffError(
                "\(path): neither an artifact tree (no \(ArtifactLayout.cassettesDirectoryName)/) nor a cassette "
                    + "session (no \(SessionDirectory.indexFileName), no <run_id>.jsonl.gz)"
            )
        }
        var exchanges: [String: [Exchange]] = [:]
        var warnings: [String] = []
        for name in names {
            let cassette: Cassette
            do {
                cassette = try Cassette.load(path: cassettes + "/" + name)
            } catch {
                throw DiffError(error.description)
            }
            if let damage = cassette.damage { throw DiffError("\(damage)") }
            // A stale end record (count or digest) means the cassette was edited after recording: every record
            // is still whole, so the diff goes on and says so.
            let stale = cassette.problems.filter { $0.hasPrefix(cassette.path + ": the end record") }
            if let problem = cassette.problems.first(where: { !stale.contains($0) }) {
                throw DiffError(problem)
            }
            warnings += stale.map { $0 + " (edited after recording?)" }
            exchanges[cassette.run?.rawValue ?? RunID.untaggedName] = cassette.exchanges
        }
        var recording = Recording(path: path, exchanges: exchanges)
        recording.warnings = warnings
        if isTree {
            let tree = ArtifactTreeLoader.loadRunsAndMIDI(root: path)
            if let problem = tree.problems.first(where: { $0.problem != "missing" }) {
                throw DiffError("\(path)/\(problem)")
            }
            for run in tree.runs { recording.runStatuses[run.runID] = run.status }
            for summary in tree.midi { recording.midi[summary.runID] = summary }
        }
        return recording
    }
}
