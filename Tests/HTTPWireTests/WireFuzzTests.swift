import HTTPWire
import TestSupport
import Testing

/// Seeded, time-bounded random testing of every parser: mutated inputs must parse or throw (never
/// trap), and must give the same outcome however they are split.
@Suite struct WireFuzzTests {
    private static let requestCorpus: [String] = [
        "GET /api/v1/maestro/prompts HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.0\nConnection: keep-alive\n\n",
        "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nabcde\r\n0\r\nT: 1\r\n\r\n",
        "\r\nOPTIONS * HTTP/1.1\r\nA: b\r\nC:d\r\n\r\n",
    ]
    private static let responseCorpus: [String] = [
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: x\n\n",
        "HTTP/1.1 204\r\n\r\n",
    ]
    private static let streamCorpus: [String] = [
        "\u{FEFF}event: a\nid: 1\nretry: 10\ndata: x\ndata: y\n\n: heartbeat\n\n",
        "data: {\"type\":\"state\",\"seq\":0}\r\n\r\ndata\rid\r\r",
        ComposeStreamFixture.frameLines.prefix(4).map { $0 + "\n\n" }.joined(),
    ]
    private static let interesting: [UInt8] =
        bytes("\r\n:; \t0123456789abcdefABCDEF-,") + [0, 0x7F, 0xFF, 0xEF, 0xBB, 0xBF]

    /// A mutation of `input`: flipped, inserted, deleted, duplicated or truncated bytes.
    private static func mutate(_ input: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let index = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
            let byte =
                Bool.random(using: &generator)
                ? interesting.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0 where !bytes.isEmpty: bytes[index] = byte
            case 1: bytes.insert(byte, at: index)
            case 2 where !bytes.isEmpty:
                bytes.removeSubrange(index..<min(bytes.count, index + Int.random(in: 1...8, using: &generator)))
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, index + Int.random(in: 1...16, using: &generator))
                bytes.insert(contentsOf: bytes[index..<end], at: index)
            case 4: bytes = Array(bytes.prefix(index))
            default: bytes.append(byte)
            }
        }
        return bytes
    }

    /// Cuts `input` at a few random places.
    private static func randomSplit(_ input: [UInt8], using generator: inout SeededGenerator) -> [ArraySlice<UInt8>] {
        guard input.count > 1 else { return [input[...]] }
        let cuts = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
            Int.random(in: 1..<input.count, using: &generator)
        }
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        for cut in Set(cuts).sorted() {
            pieces.append(input[start..<cut])
            start = cut
        }
        pieces.append(input[start...])
        return pieces
    }

    /// Mutated requests, responses, chunked bodies and event streams never trap, and a random split
    /// gives the same outcome as one feed (for about two seconds of seeded inputs).
    @Test func mutatedInputsParseOrThrowTheSameForAnySplit() {
        var generator = SeededGenerator(seed: 0x5EED_F022)
        let deadline = ContinuousClock.now + .seconds(2)
        var iterations = 0
        while ContinuousClock.now < deadline && iterations < 50_000 {
            iterations += 1
            let limits = Bool.random(using: &generator) ? HTTPParserLimits.standard : HTTPParserLimits.tiny
            let request = Self.mutate(bytes(Self.requestCorpus.randomElement(using: &generator)!), using: &generator)
            let requestSplit = Self.randomSplit(request, using: &generator)
            #expect(parseRequests([request[...]], limits: limits) == parseRequests(requestSplit, limits: limits))

            let response = Self.mutate(bytes(Self.responseCorpus.randomElement(using: &generator)!), using: &generator)
            let responseSplit = Self.randomSplit(response, using: &generator)
            let method = Bool.random(using: &generator) ? "GET" : "HEAD"
            #expect(
                parseResponses([response[...]], requestMethod: method, limits: limits)
                    == parseResponses(responseSplit, requestMethod: method, limits: limits)
            )

            let chunked = Self.mutate(
                bytes("3;x\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: v\r\n\r\nrest"),
                using: &generator
            )
            let chunkedSplit = Self.randomSplit(chunked, using: &generator)
            #expect(
                decodeBody([chunked[...]], framing: .chunked, limits: limits, finish: true)
                    == decodeBody(chunkedSplit, framing: .chunked, limits: limits, finish: true)
            )

            let stream = Self.mutate(bytes(Self.streamCorpus.randomElement(using: &generator)!), using: &generator)
            let streamSplit = Self.randomSplit(stream, using: &generator)
            let maxEventBytes = Bool.random(using: &generator) ? 16 << 20 : 12
            #expect(
                parseStream([stream[...]], maxEventBytes: maxEventBytes)
                    == parseStream(streamSplit, maxEventBytes: maxEventBytes)
            )
        }
        #expect(iterations > 100)
    }

    /// Purely random bytes never trap any parser.
    @Test func randomBytesNeverTrap() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<2_000 {
            let input = generator.bytes(Int.random(in: 0..<200, using: &generator))
            _ = parseRequests([input[...]])
            _ = parseResponses([input[...]])
            _ = decodeBody([input[...]], framing: .chunked, finish: true)
            _ = parseStream([input[...]])
        }
    }

    /// Random events and comments written by `SSEEncoder` parse back unchanged, whatever the split.
    @Test func encoderRoundTripsRandomFrames() throws {
        var generator = SeededGenerator(seed: 0xE7E7)
        let alphabet: [Character] = ["a", "Z", "0", " ", ":", "\u{E9}", "\u{1F3B5}", "{", "\"", "\u{FEFF}", "\t", "="]
        func text(_ maxLength: Int, lineBreaks: Bool) -> String {
            let pool = lineBreaks ? alphabet + ["\n"] : alphabet
            return String(
                (0..<Int.random(in: 0...maxLength, using: &generator)).map { _ in pool.randomElement(using: &generator)!
                }
            )
        }
        for _ in 0..<300 {
            let frames: [SSEFrame] = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                if Int.random(in: 0..<4, using: &generator) == 0 {
                    return .comment(text(20, lineBreaks: false))
                }
                return .event(
                    SSEEvent(
                        data: text(40, lineBreaks: true),
                        event: Bool.random(using: &generator) ? text(10, lineBreaks: false) : nil,
                        id: Bool.random(using: &generator) ? text(10, lineBreaks: false) : nil,
                        retry: Bool.random(using: &generator) ? Int.random(in: 0...Int.max, using: &generator) : nil
                    )
                )
            }
            let wire = frames.flatMap(SSEEncoder.encode)
            let parsed = try parseStream(Self.randomSplit(wire, using: &generator)).get()
            #expect(parsed.frames == frames)
            #expect(!parsed.discardedAtEnd)
        }
    }
}
