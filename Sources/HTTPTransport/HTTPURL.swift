/// An absolute `http://` URL split into what a request needs: host, port and target (path plus query).
public struct HTTPURL: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The host name or numeric address (IPv6 without brackets).
    public var host: String
    /// The port (80 when the URL names none).
    public var port: Int
    /// The path and query, starting with `/`.
    public var target: String

    /// Makes a URL from its parts.
    public init(host: String, port: Int, target: String = "/") {
        self.host = host
        self.port = port
        self.target = target.hasPrefix("/") ? target : "/" + target
    }

    /// Parses `http://host[:port][/path][?query]`; nil for anything else (including `https://`, which tdf does not
    /// speak: put it behind a plain-HTTP hop).
    public init?(string: String) {
        guard string.lowercased().hasPrefix("http://") else { return nil }
        let rest = string.dropFirst("http://".count)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if let fragment = target.firstIndex(of: "#") { target = String(target[..<fragment]) }
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        let host: Substring
        var port = 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let parsed = Int(after.dropFirst()) else { return nil }
                port = parsed
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let parsed = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = parsed
        } else {
            host = authority
        }
        guard !host.isEmpty, (1...65535).contains(port),
            !host.contains(where: { $0 == " " || $0 == "/" || $0.asciiValue.map { $0 < 0x21 } ?? false })
        else { return nil }
        self.host = String(host)
        self.port = port
        self.target = target
    }

    /// The value of the `Host` header: the host, with the port unless it is 80.
    public var authority: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? bracketed : "\(bracketed):\(port)"
    }

    /// The same host and port with another target.
    public func with(target: String) -> HTTPURL {
        HTTPURL(host: host, port: port, target: target)
    }

    /// The URL as text, `http://host:port/target`.
    public var description: String { "http://\(authority)\(target)" }
}
