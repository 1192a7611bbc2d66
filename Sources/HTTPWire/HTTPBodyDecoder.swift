/// What one call of `HTTPBodyDecoder` produced.
public struct HTTPBodyDecodeStep: Sendable, Equatable, Hashable {
    /// Body bytes decoded from this call's input (chunk framing removed).
    public var payload: [UInt8]
    /// How many bytes of the input belonged to the body; the rest is the next message.
    public var consumed: Int
    /// Whether the body has ended.
    public var isComplete: Bool
    /// The trailer fields of a chunked body, set on the step that completes it; empty otherwise.
    public var trailers: HTTPHeaders

    /// Creates a step.
    public init(payload: [UInt8], consumed: Int, isComplete: Bool, trailers: HTTPHeaders = HTTPHeaders()) {
        self.payload = payload
        self.consumed = consumed
        self.isComplete = isComplete
        self.trailers = trailers
    }
}

/// An incremental decoder of one message body under a given `BodyFraming`.
///
/// It consumes input up to the end of the body and never past it, so bytes after a body (a pipelined
/// request, the next response) stay with the caller. `limits.maxBodyBytes` bounds the decoded body;
/// chunk size lines and trailers are bounded by `maxChunkLineBytes` and the header limits, and end in
/// CRLF, as does chunk data (a bare LF is `malformedChunk` or `malformedHeader`). Error
/// offsets count from the first byte of the body as framed on the wire. After it throws, the decoder
/// must not be fed again.
public struct HTTPBodyDecoder: Sendable {
    private enum State: Sendable {
        case done
        case fixed(remaining: Int)
        case untilClose
        /// Reading a chunk size line.
        case chunkSize
        /// Reading chunk data.
        case chunkData(remaining: Int)
        /// Expecting the CRLF after chunk data; `sawCR` when its CR has arrived.
        case chunkDataEnd(sawCR: Bool)
        /// Reading the trailer section after the last chunk.
        case trailers
    }

    private let limits: HTTPParserLimits
    private var state: State
    /// Decoded body bytes so far.
    private var decoded = 0
    /// Body bytes consumed so far (the framed size).
    private var position = 0
    /// Where the current chunk size line starts.
    private var lineStart = 0
    private var lineReader = LineReader()
    private var trailerReader = FieldSectionReader(startingAt: 0, noun: "trailer")

    /// Creates a decoder for a body with the given framing.
    public init(framing: BodyFraming, limits: HTTPParserLimits = .standard) {
        self.limits = limits
        switch framing {
        case .empty: state = .done
        case .contentLength(let length): state = length > 0 ? .fixed(remaining: length) : .done
        case .chunked: state = .chunkSize
        case .untilClose: state = .untilClose
        }
    }

