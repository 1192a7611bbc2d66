public import Cassettes
import Foundation
public import Harness
import Sockets
import Vocabulary

/// Joins the artifact trees and cassette sessions of a batch's shards into one tree, as if one unsharded batch had
/// made it; or, given only bare cassette sessions (the directories `tdf proxy --cassettes` records into), joins them
/// into one session. The result is built beside its destination and renamed into place only when complete.
public enum ShardMerge {
    /// What a merge produced.
    public struct Outcome: Sendable {
        /// Runs in the merged tree.
        public let runs: Int
        /// How many trees were merged.
        public let trees: Int
        /// Files copied from the inputs.
        public let copiedFiles: Int
        /// The merged cassettes; those not complete were damaged or unfinished in their shard and copied as they are.
        public let cassettes: [CassetteSummary]
        /// Derived parts of the inputs left out (report/, tourdeforce.db): rebuild them with a report.
        public let droppedDerived: [String]
        /// Whether the inputs were bare cassette sessions, merged into one session rather than a tree.
        public var isSessionMerge = false
    }

    /// Why a merge did not happen: the inputs cannot be merged (`isInputProblem`), or the output cannot be written.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The artifact trees cannot be merged, or the merged tree cannot be written.
        case artifacts(ArtifactMergeError)
        /// The cassette sessions cannot be merged: an input cannot be read, or (`writing`) the merge cannot be written.
        case cassettes(CassetteError, writing: Bool)

        /// True when the inputs are at fault; false when the output could not be written.
        public var isInputProblem: Bool {
            switch self {
            case .artifacts(let error): error.isInputProblem
            case .cassettes(_, let writing): !writing
            }
        }

        /// One line naming the tree or file.
        public var description: String {
            switch self {
            case .artifacts(let error): error.description
            case .cassettes(let error, _): "cannot merge the cassettes: \(error)"
            }
        }
    }

    /// Merges `trees` into `destination` (which must be new or empty unless `replacing`): artifact trees into a tree,
    /// or bare cassette sessions (no `config.json`; `index.json` or cassettes) into a session; a mix is refused,
    /// naming the first input of each kind. Merging reads and writes
    /// thousands of files; it runs on a thread of its own so it never holds one of the cooperative pool's threads.
    public static func merge(
        _ trees: [String],
        into destination: String,
        replacing: Bool,
        toolVersion: String = Release.version
    ) async throws(Failure) -> Outcome {
        try await OwnThread.run(name: "tdf-merge") { () throws(Failure) in
            try mergeBlocking(trees, into: destination, replacing: replacing, toolVersion: toolVersion)
        }
    }

    private static func mergeBlocking(
        _ trees: [String],
        into destination: String,
        replacing: Bool,
        toolVersion: String
    ) throws(Failure) -> Outcome {
        let sessions = trees.filter(isBareSession)
        if !sessions.isEmpty {
            guard let tree = trees.first(where: { !isBareSession($0) }) else {
                return try mergeSessions(sessions, into: destination, replacing: replacing, toolVersion: toolVersion)
            }
            throw .artifacts(
                .input(
                    "\(sessions[0]) is a bare cassette session (no config.json) but \(tree) is not: merge artifact "
                        + "trees (the --out of tdf run) or cassette sessions (the --cassettes of tdf proxy), not both"
                )
            )
        }
        let merge: ArtifactMerge
        let staged: StagedDirectory
        let outcome: ArtifactMerge.Outcome
        do {
            merge = try ArtifactMerge(trees: trees)
            staged = try StagedDirectory(destination: destination, replacing: replacing, inputs: merge.trees)
        } catch {
            throw .artifacts(error)
        }
        do {
            outcome = try merge.write(into: staged.path, destination: destination, toolVersion: toolVersion)
        } catch {
            staged.discard()
            throw .artifacts(error)
        }
        var cassettes: [CassetteSummary] = []
        if !merge.cassetteDirectories.isEmpty {
            cassettes = try mergeCassettes(
                merge.cassetteDirectories,
                into: ArtifactLayout(root: staged.path).cassettesDirectory,
                staged: staged,
                toolVersion: toolVersion
            )
        }
        try commit(staged)
        return Outcome(
            runs: outcome.runs,
            trees: merge.trees.count,
            copiedFiles: outcome.copiedFiles,
            cassettes: cassettes,
            droppedDerived: outcome.droppedDerived
        )
    }

    /// Merges the cassette sessions `sessions` into `directory`, inside `staged`, which is discarded on failure.
    private static func mergeCassettes(
        _ sessions: [String],
        into directory: String,
        staged: StagedDirectory,
        toolVersion: String
    ) throws(Failure) -> [CassetteSummary] {
        do {
            return try SessionMerge.merge(sessions, into: directory, toolVersion: toolVersion)
        } catch {
            staged.discard()
            // A cassette that cannot be written is the environment's fault; one that cannot be read, the input's.
            throw .cassettes(error, writing: error.path?.hasPrefix(staged.path) ?? false)
        }
    }

    /// Puts the staged merge in place; it is discarded on failure.
    private static func commit(_ staged: StagedDirectory) throws(Failure) {
        do {
            try staged.commit()
        } catch {
            staged.discard()
            throw .artifacts(error)
        }
    }

    /// Whether `path` is a session directory `tdf proxy` recorded into rather than an artifact tree: it has no
    /// `config.json`, and it has an `index.json` or a cassette.
    private static func isBareSession(_ path: String) -> Bool {
        guard !SessionDirectory.exists(ArtifactLayout(root: path).configurationFile) else { return false }
        return SessionDirectory.exists(path + "/" + SessionDirectory.indexFileName)
            || !((try? SessionDirectory.cassetteFileNames(in: path)) ?? []).isEmpty
    }

    /// Merges bare cassette sessions (``SessionMerge``) into a new session at `destination`.
    private static func mergeSessions(
        _ sessions: [String],
        into destination: String,
        replacing: Bool,
        toolVersion: String
    ) throws(Failure) -> Outcome {
        let staged: StagedDirectory
        do {
            staged = try StagedDirectory(destination: destination, replacing: replacing, inputs: sessions)
        } catch {
            throw .artifacts(error)
        }
        let cassettes = try mergeCassettes(sessions, into: staged.path, staged: staged, toolVersion: toolVersion)
        try commit(staged)
        return Outcome(
            runs: cassettes.count { $0.run != nil },
            trees: sessions.count,
            copiedFiles: cassettes.count,
            cassettes: cassettes,
            droppedDerived: [],
            isSessionMerge: true
        )
    }
}
