public import CommandLineKit
import Foundation
import Sockets
import TourDeForce

/// The `tdf` command line: the command tree and the entry point that runs one command line to an exit code.
public enum CommandLineTool {
    /// The tool's version, printed by `tdf --version` and written into recordings (the library's).
    public static let version = Release.version

    /// Exit codes (cli.md, "Exit codes").
    public enum ExitCode {
        /// Everything succeeded, or nothing differs.
        public static let success: Int32 = 0
        /// Some runs failed, or a diff exceeded its thresholds.
        public static let failure: Int32 = 1
        /// A usage or configuration error.
        public static let usage: Int32 = 2
        /// An environment problem: cannot bind, cannot write, service unreachable.
        public static let environment: Int32 = 3
        /// Stopped by SIGINT or SIGTERM after finishing what was in flight (128 + SIGINT, as shells report it).
        public static let interrupted: Int32 = 130
    }

    /// The whole command tree.
    public static var commandTree: CommandSpec {
        CommandSpec(
            name: "tdf",
            abstract: "TourDeForce: end-to-end harness, recording proxy and simulator for the Stori music backend.",
            discussion: """
                tdf proves that Maestro, Storpheus and MUSE work together: it composes through Maestro's SSE stream,
                analyses the MIDI, exercises MUSE branching, merging and checkout, records every exchange into
                compressed cassettes through its proxy, and replays, diffs and reports them offline.
                """,
            examples: ["tdf demo", "tdf help run", "tdf --version"],
            subcommands: [
                demoCommand,
                runCommand,
                stackCommand,
                proxyCommand,
                cassetteCommand,
                replayCommand,
                diffCommand,
                shadowCommand,
                reportCommand,
                midiCommand,
                completionsCommand,
                mergeCommand,
            ]
        )
    }

    /// Runs one command line (without the program name) and returns the process exit code.
    public static func main(arguments: [String], context: CommandContext) async -> Int32 {
        // A server of many clients, or a batch recording many runs, needs every descriptor the system allows.
        DescriptorBudget.raiseSoftLimitToHardLimit()
        if arguments == ["--version"] || arguments == ["-V"] {
            context.print("tdf \(version)")
            return ExitCode.success
        }
        // Not in the tree's help: Scripts/cli-reference.sh uses it to regenerate Docs/cli.md.
        if arguments == ["help", "--markdown"] {
            context.standardOutput.write(referenceMarkdown)
            return ExitCode.success
        }
        return await run(arguments, tree: commandTree, context: context)
    }

    /// Runs a command line against a given tree; `main` uses the real tree, tests may use their own.
    public static func run(_ arguments: [String], tree: CommandSpec, context: CommandContext) async -> Int32 {
        do {
            switch try CommandLineParser.parse(arguments, root: tree) {
            case .help(let command, let path):
                context.standardOutput.write(HelpFormatter.help(for: command, path: path))
                return ExitCode.success
            case .run(let command, let parsed):
                guard let action = command.action else { return ExitCode.usage }
                return try await action(parsed, context)
            }
        } catch let error as UsageError {
            context.printError("tdf: error: \(error.message)")
            return ExitCode.usage
        } catch let error as CommandFailure {
            context.printError("tdf: error: \(error.message)")
            return error.exitCode
        } catch {
            context.printError("tdf: error: \(error)")
            return ExitCode.failure
        }
    }
}

/// A command that could not do its work, with the exit code that says why (1 failure, 3 environment).
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in one line.
    public let message: String
    /// The process exit code.
    public let exitCode: Int32

    /// Makes a failure.
    public init(_ message: String, exitCode: Int32 = CommandLineTool.ExitCode.failure) {
        self.message = message
        self.exitCode = exitCode
    }

    /// The message.
    public var description: String { message }
}

extension CommandLineTool {
    /// Runs a command line in this process with both outputs captured: how tests, and programs embedding tdf,
    /// drive a command. `tree` nil means the whole tool (`main`, so `--version` works too); `currentDirectory` nil
    /// means the process's.
    public static func runCaptured(
        _ arguments: [String],
        tree: CommandSpec? = nil,
        environment: [String: String] = [:],
        currentDirectory: String? = nil
    ) async -> (status: Int32, stdout: String, stderr: String) {
        let out = CapturedOutput()
        let err = CapturedOutput()
        let context = CommandContext(
            standardOutput: out,
            standardError: err,
            environment: environment,
            currentDirectory: currentDirectory ?? FileManager.default.currentDirectoryPath
        )
        let status: Int32
        if let tree {
            status = await run(arguments, tree: tree, context: context)
        } else {
            status = await main(arguments: arguments, context: context)
        }
        return (status, out.text, err.text)
    }
}

extension CommandLineTool {
    /// `Docs/cli.md`: every command's help, then what every command shares.
    public static var referenceMarkdown: String {
        CommandReference.markdown(of: commandTree, generator: "Scripts/cli-reference.sh", appendix: referenceAppendix)
    }

    /// What every command shares, after the commands in the reference: exit codes and output conventions.
    private static let referenceAppendix = [
        "",
        "## Exit codes",
        "",
        "Every command exits with one of these:",
        "",
        "| code | meaning |",
        "|---|---|",
        "| `0` | everything succeeded: every run passed, every file was read, nothing differs |",
        "| `1` | the work ran and found a failure: a run failed, a file is damaged, a report section could not be built |",
        "| `2` | usage or configuration error: one line on stderr that says what to fix; nothing was started. An "
            + "unknown run id (`replay --run-id`, `cassette … --run`) is one, and the line lists the runs there are |",
        "| `3` | environment problem: a port cannot be bound, `--out` cannot be written, a service is unreachable "
            + "before any run, `--in` holds no artifact tree |",
        "| `130` | `tdf run` stopped by SIGINT or SIGTERM after finishing what was in flight (a second signal: at "
            + "once) |",
        "",
        "## Output conventions",
        "",
        "- Results go to stdout; errors, progress and logs go to stderr, so `tdf ... > result.txt` keeps only "
            + "results.",
        "- `--json` prints the result as JSON on stdout where a command has one (`cassette ls|show|verify`, "
            + "`midi analyze`, `report`).",
        "- tdf prints no colour. The only terminal control sequence it writes is the progress line of `tdf run`, "
            + "rewritten in place when stderr is a terminal; when stderr is not a terminal, `NO_COLOR` is set to "
            + "any non-empty value, or `TERM=dumb`, progress is one plain line per finished run instead.",
        "- `tdf --version` prints the version; `tdf completions bash|zsh` prints a completion script generated "
            + "from this same command tree.",
    ]
}
