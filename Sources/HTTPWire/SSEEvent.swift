/// One server-sent event as dispatched by an event stream.
public struct SSEEvent: Sendable, Equatable, Hashable {
    /// The data lines joined with `\n` (without the final line end).
    public var data: String
    /// The `event` field of this event, or nil when it had none (a browser then uses `message`).
    public var event: String?
    /// The `id` field given in this event's block, or nil when the block set none. The stream-wide
    /// last event id, which carries over between events, is `SSEParser.lastEventID`.
    public var id: String?
    /// The `retry` field (milliseconds) given in this event's block, or nil.
    public var retry: Int?

    /// Creates an event.
    public init(data: String, event: String? = nil, id: String? = nil, retry: Int? = nil) {
        self.data = data
        self.event = event
        self.id = id
        self.retry = retry
    }
}

/// One unit of an event stream, in stream order: an event or a comment line.
public enum SSEFrame: Sendable, Equatable, Hashable {
    /// A dispatched event.
    case event(SSEEvent)
    /// A comment line (`: heartbeat`): its text without the leading `:` and one optional space.
    case comment(String)
}
