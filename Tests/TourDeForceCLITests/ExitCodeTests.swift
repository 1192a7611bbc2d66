import CommandLineKit
import Foundation
import Sockets
import StoriStack
import TestSupport
import Testing
import TourDeForceCLI

/// The four URLs of `tdf run`: prompts, compose and MUSE at Maestro's base URL, Storpheus at its own.
private func serviceFlags(maestro: String, storpheus: String) -> [String] {
    [
        "--prompt-endpoint", maestro + "/api/v1/maestro/prompts", "--maestro", maestro + "/api/v1/maestro/stream",
        "--storpheus", storpheus, "--muse-url", maestro + "/api/v1/muse",
    ]
}

/// One test per exit code of cli.md's "Exit codes", each through the command a user would type (an unwritable --out,
/// also exit 3, is `RunCommandTests.unwritableOutIsAnEnvironmentError`).
@Suite struct ExitCodeTests {
    /// 0: every run succeeded.
    @Test func successIsZero() async throws {
        let directory = try TemporaryDirectory()
        let result = await tdfInProcess([
            "run", "--stack", "embedded", "--runs", "1", "--no-record", "--out", directory.path("o"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("1 runs: 1 succeeded, 0 failed"))
    }

    /// 1: the runs ran and failed (every authenticated request is refused), and stdout says how many.
    @Test func failedRunsAreOne() async throws {
        let stack = try await Simulator.start(.embedded(seed: 1337, faults: [StackFault(.auth(.invalid))]))
        let directory = try TemporaryDirectory()
        let result = await tdfInProcess(
            ["run", "--runs", "2", "--no-record", "--out", directory.path("o")]
                + serviceFlags(maestro: stack.maestroURL, storpheus: stack.storpheusURL),
            environment: ["STORI_JWT": stack.token()]
        )
        await stack.shutdown()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("2 runs: 0 succeeded, 2 failed"))
    }

    /// 2 in every command that takes a run id: an unknown one is a usage error whose one line lists the runs there
    /// are.
    @Test func unknownRunIDIsTwoEverywhere() async throws {
        let directory = try TemporaryDirectory()
        let out = directory.path("o")
        let recorded = await tdfInProcess(["run", "--stack", "embedded", "--runs", "1", "--out", out])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        for command in [
            ["replay", "--in", out, "--run-id", "r_000009"],
            ["cassette", "show", out + "/cassettes", "--run", "r_000009"],
            ["cassette", "ls", out + "/cassettes", "--run", "r_000009"],
            ["cassette", "verify", out + "/cassettes", "--run", "r_000009"],
            ["cassette", "scan", out + "/cassettes", "--run", "r_000009"],
            ["cassette", "har", out + "/cassettes", "--run", "r_000009"],
        ] {
            let result = await tdfInProcess(command)
            #expect(result.status == 2, "\(command): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("r_000009") && lines[0].contains("r_000001"), "\(command)")
        }
    }

    /// 2: a usage error is exactly one line on stderr that names the problem, and nothing on stdout.
    @Test func usageErrorIsTwoAndOneLine() async {
        let result = await tdfInProcess(["cassette", "ls", "--frobnicate"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr.split(separator: "\n") == [
                "tdf: error: unknown option '--frobnicate' for 'tdf cassette ls'; see 'tdf cassette ls --help'"
            ]
        )
    }

    /// 3: nothing answers at the services' address, so no run starts and no artifact tree is written.
    @Test func unreachableServiceIsThree() async throws {
        let directory = try TemporaryDirectory()
        let listener = try Listener(host: "127.0.0.1", port: 0)
        let port = listener.address.port
        listener.close()
        let out = directory.path("o")
        let result = await tdfInProcess(
            ["run", "--out", out]
                + serviceFlags(maestro: "http://127.0.0.1:\(port)", storpheus: "http://127.0.0.1:\(port)"),
            environment: ["STORI_JWT": "x"]
        )
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("cannot reach prompts, maestro, storpheus, muse at 127.0.0.1:\(port)"))
        #expect(!FileManager.default.fileExists(atPath: out + "/runs.jsonl"))
    }

    /// 3: the simulator's port is taken by another listener.
    @Test func portInUseIsThree() async throws {
        let holder = try Listener(host: "127.0.0.1", port: 0)
        defer { holder.close() }
        let result = await tdfInProcess(
            ["stack", "--maestro", "127.0.0.1:\(holder.address.port)", "--storpheus", "127.0.0.1:0"]
        )
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("127.0.0.1:\(holder.address.port)"))
    }
}
