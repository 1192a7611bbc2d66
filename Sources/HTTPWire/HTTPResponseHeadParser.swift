/// An incremental parser of response heads: feed it bytes as they arrive, get a head once complete.
///
/// Same rules and limits as `HTTPRequestHeadParser`. A `1xx` interim response is returned like any
/// other head; the caller parses the final response after it.
public struct HTTPResponseHeadParser: Sendable {
    private var core: HeadParserCore<StatusLineSyntax>

    /// Creates a parser with the given limits.
    public init(limits: HTTPParserLimits = .standard) {
        core = HeadParserCore(limits: limits)
    }

    /// The limits this parser enforces.
    public var limits: HTTPParserLimits { core.limits }

    /// Feeds the next bytes. Returns nil when the head is not complete yet (all bytes consumed and buffered),
    /// or the head and how many bytes of `bytes` belonged to it (the rest is body or the next message).
    public mutating func feed(
        _ bytes: ArraySlice<UInt8>
    ) throws(HTTPWireError) -> (head: HTTPResponseHead, consumed: Int)? {
        guard let (line, headers, consumed) = try core.feed(bytes) else { return nil }
        let head = HTTPResponseHead(status: line.status, reason: line.reason, version: line.version, headers: headers)
        return (head, consumed)
    }

    /// Whether part of a head has arrived: true from the first byte of a status line (blank lines
    /// skipped before it do not count).
    public var hasBufferedInput: Bool { core.hasBufferedInput }

    /// Forgets any partial head, making the parser as new.
    public mutating func reset() {
        core.reset()
    }
}

/// `HTTP-version SP status-code SP [reason-phrase]` (RFC 9112 §4); the SP before an empty reason may
/// be missing.
enum StatusLineSyntax: StartLineSyntax {
    struct StartLine: Sendable {
        var version: HTTPVersion
        var status: Int
        var reason: String
    }

    static var lineName: String { "status line" }

    static func parse(_ line: ArraySlice<UInt8>, at offset: Int) throws(HTTPWireError) -> StartLine {
        func position(_ index: Int) -> Int { offset + (index - line.startIndex) }
        func found(_ index: Int) -> String {
            index < line.endIndex ? ASCII.describe(line[index]) : "the end of the line"
        }
        let version = try HeadParserCore<Self>.parseVersion(line, at: offset)
        let versionEnd = line.startIndex + HeadParserCore<Self>.versionLength
        guard versionEnd < line.endIndex, line[versionEnd] == ASCII.space else {
            throw HTTPWireError(
                .malformedStartLine,
                at: position(versionEnd),
                "expected SP and a three-digit status code after the HTTP version, found \(found(versionEnd))"
            )
        }
        var status = 0
        var index = versionEnd + 1
        for digit in 0..<3 {
            guard index < line.endIndex, ASCII.isDigit(line[index]), digit > 0 || line[index] != UInt8(ascii: "0")
            else {
                throw HTTPWireError(
                    .malformedStartLine,
                    at: position(index),
                    "expected a three-digit status code from 100 to 999, found \(found(index))"
                )
            }
            status = status * 10 + Int(line[index] - UInt8(ascii: "0"))
            index += 1
        }
        var reason = ""
        if index < line.endIndex {
            guard line[index] == ASCII.space else {
                throw HTTPWireError(
                    .malformedStartLine,
                    at: position(index),
                    "expected SP and a reason phrase after the status code, found \(found(index))"
                )
            }
            let phrase = line[(index + 1)...]
            if let bad = phrase.firstIndex(where: { !ASCII.isFieldValueByte($0) }) {
                throw HTTPWireError(
                    .malformedStartLine,
                    at: position(bad),
                    "invalid byte \(found(bad)) in the reason phrase"
                )
            }
            reason = ASCII.decodeFieldText(phrase)
        }
        return StartLine(version: version, status: status, reason: reason)
    }
}
