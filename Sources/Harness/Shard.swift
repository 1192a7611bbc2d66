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

    /// Parses `I/N`, e.g. `2/4`; the error is one line that says what to write instead.
    public init(parsing text: String) throws(ShardError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardError("--shard takes I/N, the shard I (counted from 1) of N shards, e.g. 2/4, not '\(text)'")
        }
        guard (1...Self.maximumCount).contains(count) else {
            throw ShardError("--shard \(text): N must be from 1 to \(Self.maximumCount)")
        }
        guard (1...count).contains(index) else {
            throw ShardError(
                "--shard \(text): I counts from 1 and must be from 1 to \(count) "
                    + "(a 0-based index such as JOB_COMPLETION_INDEX is passed as index+1)"
            )
        }
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

/// A `--shard` value that cannot be used, with the one line that says why.
public struct ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and what to write instead.
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
