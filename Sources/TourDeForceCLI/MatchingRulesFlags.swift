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
        .option(
            "--ignore-query",
            value: "NAME",
            help: "A query parameter replay leaves out of every request, e.g. ts.",
            repeatable: true
        ),
        .option(
            "--match-header",
            value: "NAME",
            help: "A header whose value replay compares too, e.g. X-Client-Version.",
            repeatable: true
        ),
    ]

    /// The names of the flags that give matching rules.
    static var matchingRulesFlagNames: [String] { matchingRulesOptions.map(\.name) }

    /// The rules of `--rules FILE`, then one for every request made of the `--ignore-body-path`, `--ignore-query` and
    /// `--match-header` flags.
    static func matchingRules(
        _ arguments: ParsedArguments,
        context: CommandContext
    ) throws(UsageError) -> MatchingRules {
        var rules = try rulesFile(arguments, context: context).matching
        var flags = MatchingRules.Rule(query: .ignoring(Set(arguments.values("--ignore-query"))))
        for text in arguments.values("--ignore-body-path") {
            guard let path = JSONPath(text) else {
                throw UsageError(
                    "--ignore-body-path '\(text)' is not a JSON path; write e.g. $.variation_id, $..timestamp or $.items[*].id"
                )
            }
            flags.ignoredBodyPaths.append(path)
        }
        for name in arguments.values("--match-header") {
            guard HTTPField.isValidName(name) else {
                throw UsageError("--match-header '\(name)' is not a header name; write e.g. X-Client-Version")
            }
            flags.matchedHeaders.insert(name.lowercased())
        }
        if flags != MatchingRules.Rule() { rules.rules.append(flags) }
        return rules
    }

    /// The matching and redaction rules of `--rules FILE` (none without the flag).
    static func rulesFile(
        _ arguments: ParsedArguments,
        context: CommandContext
    ) throws(UsageError) -> (matching: MatchingRules, redaction: RedactionRules) {
        guard let file = arguments.value("--rules") else { return (MatchingRules(), RedactionRules()) }
        guard let contents = FileManager.default.contents(atPath: context.absolute(file)) else {
            throw UsageError("--rules \(file) cannot be read")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(Array(contents))
        } catch {
            throw UsageError(FlagMessages.message(.notAJSONObject(detail: error.description), rulesFile: file))
        }
        do throws(MatchingRulesError) {
            return (try MatchingRules(document: document), try RedactionRules(document: document))
        } catch {
            throw UsageError(FlagMessages.message(error, rulesFile: file))
        }
    }
}
