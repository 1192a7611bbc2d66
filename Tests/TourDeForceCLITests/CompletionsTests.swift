import CommandLineKit
import Foundation
import TestSupport
import Testing
import TourDeForceCLI

@Suite struct CompletionsTests {
    /// Completes `words` (the last one being typed) with the generated bash script and returns COMPREPLY.
    private func bashCompletions(_ words: [String]) async throws -> [String] {
        let bash = try #require(ExternalProcess.which("bash"), "bash is not installed")
        let directory = try TemporaryDirectory()
        let script = directory.path("tdf.bash")
        try ShellCompletions.bash(for: CommandLineTool.commandTree).write(
            toFile: script,
            atomically: true,
            encoding: .utf8
        )
        let quoted = words.map { "'\($0)'" }.joined(separator: " ")
        let output = try await ExternalProcess.run(
            bash,
            [
                "-c",
                "source '\(script)' && COMP_WORDS=(\(quoted)) && COMP_CWORD=\(words.count - 1) && _tdf "
                    + "&& printf '%s\\n' \"${COMPREPLY[@]}\"",
            ]
        )
        #expect(output.status == 0, "\(output.stderr)")
        return output.stdoutText.split(separator: "\n").map(String.init)
    }

    /// bash completes the top-level subcommands from the tree, including ones added later.
    @Test func bashCompletesSubcommands() async throws {
        let all = try await bashCompletions(["tdf", ""])
        let names = CommandLineTool.commandTree.subcommands.map(\.name)
        #expect(Set(all) == Set(names + ["help"]))
        #expect(try await bashCompletions(["tdf", "cas"]) == ["cassette"])
        #expect(try await bashCompletions(["tdf", "cassette", "v"]) == ["verify"])
    }

    /// bash completes a command's options, and the allowed values of an enumerated option.
    @Test func bashCompletesOptionsAndValues() async throws {
        let options = try await bashCompletions(["tdf", "run", "--qu"])
        #expect(options == ["--quality-preset"])
        let presets = try await bashCompletions(["tdf", "run", "--quality-preset", ""])
        #expect(Set(presets) == ["fast", "balanced", "quality"])
        let cassetteOptions = try await bashCompletions(["tdf", "cassette", "ls", "--"])
        #expect(Set(cassetteOptions) == ["--run", "--json", "--help"])
    }

    /// The zsh script names every command path and option of the tree, registers itself with compdef when sourced,
    /// and, where zsh is installed, parses and registers.
    @Test func zshScriptCoversTheTree() async throws {
        let script = ShellCompletions.zsh(for: CommandLineTool.commandTree)
        #expect(script.hasPrefix("#compdef tdf\n"))
        for entry in CommandReference.entries(of: CommandLineTool.commandTree) {
            #expect(script.contains("\"\(entry.path.joined(separator: " "))\")"), "no case for \(entry.path)")
            for option in entry.command.options {
                let spec = option.shortName.map { "{\($0),\(option.name)}'[" } ?? option.name + "["
                #expect(script.contains(spec), "no spec for \(option.name)")
            }
        }
        guard let zsh = ExternalProcess.which("zsh") else {
            print("CompletionsTests: zsh is not installed; checked the script's content only")
            return
        }
        let directory = try TemporaryDirectory()
        let file = directory.path("_tdf")
        try script.write(toFile: file, atomically: true, encoding: .utf8)
        let syntax = try await ExternalProcess.run(zsh, ["-n", file])
        #expect(syntax.status == 0, "\(syntax.stderr)")
        let registered = try await ExternalProcess.run(
            zsh,
            ["-f", "-c", "autoload -Uz compinit && compinit -u -D && source '\(file)' && print -r -- $_comps[tdf]"]
        )
        #expect(registered.stdoutText == "_tdf\n", "\(registered.stderr)")
    }

    /// `tdf completions` prints the script for the named shell and rejects any other with exit 2.
    @Test func completionsCommandPrintsTheScript() async {
        let bash = await runTDF(["completions", "bash"])
        #expect(bash.status == 0)
        #expect(bash.stdout == ShellCompletions.bash(for: CommandLineTool.commandTree))
        #expect(bash.stdout.hasSuffix("complete -o filenames -F _tdf tdf\n"))
        let fish = await runTDF(["completions", "fish"])
        #expect(fish.status == 2)
        #expect(fish.stderr == "tdf: error: tdf completions takes bash or zsh, not 'fish'\n")
    }
}
