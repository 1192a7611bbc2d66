import Cassettes
import Foundation
import Gzip
import HTTPTransport
import HTTPWire
import JSON
import RecordingProxy
import Synchronization
import TestSupport
import Testing
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// Tests that run the built `tdf` as its own process: crash safety under `kill -9`, orderly shutdown on SIGTERM,
/// and the `tdf cassette` commands.
@Suite(.serialized) struct ProcessTests {
    /// The `tdf` binary with the proxy command, or nil after recording why it cannot be used.
    private func executable() async throws -> String? {
        guard let path = TDFExecutable.path() else {
            Issue.record("no tdf executable: build it (swift build) or set TDF_EXECUTABLE")
            return nil
        }
        let help = try await ChildProcess.run(path, ["proxy", "--help"])
        guard help.stdout.contains("--cassettes") else {
            Issue.record("\(path) has no working 'proxy' command yet; set TDF_EXECUTABLE to a tdf that does")
            return nil
        }
        return path
    }

    private func startProxy(_ tdf: String, _ arguments: [String]) async throws -> (ChildProcess, String) {
        let child = try ChildProcess(tdf, ["proxy"] + arguments)
        guard let ready = await child.line(startingWith: "proxy ready ") else {
            child.send(SIGKILL)
            _ = await child.waitForExit()
            throw TestFailure("the proxy never printed 'proxy ready': \(child.standardError)")
        }
        // The first service's URL: "proxy ready NAME=URL ...".
        let base = ready.split(separator: " ")[2].split(separator: "=", maxSplits: 1)[1]
        return (child, String(base))
    }

