/// A longest common subsequence of two key sequences: what the diff pairs exchanges of a run and events of a stream
/// with, so an inserted or removed element is one difference and the rest still pair.
enum SequenceAlignment {
    /// Pairs of aligned positions (a longest common subsequence of the keys, after the common prefix and suffix are
    /// taken off). When the middle is larger than `maximumCells`, it is paired by position instead.
    static func pairs(_ a: [String], _ b: [String], maximumCells: Int) -> [(Int, Int)] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
            suffix += 1
        }
        var pairs = (0..<prefix).map { ($0, $0) }
        let middleA = Array(a[prefix..<(a.count - suffix)])
        let middleB = Array(b[prefix..<(b.count - suffix)])
        let n = middleA.count
        let m = middleB.count
        if n > 0, m > 0 {
            if n * m > maximumCells {
                pairs += (0..<min(n, m)).filter { middleA[$0] == middleB[$0] }.map { (prefix + $0, prefix + $0) }
            } else {
                // lengths[i][j]: the LCS length of middleA[i...] and middleB[j...], in one flat array.
                var lengths = [Int32](repeating: 0, count: (n + 1) * (m + 1))
                for i in stride(from: n - 1, through: 0, by: -1) {
                    for j in stride(from: m - 1, through: 0, by: -1) {
                        lengths[i * (m + 1) + j] =
                            middleA[i] == middleB[j]
                            ? lengths[(i + 1) * (m + 1) + j + 1] + 1
                            : max(lengths[(i + 1) * (m + 1) + j], lengths[i * (m + 1) + j + 1])
                    }
                }
                var i = 0
                var j = 0
                while i < n, j < m {
                    if middleA[i] == middleB[j] {
                        pairs.append((prefix + i, prefix + j))
                        i += 1
                        j += 1
                    } else if lengths[(i + 1) * (m + 1) + j] >= lengths[i * (m + 1) + j + 1] {
                        i += 1
                    } else {
                        j += 1
                    }
                }
            }
        }
        pairs += (0..<suffix).map { (a.count - suffix + $0, b.count - suffix + $0) }
        return pairs
    }
}
