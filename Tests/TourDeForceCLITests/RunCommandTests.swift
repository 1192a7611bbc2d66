import CommandLineKit
import Foundation
import JSON
import StoriStack
import TestSupport
import Testing
import Vocabulary

@testable import Harness
@testable import TourDeForceCLI

/// Runs `tdf run ...` in-process and returns the exit code and output.
func runCommand(
    _ arguments: [String],
    environment: [String: String] = [:],
    directory: String = FileManager.default.currentDirectoryPath
) async -> (status: Int32, stdout: String, stderr: String) {
    await tdfInProcess(
        ["run"] + arguments,
        commands: [CommandLineTool.runCommand],
        environment: environment,
        directory: directory
    )
}

/// The per-run digests of a cassette session's `index.json`.
func cassetteDigests(_ directory: String) throws -> [String: String] {
    let text = try String(contentsOfFile: directory + "/index.json", encoding: .utf8)
    let index = try JSONParser.parse(text, options: .python)
    var digests: [String: String] = [:]
    for run in index["runs"]?.arrayValue ?? [] {
        if let id = run["run_id"]?.stringValue, let digest = run["digest"]?.stringValue { digests[id] = digest }
    }
    return digests
}

@Suite struct RunCommandTests {
    /// `tdf run --stack embedded --runs 10 --concurrency 4 --out X` exits 0 with ten successful runs recorded into
    /// cassettes, and the same command again gives the same cassette digests.
    @Test func embeddedRunRecordsTenSuccessfulRuns() async throws {
        let directory = try TemporaryDirectory()
        var digests: [[String: String]] = []
        for name in ["a", "b"] {
            let out = directory.path(name)
            let result = await runCommand(["--stack", "embedded", "--runs", "10", "--concurrency", "4", "--out", out])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("10 runs: 10 succeeded, 0 failed"))
            #expect(result.stderr.contains("recorded"))
            let cassettes = try FileManager.default.contentsOfDirectory(atPath: out + "/cassettes")
            #expect(cassettes.contains("index.json"))
            #expect(cassettes.contains("r_000001.jsonl.gz") && cassettes.contains("r_000010.jsonl.gz"))
            let config = try String(contentsOfFile: out + "/config.json", encoding: .utf8)
            #expect(config.contains("\"stack\": \"embedded\"") && config.contains("\"record\": true"))
            digests.append(try cassetteDigests(out + "/cassettes"))
        }
        #expect(digests[0].count == 10)
        #expect(digests[0] == digests[1])
    }

    /// Without `--stack embedded`, a missing JWT variable is one line naming it, exit 2.
    @Test func missingJWTIsAUsageError() async throws {
        let directory = try TemporaryDirectory()
        let result = await runCommand(["--out", directory.path("out"), "--jwt-env", "TDF_TEST_NO_SUCH_JWT"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("TDF_TEST_NO_SUCH_JWT"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// An --out that cannot be created is one line, exit 3 (an environment problem), before anything is contacted.
    @Test func unwritableOutIsAnEnvironmentError() async {
        let result = await runCommand(["--stack", "embedded", "--out", "/proc/tdf-cannot-write-here"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("--out /proc/tdf-cannot-write-here"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// Bad flag values are one line each, exit 2.
    @Test(arguments: [
        ["--runs", "0"], ["--quality-preset", "best"], ["--maestro", "https://x/stream"], ["--seed", "-1"],
        ["--global-timeout", "0"], ["--record", "--no-record"], ["--stack", "docker"], ["--bogus"],
    ])
    func badFlagsAreUsageErrors(arguments: [String]) async {
        let result = await runCommand(arguments, environment: ["STORI_JWT": "x"])
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
    }

    /// `--help` lists every flag of the earlier harness plus --record, --no-record and --stack.
    @Test func helpListsEveryFlag() async {
        let result = await runCommand(["--help"])
        #expect(result.status == 0)
        for flag in [
            "--jwt-env", "--prompt-endpoint", "--maestro", "--storpheus", "--muse-url", "--runs", "--seed",
            "--concurrency", "--out", "--quality-preset", "--maestro-timeout", "--storpheus-timeout",
            "--global-timeout",
            "--verbose", "--record", "--no-record", "--stack",
        ] {
            #expect(result.stdout.contains(flag), "help lacks \(flag)")
        }
    }

    /// The default --out is under /data when it is writable, else under the working directory, named by UTC time.
    @Test func defaultOutputDirectory() {
        let now = Timestamp(millisecondsSinceEpoch: 1_772_000_000_000)
        let path = HarnessRunner.defaultOutputDirectory(now: now, currentDirectory: "/work")
        let expected = FileManager.default.isWritableFile(atPath: "/data") ? "/data/" : "/work/"
        #expect(path == expected + "tdf_20260225_061320")
    }
}

extension RunCommandTests {
    /// Against a separately started stack, the JWT comes from the named variable, `--no-record` writes no cassettes,
    /// and the JWT is in no file.
    @Test func usesTheJWTVariableAndNeverWritesIt() async throws {
        let stack = try await Simulator.start(.embedded(seed: 1337))
        let directory = try TemporaryDirectory()
        let token = stack.token()
        let out = directory.path("out")
        let result = await runCommand(
            [
                "--prompt-endpoint", stack.maestroURL + "/api/v1/maestro/prompts",
                "--maestro", stack.maestroURL + "/api/v1/maestro/stream", "--storpheus", stack.storpheusURL,
                "--muse-url", stack.museURL, "--runs", "3", "--no-record", "--jwt-env", "MY_JWT", "--out", out, "-v",
            ],
            environment: ["MY_JWT": token]
        )
        await stack.shutdown()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/cassettes"))
        #expect(result.stderr.contains("r_000003"))
        let names = FileManager.default.enumerator(atPath: out)?.compactMap { $0 as? String } ?? []
        #expect(names.count > 20)
        for name in names {
            guard let data = FileManager.default.contents(atPath: out + "/" + name) else { continue }
            #expect(!String(decoding: data, as: UTF8.self).contains(token), "\(name) holds the JWT")
        }
        let log = try lineFileText(out + "/logs/client.log")
        #expect(log.contains("\"level\":\"DEBUG\""))
    }
}

/// An output sink that claims to be a terminal.
final class TerminalOutput: OutputSink {
    private let captured = CapturedOutput()
    func write(_ text: String) { captured.write(text) }
    var isTerminal: Bool { true }
    var text: String { captured.text }
}

extension RunCommandTests {
    /// On a terminal the progress is one line rewritten in place (runs done, failed, elapsed); elsewhere it is
    /// one plain line per run.
    @Test func progressLineOnATerminal() async throws {
        let directory = try TemporaryDirectory()
        let err = TerminalOutput()
        let context = CommandContext(
            standardOutput: CapturedOutput(),
            standardError: err,
            environment: [:],
            currentDirectory: directory.url.path
        )
        let tree = CommandSpec(name: "tdf", abstract: "test tree", subcommands: [CommandLineTool.runCommand])
        let status = await CommandLineTool.run(
            ["run", "--stack", "embedded", "--runs", "2", "--no-record", "--out", "out"],
            tree: tree,
            context: context
        )
        #expect(status == 0)
        #expect(err.text.contains("\r\u{1B}[Kruns 0/2 done, 0 failed, 1 in flight, "))
        #expect(err.text.contains("\r\u{1B}[Kruns 1/2 done, 0 failed, "))
        #expect(err.text.contains(" left"), "an estimate once a run is done: \(err.text)")
        #expect(err.text.contains("\r\u{1B}[Kruns 2/2 done, 0 failed, 0 in flight, "))
        #expect(FileManager.default.fileExists(atPath: directory.path("out/runs.jsonl")))
        let plain = await runCommand([
            "--stack", "embedded", "--runs", "2", "--no-record", "--out", directory.path("p"),
        ])
        #expect(plain.stderr.contains("tdf run: r_000001 deep-branching success"))
        #expect(!plain.stderr.contains("\u{1B}"))
    }
}

extension RunCommandTests {
    /// The progress line counts runs in flight and retries, names the wait that ends last with its reason and a
    /// countdown, drops a finished run's wait, and estimates the time left from the pace so far.
    @Test func progressShowsRunsInFlightWaitsAndTimeLeft() {
        let start = ContinuousClock.now
        var progress = BatchProgress(total: 10)
        #expect(!progress.hasStarted)
        progress.apply(.runStarted("r_000001"), at: start)
        progress.apply(.runStarted("r_000002"), at: start)
        let rateLimited = RunWait(runID: "r_000002", delay: .seconds(8), reason: "maestro answered 429: slow down")
        progress.apply(.waiting(rateLimited), at: start)
        #expect(
            progress.line(elapsed: .seconds(3), now: start + .seconds(2))
                == "runs 0/10 done, 0 failed, 2 in flight, 1 retry, 3.0 s; r_000002 waits 6 s: maestro answered 429: "
                + "slow down"
        )
        let summary = RunSummary(
            runID: "r_000002",
            scenario: "standard",
            status: .success,
            error: nil,
            duration: .seconds(20),
            line: "{}"
        )
        let finished = RunProgress(finished: summary, done: 1, failed: 0, total: 10, elapsed: .seconds(20))
        progress.apply(.runFinished(finished), at: start + .seconds(4))
        #expect(
            progress.line(elapsed: .seconds(20), now: start + .seconds(4))
                == "runs 1/10 done, 0 failed, 1 in flight, 1 retry, 20.0 s, about 3m00s left"
        )
        #expect(BatchProgress.clock(59.6) == "1m00s" && BatchProgress.clock(3_900) == "1h05m")

        // A server's message reaches the terminal as one bounded line: no escape sequence, no line break.
        let hostile = RunWait(
            runID: "r_000003",
            delay: .seconds(1),
            reason: "maestro answered 429: \u{1B}[2J\u{1B}]0;owned\u{07}slow\r\ndown "
                + String(repeating: "x", count: 10_000)
        )
        #expect(!hostile.reason.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(hostile.reason.hasPrefix("maestro answered 429:  [2J ]0;owned slow  down xxx"))
        #expect(hostile.reason.count == RunWait.longestReason + 1 && hostile.reason.hasSuffix("…"))
    }
}

extension RunCommandTests {
    /// `--force` replaces only what tdf wrote: a non-empty `--out` that holds no batch (here a file of the user's
    /// and a `manifest.json` another tool wrote) is refused with or without it, and nothing in it is touched.
    @Test func forceNeverRemovesADirectoryTdfDidNotWrite() async throws {
        let directory = try TemporaryDirectory()
        let out = directory.path("mine")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data("{\"name\": \"my-web-app\"}".utf8).write(to: URL(fileURLWithPath: out + "/manifest.json"))
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        for force in [[], ["--force"]] {
            let result = await runCommand(["--stack", "embedded", "--runs", "1", "--out", out] + force)
            #expect(result.status == 2)
            #expect(result.stderr.contains("is not empty and holds no tdf batch; give a new or empty directory"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["manifest.json", "notes.txt"])
    }
}
