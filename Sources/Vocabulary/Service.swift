/// A service that traffic is recorded for, by name: the three of the Stori stack, or any other a user names with
/// `--service NAME=...`. The name becomes part of file names and of the `service` field of every recorded exchange,
/// so it is limited to 1 to 64 of `[A-Za-z0-9_-]`.
public struct Service: Hashable, Sendable, RawRepresentable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The name, e.g. `maestro`.
    public let rawValue: String

    /// The service named `rawValue`, or nil when the name is not 1 to 64 of `[A-Za-z0-9_-]`.
    public init?(rawValue: String) {
        guard Self.problem(withName: rawValue) == nil else { return nil }
        self.rawValue = rawValue
    }

    /// A name known to be valid.
    private init(known name: String) {
        rawValue = name
    }

    /// A service named in code, e.g. `"api"`. A literal is written by a programmer, so one that is not a valid name
    /// is a bug and stops the program; names from outside go through ``init(rawValue:)``.
    public init(stringLiteral name: String) {
        precondition(Self.problem(withName: name) == nil, Self.problem(withName: name) ?? "")
        rawValue = name
    }

    /// Maestro: prompts and the compose stream.
    public static let maestro = Service(known: "maestro")
    /// Storpheus: music generation jobs and their artifacts.
    public static let storpheus = Service(known: "storpheus")
    /// MUSE: the commit graph of a project's variations, their merges and checkouts.
    public static let muse = Service(known: "muse")
    /// The prompt catalogue, when the harness is pointed at one apart from Maestro's host.
    public static let prompts = Service(known: "prompts")

    /// What is wrong with `name` as a service name, in one line for a person, or nil when nothing is.
    public static func problem(withName name: String) -> String? {
        if name.isEmpty || name.utf8.count > 64 { return "the service name must have 1 to 64 characters" }
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        return allowed ? nil : "the service name '\(name)' may hold only letters, digits, '_' and '-'"
    }

    /// The name.
    public var description: String { rawValue }
}
