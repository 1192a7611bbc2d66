/// An input file of an artifact tree that is missing or damaged, with what is wrong; loading goes on without it.
public struct InputProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file, relative to the tree's root (e.g. `runs.jsonl`, `cassettes/r_000003.jsonl.gz`).
    public var file: String
    /// What is wrong with it, in one line.
    public var problem: String

    /// Makes a problem record.
    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    /// `file: problem`.
    public var description: String { "\(file): \(problem)" }
}

/// One step of a run as `runs.jsonl` records it.
public struct RunStep: Sendable, Equatable {
    /// The step's name (`compose`, `merge_M1`, …).
    public var name: String
    /// `ok`, or what went wrong.
    public var status: String
    /// How long it took, in milliseconds.
    public var durationMilliseconds: Double

    /// Makes a value from its fields.
    public init(name: String, status: String, durationMilliseconds: Double) {
        self.name = name
        self.status = status
        self.durationMilliseconds = durationMilliseconds
    }
}

/// One run's summary line from `runs.jsonl`.
public struct RunRecord: Sendable, Equatable {
    /// The run id, e.g. `r_000042`.
    public var runID: String
    /// The run's index (1-based).
    public var index: Int
    /// The scenario it played.
    public var scenario: String
    /// `success` or one of the failure statuses (scenarios.md).
    public var status: String
    /// The error message of a failed run.
    public var error: String?
    /// When the run started (ISO 8601 UTC).
    public var startedAt: String
    /// How long the run took, in milliseconds.
    public var durationMilliseconds: Double
    /// The selected prompt's id.
    public var promptID: String?
    /// The selected prompt's title (text from the network).
    public var promptTitle: String?
    /// The style of the prompt.
    public var style: String?
    /// Notes extracted from the compose stream.
    public var notes: Int?
    /// The 0–100 MIDI quality score.
    public var qualityScore: Double?
    /// Number of HTTP requests the run made.
    public var requests: Int
    /// The run's steps in order.
    public var steps: [RunStep]
    /// The contract violations observed.
    public var contractViolations: [String]
    /// The MUSE HEAD's name at the end.
    public var museHead: String?

    /// Whether the run succeeded.
    public var succeeded: Bool { status == "success" }

    /// Makes a value from its fields.
    public init(
        runID: String,
        index: Int,
        scenario: String,
        status: String,
        error: String? = nil,
        startedAt: String,
        durationMilliseconds: Double,
        promptID: String? = nil,
        promptTitle: String? = nil,
        style: String? = nil,
        notes: Int? = nil,
        qualityScore: Double? = nil,
        requests: Int,
        steps: [RunStep],
        contractViolations: [String],
        museHead: String? = nil
    ) {
        self.runID = runID
        self.index = index
        self.scenario = scenario
        self.status = status
        self.error = error
        self.startedAt = startedAt
        self.durationMilliseconds = durationMilliseconds
        self.promptID = promptID
        self.promptTitle = promptTitle
        self.style = style
        self.notes = notes
        self.qualityScore = qualityScore
        self.requests = requests
        self.steps = steps
        self.contractViolations = contractViolations
        self.museHead = museHead
    }
}

/// One line of `events.jsonl` that the analysis keeps (MUSE and stream events), reduced to the fields it reads.
public struct RecordedEvent: Sendable, Equatable {
    /// When it happened (ISO 8601 UTC).
    public var timestamp: String
    /// The run it belongs to.
    public var runID: String
    /// `maestro`, `storpheus`, `muse`, `prompt_service` or `client`.
    public var component: String
    /// `muse_merge`, `muse_checkout`, `sse_event`, …
    public var type: String
    /// The string-valued and number-valued members of `data`, as text.
    public var fields: [String: String]

    /// Makes a value from its fields.
    public init(timestamp: String, runID: String, component: String, type: String, fields: [String: String]) {
        self.timestamp = timestamp
        self.runID = runID
        self.component = component
        self.type = type
        self.fields = fields
    }
}

/// One SSE frame of a recorded stream.
public struct StreamFrame: Sendable, Equatable {
    /// Milliseconds from the request to the frame.
    public var atMilliseconds: Double
    /// The event type: the `event:` field, else the `type` member of the JSON data, else `message`;
    /// `comment` for a comment line (heartbeat).
    public var type: String
    /// The event's data (or the comment's text).
    public var data: String

    /// Makes a value from its fields.
    public init(atMilliseconds: Double, type: String, data: String) {
        self.atMilliseconds = atMilliseconds
        self.type = type
        self.data = data
    }
}

