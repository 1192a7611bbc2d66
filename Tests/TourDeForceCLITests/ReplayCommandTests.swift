import CommandLineKit
import Foundation
import Gzip
import TestSupport
import Testing

@testable import TourDeForceCLI

/// Records a three-run batch on the embedded stack into `<directory>/recording` and returns its path.
private func recordBatch(in directory: TemporaryDirectory) async throws -> String {
    let out = directory.path("recording")
    let result = await tdf(["run", "--stack", "embedded", "--runs", "3", "--concurrency", "2", "--out", out])
    try #require(result.status == 0, "\(result.stderr)")
    return out
}

/// Copies the recording to `<directory>/tampered` and replaces the first `original` in the cassette of `runID`
/// with `replacement` (the cassette is decompressed, edited and compressed again).
private func tamperedCopy(
    of recording: String,
    in directory: TemporaryDirectory,
    runID: String,
    replacing original: String,
    with replacement: String
) throws -> String {
    let copy = directory.path("tampered")
    try FileManager.default.copyItem(atPath: recording, toPath: copy)
    let path = copy + "/cassettes/\(runID).jsonl.gz"
    let compressed = try #require(FileManager.default.contents(atPath: path))
    var text = String(decoding: try GzipData.decompress([UInt8](compressed)), as: UTF8.self)
    let range = try #require(text.range(of: original), "the cassette of \(runID) holds no '\(original)'")
    text.replaceSubrange(range, with: replacement)
    try Data(GzipData.compress(Array(text.utf8))).write(to: URL(fileURLWithPath: path))
    return copy
}

@Suite struct ReplayCommandTests {
    /// Every run of an embedded recording replays offline as `identical` (exit 0), one by one and all at once
    /// through `tdf run --replay`, and each replay leaves a fresh artifact tree under `<in>/replay_<run id>`.
    @Test func everyRecordedRunReplaysIdentically() async throws {
        let directory = try TemporaryDirectory()
        let recording = try await recordBatch(in: directory)
        for runID in ["r_000001", "r_000002", "r_000003"] {
            let result = await tdf(["replay", "--run-id", runID, "--in", recording])
            #expect(result.status == 0, "\(runID): \(result.stdout) \(result.stderr)")
            #expect(result.stdout == "identical\n")
            let events = try lineFileText(recording + "/replay_\(runID)/events.jsonl")
            #expect(events.contains("\"run_id\":\"\(runID)\""))
        }
        let all = await tdf(["run", "--replay", recording])
        #expect(all.status == 0, "\(all.stdout) \(all.stderr)")
        #expect(all.stdout.contains("r_000001 identical\nr_000002 identical\nr_000003 identical\n"))
        #expect(all.stdout.contains("3 runs replayed: 3 identical, 0 divergent"))
    }

    /// One changed SSE event in a cassette makes the replay divergent (exit 1), naming the file that differs and
    /// both hashes; `tdf run --replay` counts that run as divergent and the others as identical.
    @Test func tamperedSSEEventIsADivergence() async throws {
        let directory = try TemporaryDirectory()
        let recording = try await recordBatch(in: directory)
        let tampered = try tamperedCopy(
            of: recording,
            in: directory,
            runID: "r_000002",
            replacing: "Preparing composition...",
            with: "Preparing composition!!!"
        )
        let result = await tdf(["replay", "--run-id", "r_000002", "--in", tampered])
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.hasPrefix("divergent: payloads/maestro_sse/r_000002_compose.json: whole file: sha256:"))
        #expect(result.stdout.contains("original ") && result.stdout.contains(", replay "))
        let all = await tdf(["run", "--replay", tampered])
        #expect(all.status == 1)
        #expect(all.stdout.contains("r_000001 identical\nr_000002 divergent: "))
        #expect(all.stdout.contains("3 runs replayed: 2 identical, 1 divergent"))
    }

    /// A changed recorded response body (the first prompt title of the catalogue sample, the run's first exchange)
    /// makes the replay divergent (exit 1), naming where the replayed run differs.
    @Test func tamperedResponseBodyIsADivergence() async throws {
        let directory = try TemporaryDirectory()
        let recording = try await recordBatch(in: directory)
        let tampered = try tamperedCopy(
            of: recording,
            in: directory,
            runID: "r_000001",
            replacing: " BPM",
            with: " bpm"
        )
        let result = await tdf(["replay", "--run-id", "r_000001", "--in", tampered])
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.hasPrefix("divergent: "), "\(result.stdout)")
        #expect(result.stdout.contains(" bpm"), "the divergence shows the tampered text: \(result.stdout)")
    }

    /// A recorded request that no longer matches what the driver sends (its target changed) is a replay mismatch:
    /// the proxy answers 599 instead of substituting, and the verdict says so with the request it expected (exit 1).
    @Test func requestMismatchIsReported() async throws {
        let directory = try TemporaryDirectory()
        let recording = try await recordBatch(in: directory)
        let tampered = try tamperedCopy(
            of: recording,
            in: directory,
            runID: "r_000003",
            replacing: #""target":"/api/v1/muse"#,
            with: #""target":"/api/v1/musx"#
        )
        let result = await tdf(["replay", "--run-id", "r_000003", "--in", tampered])
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.hasPrefix("divergent: replay mismatch (1 answered 599): "))
        #expect(result.stdout.contains("r_000003"))
    }

    /// An unknown run id is a usage error (exit 2) that names the runs the recording has.
    @Test func unknownRunIDNamesTheRecordedRuns() async throws {
        let directory = try TemporaryDirectory()
        let recording = try await recordBatch(in: directory)
        let result = await tdf(["replay", "--run-id", "r_000042", "--in", recording])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no run 'r_000042'"))
        #expect(result.stderr.contains("r_000001, r_000002, r_000003"))
        #expect(result.stdout.isEmpty)
    }
}