    /// Whether the body has ended.
    public var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Decodes the next bytes; consumes up to the end of the body, never past it.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) throws(HTTPWireError) -> HTTPBodyDecodeStep {
        var payload: [UInt8] = []
        var trailers = HTTPHeaders()
        var index = bytes.startIndex
        // The body offset of input index `i` is `base + i`.
        let base = position - bytes.startIndex
        loop: while index < bytes.endIndex {
            switch state {
            case .done:
                break loop
            case .fixed(let remaining):
                let take = min(remaining, bytes.endIndex - index)
                try deliver(bytes[index..<(index + take)], at: base + index, into: &payload)
                index += take
                state = take == remaining ? .done : .fixed(remaining: remaining - take)
            case .untilClose:
                try deliver(bytes[index...], at: base + index, into: &payload)
                index = bytes.endIndex
            case .chunkData(let remaining):
                let take = min(remaining, bytes.endIndex - index)
                try deliver(bytes[index..<(index + take)], at: base + index, into: &payload)
                index += take
                state = take == remaining ? .chunkDataEnd(sawCR: false) : .chunkData(remaining: remaining - take)
            case .chunkDataEnd(let sawCR):
                let byte = bytes[index]
                if byte == ASCII.cr && !sawCR {
                    state = .chunkDataEnd(sawCR: true)
                } else if byte == ASCII.lf && sawCR {
                    state = .chunkSize
                    lineStart = base + index + 1
                } else {
                    throw HTTPWireError(
                        .malformedChunk,
                        at: base + index,
                        "expected CRLF after the chunk data, found \(ASCII.describe(byte))"
                    )
                }
                index += 1
            case .chunkSize:
                let (consumed, outcome) = lineReader.read(bytes[index...], limit: limits.maxChunkLineBytes)
                index += consumed
                switch outcome {
                case .needMore:
                    break
                case .tooLong:
                    throw HTTPWireError(
                        .chunkLineTooLong,
                        at: lineStart + limits.maxChunkLineBytes,
                        "a chunk size line may have at most \(limits.maxChunkLineBytes) bytes"
                    )
                case .bareLineFeed:
                    throw HTTPWireError(
                        .malformedChunk,
                        at: base + index - 1,
                        "a bare LF ends a chunk size line; it must end in CRLF"
                    )
                case .line(let line):
                    let size = try chunkSize(line, at: lineStart)
                    lineStart = base + index
                    if size == 0 {
                        state = .trailers
                        trailerReader = FieldSectionReader(startingAt: lineStart, noun: "trailer")
                    } else {
                        state = .chunkData(remaining: size)
                    }
                }
            case .trailers:
                let (consumed, isComplete) = try trailerReader.feed(bytes[index...], limits: limits)
                index += consumed
                if isComplete {
                    trailers = HTTPHeaders(fields: trailerReader.fields)
                    state = .done
                }
            }
        }
        let consumed = index - bytes.startIndex
        position += consumed
        return HTTPBodyDecodeStep(payload: payload, consumed: consumed, isComplete: isComplete, trailers: trailers)
    }

    /// Tells the decoder the peer closed the connection: completes an `untilClose` body, returns the
    /// completed step for a body that already ended, and throws `truncatedBody` otherwise.
    public mutating func finishAtEndOfInput() throws(HTTPWireError) -> HTTPBodyDecodeStep {
        switch state {
        case .done:
            break
        case .untilClose:
            state = .done
        case .fixed(let remaining):
            throw HTTPWireError(
                .truncatedBody,
                at: position,
                "the input ended \(remaining) bytes before the end of the Content-Length body"
            )
        case .chunkSize, .chunkData, .chunkDataEnd, .trailers:
            throw HTTPWireError(
                .truncatedBody,
                at: position,
                "the input ended inside a chunked body, before its last chunk and final CRLF"
            )
        }
        return HTTPBodyDecodeStep(payload: [], consumed: 0, isComplete: true)
    }

    /// Appends body bytes that start at body offset `offset` to `payload`, first checking that the
    /// body stays within `maxBodyBytes`.
    private mutating func deliver(
        _ bytes: ArraySlice<UInt8>,
        at offset: Int,
        into payload: inout [UInt8]
    ) throws(HTTPWireError) {
        let allowed = limits.maxBodyBytes - decoded
        if bytes.count > allowed {
            throw HTTPWireError(
                .bodyTooLarge,
                at: offset + allowed,
                "the body may have at most \(limits.maxBodyBytes) bytes"
            )
        }
        decoded += bytes.count
        payload.append(contentsOf: bytes)
    }

    /// Parses `1*HEXDIG [ chunk-ext ]` (RFC 9112 §7.1.1); extensions are checked for stray bytes and ignored.
    private func chunkSize(_ line: ArraySlice<UInt8>, at offset: Int) throws(HTTPWireError) -> Int {
        func lineOffset(_ index: Int) -> Int { offset + (index - line.startIndex) }
        var size = 0
        var index = line.startIndex
        while index < line.endIndex, let digit = ASCII.hexValue(line[index]) {
            let (times16, overflow1) = size.multipliedReportingOverflow(by: 16)
            let (sum, overflow2) = times16.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else {
                throw HTTPWireError(.malformedChunk, at: lineOffset(index), "the chunk size overflows")
            }
            size = sum
            index += 1
        }
        guard index > line.startIndex else {
            let found = index < line.endIndex ? ASCII.describe(line[index]) : "the end of the line"
            throw HTTPWireError(.malformedChunk, at: offset, "expected a hexadecimal chunk size, found \(found)")
        }
        while index < line.endIndex && ASCII.isWhitespace(line[index]) {
            index += 1
        }
        if index < line.endIndex {
            guard line[index] == ASCII.semicolon else {
                throw HTTPWireError(
                    .malformedChunk,
                    at: lineOffset(index),
                    "expected ';' or the end of the chunk size line, found \(ASCII.describe(line[index]))"
                )
            }
            if let bad = line[index...].firstIndex(where: { !ASCII.isFieldValueByte($0) }) {
                throw HTTPWireError(
                    .malformedChunk,
                    at: lineOffset(bad),
                    "invalid byte \(ASCII.describe(line[bad])) in a chunk extension"
                )
            }
        }
        if size > limits.maxBodyBytes - decoded {
            throw HTTPWireError(
                .bodyTooLarge,
                at: offset,
                "a chunk of \(size) bytes would take the body past \(limits.maxBodyBytes) bytes"
            )
        }
        return size
    }
}
