/// An incremental parser of request heads: feed it bytes as they arrive, get a head once complete.
///
/// Lines end in CRLF: a bare LF anywhere in the head is `malformedStartLine` or `malformedHeader`, since
/// a proxy that ends a line at a bare LF where the next recipient does not turns one field into two.
/// Skips up to eight blank lines before the request line (RFC 9112 §2.2), rejects obsolete line
/// folding and enforces `HTTPParserLimits`. After it returns a head it is ready for the next one, so
/// pipelined requests parse one after another. After it throws, call `reset()` before feeding it again.
public struct HTTPRequestHeadParser: Sendable {
    private var core: HeadParserCore<RequestLineSyntax>

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
    ) throws(HTTPWireError) -> (head: HTTPRequestHead, consumed: Int)? {
        guard let (line, headers, consumed) = try core.feed(bytes) else { return nil }
        let head = HTTPRequestHead(method: line.method, target: line.target, version: line.version, headers: headers)
        return (head, consumed)
    }

    /// Whether part of a head has arrived: true from the first byte of a request line (blank lines
    /// skipped before it do not count), so a caller can tell an idle connection from one mid-head.
    public var hasBufferedInput: Bool { core.hasBufferedInput }

    /// Forgets any partial head, making the parser as new.
    public mutating func reset() {
        core.reset()
    }
}

/// `method SP request-target SP HTTP-version` (RFC 9112 §3).
enum RequestLineSyntax: StartLineSyntax {
    struct StartLine: Sendable {
        var method: String
        var target: String
        var version: HTTPVersion
    }

    static var lineName: String { "request line" }

    static func parse(_ line: ArraySlice<UInt8>, at offset: Int) throws(HTTPWireError) -> StartLine {
        func position(_ index: Int) -> Int { offset + (index - line.startIndex) }
        func found(_ index: Int) -> String {
            index < line.endIndex ? ASCII.describe(line[index]) : "the end of the line"
        }
        var index = line.startIndex
        while index < line.endIndex && line[index] != ASCII.space {
            guard ASCII.isTokenByte(line[index]) else {
                throw HTTPWireError(
                    .malformedStartLine,
                    at: position(index),
                    "invalid byte \(found(index)) in the method; expected a token"
                )
            }
            index += 1
        }
        guard index > line.startIndex else {
            throw HTTPWireError(.malformedStartLine, at: offset, "expected a method, found \(found(index))")
        }
        guard index < line.endIndex else {
            throw HTTPWireError(
                .malformedStartLine,
                at: position(index),
                "expected SP and a request target after the method, found the end of the line"
            )
        }
        let method = String(decoding: line[line.startIndex..<index], as: UTF8.self)
        index += 1
        let targetStart = index
        while index < line.endIndex && line[index] != ASCII.space {
            guard ASCII.isTargetByte(line[index]) else {
                throw HTTPWireError(
                    .malformedStartLine,
                    at: position(index),
                    "invalid byte \(found(index)) in the request target"
                )
            }
            index += 1
        }
        guard index > targetStart else {
            throw HTTPWireError(
                .malformedStartLine,
                at: position(index),
                "expected a request target, found \(found(index))"
            )
        }
        guard index < line.endIndex else {
            throw HTTPWireError(
                .malformedStartLine,
                at: position(index),
                "expected SP and an HTTP version after the request target, found the end of the line"
            )
        }
        let target = String(decoding: line[targetStart..<index], as: UTF8.self)
        index += 1
        let version = try HeadParserCore<Self>.parseVersion(line[index...], at: position(index))
        index += HeadParserCore<Self>.versionLength
        guard index == line.endIndex else {
            throw HTTPWireError(
                .malformedStartLine,
                at: position(index),
                "expected the end of the request line after the HTTP version, found \(found(index))"
            )
        }
        return StartLine(method: method, target: target, version: version)
    }
}
