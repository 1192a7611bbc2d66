import Foundation
import Gzip
import HTTPTransport
import JSON
import StoriStack
import TestSupport
import Testing

@testable import Harness

/// Starts the simulator on free ports and returns a configuration pointed at it.
func embeddedConfiguration(
    _ stack: RunningStack,
    out: String,
    runs: Int,
    concurrency: Int = 4,
    seed: UInt64 = 1337
) -> HarnessConfiguration {
    HarnessConfiguration(
        endpoints: Endpoints(
            prompts: HTTPURL(string: stack.maestroURL + "/api/v1/maestro/prompts")!,
            maestro: HTTPURL(string: stack.maestroURL + "/api/v1/maestro/stream")!,
            storpheus: HTTPURL(string: stack.storpheusURL)!,
            muse: HTTPURL(string: stack.museURL)!
        ),
        runs: runs,
        seed: seed,
        concurrency: concurrency,
        outputDirectory: out,
        // Timeouts here are safety nets for a loaded machine; the tests whose subject is a timeout set a short one.
        globalTimeout: .seconds(600),
        record: false,
        stack: .embedded,
        promptTimeout: .seconds(120),
        museTimeout: .seconds(120),
        retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(50), maxDelay: .milliseconds(200))
    )
}

func startStack(seed: UInt64 = 1337, faults: [StackFault] = []) async throws -> RunningStack {
    try await Simulator.start(.embedded(seed: seed, faults: faults))
}

@Suite struct EndToEndTests {
    /// Ten runs against the embedded simulator all succeed, cover the five scenarios, and record merges, conflicts
    /// and drift as each scenario expects.
    @Test func tenRunsSucceedOnTheSimulator() async throws {
        let stack = try await startStack()
        let directory = try TemporaryDirectory()
        let out = ProcessInfo.processInfo.environment["TDF_KEEP_OUT"] ?? directory.path("out")
        let token = stack.token()
        let runner = HarnessRunner(
            configuration: embeddedConfiguration(stack, out: out, runs: 10),
            token: token,
            toolVersion: "test"
        )
        let result = try await runner.run()
        await stack.shutdown()
        for run in result.runs where run.status != .success {
            Issue.record("\(run.runID) \(run.scenario): \(run.status.rawValue): \(run.error ?? "")")
        }
        #expect(result.runs.count == 10)
        #expect(Set(result.runs.map(\.scenario)) == Set(Scenario.all.map(\.name)))

        // Each scenario's MUSE expectations, as recorded in runs.jsonl.
        let lines = try String(contentsOfFile: out + "/runs.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 10)
        for line in lines {
            let run = try JSONParser.parse(String(line), options: .python)
            let scenario = try #require(Scenario.all.first { $0.name == run["scenario"]?.stringValue })
            let muse = try #require(run["muse"])
            #expect(muse["merges"]?.arrayValue?.count == scenario.expectedMerges)
            #expect(muse["conflict_detected"]?.boolValue == scenario.expectsConflict)
            #expect(muse["drift_detected"]?.boolValue == scenario.testsDrift)
            #expect(muse["drift_recovered"]?.boolValue == scenario.testsDrift)
            #expect(run["compose"]?["streams"]?.intValue == scenario.streamCount)
            let id = run["run_id"]?.stringValue ?? ""
            let conflicts = FileManager.default.fileExists(atPath: "\(out)/muse/run_\(id)/merge_conflicts.json")
            #expect(conflicts == scenario.expectsConflict, "\(id) merge_conflicts.json")
            #expect(FileManager.default.fileExists(atPath: "\(out)/midi/run_\(id)/midi_summary.json"))
        }

        // The artifact tree: every file there, JSON files parse, JSON Lines parse line by line, the envelope is whole.
        for file in ["manifest.json", "config.json", "muse/graph.json", "muse/graph_viz.json"] {
            let text = try String(contentsOfFile: "\(out)/\(file)", encoding: .utf8)
            #expect((try? JSONParser.parse(text, options: .python)) != nil, "\(file) is not JSON")
        }
        #expect(try String(contentsOfFile: "\(out)/muse/graph.txt", encoding: .utf8).contains("[HEAD]"))
        // A finished batch has sealed its line files into gzip; runs.jsonl stays plain.
        for file in ["events.jsonl", "metrics.jsonl", "logs/client.log"] {
            #expect(!FileManager.default.fileExists(atPath: "\(out)/\(file)"), "\(file) was not sealed")
        }
        for file in ["runs.jsonl", "events.jsonl", "metrics.jsonl", "logs/client.log"] {
            let text = try lineFileText("\(out)/\(file)")
            #expect(!text.isEmpty, "\(file) is empty")
            for line in text.split(separator: "\n") where (try? JSONParser.parse(String(line), options: .python)) == nil
            {
                Issue.record("\(file): not JSON: \(line.prefix(200))")
            }
        }
        let envelopeKeys = [
            "ts", "run_id", "scenario", "component", "event_type", "trace_id", "span_id", "parent_span_id", "severity",
            "tags", "data",
        ]
        let events = try lineFileText("\(out)/events.jsonl").split(separator: "\n")
        for line in events.prefix(500) {
            #expect((try? JSONParser.parse(String(line), options: .python))?.members.map(\.key) == envelopeKeys)
        }
        let types = Set(
            events.compactMap { (try? JSONParser.parse(String($0), options: .python))?["event_type"]?.stringValue }
        )
        for type in [
            "http_request", "sse_event", "tool_call", "midi_metric", "muse_commit", "muse_merge", "muse_conflict",
            "muse_checkout", "drift_detected", "drift_recovered", "graph_export",
        ] {
            #expect(types.contains(type), "no \(type) event")
        }
        for kind in ["prompt_fetch", "maestro_requests", "maestro_sse", "storpheus_requests", "storpheus_responses"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: "\(out)/payloads/\(kind)")
            #expect(!files.isEmpty, "payloads/\(kind) is empty")
        }

        // No file anywhere holds the token (payloads are read decompressed).
        let names = FileManager.default.enumerator(atPath: out)?.compactMap { $0 as? String } ?? []
        for name in names {
            guard var data = FileManager.default.contents(atPath: "\(out)/\(name)") else { continue }
            if name.hasSuffix(".gz") { data = Data(try GzipData.decompress(data)) }
            #expect(!String(decoding: data, as: UTF8.self).contains(token), "\(name) holds the JWT")
        }
    }

