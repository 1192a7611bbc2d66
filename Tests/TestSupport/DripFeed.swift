/// Splits an input every way a network might deliver it, so a parser test can check that the split
/// never changes the result (the "drip-feed" property of incremental parsers).
///
/// Pieces are `ArraySlice`s of one array, so they keep their original indices: a parser that assumes
/// a slice starts at index 0 fails here.
public enum DripFeed {
    /// The splits of `input`: all of it at once, one byte at a time, every two-part split at each
    /// inner boundary, and `randomSplits` multi-part splits drawn from a generator seeded with `seed`.
    public static func everySplit(
        of input: [UInt8],
        randomSplits: Int = 16,
        seed: UInt64 = 0x7D_F5EE_D000
    ) -> [[ArraySlice<UInt8>]] {
        var splits: [[ArraySlice<UInt8>]] = [[input[...]]]
        if input.count > 1 {
            splits.append(input.indices.map { input[$0..<($0 + 1)] })
            for boundary in 1..<input.count {
                splits.append([input[..<boundary], input[boundary...]])
            }
        }
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<(input.count > 2 ? randomSplits : 0) {
            var cuts = Set<Int>()
            let cutCount = Int.random(in: 2...min(8, input.count - 1), using: &generator)
            while cuts.count < cutCount {
                cuts.insert(Int.random(in: 1..<input.count, using: &generator))
            }
            var pieces: [ArraySlice<UInt8>] = []
            var start = 0
            for cut in cuts.sorted() {
                pieces.append(input[start..<cut])
                start = cut
            }
            pieces.append(input[start...])
            splits.append(pieces)
        }
        return splits
    }

    /// Runs `parse` on every split of `input` and returns a description of the first split whose result
    /// differs from `expected`, or nil when all agree.
    public static func firstMismatch<Output: Equatable>(
        in input: [UInt8],
        expected: Output,
        parse: ([ArraySlice<UInt8>]) -> Output
    ) -> String? {
        for pieces in everySplit(of: input) {
            let output = parse(pieces)
            if output != expected {
                let sizes = pieces.map { String($0.count) }.joined(separator: "+")
                return "split \(sizes) of \(input.count) bytes gave \(output), expected \(expected)"
            }
        }
        return nil
    }
}
