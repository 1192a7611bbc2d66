import Foundation
import Sockets
import TestSupport
import Testing
import TourDeForce

/// A batch that cannot start says why as a value, before any run and without writing a run.
@Suite struct LiveBatchTests {
    @Test func anOutputThatIsAFileIsRefusedByPath() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("taken")
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let configuration = HarnessConfiguration(runs: 1, outputDirectory: file, stack: .embedded)
        do {
            _ = try await LiveBatch(configuration, token: nil).run()
            Issue.record("the batch ran into a file")
        } catch {
            guard case .unusableOutput(let problem) = error else {
                Issue.record("expected unusableOutput, got \(error)")
                return
            }
            #expect(problem.path == file)
            #expect(problem.reason == .notADirectory)
        }
    }

    /// Nothing listens at the services' address: the batch stops before any run, naming every role behind it.
    @Test func unreachableServicesStopTheBatchBeforeAnyRun() async throws {
        let directory = try TemporaryDirectory()
        // A port that was free a moment ago: bound, then closed.
        let listener = try Listener(host: "127.0.0.1", port: 0)
        let port = listener.address.port
        listener.close()
        let base = try #require(HTTPURL(string: "http://127.0.0.1:\(port)"))
        var configuration = HarnessConfiguration(runs: 1, outputDirectory: directory.path("out"))
        configuration.endpoints = Endpoints(
            prompts: base.with(target: "/api/v1/maestro/prompts"),
            maestro: base.with(target: "/api/v1/maestro/stream"),
            storpheus: base,
            muse: base.with(target: "/api/v1/muse")
        )
        do {
            _ = try await LiveBatch(configuration, token: "t").run()
            Issue.record("the batch ran against a closed port")
        } catch {
            guard case .unreachable(let problem) = error else {
                Issue.record("expected unreachable, got \(error)")
                return
            }
            #expect(problem.hasPrefix("cannot reach prompts, maestro, storpheus, muse at 127.0.0.1:\(port)"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("out/runs.jsonl")))
    }
}
