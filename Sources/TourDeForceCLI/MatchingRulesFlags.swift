import CommandLineKit
import Foundation
import TourDeForce

extension CommandLineTool {
    /// `--rules FILE` and `--ignore-body-path PATH`: the matching rules of `tdf proxy`, `tdf replay` and
    /// `tdf run --replay` (Docs/matching.md).
    static let matchingRulesOptions: [OptionSpec] = [
        .option(
            "--rules",
            value: "FILE",
            help: "Matching rules for replay: what to leave out of comparing requests (Docs/matching.md)."
        ),
        .option(
            "--ignore-body-path",
            value: "PATH",
            help: "A JSON path replay leaves out of every request body, e.g. $.variation_id or $..timestamp.",
            repeatable: true
        ),
    ]

    /// The rules of `--rules FILE`, then one for every request leaving out the `--ignore-body-path` paths.
    static func matchingRules(
        _ arguments: ParsedArguments,
        context: CommandContext
    ) throws(UsageError) -> MatchingRules {
        var rules = MatchingRules()
        if let file = arguments.value("--rules") {
            guard let contents = FileManager.default.contents(atPath: context.absolute(file)) else {
                throw UsageError("--rules \(file) cannot be read")
            }
            do {
                rules = try MatchingRules(document: Array(contents))
            } catch {
                throw UsageError(FlagMessages.message(error, rulesFile: file))
            }
        }
        let texts = arguments.values("--ignore-body-path")
        guard !texts.isEmpty else { return rules }
        var paths: [JSONPath] = []
        for text in texts {
            guard let path = JSONPath(text) else {
                throw UsageError(
                    "--ignore-body-path '\(text)' is not a JSON path; write e.g. $.variation_id, $..timestamp or $.items[*].id"
                )
            }
            paths.append(path)
        }
        rules.rules.append(MatchingRules.Rule(ignoredBodyPaths: paths))
        return rules
    }
}
