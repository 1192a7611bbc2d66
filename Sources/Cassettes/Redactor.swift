public import HTTPWire
import Hashing
public import JSON
import Synchronization
import Vocabulary

/// Keeps secrets off disk: replaces them at record time with `<redacted:XXXXXXXX>`, where `XXXXXXXX` is the
/// first 8 lowercase hex digits of the SHA-256 of the secret, so one secret gets one token everywhere.
///
/// What is a secret:
/// - the values of `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie` and `X-Api-Key` (the list is
///   configurable). An `Authorization` value keeps its scheme (`Bearer <redacted:…>`); a `Cookie` keeps its
///   cookie names (`a=<redacted:…>; b=<redacted:…>`); a `Set-Cookie` keeps its name and attributes;
/// - the values of the query parameters named in ``queryParameters`` (by default ``defaultQueryParameters``) in a
///   request's target, as written (percent-encoding included);
/// - the values at the configured ``JSONPath``s in JSON request and response bodies and in the JSON `data` of
///   SSE events. A string is replaced by the token as a JSON string (the tag hashes the string's UTF-8); any
///   other value by the token as a string (the tag hashes its JSON text). Only those bytes change; the rest of
///   the body keeps its exact formatting;
/// - the matches of the configured ``RedactionPattern``s in text bodies (UTF-8 request and response bodies, SSE
///   `data`, chunks taken together), up to ``patternScanLimit`` bytes each.
///
/// Every secret of 8 bytes or more found this way is remembered (the most recent 256) and scrubbed wherever
/// else it appears later in an exchange: the target, other header values, bodies, events, chunks. A value that
/// already is a token is left alone, so redacting twice changes nothing.
public final class Redactor: Sendable {
    /// The headers whose values are secrets unless configured otherwise (lowercase).
    public static let defaultHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
    ]
    /// The query parameters whose values are secrets unless configured otherwise (compared without case): the
    /// names credentials travel under in URLs.
    public static let defaultQueryParameters: Set<String> = [
        "access_token", "api_key", "apikey", "client_secret", "password", "secret", "token",
    ]
    /// The largest text body the patterns look through; beyond it a body is left to the other rules (the regular
    /// expression engine is slow on megabytes).
    public static let patternScanLimit = 4 << 20
    /// Secrets shorter than this are redacted where found but not scrubbed elsewhere (too likely to be innocent).
    public static let minimumScrubLength = 8
    /// How many secrets are remembered for scrubbing.
    public static let rememberedSecrets = 256

    /// The JSON paths whose values are secrets.
    public let jsonPaths: [JSONPath]
    /// The headers whose values are secrets (lowercase).
    public let headers: Set<String>
    /// The query parameters whose values are secrets (lowercase).
    public let queryParameters: Set<String>
    /// The expressions whose matches in text bodies are secrets.
    public let patterns: [RedactionPattern]
    private let secrets = Mutex<[[UInt8]]>([])

    /// Makes a redactor for these JSON paths, headers, query parameters and patterns.
    public init(
        jsonPaths: [JSONPath] = [],
        headers: Set<String> = Redactor.defaultHeaders,
        queryParameters: Set<String> = Redactor.defaultQueryParameters,
        patterns: [RedactionPattern] = []
    ) {
        self.jsonPaths = jsonPaths
        self.headers = Set(headers.map { $0.lowercased() })
        self.queryParameters = Set(queryParameters.map { $0.lowercased() })
        self.patterns = patterns
    }

    /// The token that stands for `secret`: `<redacted:` + the first 8 hex digits of its SHA-256 + `>`.
    public static func token(for secret: some Sequence<UInt8>) -> String {
        "<redacted:" + String(SHA256.hash(Array(secret)).hex.prefix(8)) + ">"
    }

    /// Whether `text` is exactly a redaction token.
    public static func isToken(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 19, text.hasPrefix("<redacted:"), bytes.last == UInt8(ascii: ">") else { return false }
        return bytes[10..<18].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// The secrets remembered so far (for tests and diagnostics).
    public var rememberedSecretCount: Int { secrets.withLock { $0.count } }

    // MARK: - Exchanges

    /// The exchange with every secret replaced.
    public func redact(_ exchange: Exchange) -> Exchange {
        var learned: [[UInt8]] = []
        var result = exchange
        result.request.target = redact(target: exchange.request.target, learning: &learned)
        result.request.headers = redact(headers: exchange.request.headers, learning: &learned)
        result.response.headers = redact(headers: exchange.response.headers, learning: &learned)
        result.request.body = redact(body: exchange.request.body, learning: &learned)
        switch exchange.response.content {
        case .body(let bytes):
            result.response.content = .body(redact(body: bytes, learning: &learned))
        case .events(let events, let exact):
            var changed = false
            let redacted = events.map { event -> StreamEvent in
                guard case .event(var sse) = event.frame else { return event }
                let data = redact(body: Array(sse.data.utf8), learning: &learned)
                guard data != Array(sse.data.utf8) else { return event }
                changed = true
                sse.data = String(decoding: data, as: UTF8.self)
                return StreamEvent(atMilliseconds: event.atMilliseconds, frame: .event(sse))
            }
            // Exact bytes would still hold what was just replaced: replay then re-encodes the redacted events.
            result.response.content = .events(redacted, exact: changed ? nil : exact)
        case .chunks(let chunks):
            let joined = chunks.flatMap(\.bytes)
            let redacted = redact(body: joined, learning: &learned)
            if redacted != joined {
                result.response.content = .chunks([
                    StreamChunk(atMilliseconds: chunks.last?.atMilliseconds ?? 0, bytes: redacted)
                ])
            }
        }
        remember(learned)
        return scrub(result)
    }

    /// The request with every secret replaced, as ``redact(_:)`` does it (replay matching uses this so an
    /// incoming request compares equal to its redacted recording).
    public func redact(_ request: RecordedRequest) -> RecordedRequest {
        var learned: [[UInt8]] = []
        var result = request
        result.target = redact(target: request.target, learning: &learned)
        result.headers = redact(headers: request.headers, learning: &learned)
        result.body = redact(body: request.body, learning: &learned)
        remember(learned)
        let known = secrets.withLock { $0 }
        guard !known.isEmpty else { return result }
        result.target = scrub(result.target, known)
        result.headers = scrub(result.headers, known)
        result.body = scrub(result.body, known)
        return result
    }

    // MARK: - Headers

    /// The headers with secret values replaced; secrets found are added to `learned`.
    public func redact(headers: HTTPHeaders, learning learned: inout [[UInt8]]) -> HTTPHeaders {
        guard headers.contains(where: { self.headers.contains($0.name.lowercased()) }) else { return headers }
        return HTTPHeaders(
            fields: headers.fields.map { field in
                let name = field.name.lowercased()
                guard self.headers.contains(name) else { return field }
                return HTTPField(
                    name: field.name,
                    value: redact(headerValue: field.value, named: name, learning: &learned)
                )
            }
        )
    }

    private func redact(headerValue value: String, named name: String, learning learned: inout [[UInt8]]) -> String {
        switch name {
        case "authorization", "proxy-authorization":
            if let space = value.firstIndex(of: " ") {
                let credentials = value[value.index(after: space)...].drop { $0 == " " }
                guard !credentials.isEmpty else { return value }
                return String(value[..<space]) + " " + replace(secret: credentials, learning: &learned)
            }
            return replace(secret: value[...], learning: &learned)
        case "cookie":
            return value.split(separator: ";", omittingEmptySubsequences: false).map { pair in
                redactCookiePair(pair, learning: &learned)
            }.joined(separator: ";")
        case "set-cookie":
            let parts = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
            let first = redactCookiePair(parts[0], learning: &learned)
            return parts.count > 1 ? first + ";" + parts[1] : first
        default:
            return replace(secret: value[...], learning: &learned)
        }
    }

    private func redactCookiePair(_ pair: Substring, learning learned: inout [[UInt8]]) -> String {
        guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
        let cookieValue = pair[pair.index(after: equals)...]
        guard !cookieValue.isEmpty else { return String(pair) }
        return String(pair[...equals]) + replace(secret: cookieValue, learning: &learned)
    }

    private func replace(secret: Substring, learning learned: inout [[UInt8]]) -> String {
        if Self.isToken(secret) { return String(secret) }
        let bytes = Array(secret.utf8)
        learned.append(bytes)
        return Self.token(for: bytes)
    }

    // MARK: - Targets and bodies

    /// A target as a recording shows it: the values of ``queryParameters`` replaced, and the secrets found so far.
    public func redact(target: String) -> String {
        var learned: [[UInt8]] = []
        let redacted = redact(target: target, learning: &learned)
        let known = secrets.withLock { $0 }
        return known.isEmpty ? redacted : scrub(redacted, known)
    }

    /// A target with the values of ``queryParameters`` replaced by tokens.
    public func redact(target: String, learning learned: inout [[UInt8]]) -> String {
        let path = target.prefix { $0 != "?" }
        guard !queryParameters.isEmpty, path.count < target.count else { return target }
        var changed = false
        let pairs = target.dropFirst(path.count + 1).split(separator: "&", omittingEmptySubsequences: false).map {
            pair -> String in
            let name = pair.prefix { $0 != "=" }
            let value = pair.dropFirst(name.count + 1)
            guard name.count < pair.count, !value.isEmpty, queryParameters.contains(name.lowercased()) else {
                return String(pair)
            }
            changed = true
            return name + "=" + replace(secret: value, learning: &learned)
        }
        return changed ? path + "?" + pairs.joined(separator: "&") : target
    }

    /// A body with the values at ``jsonPaths`` and the matches of ``patterns`` replaced by tokens.
    public func redact(body: [UInt8], learning learned: inout [[UInt8]]) -> [UInt8] {
        redact(patternsIn: redact(jsonBody: body, learning: &learned), learning: &learned)
    }

    /// A UTF-8 text body with the matches of ``patterns`` replaced by tokens; any other body is returned unchanged.
    private func redact(patternsIn body: [UInt8], learning learned: inout [[UInt8]]) -> [UInt8] {
        guard !patterns.isEmpty, !body.isEmpty, body.count <= Self.patternScanLimit,
            String(validating: body, as: UTF8.self) != nil
        else { return body }
        var result = body
        for pattern in patterns {
            let current = String(decoding: result, as: UTF8.self)
            for range in pattern.secretRanges(in: current).reversed() {
                let secret = Array(result[range])
                if Self.isToken(String(decoding: secret, as: UTF8.self)) { continue }
                learned.append(secret)
                result.replaceSubrange(range, with: Array(Self.token(for: secret).utf8))
            }
        }
        return result
    }

    // MARK: - JSON

    /// A JSON body with the values at ``jsonPaths`` replaced by tokens; any other body is returned unchanged.
    public func redact(jsonBody body: [UInt8], learning learned: inout [[UInt8]]) -> [UInt8] {
        guard !jsonPaths.isEmpty, let first = body.first(where: { $0 > 0x20 }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else { return body }
        guard let located = try? JSONParser.locate(jsonPaths, in: body), !located.isEmpty else { return body }
        // Replace outermost matches only, from the end so earlier ranges stay valid.
        var outermost: [JSONParser.Located] = []
        for match in located.sorted(by: {
            $0.range.lowerBound < $1.range.lowerBound
                || ($0.range.lowerBound == $1.range.lowerBound && $0.range.count > $1.range.count)
        }) {
            if let last = outermost.last, last.range.contains(match.range.lowerBound) { continue }
            outermost.append(match)
        }
        var result = body
        for match in outermost.reversed() {
            let secret: [UInt8]
            if case .string(let text) = match.value {
                if Self.isToken(text) { continue }
                secret = Array(text.utf8)
            } else {
                secret = Array(body[match.range])
            }
            learned.append(secret)
            var replacement: [UInt8] = []
            JSONWriter.writeString(Self.token(for: secret), to: &replacement)
            result.replaceSubrange(match.range, with: replacement)
        }
        return result
    }

    // MARK: - Scrubbing

    private func remember(_ learned: [[UInt8]]) {
        let worth = learned.filter { $0.count >= Self.minimumScrubLength }
        guard !worth.isEmpty else { return }
        secrets.withLock { known in
            for secret in worth where !known.contains(secret) {
                known.append(secret)
            }
            if known.count > Self.rememberedSecrets { known.removeFirst(known.count - Self.rememberedSecrets) }
        }
    }

    private func scrub(_ exchange: Exchange) -> Exchange {
        let known = secrets.withLock { $0 }
        guard !known.isEmpty else { return exchange }
        var result = exchange
        result.request.target = scrub(exchange.request.target, known)
        result.request.headers = scrub(exchange.request.headers, known)
        result.request.body = scrub(exchange.request.body, known)
        result.response.headers = scrub(exchange.response.headers, known)
        result.fault?.detail = scrub(exchange.fault?.detail ?? "", known)
        switch exchange.response.content {
        case .body(let bytes):
            result.response.content = .body(scrub(bytes, known))
        case .events(let events, let exact):
            let scrubbed = events.map { event -> StreamEvent in
                switch event.frame {
                case .event(var sse):
                    sse.data = scrub(sse.data, known)
                    sse.event = sse.event.map { scrub($0, known) }
                    sse.id = sse.id.map { scrub($0, known) }
                    return StreamEvent(atMilliseconds: event.atMilliseconds, frame: .event(sse))
                case .comment(let text):
                    return StreamEvent(atMilliseconds: event.atMilliseconds, frame: .comment(scrub(text, known)))
                }
            }
            result.response.content = .events(scrubbed, exact: exact.map { scrub($0, known) })
        case .chunks(let chunks):
            result.response.content = .chunks(scrub(chunks, known))
        }
        return result
    }

    /// Chunks with secrets removed; a secret split across chunk boundaries is found too (the chunks are then
    /// merged into one, at the last chunk's time).
    private func scrub(_ chunks: [StreamChunk], _ known: [[UInt8]]) -> [StreamChunk] {
        let joined = chunks.flatMap(\.bytes)
        let scrubbed = scrub(joined, known)
        if scrubbed == joined { return chunks }
        return [StreamChunk(atMilliseconds: chunks.last?.atMilliseconds ?? 0, bytes: scrubbed)]
    }

    private func scrub(_ headers: HTTPHeaders, _ known: [[UInt8]]) -> HTTPHeaders {
        HTTPHeaders(fields: headers.fields.map { HTTPField(name: $0.name, value: scrub($0.value, known)) })
    }

    private func scrub(_ text: String, _ known: [[UInt8]]) -> String {
        let bytes = Array(text.utf8)
        let scrubbed = scrub(bytes, known)
        return scrubbed == bytes ? text : String(decoding: scrubbed, as: UTF8.self)
    }

    private func scrub(_ bytes: [UInt8], _ known: [[UInt8]]) -> [UInt8] {
        var result = bytes
        for secret in known where secret.count <= result.count {
            if let replaced = Self.replacingOccurrences(of: secret, in: result) { result = replaced }
        }
        return result
    }

    /// `bytes` with every occurrence of `secret` replaced by its token, or nil when there is none.
    static func replacingOccurrences(of secret: [UInt8], in bytes: [UInt8]) -> [UInt8]? {
        guard !secret.isEmpty, bytes.count >= secret.count else { return nil }
        let positions: [Int] = bytes.withUnsafeBytes { haystack in
            secret.withUnsafeBytes { needle in
                var found: [Int] = []
                var offset = 0
                while let position = ByteSearch.firstOffset(of: needle, in: haystack, from: offset) {
                    found.append(position)
                    offset = position + needle.count
                }
                return found
            }
        }
        guard !positions.isEmpty else { return nil }
        let token = Array(token(for: secret).utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var start = 0
        for position in positions {
            result.append(contentsOf: bytes[start..<position])
            result.append(contentsOf: token)
            start = position + secret.count
        }
        result.append(contentsOf: bytes[start...])
        return result
    }
}
