public import Cassettes
import Foundation
import Harness

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
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// One line naming the tree or file.
        public let description: String
        /// True when the inputs are at fault; false when the output could not be written.
        public let isInputProblem: Bool
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
        do {
            let merge = try ArtifactMerge(trees: trees)
            let staged = try StagedDirectory(destination: destination, replacing: replacing, inputs: merge.trees)
            do {
                let outcome = try merge.write(into: staged.path, destination: destination, toolVersion: toolVersion)
                var cassettes: [CassetteSummary] = []
                if !merge.cassetteDirectories.isEmpty {
                    cassettes = try SessionMerge.merge(
                        merge.cassetteDirectories,
                        into: staged.path + "/cassettes",
                        toolVersion: toolVersion
                    )
                }
                try staged.commit()
                return Outcome(
                    runs: outcome.runs,
                    trees: merge.trees.count,
                    copiedFiles: outcome.copiedFiles,
                    cassettes: cassettes,
                    droppedDerived: outcome.droppedDerived
                )
            } catch let error as CassetteError {
                staged.discard()
                // A cassette that cannot be written is the environment's fault; one that cannot be read, the input's.
                let writing = error.path?.hasPrefix(staged.path) ?? false
                throw Failure(description: "cannot merge the cassettes: \(error)", isInputProblem: !writing)
            } catch {
                staged.discard()
                throw error
            }
        } catch let error as Failure {
            throw error
        } catch let error as ArtifactMergeError {
            throw Failure(description: error.message, isInputProblem: error.isInputProblem)
        } catch {
            throw Failure(description: "\(error)", isInputProblem: false)
        }
    }
}
