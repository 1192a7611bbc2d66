/// Run KPIs: success rate, failures by status, and the distributions a reader compares between recordings.
public struct RunKPIs: Sendable, Equatable {
    /// Runs recorded.
    public var runs: Int
    /// Runs that succeeded.
    public var succeeded: Int
    /// `succeeded / runs` (0 when there are no runs).
    public var successRate: Double
    /// Runs per status, most frequent first (ties by name).
    public var statusCounts: [(status: String, count: Int)]
    /// Run durations (ms).
    public var duration: Distribution
    /// MIDI quality scores.
    public var quality: Distribution
    /// Notes per run.
    public var notes: Distribution
    /// Storpheus exchange latency (total ms), from the cassettes.
    public var storpheusLatency: Distribution

    /// Compares every member (the tuple array is compared element-wise).
    public static func == (lhs: RunKPIs, rhs: RunKPIs) -> Bool {
        lhs.runs == rhs.runs && lhs.succeeded == rhs.succeeded && lhs.duration == rhs.duration
            && lhs.statusCounts.map(\.status) == rhs.statusCounts.map(\.status)
            && lhs.statusCounts.map(\.count) == rhs.statusCounts.map(\.count) && lhs.quality == rhs.quality
            && lhs.notes == rhs.notes && lhs.storpheusLatency == rhs.storpheusLatency
    }
}

/// Latency of one endpoint (service + method + path template).
public struct EndpointLatency: Sendable, Equatable {
    /// `service METHOD /path/{id}`.
    public var endpoint: String
    /// The service.
    public var service: String
    /// Exchanges that hit it.
    public var count: Int
    /// Exchanges answered with a status of 400 or more, or that faulted; MUSE's 409 conflicts are counted apart.
    public var errors: Int
    /// MUSE 409 answers (merge conflicts, blocked checkouts): what the scenarios provoke, not errors.
    public var conflicts: Int
    /// Time to first byte (ms).
    public var ttfb: Distribution
    /// Total time (ms).
    public var total: Distribution
}

/// Statistics of the recorded SSE streams.
public struct SSEStatistics: Sendable, Equatable {
    /// Streams recorded.
    public var streams: Int
    /// Frames per event type (heartbeat comments as `comment`), most frequent first.
    public var eventsPerType: [TypeCount]
    /// Time from request to the first frame (ms).
    public var timeToFirstEvent: Distribution
    /// Gaps between consecutive frames of a stream (ms).
    public var interEventGap: Distribution

    /// One event type and how often it was seen.
    public struct TypeCount: Sendable, Equatable {
        /// The event type.
        public var type: String
        /// How many frames had it.
        public var count: Int
    }
}

/// MUSE graph metrics of one run, or of all runs together.
public struct MuseMetrics: Sendable, Equatable {
    /// The run id (`all` for the total).
    public var runID: String
    /// Commits.
    public var nodes: Int
    /// Merge commits (two parents).
    public var merges: Int
    /// Commits with no child.
    public var branchHeads: Int
    /// The longest parent chain from a root (a root has depth 0).
    public var maxDepth: Int
    /// Merge attempts that reported conflicts.
    public var conflicts: Int
    /// Checkouts.
    public var checkouts: Int
    /// Checkouts that did not move HEAD.
    public var blockedCheckouts: Int
    /// Drift detections.
    public var drift: Int
    /// Forced recoveries after drift.
    public var recoveries: Int
    /// HEAD's name.
    public var head: String?
}

/// Everything the reports show, computed from an ``ArtifactTree``. Pure: it reads no file.
public struct RunAnalysis: Sendable {
    /// The tree it was computed from.
    public var tree: ArtifactTree
    /// Run KPIs.
    public var kpis: RunKPIs
    /// Latency per endpoint, slowest p95 first.
    public var endpoints: [EndpointLatency]
    /// SSE statistics.
    public var sse: SSEStatistics
    /// MUSE metrics per run, in run order.
    public var muse: [MuseMetrics]
    /// MUSE metrics over every run.
    public var museTotal: MuseMetrics
    /// The best runs first (success, then quality, then speed).
    public var ranking: [RunRecord]
    /// Piano rolls of the best and the worst run, once ``loadPianoRolls()`` has read them.
    public var pianoRolls: [PianoRoll] = []

