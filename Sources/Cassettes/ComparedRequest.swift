import HTTPWire
import JSON

/// A request as replay compares it with a recording to say where the two differ (cassette-format.md §7): service,
/// method, path, query parameters by name, and the body by JSON path.
///
/// Pure and bounded, because the nearest-recording search compares one request with many recordings: a comparison
/// visits at most ``visitLimit`` JSON values of a body, lists at most ``differenceLimit`` of the differences it
/// counts, and shows a value in at most ``shownLength`` characters.
struct ComparedRequest {
    /// Where two requests differ: the first differences, and how many there are in the target and the body.
    struct Comparison {
        /// The first ``differenceLimit`` differences, in request order.
        var differences: [ReplayMismatch.Difference] = []
        /// How many differences are in the target: path, query parameters, or the whole target.
        var targetCount = 0
        /// How many differences are in the body: JSON paths, or the whole body.
        var bodyCount = 0
        /// How many differences are in the headers matching rules compare.
        var headerCount = 0
    }

    /// How many differences one comparison lists.
    static let differenceLimit = 32
    /// How many JSON values one body comparison visits.
    static let visitLimit = 20_000
    /// How many characters of a value a difference shows; a longer value ends in an ellipsis.
    static let shownLength = 80

    private enum Body {
        case empty
        case json(JSONValue)
        case bytes([UInt8])

        /// The body as a difference shows it: JSON text, escaped UTF-8 text, or the size of binary bytes; nil when
        /// empty.
        var summary: String? {
            switch self {
            case .empty: nil
            case .json(let value): value.compactText
            case .bytes(let bytes):
                String(validating: bytes, as: UTF8.self).map(CassetteTranscript.escaped)
                    ?? "\(bytes.count) bytes, binary"
            }
        }
    }

    private let service: String
    private let method: String
    private let target: String
    /// The target before its `?`.
    private let path: Substring
    /// The query parameters by name, in the order each name first appears, with their values in order.
    private let query: [(name: Substring, values: [Substring])]
    /// The headers the matching rules compare, by lowercase name, with their values in order.
    private let headers: [(name: String, values: [String])]
    private let body: Body
    private let bodyDigest: String

    /// A request to compare; `bodyDigest` is its normalised body digest (``RequestNormalizer/bodyDigest(_:)``).
    init(service: String, request: RecordedRequest, bodyDigest: String) {
        self.service = service
        method = request.method
        target = request.target
        path = Self.path(of: request.target)
        var query: [(name: Substring, values: [Substring])] = []
        var positions: [Substring: Int] = [:]
        for pair in request.target.dropFirst(path.count + 1).split(separator: "&") {
            let name = pair.prefix { $0 != "=" }
            let value = pair.dropFirst(name.count + 1)
            if let position = positions[name] {
                query[position].values.append(value)
            } else {
                positions[name] = query.count
                query.append((name, [value]))
            }
        }
        self.query = query
        var headers: [(name: String, values: [String])] = []
        for field in request.headers {
            let name = field.name.lowercased()
            if let last = headers.indices.last, headers[last].name == name {
                headers[last].values.append(field.value)
            } else {
                headers.append((name, [field.value]))
            }
        }
        self.headers = headers
        if request.body.isEmpty {
            body = .empty
        } else if let document = RequestNormalizer.jsonDocument(request.body) {
            body = .json(document)
        } else {
            body = .bytes(request.body)
        }
        self.bodyDigest = bodyDigest
    }

    /// A request of `service` to compare as the matching rules leave it, so that what they leave out never shows
    /// as a difference.
    init(_ service: String, _ normalized: MatchingRules.Normalized) {
        self.init(service: service, request: normalized.request, bodyDigest: normalized.bodyDigest)
    }

    private static func path(of target: String) -> Substring { target.prefix { $0 != "?" } }

    /// How far `exchange`'s request is from this one, without reading its body: 0 for the same service, method
    /// and path, 1 for the same service and method, 2 for the same service, 3 otherwise.
    func resemblance(to exchange: Exchange) -> Int {
        guard exchange.service == service else { return 3 }
        guard exchange.request.method == method else { return 2 }
        return Self.path(of: exchange.request.target) == path ? 0 : 1
    }

