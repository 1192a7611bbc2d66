import Foundation
import JSON

/// Proposes the matching rules that make two recordings of the same client doing the same thing match
/// (Docs/matching.md, "Learning rules"): the body JSON paths and query parameters whose values differ between
/// paired requests, per route.
///
/// Pure: it reads cassettes already loaded and compares requests as replay does (``ComparedRequest``), so a place it
/// proposes to leave out is exactly one a replay mismatch would name.
public enum NoiseLearner {
    /// What kind of value differs, judged from both recorded values.
    public enum Kind: String, Sendable, Equatable {
        /// Both are UUIDs (8-4-4-4-12 hex digits).
        case uuid
        /// Both are ISO 8601 date-times, or epoch seconds or milliseconds.
        case timestamp
        /// Both are other integers.
        case counter
        /// Anything else.
        case random
    }

    /// One place whose value differs between a pair of requests, and the rule that leaves it out.
    public struct Finding: Sendable, Equatable {
        /// The service of the rule's scope.
        public var service: String
        /// The method of the rule's scope.
        public var method: String
        /// The path pattern of the rule's scope, `{param}` where the route's paths vary.
        public var path: String
        /// A body JSON path such as `$.variation_id`, or a query parameter as `?name`.
        public var location: String
        /// What kind of value it is in both recordings.
        public var kind: Kind
        /// The first recording's value (JSON text at a JSON path), shortened; nil when it has none.
        public var first: String?
        /// The second recording's value, likewise.
        public var second: String?
    }

    /// An exchange of one recording with no counterpart in the other.
    public struct Unpaired: Sendable, Equatable {
        /// Whether it is in the first recording (else the second).
        public var isInFirst: Bool
        /// Its cassette's file name.
        public var cassette: String
        /// Its seq in that cassette.
        public var seq: Int
        /// Its service.
        public var service: String
        /// Its request's method.
        public var method: String
        /// Its request's target.
        public var target: String
    }

    /// A difference no rule can leave out (a path segment, a non-JSON body, reordered query parameters): replay
    /// will not match this pair whatever the rules say.
    public struct Unlearnable: Sendable, Equatable {
        /// The first recording's exchange's service.
        public var service: String
        /// Its request's method.
        public var method: String
        /// Its request's target.
        public var target: String
        /// Where, as ``ReplayMismatch/Difference/location`` names it: `path`, `target`, `body`, ...
        public var location: String
    }

    /// What comparing two recordings found.
    public struct Proposal: Sendable, Equatable {
        /// One rule per route with differing values, in the order the routes first appear in the first recording.
        public var rules: MatchingRules
        /// Every differing place, in the same order, once per route: its values and kind are those of the first pair
        /// it differs in.
        public var findings: [Finding]
        /// The exchanges of either recording with no counterpart, the first recording's first.
        public var unpaired: [Unpaired]
        /// The differences of paired exchanges that no rule leaves out.
        public var unlearnable: [Unlearnable]
        /// How many exchanges were paired.
        public var pairs: Int
    }