    /// `kill -9` while 8 clients stream: every exchange completed before the kill is read back, the reader reports
    /// the truncated tail, and `tdf cassette verify` exits non-zero saying so.
    @Test(.timeLimit(.minutes(2))) func survivesKillDashNine() async throws {
        guard let tdf = try await executable() else { return }
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("cassettes")
        try await withUpstream { upstream in
            let (child, base) = try await startProxy(
                tdf,
                ["--mode", "record", "--cassettes", cassettes, "--service", "maestro=127.0.0.1:0=\(upstream.baseURL)"]
            )
            let client = HTTPClient()
            defer { client.close() }
            // Completed exchanges: three per run, each answered before the kill.
            var completed: [String: [Int]] = [:]
            for round in 0..<3 {
                for run in 0..<8 {
                    let fetched = try await fetch(
                        client,
                        base,
                        "/json?round=\(round)",
                        headers: tags("r_c\(run)", round)
                    )
                    #expect(fetched.status == 200)
                    completed["r_c\(run).jsonl.gz", default: []].append(round)
                }
            }
            // Eight streams in flight, each with a few events received.
            let started = Counter()
            let streams = Task {
                await withTaskGroup(of: Int.self) { group in
                    for run in 0..<8 {
                        group.addTask {
                            let client = HTTPClient()
                            defer { client.close() }
                            guard let url = HTTPURL(string: base + "/sse?n=1000&gap=10"),
                                let response = try? await client.execute(
                                    HTTPClientRequest(url: url, headers: tags("r_c\(run)", 99))
                                )
                            else { return 0 }
                            var events = 0
                            do {
                                for try await frame in response.body.sseFrames() {
                                    if case .event = frame { events += 1 }
                                    if events == 3 { started.value.withLock { $0 += 1 } }
                                }
                            } catch {}
                            return events
                        }
                    }
                    return await group.reduce(0, +)
                }
            }
            let giveUp = ContinuousClock.now.advanced(by: .seconds(20))
            while started.value.withLock({ $0 }) < 8 && ContinuousClock.now < giveUp {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(started.value.withLock { $0 } == 8)
            child.send(SIGKILL)
            _ = await child.waitForExit()
            #expect(child.wasKilledBySignal)
            let events = await streams.value
            #expect(events >= 24)

            for (name, ordinals) in completed {
                let cassette = try Cassette.load(path: cassettes + "/" + name)
                #expect(cassette.exchanges.map(\.ordinal) == ordinals, "\(name)")
                #expect(cassette.exchanges.allSatisfy { $0.response.status == 200 && $0.fault == nil })
                #expect(cassette.end == nil)
                let damage = try #require(cassette.damage, "\(name) reported no damage")
                #expect(damage.kind == .truncated)
                #expect(damage.recordsBefore == 1 + ordinals.count)
                #expect(damage.description.contains(name))
            }
            let verify = try await ChildProcess.run(tdf, ["cassette", "verify", cassettes])
            #expect(verify.status == 1)
            #expect(verify.stdout.contains("FAIL  r_c0.jsonl.gz"))
            #expect(verify.stderr.contains("stream ends mid-member (no gzip trailer)"), "\(verify.stderr)")
            #expect(verify.stderr.contains("r_c0.jsonl.gz: damaged gzip stream in record 5 (after 4 whole records)"))
        }
    }

    /// SIGTERM lets an in-flight stream finish, writes every end record and the index, and exits 0; the cassette
    /// commands then list, show, verify and export what was recorded.
    @Test(.timeLimit(.minutes(2))) func shutsDownInOrderAndTheCassetteCommandsWork() async throws {
        guard let tdf = try await executable() else { return }
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("cassettes")
        try await withUpstream { upstream in
            let (child, base) = try await startProxy(
                tdf,
                [
                    "--mode", "record", "--cassettes", cassettes, "--service",
                    "maestro=127.0.0.1:0=\(upstream.baseURL)",
                    "--service", "storpheus=127.0.0.1:0=\(upstream.baseURL)",
                ]
            )
            #expect(child.standardOutput.hasPrefix("proxy ready maestro=http://127.0.0.1:"))
            #expect(child.standardOutput.contains(" storpheus=http://127.0.0.1:"))
            let client = HTTPClient()
            defer { client.close() }
            #expect(try await fetch(client, base, "/json", headers: tags("r_1", 0)).status == 200)
            #expect(try await fetch(client, base, "/binary").status == 200)
            let stream = Task { try await fetch(HTTPClient(), base, "/sse?n=10&gap=30", headers: tags("r_1", 1)) }
            // SIGTERM only once the stream is in flight through the proxy (the upstream has sent its first event).
            let streaming = ContinuousClock.now.advanced(by: .seconds(60))
            while upstream.log.sentEvents.withLock({ $0.isEmpty }) && ContinuousClock.now < streaming {
                try await Task.sleep(for: .milliseconds(5))
            }
            child.send(SIGTERM)
            let fetched = try await stream.value
            #expect(fetched.cut == nil)
            #expect(fetched.text.components(separatedBy: "data: ").count == 11)
            #expect(await child.waitForExit() == 0)
            #expect(child.standardError.contains("SIGTERM received"))
            #expect(child.standardError.contains("r_1.jsonl.gz: 2 exchanges"))
        }
        let run = try Cassette.load(path: cassettes + "/r_1.jsonl.gz")
        #expect(run.isComplete)
        #expect(run.exchanges.count == 2)

        let ls = try await ChildProcess.run(tdf, ["cassette", "ls", cassettes, "--json"])
        #expect(ls.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(ls.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["file"] as? String } == ["_default.jsonl.gz", "r_1.jsonl.gz"])
        #expect(rows.map { $0["exchanges"] as? Int } == [1, 2])

        let show = try await ChildProcess.run(tdf, ["cassette", "show", cassettes, "--run", "r_1"])
        #expect(show.status == 0)
        let eventLines = show.stdout.split(separator: "\n").filter { $0.contains("data: {\"type\":\"tick\"") }
        #expect(eventLines.count == 10)
        #expect(show.stdout.contains("maestro GET /sse?n=10&gap=30 -> 200 OK"))

        let verify = try await ChildProcess.run(tdf, ["cassette", "verify", cassettes])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("2 cassettes verified"))

        let har = try await ChildProcess.run(tdf, ["cassette", "har", cassettes, "--out", directory.path("out.har")])
        #expect(har.status == 0)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.path("out.har"))))
                as? [String: Any]
        )
        #expect(((document["log"] as? [String: Any])?["entries"] as? [Any])?.count == 3)