/// One recorded HTTP exchange of a cassette, reduced to what the analysis and the database need.
public struct ExchangeRecord: Sendable, Equatable {
    /// The run it belongs to (`_default` for untagged traffic).
    public var runID: String
    /// Its order within the cassette.
    public var seq: Int
    /// The request's index within its run.
    public var ordinal: Int
    /// The service name (`maestro`, `storpheus`).
    public var service: String
    /// The harness step, if known.
    public var step: String?
    /// The request method.
    public var method: String
    /// The request target (path and query).
    public var target: String
    /// The path with ids collapsed to `{id}` and the query left out.
    public var pathTemplate: String
    /// The response status (0 when the exchange faulted before a response).
    public var status: Int
    /// Time to first byte, in milliseconds.
    public var ttfbMilliseconds: Double?
    /// Total time, in milliseconds.
    public var totalMilliseconds: Double
    /// The fault kind, if the exchange faulted.
    public var fault: String?
    /// The SSE frames, for an event stream.
    public var frames: [StreamFrame]
    /// For an exchange answered with an error status or that faulted, the start of its request body as text (what
    /// a report shows of a failure); nil otherwise.
    public var failedRequestBody: String?
    /// The same for the response body (empty for an event stream, whose frames are in ``frames``).
    public var failedResponseBody: String?

    /// `service METHOD /path/{id}`: the endpoint this exchange hit.
    public var endpoint: String { "\(service) \(method) \(pathTemplate)" }

    /// A 409 from MUSE's merge or checkout: the conflict or the blocked checkout the scenarios ask for, an
    /// answer of the contract rather than an error.
    public var isMuseConflict: Bool {
        status == 409 && (pathTemplate.hasSuffix("/muse/merge") || pathTemplate.hasSuffix("/muse/checkout"))
    }

    /// Answered with an error status (MUSE conflicts aside), or no answer at all.
    public var isError: Bool { (status >= 400 && !isMuseConflict) || status == 0 || fault != nil }

    /// Makes a value from its fields.
    public init(
        runID: String,
        seq: Int,
        ordinal: Int,
        service: String,
        step: String? = nil,
        method: String,
        target: String,
        pathTemplate: String,
        status: Int,
        ttfbMilliseconds: Double? = nil,
        totalMilliseconds: Double,
        fault: String? = nil,
        frames: [StreamFrame]
    ) {
        self.runID = runID
        self.seq = seq
        self.ordinal = ordinal
        self.service = service
        self.step = step
        self.method = method
        self.target = target
        self.pathTemplate = pathTemplate
        self.status = status
        self.ttfbMilliseconds = ttfbMilliseconds
        self.totalMilliseconds = totalMilliseconds
        self.fault = fault
        self.frames = frames
    }
}

/// One MUSE commit of a run's graph.
public struct MuseNode: Sendable, Equatable {
    /// The variation id.
    public var id: String
    /// The harness's name for it (`C1`, `B3`, `M2`, `X1`): the branch it was made on.
    public var name: String
    /// The first parent's id.
    public var parent: String?
    /// The second parent's id (merges only).
    public var secondParent: String?
    /// Whether it is HEAD.
    public var isHead: Bool
    /// The intent (`compose`, `edit:B1`, `merge`).
    public var intent: String

    /// Makes a value from its fields.
    public init(
        id: String,
        name: String,
        parent: String? = nil,
        secondParent: String? = nil,
        isHead: Bool,
        intent: String
    ) {
        self.id = id
        self.name = name
        self.parent = parent
        self.secondParent = secondParent
        self.isHead = isHead
        self.intent = intent
    }
}

/// One run's MUSE commit graph from `muse/graph.json`.
public struct MuseGraph: Sendable, Equatable {
    /// The run id.
    public var runID: String
    /// The commits in the order they were made.
    public var nodes: [MuseNode]
    /// HEAD's id.
    public var head: String?

    /// Makes a value from its fields.
    public init(runID: String, nodes: [MuseNode], head: String? = nil) {
        self.runID = runID
        self.nodes = nodes
        self.head = head
    }
}

/// One MUSE merge attempt of a run (from `events.jsonl`).
public struct MuseMerge: Sendable, Equatable {
    /// The run id.
    public var runID: String
    /// The merge commit's name, when it produced one.
    public var name: String?
    /// The left side's name.
    public var left: String
    /// The right side's name.
    public var right: String
    /// `clean` or `conflict`.
    public var outcome: String
    /// Number of conflicts reported.
    public var conflicts: Int
    /// The conflict descriptions.
    public var descriptions: [String]

    /// Makes a value from its fields.
    public init(
        runID: String,
        name: String? = nil,
        left: String,
        right: String,
        outcome: String,
        conflicts: Int,
        descriptions: [String]
    ) {
        self.runID = runID
        self.name = name
        self.left = left
        self.right = right
        self.outcome = outcome
        self.conflicts = conflicts
        self.descriptions = descriptions
    }
}

/// One MUSE checkout of a run (from `events.jsonl`).
public struct MuseCheckout: Sendable, Equatable {
    /// The run id.
    public var runID: String
    /// The ref checked out.
    public var ref: String
    /// Whether it was forced.
    public var force: Bool
    /// Whether HEAD moved (a checkout that did not move HEAD was blocked).
    public var headMoved: Bool

