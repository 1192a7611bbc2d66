import HTTPWire
public import JSON

/// What is redacted besides the defaults, as the `redact` object of a rules document gives it (Docs/security.md):
///
/// ```json
/// {"version": 1, "redact": {"headers": ["X-Session"], "query": ["sig"], "json_paths": ["$..password"],
///                           "patterns": ["sk_live_[A-Za-z0-9]{24}", "password=(\\w+)"]}}
/// ```
///
/// Every key is optional; each list holds at most ``MatchingRules/pathLimit`` entries. They add to the redactor's
/// defaults (``Redactor/defaultHeaders``, ``Redactor/defaultQueryParameters``), never replace them.
public struct RedactionRules: Sendable, Equatable {
    /// Header names (lowercase).
    public var headers: Set<String> = []
    /// Query parameter names (lowercase).
    public var queryParameters: Set<String> = []
    /// JSON paths in request, response and SSE bodies.
    public var jsonPaths: [JSONPath] = []
    /// Regular expressions over text bodies.
    public var patterns: [RedactionPattern] = []

    /// No redaction beyond the defaults.
    public init() {}

    /// The keys a `redact` object may have.
    static let fields = ["headers", "query", "json_paths", "patterns"]

    /// Reads the `redact` object of a rules document (none: nothing beyond the defaults); the document's matching
    /// rules are ``MatchingRules/init(document:)``'s.
    public init(document: JSONValue) throws(MatchingRulesError) {
        guard let redact = document["redact"] else { return }
        guard case .object(let object) = redact else {
            throw .invalidRedaction(field: "redact", problem: .expected("an object"))
        }
        if let unknown = object.keys.first(where: { !Self.fields.contains($0) }) {
            throw .invalidRedaction(field: unknown, problem: .unknownField)
        }
        func strings(_ field: String) throws(MatchingRulesError) -> [String] {
            switch object[field] {
            case nil, .null?: return []
            case .array(let values)?:
                guard values.count <= MatchingRules.pathLimit else {
                    throw .invalidRedaction(field: field, problem: .tooMany(values.count))
                }
                var texts: [String] = []
                for value in values {
                    guard case .string(let text) = value else {
                        throw .invalidRedaction(field: field, problem: .expected("an array of strings"))
                    }
                    texts.append(text)
                }
                return texts
            default: throw .invalidRedaction(field: field, problem: .expected("an array of strings"))
            }
        }
        for name in try strings("headers") {
            guard HTTPField.isValidName(name) else {
                throw .invalidRedaction(field: "headers", problem: .invalidHeaderName(name))
            }
            headers.insert(name.lowercased())
        }
        queryParameters = Set(try strings("query").map { $0.lowercased() })
        for text in try strings("json_paths") {
            guard let path = JSONPath(text) else {
                throw .invalidRedaction(field: "json_paths", problem: .invalidJSONPath(text))
            }
            jsonPaths.append(path)
        }
        for text in try strings("patterns") {
            do {
                patterns.append(try RedactionPattern(text))
            } catch {
                throw .invalidRedaction(field: "patterns", problem: .invalidPattern(text, reason: "\(error)"))
            }
        }
    }
}