        let missing = try await ChildProcess.run(tdf, ["cassette", "show", cassettes, "--run", "r_9"])
        #expect(missing.status == 2, "an unknown run id is a usage error, as in tdf replay")
        #expect(missing.stderr.contains("no cassette r_9.jsonl.gz for --run r_9; its runs are _default, r_1"))
    }

    /// A replay whose recordings were not all asked for lists them and exits 0, or 1 with `--strict`.
    @Test(.timeLimit(.minutes(2))) func strictFailsOnUnusedRecordings() async throws {
        guard let tdf = try await executable() else { return }
        let directory = try TemporaryDirectory()
        let cassettes = directory.url.path
        let writer = try CassetteWriter(directory: cassettes, run: try RunID(validating: "r_1"), toolVersion: "test")
        try writer.append(
            Exchange(
                seq: 0,
                ordinal: 0,
                service: "maestro",
                started: Timestamp.now(),
                request: RecordedRequest(method: "GET", target: "/json"),
                response: RecordedResponse(status: 200, reason: "OK"),
                timing: Timing(ttfbMilliseconds: 1, totalMilliseconds: 1)
            )
        )
        try writer.finish()
        for (flags, status) in [([String](), Int32(0)), (["--strict"], 1)] {
            let (child, _) = try await startProxy(
                tdf,
                ["--mode", "replay", "--cassettes", cassettes, "--service", "maestro=127.0.0.1:0"] + flags
            )
            child.send(SIGTERM)
            #expect(await child.waitForExit() == status, "\(flags): \(child.standardError)")
            #expect(child.standardError.contains("r_1.jsonl.gz seq 0 ordinal 0: maestro GET /json"))
        }
    }

    /// Replay rules that differ from the ones the session was recorded with get one warning on stderr: the recorded
    /// rules are used, unless `--override-recorded-settings` asks for the given ones.
    @Test(.timeLimit(.minutes(2))) func differingRulesWarnAndOverrideChoosesTheGivenOnes() async throws {
        guard let tdf = try await executable() else { return }
        let directory = try TemporaryDirectory()
        let cassettes = directory.url.path
        try await withUpstream { upstream in
            var recording = proxyConfiguration(.record, directory: cassettes, services: [("maestro", upstream.url)])
            recording.matchingRules = MatchingRules([.init(ignoredBodyPaths: [JSONPath("$.variation_id")!])])
            _ = try await withProxy(recording) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                return try await fetch(client, proxy.baseURL(for: "maestro")!, "/echo", method: "POST", body: [])
            }
        }
        let replay = ["--mode", "replay", "--cassettes", cassettes, "--service", "maestro=127.0.0.1:0"]
        let given = ["--ignore-body-path", "$.prompt"]
        for (flags, used) in [
            (given, "replaying with the recorded ones"),
            (given + ["--override-recorded-settings"], "replaying with the given ones"),
        ] {
            let (child, _) = try await startProxy(tdf, replay + flags)
            child.send(SIGTERM)
            #expect(await child.waitForExit() == 0, "\(flags): \(child.standardError)")
            let warnings = child.standardError.split(separator: "\n").filter {
                $0.contains("warning: the matching rules")
            }
            #expect(warnings.count == 1, "\(flags): \(child.standardError)")
            #expect(warnings.first?.contains(used) == true, "\(flags): \(child.standardError)")
        }
    }

    /// SIGINT in the middle of `tdf run` stops it in order: exit 130 after the summary, no run started after the
    /// signal, the runs in flight recorded as `interrupted`, every cassette whole (end record, digest, index), and
    /// `manifest.json` in state `interrupted`. A second `tdf run` into that `--out` is refused with a one-line hint.
    @Test(.timeLimit(.minutes(2))) func interruptedRunFinishesItsFiles() async throws {
        guard let tdf = try await executable() else { return }
        let directory = try TemporaryDirectory()
        let out = directory.path("batch")
        let child = try ChildProcess(
            tdf,
            ["run", "--stack", "embedded", "--runs", "40", "--concurrency", "2", "--out", out]
        )
        #expect(await child.waitForStandardError(containing: "[1/40]", timeout: .seconds(60)))
        child.send(SIGINT)
        #expect(await child.waitForExit() == 130, "\(child.standardError)")
        #expect(child.standardError.contains("tdf run: SIGINT: stopping"))
        #expect(child.standardOutput.contains(" runs: "), "the summary is printed: \(child.standardOutput)")
        #expect(child.standardError.contains("manifest.json says 'interrupted'"))

        let manifest = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))))
        #expect(manifest["state"] == "interrupted")
        let finished = try #require(manifest["runs_finished"]?.intValue)
        #expect(finished >= 1 && finished < 40)
        #expect((manifest["statuses"]?["interrupted"]?.intValue ?? 0) >= 1, "\(manifest.compactText)")
        let verify = try await ChildProcess.run(tdf, ["cassette", "verify", out + "/cassettes"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("\(finished) cassettes verified"), "\(verify.stdout)")

        let again = try await ChildProcess.run(tdf, ["run", "--stack", "embedded", "--runs", "1", "--out", out])
        #expect(again.status == 2)
        #expect(
            again.stderr.contains("--out \(out) already holds a batch; give a new directory, or --force to replace it"),
            "\(again.stderr)"
        )
        let forced = try await ChildProcess.run(
            tdf,
            ["run", "--stack", "embedded", "--runs", "1", "--out", out, "--force"]
        )
        #expect(forced.status == 0, "\(forced.stderr)")
        let cassettes = try FileManager.default.contentsOfDirectory(atPath: out + "/cassettes").sorted()
        #expect(cassettes == ["index.json", "r_000001.jsonl.gz"], "the earlier batch is gone")
    }

    /// Bad command lines exit 2 with one line saying what to fix; an unusable environment exits 3.
    @Test func reportsUsageAndEnvironmentErrors() async throws {
        guard let tdf = try await executable() else { return }
        let noCassettes = try await ChildProcess.run(tdf, ["proxy", "--mode", "replay", "--service", "m=0"])
        #expect(noCassettes.status == 2)
        #expect(noCassettes.stderr.contains("needs --cassettes DIR"))
        let badService = try await ChildProcess.run(tdf, ["proxy", "--cassettes", "/tmp/x", "--service", "m"])
        #expect(badService.status == 2)
        #expect(badService.stderr.contains("NAME=LISTEN[=UPSTREAM]"))
        let missingDirectory = try await ChildProcess.run(
            tdf,
            ["proxy", "--mode", "replay", "--cassettes", "/nonexistent/tdf", "--service", "m=0"]
        )
        #expect(missingDirectory.status == 3)
        let verifyNothing = try await ChildProcess.run(tdf, ["cassette", "verify", "/nonexistent/tdf"])
        #expect(verifyNothing.status == 2)
        try await withUpstream { upstream in
            let taken = try await ChildProcess.run(
                tdf,
                ["proxy", "--mode", "passthrough", "--service", "m=127.0.0.1:\(upstream.url.port)=\(upstream.baseURL)"]
            )
            #expect(taken.status == 3)
            #expect(taken.stderr.contains("cannot listen on 127.0.0.1:\(upstream.url.port) for m"))
        }
    }
}

/// A count shared between tasks.
final class Counter: Sendable {
    let value = Mutex(0)
}

/// A test precondition that failed, with the reason.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