    /// Compares recording `first` with recording `second` (the cassettes of two session directories).
    ///
    /// Exchanges pair by cassette file name and ordinal when the cassette is a tagged run's (ordinals are the
    /// client's own), else in order per cassette file, service, method and route shape (the path with segments
    /// that look like ids, such as uuids, hex or digits, taken as any segment). A route's rule has `{param}` where
    /// its requests' paths vary.
    public static func learn(_ first: [Cassette], _ second: [Cassette]) -> Proposal {
        let (pairs, unpaired) = Self.pairs(first, second)
        var routes: [RouteKey: Route] = [:]
        var order: [RouteKey] = []
        var unlearnable: [Unlearnable] = []
        for (a, b) in pairs {
            let key = RouteKey(a)
            if routes[key] == nil {
                order.append(key)
                routes[key] = Route(segments: Self.segments(of: a.request.target))
            }
            routes[key]?.note(path: Self.segments(of: b.request.target))
            for difference in ComparedRequest(b).compared(with: ComparedRequest(a)).differences {
                switch difference.field {
                case "body" where difference.location.hasPrefix("$"), "target" where difference.location.hasPrefix("?"):
                    routes[key]?.note(difference)
                default:
                    unlearnable.append(Unlearnable(a, location: difference.location))
                }
            }
        }
        var rules: [MatchingRules.Rule] = []
        var findings: [Finding] = []
        for key in order {
            guard let route = routes[key], !route.differences.isEmpty else { continue }
            let pattern = route.pattern
            var rule = MatchingRules.Rule(service: key.service, method: key.method, path: .init(pattern))
            var ignoredQuery = Set<String>()
            for difference in route.differences {
                if difference.location.hasPrefix("?") {
                    ignoredQuery.insert(String(difference.location.dropFirst()))
                } else if let path = JSONPath(difference.location) {
                    rule.ignoredBodyPaths.append(path)
                }
                findings.append(
                    Finding(
                        service: key.service,
                        method: key.method,
                        path: pattern,
                        location: difference.location,
                        kind: classify(difference),
                        first: difference.recorded,
                        second: difference.live
                    )
                )
            }
            rule.query = .ignoring(ignoredQuery)
            rules.append(rule)
        }
        return Proposal(
            rules: MatchingRules(rules),
            findings: findings,
            unpaired: unpaired,
            unlearnable: unlearnable,
            pairs: pairs.count
        )
    }

    /// The kind of both values of `difference`: the most specific kind both are.
    static func classify(_ difference: ReplayMismatch.Difference) -> Kind {
        guard let first = difference.recorded.map(plain), let second = difference.live.map(plain) else {
            return .random
        }
        if isUUID(first) && isUUID(second) { return .uuid }
        if isTimestamp(first) && isTimestamp(second) { return .timestamp }
        if Int(first) != nil && Int(second) != nil { return .counter }
        return .random
    }

    /// A value as text: a JSON string's contents, a query value percent-decoded, anything else as it is.
    private static func plain(_ text: String) -> String {
        if text.hasPrefix("\""), case .string(let string)? = try? JSONParser.parse(Array(text.utf8)) {
            return string
        }
        return text.removingPercentEncoding ?? text
    }

    private static func isUUID(_ text: String) -> Bool {
        let characters = Array(text.utf8)
        guard characters.count == 36 else { return false }
        return characters.enumerated().allSatisfy { index, character in
            [8, 13, 18, 23].contains(index) ? character == UInt8(ascii: "-") : isHexDigit(character)
        }
    }

