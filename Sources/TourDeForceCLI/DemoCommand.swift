import CommandLineKit
import Foundation
import TourDeForce

extension CommandLineTool {
    /// `tdf demo`: the whole product in one command, on the embedded simulator (issue 8).
    static var demoCommand: CommandSpec {
        CommandSpec(
            name: "demo",
            abstract: "Run the whole product on the embedded simulator: stack, proxy, runs, report, replay.",
            discussion: """
                Runs, one after the other, the commands a user would type, printing each before it runs:
                'tdf run --stack embedded' (the built-in simulator of Maestro, Storpheus and MUSE on free loopback
                ports, every exchange recorded through the proxy into <out>/cassettes/), 'tdf report' (SQLite, HTML,
                Markdown and JUnit from the artifact tree alone) and 'tdf replay' of the first run (no service at all;
                the replay must be identical to the recording). Then it prints what to open and what to try next.
                Nothing leaves the machine and no JWT is needed.
                Exit status: 0 when every run succeeded, the report was built and the replay was identical; 1
                otherwise; 2 for a usage error (such as a non-empty --out); 3 when the simulator or proxy cannot start.
                """,
            examples: ["tdf demo", "tdf demo --out /tmp/tdf-demo --runs 10", "swift run tdf demo"],
            options: [
                .option(
                    "--out",
                    value: "DIR",
                    help: "A new or empty directory for the artifact tree.",
                    default: "./tdf-demo_<UTC yyyymmdd_HHMMSS>"
                ),
                .option(
                    "--runs",
                    value: "N",
                    help: "Number of runs (they cycle through the five scenarios).",
                    default: "5"
                ),
                .option(
                    "--seed",
                    value: "N",
                    help: "Seed for the simulator, prompt selection and every id.",
                    default: "1337"
                ),
            ],
            action: runDemo
        )
    }

    private static func runDemo(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let runs = try arguments.integer("--runs", in: 1...1000) ?? 5
        let seed = arguments.value("--seed") ?? "1337"
        guard UInt64(seed) != nil else {
            throw UsageError("--seed takes a whole number from 0 to \(UInt64.max), not '\(seed)'")
        }
        let out: String
        if arguments.isSet("--out"), let given = arguments.value("--out") {
            out = context.absolute(given)
        } else {
            out = context.absolute("tdf-demo_" + Timestamp.now().compactName)
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: out), !entries.isEmpty {
            throw UsageError("--out \(out) is not empty; give a new directory (the demo never overwrites a tree)")
        }
        let started = ContinuousClock.now
        let shown = displayPath(out, context)
        let steps: [(title: String, arguments: [String])] = [
            (
                "record \(runs) runs through the proxy on the embedded simulator",
                ["run", "--stack", "embedded", "--runs", String(runs), "--seed", seed, "--out", shown]
            ),
            ("build the report from the artifact tree alone", ["report", "--in", shown]),
            (
                "replay the first run with no service and compare",
                ["replay", "--run-id", RunIdentity.runID(index: 1), "--in", shown]
            ),
        ]
        var failed: [String] = []
        for (number, step) in steps.enumerated() {
            context.print("")
            context.print("[\(number + 1)/\(steps.count)] \(step.title)")
            context.print("$ tdf " + step.arguments.joined(separator: " "))
            let status = await run(step.arguments, tree: commandTree, context: context)
            if status == ExitCode.usage || status == ExitCode.environment { return status }
            if status != ExitCode.success { failed.append(step.arguments[0]) }
        }
        let seconds = String(format: "%.1f", (ContinuousClock.now - started).secondsValue)
        context.print("")
        context.print(
            failed.isEmpty
                ? "tdf demo: done in \(seconds) s; every run succeeded and the replay was identical."
                : "tdf demo: finished in \(seconds) s, but 'tdf \(failed.joined(separator: "', 'tdf "))' reported "
                    + "failures (above)."
        )
        let open = [
            ("\(shown)/\(ArtifactLayout.reportHTMLName)", "the report: runs, MIDI, MUSE graph, latency, faults"),
            ("\(shown)/\(ArtifactLayout.reportMarkdownName)", "the same in Markdown, for a pull request"),
            (
                "\(shown)/\(ArtifactLayout.cassettesDirectoryName)/",
                "the recording, one gzip JSON Lines cassette per run"
            ),
        ]
        let next = [
            ("tdf cassette ls \(shown)/cassettes", "what was recorded"),
            ("tdf run --replay \(shown) --out /tmp/tdf-replayed", "replay every run, no service needed"),
            ("tdf demo --seed 7 --out /tmp/tdf-demo-7", "a second recording with another seed,"),
            ("tdf diff \(shown) /tmp/tdf-demo-7", "then what changed, exchange by exchange"),
            ("tdf stack", "the simulator alone, on ports 10001 and 10002"),
            ("tdf help", "every command"),
        ]
        let width = (open + next).map(\.0.count).max() ?? 0
        func line(_ entry: (String, String)) -> String {
            "  " + entry.0 + String(repeating: " ", count: width - entry.0.count + 3) + entry.1
        }
        context.print("")
        context.print("Open:")
        open.map(line).forEach(context.print)
        context.print("")
        // After `swift run tdf demo`, `tdf` is not on the PATH yet: name the binary that ran.
        let executable = CommandLine.arguments.first ?? "tdf"
        context.print(
            executable.hasSuffix("/tdf") ? "Try next (tdf is \(displayPath(executable, context))):" : "Try next:"
        )
        next.map(line).forEach(context.print)
        return failed.isEmpty ? ExitCode.success : ExitCode.failure
    }

    /// `path` relative to the current directory when it lies below it (shorter to read and to paste).
    private static func displayPath(_ path: String, _ context: CommandContext) -> String {
        let base = context.currentDirectory.hasSuffix("/") ? context.currentDirectory : context.currentDirectory + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }
}
