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

@Suite struct CommandLineParserTests {
    private static let tree = CommandSpec(
        name: "tool",
        abstract: "A test tree.",
        subcommands: [
            CommandSpec(
                name: "go",
                abstract: "Goes.",
                options: [
                    .option("--runs", value: "N", help: "How many.", default: "10"),
                    .option("--mode", value: "MODE", help: "Which.", allowed: ["fast", "slow"]),
                    .option("--fault", value: "SPEC", help: "Faults.", repeatable: true),
                    .flag("--verbose", short: "-v", help: "Talk more."),
                ],
                positionals: [PositionalSpec("FILE", help: "Files.", variadic: true, optional: true)],
                action: { arguments, context in
                    context.print("runs=\(arguments.value("--runs") ?? "-")")
                    context.print("mode=\(arguments.value("--mode") ?? "-")")
                    context.print("faults=\(arguments.values("--fault").joined(separator: ","))")
                    context.print("verbose=\(arguments.flag("--verbose"))")
                    context.print("files=\(arguments.positionals.joined(separator: ","))")
                    _ = try arguments.integer("--runs", in: 1...100)
                    return 0
                }
            )
        ]
    )

    private func run(_ arguments: [String]) async -> (Int32, String, String) {
        await CommandLineTool.runCaptured(arguments, tree: Self.tree, currentDirectory: "/")
    }

    /// Values come from `--name value`, `--name=value`, defaults, repeats, short flags and positionals.
    @Test func parsesEveryOptionForm() async {
        let (status, out, _) = await run([
            "go", "--runs=3", "--mode", "fast", "--fault", "a", "--fault", "b", "-v", "x", "--", "--y",
        ])
        #expect(status == 0)
        #expect(out == "runs=3\nmode=fast\nfaults=a,b\nverbose=true\nfiles=x,--y\n")
        let (_, defaults, _) = await run(["go"])
        #expect(defaults.hasPrefix("runs=10\nmode=-\n"))
    }

    /// Each mistake is a one-line usage error with exit 2 that says what to fix.
    @Test func reportsMistakesAsUsageErrors() async {
        let cases: [([String], String)] = [
            (["go", "--nope"], "unknown option '--nope' for 'tool go'; see 'tool go --help'"),
            (["go", "--mode", "medium"], "--mode must be one of fast, slow, not 'medium'"),
            (["go", "--runs"], "--runs needs a value (N)"),
            (["go", "--runs", "1", "--runs", "2"], "--runs was given twice"),
            (["go", "--runs", "0"], "--runs takes a whole number from 1 to 100, not '0'"),
            (["go", "--verbose=yes"], "--verbose is a flag and takes no value"),
        ]
        for (arguments, message) in cases {
            let (status, _, err) = await run(arguments)
            #expect(status == 2, "\(arguments)")
            #expect(err == "tdf: error: \(message)\n", "\(arguments)")
        }
    }
}

@Suite struct TerminalOutputTests {
    /// An output sink that claims to be a terminal.
    private final class TerminalSink: OutputSink {
        func write(_ text: String) {}
        var isTerminal: Bool { true }
    }

    private func context(stderr: any OutputSink, environment: [String: String]) -> CommandContext {
        CommandContext(
            standardOutput: CapturedOutput(),
            standardError: stderr,
            environment: environment,
            currentDirectory: "/"
        )
    }

    /// Progress is redrawn in place only on a terminal, and NO_COLOR (any non-empty value) or TERM=dumb turn the
    /// redraw into plain lines.
    @Test func progressRedrawFollowsTerminalAndNoColor() {
        #expect(context(stderr: TerminalSink(), environment: ["TERM": "xterm-256color"]).redrawsProgress)
        #expect(context(stderr: TerminalSink(), environment: ["NO_COLOR": ""]).redrawsProgress)
        #expect(!context(stderr: TerminalSink(), environment: ["NO_COLOR": "1"]).redrawsProgress)
        #expect(!context(stderr: TerminalSink(), environment: ["TERM": "dumb"]).redrawsProgress)
        #expect(!context(stderr: CapturedOutput(), environment: [:]).redrawsProgress)
    }
}
