import CommandLineKit
import Foundation
import TestSupport
import Testing

@Suite struct ComposeValidationTests {
    private static let composeDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("compose")

    /// compose/docker-compose.yml is valid for the default services and every profile, each with the services
    /// compose/README.md tells users to start. Needs the docker client with its compose plugin; no engine.
    @Test func everyProfileIsValid() async throws {
        guard let docker = ExternalProcess.which("docker"),
            try await ExternalProcess.run(docker, ["compose", "version"]).status == 0
        else {
            print(
                "ComposeValidationTests: skipped, 'docker compose version' does not work here "
                    + "(compose/validate.sh installs the plugin)"
            )
            return
        }
        let script = Self.composeDirectory.appendingPathComponent("validate.sh").path
        let result = try await ExternalProcess.run("/bin/sh", [script])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.contains("profile default: valid; services: tdf-proxy"))
        #expect(lines.contains("profile harness: valid; services: tdf tdf-proxy"))
        #expect(lines.contains("profile sim: valid; services: stack tdf-proxy tdf-sim"))
        #expect(lines.contains("profile replay: valid; services: tdf-proxy tdf-replay"))
    }
}
