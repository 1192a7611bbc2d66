import HTTPWire
public import JSON

/// What is wrong with a matching rules document: where (the rule's index, counted from 0, and its field) and what.
/// The description names the document's own keys; a command line that read the document from a file says which.
public enum MatchingRulesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with one field of a rule.
    public enum Problem: Sendable, Equatable {
        /// The value is not of the kind the field takes (`a string`, `an array of strings`, `an object`).
        case expected(String)
        /// The text is not a JSON path (JSONPath syntax: `$.variation_id`, `$..timestamp`, `$.items[*].id`).
        case invalidJSONPath(String)
        /// The text is not a path pattern (`/api/v1/projects/{id}/log`).
        case invalidRoutePattern(String)
        /// The text is not a body mode.
        case unknownBodyMode(String)
        /// The text is not a header name (RFC 9110 §5.1: a token).
        case invalidHeaderName(String)
        /// The text is not a regular expression; the second value is why.
        case invalidPattern(String, reason: String)
        /// The list is longer than ``MatchingRules/pathLimit``.
        case tooMany(Int)
        /// The rule has no field of this name.
        case unknownField
        /// The rule also has this field, and a rule has one or the other.
        case conflicts(with: String)
    }

    /// The text is not JSON, or not an object.
    case notAJSONObject(detail: String)
    /// `version` is missing or not one this tool reads.
    case unsupportedVersion(String?)
    /// `rules` is missing or not an array.
    case missingRules
    /// More rules than ``MatchingRules/ruleLimit``.
    case tooManyRules(Int)
    /// The top level has a key the format does not define.
    case unknownField(String)
    /// Rule `index` (from 0) has a bad `field`.
    case invalidRule(index: Int, field: String, problem: Problem)
    /// The `redact` object has a bad `field` (or is not an object: field `redact`).
    case invalidRedaction(field: String, problem: Problem)

    /// One sentence naming the rule, the field and what to write instead.
    public var description: String {
        switch self {
        case .notAJSONObject(let detail): "the matching rules are not a JSON object: \(detail)"
        case .unsupportedVersion(let version):
            "the matching rules have version \(version ?? "(none)"); this tool reads version \(MatchingRules.version)"
        case .missingRules: "the matching rules have no 'rules' array (nor a 'redact' object)"
        case .tooManyRules(let count): "\(count) matching rules; at most \(MatchingRules.ruleLimit)"
        case .unknownField(let field):
            "the matching rules have an unknown key '\(field)'; the keys are 'version', 'rules' and 'redact'"
        case .invalidRedaction(let field, let problem):
            "'redact' '\(field)': \(Self.describe(problem))"
        case .invalidRule(let index, let field, let problem):
            "rule \(index) '\(field)': \(Self.describe(problem))"
        }
    }

    private static func describe(_ problem: Problem) -> String {
        switch problem {
        case .expected(let kind): "should be \(kind)"
        case .invalidJSONPath(let text):
            "'\(text)' is not a JSON path; write e.g. $.variation_id, $..timestamp or $.items[*].id"
        case .invalidRoutePattern(let text):
            "'\(text)' is not a path pattern; write e.g. /api/v1/projects/{id}/log"
        case .unknownBodyMode(let text):
            "'\(text)' is not a body mode; use "
                + MatchingRules.BodyMode.allCases.map(\.rawValue).joined(separator: ", ")
        case .invalidHeaderName(let text): "'\(text)' is not a header name; write e.g. X-Client-Version"
        case .invalidPattern(let text, let reason): "'\(text)' is not a regular expression: \(reason)"
        case .tooMany(let count): "\(count) entries; at most \(MatchingRules.pathLimit)"
        case .unknownField:
            "unknown key; a rule has " + MatchingRules.ruleFields.map { "'\($0)'" }.joined(separator: ", ")
        case .conflicts(let other): "a rule has this or '\(other)', not both"
        }
    }
}

extension MatchingRules {
    /// The keys a rule may have (Docs/matching.md).
    static let ruleFields = [
        "service", "method", "path", "ignore_body_paths", "ignore_query", "match_query_only", "body", "match_headers",
    ]

