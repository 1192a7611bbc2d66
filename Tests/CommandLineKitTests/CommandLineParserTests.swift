import CommandLineKit
import Testing

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
                action: { _, _ in 0 }
            )
        ]
    )

    /// The arguments of `go`, parsed from `arguments` (with the words that select `go`).
    private func parsed(_ arguments: [String]) throws -> ParsedArguments {
        guard case .run(_, let parsed) = try CommandLineParser.parse(arguments, root: Self.tree) else {
            throw UsageError("\(arguments) asked for help")
        }
        return parsed
    }

    /// Values come from `--name value`, `--name=value`, defaults, repeats, short flags and positionals.
    @Test func parsesEveryOptionForm() throws {
        let arguments = try parsed([
            "go", "--runs=3", "--mode", "fast", "--fault", "a", "--fault", "b", "-v", "x", "--", "--y",
        ])
        #expect(arguments.value("--runs") == "3")
        #expect(arguments.value("--mode") == "fast")
        #expect(arguments.values("--fault") == ["a", "b"])
        #expect(arguments.flag("--verbose"))
        #expect(arguments.positionals == ["x", "--y"])
        let defaults = try parsed(["go"])
        #expect(defaults.value("--runs") == "10")
        #expect(defaults.value("--mode") == nil)
        #expect(!defaults.flag("--verbose"))
    }

    /// Each mistake is one usage error that says what to fix.
    @Test func reportsMistakesAsUsageErrors() throws {
        let cases: [([String], String)] = [
            (["go", "--nope"], "unknown option '--nope' for 'tool go'; see 'tool go --help'"),
            (["go", "--mode", "medium"], "--mode must be one of fast, slow, not 'medium'"),
            (["go", "--runs"], "--runs needs a value (N)"),
            (["go", "--runs", "1", "--runs", "2"], "--runs was given twice"),
            (["go", "--verbose=yes"], "--verbose is a flag and takes no value"),
        ]
        for (arguments, message) in cases {
            #expect(throws: UsageError(message), "\(arguments)") { try parsed(arguments) }
        }
        #expect(throws: UsageError("--runs takes a whole number from 1 to 100, not '0'")) {
            try parsed(["go", "--runs", "0"]).integer("--runs", in: 1...100)
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
