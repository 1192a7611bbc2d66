/// A run id that is safe to use as a file name: 1 to 128 characters from `[A-Za-z0-9._-]`, not starting with
/// `.` (so never `.`, `..` or a hidden file), and not the reserved `_default`.
public struct RunID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file name of the cassette for traffic without a run id.
    public static let untaggedFileName = "_default.jsonl.gz"
    /// The name that stands for untagged traffic on command lines (`--run _default`).
    public static let untaggedName = "_default"
    /// The longest accepted id.
    public static let maximumLength = 128

    /// The id.
    public let rawValue: String

    /// Validates `text` as a run id.
    public init(validating text: String) throws(CassetteError) {
        if let problem = Self.problem(with: text) {
            throw CassetteError.invalidRunID(text, reason: problem)
        }
        rawValue = text
    }

    /// What makes `text` unusable as a run id, or nil when it is fine.
    public static func problem(with text: String) -> String? {
        if text.isEmpty { return "it is empty" }
        if text.utf8.count > maximumLength { return "it is longer than \(maximumLength) characters" }
        if text == untaggedName { return "'\(untaggedName)' is reserved for untagged traffic" }
        if text.hasPrefix(".") { return "it may not start with '.'" }
        for byte in text.utf8 {
            let allowed =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            if !allowed { return "only letters, digits, '.', '_' and '-' are allowed" }
        }
        return nil
    }

    /// The cassette file name, `<id>.jsonl.gz`.
    public var fileName: String { rawValue + ".jsonl.gz" }

    /// The id.
    public var description: String { rawValue }

    /// Orders ids by their text.
    public static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The cassette file name for a run, or `_default.jsonl.gz` for untagged traffic.
    public static func fileName(for run: RunID?) -> String { run?.fileName ?? untaggedFileName }

    /// The run whose cassette has this file name: `.some(nil)` for `_default.jsonl.gz`, nil when the name is not
    /// a cassette name at all.
    public static func run(forFileName name: String) -> RunID?? {
        if name == untaggedFileName { return .some(nil) }
        guard name.hasSuffix(".jsonl.gz") else { return nil }
        guard let run = try? RunID(validating: String(name.dropLast(".jsonl.gz".count))) else { return nil }
        return .some(run)
    }

    /// Parses a `--run` argument: `_default` selects untagged traffic.
    public static func parseArgument(_ text: String) throws(CassetteError) -> RunID? {
        text == untaggedName ? nil : try RunID(validating: text)
    }
}