    /// Where this request differs from `recorded`, in request order: `service`, `method`, `path`, query parameters
    /// (`?name`, in the recording's order, then those only this request has), the headers matching rules compare
    /// (`header name`), then the body's JSON paths in document order (`$.items[0].id`). The whole `target` or `body`
    /// stands for a difference the parts do not show (a repeated JSON key, a body past ``visitLimit``, a body that is
    /// not JSON).
    func compared(with recorded: ComparedRequest) -> Comparison {
        var comparison = Comparison()
        func note(_ field: String, _ location: String, _ was: String?, _ now: String?) {
            if field == "target" { comparison.targetCount += 1 }
            if field == "body" { comparison.bodyCount += 1 }
            if field == "headers" { comparison.headerCount += 1 }
            guard comparison.differences.count < Self.differenceLimit else { return }
            comparison.differences.append(
                .init(field: field, location: location, recorded: was.map(Self.shown), live: now.map(Self.shown))
            )
        }
        if recorded.service != service { note("service", "service", recorded.service, service) }
        if recorded.method != method { note("method", "method", recorded.method, method) }
        if recorded.path != path { note("target", "path", String(recorded.path), String(path)) }
        let liveValues = Dictionary(query.map { ($0.name, $0.values) }, uniquingKeysWith: { first, _ in first })
        let recordedNames = Set(recorded.query.map(\.name))
        for (name, values) in recorded.query where liveValues[name] != values {
            note("target", "?\(name)", Self.joined(values), liveValues[name].map(Self.joined))
        }
        for (name, values) in query where !recordedNames.contains(name) {
            note("target", "?\(name)", nil, Self.joined(values))
        }
        if recorded.target != target && comparison.targetCount == 0 {
            note("target", "target", recorded.target, target)
        }
        let liveHeaders = Dictionary(headers.map { ($0.name, $0.values) }, uniquingKeysWith: { first, _ in first })
        let recordedHeaders = Set(recorded.headers.map(\.name))
        for (name, values) in recorded.headers where liveHeaders[name] != values {
            note("headers", "header \(name)", Self.joined(values), liveHeaders[name].map(Self.joined))
        }
        for (name, values) in headers where !recordedHeaders.contains(name) {
            note("headers", "header \(name)", nil, Self.joined(values))
        }
        if case .json(let was) = recorded.body, case .json(let now) = body {
            var visits = Self.visitLimit
            Self.compare(was, now, at: "$", visits: &visits, note: { note("body", $0, $1, $2) })
        }
        if recorded.bodyDigest != bodyDigest && comparison.bodyCount == 0 {
            let (was, now) = (recorded.body.summary.map(Self.shown), body.summary.map(Self.shown))
            // Two long bodies alike in their first characters are told apart by digest.
            if was == now {
                note("body", "body", "sha256 \(recorded.bodyDigest)", "sha256 \(bodyDigest)")
            } else {
                note("body", "body", was, now)
            }
        }
        return comparison
    }

    /// Notes each JSON path where `recorded` and `live` differ, a missing member or element as nil, until
    /// `visits` values have been visited.
    private static func compare(
        _ recorded: JSONValue,
        _ live: JSONValue,
        at location: String,
        visits: inout Int,
        note: (String, String?, String?) -> Void
    ) {
        guard visits > 0 else { return }
        visits -= 1
        switch (recorded, live) {
        case (.object(let was), .object(let now)):
            var seen = Set<String>()
            for (key, value, counterpart) in was.firstMembers(pairedWith: now) {
                seen.insert(key)
                guard visits > 0 else { return }
                if let counterpart {
                    compare(value, counterpart, at: location + step(key), visits: &visits, note: note)
                } else {
                    note(location + step(key), value.compactText, nil)
                }
            }
            for (key, value) in now.members where seen.insert(key).inserted {
                guard visits > 0 else { return }
                visits -= 1
                note(location + step(key), nil, value.compactText)
            }
        case (.array(let was), .array(let now)):
            for index in 0..<max(was.count, now.count) {
                guard visits > 0 else { return }
                let element = "\(location)[\(index)]"
                switch (index < was.count, index < now.count) {
                case (true, true): compare(was[index], now[index], at: element, visits: &visits, note: note)
                case (true, false):
                    visits -= 1
                    note(element, was[index].compactText, nil)
                default:
                    visits -= 1
                    note(element, nil, now[index].compactText)
                }
            }
        default:
            if recorded != live { note(location, recorded.compactText, live.compactText) }
        }
    }

    /// `.name` for a name JSONPath can spell bare, else `['name']`.
    static func step(_ key: String) -> String {
        let isIdentifier =
            key.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
            && key.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return isIdentifier ? "." + key : "['\(key)']"
    }

    private static func joined(_ values: [some StringProtocol]) -> String { values.joined(separator: ", ") }

    /// At most ``shownLength`` characters of `text`, the last an ellipsis when it was longer.
    static func shown(_ text: String) -> String {
        text.count > shownLength ? text.prefix(shownLength - 1) + "…" : text
    }
}

extension JSONObject {
    /// Every key of this object once, as its first member, with the first member of that key in `other` (nil when
    /// `other` has none): how replay pairs the members of two objects, a repeated key counting as its first. A
    /// dictionary of `other`'s keys keeps a wide object linear.
    func firstMembers(pairedWith other: JSONObject) -> [(key: String, value: JSONValue, other: JSONValue?)] {
        var positions: [String: Int] = [:]
        for (position, member) in other.members.enumerated() where positions[member.key] == nil {
            positions[member.key] = position
        }
        var seen = Set<String>()
        return members.compactMap { key, value in
            guard seen.insert(key).inserted else { return nil }
            return (key, value, positions[key].map { other[$0].value })
        }
    }
}
