import HTTPWire
import TestSupport
import Testing

@Suite struct SSEParserTests {
    /// Parses `input` in one feed and returns the frames, or records the error.
    private func frames(_ input: [UInt8], maxEventBytes: Int = 16 << 20) -> [SSEFrame] {
        switch parseStream([input[...]], maxEventBytes: maxEventBytes) {
        case .success(let stream): return stream.frames
        case .failure(let error):
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    private func frames(_ text: String) -> [SSEFrame] {
        frames(bytes(text))
    }

    private func event(_ data: String, event: String? = nil, id: String? = nil, retry: Int? = nil) -> SSEFrame {
        .event(SSEEvent(data: data, event: event, id: id, retry: retry))
    }

    /// A `data:` line and a blank line make one event with that data and no other fields.
    @Test func parsesSimpleEvent() {
        #expect(frames("data: hello\n\n") == [event("hello")])
    }

    /// `event`, `id`, `retry` and several `data` lines build one event; data lines join with LF.
    @Test func parsesAllFields() throws {
        var parser = SSEParser()
        let result = try parser.feed(bytes("event: update\nid: 7\nretry: 3000\ndata: a\ndata: b\n\n")[...])
        #expect(result == [event("a\nb", event: "update", id: "7", retry: 3000)])
        #expect(parser.lastEventID == "7")
        #expect(parser.reconnectionTime == 3000)
    }

    /// LF, CR and CRLF line ends (mixed too) give the same frames for every split of the stream.
    @Test(arguments: ["\n", "\r", "\r\n"])
    func acceptsEveryLineEnd(lineEnd: String) {
        let lines = ["event: e", "data: one", "data: two", "", ": note", "data: three", "", ""]
        let input = bytes(lines.joined(separator: lineEnd))
        let expected = Result<ParsedStream, HTTPWireError>.success(
            ParsedStream(frames: [event("one\ntwo", event: "e"), .comment("note"), event("three")])
        )
        #expect(DripFeed.firstMismatch(in: input, expected: expected) { parseStream($0) } == nil)
        let mixed = bytes("data: a\r\ndata: b\rdata: c\n\r\n")
        #expect(frames(mixed) == [event("a\nb\nc")])
    }

    /// A CR ending one feed and an LF starting the next are one line end, not two.
    @Test func crlfSplitAcrossFeedsIsOneLineEnd() throws {
        var parser = SSEParser()
        #expect(try parser.feed(bytes("data: a\r")[...]) == [])
        #expect(try parser.feed(bytes("\ndata: b\r\n")[...]) == [])
        #expect(try parser.feed(bytes("\r")[...]) == [event("a\nb")])
        #expect(try parser.feed(bytes("\n")[...]) == [])
        let discarded = parser.finish()
        #expect(!discarded)
    }

    /// One leading BOM is skipped, even split across feeds; a second BOM is part of the first line.
    @Test func stripsOneLeadingByteOrderMark() {
        let input = bytes("\u{FEFF}data: x\n\n")
        let expected = Result<ParsedStream, HTTPWireError>.success(ParsedStream(frames: [event("x")]))
        #expect(DripFeed.firstMismatch(in: input, expected: expected) { parseStream($0) } == nil)
        #expect(frames("\u{FEFF}\u{FEFF}data: x\n\n") == [])
        #expect(frames("data: \u{FEFF}x\n\n") == [event("\u{FEFF}x")])
        #expect(frames([0xEF, 0xBB] + bytes("\n: c\n")) == [.comment("c")])
        #expect(frames([0xEF] + bytes("data: x\n\ndata: y\n\n")) == [event("y")])
        #expect(frames([0xEF, 0xBB, 0xBB] + bytes("data: x\n\n")) == [])
    }

    /// Comments come out at once, in order with events, without the colon and one optional space.
    @Test func emitsCommentsInOrder() throws {
        #expect(
            frames("data: a\n: c1\ndata: b\n\n:no-space\n:  two\n:\n\n")
                == [.comment("c1"), event("a\nb"), .comment("no-space"), .comment(" two"), .comment("")]
        )
        var parser = SSEParser()
        #expect(try parser.feed(bytes("data: pending\n: heartbeat\n")[...]) == [.comment("heartbeat")])
    }

    /// A line without a colon is a field with an empty value; only one leading space is removed.
    @Test func interpretsFieldValues() {
        #expect(frames("data\n\n") == [event("")])
        #expect(frames("data\ndata\n\n") == [event("\n")])
        #expect(frames("data:  x \n\n") == [event(" x ")])
        #expect(frames("data:x\n\n") == [event("x")])
        #expect(frames("data: a:b: c\n\n") == [event("a:b: c")])
        #expect(frames("data: \n\n") == [event("")])
    }

    /// An `id` containing NUL is ignored; an empty `id` is kept as empty.
    @Test func handlesIDs() throws {
        var parser = SSEParser()
        let result = try parser.feed(bytes("id: 1\ndata: a\n\nid: x\u{0}y\ndata: b\n\nid\ndata: c\n\ndata: d\n\n")[...])
        #expect(result == [event("a", id: "1"), event("b"), event("c", id: ""), event("d")])
        #expect(parser.lastEventID == "")
    }

    /// `retry` counts only when it is all ASCII digits.
    @Test(arguments: [
        ("retry: 0500", 500), ("retry: 12a", nil), ("retry:", nil), ("retry: -5", nil), ("retry: 1 ", nil),
    ])
    func handlesRetry(line: String, retry: Int?) {
        #expect(frames(line + "\ndata: x\n\n") == [event("x", retry: retry)])
    }

    /// Unknown and wrongly cased field names are ignored.
    @Test func ignoresUnknownFields() {
        #expect(frames("foo: bar\ndata: x\n\n") == [event("x")])
        #expect(frames("Data: x\n\n") == [])
        #expect(frames("data : x\n\n") == [])
    }

    /// A block with no data dispatches nothing and its event type does not leak into the next event.
    @Test func emptyDataDispatchesNothing() {
        #expect(frames("event: ping\n\n") == [])
        #expect(frames("event: ping\nretry: 5\n\ndata: x\n\n") == [event("x")])
        #expect(frames("\n\n\n") == [])
    }

    /// Invalid UTF-8 decodes with replacement characters.
    @Test func replacesInvalidUTF8() {
        #expect(frames(bytes("data: ") + [0xFF, 0xFE] + bytes("ok\n\n")) == [event("\u{FFFD}\u{FFFD}ok")])
        #expect(
            frames(bytes("data: ") + [0xE2, 0x82] + bytes("\ndata: \u{20AC}\n\n")) == [event("\u{FFFD}\n\u{20AC}")]
        )
    }