    /// Reads a rules document: `{"version": 1, "rules": [{"service": ..., "method": ..., "path": ...,
    /// "ignore_body_paths": [...], "ignore_query": [...] or "match_query_only": [...], "body": ...,
    /// "match_headers": [...]}]}`, every key of a rule optional (Docs/matching.md).
    public init(document bytes: [UInt8]) throws(MatchingRulesError) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw .notAJSONObject(detail: error.description)
        }
        try self.init(document: document)
    }

    /// Reads a rules document already parsed, such as the one a session's `index.json` keeps (cassette-format.md §6).
    public init(document: JSONValue) throws(MatchingRulesError) {
        guard case .object(let top) = document else { throw .notAJSONObject(detail: "it is \(document.compactText)") }
        if let unknown = top.keys.first(where: { !["version", "rules", "redact"].contains($0) }) {
            throw .unknownField(unknown)
        }
        guard top["version"] == .int(Self.version) else { throw .unsupportedVersion(top["version"]?.compactText) }
        // A document may hold only redaction (``RedactionRules``); matching rules then are none.
        if top["rules"] == nil && top["redact"] != nil {
            self.init()
            return
        }
        guard case .array(let rules) = top["rules"] else { throw .missingRules }
        guard rules.count <= Self.ruleLimit else { throw .tooManyRules(rules.count) }
        var parsed: [Rule] = []
        for (index, value) in rules.enumerated() {
            parsed.append(try Self.rule(value, index: index))
        }
        self.init(parsed)
    }

    /// The rules as a rules document, which ``init(document:)`` reads back as equal rules: how a session's
    /// `index.json` keeps the rules it was recorded with. A rule has only the keys that say something; query names
    /// are sorted, as a set has no order.
    public var document: JSONValue {
        .object([("version", .int(Self.version)), ("rules", .array(rules.map(\.document)))])
    }

    private static func rule(_ value: JSONValue, index: Int) throws(MatchingRulesError) -> Rule {
        func invalid(_ field: String, _ problem: MatchingRulesError.Problem) -> MatchingRulesError {
            .invalidRule(index: index, field: field, problem: problem)
        }
        guard case .object(let object) = value else { throw invalid("rules", .expected("an object")) }
        if let unknown = object.keys.first(where: { !ruleFields.contains($0) }) {
            throw invalid(unknown, .unknownField)
        }
        func string(_ field: String) throws(MatchingRulesError) -> String? {
            switch object[field] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default: throw invalid(field, .expected("a string"))
            }
        }
        func strings(_ field: String) throws(MatchingRulesError) -> [String]? {
            switch object[field] {
            case nil, .null?: return nil
            case .array(let values)?:
                guard values.count <= pathLimit else { throw invalid(field, .tooMany(values.count)) }
                var texts: [String] = []
                for value in values {
                    guard case .string(let text) = value else { throw invalid(field, .expected("an array of strings")) }
                    texts.append(text)
                }
                return texts
            default: throw invalid(field, .expected("an array of strings"))
            }
        }
        var rule = Rule(service: try string("service"), method: try string("method")?.uppercased())
        if let text = try string("path") {
            guard let pattern = RoutePattern(text) else { throw invalid("path", .invalidRoutePattern(text)) }
            rule.path = pattern
        }
        for text in try strings("ignore_body_paths") ?? [] {
            guard let path = JSONPath(text) else { throw invalid("ignore_body_paths", .invalidJSONPath(text)) }
            rule.ignoredBodyPaths.append(path)
        }
        switch (try strings("ignore_query"), try strings("match_query_only")) {
        case (_?, _?): throw invalid("match_query_only", .conflicts(with: "ignore_query"))
        case (let ignored?, nil): rule.query = .ignoring(Set(ignored))
        case (nil, let only?): rule.query = .only(Set(only))
        case (nil, nil): break
        }
        if let text = try string("body") {
            guard let mode = BodyMode(rawValue: text) else { throw invalid("body", .unknownBodyMode(text)) }
            rule.body = mode
        }
        for name in try strings("match_headers") ?? [] {
            guard HTTPField.isValidName(name) else { throw invalid("match_headers", .invalidHeaderName(name)) }
            rule.matchedHeaders.insert(name.lowercased())
        }
        return rule
    }
}

extension MatchingRules.Rule {
    /// The rule as a rules document writes it (Docs/matching.md).
    fileprivate var document: JSONValue {
        func strings(_ texts: some Sequence<String>) -> JSONValue { .array(texts.map(JSONValue.string)) }
        var fields: [(String, JSONValue)] = []
        if let service { fields.append(("service", .string(service))) }
        if let method { fields.append(("method", .string(method))) }
        if let path { fields.append(("path", .string(path.description))) }
        if !ignoredBodyPaths.isEmpty {
            fields.append(("ignore_body_paths", strings(ignoredBodyPaths.map(\.description))))
        }
        switch query {
        case .ignoring(let names) where names.isEmpty: break
        case .ignoring(let names): fields.append(("ignore_query", strings(names.sorted())))
        case .only(let names): fields.append(("match_query_only", strings(names.sorted())))
        }
        if let body { fields.append(("body", .string(body.rawValue))) }
        if !matchedHeaders.isEmpty { fields.append(("match_headers", strings(matchedHeaders.sorted()))) }
        return .object(fields)
    }
}
