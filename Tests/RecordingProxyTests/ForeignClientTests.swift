import Cassettes
import Foundation
import JSON
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A client tdf did not write (Examples/ForeignClient/stori_client.py: Python's standard library, uuid4 ids,
/// timestamps, shuffled query parameters, ids taken from answers, no tdf header) is recorded twice through
/// `tdf proxy` in front of `tdf stack`, `tdf cassette learn` proposes rules from the two recordings, and with those
/// rules a replay with no stack running answers every request and gives the client its own ids back
/// (Docs/matching.md).
@Suite(.serialized) struct ForeignClientTests {
    private static let client = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/ForeignClient/stori_client.py").path

    /// One line the client prints per request.
    private struct Step {
        let name: String
        let status: Int
        let checks: [String: Bool]
        let answer: String?
    }

    private struct Tools {
        let tdf: String
        let python: String
        let token: String
    }

    private func tools() async throws -> Tools? {
        guard let tdf = TDFExecutable.path() else {
            Issue.record("no tdf executable: build it (swift build) or set TDF_EXECUTABLE")
            return nil
        }
        guard let python = ExternalProcess.which("python3") else {
            Issue.record("python3 is needed for the foreign client (.ci/run installs it)")
            return nil
        }
        let token = try await ChildProcess.run(tdf, ["stack", "token", "--sub", "foreign"])
        try #require(token.status == 0, "\(token.stderr)")
        return Tools(tdf: tdf, python: python, token: token.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Starts `tdf ARGUMENTS` and waits for its line starting with `ready`; returns it and the first `NAME=URL`'s URL.
    private func start(_ tdf: String, _ arguments: [String], ready: String) async throws -> (ChildProcess, String) {
        let child = try ChildProcess(tdf, arguments)
        guard let line = await child.line(startingWith: ready) else {
            child.send(SIGKILL)
            _ = await child.waitForExit()
            throw TestFailure("tdf \(arguments[0]) never printed '\(ready)': \(child.standardError)")
        }
        let base = line.dropFirst(ready.count).split(separator: " ")[0].split(separator: "=", maxSplits: 1)[1]
        return (child, String(base))
    }

    /// Runs the client against `base`; returns its exit status and steps.
    private func runClient(_ tools: Tools, _ base: String) async throws -> (status: Int32, steps: [Step]) {
        let run = try await ChildProcess.run(
            "/usr/bin/env",
            ["STORI_JWT=\(tools.token)", tools.python, Self.client, base]
        )
        let steps = try run.stdout.split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return Step(
                name: try #require(object["step"] as? String),
                status: try #require(object["status"] as? Int),
                checks: try #require(object["checks"] as? [String: Bool]),
                answer: object["answer"] as? String
            )
        }
        #expect(steps.count == 11, "the client stopped early: \(run.stdout)\(run.stderr)")
        return (run.status, steps)
    }

    /// Records one run of the client into `cassettes`, through a proxy in front of a fresh stack.
    private func record(_ tools: Tools, into cassettes: String) async throws {
        let (stack, maestro) = try await start(
            tools.tdf,
            ["stack", "--maestro", "127.0.0.1:0", "--storpheus", "127.0.0.1:0"],
            ready: "stack ready "
        )
        defer { stack.send(SIGKILL) }
        let (proxy, base) = try await start(
            tools.tdf,
            ["proxy", "--mode", "record", "--cassettes", cassettes, "--service", "maestro=127.0.0.1:0=\(maestro)"],
            ready: "proxy ready "
        )
        let (status, steps) = try await runClient(tools, base)
        #expect(status == 0, "live run: \(steps.filter { $0.status != 200 || $0.checks.values.contains(false) })")
        proxy.send(SIGTERM)
        #expect(await proxy.waitForExit() == 0, "\(proxy.standardError)")
        stack.send(SIGTERM)
        _ = await stack.waitForExit()
    }

    @Test(.timeLimit(.minutes(3))) func learnedRulesReplayEveryRequestAndGiveTheClientItsOwnIDs() async throws {
        guard let tools = try await tools() else { return }
        let directory = try TemporaryDirectory()
        let (first, second) = (directory.path("first"), directory.path("second"))
        try await record(tools, into: first)
        try await record(tools, into: second)

        let rulesFile = directory.path("rules.json")
        let learn = try await ChildProcess.run(tools.tdf, ["cassette", "learn", first, second, "--out", rulesFile])
        #expect(learn.status == 0, "\(learn.stderr)")
        #expect(learn.stderr.contains("$.variation_id: uuid"), "\(learn.stderr)")
        #expect(learn.stderr.contains("$.created_at: timestamp"), "\(learn.stderr)")
        #expect(learn.stderr.contains("?since: timestamp"), "\(learn.stderr)")
        #expect(!learn.stderr.contains("no rule leaves out"), "shuffled query parameters need no rule: \(learn.stderr)")

        // Replay with the learned rules and no stack: every request is answered, and every check of the client
        // (its own uuids in the answers, ids it took from answers accepted) holds. --strict: nothing mismatched or
        // left unused.
        let (replay, base) = try await start(
            tools.tdf,
            [
                "proxy", "--mode", "replay", "--cassettes", first, "--rules", rulesFile, "--strict",
                "--service", "maestro=127.0.0.1:0",
            ],
            ready: "proxy ready "
        )
        let (status, steps) = try await runClient(tools, base)
        replay.send(SIGTERM)
        #expect(await replay.waitForExit() == 0, "\(replay.standardError)")
        #expect(status == 0)
        #expect(steps.allSatisfy { $0.status == 200 }, "\(steps.filter { $0.status != 200 }.map(\.answer))")
        let failedChecks = steps.flatMap { step in step.checks.filter { !$0.value }.map { "\(step.name): \($0.key)" } }
        #expect(failedChecks.isEmpty)
        #expect(steps.first { $0.name == "commit root" }?.checks == ["own variation_id echoed": true])
        #expect(replay.standardError.contains("11 replayed, 0 mismatched"), "\(replay.standardError)")

        // Without rules the first commit gets a 599 naming $.variation_id with the recorded id and pointing at the
        // recording of that commit.
        let recordedCommit = try #require(
            try Cassette.load(path: first + "/_default.jsonl.gz").exchanges.first {
                $0.request.target == "/api/v1/muse/variations"
            }
        )
        let recordedID = try JSONParser.parse(recordedCommit.request.body)["variation_id"]?.stringValue
        let (strict, strictBase) = try await start(
            tools.tdf,
            ["proxy", "--mode", "replay", "--cassettes", first, "--service", "maestro=127.0.0.1:0"],
            ready: "proxy ready "
        )
        let unruled = try await runClient(tools, strictBase)
        strict.send(SIGTERM)
        _ = await strict.waitForExit()
        #expect(unruled.status == 1)
        let commit = try #require(unruled.steps.first { $0.name == "commit root" })
        #expect(commit.status == 599)
        let mismatch = try JSONParser.parse(Array(try #require(commit.answer).utf8))
        #expect(mismatch["expected"]?["seq"] == .int(recordedCommit.seq))
        let difference = try #require(mismatch["differences"]?[0])
        #expect(difference["location"] == .string("$.variation_id"))
        #expect(difference["recorded"]?.stringValue == recordedID.map { #""\#($0)""# })
        #expect(difference["live"]?.stringValue != difference["recorded"]?.stringValue)
        #expect(mismatch["rule"]?["rules"]?[0]?["ignore_body_paths"]?[0] == .string("$.variation_id"))
    }

    /// `tdf shadow` re-sends the foreign client's recording (untagged: no tdf header) to a fresh stack: every request
    /// is sent in its recorded order and the answers diff empty, so yesterday's traffic of a client tdf did not
    /// write can be checked against today's server.
    @Test(.timeLimit(.minutes(2))) func aForeignClientsRecordingShadowsToALiveStack() async throws {
        guard let tools = try await tools() else { return }
        let directory = try TemporaryDirectory()
        let recorded = directory.path("recorded")
        try await record(tools, into: recorded)

        let (stack, maestro) = try await start(
            tools.tdf,
            ["stack", "--maestro", "127.0.0.1:0", "--storpheus", "127.0.0.1:0"],
            ready: "stack ready "
        )
        defer { stack.send(SIGKILL) }
        let shadow = try await ChildProcess.run(
            tools.tdf,
            [
                "shadow", recorded, "--to", "maestro=\(maestro)", "--out", directory.path("shadowed"), "--allow-writes",
                "--header", "Authorization: Bearer \(tools.token)",
            ]
        )
        #expect(shadow.stderr.contains("11 requests sent, 0 not sent"), "\(shadow.stderr)")
        #expect(shadow.stdout.contains("1 runs paired, 11 exchanges paired"), "\(shadow.stdout)")
        #expect(shadow.stdout.contains("no differences"), "\(shadow.stdout.prefix(3000))")
        #expect(shadow.status == 0, "\(shadow.stderr)")
        let answers = try Cassette.load(path: directory.path("shadowed/cassettes/_default.jsonl.gz"))
        #expect(answers.exchanges.count == 11 && answers.exchanges.allSatisfy { $0.response.status == 200 })
    }
}