    /// `finish()` discards a pending event or unfinished line and says so; a clean end discards nothing.
    @Test(arguments: [
        ("data: x\n", true), ("data: x", true), (": partial", true), ("id: 3\n", true),
        ("data: x\n\n", false), ("", false), (": c\n", false), ("data: x\r", true), ("data: x\r\r", false),
    ])
    func finishDiscardsIncompleteEvent(text: String, discarded: Bool) throws {
        var parser = SSEParser()
        let result = try parser.feed(bytes(text)[...])
        #expect(result.allSatisfy { if case .event = $0 { !discarded } else { true } })
        #expect(parser.finish() == discarded)
        #expect(try parser.feed(bytes("data: next\n\n")[...]) == [event("next")])
    }

    /// An event of exactly `maxEventBytes` is accepted; one more byte is `sseEventTooLarge` at that byte.
    @Test func enforcesEventLimit() {
        #expect(frames(bytes("data: 1234\n\n"), maxEventBytes: 10) == [event("1234")])
        #expect(frames(bytes("data: 1\ndata\n\n"), maxEventBytes: 11) == [event("1\n")])
        #expect(frames(bytes(": 12345678\n\n"), maxEventBytes: 10) == [.comment("12345678")])
        let cases: [(String, Int)] = [
            ("data: 12345\n\n", 10),
            ("data: 1\ndata: 2\n\n", 11),
            (": 123456789\n", 10),
            ("\u{FEFF}data: 12345\n\n", 13),
        ]
        for (text, offset) in cases {
            let result = parseStream([bytes(text)[...]], maxEventBytes: 10)
            guard case .failure(let error) = result else {
                Issue.record("\(text.debugDescription) was accepted")
                continue
            }
            #expect(error.kind == .sseEventTooLarge)
            #expect(error.offset == offset)
            #expect(
                DripFeed.firstMismatch(in: bytes(text), expected: result) { parseStream($0, maxEventBytes: 10) } == nil
            )
        }
    }

    /// The limit applies per event: many events that each fit pass however long the stream is.
    @Test func eventLimitResetsAtEachEvent() {
        let text = String(repeating: "data: 1234\n\n", count: 50)
        #expect(frames(bytes(text), maxEventBytes: 10).count == 50)
    }

    /// The compose stream of service-contracts.md §3.7 parses into its frames for every split, with seq 0…36
    /// in order and the heartbeat comment in place.
    @Test func dripFeedComposeStream() throws {
        let expectedFrames: [SSEFrame] = ComposeStreamFixture.frameLines.map { line in
            line.hasPrefix("data: ") ? event(String(line.dropFirst(6))) : .comment(String(line.dropFirst(2)))
        }
        let input = bytes(ComposeStreamFixture.wireText)
        let parsed = try parseStream([input[...]]).get()
        #expect(parsed.frames == expectedFrames)
        #expect(parsed.frames.count == 21)
        #expect(parsed.frames.contains(.comment("heartbeat")))
        let seqs = parsed.frames.compactMap { frame -> Int? in
            guard case .event(let event) = frame, let range = event.data.firstRange(of: "\"seq\":") else { return nil }
            return Int(event.data[range.upperBound...].prefix { $0.isNumber })
        }
        #expect(seqs.first == 0)
        #expect(seqs.last == 36)
        #expect(seqs == seqs.sorted())
        let expected = Result<ParsedStream, HTTPWireError>.success(parsed)
        #expect(DripFeed.firstMismatch(in: input, expected: expected) { parseStream($0) } == nil)
    }

    /// Every split of a stream mixing a BOM, CR/LF/CRLF ends, comments, multi-line data, id, retry and
    /// event fields gives the same frames and the same last event id.
    @Test func dripFeedMixedStream() {
        let input = bytes(
            "\u{FEFF}: hello\r\nevent: add\rid: 42\ndata: {\"a\":1}\r\ndata:second\r\n\r"
                + "retry: 250\ndata\n\n:tail\r\rid: 9\ndata: x\r\n\r\ndata: incomplete"
        )
        let expected = Result<ParsedStream, HTTPWireError>.success(
            ParsedStream(
                frames: [
                    .comment("hello"),
                    event("{\"a\":1}\nsecond", event: "add", id: "42"),
                    event("", retry: 250),
                    .comment("tail"),
                    event("x", id: "9"),
                ],
                discardedAtEnd: true,
                lastEventID: "9"
            )
        )
        #expect(DripFeed.firstMismatch(in: input, expected: expected) { parseStream($0) } == nil)
    }
}
