public import JSON

/// Why no recording answers a request: the 599 body names the request, the recording it was compared with and every
/// place where the two differ.
public struct ReplayMismatch: Error, Sendable, CustomStringConvertible {
    /// Whether a recording exists for the request's identity.
    public enum Kind: Sendable, Equatable {
        /// Nothing recorded for this identity ((run, ordinal), or the untagged key): record-missing records it.
        case noRecording
        /// A recording exists for (run, ordinal) but the request differs from it: never replaced silently.
        case differs
    }

    /// The recorded request a mismatch is compared with.
    public struct Expected: Sendable, Equatable {
        /// The cassette file name.
        public var cassette: String
        /// Its seq.
        public var seq: Int
        /// Its ordinal.
        public var ordinal: Int
        /// Its service.
        public var service: String
        /// Its method.
        public var method: String
        /// Its target.
        public var target: String
        /// Its normalised body digest.
        public var bodyDigest: String
    }

    /// One place where the request differs from the recording it is compared with.
    public struct Difference: Sendable, Equatable {
        /// The request field it is in: `service`, `method`, `target`, `headers` or `body`.
        public var field: String
        /// Where: `service`, `method`, `path`, a query parameter as `?name`, a header a rule matches as
        /// `header name`, a JSON path in the body such as `$.variation_id`, or the whole `target` or `body` when its
        /// parts do not show the difference.
        public var location: String
        /// The recording's value (JSON text at a JSON path), shortened with an ellipsis; nil when it has none.
        public var recorded: String?
        /// The request's value, likewise; nil when it has none.
        public var live: String?

        /// A difference at `location`, in `field`.
        public init(field: String, location: String, recorded: String?, live: String?) {
            self.field = field
            self.location = location
            self.recorded = recorded
            self.live = live
        }
    }

    /// Whether a recording exists for the identity.
    public var kind: Kind
    /// The first field that differs: `run`, `ordinal`, `service`, `method`, `target` or `body`.
    public var field: String
    /// One sentence, ending with the rules that leave the differences out when there are such rules.
    public var detail: String
    /// The request.
    public var request: ReplayRequest
    /// The request's normalised body digest.
    public var requestBodyDigest: String
    /// The recording it was expected to be, when there is a plausible one.
    public var expected: Expected?
    /// Where the request differs from `expected`, in request order (at most 32); empty without `expected`.
    public var differences: [Difference]
    /// A rule that leaves every difference out, scoped to the recording's service, method and route; nil when a
    /// difference is one no rule leaves out (service, method, path, a matched header), when there are more than
    /// `differences` lists, or when there is no `expected`.
    public var rule: MatchingRules.Rule?

    /// A mismatch; `comparison` is how the request compares with `expected`, and gives the differences and the rule.
    init(
        kind: Kind,
        field: String,
        detail: String,
        request: ReplayRequest,
        requestBodyDigest: String,
        expected: Expected?,
        comparison: ComparedRequest.Comparison? = nil
    ) {
        self.kind = kind
        self.field = field
        self.request = request
        self.requestBodyDigest = requestBodyDigest
        self.expected = expected
        differences = comparison?.differences ?? []
        if let expected, let comparison {
            rule = Self.rule(leavingOut: comparison, of: expected)
        }
        self.detail =
            rule.map { detail + "; these rules leave it out: " + MatchingRules([$0]).document.compactText }
            ?? detail
    }

    /// A rule scoped to `expected`'s service, method and route (id-like path segments as `{id}`) that leaves out
    /// every difference of `comparison`; nil when one cannot be left out or not every difference is listed.
    static func rule(leavingOut comparison: ComparedRequest.Comparison, of expected: Expected) -> MatchingRules.Rule? {
        let differences = comparison.differences
        guard !differences.isEmpty,
            differences.count == comparison.targetCount + comparison.bodyCount + comparison.headerCount
        else { return nil }
        let path = expected.target.prefix { $0 != "?" }.split(separator: "/", omittingEmptySubsequences: false)
            .map { NoiseLearner.isIdentifier($0) ? "{id}" : String($0) }.joined(separator: "/")
        var rule = MatchingRules.Rule(
            service: expected.service,
            method: expected.method,
            path: MatchingRules.RoutePattern(path)
        )
        var ignoredQuery = Set<String>()
        for difference in differences {
            switch difference.field {
            case "body" where difference.location.hasPrefix("$"):
                guard let path = JSONPath(difference.location) else { return nil }
                rule.ignoredBodyPaths.append(path)
            case "body":
                rule.body = .ignore
            case "target" where difference.location.hasPrefix("?"):
                ignoredQuery.insert(String(difference.location.dropFirst()))
            default:
                return nil
            }
        }
        rule.query = .ignoring(ignoredQuery)
        if rule.body == .ignore { rule.ignoredBodyPaths = [] }
        return rule
    }

    /// The JSON body of the 599 answer.
    public var jsonValue: JSONValue {
        let request: JSONValue = .object([
            ("service", .string(self.request.service)),
            ("method", .string(self.request.method)),
            ("target", .string(self.request.target)),
            ("run_id", self.request.run.map { .string($0.rawValue) } ?? .null),
            ("ordinal", self.request.ordinal.map(JSONValue.int) ?? .null),
            ("body_sha256", .string(requestBodyDigest)),
        ])
        let expected: JSONValue =
            self.expected.map { expected in
                .object([
                    ("cassette", .string(expected.cassette)),
                    ("seq", .int(expected.seq)),
                    ("ordinal", .int(expected.ordinal)),
                    ("service", .string(expected.service)),
                    ("method", .string(expected.method)),
                    ("target", .string(expected.target)),
                    ("body_sha256", .string(expected.bodyDigest)),
                ])
            } ?? .null
        return .object([
            ("error", .string("replay_mismatch")),
            ("detail", .string(detail)),
            ("field", .string(field)),
            ("request", request),
            ("expected", expected),
            ("rule", rule.map { MatchingRules([$0]).document } ?? .null),
            (
                "differences",
                .array(
                    differences.map { difference in
                        .object([
                            ("location", .string(difference.location)),
                            ("recorded", difference.recorded.map(JSONValue.string) ?? .null),
                            ("live", difference.live.map(JSONValue.string) ?? .null),
                        ])
                    }
                )
            ),
        ])
    }

    /// `at $.variation_id (recorded "a", live "b") and at ?n`: the first difference with both values, then where the
    /// others are.
    static func describe(_ differences: [Difference]) -> String {
        guard let first = differences.first else { return "" }
        // JSON text already shows what kind of value it is; other values are quoted so that an empty one shows.
        func shown(_ value: String?) -> String {
            guard let value else { return "absent" }
            return first.location.hasPrefix("$") ? value : "'\(value)'"
        }
        var text = "at \(first.location) (recorded \(shown(first.recorded)), live \(shown(first.live)))"
        let others = differences.dropFirst().map(\.location)
        if !others.isEmpty {
            text += " and at " + others.prefix(3).joined(separator: ", ")
            if others.count > 3 { text += " and \(others.count - 3) more" }
        }
        return text
    }

    /// The detail sentence.
    public var description: String { detail }
}
