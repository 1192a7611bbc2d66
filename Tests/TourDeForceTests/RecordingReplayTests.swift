import Foundation
import Synchronization
import TestSupport
import Testing
import TourDeForce

/// Replay verdicts are values: a request that matches no recording reaches the verdict as the proxy's typed
/// mismatch (run, ordinal, field), not as a line of log text.
@Suite struct RecordingReplayTests {
    /// Records one run on the embedded simulator into `out`.
    private func record(into out: String) async throws {
        let configuration = HarnessConfiguration(runs: 1, seed: 1337, outputDirectory: out, stack: .embedded)
        let outcome = try await LiveBatch(configuration, token: nil).run()
        #expect(outcome.result.allSucceeded)
    }

    @Test func anUnchangedRecordingReplaysIdentically() async throws {
        let directory = try TemporaryDirectory()
        let out = directory.path("recording")
        try await record(into: out)
        let lines = LogLines()
        let verdict = try await RecordingReplay(try ReplayableTree(at: out), log: lines.append).replay(
            runID: "r_000001"
        )
        guard case .identical(let unrecorded) = verdict.outcome else {
            Issue.record("expected identical, got \(verdict.line)")
            return
        }
        #expect(unrecorded.isEmpty)
        #expect(verdict.line == "identical")
        #expect(lines.all.isEmpty)
    }

    /// Another seed picks another prompt, so the compose request's body is not the recorded one: the run's verdict is
    /// the first 599, naming its run and the body, and every 599 was also logged.
    @Test func aRequestThatMatchesNoRecordingIsATypedMismatch() async throws {
        let directory = try TemporaryDirectory()
        let out = directory.path("recording")
        try await record(into: out)
        let config = out + "/config.json"
        let original = try String(contentsOfFile: config, encoding: .utf8)
        try original.replacingOccurrences(of: "\"seed\": \"1337\"", with: "\"seed\": \"7\"")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let lines = LogLines()
        let verdict = try await RecordingReplay(try ReplayableTree(at: out), log: lines.append).replay(
            runID: "r_000001"
        )
        guard case .mismatched(let count, let first) = verdict.outcome else {
            Issue.record("expected a mismatch, got \(verdict.line)")
            return
        }
        #expect(first.request.run?.rawValue == "r_000001")
        #expect(first.field == "body")
        #expect(first.kind == .differs)
        #expect(count == lines.all.filter { $0.contains("replay mismatch (599)") }.count)
        #expect(verdict.line.hasPrefix("divergent: replay mismatch (\(count) answered 599): "))
    }

    /// A recorded configuration edited to another quality preset sends a compose body the recording does not hold:
    /// a 599 at `$.qualityPreset`, unless the replay's matching rules leave that path out.
    @Test func matchingRulesLeaveAChangedFieldOutOfTheReplay() async throws {
        let directory = try TemporaryDirectory()
        let out = directory.path("recording")
        try await record(into: out)
        let config = out + "/config.json"
        let original = try String(contentsOfFile: config, encoding: .utf8)
        #expect(original.contains(#""quality_preset": "balanced""#))
        try original.replacingOccurrences(of: #""quality_preset": "balanced""#, with: #""quality_preset": "fast""#)
            .write(toFile: config, atomically: true, encoding: .utf8)

        var replay = RecordingReplay(try ReplayableTree(at: out))
        let mismatch = try await replay.replay(runID: "r_000001", into: directory.path("strict"))
        guard case .mismatched(_, let first) = mismatch.outcome else {
            Issue.record("expected a mismatch, got \(mismatch.line)")
            return
        }
        #expect(first.differences.map(\.location) == ["$.qualityPreset"])

        replay.matchingRules = MatchingRules([.init(ignoredBodyPaths: [try #require(JSONPath("$.qualityPreset"))])])
        let ruled = try await replay.replay(runID: "r_000001", into: directory.path("ruled"))
        if case .mismatched = ruled.outcome { Issue.record("the rule did not apply: \(ruled.line)") }
    }

    @Test func aTreeWithoutCassettesCannotBeReplayed() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path("tree"), withIntermediateDirectories: true)
        try "{}".write(toFile: directory.path("tree/config.json"), atomically: true, encoding: .utf8)
        #expect(throws: ReplayError.self) { try ReplayableTree(at: directory.path("tree")) }
        do {
            _ = try ReplayableTree(at: directory.path("tree"))
        } catch {
            guard case .noCassettes(let root) = error else {
                Issue.record("expected noCassettes, got \(error)")
                return
            }
            #expect(root == directory.path("tree"))
        }
    }
}

/// Lines a replay logged, collected across tasks.
private final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    @Sendable func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }
}
