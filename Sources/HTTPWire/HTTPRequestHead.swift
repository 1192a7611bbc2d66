/// The start line and header fields of an HTTP/1 request.
public struct HTTPRequestHead: Sendable, Equatable, Hashable {
    /// The request method, case-sensitive (`GET`, `POST`, …).
    public var method: String
    /// The request target as sent: usually origin-form, a path with an optional query.
    public var target: String
    /// The protocol version.
    public var version: HTTPVersion
    /// The header fields in order.
    public var headers: HTTPHeaders

    /// Creates a request head.
    public init(
        method: String,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders()
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// The head with an absolute-form target (`http://host:port/path?q`, as a client sends through an HTTP proxy)
    /// turned into origin-form (`/path?q`) and `Host` set to the target's authority, as RFC 9112 §3.2.2 has a server
    /// treat it: "MUST ignore the received Host header field … and instead use the host information of the
    /// request-target". Any other target (origin-form, `*`, a `CONNECT` authority) is returned as it is.
    public func originForm() -> HTTPRequestHead {
        let lowered = target.prefix(8).lowercased()
        let schemeLength = lowered.hasPrefix("http://") ? 7 : (lowered.hasPrefix("https://") ? 8 : 0)
        guard schemeLength > 0 else { return self }
        let rest = target.dropFirst(schemeLength)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd].split(separator: "@").last.map(String.init) ?? ""
        guard !authority.isEmpty else { return self }
        let pathAndQuery = rest[authorityEnd...].prefix { $0 != "#" }
        var head = self
        head.target = pathAndQuery.hasPrefix("/") ? String(pathAndQuery) : "/" + pathAndQuery
        head.headers.set(name: "Host", value: authority)
        return head
    }

    /// The target up to (not including) the first `?`: the whole target when there is no query.
    public var path: String {
        guard let mark = target.firstIndex(of: "?") else { return target }
        return String(target[..<mark])
    }

    /// The text after the first `?` of the target (possibly empty), or nil when there is no `?`.
    public var query: String? {
        guard let mark = target.firstIndex(of: "?") else { return nil }
        return String(target[target.index(after: mark)...])
    }

    /// Whether the connection stays open after this exchange, judged from the version and the
    /// `Connection` tokens: HTTP/1.1 unless `close`, HTTP/1.0 only with `keep-alive`.
    public var keepAlive: Bool {
        HTTPVersion.isPersistent(version: version, headers: headers)
    }

    /// Whether the client waits for `100 Continue` before sending its body (`Expect: 100-continue`
    /// on an HTTP/1.1 request; RFC 9110 §10.1.1 says to ignore it on HTTP/1.0).
    public var expectsContinue: Bool {
        guard version == .http1_1 else { return false }
        return headers.values(named: "Expect").contains { value in
            ASCII.equalsIgnoringCase(String(Substring(value).trimmingOWS()), "100-continue")
        }
    }

    /// The head as wire bytes: `METHOD target HTTP/1.1\r\n`, one `Name: value\r\n` per field, then
    /// `\r\n`. CR, LF and NUL inside any part are written as spaces so they cannot split the message.
    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + headers.count * 32)
        HTTPHeaders.appendSafely(method, to: &bytes)
        bytes.append(ASCII.space)
        HTTPHeaders.appendSafely(target, to: &bytes)
        bytes.append(ASCII.space)
        bytes.append(contentsOf: version.description.utf8)
        bytes.append(ASCII.cr)
        bytes.append(ASCII.lf)
        headers.serialize(into: &bytes)
        bytes.append(ASCII.cr)
        bytes.append(ASCII.lf)
        return bytes
    }
}

extension HTTPVersion {
    /// The persistence rule of RFC 9112 §9.3 shared by requests and responses.
    static func isPersistent(version: HTTPVersion, headers: HTTPHeaders) -> Bool {
        if headers.containsToken("close", inList: "Connection") {
            return false
        }
        if version == .http1_0 {
            return headers.containsToken("keep-alive", inList: "Connection")
        }
        return version.major == 1 && version.minor >= 1
    }
}
