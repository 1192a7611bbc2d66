import Vocabulary

/// A failure mode the simulator can be told to reproduce, parsed from a `--fault` spec such as `latency=200ms`.
///
/// Every probabilistic fault is decided by hashing the stack seed with the request's key (method, target, body
/// digest) and the number of times that same request was seen before, so a given seed fails the same requests the
/// same way in every run, a retry of a failed request is decided afresh, and unrelated traffic does not change the
/// outcome (there is no generator shared across requests).
public struct StackFault: Sendable, Equatable, CustomStringConvertible {
    /// Which service a fault applies to.
    public enum Service: String, Sendable, Equatable, CaseIterable {
        /// Every Maestro route (MUSE included).
        case maestro
        /// Only the MUSE routes under `/api/v1/muse`.
        case muse
        /// Storpheus.
        case storpheus
    }

    /// How the forced authentication failure looks.
    public enum AuthFailure: String, Sendable, Equatable {
        /// `401 {"detail":"Invalid or expired access code."}`.
        case invalid = "401"
        /// `401 {"detail":"Access code has been revoked."}`.
        case revoked
        /// `503 {"detail":"Unable to verify token status. Please try again later."}`.
        case unavailable = "503"
    }

    /// How the language model Maestro plans and edits with is unavailable (measured against the real service).
    public enum LLMFailure: String, Sendable, Equatable {
        /// No API key is configured: every stream is `error` + `complete` with `traceId: "unhandled-error"`.
        case unconfigured
        /// A key is configured but the model host cannot be reached: a stream that needs the model ends with
        /// `error` "All connection attempts failed" + `complete`.
        case unreachable
    }

    /// What goes wrong.
    public enum Kind: Sendable, Equatable {
        /// Every response waits this long before its first byte.
        case latency(Duration)
        /// The first request to each service waits this long (a container still warming up).
        case coldStart(Duration)
        /// This fraction of requests fail with a 500 (`Internal Server Error`; health checks are spared).
        case errorRate(Double)
        /// Compose streams are cut (connection closed, no `complete`) after this many `data:` frames.
        case cutStream(Int)
        /// This fraction of Storpheus jobs end `failed` (the worker raised).
        case storpheusJobFailure(Double)
        /// Storpheus is down: its routes answer 503 and Maestro's pre-flight probe fails.
        case storpheusDown
        /// Every authenticated Maestro request fails authentication this way.
        case auth(AuthFailure)
        /// Overrides the compose-stream rate limit per client IP per minute (0 turns it off).
        case rateLimit(Int)
        /// Overrides the concurrent compositions allowed per user (0 turns the limit off).
        case maxCompositions(Int)
        /// Gives every token user this budget in dollars; below one cent streams get 402.
        case budget(Double)
        /// The language model is unavailable this way.
        case llm(LLMFailure)
    }

    /// What goes wrong.
    public var kind: Kind
    /// The service it is limited to; nil for every service it makes sense for.
    public var service: Service?

    /// Makes a fault.
    public init(_ kind: Kind, service: Service? = nil) {
        self.kind = kind
        self.service = service
    }

    /// The specs `--fault` accepts, for help text and error messages.
    public static let grammar =
        "latency=[SERVICE:]DURATION, cold-start=[SERVICE:]DURATION, error-rate=[SERVICE:]P, cut-stream=N, "
        + "storpheus-fail=P, storpheus-down, auth=401|revoked|503, rate-limit=N, max-compositions=N, budget=DOLLARS, "
        + "llm=unconfigured|unreachable "
        + "(SERVICE is maestro, muse or storpheus; DURATION like 200ms or 2s; P from 0 to 1)"

