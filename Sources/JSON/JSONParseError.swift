/// Why bytes are not JSON: what was wrong and at which byte, plus the words and position Python's `json` module
/// would report (FastAPI copies both into its `json_invalid` error).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        case endOfInputExpectingValue
        case expectedValue
        case invalidLiteral
        case endOfInputInLiteral
        case endOfInputInObject
        case endOfInputInArray
        case expectedDigit
        case expectedFractionDigit
        case expectedExponentDigit
        case expectedKey
        case expectedColon
        case expectedCommaOrBrace
        case expectedCommaOrBracket
        case controlCharacter
        case unterminatedString
        case invalidEscape
        case shortUnicodeEscape
        case invalidHexDigit
        case loneHighSurrogate
        case invalidLowSurrogate
        case loneLowSurrogate
        case invalidUTF8String
        case invalidUTF8Input
        case tooDeep(Int)
        case tooLarge(Int)
        case trailingBytes
    }

    let kind: Kind
    /// The byte offset where parsing stopped.
    public let offset: Int
    /// The offset, in Unicode scalars, where Python's parser reports the error.
    public let pythonPosition: Int

    init(_ kind: Kind, offset: Int, pythonPosition: Int) {
        self.kind = kind
        self.offset = offset
        self.pythonPosition = pythonPosition
    }

    /// What was wrong, e.g. "expected ':' after an object key".
    public var reason: String {
        switch kind {
        case .endOfInputExpectingValue: "unexpected end of input, expected a value"
        case .expectedValue: "expected a value"
        case .invalidLiteral: "invalid literal"
        case .endOfInputInLiteral: "unexpected end of input in a literal"
        case .endOfInputInObject: "unexpected end of input in an object"
        case .endOfInputInArray: "unexpected end of input in an array"
        case .expectedDigit: "expected a digit"
        case .expectedFractionDigit: "expected a digit after '.'"
        case .expectedExponentDigit: "expected an exponent digit"
        case .expectedKey: "expected a string key"
        case .expectedColon: "expected ':' after an object key"
        case .expectedCommaOrBrace: "expected ',' or '}' in an object"
        case .expectedCommaOrBracket: "expected ',' or ']' in an array"
        case .controlCharacter: "control character in a string"
        case .unterminatedString: "unterminated string"
        case .invalidEscape: "invalid escape"
        case .shortUnicodeEscape: "short \\u escape"
        case .invalidHexDigit: "invalid hex digit in \\u escape"
        case .loneHighSurrogate: "lone high surrogate"
        case .invalidLowSurrogate: "invalid low surrogate"
        case .loneLowSurrogate: "lone low surrogate"
        case .invalidUTF8String: "string is not valid UTF-8"
        case .invalidUTF8Input: "input is not valid UTF-8"
        case .tooDeep(let limit): "nesting deeper than \(limit)"
        case .tooLarge(let limit): "input larger than \(limit) bytes"
        case .trailingBytes: "unexpected bytes after the JSON value"
        }
    }

    /// Python's message for the same error, e.g. `Expecting ':' delimiter`.
    public var pythonMessage: String {
        switch kind {
        case .endOfInputExpectingValue, .expectedValue, .invalidLiteral, .endOfInputInLiteral, .expectedDigit,
            .expectedFractionDigit, .expectedExponentDigit:
            "Expecting value"
        case .expectedKey: "Expecting property name enclosed in double quotes"
        case .expectedColon: "Expecting ':' delimiter"
        case .expectedCommaOrBrace, .expectedCommaOrBracket, .endOfInputInObject, .endOfInputInArray:
            "Expecting ',' delimiter"
        case .controlCharacter: "Invalid control character at"
        case .unterminatedString: "Unterminated string starting at"
        case .invalidEscape: "Invalid \\escape"
        case .shortUnicodeEscape, .invalidHexDigit: "Invalid \\uXXXX escape"
        case .loneHighSurrogate, .invalidLowSurrogate, .loneLowSurrogate: "Invalid \\uXXXX escape"
        case .invalidUTF8String, .invalidUTF8Input: "Invalid UTF-8 in request body"
        case .tooDeep: "maximum recursion depth exceeded"
        case .tooLarge: "Request body too large"
        case .trailingBytes: "Extra data"
        }
    }

    /// "byte 12: expected ':' after an object key".
    public var description: String { "byte \(offset): \(reason)" }
}