    /// ISO 8601 (`2026-12-07T15:48:07Z`, any fraction and offset), or a number of epoch seconds or milliseconds
    /// between 2001 and 2286.
    private static func isTimestamp(_ text: String) -> Bool {
        if let number = Double(text) {
            return (1e9..<1e10).contains(number) || (1e12..<1e13).contains(number)
        }
        let characters = Array(text.utf8)
        guard characters.count >= 16 else { return false }
        return characters.prefix(16).enumerated().allSatisfy { index, character in
            switch index {
            case 4, 7: character == UInt8(ascii: "-")
            case 10: character == UInt8(ascii: "T") || character == UInt8(ascii: " ")
            case 13: character == UInt8(ascii: ":")
            default: (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(character)
            }
        }
    }

    private static func isHexDigit(_ character: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(character)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(character | 0x20)
    }

    /// Whether a path segment looks like an id: a uuid, digits, or at least 8 hex digits with a digit among them.
    static func isIdentifier(_ segment: Substring) -> Bool {
        let characters = Array(segment.utf8)
        let digits = (UInt8(ascii: "0")...UInt8(ascii: "9"))
        if !characters.isEmpty && characters.allSatisfy(digits.contains) { return true }
        if isUUID(String(segment)) { return true }
        return characters.count >= 8 && characters.allSatisfy(isHexDigit) && characters.contains(where: digits.contains)
    }

    /// The segments of a target's path between slashes; a trailing slash adds none.
    private static func segments(of target: String) -> [Substring] {
        var parts = target.prefix { $0 != "?" }.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        if parts.last?.isEmpty == true { parts.removeLast() }
        return parts
    }

    /// A route: service, method and path with id-like segments as nil.
    private struct RouteKey: Hashable {
        var service: String
        var method: String
        var shape: [Substring?]

        init(_ exchange: Exchange) {
            service = exchange.service
            method = exchange.request.method
            shape = NoiseLearner.segments(of: exchange.request.target).map { isIdentifier($0) ? nil : $0 }
        }
    }

    /// The paths and differing places seen on one route.
    private struct Route {
        /// The first path's segments, nil where a later path had another.
        var segments: [Substring?]
        /// The differing places, each location once, as first seen.
        var differences: [ReplayMismatch.Difference] = []

        mutating func note(path: [Substring]) {
            for (index, segment) in path.enumerated() where segments[index] != segment { segments[index] = nil }
        }

        mutating func note(_ difference: ReplayMismatch.Difference) {
            guard !differences.contains(where: { $0.location == difference.location }) else { return }
            differences.append(difference)
        }

        /// The path with `{param}` where the paths vary.
        var pattern: String {
            "/" + segments.map { $0.map(String.init) ?? "{param}" }.joined(separator: "/")
        }
    }

    /// The paired exchanges, in the first recording's order, and those of either recording left over.
    private static func pairs(
        _ first: [Cassette],
        _ second: [Cassette]
    ) -> (pairs: [(Exchange, Exchange)], unpaired: [Unpaired]) {
        /// Where an exchange waits to be paired: its cassette, and its ordinal or its route with a position on it.
        struct Slot: Hashable {
            var cassette: String
            var ordinal: Int?
            var route: RouteKey?
            var position: Int
        }
        func slots(_ cassettes: [Cassette]) -> [(slot: Slot, exchange: Exchange, cassette: String)] {
            var result: [(slot: Slot, exchange: Exchange, cassette: String)] = []
            for cassette in cassettes {
                let name = CassetteSelection.fileName(of: cassette.path)
                var positions: [RouteKey: Int] = [:]
                for exchange in cassette.exchanges {
                    let slot: Slot
                    if cassette.run != nil {
                        slot = Slot(cassette: name, ordinal: exchange.ordinal, route: nil, position: 0)
                    } else {
                        let route = RouteKey(exchange)
                        slot = Slot(cassette: name, ordinal: nil, route: route, position: positions[route, default: 0])
                        positions[route, default: 0] += 1
                    }
                    result.append((slot, exchange, name))
                }
            }
            return result
        }
        func unpaired(_ isInFirst: Bool, _ exchange: Exchange, _ cassette: String) -> Unpaired {
            Unpaired(
                isInFirst: isInFirst,
                cassette: cassette,
                seq: exchange.seq,
                service: exchange.service,
                method: exchange.request.method,
                target: exchange.request.target
            )
        }
        let secondSlots = slots(second)
        // A repeated slot (an ordinal recorded twice) pairs its first exchange; the others stay unpaired.
        var waiting = Dictionary(secondSlots.indices.map { (secondSlots[$0].slot, $0) }, uniquingKeysWith: min)
        var paired = Set<Int>()
        var pairs: [(Exchange, Exchange)] = []
        var left: [Unpaired] = []
        for (slot, exchange, cassette) in slots(first) {
            // A tagged ordinal pairs only with a request on the same route: another route is another request.
            if let index = waiting[slot], RouteKey(secondSlots[index].exchange) == RouteKey(exchange) {
                pairs.append((exchange, secondSlots[index].exchange))
                waiting[slot] = nil
                paired.insert(index)
            } else {
                left.append(unpaired(true, exchange, cassette))
            }
        }
        for (index, (_, exchange, cassette)) in secondSlots.enumerated() where !paired.contains(index) {
            left.append(unpaired(false, exchange, cassette))
        }
        return (pairs, left)
    }
}

extension NoiseLearner.Unlearnable {
    fileprivate init(_ exchange: Exchange, location: String) {
        self.init(
            service: exchange.service,
            method: exchange.request.method,
            target: exchange.request.target,
            location: location
        )
    }
}

extension ComparedRequest {
    /// `exchange`'s request as replay compares it with no rule: query parameters in name order, no header.
    fileprivate init(_ exchange: Exchange) {
        self.init(exchange.service, MatchingRules().normalized(service: exchange.service, exchange.request))
    }
}
