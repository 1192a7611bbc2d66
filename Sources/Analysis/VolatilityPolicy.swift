import Cassettes
import Foundation
public import JSON
import Vocabulary

/// What may differ between two recordings of the same behaviour although nothing a client relies on changed: the
/// wall clock (times and durations), ids a server invents, and the ports that services on loopback listen on. A
/// comparison takes its rules from a policy: it does not compare the values of volatile members, and it masks the
/// volatile text inside a string before comparing strings.
///
/// Two comparisons use it, and meet different things. `tdf diff` compares two independent recordings, where every
/// id the backend invents and every time is new: ``diff``. A replay runs a recording again against its own
/// cassettes, which serve every recorded id back, so only the harness's own times and the ports of the proxy it
/// starts anew can differ: ``replay`` ignores those and nothing else, so that a replay that invents anything shows.
public struct VolatilityPolicy: Sendable {
    /// Kinds of volatile text inside a string.
    public struct TextRules: OptionSet, Sendable {
        /// The kinds, one bit each.
        public let rawValue: Int

        /// The kinds whose bits are set in `rawValue`.
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// The port of every `http://` or `https://` URL, whatever its host, is masked as `PORT`
        /// (`http://127.0.0.1:PORT/api`): a replay's proxy listens on new ports, and the artifacts name them.
        public static let urlPorts = TextRules(rawValue: 1 << 0)
        /// `127.0.0.1:N` and `localhost:N`, with or without a scheme, are masked as `{port}` (the colon included):
        /// every recording chooses its loopback listeners' ports anew.
        public static let loopbackPorts = TextRules(rawValue: 1 << 1)
        /// Every token of 8 or more hex digits and dashes holding a digit, alone or after `_`, is masked as `{id}`
        /// (UUIDs, `toolu_…`, `t_…`, `b0_cbe4981e.mid`): the backend invents such ids anew on every run.
        public static let inventedIDs = TextRules(rawValue: 1 << 2)
        /// Any two strings that are each an ISO 8601 UTC time are equal: they say when a recording was made, not
        /// what it did. (An equivalence, not a mask: ``VolatilityPolicy/equivalent(_:_:)`` applies it.)
        public static let times = TextRules(rawValue: 1 << 3)
    }

    /// Member names whose values are volatile wherever they appear, at any depth.
    public var members: Set<String>
    /// Further volatile locations, in ``JSONPath`` syntax: the user's (`tdf diff --ignore`).
    public var paths: [JSONPath]
    /// The volatile text masked inside strings.
    public var textRules: TextRules

    /// A policy of these members, paths and text rules.
    public init(members: Set<String>, paths: [JSONPath] = [], textRules: TextRules) {
        self.members = members
        self.paths = paths
        self.textRules = textRules
    }

    /// `tdf diff`'s policy: two independent recordings have their own times, durations, trace and request ids, ids
    /// inside strings and loopback ports.
    public static let diff = VolatilityPolicy(
        members: [
            "timestamp", "created", "created_at", "createdAt", "updated", "updated_at", "updatedAt", "started_at",
            "startedAt", "finished_at", "durationMs", "duration_ms", "elapsedMs", "elapsed_ms", "at_ms", "ttfb_ms",
            "total_ms", "latencyMs", "latency_ms", "traceId", "trace_id", "requestId", "request_id",
        ],
        textRules: [.inventedIDs, .loopbackPorts, .times]
    )

    /// The replay comparison's policy: only the wall clock, as the harness writes it into its artifacts (`ts`, the
    /// start and end of a run, its durations), and the ports of the replay's proxy. The cassettes serve the backend's
    /// ids and times back as recorded, so those must come back unchanged.
    public static let replay = VolatilityPolicy(
        members: ["ts", "started_at", "finished_at", "duration_ms", "ttfb_ms", "total_ms", "elapsed_ms"],
        textRules: .urlPorts
    )

    /// Whether the value at `location` is volatile: its member name is one of ``members``, or one of ``paths``
    /// matches it.
    public func isVolatile(_ location: [JSONPath.Component]) -> Bool {
        if case .key(let name)? = location.last, members.contains(name) { return true }
        return paths.contains { $0.matches(location) }
    }

    /// `text` with its volatile text masked by ``textRules`` (times are not masked: see ``equivalent(_:_:)``).
    public func mask(_ text: String) -> String {
        var masked = text
        if textRules.contains(.urlPorts) { masked = Self.maskingURLPorts(masked) }
        if !textRules.isDisjoint(with: [.loopbackPorts, .inventedIDs]) { masked = maskingTokens(masked) }
        return masked
    }

    /// Whether `a` and `b` are equal once their volatile text is masked, or, under ``TextRules/times``, are both
    /// times.
    public func equivalent(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        if textRules.contains(.times), Timestamp(iso8601: a) != nil, Timestamp(iso8601: b) != nil { return true }
        return mask(a) == mask(b)
    }

    // MARK: - Masking

    /// `text` with the port of every `http://host:port` replaced by `PORT`.
    private static func maskingURLPorts(_ text: String) -> String {
        guard text.mayContain("://"), text.contains("://") else { return text }
        return text.replacingOccurrences(
            of: #"(https?://[A-Za-z0-9.\-\[\]]+):[0-9]+"#,
            with: "$1:PORT",
            options: .regularExpression
        )
    }

    /// `text` with every loopback port as `{port}` and every id-like token as `{id}`, as far as ``textRules`` say.
    private func maskingTokens(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if textRules.contains(.loopbackPorts), let end = Self.loopbackPortEnd(scalars, at: index) {
                output.append(contentsOf: "{port}".unicodeScalars)
                index = end
                continue
            }
            var end = index
            var hasDigit = false
            while end < scalars.count, scalars[end].properties.isASCIIHexDigit || scalars[end] == "-" {
                if ("0"..."9").contains(scalars[end]) { hasDigit = true }
                end += 1
            }
            let startsToken = index == 0 || !Self.isWordCharacter(scalars[index - 1])
            let endsToken = end == scalars.count || !Self.isWordCharacter(scalars[end])
            if textRules.contains(.inventedIDs), end - index >= 8, hasDigit,
                startsToken || scalars[index - 1] == "_", endsToken
            {
                output.append(contentsOf: "{id}".unicodeScalars)
                index = end
            } else {
                output.append(contentsOf: scalars[index..<max(end, index + 1)])
                index = max(end, index + 1)
            }
        }
        return String(output)
    }

    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
    }

    /// The end of `127.0.0.1:NNNN` or `localhost:NNNN` starting with the `:` at `index`, with the port's digits.
    private static func loopbackPortEnd(_ scalars: [Unicode.Scalar], at index: Int) -> Int? {
        guard scalars[index] == ":" else { return nil }
        let before = String(String.UnicodeScalarView(scalars[max(0, index - 9)..<index]))
        guard before.hasSuffix("127.0.0.1") || before.hasSuffix("localhost") else { return nil }
        var end = index + 1
        while end < scalars.count, ("0"..."9").contains(scalars[end]) { end += 1 }
        return end > index + 1 ? end : nil
    }
}
