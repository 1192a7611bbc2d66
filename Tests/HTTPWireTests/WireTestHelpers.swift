import HTTPWire

/// A request or response with its decoded body, as a transport would assemble it.
struct Message<Head: Equatable & Sendable>: Equatable, Sendable {
    var head: Head
    var body: [UInt8]
    var trailers = HTTPHeaders()
}

/// What parsing a byte stream gave: the messages, or the error.
enum Parsed<Value: Equatable & Sendable>: Equatable, Sendable {
    case messages([Value])
    case failed(HTTPWireError)

    var error: HTTPWireError? {
        if case .failed(let error) = self { return error }
        return nil
    }

    var values: [Value] {
        if case .messages(let values) = self { return values }
        return []
    }
}

extension HTTPParserLimits {
    /// Limits small enough that short inputs reach every limit check.
    static let tiny = HTTPParserLimits(
        maxStartLineBytes: 24,
        maxHeaderLineBytes: 12,
        maxHeaderBytes: 30,
        maxHeaderCount: 3,
        maxBodyBytes: 9,
        maxChunkLineBytes: 6
    )
}

/// The UTF-8 bytes of a string, for building wire input.
func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// Parses a stream of pipelined requests fed as `pieces`: head parser, then framing, then body
/// decoder, then the next head, exactly as the transport does.
func parseRequests(
    _ pieces: [ArraySlice<UInt8>],
    limits: HTTPParserLimits = .standard
) -> Parsed<Message<HTTPRequestHead>> {
    var parser = HTTPRequestHeadParser(limits: limits)
    return parseMessages(
        pieces,
        limits: limits,
        nextHead: { bytes throws(HTTPWireError) in try parser.feed(bytes) },
        framing: { head throws(HTTPWireError) in try BodyFraming.request(head) }
    )
}

/// Parses a stream of responses to requests with `method`, including `untilClose` bodies ended by
/// the end of the input.
func parseResponses(
    _ pieces: [ArraySlice<UInt8>],
    requestMethod: String = "GET",
    limits: HTTPParserLimits = .standard
) -> Parsed<Message<HTTPResponseHead>> {
    var parser = HTTPResponseHeadParser(limits: limits)
    return parseMessages(
        pieces,
        limits: limits,
        nextHead: { bytes throws(HTTPWireError) in try parser.feed(bytes) },
        framing: { head throws(HTTPWireError) in try BodyFraming.response(head, requestMethod: requestMethod) }
    )
}

/// The loop both directions share: feed heads to `nextHead`, frame each body with `framing`, decode it, and
/// finish a body still open at the end of the input.
private func parseMessages<Head: Equatable & Sendable>(
    _ pieces: [ArraySlice<UInt8>],
    limits: HTTPParserLimits,
    nextHead: (ArraySlice<UInt8>) throws(HTTPWireError) -> (head: Head, consumed: Int)?,
    framing: (Head) throws(HTTPWireError) -> BodyFraming
) -> Parsed<Message<Head>> {
    var decoder: HTTPBodyDecoder?
    var current: Message<Head>?
    var messages: [Message<Head>] = []
    do throws(HTTPWireError) {
        for piece in pieces {
            var rest = piece
            while !rest.isEmpty {
                if var body = decoder, var message = current {
                    let step = try body.feed(rest)
                    rest = rest.dropFirst(step.consumed)
                    message.body += step.payload
                    if step.isComplete {
                        message.trailers = step.trailers
                        messages.append(message)
                        decoder = nil
                        current = nil
                    } else {
                        decoder = body
                        current = message
                        guard step.consumed > 0 else { break }
                    }
                } else {
                    guard let (head, consumed) = try nextHead(rest) else { break }
                    rest = rest.dropFirst(consumed)
                    let body = HTTPBodyDecoder(framing: try framing(head), limits: limits)
                    if body.isComplete {
                        messages.append(Message(head: head, body: []))
                    } else {
                        decoder = body
                        current = Message(head: head, body: [])
                    }
                }
            }
        }
        if var body = decoder, var message = current {
            let step = try body.finishAtEndOfInput()
            message.trailers = step.trailers
            messages.append(message)
        }
    } catch {
        return .failed(error)
    }
    return .messages(messages)
}

/// Decodes one body fed as `pieces`; the result holds the payload, trailers and the unconsumed rest.
struct DecodedBody: Equatable, Sendable {
    var payload: [UInt8] = []
    var trailers = HTTPHeaders()
    var isComplete = false
    var rest: [UInt8] = []
}

func decodeBody(
    _ pieces: [ArraySlice<UInt8>],
    framing: BodyFraming,
    limits: HTTPParserLimits = .standard,
    finish: Bool = false
) -> Result<DecodedBody, HTTPWireError> {
    var decoder = HTTPBodyDecoder(framing: framing, limits: limits)
    var decoded = DecodedBody()
    do throws(HTTPWireError) {
        for piece in pieces {
            let step = try decoder.feed(piece)
            decoded.payload += step.payload
            decoded.rest += piece.dropFirst(step.consumed)
            if step.isComplete {
                decoded.trailers = step.trailers.isEmpty ? decoded.trailers : step.trailers
                decoded.isComplete = true
            }
        }
        if finish {
            _ = try decoder.finishAtEndOfInput()
            decoded.isComplete = true
        }
    } catch {
        return .failure(error)
    }
    return .success(decoded)
}

/// Feeds `pieces` to one SSE parser and calls `finish()` at the end.
struct ParsedStream: Equatable, Sendable {
    var frames: [SSEFrame] = []
    var discardedAtEnd = false
    var lastEventID = ""
}

func parseStream(
    _ pieces: [ArraySlice<UInt8>],
    maxEventBytes: Int = 16 << 20
) -> Result<ParsedStream, HTTPWireError> {
    var parser = SSEParser(maxEventBytes: maxEventBytes)
    var stream = ParsedStream()
    do throws(HTTPWireError) {
        for piece in pieces {
            stream.frames += try parser.feed(piece)
        }
    } catch {
        return .failure(error)
    }
    stream.lastEventID = parser.lastEventID
    stream.discardedAtEnd = parser.finish()
    return .success(stream)
}
