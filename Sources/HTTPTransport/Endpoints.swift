/// The URLs of the services the harness talks to, by role: parsed once, rewritten as a whole (the proxy hands back
/// the same map pointing at its listeners), and never passed around as strings by position.
public struct Endpoints: Sendable, Hashable {
    /// What a URL is for. The raw value is the name the proxy gives the service in front of it.
    public enum Role: String, Sendable, CaseIterable, CustomStringConvertible {
        /// The prompt catalogue (on Maestro's host, unless configured elsewhere).
        case prompts
        /// Maestro's compose stream.
        case maestro
        /// Storpheus' base URL.
        case storpheus
        /// MUSE's API base URL (on Maestro's host, unless configured elsewhere).
        case muse

        /// The role's name, e.g. `storpheus`.
        public var description: String { rawValue }
    }

    /// The prompt catalogue URL.
    public var prompts: HTTPURL
    /// Maestro's compose stream URL.
    public var maestro: HTTPURL
    /// Storpheus' base URL.
    public var storpheus: HTTPURL
    /// MUSE's API base URL.
    public var muse: HTTPURL

    /// Makes the map.
    public init(prompts: HTTPURL, maestro: HTTPURL, storpheus: HTTPURL, muse: HTTPURL) {
        self.prompts = prompts
        self.maestro = maestro
        self.storpheus = storpheus
        self.muse = muse
    }

    /// The URL of one role.
    public subscript(role: Role) -> HTTPURL {
        get {
            switch role {
            case .prompts: prompts
            case .maestro: maestro
            case .storpheus: storpheus
            case .muse: muse
            }
        }
        set {
            switch role {
            case .prompts: prompts = newValue
            case .maestro: maestro = newValue
            case .storpheus: storpheus = newValue
            case .muse: muse = newValue
            }
        }
    }

    /// Every role's URL replaced by `transform(role, url)`.
    public func map(_ transform: (Role, HTTPURL) throws -> HTTPURL) rethrows -> Endpoints {
        var mapped = self
        for role in Role.allCases { mapped[role] = try transform(role, self[role]) }
        return mapped
    }
}

extension HTTPURL {
    /// This URL as a base: `path` appended to its target without doubling the slash (`http://h/api/` and `/x` give
    /// `http://h/api/x`).
    public func appending(path: String) -> HTTPURL {
        var base = target
        while base.hasSuffix("/") { base.removeLast() }
        return with(target: base + path)
    }

    /// The URL as configuration files write it: a bare authority has no trailing slash (`http://storpheus:10002`).
    public var configurationText: String {
        target == "/" ? "http://\(authority)" : description
    }
}
