/// One option a command accepts: a flag (`-v`), or an option with a value (`--runs 10`, `--runs=10`).
public struct OptionSpec: Sendable {
    /// The long name with dashes, e.g. `--runs`; the key under which its value is found.
    public var name: String
    /// A short alias, e.g. `-v`.
    public var shortName: String?
    /// The value's placeholder in help (`N`, `DIR`); nil for a flag, which takes no value.
    public var valueName: String?
    /// One line of help.
    public var help: String
    /// The default shown in help and used when the option is absent.
    public var defaultValue: String?
    /// True when the option may be given several times (`--fault A --fault B`).
    public var isRepeatable: Bool
    /// The only values accepted, if the option is an enumeration.
    public var allowedValues: [String]?

    /// A flag that takes no value.
    public static func flag(_ name: String, short: String? = nil, help: String) -> OptionSpec {
        OptionSpec(
            name: name,
            shortName: short,
            valueName: nil,
            help: help,
            defaultValue: nil,
            isRepeatable: false,
            allowedValues: nil
        )
    }

    /// An option that takes a value.
    public static func option(
        _ name: String,
        value: String,
        help: String,
        default defaultValue: String? = nil,
        repeatable: Bool = false,
        allowed: [String]? = nil
    ) -> OptionSpec {
        OptionSpec(
            name: name,
            shortName: nil,
            valueName: value,
            help: help,
            defaultValue: defaultValue,
            isRepeatable: repeatable,
            allowedValues: allowed
        )
    }

    var isFlag: Bool { valueName == nil }
}

/// A positional argument.
public struct PositionalSpec: Sendable {
    /// Its placeholder in help, e.g. `FILE`.
    public var name: String
    /// One line of help.
    public var help: String
    /// True when one or more values may be given (`FILE...`).
    public var isVariadic: Bool
    /// True when it may be left out.
    public var isOptional: Bool

    /// Makes a positional argument.
    public init(_ name: String, help: String, variadic: Bool = false, optional: Bool = false) {
        self.name = name
        self.help = help
        self.isVariadic = variadic
        self.isOptional = optional
    }
}

/// What a command does when run: it gets the parsed arguments and the process context and returns an exit code.
public typealias CommandAction = @Sendable (ParsedArguments, CommandContext) async throws -> Int32

/// A node of the command tree: a command with options, or a group of subcommands, or both.
public struct CommandSpec: Sendable {
    /// The word that selects it, e.g. `run`.
    public var name: String
    /// One line that says what it does.
    public var abstract: String
    /// More text for `--help`.
    public var discussion: String
    /// Example command lines shown in `--help`.
    public var examples: [String]
    /// Options it accepts (`--help` is implicit).
    public var options: [OptionSpec]
    /// Positional arguments.
    public var positionals: [PositionalSpec]
    /// Subcommands.
    public var subcommands: [CommandSpec]
    /// What it does; nil for a pure group, which prints its help.
    public var action: CommandAction?

    /// Makes a command.
    public init(
        name: String,
        abstract: String,
        discussion: String = "",
        examples: [String] = [],
        options: [OptionSpec] = [],
        positionals: [PositionalSpec] = [],
        subcommands: [CommandSpec] = [],
        action: CommandAction? = nil
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.examples = examples
        self.options = options
        self.positionals = positionals
        self.subcommands = subcommands
        self.action = action
    }
}

/// A command line that is wrong; printed as one line that says what to fix, exit code 2.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public let message: String

    /// Makes a usage error.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// The options and positional arguments given to one command.
public struct ParsedArguments: Sendable {
    /// The command path, e.g. `["tdf", "cassette", "ls"]`.
    public var commandPath: [String]
    /// Every word given after the program name, as typed (what a report shows as the command line).
    public var words: [String] = []
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    /// Positional arguments in order.
    public var positionals: [String] = []
    var defaults: [String: String] = [:]

    /// True when the flag was given.
    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// True when the option was given explicitly (not defaulted).
    public func isSet(_ name: String) -> Bool { values[name] != nil || flags.contains(name) }

    /// The option's last value, or its default.
    public func value(_ name: String) -> String? { values[name]?.last ?? defaults[name] }

    /// Every value of a repeatable option.
    public func values(_ name: String) -> [String] { values[name] ?? [] }

    /// The option's value as an integer within `range`, or a usage error that names the option.
    public func integer(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(
                "\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'"
            )
        }
        return number
    }

    /// The longest duration an option may give: a year (a longer one would overflow `Duration` arithmetic).
    public static let maximumSeconds = 31_536_000.0

    /// The option's value as a number of seconds greater than zero and at most a year, or a usage error.
    public func seconds(_ name: String) throws(UsageError) -> Double? {
        guard let text = value(name) else { return nil }
        guard let number = Double(text), number > 0, number <= Self.maximumSeconds else {
            throw UsageError(
                "\(name) takes a number of seconds greater than 0 and at most 31536000 (a year), not '\(text)'"
            )
        }
        return number
    }

    /// ``seconds(_:)`` as a `Duration` with millisecond precision; one second when the option has no value.
    public func duration(_ name: String) throws(UsageError) -> Duration {
        .milliseconds(Int64((try seconds(name) ?? 1) * 1000))
    }
}
