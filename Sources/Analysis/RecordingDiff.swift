public import JSON

/// What a difference between two recordings is about. Contract categories are what a client depends on (status,
/// headers that matter, JSON shapes and types, SSE event types and order, which exchanges happen, faults); content
/// categories are values the contract leaves free (bodies, notes, tool calls, MIDI metrics, MUSE outcomes);
/// performance categories are latency changes, which only fail a diff when a threshold asks for it.
public struct DiffCategory: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Which class of difference a category belongs to.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Something a client of the contract would break on.
        case contract
        /// A value the contract leaves free.
        case content
        /// A latency change.
        case performance
    }

    /// The name used in output and in `--fail-on`, e.g. `sse-order`.
    public let name: String
    /// Its class.
    public let kind: Kind
    /// What it covers, for help and documentation.
    public let summary: String

    private init(_ name: String, _ kind: Kind, _ summary: String) {
        self.name = name
        self.kind = kind
        self.summary = summary
    }

    /// A run recorded on one side only, or whose status changed.
    public static let runs = DiffCategory("runs", .contract, "a run only on one side, or its status changed")
    /// An exchange on one side only, or a different method or endpoint in its place.
    public static let exchanges = DiffCategory(
        "exchanges",
        .contract,
        "an exchange only on one side, or another method or endpoint in its place"
    )
    /// A different response status.
    public static let status = DiffCategory("status", .contract, "the response status changed")
    /// A response header appeared or disappeared, or the content type changed.
    public static let headers = DiffCategory(
        "headers",
        .contract,
        "a response header appeared or disappeared, or Content-Type changed"
    )
    /// A JSON member appeared or disappeared, or changed type, in a response body or in an SSE event type.
    public static let jsonShape = DiffCategory(
        "json-shape",
        .contract,
        "a JSON member appeared, disappeared or changed type (response bodies, SSE data per event type)"
    )
    /// An SSE event type occurs on one side only.
    public static let sseTypes = DiffCategory("sse-types", .contract, "an SSE event type occurs on one side only")
    /// SSE events came in a different order.
    public static let sseOrder = DiffCategory(
        "sse-order",
        .contract,
        "SSE events moved, or event types first appear in another order"
    )
    /// An exchange failed (reset, timeout, …) on one side only, or differently.
    public static let faults = DiffCategory("faults", .contract, "an exchange faulted on one side only, or differently")
    /// A value in a response body changed.
    public static let body = DiffCategory("body", .content, "a value in a response body changed")
    /// A value in an SSE event's data changed (other than notes and tool calls).
    public static let sseData = DiffCategory("sse-data", .content, "a value in an SSE event's data changed")
    /// SSE events of a type both sides have were inserted or dropped.
    public static let sseEvents = DiffCategory(
        "sse-events",
        .content,
        "SSE events of a type both sides have were inserted or dropped"
    )
    /// A tool call's name or parameters changed.
    public static let toolCalls = DiffCategory("tool-calls", .content, "a tool call's name or parameters changed")
    /// A note of a `stori_add_notes` (or `addNotes`) tool call changed.
    public static let notes = DiffCategory("notes", .content, "a note of a stori_add_notes tool call changed")
    /// A MIDI metric of a run changed beyond its tolerance.
    public static let midi = DiffCategory("midi", .content, "a MIDI metric changed beyond its tolerance")
    /// A MUSE merge or checkout had another outcome (clean, conflict, blocked).
    public static let muse = DiffCategory("muse", .content, "a MUSE merge or checkout had another outcome")
    /// A request body the harness sent differs (one difference per exchange).
    public static let request = DiffCategory("request", .content, "a request body differs")
    /// An endpoint's median latency changed beyond the tolerance.
    public static let latencyP50 = DiffCategory("latency-p50", .performance, "an endpoint's median latency changed")
    /// An endpoint's 95th-percentile latency changed beyond the tolerance.
    public static let latencyP95 = DiffCategory(
        "latency-p95",
        .performance,
        "an endpoint's 95th-percentile latency changed"
    )

    /// One exchange's total time changed beyond the tolerance (a slow call an endpoint's percentiles hide).
    public static let latencyOutlier = DiffCategory(
        "latency-outlier",
        .performance,
        "one exchange's total time changed beyond the tolerance"
    )

    /// Every category, contract first, in the order output lists them.
    public static let all: [DiffCategory] = [
        .runs, .exchanges, .status, .headers, .jsonShape, .sseTypes, .sseOrder, .faults,
        .body, .sseData, .sseEvents, .toolCalls, .notes, .midi, .muse, .request,
        .latencyP50, .latencyP95, .latencyOutlier,
    ]

    /// The category named `name`, or nil.
    public init?(named name: String) {
        guard let found = Self.all.first(where: { $0.name == name }) else { return nil }
        self = found
    }

    /// Its position in ``all``.
    public var rank: Int { Self.all.firstIndex(of: self) ?? Self.all.count }

    /// Ordered as ``all`` lists them.
    public static func < (lhs: DiffCategory, rhs: DiffCategory) -> Bool { lhs.rank < rhs.rank }

    /// The name.
    public var description: String { name }
}

