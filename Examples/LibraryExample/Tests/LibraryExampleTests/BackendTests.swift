import Foundation
import Testing
import TourDeForce

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The Stori backend, tested from another package through tdf's library: a batch recorded through the proxy on the
/// built-in simulator, replayed with no service, diffed, reported, and its MIDI analysed.
@Suite struct BackendTests {
    @Test func aRecordedBatchReplaysIdenticallyAndReports() async throws {
        let out = NSTemporaryDirectory() + "tdf-example-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: out) }

        // Two runs on the embedded simulator, every exchange recorded into <out>/cassettes.
        let configuration = HarnessConfiguration(runs: 2, seed: 1337, outputDirectory: out, stack: .embedded)
        let batch = try await LiveBatch(configuration, token: nil).run()
        #expect(batch.result.allSucceeded)
        #expect((batch.proxyReport?.recorded ?? 0) > 0)

        // Replayed offline: one typed verdict per run.
        let replay = RecordingReplay(try ReplayableTree(at: out))
        let verdicts = try await replay.replayAll(into: out + "/replay")
        #expect(verdicts.map(\.runID) == ["r_000001", "r_000002"])
        #expect(verdicts.map(\.line) == ["identical", "identical"])

        // The recording diffed with itself has no difference that matters.
        let diff = RecordingDiff.compare(try Recording.load(path: out), try Recording.load(path: out))
        #expect(diff.isEmpty)

        // The report, from the artifact tree alone.
        let report = BuiltReport(tree: out, into: out)
        #expect(report.runs == 2)
        #expect(report.outcome.files.contains("report/report.html"))

        // One generated MIDI file, analysed and scored.
        let midiDirectory = out + "/midi/run_r_000001"
        let file = try #require(
            FileManager.default.contentsOfDirectory(atPath: midiDirectory).first { $0.hasSuffix(".mid") }
        )
        let midi = MIDIFileReport(analysing: midiDirectory + "/" + file, named: file)
        #expect(midi.error == nil)
        #expect((midi.analysis?.structure.noteCount ?? 0) > 0)
    }

    @Test func aProxySessionInFrontOfTheSimulatorReportsWhatItRecorded() async throws {
        let cassettes = NSTemporaryDirectory() + "tdf-example-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: cassettes) }
        let stack = try await Simulator.start(.embedded(seed: 7))
        let upstream = try #require(HTTPURL(string: stack.maestroURL))
        let proxy = try await ProxyServer.start(
            ProxyConfiguration(
                mode: .record,
                cassetteDirectory: cassettes,
                services: [ProxyConfiguration.ServiceRoute(name: "maestro", upstream: upstream)],
                gracePeriod: .seconds(1)
            )
        )
        let base = try #require(proxy.baseURL(for: "maestro"))
        let (_, response) = try await URLSession.shared.data(from: try #require(URL(string: base + "/api/v1/health")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let report = await proxy.shutdown()
        await stack.shutdown()
        #expect(report.recorded == 1)
        #expect(report.cassettes.map(\.fileName) == ["_default.jsonl.gz"])
    }
}
