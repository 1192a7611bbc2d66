import Foundation
import HTTPWire
import Hashing
import JSON

/// Looks through a recorded exchange for strings that look like credentials: what redaction (``Redactor``) was not
/// told about. Pure: it reads the exchange and returns ``SecretFinding``s; a redaction token is never one.
///
/// Where it looks: the request target (each path segment and each query parameter), every request and response header,
/// the request body, the response body or chunks (joined), every SSE event's `data`, `id`, `event` and comment, and a
/// fault's detail. A body or event that is JSON is walked, so a finding names its JSON path (`$.a.b[2]`); any other
/// text, and binary bodies, are searched as bytes.
///
/// Bounded: each body, event field or header value is searched in its first ``maximumTextBytes`` bytes only (a longer
/// body is searched as text: its JSON paths are not named), and gives at most ``maximumFindingsPerText`` findings.
///
/// The detectors, most precise first, with what keeps each from firing on innocent values (a span one detector
/// reported is not reported again by a later one):
/// - **private key**: `-----BEGIN … PRIVATE KEY-----`; the exact PEM armour line.
/// - **JWT**: three base64url segments joined by dots; the first must decode to a JSON object with an `alg` member,
///   so dotted names, versions and host names never match.
/// - **key prefix**: ``keyPrefixes``; each needs its prefix at the start of a word and the length and alphabet that
///   service issues, with a digit among them.
/// - **bearer token**: `Bearer ` followed by at least 16 token characters; a redaction token after it does not count
///   (it starts with `<`).
/// - **header in clear**: the secret part of a header the proxy redacts by default (``Redactor/defaultHeaders``,
///   judged as ``Redactor`` splits them) that is not a redaction token.
/// - **secret parameter**: a query parameter, form field or JSON member named in ``secretNames`` holding a string of
///   at least 8 characters that is not a redaction token and not one character repeated (`********`).
/// - **high entropy**: a run of ``entropyLengths`` characters of the base64 and base64url alphabets (split at dots)
///   with upper case, lower case and a digit, not hexadecimal (with or without dashes: uuids, digests), and at least
///   ``minimumEntropy`` bits of Shannon entropy per character. A longer run is data (a base64 body), not a token.
///   Not applied to values whose name says they are digests or ids (``digestNameParts``).
public enum SecretScanner {
    /// How many bytes of one body, event field or header value are searched (1 MiB).
    public static let maximumTextBytes = 1 << 20
    /// How many findings one body, event field or header value gives at most.
    public static let maximumFindingsPerText = 100
    /// The lengths a high-entropy token may have: shorter is too likely chance, longer is a data blob.
    public static let entropyLengths = 32...128
    /// The Shannon entropy, in bits per character, at which a token counts as random. Random base62 text of 32
    /// characters averages 4.5 and almost never falls below 4.1; English words and identifiers stay well under it.
    public static let minimumEntropy = 4.0
    /// Parameter and member names whose values are secrets (lower case, `-` read as `_`).
    public static let secretNames: Set<String> = [
        "password", "passwd", "secret", "client_secret", "api_key", "apikey", "access_token", "refresh_token",
        "id_token", "auth_token", "session_token", "token", "private_key", "secret_key",
    ]
    /// Parts of a name (lower case, `-` read as `_`) that mark a value as a digest or an id, never searched for
    /// high entropy: `plan_hash`, `body_sha256`, `ETag`, `X-Request-Id`, `trace_id`.
    public static let digestNameParts = [
        "hash", "digest", "sha", "md5", "checksum", "etag", "integrity", "request_id", "requestid", "trace", "nonce",
    ]

    /// A well-known credential prefix: what follows it, and what it is called.
    public struct KeyPrefix: Sendable {
        /// The prefix, case-sensitive.
        public let prefix: String
        /// How many characters follow it.
        public let length: ClosedRange<Int>
        /// The characters that may follow it, besides ASCII letters and digits.
        public let extra: String
        /// What it is, e.g. `a GitHub token`.
        public let name: String
    }

