/// One of `count` slices of a batch (`tdf run --shard 2/4`), so a CI matrix or a Kubernetes Indexed Job can fan a
/// large batch out over machines and `tdf merge` can put it back together.
///
/// `index` counts from 1, like `--shard` in jest and Playwright and like the run ids (`r_000001`); a 0-based
/// Kubernetes `JOB_COMPLETION_INDEX` is passed as `$((JOB_COMPLETION_INDEX + 1))/N`. Shard `index` holds a contiguous
/// block of run indexes; block sizes differ by at most one, the larger blocks first. Every id a run invents derives
/// from the seed and its run id alone (``RunIdentity``), so a run gives the same artifacts whichever shard runs it.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// The shard's position, from 1 to `count`.
    public let index: Int
    /// How many shards the batch is cut into.
    public let count: Int

    /// The largest shard count accepted (the largest `--runs`).
    public static let maximumCount = 100_000

    /// Parses `I/N`, e.g. `2/4`; the error says which part is wrong.
    public init(parsing text: String) throws(ShardError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw .unparsable(text: text)
        }
        guard (1...Self.maximumCount).contains(count) else { throw .countOutOfRange(text: text, count: count) }
        guard (1...count).contains(index) else { throw .indexOutOfRange(text: text, index: index, count: count) }
        self.init(index: index, count: count)
    }

    /// Shard `index` (from 1) of `count`, both already known to be in range.
    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }

    /// The run indexes of this shard in a batch of `runs` runs starting at `firstRunIndex` (empty when the batch has
    /// fewer runs than shards and this shard gets none).
    public func runIndexes(ofBatch runs: Int, firstRunIndex: Int = 1) -> Range<Int> {
        let size = max(0, runs) / count
        let larger = max(0, runs) % count
        func start(_ shard: Int) -> Int { firstRunIndex + shard * size + min(shard, larger) }
        return start(index - 1)..<start(index)
    }
}

/// A shard that cannot be used: the text given, or the shard and the batch it cannot be cut from.
public enum ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not `I/N` with whole numbers I and N.
    case unparsable(text: String)
    /// The count N is not from 1 to ``Shard/maximumCount``.
    case countOutOfRange(text: String, count: Int)
    /// The index I is not from 1 to the count N.
    case indexOutOfRange(text: String, index: Int, count: Int)
    /// The batch has fewer runs than the shard count, and this shard gets none.
    case noRuns(shard: Shard, batchRuns: Int)

    /// What is wrong, in the shard's terms.
    public var description: String {
        switch self {
        case .unparsable(let text): "the shard '\(text)' is not I/N, the shard I (counted from 1) of N shards"
        case .countOutOfRange(let text, _): "the shard \(text): N must be from 1 to \(Shard.maximumCount)"
        case .indexOutOfRange(let text, _, let count): "the shard \(text): I must be from 1 to \(count)"
        case .noRuns(let shard, let batchRuns): "the shard \(shard) gets no run of a batch of \(batchRuns) runs"
        }
    }
}
