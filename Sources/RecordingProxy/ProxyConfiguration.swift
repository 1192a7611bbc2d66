public import Cassettes
public import HTTPTransport
public import JSON
import Sockets
public import Vocabulary

/// What a ``ProxyServer`` does: its mode, its services, where cassettes live, pacing, redaction and timeouts.
public struct ProxyConfiguration: Sendable {
    /// What happens to each request.
    public enum Mode: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Forward to the upstream and record every exchange.
        case record
        /// Answer from the cassettes only; no upstream is contacted.
        case replay
        /// Forward without recording.
        case passthrough
        /// Answer from the cassettes what they hold; forward and record the rest.
        case recordMissing = "record-missing"

        /// The mode's name on the command line.
        public var description: String { rawValue }

        /// Whether requests may go to the upstream.
        public var forwards: Bool { self != .replay }
        /// Whether exchanges are written to cassettes.
        public var records: Bool { self == .record || self == .recordMissing }
        /// Whether recordings answer requests.
        public var replays: Bool { self == .replay || self == .recordMissing }
    }

    /// A numeric host and port to listen on.
    public struct Listener: Sendable, Equatable {
        /// The numeric host, e.g. `127.0.0.1`.
        public var host: String
        /// The port; 0 picks a free one.
        public var port: Int

        /// Makes a listener address.
        public init(host: String = "127.0.0.1", port: Int = 0) {
            self.host = host
            self.port = port
        }

        /// Parses `HOST:PORT` or `PORT` (on 127.0.0.1); an IPv6 host may be bracketed.
        public init?(argument: String) {
            var host = "127.0.0.1"
            var portText = Substring(argument)
            if let colon = argument.lastIndex(of: ":") {
                host = String(argument[..<colon])
                portText = argument[argument.index(after: colon)...]
                if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            }
            guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else { return nil }
            self.init(host: host, port: port)
        }
    }

    /// One named service, and where its traffic goes: to its own listener, or to the shared forward listener under
    /// its upstream's authority.
    public struct ServiceRoute: Sendable, Equatable {
        /// The name, e.g. `maestro`.
        public var name: Service
        /// The numeric host to listen on.
        public var host: String
        /// The port to listen on; 0 picks a free one.
        public var port: Int
        /// Whether the service has a listener of its own; if not, it is reached only through the forward listener
        /// (``ProxyConfiguration/forwardListener``), by a request for its upstream's authority.
        public var listens: Bool
        /// The upstream base URL (`http://` or `https://`); nil in replay mode for a service with its own listener. A
        /// path in it prefixes every forwarded target.
        public var upstream: HTTPURL?

        /// Makes a service with a listener of its own.
        public init(name: Service, host: String = "127.0.0.1", port: Int = 0, upstream: HTTPURL? = nil) {
            self.name = name
            self.host = host
            self.port = port
            self.listens = true
            self.upstream = upstream
        }

        /// Makes a service without a listener of its own: the forward listener sends it the requests for
        /// `upstream`'s authority (in replay too, where the upstream is not contacted).
        public static func forwarded(name: Service, upstream: HTTPURL) -> ServiceRoute {
            var route = ServiceRoute(name: name, upstream: upstream)
            route.listens = false
            return route
        }

        /// Parses `NAME=LISTEN[=UPSTREAM]`, where LISTEN is `HOST:PORT` or `PORT` (on 127.0.0.1), e.g.
        /// `maestro=127.0.0.1:0=http://127.0.0.1:10001`; or `NAME=UPSTREAM`, a service reached through the forward
        /// listener, e.g. `maestro=https://staging.example.com`.
        public init(argument: String) throws(ProxyConfigurationError) {
            let parts = argument.split(separator: "=", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2 else {
                throw .unparsableService(argument: argument, problem: .notNameListenUpstream)
            }
            guard let name = Service(rawValue: parts[0]) else {
                throw .unparsableService(argument: argument, problem: .name(Service.problem(withName: parts[0]) ?? ""))
            }
            if parts.count == 2 && parts[1].contains("://") {
                guard let url = HTTPURL(string: parts[1], accepting: [.http, .https]) else {
                    throw .unparsableService(argument: argument, problem: .upstream(parts[1]))
                }
                self = .forwarded(name: name, upstream: url)
                return
            }
            guard let listener = Listener(argument: parts[1]) else {
                throw .unparsableService(argument: argument, problem: .listen(parts[1]))
            }
            var upstream: HTTPURL?
            if parts.count == 3 {
                guard let url = HTTPURL(string: parts[2], accepting: [.http, .https]) else {
                    throw .unparsableService(argument: argument, problem: .upstream(parts[2]))
                }
                upstream = url
            }
            self.init(name: name, host: listener.host, port: listener.port, upstream: upstream)
        }

    }

    /// How fast replay answers (cassette-format.md §7).
    public enum Pace: Sendable, Equatable, CustomStringConvertible {
        /// No waiting at all (the default).
        case fast
        /// The recorded time to first byte and gaps between events and chunks.
        case recorded
        /// The recorded times multiplied by this factor (0.1 is ten times faster than recorded).
        case factor(Double)

        /// Parses `fast`, `recorded` or a factor greater than 0.
        public init(argument: String) throws(ProxyConfigurationError) {
            switch argument {
            case "fast": self = .fast
            case "recorded": self = .recorded
            default:
                guard let factor = Double(argument), factor > 0, factor.isFinite else {
                    throw .unparsablePace(argument: argument)
                }
                self = .factor(factor)
            }
        }

        /// The multiplier of recorded times, or nil for no waiting.
        public var multiplier: Double? {
            switch self {
            case .fast: nil
            case .recorded: 1
            case .factor(let factor): factor
            }
        }

        /// `fast`, `recorded` or the factor.
        public var description: String {
            switch self {
            case .fast: "fast"
            case .recorded: "recorded"
            case .factor(let factor): String(factor)
            }
        }
    }

    /// The mode.
    public var mode: Mode
    /// The session directory of cassettes (not needed in passthrough).
    public var cassetteDirectory: String?
    /// The services: each with its own listener, or reached through the forward listener.
    public var services: [ServiceRoute]
    /// Where the forward listener binds, if there is one: it takes requests the way an HTTP proxy does (absolute URLs,
    /// as a client with `HTTP_PROXY` sends them) and hands each to the service of the authority it names, or to a
    /// service named after that authority when none is configured for it.
    public var forwardListener: Listener?
    /// Replay pacing.
    public var pace: Pace
    /// JSON paths whose values are redacted in bodies and SSE data.
    public var redactJSONPaths: [JSONPath]
    /// Headers whose values are redacted (lowercase).
    public var redactHeaders: Set<String>
    /// Query parameters whose values are redacted (lowercase).
    public var redactQueryParameters = Redactor.defaultQueryParameters
    /// Regular expressions whose matches in text bodies are redacted.
    public var redactPatterns: [RedactionPattern] = []
    /// What replay leaves out when it compares requests with recordings; none compares them whole.
    public var matchingRules = MatchingRules()
    /// Whether a replay uses the matching and redaction settings its recording was made with, or these, when they
    /// differ (``applying(_:)``).
    public var recordedSettings = RecordedSettingsChoice.prefer
    /// How long connecting to an upstream may take (then 504).
    public var connectTimeout: Duration
    /// How long the upstream may stay silent, before the head or between body bytes (then 504, or a cut stream).
    public var upstreamTimeout: Duration
    /// How long shutdown lets in-flight exchanges finish before cutting them.
    public var gracePeriod: Duration
    /// The largest request body accepted from a client (then 413).
    public var maxRequestBodyBytes: Int
    /// The tool version written into cassettes.
    public var toolVersion: String
    /// How long a run's cassette may go without an exchange before it is finished (its `end` record written, its
    /// descriptor and compressor freed); a later exchange of the run opens it again. Nil: kept open until shutdown.
    public var cassetteIdleTimeout: Duration? = .seconds(120)
    /// How many cassettes are open at once at most; opening one more first finishes the least recently used.
    public var maxOpenCassettes = DescriptorBudget.openCassetteLimit
    /// In record-missing, how old a recording may be and still answer: one that started longer than this before the
    /// proxy started is forwarded again, and the new exchange replaces it (cassette-format.md §11.3). Nil: any age.
    public var maxAge: Duration?
    /// Whose recordings the report lists as unused after a replay: nil for every cassette of the directory (what a
    /// standalone proxy session reports), or only these runs' (a replay of some runs of a large recording).
    public var unusedRecordingRuns: Set<RunID>?
    /// How a service's listener treats slow, idle and numerous clients (host, port and body limit come from the
    /// service and ``maxRequestBodyBytes``).
    public var clientPolicy = ClientPolicy(requestTimeout: .seconds(120), idleTimeout: .seconds(120))
    /// Where the proxy reports what a person should know (replay mismatches, recording failures), one line each.
    public var log: @Sendable (String) -> Void

    /// Makes a configuration.
    public init(
        mode: Mode,
        cassetteDirectory: String? = nil,
        services: [ServiceRoute],
        pace: Pace = .fast,
        redactJSONPaths: [JSONPath] = [],
        redactHeaders: Set<String> = Redactor.defaultHeaders,
        connectTimeout: Duration = .seconds(10),
        upstreamTimeout: Duration = .seconds(300),
        gracePeriod: Duration = .seconds(10),
        maxRequestBodyBytes: Int = 64 << 20,
        toolVersion: String = "0.0.0",
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.mode = mode
        self.cassetteDirectory = cassetteDirectory
        self.services = services
        self.pace = pace
        self.redactJSONPaths = redactJSONPaths
        self.redactHeaders = redactHeaders
        self.connectTimeout = connectTimeout
        self.upstreamTimeout = upstreamTimeout
        self.gracePeriod = gracePeriod
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.toolVersion = toolVersion
        self.log = log
    }

    /// Checks the configuration as a whole; the error says what to fix.
    public func validate() throws(ProxyConfigurationError) {
        guard !services.isEmpty || forwardListener != nil else { throw .noService }
        var names = Set<Service>()
        for service in services {
            guard names.insert(service.name).inserted else { throw .duplicateService(name: service.name) }
            if mode.forwards && service.upstream == nil { throw .missingUpstream(mode: mode, service: service) }
            if !service.listens && forwardListener == nil { throw .noForwardListener(service: service.name) }
        }
        if maxOpenCassettes < 1 { throw .openCassetteLimitBelowOne(maxOpenCassettes) }
        if let cassetteIdleTimeout, cassetteIdleTimeout <= .zero { throw .cassetteIdleTimeoutNotPositive }
        if mode != .passthrough && cassetteDirectory == nil { throw .missingCassetteDirectory(mode: mode) }
        if maxAge != nil && mode != .recordMissing { throw .maxAgeOutsideRecordMissing(mode: mode) }
    }

    /// The configuration as written into the session's `index.json`.
    var indexValue: JSONValue {
        .object([
            ("mode", .string(mode.rawValue)),
            (
                "services",
                .array(
                    services.map { service in
                        .object([
                            ("name", .string(service.name.rawValue)),
                            ("upstream", service.upstream.map { .string($0.description) } ?? .null),
                        ])
                    }
                )
            ),
            ("pace", .string(pace.description)),
            ("redact_json", .array(redactJSONPaths.map { .string($0.description) })),
            ("redact_headers", .array(redactHeaders.sorted().map(JSONValue.string))),
            ("redact_query", .array(redactQueryParameters.sorted().map(JSONValue.string))),
            ("redact_patterns", .array(redactPatterns.map { .string($0.description) })),
            ("matching_rules", matchingRules.document),
        ])
    }
}

