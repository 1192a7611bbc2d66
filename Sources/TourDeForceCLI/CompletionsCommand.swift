import CommandLineKit
import Foundation

extension CommandLineTool {
    /// `tdf completions bash|zsh`: a shell completion script generated from the command tree.
    static var completionsCommand: CommandSpec {
        CommandSpec(
            name: "completions",
            abstract: "Print a bash or zsh completion script for tdf.",
            discussion: """
                The script is generated from this build's command tree, so it completes every subcommand, option
                and enumerated value that '--help' shows, and file names where a command takes a file or directory.
                """,
            examples: [
                "source <(tdf completions bash)",
                "tdf completions bash > /etc/bash_completion.d/tdf",
                "tdf completions zsh > \"${fpath[1]}/_tdf\"",
            ],
            positionals: [PositionalSpec("SHELL", help: "The shell: bash or zsh.")],
            action: { arguments, context in
                let tree = commandTree
                switch arguments.positionals[0] {
                case "bash": context.standardOutput.write(ShellCompletions.bash(for: tree))
                case "zsh": context.standardOutput.write(ShellCompletions.zsh(for: tree))
                case let other: throw UsageError("tdf completions takes bash or zsh, not '\(other)'")
                }
                return ExitCode.success
            }
        )
    }
}
