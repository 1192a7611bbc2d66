public import JSON

/// A string in a recording that looks like a credential: which cassette, which exchange, where in it, what it looks
/// like, and the value masked. The whole value is never kept, so printing a finding cannot leak what it found.
public struct SecretFinding: Sendable, Equatable, CustomStringConvertible {
    /// Which detector found it (Docs/security.md, "Secret scanner", describes each and its false-positive guard).
    public enum Kind: String, Sendable, CaseIterable {
        /// Three base64url segments whose first decodes to a JSON object with an `alg` member.
        case jwt
        /// `Bearer <token>` with a token that is not a redaction token.
        case bearerToken = "bearer_token"
        /// A header the proxy redacts by default (`Authorization`, `Cookie`, …) whose secret part is in clear.
        case clearHeader = "clear_header"
        /// A well-known credential prefix with the length and alphabet that service issues (`ghp_`, `AKIA`, …).
        case keyPrefix = "key_prefix"
        /// A PEM private key block.
        case privateKey = "private_key"
        /// A query parameter, form field or JSON member named like a secret (`api_key`, `password`, …) holding a value.
        case secretParameter = "secret_parameter"
        /// A long random-looking token.
        case highEntropy = "high_entropy"
    }

    /// The cassette's file name, e.g. `r_000042.jsonl.gz`.
    public var cassette: String
    /// The exchange's seq in that cassette.
    public var seq: Int
    /// Where in the exchange: `request.target ?api_key`, `request.headers.Authorization`, `response.body $.a.b`,
    /// `response.events[3].data $.token`, …
    public var location: String
    /// Which detector found it.
    public var kind: Kind
    /// What it looks like, in words: `a JWT`, `a GitHub token (ghp_)`.
    public var what: String
    /// The value masked by ``mask(_:)``.
    public var shown: String

    /// Makes a finding; `value` is masked at once and not kept.
    public init(cassette: String, seq: Int, location: String, kind: Kind, what: String, value: some StringProtocol) {
        self.cassette = cassette
        self.seq = seq
        self.location = location
        self.kind = kind
        self.what = what
        self.shown = Self.mask(value)
    }

    /// `r_000042.jsonl.gz seq 3 response.body $.token: a JWT eyJh…(143 chars)`.
    public var description: String { "\(cassette) seq \(seq) \(location): \(what) \(shown)" }

    /// `value` reduced to its first characters, an ellipsis and its length: at most 4 characters and never more than
    /// a quarter of the value, so a short password is not given away either.
    public static func mask(_ value: some StringProtocol) -> String {
        let count = value.count
        return String(value.prefix(min(4, count / 4))) + "…(\(count) chars)"
    }

    /// `{"cassette", "seq", "location", "kind", "what", "shown"}`.
    public var jsonValue: JSONValue {
        .object([
            ("cassette", .string(cassette)), ("seq", .int(seq)), ("location", .string(location)),
            ("kind", .string(kind.rawValue)), ("what", .string(what)), ("shown", .string(shown)),
        ])
    }
}
