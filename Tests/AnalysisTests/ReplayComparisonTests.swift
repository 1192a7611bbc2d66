import Foundation
import Gzip
import Synchronization
import TestSupport
import Testing

@testable import Analysis

/// The run ids of the small trees these tests write.
private let runIDs = ["r_000001", "r_000002", "r_000003"]

/// Writes a small artifact tree of three runs at `path`: runs.jsonl, events.jsonl with the runs' events
/// interleaved, muse/graph.json, each run's MUSE graph and MIDI summary, and one SSE payload per run. Every
/// timestamp is `stamp` and every loopback URL has port `port`, so a tree written with other values is the same
/// run on the comparison's projection.
private func writeTree(at path: String, stamp: String, port: Int) throws {
    func write(_ text: String, _ file: String) throws {
        let url = URL(fileURLWithPath: path + "/" + file)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
    var runs = ""
    var events = ""
    var graphs: [String] = []
    for step in ["prompt_fetch", "compose", "muse_commit"] {
        for runID in runIDs {
            events +=
                #"{"ts":"\#(stamp)","run_id":"\#(runID)","event_type":"step_start","#
                + #""data":{"step":"\#(step)","url":"http://127.0.0.1:\#(port)/api"}}"# + "\n"
        }
    }
    for (offset, runID) in runIDs.enumerated() {
        runs += #"{"run_id":"\#(runID)","index":\#(offset + 1),"started_at":"\#(stamp)","status":"success"}"# + "\n"
        let graph = #"{"run_id":"\#(runID)","head":"h\#(offset)","nodes":[]}"#
        graphs.append(graph)
        try write(graph, "muse/run_\(runID)/graph.json")
        try write(#"{"score":\#(offset),"finished_at":"\#(stamp)"}"#, "midi/run_\(runID)/midi_summary.json")
        try write("event: done\ndata: {\"run\":\"\(runID)\"}\n\n", "payloads/maestro_sse/\(runID)_compose.sse")
    }
    try write(runs, "runs.jsonl")
    try write(events, "events.jsonl")
    try write(#"{"runs":[\#(graphs.joined(separator: ","))]}"#, "muse/graph.json")
}

/// A file reader that counts how often each path is read or listed.
private final class CountingReader: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    /// Reads through the file system, counting.
    var reader: ArtifactFileReader {
        ArtifactFileReader(
            contents: { path in
                self.count(path)
                return ArtifactFileReader.fileSystem.contents(path)
            },
            entries: { path in
                self.count(path + "/")
                return ArtifactFileReader.fileSystem.entries(path)
            },
            exists: ArtifactFileReader.fileSystem.exists
        )
    }

    /// Paths read or listed (a listed directory ends in `/`) more than once.
    var repeated: [String] { counts.withLock { $0.filter { $0.value > 1 }.keys.sorted() } }

    /// How often `path` was read.
    func reads(of path: String) -> Int { counts.withLock { $0[path] ?? 0 } }

    private func count(_ path: String) {
        counts.withLock { $0[path, default: 0] += 1 }
    }
}

@Suite struct ReplayComparisonTests {
    /// Comparing every run of a batch reads each file of both trees once and lists each directory once: the shared
    /// files (runs.jsonl, events.jsonl, muse/graph.json, the payload directories) are not read again per run.
    @Test func comparingEveryRunReadsEachFileOnce() throws {
        let directory = try TemporaryDirectory()
        let original = directory.path("original")
        let replayed = directory.path("replayed")
        try writeTree(at: original, stamp: "2026-01-01T00:00:00.000Z", port: 40001)
        try writeTree(at: replayed, stamp: "2026-01-02T00:00:00.000Z", port: 40002)
        let counting = CountingReader()
        let comparison = ReplayComparison(
            original: ArtifactTreeIndex(root: original, reader: counting.reader),
            replayed: replayed,
            reader: counting.reader
        )
        for runID in runIDs {
            #expect(comparison.firstDivergence(runID: runID) == nil, "\(runID)")
        }
        #expect(counting.repeated.isEmpty, "read more than once: \(counting.repeated)")
        for tree in [original, replayed] {
            for file in ["runs.jsonl", "events.jsonl", "muse/graph.json"] {
                #expect(counting.reads(of: tree + "/" + file) == 1, "\(tree)/\(file)")
            }
            #expect(counting.reads(of: tree + "/payloads/maestro_sse/r_000002_compose.sse") == 1)
        }
    }

    /// A change in one run's event, `runs.jsonl` line, MUSE graph entry or payload is that run's first divergence,
    /// named by file, record and field; the other runs stay identical.
    @Test func findsEachRunsFirstDivergence() throws {
        let directory = try TemporaryDirectory()
        let original = directory.path("original")
        try writeTree(at: original, stamp: "2026-01-01T00:00:00.000Z", port: 40001)
        let index = ArtifactTreeIndex(root: original)
        let changes: [(file: String, from: String, to: String, runID: String, divergence: String)] = [
            (
                "events.jsonl", #""run_id":"r_000002","event_type":"step_start","data":{"step":"compose""#,
                #""run_id":"r_000002","event_type":"step_start","data":{"step":"composed""#, "r_000002",
                #"events.jsonl: run r_000002 event 2 (step_start): data.step: original "compose", replay "composed""#
            ),
            (
                "runs.jsonl", #""run_id":"r_000003","index":3"#, #""run_id":"r_000003","index":4"#, "r_000003",
                "runs.jsonl: run r_000003: index: original 3, replay 4"
            ),
            (
                "muse/graph.json", #""head":"h0""#, #""head":"h9""#, "r_000001",
                #"muse/graph.json: run r_000001: head: original "h0", replay "h9""#
            ),
        ]
        for change in changes {
            let replayed = directory.path("replayed-" + change.file.replacingOccurrences(of: "/", with: "-"))
            try writeTree(at: replayed, stamp: "2026-01-02T00:00:00.000Z", port: 40002)
            let path = replayed + "/" + change.file
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try #require(text.contains(change.from), "\(change.file)")
            try text.replacingOccurrences(of: change.from, with: change.to).write(
                toFile: path,
                atomically: true,
                encoding: .utf8
            )
            let comparison = ReplayComparison(original: index, replayed: replayed)
            for runID in runIDs {
                let found = comparison.firstDivergence(runID: runID)?.description
                #expect(found == (runID == change.runID ? change.divergence : nil), "\(change.file) \(runID)")
            }
        }
        let replayed = directory.path("replayed-payload")
        try writeTree(at: replayed, stamp: "2026-01-02T00:00:00.000Z", port: 40002)
        try FileManager.default.removeItem(atPath: replayed + "/payloads/maestro_sse/r_000001_compose.sse")
        let comparison = ReplayComparison(original: index, replayed: replayed)
        let divergence = try #require(comparison.firstDivergence(runID: "r_000001"))
        #expect(divergence.file == "payloads/maestro_sse/r_000001_compose.sse" && divergence.replayed == "absent")
        #expect(comparison.firstDivergence(runID: "r_000002") == nil)
    }

    /// A recording made before payloads were compressed compares with a replay that writes them gzip-compressed:
    /// the same content is identical, and a changed one is named by the payload's name without `.gz`.
    @Test func compressedPayloadsCompareByContent() throws {
        let directory = try TemporaryDirectory()
        let original = directory.path("original")
        try writeTree(at: original, stamp: "2026-01-01T00:00:00.000Z", port: 40001)
        let index = ArtifactTreeIndex(root: original)
        func replay(_ name: String, changing runID: String?) throws -> String {
            let replayed = directory.path(name)
            try writeTree(at: replayed, stamp: "2026-01-02T00:00:00.000Z", port: 40002)
            for id in runIDs {
                let path = replayed + "/payloads/maestro_sse/\(id)_compose.sse"
                var text = try String(contentsOfFile: path, encoding: .utf8)
                if id == runID { text = text.replacingOccurrences(of: "done", with: "gone") }
                try Data(GzipData.compress(Array(text.utf8))).write(to: URL(fileURLWithPath: path + ".gz"))
                try FileManager.default.removeItem(atPath: path)
            }
            return replayed
        }
        let same = ReplayComparison(original: index, replayed: try replay("same", changing: nil))
        #expect(runIDs.allSatisfy { same.firstDivergence(runID: $0) == nil })
        let changed = ReplayComparison(original: index, replayed: try replay("changed", changing: "r_000002"))
        #expect(changed.firstDivergence(runID: "r_000001") == nil)
        let divergence = try #require(changed.firstDivergence(runID: "r_000002"))
        #expect(divergence.file == "payloads/maestro_sse/r_000002_compose.sse")
        #expect(divergence.original != "absent" && divergence.replayed != "absent")
    }
}
