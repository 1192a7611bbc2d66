import CommandLineKit
import Foundation
import TestSupport
import Testing
import TourDeForceCLI

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

    /// Every `tdf` command the Jobs run is a command line tdf accepts (flags and operands in their places), with the
    /// shell's `$((…))` and `${…}` standing for values.
    @Test(arguments: ["tdf-shards.yaml", "tdf-merge.yaml"])
    func theJobsRunValidTdfCommands(manifest: String) throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(manifest), encoding: .utf8)
        // The folded `>-` scalar: its lines joined by spaces, split at `&&` into commands.
        let script = text.split(separator: "\n").drop { !$0.contains("- >-") }.dropFirst()
            .prefix { $0.hasPrefix("              ") }.map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
        let commands = script.components(separatedBy: "&&").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(!commands.isEmpty && commands.allSatisfy { $0.contains("tdf ") }, "\(script)")
        for command in commands {
            // The shell's values, as the first pod of four sees them.
            let expanded = command.replacingOccurrences(of: "$((JOB_COMPLETION_INDEX + 1))", with: "1")
                .replacingOccurrences(of: "${TDF_SHARDS}", with: "4")
                .replacingOccurrences(of: "${TDF_RUNS}", with: "100")
                .replacingOccurrences(of: "${TDF_SEED}", with: "1337")
                .replacingOccurrences(of: "\"", with: "")
            #expect(!expanded.contains("$"), "a shell value the test does not know: \(expanded)")
            let words = expanded.split(separator: " ").map(String.init)
            let arguments = Array(words.drop { $0 != "tdf" }.dropFirst())
            do {
                _ = try CommandLineParser.parse(arguments, root: CommandLineTool.commandTree)
            } catch {
                Issue.record("\(manifest): 'tdf \(arguments.joined(separator: " "))' is refused: \(error)")
            }
        }
    }
}
