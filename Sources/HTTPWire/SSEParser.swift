/// An incremental parser of `text/event-stream` bodies, following the WHATWG event-stream
/// interpretation rules (HTML §9.2.6).
///
/// One leading UTF-8 BOM is skipped; lines end with CRLF, LF or CR (a CR at the end of one feed and
/// an LF at the start of the next are one line end); a blank line dispatches the pending event; a line
/// starting with `:` is a comment, returned at once in stream order; `data`, `event`, `id` and `retry`
/// fields build the event and other fields are ignored. Text is decoded as UTF-8 with replacement
/// characters. Unlike a browser, an event reports the `id` and `retry` of its own block only (see
/// `SSEEvent.id`); the stream-wide values are `lastEventID` and `reconnectionTime`.
///
/// `maxEventBytes` bounds what the parser buffers: the field lines of the event being assembled plus
/// the line being read, without line ends. Error offsets count from the first byte of the stream
/// (the BOM included). After it throws, call `reset()` before feeding it again.
public struct SSEParser: Sendable {
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The most bytes one event (its field lines plus the line being read) may hold.
    public let maxEventBytes: Int
    /// The last `id` field seen in the stream (`""` until one arrives), as a browser keeps it.
    public private(set) var lastEventID = ""
    /// The last valid `retry` field seen in the stream, in milliseconds, or nil.
    public private(set) var reconnectionTime: Int?

    /// How many bytes of a leading BOM have matched so far.
    private var byteOrderMarkMatched = 0
    /// Whether the start of the stream has been checked for a BOM.
    private var byteOrderMarkChecked = false
    /// The current line without its line end.
    private var line: [UInt8] = []
    /// Whether the last line ended with CR, so an LF next is part of that line end.
    private var afterCR = false
    /// The stream offset of the next byte the line machine reads.
    private var position = 0
    /// Bytes of the field lines of the pending event.
    private var blockBytes = 0
    /// Whether the pending event has had any field line.
    private var blockHasFields = false
    private var data: [UInt8] = []
    private var eventType: String?
    private var eventID: String?
    private var retry: Int?

    /// Creates a parser that rejects events of more than `maxEventBytes` bytes.
    public init(maxEventBytes: Int = 16 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Feeds the next bytes of the stream; returns the frames they complete, in order.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) throws(HTTPWireError) -> [SSEFrame] {
        var frames: [SSEFrame] = []
        var index = bytes.startIndex
        while !byteOrderMarkChecked && index < bytes.endIndex {
            if bytes[index] == Self.byteOrderMark[byteOrderMarkMatched] {
                byteOrderMarkMatched += 1
                index += 1
                if byteOrderMarkMatched == Self.byteOrderMark.count {
                    byteOrderMarkChecked = true
                    position += Self.byteOrderMark.count
                }
            } else {
                byteOrderMarkChecked = true
                try read(Self.byteOrderMark[0..<byteOrderMarkMatched], into: &frames)
            }
        }
        if index < bytes.endIndex {
            try read(bytes[index...], into: &frames)
        }
        return frames
    }

    /// Ends the stream: a pending event that no blank line dispatched, or an unfinished line, is
    /// discarded as the specification requires. Returns whether anything was discarded. The parser is
    /// then ready for a new stream (keeping `lastEventID` and `reconnectionTime`).
    public mutating func finish() -> Bool {
        let discarded =
            !line.isEmpty || blockHasFields || (!byteOrderMarkChecked && byteOrderMarkMatched > 0)
        let (lastEventID, reconnectionTime) = (self.lastEventID, self.reconnectionTime)
        self = SSEParser(maxEventBytes: maxEventBytes)
        self.lastEventID = lastEventID
        self.reconnectionTime = reconnectionTime
        return discarded
    }

    /// Forgets everything, including `lastEventID` and `reconnectionTime`.
    public mutating func reset() {
        self = SSEParser(maxEventBytes: maxEventBytes)
    }

    /// Splits `bytes` into lines and interprets each complete one.
    private mutating func read(_ bytes: ArraySlice<UInt8>, into frames: inout [SSEFrame]) throws(HTTPWireError) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if afterCR {
                afterCR = false
                if bytes[index] == ASCII.lf {
                    index += 1
                    position += 1
                    continue
                }
            }
            let stop = bytes[index...].firstIndex { $0 == ASCII.cr || $0 == ASCII.lf } ?? bytes.endIndex
            if stop > index {
                let allowed = maxEventBytes - blockBytes - line.count
                if stop - index > allowed {
                    throw HTTPWireError(
                        .sseEventTooLarge,
                        at: position + allowed,
                        "an event may have at most \(maxEventBytes) bytes of field lines"
                    )
                }
                line.append(contentsOf: bytes[index..<stop])
                position += stop - index
                index = stop
            }
            if index < bytes.endIndex {
                afterCR = bytes[index] == ASCII.cr
                index += 1
                position += 1
                interpretLine(into: &frames)
                line.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Interprets the complete line in `line`.
    private mutating func interpretLine(into frames: inout [SSEFrame]) {
        guard let first = line.first else {
            dispatch(into: &frames)
            return
        }
        if first == ASCII.colon {
            var text = line[1...]
            if text.first == ASCII.space {
                text = text.dropFirst()
            }
            frames.append(.comment(String(decoding: text, as: UTF8.self)))
            return
        }
        blockHasFields = true
        blockBytes += line.count
        let colon = line.firstIndex(of: ASCII.colon)
        let name = line[..<(colon ?? line.endIndex)]
        var value = colon.map { line[($0 + 1)...] } ?? []
        if value.first == ASCII.space {
            value = value.dropFirst()
        }
        if name.elementsEqual("data".utf8) {
            data.append(contentsOf: value)
            data.append(ASCII.lf)
        } else if name.elementsEqual("event".utf8) {
            eventType = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(ASCII.nul) {
                let id = String(decoding: value, as: UTF8.self)
                eventID = id
                lastEventID = id
            }
        } else if name.elementsEqual("retry".utf8) {
            if let milliseconds = BodyFraming.parseDecimal(value) {
                retry = milliseconds
                reconnectionTime = milliseconds
            }
        }
    }

    /// Emits the pending event if it has data, then starts a new one.
    private mutating func dispatch(into frames: inout [SSEFrame]) {
        if !data.isEmpty {
            data.removeLast()
            let text = String(decoding: data, as: UTF8.self)
            frames.append(.event(SSEEvent(data: text, event: eventType, id: eventID, retry: retry)))
        }
        data.removeAll(keepingCapacity: true)
        eventType = nil
        eventID = nil
        retry = nil
        blockBytes = 0
        blockHasFields = false
    }
}
