public import Cassettes
import Foundation
public import Harness
import Vocabulary

/// Joins the artifact trees and cassette sessions of a batch's shards into one tree, as if one unsharded batch had
/// made it. The merged tree is built beside its destination and renamed into place only when complete.
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

    /// Merges `trees` into `destination` (which must be new or empty unless `replacing`). Merging reads and writes
    /// thousands of files; it runs on a thread of its own so it never holds one of the cooperative pool's threads.
    public static func merge(
        _ trees: [String],
        into destination: String,
        replacing: Bool,
        toolVersion: String = Release.version
    ) async throws(Failure) -> Outcome {
        let result = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    returning: Result { () throws(Failure) in
                        try mergeBlocking(trees, into: destination, replacing: replacing, toolVersion: toolVersion)
                    }
                )
            }
            thread.name = "tdf-merge"
            thread.stackSize = 8 << 20
            thread.start()
        }
        return try result.get()
    }

    private static func mergeBlocking(
        _ trees: [String],
        into destination: String,
        replacing: Bool,
        toolVersion: String
    ) throws(Failure) -> Outcome {
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
            do {
                cassettes = try SessionMerge.merge(
                    merge.cassetteDirectories,
                    into: ArtifactLayout(root: staged.path).cassettesDirectory,
                    toolVersion: toolVersion
                )
            } catch {
                staged.discard()
                // A cassette that cannot be written is the environment's fault; one that cannot be read, the input's.
                throw .cassettes(error, writing: error.path?.hasPrefix(staged.path) ?? false)
            }
        }
        do {
            try staged.commit()
        } catch {
            staged.discard()
            throw .artifacts(error)
        }
        return Outcome(
            runs: outcome.runs,
            trees: merge.trees.count,
            copiedFiles: outcome.copiedFiles,
            cassettes: cassettes,
            droppedDerived: outcome.droppedDerived
        )
    }
}
