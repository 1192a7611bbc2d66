import CommandLineKit
import Foundation
import HTTPTransport
import Testing

@testable import StoriStack
@testable import TourDeForceCLI

/// Runs `tdf stack ...` in-process against a tree holding only the stack command.
private func runStackCommand(
    _ arguments: [String],
    environment: [String: String] = [:]
) async -> (
    status: Int32, stdout: String, stderr: String
) {
    await CommandLineTool.runCaptured(
        arguments,
        tree: CommandSpec(name: "tdf", abstract: "", subcommands: [CommandLineTool.stackCommand]),
        environment: environment
    )
}

@Suite(.serialized) struct StackCommandTests {
    /// `tdf stack token` prints one token that verifies with the secret from the flag or `TDF_JWT_SECRET`.
    @Test func tokenCommandMintsAVerifiableToken() async {
        let result = await runStackCommand(["stack", "token", "--sub", "alice", "--ttl", "120"])
        #expect(result.status == 0)
        let token = result.stdout.trimmingCharacters(in: .newlines)
        #expect(!token.contains("\n"))
        let now = Int(Date().timeIntervalSince1970)
        guard
            case .valid(let claims) = AccessToken.verify(
                authorization: "Bearer \(token)",
                secret: AccessToken.developmentSecret,
                now: now
            )
        else {
            Issue.record("token does not verify: \(token)")
            return
        }
        #expect(claims.subject == "alice")
        #expect((claims.expiresAt - now) <= 120)
        let fromEnvironment = await runStackCommand(["stack", "token"], environment: ["TDF_JWT_SECRET": "env-secret"])
        let envToken = fromEnvironment.stdout.trimmingCharacters(in: .newlines)
        #expect(AccessToken.verify(authorization: "Bearer \(envToken)", secret: "env-secret", now: now) != .invalid)
    }

    /// A bad fault spec or address is one usage line and exit 2.
    @Test func badArgumentsAreUsageErrors() async {
        for arguments in [
            ["stack", "--fault", "warp=9"], ["stack", "--fault", "latency=soon"], ["stack", "--maestro", "nowhere"],
            ["stack", "--latency", "9-1"], ["stack", "token", "--ttl", "0"],
        ] {
            let result = await runStackCommand(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.hasPrefix("tdf: error: "), "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments)")
        }
    }

    /// `tdf stack --help` documents the faults and shows examples.
    @Test func helpDocumentsFaults() async {
        let result = await runStackCommand(["stack", "--help"])
        #expect(result.status == 0)
        for text in ["stack ready maestro=", "cut-stream=N", "EXAMPLES:", "tdf stack token", "--legacy-prompt-route"] {
            #expect(result.stdout.contains(text), "help lacks \(text)")
        }
    }

    /// Options become the configuration: ports, seed, secret, faults and knobs.
    @Test func optionsBecomeTheConfiguration() async throws {
        // Parse through a throwaway tree whose action captures the configuration.
        let captured = CapturedOutput()
        var spec = CommandLineTool.stackCommand
        spec.subcommands = []
        spec.action = { arguments, context in
            let configuration = try CommandLineTool.stackConfiguration(arguments, environment: context.environment)
            captured.write(
                "\(configuration.maestroHost):\(configuration.maestroPort) \(configuration.storpheusPort) "
                    + "\(configuration.seed) \(configuration.jwtSecret) \(configuration.faults.map(\.description)) "
                    + "\(configuration.generationLatencyMilliseconds) \(configuration.storpheusWorkers) "
                    + "\(configuration.servesHarnessPromptRoute)"
            )
            return 0
        }
        let tree = CommandSpec(name: "tdf", abstract: "", subcommands: [spec])
        let context = CommandContext(
            standardOutput: CapturedOutput(),
            standardError: CapturedOutput(),
            environment: [:],
            currentDirectory: "/"
        )
        let status = await CommandLineTool.run(
            [
                "stack", "--maestro", "localhost:0", "--storpheus", ":0", "--seed", "9", "--jwt-secret", "s3",
                "--fault",
                "latency=200ms", "--fault", "cut-stream=5", "--latency", "10", "--workers", "2",
                "--legacy-prompt-route",
            ],
            tree: tree,
            context: context
        )
        #expect(status == 0)
        #expect(captured.text == #"127.0.0.1:0 0 9 s3 ["latency=200ms", "cut-stream=5"] 10...10 2 true"#)
    }

    /// `tdf stack` prints one ready line, serves, and shuts down cleanly with exit 0 when stopped.
    @Test func serveUntilStopped() async throws {
        let out = CapturedOutput()
        let context = CommandContext(
            standardOutput: out,
            standardError: CapturedOutput(),
            environment: [:],
            currentDirectory: "/"
        )
        let tree = CommandSpec(name: "tdf", abstract: "", subcommands: [CommandLineTool.stackCommand])
        let serving = Task {
            await CommandLineTool.run(
                ["stack", "--maestro", "127.0.0.1:0", "--storpheus", "127.0.0.1:0"],
                tree: tree,
                context: context
            )
        }
        var line = ""
        for _ in 0..<200 where line.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
            line = out.text
        }
        let pattern = #/^stack ready maestro=http://127\.0\.0\.1:(\d+) storpheus=http://127\.0\.0\.1:(\d+)\n$/#
        let match = try #require(line.wholeMatch(of: pattern))
        let client = HTTPClient()
        let health = try await client.execute(
            HTTPClientRequest(url: try #require(HTTPURL(string: "http://127.0.0.1:\(match.1)/api/v1/health")))
        )
        #expect(health.status == 200)
        _ = try await health.body.collect()
        client.close()
        serving.cancel()
        #expect(await serving.value == 0)
    }
}
