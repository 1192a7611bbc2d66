import Analysis
import Cassettes
import Foundation
import HTTPWire
import JSON
import TestSupport
import Testing
import Vocabulary

/// Writes a small artifact tree by hand: two runs (one failed), a damaged line, a MUSE graph with a merge and a
/// conflict, events, and one cassette with a stream, two job polls and a blocked checkout.
func writeFixtureTree(_ directory: TemporaryDirectory) throws {
    let root = directory.url.path
    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root + "/" + relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
    try write(
        "runs.jsonl",
        """
        {"run_id":"r_000001","index":1,"scenario":"standard","status":"success","error":null,"started_at":"2026-01-01T00:00:00.000Z","duration_ms":500,"requests":4,"prompt":{"id":"p1","title":"Lo-fi · C · 80 BPM"},"compose":{"notes":100},"midi":{"quality_score":90.0},"muse":{"head":"M1"},"contract_violations":[],"steps":[{"name":"compose","status":"ok","duration_ms":300},{"name":"merge_M1","status":"ok","duration_ms":200}]}
        {not json
        {"run_id":"r_000002","index":2,"scenario":"minimal","status":"maestro_error","error":"stream cut after 3 events","started_at":"2026-01-01T00:00:01.000Z","duration_ms":900,"requests":1,"prompt":{"id":"p2","title":"Funk"},"compose":{"notes":0},"midi":{},"muse":{},"contract_violations":[],"steps":[{"name":"compose","status":"maestro_error","duration_ms":900}]}

        """
    )
    func event(_ type: String, _ data: String) -> String {
        "{\"ts\":\"2026-01-01T00:00:00.100Z\",\"run_id\":\"r_000001\",\"component\":\"muse\",\"event_type\":\"\(type)\","
            + "\"severity\":\"INFO\",\"tags\":{},\"data\":\(data)}"
    }
    try write(
        "events.jsonl",
        [
            event("muse_merge", #"{"name":"M1","left":"C1","right":"B1"}"#),
            event("muse_conflict", #"{"left":"X1","right":"X2","conflicts":1,"descriptions":["pitch=96 beat=0.0"]}"#),
            event("muse_checkout", #"{"ref":"C1","name":"C1","force":true,"head_moved":true}"#),
            event("drift_detected", #"{"severity":"dirty","total_changes":4}"#),
            event("drift_recovered", "{}"),
        ].joined(separator: "\n") + "\n"
    )
    func node(_ name: String, _ parent: String?, _ parent2: String? = nil, head: Bool = false) -> String {
        let p1 = parent.map { "\"id-\($0)\"" } ?? "null"
        let p2 = parent2.map { "\"id-\($0)\"" } ?? "null"
        return "{\"id\":\"id-\(name)\",\"name\":\"\(name)\",\"parent\":\(p1),\"parent2\":\(p2),"
            + "\"is_head\":\(head),\"intent\":\"x\"}"
    }
    let nodes = [
        node("C1", nil), node("B1", "C1"), node("M1", "C1", "B1", head: true), node("X1", "M1"), node("X2", "M1"),
    ]
    try write(
        "muse/graph.json",
        "{\"runs\":[{\"run_id\":\"r_000001\",\"head\":\"id-M1\",\"nodes\":[" + nodes.joined(separator: ",") + "]}]}"
    )

    let session = try CassetteSession(directory: root + "/cassettes", configuration: .object([]), toolVersion: "test")
    let run = try RunID(validating: "r_000001")
    let started = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)
    func exchange(
        _ seq: Int,
        _ method: String,
        _ target: String,
        status: Int = 200,
        total: Double,
        content: ResponseContent = .body([]),
        body: String = ""
    ) -> Exchange {
        Exchange(
            seq: seq,
            ordinal: seq + 1,
            service: "maestro",
            started: started,
            step: "s",
            request: RecordedRequest(method: method, target: target, body: Array(body.utf8)),
            response: RecordedResponse(status: status, reason: "R", content: content),
            timing: Timing(ttfbMilliseconds: total / 2, totalMilliseconds: total)
        )
    }
    let frames: [StreamEvent] = [
        StreamEvent(atMilliseconds: 5, frame: .event(SSEEvent(data: #"{"type":"state","seq":0}"#))),
        StreamEvent(atMilliseconds: 7, frame: .event(SSEEvent(data: #"{"type":"status","seq":1}"#))),
        StreamEvent(atMilliseconds: 12, frame: .comment("heartbeat")),
    ]
    let exchanges = [
        exchange(0, "POST", "/api/v1/maestro/stream", total: 40, content: .events(frames, exact: nil)),
        exchange(1, "GET", "/api/v1/jobs/3f6b489a-b26a-8473/wait?timeout=5", total: 10),
        exchange(2, "GET", "/api/v1/jobs/9c0ffee1-0000-1111/wait", total: 30),
        exchange(
            3,
            "POST",
            "/api/v1/muse/checkout",
            status: 409,
            total: 2,
            body: #"{"target_variation_id":"id-C1","force":false}"#
        ),
    ]
    for item in exchanges { try session.record(item, run: run) }
    _ = try session.close()
}

@Suite struct ArtifactTreeLoaderTests {
    /// A damaged runs.jsonl line is named with its line number, and the other runs are still loaded.
    @Test func namesDamagedLineAndKeepsTheRest() throws {
        let directory = try TemporaryDirectory()
        try writeFixtureTree(directory)
        let tree = ArtifactTreeLoader.load(root: directory.url.path)
        #expect(tree.runs.map(\.runID) == ["r_000001", "r_000002"])
        let problem = try #require(tree.problems.first { $0.file == "runs.jsonl" })
        #expect(problem.problem.contains("line 2"))
        #expect(tree.exchanges.count == 4)
        #expect(tree.hasCassettes && tree.hasGraph && tree.hasEvents)
    }

    /// An empty directory yields one named problem per missing input instead of a failure.
    @Test func namesEveryMissingInput() throws {
        let directory = try TemporaryDirectory()
        let tree = ArtifactTreeLoader.load(root: directory.url.path)
        let files = Set(tree.problems.map(\.file))
        #expect(files.isSuperset(of: ["runs.jsonl", "events.jsonl", "muse/graph.json", "cassettes/"]))
        #expect(tree.problems.allSatisfy { $0.problem == "missing" })
        #expect(!tree.hasRuns && !tree.hasCassettes)
    }

    /// A truncated cassette is named as damaged and its whole records are still analysed.
    @Test func namesTruncatedCassette() throws {
        let directory = try TemporaryDirectory()
        try writeFixtureTree(directory)
        let path = directory.url.path + "/cassettes/r_000001.jsonl.gz"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 12).write(to: URL(fileURLWithPath: path))
        let tree = ArtifactTreeLoader.load(root: directory.url.path)
        #expect(tree.problems.contains { $0.file == "cassettes/r_000001.jsonl.gz" })
        #expect(tree.exchanges.count >= 3)
    }

    /// Ids, uuids and file names in paths collapse into one template and the query is dropped.
    @Test func collapsesIdsInPaths() {
        #expect(PathTemplate.collapse("/api/v1/jobs/3f6b489a-b26a-8473/wait?x=1") == "/api/v1/jobs/{id}/wait")
        #expect(PathTemplate.collapse("/artifacts/290c8ede-0ebf-815c/b0_290c8ede.mid") == "/artifacts/{id}/{file}")
        #expect(PathTemplate.collapse("/api/v1/muse/log?project_id=p") == "/api/v1/muse/log")
        #expect(PathTemplate.collapse("/runs/42") == "/runs/{id}")
    }
}

@Suite struct RunAnalysisTests {
    private func analysis() throws -> RunAnalysis {
        let directory = try TemporaryDirectory()
        try writeFixtureTree(directory)
        return RunAnalysis(tree: ArtifactTreeLoader.load(root: directory.url.path))
    }

    /// Nearest-rank percentiles of 1…100 are 50, 95 and 99, and an empty sample summarises to zeros.
    @Test func percentilesAreNearestRank() {
        let distribution = Distribution((1...100).map(Double.init))
        #expect(distribution.p50 == 50 && distribution.p95 == 95 && distribution.p99 == 99)
        #expect(distribution.mean == 50.5 && distribution.min == 1 && distribution.max == 100)
        #expect(Distribution([]) == Distribution([]) && Distribution([]).p99 == 0)
    }

    /// KPIs count successes and failures by status.
    @Test func kpisCountStatuses() throws {
        let kpis = try analysis().kpis
        #expect(kpis.runs == 2 && kpis.succeeded == 1 && kpis.successRate == 0.5)
        #expect(kpis.statusCounts.map(\.status).sorted() == ["maestro_error", "success"])
        #expect(kpis.quality.count == 1 && kpis.quality.p50 == 90)
        #expect(kpis.duration.max == 900)
    }

    /// Requests to the same endpoint with different ids are grouped, and the slowest endpoint comes first; the
    /// blocked checkout (409) is a conflict, not an error.
    @Test func groupsLatencyPerEndpoint() throws {
        let endpoints = try analysis().endpoints
        let jobs = try #require(endpoints.first { $0.endpoint == "maestro GET /api/v1/jobs/{id}/wait" })
        #expect(jobs.count == 2 && jobs.total.p50 == 10 && jobs.total.p95 == 30)
        #expect(endpoints.first?.endpoint == "maestro POST /api/v1/maestro/stream")
        let checkout = try #require(endpoints.first { $0.endpoint.hasSuffix("/checkout") })
        #expect(checkout.errors == 0 && checkout.conflicts == 1)
    }

    /// SSE statistics count frames per type, the time to the first frame and the gaps between frames.
    @Test func measuresStreams() throws {
        let sse = try analysis().sse
        #expect(sse.streams == 1)
        #expect(Set(sse.eventsPerType.map(\.type)) == ["state", "status", "comment"])
        #expect(sse.timeToFirstEvent.p50 == 5)
        #expect(sse.interEventGap.min == 2 && sse.interEventGap.max == 5)
    }

    /// MUSE metrics count commits, merges, heads, depth, conflicts, checkouts (one blocked), drift and recovery.
    @Test func measuresMuseGraph() throws {
        let analysis = try analysis()
        let muse = try #require(analysis.muse.first)
        #expect(muse.nodes == 5 && muse.merges == 1 && muse.branchHeads == 2 && muse.maxDepth == 3)
        #expect(muse.conflicts == 1 && muse.checkouts == 2 && muse.blockedCheckouts == 1)
        #expect(muse.drift == 1 && muse.recoveries == 1 && muse.head == "M1")
        #expect(analysis.tree.checkouts.contains { $0.ref == "C1" && !$0.headMoved })
        #expect(analysis.tree.merges.map(\.outcome) == ["clean", "conflict"])
    }

    /// The successful run ranks best and the failed one worst, and failures carry their message.
    @Test func ranksBestAndWorst() throws {
        let analysis = try analysis()
        #expect(analysis.best?.runID == "r_000001")
        #expect(analysis.worst?.runID == "r_000002")
        #expect(analysis.failures.map(\.error) == ["stream cut after 3 events"])
    }
}
