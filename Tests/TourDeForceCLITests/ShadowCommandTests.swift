import Foundation
import StoriStack
import TestSupport
import Testing
import TourDeForceCLI

/// `tdf shadow`: a recording's requests sent again to a live stack, its answers recorded and diffed.
@Suite struct ShadowCommandTests {
    /// Records a batch on the embedded stack; returns the tree's path.
    private static func recordBatch(runs: Int, in directory: TemporaryDirectory) async throws -> String {
        let tree = directory.path("recording")
        let recorded = await tdfInProcess(["run", "--stack", "embedded", "--runs", String(runs), "--out", tree])
        try #require(recorded.status == 0, "\(recorded.stderr)")
        return tree
    }

    /// One 5-run recording of seed 1337 for the tests that shadow it, made once (each shadow writes elsewhere).
    private static let fiveRuns = Task { () throws -> (TemporaryDirectory, String) in
        let directory = try TemporaryDirectory()
        return (directory, try await recordBatch(runs: 5, in: directory))
    }

    /// Shadows the 5-run recording to a stack started with `configuration`; returns the command's outcome and OUT,
    /// which lives as long as `out`.
    private func shadowFiveRuns(
        to configuration: StackConfiguration,
        in out: TemporaryDirectory
    ) async throws -> (status: Int32, stdout: String, stderr: String, out: String) {
        let tree = try await Self.fiveRuns.value.1
        let stack = try await Simulator.start(configuration)
        let result = await tdfInProcess([
            "shadow", tree, "--to", "maestro=\(stack.maestroURL)", "--to", "storpheus=\(stack.storpheusURL)",
            "--out", out.path("shadowed"), "--allow-writes", "--header", "Authorization: Bearer \(stack.token())",
        ])
        await stack.shutdown()
        return (result.status, result.stdout, result.stderr, out.path("shadowed"))
    }

    /// To a stack with the recording's seed, the answers diff empty, and OUT is a recording tdf diff reads.
    @Test(.timeLimit(.minutes(3))) func theSameSeedAnswersTheSame() async throws {
        let directory = try TemporaryDirectory()
        let same = try await shadowFiveRuns(to: .embedded(seed: 1337), in: directory)
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains("5 runs paired, 136 exchanges paired"), "\(same.stdout.prefix(500))")
        // Timings of a live stack are not the recording's: latency outliers may be listed, nothing else.
        #expect(same.stdout.contains("contract: none\ncontent: none\n"), "\(same.stdout.prefix(2000))")
        #expect(same.stderr.contains("136 requests sent, 0 not sent"), "\(same.stderr)")
        let tree = try await Self.fiveRuns.value.1
        #expect(await tdfInProcess(["diff", tree, same.out]).status == 0)
    }

    /// To a stack with another seed, whose MUSE and Storpheus mint other ids, every minted id is threaded into the
    /// later requests (no status differs, so no 404 or 409 the recording did not have) and only content differs.
    @Test(.timeLimit(.minutes(3))) func idsTheServerMintsAreThreaded() async throws {
        let directory = try TemporaryDirectory()
        let other = try await shadowFiveRuns(to: .embedded(seed: 7), in: directory)
        #expect(other.status == 1)
        #expect(!other.stdout.contains("    status "), "a minted id was not threaded: \(other.stdout.prefix(3000))")
        #expect(other.stdout.contains("content: "))
        #expect(other.stderr.contains("tdf shadow: threaded r_00000"), "\(other.stderr.suffix(2000))")
        let summary = other.stderr.split(separator: "\n").first { $0.contains(" requests sent,") }
        #expect(summary?.contains(" 0 live values threaded") == false, "\(summary ?? "")")
        let rediffed = await tdfInProcess([
            "diff", try await Self.fiveRuns.value.1, other.out, "--fail-on", "status,faults",
        ])
        #expect(rediffed.status == 0, "\(rediffed.stderr)")
    }

    /// To a stack with a fault, the diff names what the fault changed.
    @Test(.timeLimit(.minutes(3))) func aFaultOfTheTargetIsNamed() async throws {
        let directory = try TemporaryDirectory()
        let cut = try await shadowFiveRuns(
            to: .embedded(seed: 1337, faults: [try StackFault(parsing: "cut-stream=5")]),
            in: directory
        )
        #expect(cut.status == 1)
        #expect(cut.stdout.contains("POST /api/v1/maestro/stream"), "\(cut.stdout.prefix(2000))")
        #expect(cut.stdout.contains("sse-"), "the cut streams are named: \(cut.stdout.prefix(2000))")
    }

    /// What is sent is the user's choice: --dry-run contacts nothing, writes need --allow-writes, and a request
    /// whose credential the recording redacted is not sent without a --header to replace it.
    @Test func safetyComesFirst() async throws {
        let directory = try TemporaryDirectory()
        let tree = try await Self.recordBatch(runs: 1, in: directory)
        let nowhere = "http://127.0.0.1:9"

        let dry = await tdfInProcess(
            ["shadow", tree, "--to", "maestro=\(nowhere)", "--out", directory.path("dry"), "--dry-run"]
        )
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("GET \(nowhere)/api/v1/maestro/prompts"), "\(dry.stdout.prefix(1500))")
        #expect(dry.stdout.contains("skip r_000001 #"), "storpheus has no --to, and Authorization was redacted")
        #expect(dry.stdout.contains("its recorded header Authorization was redacted, and no --header replaces it"))
        #expect(dry.stdout.contains("no target for storpheus"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("dry")))

        let refused = await tdfInProcess(
            [
                "shadow", tree, "--to", "maestro=\(nowhere)", "--out", directory.path("w"), "--header",
                "Authorization: Bearer x",
            ]
        )
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("POST"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-writes"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("w")))

        let bad = await tdfInProcess(["shadow", tree, "--to", "maestro", "--out", directory.path("b")])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--to 'maestro' should be NAME=URL"))
    }
}
