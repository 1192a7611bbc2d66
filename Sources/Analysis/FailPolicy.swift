import Foundation
import JSON

/// When a diff fails a CI build (`tdf diff --fail-on SPEC`).
///
/// SPEC is a comma-separated list of items:
/// - a category name (`status`, `sse-order`, …): fail on any difference of that category;
/// - `CATEGORY=N`: fail on more than N differences of that category;
/// - `contract`, `content`: fail on any difference of that class; `any`: on any contract or content difference;
/// - `quality-drop=N`: fail when a run's MIDI quality score dropped by more than N points;
/// - `latency-p50=+N%`, `latency-p95=+N%` (or `+Nms`): fail when an endpoint's percentile rose by more than that
///   (a percentage also by more than 50 ms);
/// - `latency-outlier=+Nms` or `latency-outlier=Fx`: fail when one exchange's total time rose by more than N ms, or
///   to more than F times its partner's (and by more than 50 ms).
public struct FailPolicy: Sendable, Equatable {
    /// One condition of a policy.
    public enum Rule: Sendable, Equatable {
        /// More than `allowed` differences of the category.
        case category(DiffCategory, allowed: Int)
        /// Any difference of the class.
        case kind(DiffCategory.Kind)
        /// A MIDI quality score dropped by more than this many points.
        case qualityDrop(Double)
        /// A latency percentile rose by more than this fraction (0.5 = +50%).
        case latencyRise(DiffCategory, fraction: Double)
        /// A latency percentile rose by more than this many milliseconds.
        case latencyRiseMilliseconds(DiffCategory, Double)
        /// One exchange's total time rose by more than this many milliseconds.
        case outlierRiseMilliseconds(Double)
        /// One exchange's total time rose to more than this many times its partner's.
        case outlierFactor(Double)
    }

    /// The conditions, in the order given.
    public var rules: [Rule]

    /// Without `--fail-on`: any contract or content difference fails; latency never does.
    public static let anyDifference = FailPolicy(rules: [.kind(.contract), .kind(.content)])

    /// Makes a policy.
    public init(rules: [Rule]) {
        self.rules = rules
    }

    /// The names an item may start with.
    public static let itemNames = ["contract", "content", "any", "quality-drop=N"] + DiffCategory.all.map(\.name)

    /// Parses a `--fail-on` SPEC; the error names the item that is wrong and what is wrong with it.
    public init(parsing spec: String) throws(FailPolicyError) {
        var rules: [Rule] = []
        for raw in spec.split(separator: ",", omittingEmptySubsequences: false) {
            let item = raw.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { throw .emptyItem(spec: spec) }
            if item == "any" {
                rules += FailPolicy.anyDifference.rules
                continue
            }
            rules.append(try Self.rule(item))
        }
        self.rules = rules
    }

    private static func rule(_ item: String) throws(FailPolicyError) -> Rule {
        let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
        let name = parts[0]
        let value = parts.count > 1 ? parts[1] : nil
        switch (name, value) {
        case ("contract", nil): return .kind(.contract)
        case ("content", nil): return .kind(.content)
        case ("quality-drop", let text?):
            guard let points = Double(text), points >= 0 else { throw .invalidQualityDrop(item: item) }
            return .qualityDrop(points)
        case ("latency-p50", let text?), ("latency-p95", let text?):
            let category = DiffCategory(named: name)!
            var number = Substring(text)
            if number.hasPrefix("+") { number = number.dropFirst() }
            if number.hasSuffix("%"), let percent = Double(number.dropLast()), percent >= 0 {
                return .latencyRise(category, fraction: percent / 100)
            }
            if number.hasSuffix("ms"), let milliseconds = Double(number.dropLast(2)), milliseconds >= 0 {
                return .latencyRiseMilliseconds(category, milliseconds)
            }
            throw .invalidLatencyRise(item: item, category: category)
        case ("latency-outlier", let text?):
            if text.hasPrefix("+"), text.hasSuffix("ms"), let milliseconds = Double(text.dropFirst().dropLast(2)),
                milliseconds >= 0
            {
                return .outlierRiseMilliseconds(milliseconds)
            }
            if text.hasSuffix("x"), let factor = Double(text.dropLast()), factor >= 1 {
                return .outlierFactor(factor)
            }
            throw .invalidOutlier(item: item)
        default:
            guard let category = DiffCategory(named: name) else { throw .unknownItem(item) }
            guard let value else { return .category(category, allowed: 0) }
            guard let allowed = Int(value), allowed >= 0 else {
                throw .invalidAllowance(item: item, category: category)
            }
            return .category(category, allowed: allowed)
        }
    }