    /// Makes a value from its fields.
    public init(runID: String, ref: String, force: Bool, headMoved: Bool) {
        self.runID = runID
        self.ref = ref
        self.force = force
        self.headMoved = headMoved
    }
}

/// The MIDI summary of one run (`midi/run_<id>/midi_summary.json`).
public struct MIDISummary: Sendable, Equatable {
    /// The run id.
    public var runID: String
    /// The 0–100 score.
    public var score: Double
    /// Note count.
    public var noteCount: Int
    /// Track count.
    public var trackCount: Int
    /// Duration in seconds.
    public var durationSeconds: Double
    /// Initial tempo.
    public var tempoBPM: Double
    /// Pitch-class entropy in bits.
    public var pitchClassEntropy: Double
    /// Notes flagged as garbage.
    public var flaggedNotes: Int

    /// Makes a value from its fields.
    public init(
        runID: String,
        score: Double,
        noteCount: Int,
        trackCount: Int,
        durationSeconds: Double,
        tempoBPM: Double,
        pitchClassEntropy: Double,
        flaggedNotes: Int
    ) {
        self.runID = runID
        self.score = score
        self.noteCount = noteCount
        self.trackCount = trackCount
        self.durationSeconds = durationSeconds
        self.tempoBPM = tempoBPM
        self.pitchClassEntropy = pitchClassEntropy
        self.flaggedNotes = flaggedNotes
    }
}

/// Who ran a batch, when, how and against what: the report's header.
public struct BatchDescription: Sendable, Equatable {
    /// When the batch started and finished (ISO 8601 UTC, as the manifest has them).
    public var startedAt: String?
    /// When it finished; nil while running.
    public var finishedAt: String?
    /// `finished`, `interrupted` or `running`.
    public var state: String?
    /// The seed.
    public var seed: String?
    /// The tdf version that wrote the tree.
    public var toolVersion: String?
    /// The commit under test (from `TDF_COMMIT` or the CI's variable), when one was set.
    public var commit: String?
    /// The command that wrote the tree (`run`, `merge`).
    public var command: String?
    /// The command line, program name first; empty when not recorded.
    public var commandLine: [String] = []
    /// The services the batch talked to, `(role, URL)`, from `config.json`.
    public var targets: [Target] = []
    /// `embedded` when the built-in simulator answered.
    public var stack: String?

    /// One service the batch talked to.
    public struct Target: Sendable, Equatable {
        /// `maestro`, `storpheus`, `muse`, `prompts`.
        public var role: String
        /// Its URL.
        public var url: String

        /// A target.
        public init(role: String, url: String) {
            self.role = role
            self.url = url
        }
    }

    /// Nothing known.
    public init() {}
}

/// Everything read from an artifact tree, plus every input that was missing or damaged.
public struct ArtifactTree: Sendable {
    /// The tree's root directory.
    public var root: String
    /// The runs, in run-id order.
    public var runs: [RunRecord] = []
    /// MUSE and stream events.
    public var events: [RecordedEvent] = []
    /// The exchanges of every cassette, in run then seq order.
    public var exchanges: [ExchangeRecord] = []
    /// The MUSE graphs, one per run.
    public var graphs: [MuseGraph] = []
    /// MIDI summaries, one per run that has one.
    public var midi: [MIDISummary] = []
    /// Checkouts the server refused (from the cassettes: 409 on `/muse/checkout`).
    public var blockedCheckouts: [MuseCheckout] = []
    /// Inputs that were missing or damaged.
    public var problems: [InputProblem] = []
    /// Whether `runs.jsonl` was read.
    public var hasRuns = false
    /// Whether at least one cassette was read.
    public var hasCassettes = false
    /// Whether `muse/graph.json` was read.
    public var hasGraph = false
    /// Whether `events.jsonl` was read.
    public var hasEvents = false
    /// Runs that left artifacts (a cassette, MIDI or MUSE files) but no line in `runs.jsonl`: the batch was killed
    /// while they ran, so they have no final status.
    public var unfinishedRuns: [String] = []
    /// Whether `manifest.json` says the batch never finished (it is rewritten as `finished` at the very end).
    public var batchUnfinished = false
    /// What `manifest.json` and `config.json` say about the batch (empty members when they are missing).
    public var batch = BatchDescription()

    /// Makes an empty tree rooted at `root`.
    public init(root: String) {
        self.root = root
    }

    /// The merges, from the events.
    public var merges: [MuseMerge] { ArtifactTreeLoader.merges(in: events) }

    /// The checkouts: those that moved HEAD (from the events) and those the server refused (from the cassettes).
    public var checkouts: [MuseCheckout] {
        var names: [String: String] = [:]
        for graph in graphs {
            for node in graph.nodes { names[node.id] = node.name }
        }
        return ArtifactTreeLoader.checkouts(in: events)
            + blockedCheckouts.map { checkout in
                var named = checkout
                named.ref = names[checkout.ref] ?? checkout.ref
                return named
            }
    }
}
