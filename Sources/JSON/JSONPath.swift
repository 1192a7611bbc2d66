/// A path to values inside a JSON document, used to name what redaction replaces.
///
/// Syntax (a small subset of JSONPath): an optional leading `$`, then steps. `.name` or `['name']` selects an
/// object member (a bare `name` at the start is the same as `.name`), `[3]` an array element, `[*]` or `.*`
/// any member or element, and `..name` a member named `name` at any depth below. Examples: `access_token`,
/// `$.user.password`, `items[*].secret`, `..token`.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        /// An object member with this name.
        case key(String)
        /// An array element at this position.
        case index(Int)
        /// Any member or element.
        case any
        /// Zero or more levels of anything (the `..` of `..name`).
        case descendants
    }

    /// The steps, from the root.
    public let components: [Component]
    /// The text the path was parsed from.
    public let description: String

    /// Parses a path; nil when the text is not valid path syntax.
    public init?(_ text: String) {
        var components: [Component] = []
        var rest = Substring(text)
        if rest.hasPrefix("$") { rest = rest.dropFirst() }
        if let first = rest.first, first != "." && first != "[" { rest = "." + rest }
        while !rest.isEmpty {
            if rest.hasPrefix("..") {
                components.append(.descendants)
                rest = rest.dropFirst(2)
                guard let name = Self.takeName(&rest) else { return nil }
                components.append(name)
            } else if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                guard let name = Self.takeName(&rest) else { return nil }
                components.append(name)
            } else if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                if inside == "*" {
                    components.append(.any)
                } else if let number = Int(inside), number >= 0 {
                    components.append(.index(number))
                } else if inside.count >= 2, let quote = inside.first, quote == "'" || quote == "\"",
                    inside.last == quote
                {
                    components.append(.key(String(inside.dropFirst().dropLast())))
                } else {
                    return nil
                }
            } else {
                return nil
            }
        }
        guard !components.isEmpty, components.last != .descendants else { return nil }
        self.components = components
        self.description = text
    }

    private static func takeName(_ rest: inout Substring) -> Component? {
        let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
        let name = rest[..<end]
        rest = rest[end...]
        if name.isEmpty { return nil }
        return name == "*" ? .any : .key(String(name))
    }

    /// Whether a concrete location (made of `.key` and `.index` steps) is selected by this path.
    public func matches(_ location: [Component]) -> Bool {
        Self.match(components[...], location[...])
    }

    private static func match(_ pattern: ArraySlice<Component>, _ location: ArraySlice<Component>) -> Bool {
        guard let step = pattern.first else { return location.isEmpty }
        switch step {
        case .descendants:
            var rest = location
            while true {
                if match(pattern.dropFirst(), rest) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        case .any:
            return !location.isEmpty && match(pattern.dropFirst(), location.dropFirst())
        case .key, .index:
            return location.first == step && match(pattern.dropFirst(), location.dropFirst())
        }
    }
}
