/// Reads `name: value` field lines up to the blank line that ends a header or trailer section,
/// enforcing the per-line, per-section and count limits.
struct FieldSectionReader: Sendable {
    private var reader = LineReader()
    /// The fields read so far, in order.
    private(set) var fields: [HTTPField] = []
    /// The bytes of completed field lines, without line ends.
    private var sectionBytes = 0
    /// Where the current line starts, as an offset in the message.
    private var lineStart: Int
    /// How many bytes this reader has consumed, as an offset in the message.
    private var position: Int
    /// Whether lines are header fields (true) or trailer fields, for error messages.
    private let noun: String

    /// Creates a reader whose first byte is at `offset` in the message.
    init(startingAt offset: Int, noun: String = "header") {
        lineStart = offset
        position = offset
        self.noun = noun
    }

    /// Whether any byte of the section has arrived.
    var hasInput: Bool {
        !fields.isEmpty || reader.hasPartialLine
    }

    /// Consumes field lines from `bytes`; stops right after the blank line that ends the section.
    mutating func feed(
        _ bytes: ArraySlice<UInt8>,
        limits: HTTPParserLimits
    ) throws(HTTPWireError) -> (consumed: Int, isComplete: Bool) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let budget = max(0, limits.maxHeaderBytes - sectionBytes)
            let limit = min(limits.maxHeaderLineBytes, budget)
            let (consumed, outcome) = reader.read(bytes[index...], limit: limit)
            index += consumed
            position += consumed
            switch outcome {
            case .needMore:
                break
            case .tooLong:
                if limits.maxHeaderLineBytes <= budget {
                    throw HTTPWireError(
                        .headerLineTooLong,
                        at: lineStart + limit,
                        "a \(noun) field line may have at most \(limits.maxHeaderLineBytes) bytes"
                    )
                }
                throw HTTPWireError(
                    .headersTooLarge,
                    at: lineStart + limit,
                    "the \(noun) fields may have at most \(limits.maxHeaderBytes) bytes together"
                )
            case .bareLineFeed:
                throw HTTPWireError(
                    .malformedHeader,
                    at: position - 1,
                    "a bare LF in or after a \(noun) field line; field lines end in CRLF"
                )
            case .line(let line):
                let start = lineStart
                lineStart = position
                if line.isEmpty {
                    return (index - bytes.startIndex, true)
                }
                if fields.count >= limits.maxHeaderCount {
                    throw HTTPWireError(
                        .tooManyHeaders,
                        at: start,
                        "at most \(limits.maxHeaderCount) \(noun) fields are accepted"
                    )
                }
                fields.append(try Self.parseField(line, at: start))
                sectionBytes += line.count
            }
        }
        return (index - bytes.startIndex, false)
    }

    /// Parses one field line (`token ":" OWS value OWS`, RFC 9112 §5); `offset` is where it starts.
    static func parseField(_ line: ArraySlice<UInt8>, at offset: Int) throws(HTTPWireError) -> HTTPField {
        func position(_ index: Int) -> Int { offset + (index - line.startIndex) }
        if let first = line.first, ASCII.isWhitespace(first) {
            throw HTTPWireError(
                .malformedHeader,
                at: offset,
                "a field line starts with whitespace (obsolete line folding is not accepted)"
            )
        }
        var index = line.startIndex
        while index < line.endIndex && line[index] != ASCII.colon {
            let byte = line[index]
            guard ASCII.isTokenByte(byte) else {
                let found = ASCII.describe(byte)
                let detail =
                    ASCII.isWhitespace(byte)
                    ? "expected ':' right after the field name, found \(found)"
                    : "invalid byte \(found) in the field name; expected a token"
                throw HTTPWireError(.malformedHeader, at: position(index), detail)
            }
            index += 1
        }
        guard index < line.endIndex else {
            throw HTTPWireError(.malformedHeader, at: position(index), "expected ':' after the field name")
        }
        guard index > line.startIndex else {
            throw HTTPWireError(.malformedHeader, at: offset, "the field name is empty")
        }
        let name = String(decoding: line[line.startIndex..<index], as: UTF8.self)
        var valueStart = index + 1
        var valueEnd = line.endIndex
        while valueStart < valueEnd && ASCII.isWhitespace(line[valueStart]) {
            valueStart += 1
        }
        while valueEnd > valueStart && ASCII.isWhitespace(line[valueEnd - 1]) {
            valueEnd -= 1
        }
        let value = line[valueStart..<valueEnd]
        if let bad = value.firstIndex(where: { !ASCII.isFieldValueByte($0) }) {
            throw HTTPWireError(
                .malformedHeader,
                at: position(bad),
                "invalid byte \(ASCII.describe(value[bad])) in the value of \(name)"
            )
        }
        return HTTPField(name: name, value: ASCII.decodeFieldText(value))
    }
}
