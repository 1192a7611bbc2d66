/// Renders `--help` text for a command of the tree.
public enum HelpFormatter {
    /// The whole help of `command`, selected by the words `path` (program name first): overview, usage, options,
    /// subcommands, examples.
    public static func help(for command: CommandSpec, path: [String]) -> String {
        var lines: [String] = []
        lines.append("OVERVIEW: \(command.abstract)")
        if !command.discussion.isEmpty {
            lines.append("")
            lines.append(
                contentsOf: command.discussion.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            )
        }
        lines.append("")
        lines.append("USAGE: \(usage(for: command, path: path))")
        if !command.positionals.isEmpty {
            lines.append("")
            lines.append("ARGUMENTS:")
            for positional in command.positionals {
                lines.append(
                    row(positional.isVariadic ? "<\(positional.name)> ..." : "<\(positional.name)>", positional.help)
                )
            }
        }
        lines.append("")
        lines.append("OPTIONS:")
        for option in command.options {
            var names = option.shortName.map { "\($0), \(option.name)" } ?? option.name
            if let value = option.valueName { names += " <\(value)>" }
            var help = option.help
            if let allowed = option.allowedValues { help += " (\(allowed.joined(separator: "|")))" }
            if let value = option.defaultValue { help += " (default: \(value))" }
            if option.isRepeatable { help += " (repeatable)" }
            lines.append(row(names, help))
        }
        lines.append(row("-h, --help", "Show help information."))
        if !command.subcommands.isEmpty {
            lines.append("")
            lines.append("SUBCOMMANDS:")
            for sub in command.subcommands {
                lines.append(row(sub.name, sub.abstract))
            }
            lines.append("")
            lines.append("  See '\(path.joined(separator: " ")) help <subcommand>' for detailed help.")
        }
        if !command.examples.isEmpty {
            lines.append("")
            lines.append("EXAMPLES:")
            lines.append(contentsOf: command.examples.map { "  \($0)" })
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The one-line `USAGE:` synopsis of `command`.
    public static func usage(for command: CommandSpec, path: [String]) -> String {
        var parts = [path.joined(separator: " ")]
        if !command.subcommands.isEmpty && command.action == nil {
            parts.append("<subcommand>")
        }
        if !command.options.isEmpty { parts.append("[<options>]") }
        for positional in command.positionals {
            var text = "<\(positional.name)>"
            if positional.isVariadic { text += " ..." }
            parts.append(positional.isOptional ? "[\(text)]" : text)
        }
        return parts.joined(separator: " ")
    }

    private static func row(_ left: String, _ right: String) -> String {
        let padded =
            left.count < 28
            ? left + String(repeating: " ", count: 28 - left.count) : left + "\n" + String(repeating: " ", count: 30)
        return "  \(padded)\(right)"
    }
}