/// The exchange a difference was found in: its ordinal and what it asked for.
public struct ExchangeLocation: Sendable, Hashable {
    /// The request's ordinal within its run.
    public var ordinal: Int
    /// The service, e.g. `maestro`.
    public var service: String
    /// The method.
    public var method: String
    /// The target (path and query), as recording A has it (B's when the exchange is only in B).
    public var target: String
    /// The harness step, if known.
    public var step: String?

    /// Makes a location.
    public init(ordinal: Int, service: String, method: String, target: String, step: String? = nil) {
        self.ordinal = ordinal
        self.service = service
        self.method = method
        self.target = target
        self.step = step
    }

    /// `#47 maestro POST /api/v1/muse/merge (conflict)`.
    public var label: String {
        "#\(ordinal) \(service) \(method) \(target)" + (step.map { " (\($0))" } ?? "")
    }
}

/// The SSE event a difference was found in, by its index in each recording's `events` list.
public struct EventLocation: Sendable, Hashable {
    /// The event's index in A's `events` (nil when it is only in B).
    public var indexA: Int?
    /// The event's index in B's `events` (nil when it is only in A).
    public var indexB: Int?
    /// The event type, with the tool name for tool events (`toolCall stori_add_notes`).
    public var type: String

    /// Makes a location.
    public init(indexA: Int?, indexB: Int?, type: String) {
        self.indexA = indexA
        self.indexB = indexB
        self.type = type
    }

    /// `event 28 toolCall stori_add_notes`, or `event 33→34 meta` when the indexes differ.
    public var label: String {
        let index: String
        switch (indexA, indexB) {
        case (let a?, let b?) where a == b: index = "\(a)"
        case (let a?, let b?): index = "\(a)→\(b)"
        case (let a?, nil): index = "\(a) (A)"
        case (nil, let b?): index = "\(b) (B)"
        case (nil, nil): index = "?"
        }
        return "event \(index) \(type)"
    }
}

/// One difference between recording A and recording B.
public struct Difference: Sendable, Hashable {
    /// What it is about.
    public var category: DiffCategory
    /// The run it was found in (nil for recording-wide differences such as latency).
    public var run: String?
    /// The exchange, when it is about one.
    public var exchange: ExchangeLocation?
    /// The SSE event, when it is about one.
    public var event: EventLocation?
    /// The JSON path inside the body or event data, e.g. `$.params.notes[3].pitch`.
    public var path: String?
    /// A's value as compact JSON or text (nil when A has none).
    public var before: String?
    /// B's value as compact JSON or text (nil when B has none).
    public var after: String?
    /// What changed, in words.
    public var message: String
    /// B minus A for numeric differences (MIDI metrics, latency), used by thresholds.
    public var delta: Double?
    /// Whether ``before`` and ``after`` are JSON texts (values from bodies and events, numbers), which `--json`
    /// embeds as JSON rather than as strings.
    public var valuesAreJSON = false

    /// Makes a difference.
    public init(
        _ category: DiffCategory,
        run: String?,
        exchange: ExchangeLocation? = nil,
        event: EventLocation? = nil,
        path: String? = nil,
        before: String? = nil,
        after: String? = nil,
        message: String,
        delta: Double? = nil,
        valuesAreJSON: Bool = false
    ) {
        self.category = category
        self.run = run
        self.exchange = exchange
        self.event = event
        self.path = path
        self.before = before
        self.after = after
        self.message = message
        self.delta = delta
        self.valuesAreJSON = valuesAreJSON
    }
}