    /// Why `diff` fails this policy, one line per rule that is broken; empty when it passes. A relative latency
    /// rise counts only when it is also more than `absoluteFloor` milliseconds: loopback timings of a few
    /// milliseconds double from scheduling noise alone.
    public func violations(
        of diff: RecordingDiff,
        absoluteFloor: Double = DiffOptions().latencyAbsoluteToleranceMilliseconds
    ) -> [String] {
        var lines: [String] = []
        for rule in rules {
            switch rule {
            case .kind(let kind):
                let count = diff.count(of: kind)
                if count > 0 { lines.append("\(count) \(kind.rawValue) differences") }
            case .category(let category, let allowed):
                let count = diff.count(category)
                if count > allowed { lines.append("\(count) \(category.name) differences (allowed \(allowed))") }
            case .qualityDrop(let points):
                for drop in diff.differences
                where drop.category == .midi && drop.path == "midi_summary score" && (drop.delta ?? 0) < -points {
                    lines.append(
                        "\(drop.run ?? "?"): MIDI quality score dropped \(drop.before ?? "?") → \(drop.after ?? "?") "
                            + "(more than \(RecordingDiff.points(points)) points)"
                    )
                }
            case .latencyRise(let category, let fraction):
                for row in diff.latency {
                    let (before, after) = category == .latencyP50 ? (row.p50A, row.p50B) : (row.p95A, row.p95B)
                    if before > 0, after > before * (1 + fraction), after - before > absoluteFloor {
                        lines.append(
                            "\(row.endpoint): \(category.name) rose \(Int(saturating: (((after - before) / before) * 100).rounded()))% "
                                + "(limit +\(RecordingDiff.points(fraction * 100))%)"
                        )
                    }
                }
            case .latencyRiseMilliseconds(let category, let limit):
                for row in diff.latency {
                    let (before, after) = category == .latencyP50 ? (row.p50A, row.p50B) : (row.p95A, row.p95B)
                    if after - before > limit {
                        lines.append(
                            "\(row.endpoint): \(category.name) rose \(RecordingDiff.points(after - before)) ms "
                                + "(limit +\(RecordingDiff.points(limit)) ms)"
                        )
                    }
                }
            case .outlierRiseMilliseconds(let limit):
                for outlier in Self.outliers(in: diff) where outlier.after - outlier.before > limit {
                    lines.append(
                        "\(outlier.place): total time rose \(RecordingDiff.points(outlier.after - outlier.before)) ms "
                            + "(limit +\(RecordingDiff.points(limit)) ms)"
                    )
                }
            case .outlierFactor(let factor):
                for outlier in Self.outliers(in: diff)
                where outlier.after > outlier.before * factor && outlier.after - outlier.before > absoluteFloor {
                    lines.append(
                        "\(outlier.place): total time \(RecordingDiff.points(outlier.before)) ms → "
                            + "\(RecordingDiff.points(outlier.after)) ms (limit \(RecordingDiff.points(factor))x)"
                    )
                }
            }
        }
        return lines
    }

    /// The listed latency outliers: where, and the total time in A and in B.
    private static func outliers(in diff: RecordingDiff) -> [(place: String, before: Double, after: Double)] {
        diff.differences.compactMap { difference in
            guard difference.category == .latencyOutlier, let before = difference.before.flatMap(Double.init),
                let after = difference.after.flatMap(Double.init)
            else { return nil }
            let place = [difference.run, difference.exchange?.label].compactMap { $0 }.joined(separator: " ")
            return (place, before, after)
        }
    }
}

/// A fail policy SPEC that cannot be parsed: which item, and what is wrong with it.
public enum FailPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The SPEC, given here, has an empty item.
    case emptyItem(spec: String)
    /// The item names no category, class or condition (``FailPolicy/itemNames`` lists those it may name).
    case unknownItem(String)
    /// A `quality-drop` item's value is not a number of points, 0 or more.
    case invalidQualityDrop(item: String)
    /// A latency item's value is not a rise like `+50%` or `+100ms`.
    case invalidLatencyRise(item: String, category: DiffCategory)
    /// A category item's value is not a whole number of allowed differences, 0 or more.
    case invalidAllowance(item: String, category: DiffCategory)
    /// A `latency-outlier` item's value is not a rise like `+500ms` or a factor like `3x`.
    case invalidOutlier(item: String)

    /// What is wrong, in the policy's terms.
    public var description: String {
        switch self {
        case .emptyItem(let spec): "the fail policy '\(spec)' has an empty item"
        case .unknownItem(let item):
            "the fail policy item '\(item)' is not one of " + FailPolicy.itemNames.joined(separator: ", ")
        case .invalidQualityDrop(let item): "the fail policy item '\(item)' does not give a number of points"
        case .invalidLatencyRise(let item, _): "the fail policy item '\(item)' does not give a rise like +50% or +100ms"
        case .invalidOutlier(let item):
            "the fail policy item '\(item)' does not give a rise like +500ms or a factor like 3x"
        case .invalidAllowance(let item, _):
            "the fail policy item '\(item)' does not give a whole number of allowed differences"
        }
    }
}
