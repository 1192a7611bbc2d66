import Foundation
import TestSupport
import Testing

/// The scale-out recipe in compose/kubernetes validates against the Kubernetes API schemas with no cluster, and its
/// shard count is the same in the three places that name it.
@Suite struct KubernetesManifestTests {
    private static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("compose/kubernetes")

    @Test func manifestsAreValidKubernetes() async throws {
        let script = Self.directory.appendingPathComponent("validate.sh").path
        let result = try await ExternalProcess.run("/bin/sh", [script])
        if result.status == 3 {
            print("KubernetesManifestTests: skipped, \(result.stderr) (.ci/run installs it)")
            return
        }
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
        #expect(result.stdoutText.contains("tdf-shards.yaml: valid for Kubernetes"))
        #expect(result.stdoutText.contains("tdf-merge.yaml: valid for Kubernetes"))
    }

    /// `completions`, `parallelism` and `TDF_SHARDS` must agree, or a shard is never run (tdf merge then refuses the
    /// gap) or `--shard` names a shard past N.
    @Test func theShardCountAgrees() throws {
        let text = try String(
            contentsOf: Self.directory.appendingPathComponent("tdf-shards.yaml"),
            encoding: .utf8
        )
        func value(after prefix: String) -> String? {
            text.split(separator: "\n").lazy.compactMap { line -> String? in
                let trimmed = line.drop { $0 == " " }
                guard trimmed.hasPrefix(prefix) else { return nil }
                return String(trimmed.dropFirst(prefix.count).prefix { $0.isNumber })
            }.first
        }
        let completions = try #require(value(after: "completions: "))
        #expect(value(after: "parallelism: ") == completions)
        #expect(value(after: "- {name: TDF_SHARDS, value: \"") == completions)
    }
}