/// One endpoint's latency in A and in B (total time of its exchanges, all runs together).
public struct LatencyComparison: Sendable, Hashable {
    /// `service METHOD /path/{id}`.
    public var endpoint: String
    /// Exchanges in A and in B.
    public var countA: Int
    /// Exchanges in B.
    public var countB: Int
    /// Median in A, milliseconds.
    public var p50A: Double
    /// Median in B, milliseconds.
    public var p50B: Double
    /// 95th percentile in A, milliseconds.
    public var p95A: Double
    /// 95th percentile in B, milliseconds.
    public var p95B: Double

    /// Makes a comparison.
    public init(endpoint: String, countA: Int, countB: Int, p50A: Double, p50B: Double, p95A: Double, p95B: Double) {
        self.endpoint = endpoint
        self.countA = countA
        self.countB = countB
        self.p50A = p50A
        self.p50B = p50B
        self.p95A = p95A
        self.p95B = p95B
    }
}

/// What is ignored and tolerated when two recordings are compared.
public struct DiffOptions: Sendable {
    /// What is volatile: values not compared (the presence and type of a volatile member still are).
    public var volatility = VolatilityPolicy.diff
    /// The volatile locations given by the user (`--ignore $.path`), in ``JSONPath`` syntax: ``volatility``'s paths.
    public var volatilePaths: [JSONPath] {
        get { volatility.paths }
        set { volatility.paths = newValue }
    }
    /// A MIDI metric counts as changed only when it moved by more than this (absolute).
    public var midiTolerance: [String: Double] = [
        "score": 0.5, "duration_seconds": 0.01, "tempo_bpm": 0.01, "pitch_class_entropy_bits": 0.01,
    ]
    /// A latency percentile counts as changed only when it moved by more than this fraction …
    public var latencyRelativeTolerance = 0.5
    /// … and by more than this many milliseconds (loopback timings jitter by a few milliseconds).
    public var latencyAbsoluteToleranceMilliseconds = 50.0
    /// At most this many content differences are listed per exchange (all are counted; contract ones all listed).
    public var maximumListedPerExchange = 40
    /// SSE streams longer than this (events on both sides multiplied) are compared by position, not aligned.
    public var maximumAlignmentCells = 4_000_000

    /// The defaults.
    public init() {}
}

/// Everything that differs between two recordings.
public struct RecordingDiff: Sendable {
    /// Recording A's path.
    public var pathA: String
    /// Recording B's path.
    public var pathB: String
    /// Runs present on both sides.
    public var pairedRuns: Int = 0
    /// Exchanges present on both sides.
    public var pairedExchanges: Int = 0
    /// The listed differences, by run, ordinal and event.
    public var differences: [Difference] = []
    /// How many differences of each category were found (more than are listed when a cap was hit).
    public var counts: [DiffCategory: Int] = [:]
    /// Per-endpoint latency on both sides, by endpoint.
    public var latency: [LatencyComparison] = []
    /// Differences counted but not listed, because their exchange already had the most that are listed.
    public var omitted = 0
    /// The most differences listed per exchange.
    public var listedPerExchange = DiffOptions().maximumListedPerExchange

    /// Makes an empty diff.
    public init(pathA: String, pathB: String) {
        self.pathA = pathA
        self.pathB = pathB
    }

    /// The number of differences of `kind`.
    public func count(of kind: DiffCategory.Kind) -> Int {
        counts.filter { $0.key.kind == kind }.reduce(0) { $0 + $1.value }
    }

    /// The number of differences of `category`.
    public func count(_ category: DiffCategory) -> Int { counts[category] ?? 0 }

    /// Whether nothing of contract or content class differs (latency is only judged by ``FailPolicy``).
    public var isEmpty: Bool { count(of: .contract) == 0 && count(of: .content) == 0 }

    /// Whether nothing differs at all, performance included.
    public var isIdentical: Bool { counts.values.allSatisfy { $0 == 0 } }
}

/// What stops a diff, in one line: a recording that cannot be read (naming the file, record and offset) or a
/// `--fail-on` SPEC that cannot be parsed (naming the bad item).
public struct DiffError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
