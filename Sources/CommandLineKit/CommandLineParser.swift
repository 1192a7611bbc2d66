/// Parses argv against a command tree. Accepts `--name value`, `--name=value`, short flags, `--` to end options.
public enum CommandLineParser {
    /// The outcome of parsing: a command to run, or help to print.
    public enum Outcome {
        /// Run this command with these arguments.
        case run(CommandSpec, ParsedArguments)
        /// Print the help of this command, selected by these words.
        case help(CommandSpec, path: [String])
    }

    /// Parses `arguments` (without the program name) against the tree under `root`.
    public static func parse(_ arguments: [String], root: CommandSpec) throws(UsageError) -> Outcome {
        var command = root
        var path = [root.name]
        var index = 0
        while index < arguments.count, let sub = command.subcommands.first(where: { $0.name == arguments[index] }) {
            command = sub
            path.append(sub.name)
            index += 1
        }
        if index < arguments.count, arguments[index] == "help", command.action == nil {
            var target = command
            var targetPath = path
            for word in arguments[(index + 1)...] {
                guard let sub = target.subcommands.first(where: { $0.name == word }) else {
                    throw UsageError(
                        "'\(word)' is not a subcommand of '\(targetPath.joined(separator: " "))'; "
                            + "see '\(targetPath.joined(separator: " ")) --help'"
                    )
                }
                target = sub
                targetPath.append(word)
            }
            return .help(target, path: targetPath)
        }

        var parsed = ParsedArguments(commandPath: path)
        parsed.words = arguments
        for option in command.options {
            if let value = option.defaultValue { parsed.defaults[option.name] = value }
        }
        var optionsEnded = false
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if optionsEnded || !word.hasPrefix("-") || word == "-" {
                if command.positionals.isEmpty {
                    if !command.subcommands.isEmpty {
                        let names = command.subcommands.map(\.name).joined(separator: ", ")
                        throw UsageError(
                            "unknown subcommand '\(word)' for '\(path.joined(separator: " "))'; "
                                + "choose one of: \(names)"
                        )
                    }
                    throw UsageError("'\(path.joined(separator: " "))' takes no argument '\(word)'")
                }
                parsed.positionals.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            if word == "--help" || word == "-h" {
                return .help(command, path: path)
            }
            var name = word
            var inlineValue: String?
            if let equals = word.firstIndex(of: "="), word.hasPrefix("--") {
                name = String(word[..<equals])
                inlineValue = String(word[word.index(after: equals)...])
            }
            guard let option = command.options.first(where: { $0.name == name || $0.shortName == name }) else {
                throw UsageError(
                    "unknown option '\(name)' for '\(path.joined(separator: " "))'; "
                        + "see '\(path.joined(separator: " ")) --help'"
                )
            }
            if option.isFlag {
                if inlineValue != nil { throw UsageError("\(option.name) is a flag and takes no value") }
                parsed.flags.insert(option.name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else if index < arguments.count {
                value = arguments[index]
                index += 1
            } else {
                throw UsageError("\(option.name) needs a value (\(option.valueName ?? "VALUE"))")
            }
            if let allowed = option.allowedValues, !allowed.contains(value) {
                throw UsageError("\(option.name) must be one of \(allowed.joined(separator: ", ")), not '\(value)'")
            }
            if !option.isRepeatable, parsed.values[option.name] != nil {
                throw UsageError("\(option.name) was given twice")
            }
            parsed.values[option.name, default: []].append(value)
        }

        guard command.action != nil else { return .help(command, path: path) }
        let required = command.positionals.filter { !$0.isOptional }
        if parsed.positionals.count < required.count {
            let missing = required[parsed.positionals.count...].map(\.name).joined(separator: " ")
            throw UsageError(
                "'\(path.joined(separator: " "))' needs \(missing); see '\(path.joined(separator: " ")) --help'"
            )
        }
        if !command.positionals.contains(where: \.isVariadic), parsed.positionals.count > command.positionals.count {
            let extra = parsed.positionals[command.positionals.count]
            throw UsageError("'\(path.joined(separator: " "))' got an unexpected argument '\(extra)'")
        }
        return .run(command, parsed)
    }
}
