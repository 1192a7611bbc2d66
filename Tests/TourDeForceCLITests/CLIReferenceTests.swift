import CommandLineKit
import Foundation
import Testing
import TourDeForceCLI

@Suite struct CommandReferenceTests {
    private static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Docs/cli.md is exactly what `tdf help --markdown` prints for this build's command tree.
    @Test func referenceInDocsMatchesTheCommandTree() async throws {
        let file = Self.repositoryRoot.appendingPathComponent("Docs/cli.md").path
        let documented = try String(contentsOfFile: file, encoding: .utf8)
        let generated = await runTDF(["help", "--markdown"])
        #expect(generated.status == 0)
        guard documented != generated.stdout else { return }
        let old = documented.split(separator: "\n", omittingEmptySubsequences: false)
        let new = generated.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let line =
            zip(old, new).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(old.count, new.count)
        Issue.record(
            """
            Docs/cli.md is out of date with the command tree; regenerate it with: Scripts/cli-reference.sh
            first difference at line \(line + 1): Docs/cli.md has '\(line < old.count ? old[line] : "<end>")', \
            the tree gives '\(line < new.count ? new[line] : "<end>")'
            """
        )
    }

    /// Every command's `--help` runs, exits 0, shows examples, and appears word for word in the reference.
    @Test func everyHelpRunsAndIsInTheReference() async {
        let reference = CommandLineTool.referenceMarkdown
        let entries = CommandReference.entries(of: CommandLineTool.commandTree)
        #expect(entries.count > 10)
        for entry in entries {
            let name = entry.path.joined(separator: " ")
            let result = await runTDF(Array(entry.path.dropFirst()) + ["--help"])
            #expect(result.status == 0, "\(name) --help")
            #expect(result.stderr.isEmpty, "\(name) --help wrote to stderr")
            #expect(result.stdout.hasPrefix("OVERVIEW: \(entry.command.abstract)\n"), "\(name) --help")
            #expect(result.stdout.contains("\nUSAGE: \(name)"), "\(name) --help")
            #expect(
                reference.contains("## `\(name)`\n\n```text\n" + result.stdout + "```\n"),
                "\(name) not in reference"
            )
        }
    }

    /// Every command a user can run (not the pending placeholders) shows at least one example in its help.
    @Test func everyRunnableCommandHasExamples() {
        for entry in CommandReference.entries(of: CommandLineTool.commandTree) where entry.command.action != nil {
            let pending = entry.command.abstract.hasSuffix("(not yet available)")
            #expect(pending || !entry.command.examples.isEmpty, "\(entry.path.joined(separator: " ")) has no examples")
        }
    }
}
