public import HTTPWire
public import Vocabulary

/// One recorded request and the response the client got, with timing and any upstream fault (cassette-format.md §3.2).
public struct Exchange: Sendable, Equatable {
    /// The order in which requests arrived within the cassette, from 0.
    public var seq: Int
    /// The request's index within its run (`X-TDF-Ordinal`), or its arrival index for untagged traffic.
    public var ordinal: Int
    /// The named service it went to, e.g. `maestro`.
    public var service: String
    /// When the request arrived at the proxy.
    public var started: Timestamp
    /// The harness step (`X-TDF-Step`), when known.
    public var step: String?
    /// The request as forwarded (tags and hop-by-hop headers removed, secrets redacted).
    public var request: RecordedRequest
    /// The response as the client received it.
    public var response: RecordedResponse
    /// Time to first byte and total time.
    public var timing: Timing
    /// What went wrong upstream, or nil.
    public var fault: Fault?

    /// The largest ordinal a request may ask for: the proxy answers an `X-TDF-Ordinal` above it with a 400. A
    /// session gives an untagged request the next ordinal after the largest so far, so a cassette may hold larger
    /// ones, up to ``CassetteFormat/maximumSeqOrOrdinal``.
    public static let maximumOrdinal = 1_000_000_000

    /// Makes an exchange.
    public init(
        seq: Int,
        ordinal: Int,
        service: String,
        started: Timestamp,
        step: String? = nil,
        request: RecordedRequest,
        response: RecordedResponse,
        timing: Timing,
        fault: Fault? = nil
    ) {
        self.seq = seq
        self.ordinal = ordinal
        self.service = service
        self.started = started
        self.step = step
        self.request = request
        self.response = response
        self.timing = timing
        self.fault = fault
    }
}

/// A request: method, target, headers in order and the body.
public struct RecordedRequest: Sendable, Equatable {
    /// The method, e.g. `POST`.
    public var method: String
    /// The path and query as sent.
    public var target: String
    /// The headers in order.
    public var headers: HTTPHeaders
    /// The body bytes (empty when there was none), decoded when it came compressed (``decodedFrom``).
    public var body: [UInt8]
    /// The `Content-Encoding` the body was decoded from before it was stored (`gzip`, `deflate`), or nil when it is
    /// stored as it came (cassette-format.md §3.2.5).
    public var decodedFrom: String?

    /// Makes a request.
    public init(
        method: String,
        target: String,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        decodedFrom: String? = nil
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.decodedFrom = decodedFrom
    }
}

/// A response: status, reason, headers and its content.
public struct RecordedResponse: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// The reason phrase.
    public var reason: String
    /// The headers in order, as the upstream sent them (framing headers included, for the record).
    public var headers: HTTPHeaders
    /// The body, the SSE events, or the chunks, decoded when the body came compressed (``decodedFrom``).
    public var content: ResponseContent
    /// The `Content-Encoding` the body was decoded from before it was stored (`gzip`, `deflate`), or nil when it is
    /// stored as it came (cassette-format.md §3.2.5). Replay serves a decoded body as identity.
    public var decodedFrom: String?

    /// Makes a response.
    public init(
        status: Int,
        reason: String,
        headers: HTTPHeaders = HTTPHeaders(),
        content: ResponseContent = .body([]),
        decodedFrom: String? = nil
    ) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.content = content
        self.decodedFrom = decodedFrom
    }

    /// The body bytes the client received, in order.
    public var bodyBytes: [UInt8] { content.bytes }
}

/// How a response body was recorded.
public enum ResponseContent: Sendable, Equatable {
    /// A body given whole (the upstream framed it with `Content-Length`).
    case body([UInt8])
    /// A `text/event-stream` body as its frames. When the frames re-encoded by `SSEEncoder` would not give back
    /// the exact bytes (non-canonical framing, a stream cut mid-event), `exact` holds the bytes as chunks.
    case events([StreamEvent], exact: [StreamChunk]?)
    /// Any other streamed body, as the pieces that arrived.
    case chunks([StreamChunk])

    /// The body bytes: the exact chunks when there are any, else the re-encoded events, else the body.
    public var bytes: [UInt8] {
        switch self {
        case .body(let bytes):
            return bytes
        case .events(_, let exact?):
            return exact.flatMap(\.bytes)
        case .events(let events, nil):
            return events.flatMap { SSEEncoder.encode($0.frame) }
        case .chunks(let chunks):
            return chunks.flatMap(\.bytes)
        }
    }