    /// The credential prefixes recognised, with the length and alphabet each service issues.
    public static let keyPrefixes: [KeyPrefix] = [
        KeyPrefix(prefix: "sk_live_", length: 16...256, extra: "", name: "a Stripe live secret key"),
        KeyPrefix(prefix: "sk_test_", length: 16...256, extra: "", name: "a Stripe test secret key"),
        KeyPrefix(prefix: "rk_live_", length: 16...256, extra: "", name: "a Stripe restricted key"),
        KeyPrefix(prefix: "sk-", length: 20...256, extra: "-_", name: "an OpenAI or Anthropic style secret key"),
        KeyPrefix(prefix: "github_pat_", length: 22...255, extra: "_", name: "a GitHub fine-grained token"),
        KeyPrefix(prefix: "ghp_", length: 36...36, extra: "", name: "a GitHub token"),
        KeyPrefix(prefix: "gho_", length: 36...36, extra: "", name: "a GitHub OAuth token"),
        KeyPrefix(prefix: "ghu_", length: 36...36, extra: "", name: "a GitHub user-to-server token"),
        KeyPrefix(prefix: "ghs_", length: 36...36, extra: "", name: "a GitHub server-to-server token"),
        KeyPrefix(prefix: "ghr_", length: 36...36, extra: "", name: "a GitHub refresh token"),
        KeyPrefix(prefix: "xoxb-", length: 10...255, extra: "-", name: "a Slack bot token"),
        KeyPrefix(prefix: "xoxa-", length: 10...255, extra: "-", name: "a Slack app token"),
        KeyPrefix(prefix: "xoxp-", length: 10...255, extra: "-", name: "a Slack user token"),
        KeyPrefix(prefix: "AKIA", length: 16...16, extra: "", name: "an AWS access key id"),
        KeyPrefix(prefix: "ASIA", length: 16...16, extra: "", name: "an AWS temporary access key id"),
        KeyPrefix(prefix: "AIza", length: 35...35, extra: "-_", name: "a Google API key"),
    ]

    /// Everything in `exchange` that looks like a credential; `cassette` is the file name findings name.
    public static func findings(in exchange: Exchange, cassette: String) -> [SecretFinding] {
        var memo = LargeBodyFindings()
        return findings(in: exchange, cassette: cassette, memo: &memo)
    }

    /// ``findings(in:cassette:)`` for one exchange of many: `memo` carries what the large bodies seen so far held,
    /// so a body that many exchanges share is scanned once.
    static func findings(in exchange: Exchange, cassette: String, memo: inout LargeBodyFindings) -> [SecretFinding] {
        var collector = Collector(cassette: cassette, seq: exchange.seq, memo: memo)
        // The collector holds the only reference while it adds to it, so the table is not copied per exchange.
        memo = LargeBodyFindings()
        defer { memo = collector.memo }
        collector.scanTarget(exchange.request.target)
        collector.scanHeaders(exchange.request.headers, at: "request.headers")
        let isForm = exchange.request.headers["Content-Type"]?.lowercased().contains("x-www-form-urlencoded") == true
        collector.scanBody(exchange.request.body, at: "request.body", isForm: isForm)
        collector.scanHeaders(exchange.response.headers, at: "response.headers")
        switch exchange.response.content {
        case .body(let bytes):
            collector.scanBody(bytes, at: "response.body")
        case .events(let events, _):
            // The exact chunks, when present, hold the same bytes as the events: the events name the place better.
            for (index, event) in events.enumerated() {
                let location = { (field: String) in "response.events[\(index)].\(field)" }
                switch event.frame {
                case .event(let sse):
                    collector.scanBody(Array(sse.data.utf8), at: location("data"))
                    if let name = sse.event { collector.scanText(Array(name.utf8), at: location("event")) }
                    if let id = sse.id { collector.scanText(Array(id.utf8), at: location("id")) }
                case .comment(let text):
                    collector.scanText(Array(text.utf8), at: location("comment"))
                }
            }
        case .chunks(let chunks):
            collector.scanBody(chunks.flatMap(\.bytes), at: "response.body")
        }
        if let fault = exchange.fault { collector.scanText(Array(fault.detail.utf8), at: "fault.detail") }
        return collector.findings
    }

