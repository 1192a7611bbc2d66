import Cassettes
import Foundation
import HTTPTransport
import HTTPWire
import JSON
import RecordingProxy
import Synchronization
import TestSupport
import Testing
import Vocabulary

/// Maintaining recordings through the proxy (cassette-format.md §11): a hand edit resealed and replayed, a prune
/// after a partial replay, and record-missing's `--max-age`.
@Suite struct MaintenanceFlowTests {
    /// Records `/json?n=ORDINAL` for each ordinal of `run` (and, with `untagged`, one untagged `/json?n=untagged`).
    private func record(
        _ ordinals: Range<Int>,
        run: String,
        untagged: Bool = false,
        into cassettes: String
    ) async throws {
        try await withUpstream { upstream in
            _ = try await withProxy(
                proxyConfiguration(.record, directory: cassettes, services: [("maestro", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                let base = proxy.baseURL(for: "maestro")!
                for ordinal in ordinals {
                    _ = try await fetch(client, base, "/json?n=\(ordinal)", headers: tags(run, ordinal))
                }
                if untagged { _ = try await fetch(client, base, "/json?n=untagged") }
            }
        }
    }

    /// Replays `/json?n=ORDINAL` for each ordinal of `run`; returns the bodies served and the proxy's report.
    private func replay(
        _ ordinals: [Int],
        run: String,
        from cassettes: String
    ) async throws -> (bodies: [String], report: ProxyReport) {
        let (bodies, report) = try await withProxy(
            proxyConfiguration(.replay, directory: cassettes, services: [("maestro", nil)])
        ) { proxy in
            let client = HTTPClient()
            defer { client.close() }
            var bodies: [String] = []
            for ordinal in ordinals {
                let fetched = try await fetch(
                    client,
                    proxy.baseURL(for: "maestro")!,
                    "/json?n=\(ordinal)",
                    headers: tags(run, ordinal)
                )
                #expect(fetched.status == 200, "\(fetched.text)")
                bodies.append(fetched.text)
            }
            return bodies
        }
        return (bodies, report)
    }

    private func verification(_ directory: String) throws -> CassetteVerification {
        CassetteVerification(of: try CassetteSelection(path: directory, currentDirectory: "/", run: nil))
    }

    /// The acceptance flow: one exchange's response edited with `zcat | python3 | gzip` fails verify, reseal fixes
    /// it, and replay serves the edited value.
    @Test func handEditResealedAndReplayed() async throws {
        guard let python = ExternalProcess.which("python3"), let shell = ExternalProcess.which("sh") else {
            Issue.record("python3 and sh are needed for this test")
            return
        }
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("cassettes")
        try await record(0..<3, run: "r_edit", into: cassettes)
        let edit = """
            import json, sys
            for line in sys.stdin:
                record = json.loads(line)
                if record["type"] == "exchange" and record["ordinal"] == 1:
                    record["response"]["body"]["text"] = json.dumps({"ok": "edited by hand"})
                print(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
            """
        try edit.write(toFile: directory.path("edit.py"), atomically: true, encoding: .utf8)
        let file = cassettes + "/r_edit.jsonl.gz"
        let edited = try await ExternalProcess.run(
            shell,
            [
                "-c", "zcat \"$1\" | \"$2\" \"$3\" | gzip > \"$1.new\" && mv \"$1.new\" \"$1\"", "sh", file, python,
                directory.path("edit.py"),
            ]
        )
        #expect(edited.status == 0, "\(edited.stderr)")

        let broken = try verification(cassettes)
        #expect(!broken.isOK)
        #expect(broken.cassettes.first?.problems.contains { $0.contains("differs from the recomputed digest") } == true)

        let report = try SessionMaintenance.reseal(directory: cassettes, toolVersion: "test")
        #expect(report.isOK)
        #expect(report.lines.first?.hasPrefix("resealed r_edit.jsonl.gz: 3 → 3 exchanges, digest ") == true)
        #expect(try verification(cassettes).isOK)

        let replayed = try await replay([0, 1, 2], run: "r_edit", from: cassettes)
        #expect(replayed.bodies[1] == #"{"ok": "edited by hand"}"#)
        #expect(replayed.bodies[0] == #"{"ok":true,"items":[1,2,3]}"#)
        #expect(replayed.report.mismatches == 0 && replayed.report.unusedRecordings.isEmpty)
    }

    /// After a replay that asked for some recordings, prune with its usage file leaves exactly the served ones
    /// (their seqs kept), drops the cassette nothing was served from, and a second replay uses every recording.
    @Test func pruneAfterAPartialReplayLeavesTheServedRecordings() async throws {
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("cassettes")
        try await record(0..<4, run: "r_prune", untagged: true, into: cassettes)
        let before = try Cassette.load(path: cassettes + "/r_prune.jsonl.gz").exchanges
        let first = try await replay([0, 2], run: "r_prune", from: cassettes)
        #expect(first.report.unusedRecordings.map(\.description).count == 3)

        let usageFile = directory.path("served.json")
        try Data(JSONWriter.bytes(first.report.replayUsage(directory: cassettes).jsonValue))
            .write(to: URL(fileURLWithPath: usageFile))
        let usage = try ReplayUsage(path: usageFile)
        let pruned = try SessionMaintenance.prune(directory: cassettes, usage: usage, dryRun: false, toolVersion: "t")
        #expect(pruned.isOK, "\(pruned.lines)")

        let served = before.filter { [0, 2].contains($0.ordinal) }
        #expect(try Cassette.load(path: cassettes + "/r_prune.jsonl.gz").exchanges == served)
        #expect(!FileManager.default.fileExists(atPath: cassettes + "/" + RunID.untaggedFileName))
        #expect(try verification(cassettes).isOK)

        let second = try await replay([0, 2], run: "r_prune", from: cassettes)
        #expect(second.report.unusedRecordings.isEmpty && !second.report.failsStrictCheck)
    }

    /// record-missing with a maximum age forwards a request whose recording is older and replaces the recording;
    /// without one it replays it. The age is refused outside record-missing.
    @Test func maxAgeReRecordsOldRecordings() async throws {
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("cassettes")
        try await record(0..<1, run: "r_age", into: cassettes)
        let recorded = try #require(try Cassette.load(path: cassettes + "/r_age.jsonl.gz").exchanges.first)
        try await Task.sleep(for: .milliseconds(50))

        func recordMissing(maxAge: Duration?) async throws -> (hits: Int, report: ProxyReport) {
            try await withUpstream { upstream in
                var configuration = proxyConfiguration(
                    .recordMissing,
                    directory: cassettes,
                    services: [("maestro", upstream.url)]
                )
                configuration.maxAge = maxAge
                let (_, report) = try await withProxy(configuration) { proxy in
                    let client = HTTPClient()
                    defer { client.close() }
                    let fetched = try await fetch(
                        client,
                        proxy.baseURL(for: "maestro")!,
                        "/json?n=0",
                        headers: tags("r_age", 0)
                    )
                    #expect(fetched.status == 200)
                }
                return (upstream.log.hits.withLock { $0 }, report)
            }
        }

        let kept = try await recordMissing(maxAge: .seconds(3600))
        #expect(kept.hits == 0 && kept.report.replayed == 1)

        let renewed = try await recordMissing(maxAge: .milliseconds(20))
        #expect(renewed.hits == 1 && renewed.report.recorded == 1 && renewed.report.unusedRecordings.isEmpty)
        // The replaced recording is not counted as served: only the new one, which took seq 0 in the new file.
        #expect(renewed.report.cassetteUsage.map(\.served) == [[0]])
        let exchanges = try Cassette.load(path: cassettes + "/r_age.jsonl.gz").exchanges
        #expect(exchanges.count == 1)
        #expect(exchanges.first.map { $0.started > recorded.started } == true)
        #expect(try verification(cassettes).isOK)

        var replaying = proxyConfiguration(.replay, directory: cassettes, services: [("maestro", nil)])
        replaying.maxAge = .seconds(1)
        await #expect(throws: ProxyError.invalidConfiguration(.maxAgeOutsideRecordMissing(mode: .replay))) {
            try await ProxyServer.start(replaying)
        }
    }
}
