import HTTPWire
import Hashing
public import JSON

/// What replay compares when it compares a request with a recording (Docs/matching.md): per service and route, it
/// leaves out JSON paths of the body, query parameters, or the whole body, and it adds chosen headers.
///
/// Rules are applied alike to every recorded request and every incoming one before they are digested and compared,
/// so a request that differs from its recording only in what the rules leave out matches it, and a mismatch never
/// names a left-out place. Every rule whose scope takes a request applies: their ignored body paths, query
/// parameters and matched headers add up, and a later rule's `match_query_only` and `body` replace an earlier one's.
/// Query parameters are compared by name whatever their order, rules or not (cassette-format.md §7); no rule:
/// matching is otherwise exactly that of §7.
public struct MatchingRules: Sendable, Equatable {
    /// How a body is compared.
    public enum BodyMode: String, Sendable, Equatable, CaseIterable {
        /// Canonical JSON when the body is a JSON object or array, else its bytes (the default).
        case json
        /// The bytes exactly as sent: whitespace and key order count.
        case exact
        /// Not at all.
        case ignore
    }

    /// A path pattern such as `/api/v1/muse/projects/{id}/log`: literal segments, and `{name}` segments that take
    /// any one non-empty segment. It matches a target's path (without its query); a trailing slash is ignored on
    /// both sides.
    public struct RoutePattern: Sendable, Equatable, CustomStringConvertible {
        private enum Segment: Sendable, Equatable {
            case literal(Substring)
            case parameter
        }

        private let segments: [Segment]
        /// The text the pattern was parsed from.
        public let description: String

        /// Parses a pattern; nil unless it starts with `/` and every `{` opens a whole `{name}` segment.
        public init?(_ text: String) {
            guard text.hasPrefix("/") else { return nil }
            var segments: [Segment] = []
            for segment in Self.segments(of: text[...]) {
                if segment.hasPrefix("{") && segment.hasSuffix("}") && segment.count > 2 {
                    segments.append(.parameter)
                } else if segment.contains("{") || segment.contains("}") {
                    return nil
                } else {
                    segments.append(.literal(segment))
                }
            }
            self.segments = segments
            description = text
        }

        /// Whether `target`'s path (before any `?`) is one this pattern names.
        public func matches(target: String) -> Bool {
            let path = Self.segments(of: target.prefix { $0 != "?" })
            guard path.count == segments.count else { return false }
            return zip(segments, path).allSatisfy { segment, part in
                switch segment {
                case .parameter: !part.isEmpty
                case .literal(let literal): literal == part
                }
            }
        }

        /// The segments between slashes; a trailing slash adds none, so `/a/` and `/a` are alike.
        private static func segments(of path: Substring) -> [Substring] {
            var parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
            if parts.last?.isEmpty == true { parts.removeLast() }
            return parts.map { Substring($0) }
        }
    }

    /// Which query parameters are compared.
    public enum QueryMatching: Sendable, Equatable {
        /// Every parameter but these names.
        case ignoring(Set<String>)
        /// Only these names.
        case only(Set<String>)
    }

    /// One rule: a scope, and what is left out of comparing the requests in it.
    public struct Rule: Sendable, Equatable {
        /// The service it applies to; nil for every service.
        public var service: String?
        /// The method it applies to (uppercase); nil for every method.
        public var method: String?
        /// The route it applies to; nil for every route.
        public var path: RoutePattern?
        /// JSON paths whose values are left out of JSON bodies.
        public var ignoredBodyPaths: [JSONPath]
        /// Which query parameters count.
        public var query: QueryMatching
        /// How the body is compared; nil leaves it to other rules (else ``BodyMode/json``).
        public var body: BodyMode?
        /// Headers whose values are compared too, by lowercase name (no header is compared by default).
        public var matchedHeaders: Set<String>

        /// A rule; without arguments it applies to every request and leaves nothing out.
        public init(
            service: String? = nil,
            method: String? = nil,
            path: RoutePattern? = nil,
            ignoredBodyPaths: [JSONPath] = [],
            query: QueryMatching = .ignoring([]),
            body: BodyMode? = nil,
            matchedHeaders: Set<String> = []
        ) {
            self.service = service
            self.method = method
            self.path = path
            self.ignoredBodyPaths = ignoredBodyPaths
            self.query = query
            self.body = body
            self.matchedHeaders = Set(matchedHeaders.map { $0.lowercased() })
        }