    /// The best run.
    public var best: RunRecord? { ranking.first }
    /// The worst run.
    public var worst: RunRecord? { ranking.count > 1 ? ranking.last : nil }
    /// The failed runs, in run order.
    public var failures: [RunRecord] { tree.runs.filter { !$0.succeeded } }

    /// Computes every section from `tree`.
    public init(tree: ArtifactTree) {
        self.tree = tree
        kpis = Self.kpis(tree)
        endpoints = Self.endpoints(tree.exchanges)
        sse = Self.sse(tree.exchanges)
        let eventsByRun = Dictionary(grouping: tree.events.filter { $0.component == "muse" }, by: \.runID)
        let blockedByRun = Dictionary(grouping: tree.blockedCheckouts, by: \.runID)
        let perRun = tree.graphs.map { graph in
            Self.museMetrics(graph, events: eventsByRun[graph.runID] ?? [], blocked: blockedByRun[graph.runID] ?? [])
        }
        muse = perRun
        museTotal = MuseMetrics(
            runID: "all",
            nodes: perRun.map(\.nodes).reduce(0, +),
            merges: perRun.map(\.merges).reduce(0, +),
            branchHeads: perRun.map(\.branchHeads).reduce(0, +),
            maxDepth: perRun.map(\.maxDepth).max() ?? 0,
            conflicts: perRun.map(\.conflicts).reduce(0, +),
            checkouts: perRun.map(\.checkouts).reduce(0, +),
            blockedCheckouts: perRun.map(\.blockedCheckouts).reduce(0, +),
            drift: perRun.map(\.drift).reduce(0, +),
            recoveries: perRun.map(\.recoveries).reduce(0, +),
            head: nil
        )
        ranking = tree.runs.sorted { lhs, rhs in
            if lhs.succeeded != rhs.succeeded { return lhs.succeeded }
            let left = lhs.qualityScore ?? -1
            let right = rhs.qualityScore ?? -1
            if left != right { return left > right }
            if lhs.durationMilliseconds != rhs.durationMilliseconds {
                return lhs.durationMilliseconds < rhs.durationMilliseconds
            }
            return lhs.runID < rhs.runID
        }
    }

    /// The exchange a failed run failed on: its last error (a 5xx, another 4xx or a fault) or, when it has none,
    /// its last MUSE conflict; nil when every exchange of the run was answered well.
    public func failingExchange(of runID: String) -> ExchangeRecord? {
        let exchanges = tree.exchanges.filter { $0.runID == runID }
        return exchanges.last(where: \.isError) ?? exchanges.last(where: \.isMuseConflict)
    }

    /// The SSE frames of a run's last recorded stream (the last `limit` of them).
    public func lastFrames(of runID: String, limit: Int = 5) -> [StreamFrame] {
        guard let stream = tree.exchanges.last(where: { $0.runID == runID && !$0.frames.isEmpty }) else { return [] }
        return Array(stream.frames.suffix(limit))
    }

    static func kpis(_ tree: ArtifactTree) -> RunKPIs {
        var counts: [String: Int] = [:]
        for run in tree.runs { counts[run.status, default: 0] += 1 }
        let succeeded = counts["success"] ?? 0
        let midiByRun = Dictionary(tree.midi.map { ($0.runID, $0) }, uniquingKeysWith: { first, _ in first })
        return RunKPIs(
            runs: tree.runs.count,
            succeeded: succeeded,
            successRate: tree.runs.isEmpty ? 0 : Double(succeeded) / Double(tree.runs.count),
            statusCounts: counts.map { (status: $0.key, count: $0.value) }.sorted {
                $0.count != $1.count ? $0.count > $1.count : $0.status < $1.status
            },
            duration: Distribution(tree.runs.map(\.durationMilliseconds)),
            quality: Distribution(tree.runs.compactMap { $0.qualityScore ?? midiByRun[$0.runID]?.score }),
            notes: Distribution(
                tree.runs.compactMap { run in (run.notes ?? midiByRun[run.runID]?.noteCount).map(Double.init) }
            ),
            storpheusLatency: Distribution(tree.exchanges.filter { $0.service == "storpheus" }.map(\.totalMilliseconds))
        )
    }