    /// About how many bytes the body's record takes, to size the record's buffer once.
    var byteCountHint: Int {
        switch self {
        case .body(let bytes): bytes.count
        case .events(let events, let exact):
            events.count * 48 + events.reduce(0) { $0 + $1.frame.dataCountHint }
                + (exact?.reduce(0) { $0 + $1.bytes.count + 32 } ?? 0)
        case .chunks(let chunks): chunks.reduce(0) { $0 + $1.bytes.count + 32 }
        }
    }
}

extension SSEFrame {
    fileprivate var dataCountHint: Int {
        switch self {
        case .event(let event): event.data.utf8.count
        case .comment(let text): text.utf8.count
        }
    }
}

/// One SSE frame and when it arrived.
public struct StreamEvent: Sendable, Equatable {
    /// Milliseconds from the request's arrival at the proxy to the arrival of the bytes that completed the frame.
    public var atMilliseconds: Double
    /// The event or comment.
    public var frame: SSEFrame

    /// Makes an event record.
    public init(atMilliseconds: Double, frame: SSEFrame) {
        self.atMilliseconds = atMilliseconds
        self.frame = frame
    }
}

/// A piece of a streamed body and when it arrived.
public struct StreamChunk: Sendable, Equatable {
    /// Milliseconds from the request's arrival at the proxy to the arrival of this piece.
    public var atMilliseconds: Double
    /// The bytes.
    public var bytes: [UInt8]

    /// Makes a chunk record.
    public init(atMilliseconds: Double, bytes: [UInt8]) {
        self.atMilliseconds = atMilliseconds
        self.bytes = bytes
    }
}

/// Time to first byte and total time of an exchange, in milliseconds from the request's arrival.
public struct Timing: Sendable, Equatable {
    /// Until the upstream's response head arrived; nil when none did (refused, timed out, malformed).
    public var ttfbMilliseconds: Double?
    /// Until the exchange ended (body complete, or the fault).
    public var totalMilliseconds: Double

    /// Makes a timing.
    public init(ttfbMilliseconds: Double?, totalMilliseconds: Double) {
        self.ttfbMilliseconds = ttfbMilliseconds
        self.totalMilliseconds = totalMilliseconds
    }
}

/// An upstream failure captured in an exchange, replayed as the same failure.
public struct Fault: Sendable, Equatable {
    /// The class of failure.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        /// Its name on disk.
        public let name: String

        /// Nothing accepted the connection (or the host did not resolve): the client got a 502.
        public static let refused = Kind(name: "refused")
        /// The upstream closed or reset the connection before the response was complete.
        public static let reset = Kind(name: "reset")
        /// The upstream went silent for longer than the proxy's upstream timeout.
        public static let timeout = Kind(name: "timeout")
        /// The upstream sent something that is not HTTP/1.1.
        public static let malformed = Kind(name: "malformed")

        /// The four kinds format version 1 knows.
        public static let all: [Kind] = [.refused, .reset, .timeout, .malformed]

        /// The kind named `name`, or nil.
        public init?(named name: String) {
            guard let known = Self.all.first(where: { $0.name == name }) else { return nil }
            self = known
        }

        private init(name: String) {
            self.name = name
        }

        /// The name.
        public var description: String { name }
    }

    /// The class of failure.
    public var kind: Kind
    /// Response body bytes the client had received when the failure happened (0 before the response head).
    public var afterBytes: Int
    /// What happened, in words.
    public var detail: String

    /// Makes a fault.
    public init(kind: Kind, afterBytes: Int, detail: String) {
        self.kind = kind
        self.afterBytes = afterBytes
        self.detail = detail
    }
}

extension Exchange {
    /// The response header that marks an answer as the proxy's own, naming why (cassette-format.md §3.2.4).
    public static let proxyErrorHeader = "X-TDF-Proxy-Error"
    /// Its value when the proxy shut down before the upstream answered.
    public static let shutdownErrorCode = "proxy_shutting_down"

    /// Whether the proxy answered this request itself because the upstream could not be reached or sent no
    /// response head (cassette-format.md §3.2.4): a `refused` or `timeout` fault before the head, or the `503` of a
    /// proxy that shut down first. Such a recording tells nothing about the upstream, so `record-missing` forwards
    /// the request again; a `reset` or `malformed` answer the upstream did give, and any fault after the head, is
    /// the upstream's real behaviour and is replayed.
    public var isProxyGeneratedFailure: Bool {
        guard let fault, timing.ttfbMilliseconds == nil else { return false }
        switch fault.kind {
        case .refused, .timeout: return true
        case .reset: return response.headers[Self.proxyErrorHeader] == Self.shutdownErrorCode
        default: return false
        }
    }
}
