/// Summary statistics of a sample: count, min, max, mean and the nearest-rank p50, p95 and p99.
public struct Distribution: Sendable, Equatable {
    /// The number of values.
    public var count: Int
    /// The smallest value (0 when empty).
    public var min: Double
    /// The largest value (0 when empty).
    public var max: Double
    /// The arithmetic mean (0 when empty).
    public var mean: Double
    /// The median (nearest rank).
    public var p50: Double
    /// The 95th percentile (nearest rank).
    public var p95: Double
    /// The 99th percentile (nearest rank).
    public var p99: Double

    /// Summarises `values`.
    public init(_ values: [Double]) {
        let sorted = values.filter(\.isFinite).sorted()
        count = sorted.count
        min = sorted.first ?? 0
        max = sorted.last ?? 0
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        p50 = Self.percentile(0.50, of: sorted)
        p95 = Self.percentile(0.95, of: sorted)
        p99 = Self.percentile(0.99, of: sorted)
    }

    /// The nearest-rank percentile `fraction` (0–1) of already sorted values; 0 when empty.
    public static func percentile(_ fraction: Double, of sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }
}
