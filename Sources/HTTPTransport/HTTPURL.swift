/// An absolute `http://` (or, where accepted, `https://`) URL split into what a request needs: scheme, host, port and
/// target (path plus query).
public struct HTTPURL: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// How the connection is made: plain TCP (``HTTPClient``) or TLS (the proxy's URLSession client).
    public enum Scheme: String, Sendable, Hashable {
        /// Plain HTTP/1.1 over TCP; port 80 by default.
        case http
        /// HTTP over TLS; port 443 by default.
        case https

        /// The port a URL of this scheme means when it names none.
        public var defaultPort: Int { self == .http ? 80 : 443 }
    }

    /// The scheme.
    public var scheme: Scheme
    /// The host name or numeric address (IPv6 without brackets).
    public var host: String
    /// The port (the scheme's default when the URL names none).
    public var port: Int
    /// The path and query, starting with `/`.
    public var target: String

    /// Makes a URL from its parts.
    public init(scheme: Scheme = .http, host: String, port: Int, target: String = "/") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.target = target.hasPrefix("/") ? target : "/" + target
    }

    /// Parses `http://host[:port][/path][?query]`; nil for anything else, `https://` included: only the recording
    /// proxy's upstreams may be HTTPS (``init(string:accepting:)``).
    public init?(string: String) {
        self.init(string: string, accepting: [.http])
    }

    /// Parses `SCHEME://host[:port][/path][?query]` for one of `schemes`; nil for anything else.
    public init?(string: String, accepting schemes: Set<Scheme>) {
        guard let colon = string.firstIndex(of: ":"), string[colon...].hasPrefix("://"),
            let scheme = Scheme(rawValue: string[..<colon].lowercased()), schemes.contains(scheme)
        else { return nil }
        let rest = string[colon...].dropFirst(3)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if let fragment = target.firstIndex(of: "#") { target = String(target[..<fragment]) }
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        let host: Substring
        var port = scheme.defaultPort
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
        self.scheme = scheme
        self.host = String(host)
        self.port = port
        self.target = target
    }

    /// The value of the `Host` header: the host, with the port unless it is the scheme's default.
    public var authority: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == scheme.defaultPort ? bracketed : "\(bracketed):\(port)"
    }

    /// The same scheme, host and port with another target.
    public func with(target: String) -> HTTPURL {
        HTTPURL(scheme: scheme, host: host, port: port, target: target)
    }

    /// The URL as text, `http://host:port/target`.
    public var description: String { "\(scheme.rawValue)://\(authority)\(target)" }
}
