/// A violation of the HTTP/1.1 or event-stream syntax, or of a size limit, found by a parser.
///
/// Match on `kind`; new kinds may be added without breaking callers. `offset` is the byte offset
/// where the problem was found, counted from the first byte of the message for heads, of the body
/// for `HTTPBodyDecoder`, and of the stream for `SSEParser`.
public struct HTTPWireError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The category of a wire error.
    public struct Kind: Sendable, Equatable, Hashable, CustomStringConvertible {
        private enum Code: String, Sendable {
            case malformedStartLine, unsupportedVersion, startLineTooLong, headerLineTooLong, headersTooLarge
            case tooManyHeaders, malformedHeader, invalidContentLength, conflictingFraming
            case unsupportedTransferEncoding, malformedChunk, chunkLineTooLong, bodyTooLarge, truncatedBody
            case sseEventTooLarge
        }

        private let code: Code

        private init(_ code: Code) {
            self.code = code
        }

        /// The request line or status line does not follow the HTTP/1.1 grammar.
        public static let malformedStartLine = Kind(.malformedStartLine)
        /// The version is well-formed but not HTTP/1.0 or HTTP/1.1.
        public static let unsupportedVersion = Kind(.unsupportedVersion)
        /// The start line is longer than `maxStartLineBytes`.
        public static let startLineTooLong = Kind(.startLineTooLong)
        /// One field line is longer than `maxHeaderLineBytes`.
        public static let headerLineTooLong = Kind(.headerLineTooLong)
        /// The field lines together are larger than `maxHeaderBytes`.
        public static let headersTooLarge = Kind(.headersTooLarge)
        /// There are more field lines than `maxHeaderCount`.
        public static let tooManyHeaders = Kind(.tooManyHeaders)
        /// A field line is not `name: value` with a token name and a valid value, is folded, or ends in a
        /// bare LF.
        public static let malformedHeader = Kind(.malformedHeader)
        /// A `Content-Length` is not a decimal number, or its values disagree.
        public static let invalidContentLength = Kind(.invalidContentLength)
        /// A request has both `Transfer-Encoding` and `Content-Length`.
        public static let conflictingFraming = Kind(.conflictingFraming)
        /// A request's `Transfer-Encoding` does not end in `chunked`.
        public static let unsupportedTransferEncoding = Kind(.unsupportedTransferEncoding)
        /// A chunk size line or the CRLF after chunk data is wrong (a bare LF included).
        public static let malformedChunk = Kind(.malformedChunk)
        /// A chunk size line is longer than `maxChunkLineBytes`.
        public static let chunkLineTooLong = Kind(.chunkLineTooLong)
        /// The decoded body would exceed `maxBodyBytes`.
        public static let bodyTooLarge = Kind(.bodyTooLarge)
        /// The input ended before the body did.
        public static let truncatedBody = Kind(.truncatedBody)
        /// One server-sent event is larger than the parser's `maxEventBytes`.
        public static let sseEventTooLarge = Kind(.sseEventTooLarge)

        /// The kind's name, e.g. `malformedHeader`.
        public var description: String { code.rawValue }

        /// What a person reads for this kind, as the start of an error message.
        var summary: String {
            switch code {
            case .malformedStartLine: "malformed start line"
            case .unsupportedVersion: "unsupported HTTP version"
            case .startLineTooLong: "start line too long"
            case .headerLineTooLong: "header line too long"
            case .headersTooLarge: "header section too large"
            case .tooManyHeaders: "too many header fields"
            case .malformedHeader: "malformed header field"
            case .invalidContentLength: "invalid Content-Length"
            case .conflictingFraming: "conflicting message framing"
            case .unsupportedTransferEncoding: "unsupported Transfer-Encoding"
            case .malformedChunk: "malformed chunked body"
            case .chunkLineTooLong: "chunk size line too long"
            case .bodyTooLarge: "body too large"
            case .truncatedBody: "truncated body"
            case .sseEventTooLarge: "server-sent event too large"
            }
        }

        /// The status a server answers a request with when its parse fails this way.
        var suggestedStatus: Int {
            switch code {
            case .unsupportedVersion: 505
            case .startLineTooLong: 414
            case .headerLineTooLong, .headersTooLarge, .tooManyHeaders: 431
            case .bodyTooLarge: 413
            case .unsupportedTransferEncoding: 501
            case .malformedStartLine, .malformedHeader, .invalidContentLength, .conflictingFraming,
                .malformedChunk, .chunkLineTooLong, .truncatedBody, .sseEventTooLarge:
                400
            }
        }
    }

    /// The category of the error.
    public let kind: Kind
    /// The byte offset where it went wrong, when known (see the type's summary for the origin).
    public let offset: Int?
    /// What was found and what was expected, for people.
    public let detail: String

    /// Creates an error; parsers in this module are the usual source, but a transport may make its own.
    public init(_ kind: Kind, at offset: Int?, _ detail: String) {
        self.kind = kind
        self.offset = offset
        self.detail = detail
    }

    /// The status a server should answer when a request fails to parse this way: 400 in general,
    /// 431 for header limits, 413 for `bodyTooLarge`, 414 for `startLineTooLong`, 501 for
    /// `unsupportedTransferEncoding`, 505 for `unsupportedVersion`.
    public var suggestedStatus: Int { kind.suggestedStatus }

    /// One line: what was wrong, where, and what was expected.
    public var description: String {
        if let offset {
            return "\(kind.summary) at byte \(offset): \(detail)"
        }
        return "\(kind.summary): \(detail)"
    }
}
