/// The status line and header fields of an HTTP/1 response.
public struct HTTPResponseHead: Sendable, Equatable, Hashable {
    /// The protocol version.
    public var version: HTTPVersion
    /// The three-digit status code.
    public var status: Int
    /// The reason phrase (may be empty).
    public var reason: String
    /// The header fields in order.
    public var headers: HTTPHeaders

    /// Creates a response head; a nil `reason` takes the standard phrase for `status`.
    public init(
        status: Int,
        reason: String? = nil,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders()
    ) {
        self.version = version
        self.status = status
        self.reason = reason ?? HTTPStatus.reasonPhrase(for: status)
        self.headers = headers
    }

    /// Whether the headers and version allow another exchange on the connection (HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `keep-alive`). A body framed `untilClose` ends the
    /// connection regardless; check `BodyFraming` for that.
    public var keepAlive: Bool {
        HTTPVersion.isPersistent(version: version, headers: headers)
    }

    /// The head as wire bytes: `HTTP/1.1 200 OK\r\n`, one `Name: value\r\n` per field, then `\r\n`.
    /// CR, LF and NUL inside the reason or the fields are written as spaces.
    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + headers.count * 32)
        bytes.append(contentsOf: version.description.utf8)
        bytes.append(ASCII.space)
        bytes.append(contentsOf: Self.threeDigits(status).utf8)
        bytes.append(ASCII.space)
        HTTPHeaders.appendSafely(reason, to: &bytes)
        bytes.append(ASCII.cr)
        bytes.append(ASCII.lf)
        headers.serialize(into: &bytes)
        bytes.append(ASCII.cr)
        bytes.append(ASCII.lf)
        return bytes
    }

    /// The status as at least three digits (a status outside 0...999 is written as is).
    private static func threeDigits(_ status: Int) -> String {
        guard (0..<100).contains(status) else { return String(status) }
        let digits = String(status)
        return String(repeating: "0", count: 3 - digits.count) + digits
    }
}
