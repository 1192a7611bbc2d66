import CommandLineKit
import Foundation

@testable import TourDeForceCLI

/// Runs `tdf <arguments>` in-process on the whole command tree, and returns the exit code and output.
func tdf(_ arguments: [String]) async -> (status: Int32, stdout: String, stderr: String) {
    await tdfInProcess(arguments, commands: CommandLineTool.commandTree.subcommands)
}

/// Runs `tdf <arguments>` in-process on a tree holding `commands` (default: every command), and returns the exit code and output.
func tdfInProcess(
    _ arguments: [String],
    commands: [CommandSpec] = CommandLineTool.commandTree.subcommands,
    environment: [String: String] = [:],
    directory: String = FileManager.default.currentDirectoryPath
) async -> (status: Int32, stdout: String, stderr: String) {
    await CommandLineTool.runCaptured(
        arguments,
        tree: CommandSpec(name: "tdf", abstract: "test tree", subcommands: commands),
        environment: environment,
        currentDirectory: directory
    )
}