/// What is wrong with a ``ProxyConfiguration``: which field, and its value. The description names the fields as the
/// configuration does; a command line that sets them with flags words the problem in its own flags.
public enum ProxyConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with a service's `NAME=LISTEN[=UPSTREAM]` argument.
    public enum ServiceProblem: Sendable, Equatable {
        /// It does not have the shape `NAME=LISTEN[=UPSTREAM]`.
        case notNameListenUpstream
        /// NAME breaks the naming rule; ``Service/problem(withName:)`` says how.
        case name(String)
        /// LISTEN, given here, is neither `HOST:PORT` nor a port.
        case listen(String)
        /// UPSTREAM, given here, is not an `http://` or `https://` URL.
        case upstream(String)
    }

    /// A service argument cannot be parsed.
    case unparsableService(argument: String, problem: ServiceProblem)
    /// A pace argument is not `fast`, `recorded` or a factor greater than 0.
    case unparsablePace(argument: String)
    /// There are no services.
    case noService
    /// Two services have this name.
    case duplicateService(name: Service)
    /// The mode forwards requests, but this service has no upstream to forward them to.
    case missingUpstream(mode: ProxyConfiguration.Mode, service: ProxyConfiguration.ServiceRoute)
    /// A service without a listener of its own, but no forward listener to reach it through.
    case noForwardListener(service: Service)
    /// ``ProxyConfiguration/maxOpenCassettes`` is below 1.
    case openCassetteLimitBelowOne(Int)
    /// ``ProxyConfiguration/cassetteIdleTimeout`` is zero or negative.
    case cassetteIdleTimeoutNotPositive
    /// The mode records or replays, but there is no ``ProxyConfiguration/cassetteDirectory``.
    case missingCassetteDirectory(mode: ProxyConfiguration.Mode)
    /// ``ProxyConfiguration/maxAge`` is set, but the mode is not record-missing (the only one that asks again).
    case maxAgeOutsideRecordMissing(mode: ProxyConfiguration.Mode)

    /// What is wrong, in the configuration's terms.
    public var description: String {
        switch self {
        case .unparsableService(let argument, .notNameListenUpstream):
            "the service '\(argument)' is not NAME=LISTEN[=UPSTREAM]"
        case .unparsableService(let argument, .name(let problem)): "the service '\(argument)': \(problem)"
        case .unparsableService(let argument, .listen(let listen)):
            "the service '\(argument)': LISTEN '\(listen)' is neither HOST:PORT nor PORT"
        case .unparsableService(let argument, .upstream(let upstream)):
            "the service '\(argument)': UPSTREAM '\(upstream)' is not an http:// or https:// URL"
        case .unparsablePace(let argument): "the pace '\(argument)' is not fast, recorded or a factor greater than 0"
        case .noService: "the configuration has no service and no forward listener"
        case .noForwardListener(let service):
            "the service \(service) has no listener of its own (NAME=UPSTREAM), so it needs the forward listener"
        case .duplicateService(let name): "the service '\(name)' is named twice"
        case .missingUpstream(let mode, let service):
            "the mode \(mode) forwards requests, but the service \(service.name) has no upstream"
        case .openCassetteLimitBelowOne(let limit): "the open cassette limit must be at least 1, not \(limit)"
        case .cassetteIdleTimeoutNotPositive: "the cassette idle timeout must be more than 0 seconds"
        case .missingCassetteDirectory(let mode): "the mode \(mode) needs a cassette directory"
        case .maxAgeOutsideRecordMissing(let mode):
            "a maximum recording age applies to the mode record-missing only, not \(mode)"
        }
    }
}

