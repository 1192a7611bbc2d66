/// The grammar of a start line (request line or status line) plugged into `HeadParserCore`.
protocol StartLineSyntax {
    /// The parsed start line.
    associatedtype StartLine: Sendable
    /// What the line is called in error messages, e.g. `request line`.
    static var lineName: String { get }
    /// Parses a complete start line (without its line end) that began at `offset` in the message.
    static func parse(_ line: ArraySlice<UInt8>, at offset: Int) throws(HTTPWireError) -> StartLine
}

/// The state machine shared by the request and response head parsers: optional leading blank lines,
/// a start line, field lines, a blank line.
struct HeadParserCore<Syntax: StartLineSyntax>: Sendable {
    /// How many blank lines before a start line are skipped (RFC 9112 §2.2 asks for at least one) before
    /// the head is rejected as malformed.
    static var maxLeadingEmptyLines: Int { 8 }

    let limits: HTTPParserLimits
    private var lineReader = LineReader()
    private var startLine: Syntax.StartLine?
    private var fieldReader = FieldSectionReader(startingAt: 0)
    /// Bytes of the current message consumed so far.
    private var position = 0
    /// Where the line being read starts, as an offset in the message.
    private var lineStart = 0
    private var emptyLines = 0

    init(limits: HTTPParserLimits) {
        self.limits = limits
    }

    /// Whether any byte of a head (other than skipped blank lines) is buffered.
    var hasBufferedInput: Bool {
        startLine != nil || lineReader.hasPartialLine
    }

    /// Feeds bytes; returns the head and how many of `bytes` belonged to it once the blank line arrives,
    /// after which the core is ready for the next message.
    mutating func feed(
        _ bytes: ArraySlice<UInt8>
    ) throws(HTTPWireError) -> (startLine: Syntax.StartLine, headers: HTTPHeaders, consumed: Int)? {
        var index = bytes.startIndex
        while startLine == nil && index < bytes.endIndex {
            let (consumed, outcome) = lineReader.read(bytes[index...], limit: limits.maxStartLineBytes)
            index += consumed
            position += consumed
            switch outcome {
            case .needMore:
                break
            case .tooLong:
                throw HTTPWireError(
                    .startLineTooLong,
                    at: lineStart + limits.maxStartLineBytes,
                    "the \(Syntax.lineName) may have at most \(limits.maxStartLineBytes) bytes"
                )
            case .bareLineFeed:
                throw HTTPWireError(
                    .malformedStartLine,
                    at: position - 1,
                    "a bare LF ends the \(Syntax.lineName) or a blank line before it; lines end in CRLF"
                )
            case .line(let line):
                let start = lineStart
                lineStart = position
                if line.isEmpty {
                    emptyLines += 1
                    if emptyLines > Self.maxLeadingEmptyLines {
                        throw HTTPWireError(
                            .malformedStartLine,
                            at: start,
                            "more than \(Self.maxLeadingEmptyLines) blank lines before the \(Syntax.lineName)"
                        )
                    }
                    continue
                }
                startLine = try Syntax.parse(line, at: start)
                fieldReader = FieldSectionReader(startingAt: position)
            }
        }
        guard let startLine, index < bytes.endIndex else { return nil }
        let (consumed, isComplete) = try fieldReader.feed(bytes[index...], limits: limits)
        index += consumed
        position += consumed
        guard isComplete else { return nil }
        let head = (startLine, HTTPHeaders(fields: fieldReader.fields), index - bytes.startIndex)
        reset()
        return head
    }

    /// Forgets any partial head.
    mutating func reset() {
        self = HeadParserCore(limits: limits)
    }

    /// The length of an `HTTP-version` (`HTTP/1.1`).
    static var versionLength: Int { 8 }

    /// Parses the `HTTP/x.y` at the start of `bytes`; only HTTP/1.0 and HTTP/1.1 are accepted. The
    /// caller checks what follows the version's `versionLength` bytes.
    static func parseVersion(_ bytes: ArraySlice<UInt8>, at offset: Int) throws(HTTPWireError) -> HTTPVersion {
        let pattern = Array("HTTP/0.0".utf8)
        for (position, expected) in pattern.enumerated() {
            let index = bytes.startIndex + position
            let found = index < bytes.endIndex ? bytes[index] : nil
            let matches =
                expected == UInt8(ascii: "0") ? found.map(ASCII.isDigit) ?? false : found == expected
            guard matches else {
                let what = found.map(ASCII.describe) ?? "the end of the line"
                throw HTTPWireError(
                    .malformedStartLine,
                    at: offset + position,
                    "expected an HTTP version such as HTTP/1.1, found \(what)"
                )
            }
        }
        let start = bytes.startIndex
        let version = HTTPVersion(
            major: Int(bytes[start + 5] - UInt8(ascii: "0")),
            minor: Int(bytes[start + 7] - UInt8(ascii: "0"))
        )
        guard version == .http1_1 || version == .http1_0 else {
            throw HTTPWireError(
                .unsupportedVersion,
                at: offset,
                "\(version) is not supported; expected HTTP/1.1 or HTTP/1.0"
            )
        }
        return version
    }
}