    /// Faults of the simulator map to the status taxonomy, and every run of the batch still reports.
    @Test(arguments: [
        ("storpheus-down", "storpheus_error"), ("cut-stream=6", "maestro_error"), ("auth=401", "maestro_error"),
        ("latency=muse:600s", "timeout"), ("rate-limit=2", "maestro_error"),
    ])
    func faultsGiveTheirStatus(spec: String, status: String) async throws {
        let stack = try await startStack(faults: [try StackFault(parsing: spec)])
        let directory = try TemporaryDirectory()
        var configuration = embeddedConfiguration(stack, out: directory.path("out"), runs: 2, concurrency: 2)
        if spec.hasPrefix("latency=muse") {
            // The MUSE read timeout is the subject here, and the fault holds every MUSE call far longer than it.
            configuration.museTimeout = .milliseconds(500)
        }
        let result = try await HarnessRunner(configuration: configuration, token: stack.token(), toolVersion: "test")
            .run()
        await stack.shutdown()
        #expect(result.runs.count == 2)
        for run in result.runs {
            #expect(run.status.rawValue == status, "\(run.runID): \(run.status.rawValue): \(run.error ?? "")")
        }
        if spec == "auth=401" {
            #expect(result.runs.allSatisfy { $0.error?.contains("401") == true })
        }
        if spec.hasPrefix("rate-limit") {
            #expect(result.runs.allSatisfy { $0.error?.contains("429: Rate limit exceeded") == true })
            // The runs got as far as committing, so their graphs are exported despite the failure.
            let graph = try String(contentsOfFile: directory.path("out/muse/graph.txt"), encoding: .utf8)
            #expect(graph.contains("r_000001") && graph.contains("C1"))
        }
        if spec.hasPrefix("cut-stream") {
            let sse = try #require(artifactText(directory.path("out/payloads/maestro_sse/r_000001_compose.json")))
            #expect((try? JSONParser.parse(sse, options: .python))?.arrayValue?.count == 6)
        }
    }