        /// Whether a request of `service` with this method and target is in the rule's scope.
        func applies(service: String, method: String, target: String) -> Bool {
            (self.service == nil || self.service == service) && (self.method == nil || self.method == method)
                && (path?.matches(target: target) ?? true)
        }
    }

    /// A request as rules leave it for comparing: what the rules left out is gone from its target and body, its
    /// query parameters are in name order, and its headers are only those the rules match (lowercase names, in name
    /// order).
    public struct Normalized: Sendable, Equatable {
        /// The request without ignored query parameters and body values (an ignored body is empty).
        public var request: RecordedRequest
        /// The digest replay matches on: ``RequestNormalizer/bodyDigest(_:)`` of the normalised body, or of its
        /// exact bytes in ``BodyMode/exact``.
        public var bodyDigest: String
    }

    /// How many rules a document may hold.
    public static let ruleLimit = 256
    /// How many JSON paths or query parameter names one rule may list.
    public static let pathLimit = 64
    /// The `version` a rules document has.
    public static let version = 1

    /// The rules, in order.
    public var rules: [Rule]

    /// Rules; none leaves matching as cassette-format.md §7 describes it.
    public init(_ rules: [Rule] = []) {
        self.rules = rules
    }

    /// `request` of `service` as the rules that take it leave it, with the digest replay matches on.
    public func normalized(service: String, _ request: RecordedRequest) -> Normalized {
        let applying = rules.filter { $0.applies(service: service, method: request.method, target: request.target) }
        var normalized = request
        normalized.headers = HTTPHeaders()
        guard !applying.isEmpty else {
            normalized.target = Self.target(request.target) { _ in true }
            return Normalized(request: normalized, bodyDigest: RequestNormalizer.bodyDigest(request.body))
        }
        var ignoredNames = Set<String>()
        var onlyNames: Set<String>?
        var ignoredPaths: [JSONPath] = []
        var headerNames = Set<String>()
        var mode = BodyMode.json
        for rule in applying {
            switch rule.query {
            case .ignoring(let names): ignoredNames.formUnion(names)
            case .only(let names): onlyNames = names
            }
            ignoredPaths += rule.ignoredBodyPaths
            headerNames.formUnion(rule.matchedHeaders)
            if let body = rule.body { mode = body }
        }
        normalized.target = Self.target(request.target) { name in
            !ignoredNames.contains(name) && (onlyNames?.contains(name) ?? true)
        }
        for name in headerNames.sorted() {
            for value in request.headers.values(named: name) { normalized.headers.append(name: name, value: value) }
        }
        switch mode {
        case .ignore:
            normalized.body = []
        case .exact:
            return Normalized(request: normalized, bodyDigest: SHA256.hash(request.body).hex)
        case .json:
            if !ignoredPaths.isEmpty, let document = RequestNormalizer.jsonDocument(request.body) {
                let kept = Self.removing(ignoredPaths, from: document, at: [])
                normalized.body = JSONWriter.bytes(kept, style: .canonical)
            }
        }
        return Normalized(request: normalized, bodyDigest: RequestNormalizer.bodyDigest(normalized.body))
    }

    /// `target` with only the query parameters `keeps` takes, in name order (those of one name in their order); no
    /// `?` when none is left.
    private static func target(_ target: String, keeping keeps: (String) -> Bool) -> String {
        let path = target.prefix { $0 != "?" }
        guard path.count < target.count else { return target }
        let kept = target.dropFirst(path.count + 1).split(separator: "&")
            .map { pair in (name: pair.prefix { $0 != "=" }, pair: pair) }
            .filter { keeps(String($0.name)) }
            .enumerated()
            .sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }
            .map(\.element.pair)
        return kept.isEmpty ? String(path) : path + "?" + kept.joined(separator: "&")
    }

    /// `value` without the members `paths` select; a selected array element becomes null so that the positions
    /// of the others, which paths name, stay as they were.
    private static func removing(
        _ paths: [JSONPath],
        from value: JSONValue,
        at location: [JSONPath.Component]
    ) -> JSONValue {
        switch value {
        case .object(let object):
            var kept: [(String, JSONValue)] = []
            for (key, member) in object {
                let here = location + [.key(key)]
                if paths.contains(where: { $0.matches(here) }) { continue }
                kept.append((key, removing(paths, from: member, at: here)))
            }
            return .object(kept)
        case .array(let elements):
            return .array(
                elements.enumerated().map { index, element in
                    let here = location + [.index(index)]
                    return paths.contains { $0.matches(here) } ? .null : removing(paths, from: element, at: here)
                }
            )
        default:
            return value
        }
    }
}