    /// Parses one spec; the error says what is wrong in one line.
    public init(parsing spec: String) throws(StackFaultError) {
        let trimmed = spec.trimmingWhitespace()
        let name: String
        var value: String?
        if let equals = trimmed.firstIndex(of: "=") {
            name = String(trimmed[..<equals]).lowercased()
            value = String(trimmed[trimmed.index(after: equals)...])
        } else {
            name = trimmed.lowercased()
        }
        var service: Service?
        if let text = value, let colon = text.firstIndex(of: ":"),
            let scoped = Service(rawValue: String(text[..<colon]).lowercased())
        {
            service = scoped
            value = String(text[text.index(after: colon)...])
        }
        func need() throws(StackFaultError) -> String {
            guard let value, !value.isEmpty else {
                throw StackFaultError("fault '\(spec)' needs a value, e.g. \(Self.example(for: name))")
            }
            return value
        }
        func unscoped() throws(StackFaultError) {
            if service != nil { throw StackFaultError("fault '\(spec)' does not take a service prefix") }
        }
        switch name {
        case "latency":
            self.init(.latency(try Self.duration(try need(), spec: spec)), service: service)
        case "cold-start":
            self.init(.coldStart(try Self.duration(try need(), spec: spec)), service: service)
        case "error-rate":
            self.init(.errorRate(try Self.probability(try need(), spec: spec)), service: service)
        case "cut-stream":
            try unscoped()
            self.init(.cutStream(try Self.count(try need(), spec: spec, minimum: 1)))
        case "storpheus-fail":
            try unscoped()
            self.init(.storpheusJobFailure(try Self.probability(try need(), spec: spec)))
        case "storpheus-down":
            try unscoped()
            if let value, !["true", "1", "yes"].contains(value.lowercased()) {
                throw StackFaultError("fault '\(spec)' takes no value (write storpheus-down)")
            }
            self.init(.storpheusDown)
        case "auth":
            try unscoped()
            guard let failure = AuthFailure(rawValue: try need().lowercased()) else {
                throw StackFaultError("fault '\(spec)': auth must be 401, revoked or 503")
            }
            self.init(.auth(failure))
        case "rate-limit":
            try unscoped()
            self.init(.rateLimit(try Self.count(try need(), spec: spec, minimum: 0)))
        case "max-compositions":
            try unscoped()
            self.init(.maxCompositions(try Self.count(try need(), spec: spec, minimum: 0)))
        case "budget":
            try unscoped()
            guard let dollars = Double(try need()), dollars >= 0, dollars.isFinite else {
                throw StackFaultError("fault '\(spec)': budget takes a number of dollars, e.g. budget=0")
            }
            self.init(.budget(dollars))
        case "llm":
            try unscoped()
            guard let failure = LLMFailure(rawValue: try need().lowercased()) else {
                throw StackFaultError("fault '\(spec)': llm must be unconfigured or unreachable")
            }
            self.init(.llm(failure))
        default:
            throw StackFaultError("unknown fault '\(spec)'; use one of: \(Self.grammar)")
        }
    }

    /// The spec text that parses back to this fault.
    public var description: String {
        let prefix = service.map { "\($0.rawValue):" } ?? ""
        switch kind {
        case .latency(let duration): return "latency=\(prefix)\(Self.format(duration))"
        case .coldStart(let duration): return "cold-start=\(prefix)\(Self.format(duration))"
        case .errorRate(let rate): return "error-rate=\(prefix)\(rate)"
        case .cutStream(let count): return "cut-stream=\(count)"
        case .storpheusJobFailure(let rate): return "storpheus-fail=\(rate)"
        case .storpheusDown: return "storpheus-down"
        case .auth(let failure): return "auth=\(failure.rawValue)"
        case .rateLimit(let count): return "rate-limit=\(count)"
        case .maxCompositions(let count): return "max-compositions=\(count)"
        case .budget(let dollars): return "budget=\(dollars)"
        case .llm(let failure): return "llm=\(failure.rawValue)"
        }
    }

    private static func example(for name: String) -> String {
        switch name {
        case "latency": "latency=200ms"
        case "cold-start": "cold-start=2s"
        case "error-rate": "error-rate=storpheus:0.2"
        case "cut-stream": "cut-stream=25"
        case "storpheus-fail": "storpheus-fail=1.0"
        case "auth": "auth=401"
        case "rate-limit": "rate-limit=5"
        case "max-compositions": "max-compositions=1"
        case "budget": "budget=0"
        case "llm": "llm=unreachable"
        default: grammar
        }
    }

    /// Parses `200ms`, `2s`, `1.5s` or `1m`.
    static func duration(_ text: String, spec: String) throws(StackFaultError) -> Duration {
        let lowered = text.lowercased()
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        for (unit, milliseconds) in units where lowered.hasSuffix(unit) {
            if let number = Double(lowered.dropLast(unit.count)), number >= 0, number.isFinite, number < 3_600_000 {
                return .milliseconds(Int64((number * milliseconds).rounded()))
            }
        }
        throw StackFaultError("fault '\(spec)': '\(text)' is not a duration; write it like 200ms, 2s or 1m")
    }

    private static func probability(_ text: String, spec: String) throws(StackFaultError) -> Double {
        guard let number = Double(text), number >= 0, number <= 1 else {
            throw StackFaultError("fault '\(spec)': '\(text)' is not a probability from 0 to 1")
        }
        return number
    }

    private static func count(_ text: String, spec: String, minimum: Int) throws(StackFaultError) -> Int {
        guard let number = Int(text), number >= minimum else {
            throw StackFaultError("fault '\(spec)': '\(text)' is not a whole number of at least \(minimum)")
        }
        return number
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.wholeMilliseconds
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}

/// A `--fault` spec that cannot be parsed; the message is one line that says what to write instead.
public struct StackFaultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
