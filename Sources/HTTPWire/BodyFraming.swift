/// How the body of a message is delimited on the wire (RFC 9112 §6.3).
public enum BodyFraming: Sendable, Equatable, Hashable {
    /// There is no body.
    case empty
    /// The body is exactly this many bytes.
    case contentLength(Int)
    /// The body uses the chunked transfer coding.
    case chunked
    /// The body runs until the server closes the connection (responses only).
    case untilClose

    /// The framing of a request body: chunked when `Transfer-Encoding` ends in `chunked`, else the
    /// `Content-Length`, else none.
    ///
    /// Throws `conflictingFraming` when both `Transfer-Encoding` and `Content-Length` are present
    /// (request smuggling defence), `unsupportedTransferEncoding` when the codings do not end in
    /// `chunked`, `malformedHeader` when `chunked` appears more than once or the list is empty, and
    /// `invalidContentLength` for a length that is not decimal digits or whose values differ. A length
    /// beyond `maxBodyBytes` is for the caller to refuse (with 413, before reading the body).
    public static func request(_ head: HTTPRequestHead) throws(HTTPWireError) -> BodyFraming {
        let headers = head.headers
        if headers.contains("Transfer-Encoding") {
            if headers.contains("Content-Length") {
                throw HTTPWireError(
                    .conflictingFraming,
                    at: nil,
                    "a request may not carry both Transfer-Encoding and Content-Length"
                )
            }
            if try endsInChunked(headers) {
                return .chunked
            }
            let codings = headers.values(named: "Transfer-Encoding").joined(separator: ", ")
            throw HTTPWireError(
                .unsupportedTransferEncoding,
                at: nil,
                "Transfer-Encoding '\(codings)' does not end in chunked, so the request body has no length"
            )
        }
        if let length = try contentLength(headers) {
            return .contentLength(length)
        }
        return .empty
    }

    /// The framing of a response body to a request with method `requestMethod`: none for `HEAD`,
    /// `1xx`, `204` and `304`; chunked when `Transfer-Encoding` ends in `chunked` (it overrides any
    /// `Content-Length`, RFC 9112 §6.3); else the `Content-Length`; else until the server closes.
    public static func response(
        _ head: HTTPResponseHead,
        requestMethod: String
    ) throws(HTTPWireError) -> BodyFraming {
        if requestMethod == "HEAD" || (100..<200).contains(head.status) || head.status == 204 || head.status == 304 {
            return .empty
        }
        let headers = head.headers
        if headers.contains("Transfer-Encoding") {
            return try endsInChunked(headers) ? .chunked : .untilClose
        }
        if let length = try contentLength(headers) {
            return .contentLength(length)
        }
        return .untilClose
    }

    /// Whether the transfer codings end in `chunked`; throws when `chunked` is applied twice or no
    /// coding is named.
    private static func endsInChunked(_ headers: HTTPHeaders) throws(HTTPWireError) -> Bool {
        let codings = ASCII.listElements(headers.values(named: "Transfer-Encoding"))
        guard let last = codings.last else {
            throw HTTPWireError(.malformedHeader, at: nil, "Transfer-Encoding names no transfer coding")
        }
        let chunkedCount = codings.count(where: { ASCII.equalsIgnoringCase(String($0), "chunked") })
        if chunkedCount > 1 {
            throw HTTPWireError(.malformedHeader, at: nil, "Transfer-Encoding applies chunked more than once")
        }
        return ASCII.equalsIgnoringCase(String(last), "chunked")
    }

    /// The `Content-Length`, nil when absent; every value (repeated fields or a list) must be the
    /// same run of decimal digits.
    private static func contentLength(_ headers: HTTPHeaders) throws(HTTPWireError) -> Int? {
        let values = headers.values(named: "Content-Length")
        guard !values.isEmpty else { return nil }
        let elements = values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingOWS() }
        var length: Int?
        for element in elements {
            guard let parsed = parseDecimal(element.utf8) else {
                throw HTTPWireError(
                    .invalidContentLength,
                    at: nil,
                    "Content-Length '\(element)' is not a non-negative decimal number"
                )
            }
            if let length, length != parsed {
                throw HTTPWireError(
                    .invalidContentLength,
                    at: nil,
                    "Content-Length has differing values \(length) and \(parsed)"
                )
            }
            length = parsed
        }
        return length
    }

    /// A non-empty run of ASCII digits as an `Int`, or nil (also on overflow).
    static func parseDecimal(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard ASCII.isDigit(byte) else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }
}
