import Cassettes
import HTTPWire

/// Builds the recorded form of a response body from the pieces that were forwarded, with their arrival times.
///
/// A `text/event-stream` body is parsed as it goes (a copy: the client already got the raw bytes) into events;
/// if re-encoding those events would not give back the exact bytes (other framing than `data: …\n\n`, a stream
/// cut mid-event), the exact bytes are kept as chunks beside them. A body the upstream framed with
/// `Content-Length` is kept whole; any other streamed body as chunks.
struct BodyCapture {
    enum Shape {
        case whole
        case chunks
        case events
    }

    private let shape: Shape
    private var whole: [UInt8] = []
    private var chunks: [StreamChunk] = []
    private var events: [StreamEvent] = []
    private var parser: SSEParser?
    /// Bytes captured so far.
    private(set) var byteCount = 0

    /// `expectedBytes` (a declared `Content-Length`) sizes the buffer of a whole body once, so a large body is
    /// not copied again each time the buffer grows; it is capped, since the header comes from the network.
    init(shape: Shape, expectedBytes: Int? = nil) {
        self.shape = shape
        if shape == .events { parser = SSEParser() }
        if shape == .whole, let expectedBytes, expectedBytes > 0 {
            whole.reserveCapacity(min(expectedBytes, Self.largestReservation))
        }
    }

    /// A declared length is reserved up to this: above it the buffer grows as the bytes come, so a length that
    /// is declared but never sent costs no more.
    private static let largestReservation = 8 << 20

    /// The shape for a response head: events for `text/event-stream`, whole for a `Content-Length` body, else chunks.
    static func shape(for head: HTTPResponseHead) -> Shape {
        let contentType = head.headers["Content-Type"]?.lowercased() ?? ""
        if contentType.hasPrefix("text/event-stream") { return .events }
        if head.headers.contains("Transfer-Encoding") { return .chunks }
        return head.headers.contains("Content-Length") ? .whole : .chunks
    }

    mutating func add(_ bytes: [UInt8], atMilliseconds at: Double) {
        byteCount += bytes.count
        switch shape {
        case .whole:
            // A body that arrives in one piece is kept as that piece: the array is shared, not copied.
            if whole.isEmpty && whole.capacity == 0 { whole = bytes } else { whole.append(contentsOf: bytes) }
        case .chunks:
            chunks.append(StreamChunk(atMilliseconds: at, bytes: bytes))
        case .events:
            chunks.append(StreamChunk(atMilliseconds: at, bytes: bytes))
            guard var running = parser else { return }
            do {
                for frame in try running.feed(bytes[...]) {
                    events.append(StreamEvent(atMilliseconds: at, frame: frame))
                }
                parser = running
            } catch {
                parser = nil  // an event beyond the parser's limit: keep the bytes as plain chunks
            }
        }
    }

    /// The recorded content.
    func content() -> ResponseContent {
        switch shape {
        case .whole:
            return .body(whole)
        case .chunks:
            return .chunks(chunks)
        case .events:
            guard parser != nil else { return .chunks(chunks) }
            var encoded: [UInt8] = []
            encoded.reserveCapacity(byteCount)
            for event in events { encoded.append(contentsOf: SSEEncoder.encode(event.frame)) }
            if encoded.count == byteCount && encoded == chunks.flatMap(\.bytes) {
                return .events(events, exact: nil)
            }
            return .events(events, exact: chunks)
        }
    }
}