    /// `name` lower-cased with `-` read as `_`, the form ``secretNames`` and ``digestNameParts`` use.
    static func normalized(_ name: some StringProtocol) -> String {
        guard name.utf8.allSatisfy({ $0 < 0x80 }) else {
            return name.lowercased().replacingOccurrences(of: "-", with: "_")
        }
        // ASCII, nearly every name: byte by byte, without Foundation's locale-aware search.
        return String(
            decoding: name.utf8.map { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 0x20
                case UInt8(ascii: "-"): UInt8(ascii: "_")
                default: byte
                }
            },
            as: UTF8.self
        )
    }

    static func isDigestName(_ name: String?) -> Bool {
        guard let name else { return false }
        let normalized = normalized(name)
        // Compared as bytes: Foundation's `contains` (a locale-aware search) was a tenth of a scan.
        return digestNameParts.contains { normalized.utf8.firstRange(of: $0.utf8) != nil }
    }

    /// Whether a value named as a secret holds one: 8 characters or more, not a redaction token (even
    /// percent-encoded), and not one character repeated (a mask such as `********`).
    static func isSecretValue(_ value: String) -> Bool {
        guard value.count >= 8, !Redactor.isToken(value), !Redactor.isToken(value.removingPercentEncoding ?? value)
        else { return false }
        return Set(value).count > 1
    }
}

/// What each large body (``BlobStore/minimumBytes`` or more) held, by its SHA-256 and place in the exchange. A
/// recording of the same download a thousand times holds one body; text detectors run at tens of MB/s, hashing at
/// over a GB/s.
struct LargeBodyFindings {
    fileprivate var byBody: [String: [SecretFinding]] = [:]
}

/// Findings of one exchange as they are found.
private struct Collector {
    let cassette: String
    let seq: Int
    var findings: [SecretFinding] = []
    var memo: LargeBodyFindings

    init(cassette: String, seq: Int, memo: LargeBodyFindings) {
        self.cassette = cassette
        self.seq = seq
        self.memo = memo
    }

    mutating func add(_ kind: SecretFinding.Kind, _ what: String, _ value: some StringProtocol, at location: String) {
        findings.append(
            SecretFinding(cassette: cassette, seq: seq, location: location, kind: kind, what: what, value: value)
        )
    }

    /// What ``SecretScanner`` makes of a member or parameter name, kept per exchange: an event stream repeats the
    /// same few names in every event, and classifying them again was most of a scan.
    private var nameClasses: [String: (isSecret: Bool, isDigest: Bool)] = [:]

    private mutating func classify(_ name: String) -> (isSecret: Bool, isDigest: Bool) {
        if let known = nameClasses[name] { return known }
        let found = (
            SecretScanner.secretNames.contains(SecretScanner.normalized(name)), SecretScanner.isDigestName(name)
        )
        nameClasses[name] = found
        return found
    }

    /// `location` is only built for a finding: most text holds none.
    mutating func scanText(_ bytes: [UInt8], at location: @autoclosure () -> String, highEntropy: Bool = true) {
        let text =
            bytes.count > SecretScanner.maximumTextBytes ? Array(bytes[..<SecretScanner.maximumTextBytes]) : bytes
        for match in TextDetectors.matches(in: text, highEntropy: highEntropy) {
            add(match.kind, match.what, String(decoding: text[match.range], as: UTF8.self), at: location())
        }
    }