/// Why the proxy cannot start.
public enum ProxyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad kind, for callers that choose an exit code.
    public enum Kind: Sendable, Equatable {
        /// The configuration is wrong (usage error).
        case invalidConfiguration
        /// A listener could not bind, or the cassette directory cannot be used (environment problem).
        case environment
    }

    /// The configuration is wrong.
    case invalidConfiguration(ProxyConfigurationError)
    /// The mode replays, but the cassette directory, given here, does not exist.
    case missingCassetteDirectory(String)
    /// The mode records, but a session cannot be opened in the cassette directory.
    case unrecordableCassetteDirectory(String, CassetteError)
    /// A service's listener could not bind; the problem is the system's.
    case cannotListen(service: ProxyConfiguration.ServiceRoute, problem: String)
    /// The forward listener could not bind; the problem is the system's.
    case cannotListenForward(listener: ProxyConfiguration.Listener, problem: String)

    /// The kind.
    public var kind: Kind {
        switch self {
        case .invalidConfiguration: .invalidConfiguration
        case .missingCassetteDirectory, .unrecordableCassetteDirectory, .cannotListen, .cannotListenForward:
            .environment
        }
    }

    /// What is wrong, in the configuration's terms.
    public var description: String {
        switch self {
        case .invalidConfiguration(let error): error.description
        case .missingCassetteDirectory(let directory):
            "the cassette directory \(directory) does not exist: there is nothing to replay"
        case .unrecordableCassetteDirectory(let directory, let error):
            "cannot record into the cassette directory \(directory): \(error)"
        case .cannotListen(let service, let problem):
            "cannot listen on \(service.host):\(service.port) for \(service.name): \(problem)"
        case .cannotListenForward(let listener, let problem):
            "cannot listen on \(listener.host):\(listener.port) for the forward listener: \(problem)"
        }
    }
}