    static func endpoints(_ exchanges: [ExchangeRecord]) -> [EndpointLatency] {
        var groups: [String: [ExchangeRecord]] = [:]
        for exchange in exchanges { groups[exchange.endpoint, default: []].append(exchange) }
        return groups.map { endpoint, members in
            EndpointLatency(
                endpoint: endpoint,
                service: members[0].service,
                count: members.count,
                errors: members.count(where: \.isError),
                conflicts: members.count(where: \.isMuseConflict),
                ttfb: Distribution(members.compactMap(\.ttfbMilliseconds)),
                total: Distribution(members.map(\.totalMilliseconds))
            )
        }.sorted { $0.total.p95 != $1.total.p95 ? $0.total.p95 > $1.total.p95 : $0.endpoint < $1.endpoint }
    }

    static func sse(_ exchanges: [ExchangeRecord]) -> SSEStatistics {
        var perType: [String: Int] = [:]
        var first: [Double] = []
        var gaps: [Double] = []
        var streams = 0
        for exchange in exchanges where !exchange.frames.isEmpty {
            streams += 1
            first.append(exchange.frames[0].atMilliseconds)
            for (index, frame) in exchange.frames.enumerated() {
                perType[frame.type, default: 0] += 1
                if index > 0 { gaps.append(frame.atMilliseconds - exchange.frames[index - 1].atMilliseconds) }
            }
        }
        return SSEStatistics(
            streams: streams,
            eventsPerType: perType.map { SSEStatistics.TypeCount(type: $0.key, count: $0.value) }.sorted {
                $0.count != $1.count ? $0.count > $1.count : $0.type < $1.type
            },
            timeToFirstEvent: Distribution(first),
            interEventGap: Distribution(gaps)
        )
    }

    /// The metrics of one run's graph; `events` and `blocked` are that run's.
    static func museMetrics(_ graph: MuseGraph, events: [RecordedEvent], blocked: [MuseCheckout]) -> MuseMetrics {
        let runEvents = events
        var hasChild = Set<String>()
        for node in graph.nodes {
            if let parent = node.parent { hasChild.insert(parent) }
            if let parent = node.secondParent { hasChild.insert(parent) }
        }
        let byID = Dictionary(graph.nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var depth: [String: Int] = [:]
        func depthOf(_ id: String, guardDepth: Int) -> Int {
            if let known = depth[id] { return known }
            guard let node = byID[id], guardDepth < 10_000 else { return 0 }
            let parents = [node.parent, node.secondParent].compactMap { $0 }.filter { byID[$0] != nil }
            let value = parents.map { depthOf($0, guardDepth: guardDepth + 1) + 1 }.max() ?? 0
            depth[id] = value
            return value
        }
        let maxDepth = graph.nodes.map { depthOf($0.id, guardDepth: 0) }.max() ?? 0
        let checkouts = ArtifactTreeLoader.checkouts(in: runEvents) + blocked
        return MuseMetrics(
            runID: graph.runID,
            nodes: graph.nodes.count,
            merges: graph.nodes.filter { $0.secondParent != nil }.count,
            branchHeads: graph.nodes.filter { !hasChild.contains($0.id) }.count,
            maxDepth: maxDepth,
            conflicts: runEvents.filter { $0.type == "muse_conflict" }.count,
            checkouts: checkouts.count,
            blockedCheckouts: checkouts.filter { !$0.headMoved }.count,
            drift: runEvents.filter { $0.type == "drift_detected" }.count,
            recoveries: runEvents.filter { $0.type == "drift_recovered" }.count,
            head: graph.nodes.first { $0.id == graph.head || $0.isHead }?.name
        )
    }
}