    /// A run whose composition fails (Storpheus down) reports what happened, not what the scenario planned: the
    /// events that arrived, no drift test, and the reason once.
    @Test func aFailedCompositionReportsItsRealEventCountAndNoMuseClaims() async throws {
        let stack = try await startStack(faults: [StackFault(.storpheusDown)])
        let directory = try TemporaryDirectory()
        let configuration = embeddedConfiguration(stack, out: directory.path("out"), runs: 1, concurrency: 1)
        _ = try await HarnessRunner(configuration: configuration, token: stack.token(), toolVersion: "test").run()
        await stack.shutdown()
        let line = try String(contentsOfFile: directory.path("out/runs.jsonl"), encoding: .utf8)
        let run = try JSONParser.parse(Array(line.utf8))
        let payload = try #require(artifactText(directory.path("out/payloads/maestro_sse/r_000001_compose.json")))
        let events = try #require(JSONParser.parse(payload, options: .python).arrayValue)
        #expect(events.last?["type"] == "complete")
        #expect(run["compose"]?["events"] == .int(events.count))
        #expect(events.count > 10, "the stream runs to the Storpheus pre-flight check before failing")
        #expect(run["muse"]?["drift_tested"] == .bool(false))
        #expect(run["muse"]?["commits"] == .array([]))
        #expect(
            run["error"]?.stringValue
                == "compose: complete.success is false: Music generation service (Storpheus) is not responding. "
                + "Cannot start composition — please verify Storpheus is running and retry."
        )
    }

    /// A run longer than `--global-timeout` ends as `timeout` without holding up the batch.
    @Test func globalTimeoutEndsTheRun() async throws {
        // Every MUSE call is held for an hour, so only the global timeout cutting the call in flight ends these runs.
        // Should it wait for the call instead, the safety net shuts the stack down (which releases the calls) long
        // before the hour is up, and says so.
        let stack = try await startStack(faults: [try StackFault(parsing: "latency=muse:3600s")])
        let directory = try TemporaryDirectory()
        var configuration = embeddedConfiguration(stack, out: directory.path("out"), runs: 2, concurrency: 2)
        configuration.globalTimeout = .milliseconds(800)
        let safetyNet = Task {
            try await Task.sleep(for: .seconds(300))
            await stack.shutdown()
        }
        let result = try await HarnessRunner(configuration: configuration, token: stack.token(), toolVersion: "test")
            .run()
        safetyNet.cancel()
        let safetyNetFired = (try? await safetyNet.value) != nil
        #expect(!safetyNetFired, "the runs were not cut off at --global-timeout")
        await stack.shutdown()
        #expect(result.runs.map(\.status) == [.timeout, .timeout])
        #expect(result.runs.allSatisfy { $0.error?.contains("--global-timeout") == true })
    }
}

/// The lines of a JSON Lines file with timestamps and durations removed, for comparing two batches.
func normalisedLines(_ path: String) throws -> [String: [String]] {
    let text = try lineFileText(path)
    var byRun: [String: [String]] = [:]
    for line in text.split(separator: "\n") {
        guard var object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
        object = stripTimes(object)
        let run = object["run_id"] as? String ?? ""
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        byRun[run, default: []].append(String(decoding: data, as: UTF8.self))
    }
    return byRun
}

private func stripTimes(_ object: [String: Any]) -> [String: Any] {
    var result: [String: Any] = [:]
    for (key, value) in object where key != "ts" && key != "started_at" && !key.hasSuffix("_ms") {
        if let nested = value as? [String: Any] {
            result[key] = stripTimes(nested)
        } else if let list = value as? [Any] {
            result[key] = list.map { ($0 as? [String: Any]).map(stripTimes) ?? $0 }
        } else {
            result[key] = value
        }
    }
    return result
}

extension EndToEndTests {
    /// The same seed twice, each against a fresh simulator with the same seed, gives the same runs.jsonl and the
    /// same events per run apart from timestamps and durations.
    @Test func sameSeedGivesIdenticalRunsAndEvents() async throws {
        let directory = try TemporaryDirectory()
        for name in ["a", "b"] {
            let stack = try await startStack()
            let runner = HarnessRunner(
                configuration: embeddedConfiguration(stack, out: directory.path(name), runs: 5),
                token: stack.token(),
                toolVersion: "test"
            )
            let result = try await runner.run()
            await stack.shutdown()
            #expect(result.allSucceeded)
        }
        let runsA = try normalisedLines(directory.path("a/runs.jsonl"))
        let runsB = try normalisedLines(directory.path("b/runs.jsonl"))
        #expect(runsA == runsB)
        let eventsA = try normalisedLines(directory.path("a/events.jsonl"))
        let eventsB = try normalisedLines(directory.path("b/events.jsonl"))
        #expect(eventsA.keys.sorted() == eventsB.keys.sorted())
        for run in eventsA.keys.sorted() {
            let a = eventsA[run] ?? []
            let b = eventsB[run] ?? []
            #expect(a.count == b.count, "\(run): \(a.count) events vs \(b.count)")
            if let index = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                Issue.record("\(run) event \(index) differs:\n\(a[index])\n\(b[index])")
            }
        }
    }
}
