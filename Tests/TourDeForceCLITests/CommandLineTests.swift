import CommandLineKit
import Foundation
import Testing
import TourDeForceCLI

/// Runs a command line in-process and returns its exit code and output.
func runTDF(
    _ arguments: [String],
    environment: [String: String] = [:]
) async -> (status: Int32, stdout: String, stderr: String) {
    await CommandLineTool.runCaptured(arguments, environment: environment)
}

@Suite struct CommandLineTests {
    /// `tdf --version` prints the version on stdout and exits 0.
    @Test func printsVersion() async {
        let result = await runTDF(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout == "tdf \(CommandLineTool.version)\n")
        #expect(result.stderr.isEmpty)
    }

    /// `tdf --help` lists every subcommand of the tree with its one-line description.
    @Test func helpListsTheWholeTree() async {
        let result = await runTDF(["--help"])
        #expect(result.status == 0)
        for name in ["demo", "run", "stack", "proxy", "cassette", "replay", "diff", "report", "midi", "merge"] {
            #expect(result.stdout.contains("\n  \(name) "), "help does not list \(name)")
        }
        #expect(result.stdout.contains("USAGE: tdf <subcommand>"))
    }

    /// `tdf help run` and `tdf run --help` print the same help.
    @Test func helpSubcommandMatchesHelpFlag() async {
        let viaHelp = await runTDF(["help", "run"])
        let viaFlag = await runTDF(["run", "--help"])
        #expect(viaHelp.status == 0)
        #expect(viaHelp.stdout == viaFlag.stdout)
        #expect(viaHelp.stdout.contains("USAGE: tdf run"))
    }

    /// An unknown subcommand is one line on stderr naming the choices, exit 2.
    @Test func unknownSubcommandIsUsageError() async {
        let result = await runTDF(["frobnicate"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("tdf: error: unknown subcommand 'frobnicate'"))
        #expect(result.stderr.contains("demo"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// A duration too long for `Duration` (it used to trap converting to milliseconds) is a usage error.
    @Test(arguments: ["--grace", "--upstream-timeout", "--connect-timeout", "--cassette-idle"])
    func hugeDurationsAreUsageErrors(option: String) async {
        let result = await runTDF([
            "proxy", "--mode", "passthrough", "--service", "a=0=http://127.0.0.1:9", option, "1e300",
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(option) takes a number of seconds greater than 0 and at most 31536000"))
    }
}