    /// Each path segment as text; each query parameter as a named value.
    mutating func scanTarget(_ target: String) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        for segment in parts[0].split(separator: "/") { scanText(Array(segment.utf8), at: "request.target") }
        if parts.count > 1 { scanParameters(parts[1], at: "request.target") }
    }

    /// `name=value&…` pairs: named secrets, and every value as text.
    mutating func scanParameters(_ query: Substring, at location: String) {
        for pair in query.split(separator: "&") {
            let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(halves[0])
            let value = halves.count > 1 ? String(halves[1]) : ""
            let at = "\(location) ?\(name)"
            if SecretScanner.secretNames.contains(SecretScanner.normalized(name)) {
                if SecretScanner.isSecretValue(value) {
                    add(.secretParameter, "a value named \(name)", value, at: at)
                }
                continue
            }
            scanText(Array(value.utf8), at: at, highEntropy: !SecretScanner.isDigestName(name))
        }
    }

    mutating func scanHeaders(_ headers: HTTPHeaders, at location: String) {
        for field in headers {
            let at = "\(location).\(field.name)"
            let name = field.name.lowercased()
            guard Redactor.defaultHeaders.contains(name) else {
                scanText(Array(field.value.utf8), at: at, highEntropy: !SecretScanner.isDigestName(name))
                continue
            }
            if let secret = Self.clearSecret(inHeader: name, value: field.value) {
                add(.clearHeader, "an unredacted \(field.name) header", secret, at: at)
            }
        }
    }

    /// The part of a redacted-by-default header's value that ``Redactor`` would have replaced, when it is not a
    /// redaction token; nil when the header is redacted (or holds nothing secret).
    static func clearSecret(inHeader name: String, value: String) -> Substring? {
        func clear(_ secret: Substring) -> Substring? {
            secret.isEmpty || Redactor.isToken(secret) ? nil : secret
        }
        func cookieValue(_ pair: Substring) -> Substring? {
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            return clear(pair[pair.index(after: equals)...])
        }
        switch name {
        case "authorization", "proxy-authorization":
            guard let space = value.firstIndex(of: " ") else { return clear(value[...]) }
            return clear(value[value.index(after: space)...].drop { $0 == " " })
        case "cookie":
            return value.split(separator: ";").lazy.compactMap(cookieValue).first
        case "set-cookie":
            return value.split(separator: ";", maxSplits: 1).first.flatMap(cookieValue)
        default:
            return clear(value[...])
        }
    }

    /// JSON is walked so findings name their path; a form body is read as parameters; anything else is text.
    mutating func scanBody(_ bytes: [UInt8], at location: String, isForm: Bool = false) {
        guard bytes.count >= BlobStore.minimumBytes else { return scanBodyOnce(bytes, at: location, isForm: isForm) }
        let key = "\(SHA256.hash(bytes).hex) \(location) \(isForm)"
        if let known = memo.byBody[key] {
            findings += known.map { finding in
                var finding = finding
                finding.seq = seq
                return finding
            }
            return
        }
        let before = findings.count
        scanBodyOnce(bytes, at: location, isForm: isForm)
        memo.byBody[key] = Array(findings[before...])
    }

    private mutating func scanBodyOnce(_ bytes: [UInt8], at location: String, isForm: Bool) {
        guard bytes.count <= SecretScanner.maximumTextBytes else { return scanText(bytes, at: location) }
        if let first = bytes.first(where: { $0 > 0x20 }), first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
            let value = try? JSONParser.parse(bytes)
        {
            var path: [JSONPathStep] = []
            return scanJSON(value, path: &path, name: nil, at: location)
        }
        if isForm, let text = String(validating: bytes, as: UTF8.self) {
            return scanParameters(text[...], at: location)
        }
        scanText(bytes, at: location)
    }

    /// One step of the path to a JSON value, kept as it is and written out only for a finding.
    enum JSONPathStep {
        case member(String)
        case element(Int)
    }

    /// Every string in `value`; `name` is the member that holds it (an array's elements keep the array's name).
    /// `path` leads to `value` from the body's root; it is pushed and popped as the walk goes.
    mutating func scanJSON(_ value: JSONValue, path: inout [JSONPathStep], name: String?, at location: String) {
        switch value {
        case .string(let text):
            var named = (isSecret: false, isDigest: false)
            if let name { named = classify(name) }
            // A string too short for any detector needs nothing more, unless its name says it is a secret.
            guard named.isSecret || text.utf8.count >= TextDetectors.shortestMatch else { return }
            let at = { [path] in
                "\(location) $"
                    + path.map { step in
                        switch step {
                        case .member(let key): ComparedRequest.step(key)
                        case .element(let index): "[\(index)]"
                        }
                    }.joined()
            }
            if let name, named.isSecret {
                if SecretScanner.isSecretValue(text) { add(.secretParameter, "a value named \(name)", text, at: at()) }
                return
            }
            scanText(Array(text.utf8), at: at(), highEntropy: !named.isDigest)
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                path.append(.element(index))
                scanJSON(element, path: &path, name: name, at: location)
                path.removeLast()
            }
        case .object(let members):
            for (key, member) in members {
                path.append(.member(key))
                scanJSON(member, path: &path, name: key, at: location)
                path.removeLast()
            }
        case .null, .bool, .number:
            break
        }
    }
}
