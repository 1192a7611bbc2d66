/// A strict RFC 8259 parser over bytes, with limits on depth and size. Objects keep member order and numbers keep
/// their text. It can also report the byte range of every value found at given paths, which is how redaction
/// replaces a secret in a body without reformatting anything else.
///
/// ``Options/python`` reads a document the way the Python services do (`json.loads`): numbers take the text Python
/// would write them back with, a repeated key replaces the earlier value in place, and a lone surrogate escape
/// becomes U+FFFD. Errors always carry both this parser's wording with a byte offset and Python's.
public struct JSONParser {
    /// What the parser accepts and how it reads it.
    public struct Options: Sendable {
        /// How deeply arrays and objects may nest before the input is rejected.
        public var maximumDepth: Int
        /// The largest input accepted, in bytes.
        public var maximumBytes: Int
        /// Rewrite each number as Python's `json.loads` then `json.dumps` would: integers as `Int` text (`-0` → `0`),
        /// anything with a fraction or exponent (or too large for `Int`) as `repr(float)`. A number ends where
        /// Python's number pattern ends (`1.` is the number `1` followed by `.`).
        public var normalizesNumbers: Bool
        /// A repeated key replaces the earlier value in place instead of being kept as a second member.
        public var mergesDuplicateKeys: Bool
        /// A `\u` escape of a lone surrogate becomes U+FFFD instead of being rejected.
        public var replacesLoneSurrogates: Bool
        /// The whole input is checked as UTF-8 before parsing (Python decodes the body first).
        public var validatesUTF8First: Bool

        /// Strict RFC 8259: exact number text, every member kept, lone surrogates rejected, nesting up to 512.
        public static let strict = Options(
            maximumDepth: 512,
            maximumBytes: .max,
            normalizesNumbers: false,
            mergesDuplicateKeys: false,
            replacesLoneSurrogates: false,
            validatesUTF8First: false
        )

        /// Python's `json.loads` as the simulated services see a request body.
        public static let python = Options(
            maximumDepth: 512,
            maximumBytes: .max,
            normalizesNumbers: true,
            mergesDuplicateKeys: true,
            replacesLoneSurrogates: true,
            validatesUTF8First: true
        )
    }

    /// A value found at one of the searched paths: where it is in the input, and what it is.
    public struct Located: Sendable, Equatable {
        /// The bytes of the value in the input (for a string, quotes included).
        public let range: Range<Int>
        /// The value.
        public let value: JSONValue
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let options: Options
    private var index = 0
    private let paths: [JSONPath]
    private var stack: [JSONPath.Component] = []
    private var located: [Located] = []

    private init(bytes: UnsafeBufferPointer<UInt8>, options: Options, paths: [JSONPath]) {
        self.bytes = bytes
        self.options = options
        self.paths = paths
    }

    /// Parses one JSON value (surrounded by optional whitespace) from `bytes`.
    public static func parse(
        _ bytes: some Collection<UInt8>,
        options: Options = .strict
    ) throws(JSONParseError) -> JSONValue {
        try run(Array(bytes), options: options, paths: []).value
    }

    /// Parses one JSON value (surrounded by optional whitespace) from `text`.
    public static func parse(_ text: String, options: Options = .strict) throws(JSONParseError) -> JSONValue {
        try run(Array(text.utf8), options: options, paths: []).value
    }

    /// Parses `bytes` and returns the values found at any of `paths`, in document order (an inner match inside
    /// an outer one is reported too).
    public static func locate(
        _ paths: [JSONPath],
        in bytes: [UInt8],
        options: Options = .strict
    ) throws(JSONParseError) -> [Located] {
        try run(bytes, options: options, paths: paths).located
    }

    private static func run(
        _ bytes: [UInt8],
        options: Options,
        paths: [JSONPath]
    ) throws(JSONParseError) -> (value: JSONValue, located: [Located]) {
        if bytes.count > options.maximumBytes {
            throw JSONParseError(.tooLarge(options.maximumBytes), offset: options.maximumBytes, pythonPosition: 0)
        }
        if options.validatesUTF8First, String(validating: bytes, as: UTF8.self) == nil {
            throw JSONParseError(.invalidUTF8Input, offset: firstInvalidUTF8(bytes), pythonPosition: 0)
        }
        let outcome: Result<(JSONValue, [Located]), JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer, options: options, paths: paths)
            do throws(JSONParseError) {
                parser.skipWhitespace()
                let value = try parser.parseValue(depth: 0)
                parser.skipWhitespace()
                if parser.index != buffer.count { throw parser.failure(.trailingBytes) }
                return .success((value, parser.located))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// The offset of the first byte that does not start or continue a valid UTF-8 sequence.
    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .error: return offset
            case .emptyInput: return offset
            }
        }
    }

    /// An error at the current byte, which is also where Python stops.
    private func failure(_ kind: JSONParseError.Kind) -> JSONParseError {
        failure(kind, at: index, pythonAt: index)
    }

    /// An error at byte `offset`, which Python reports at byte `pythonOffset`.
    private func failure(_ kind: JSONParseError.Kind, at offset: Int, pythonAt pythonOffset: Int) -> JSONParseError {
        var scalars = 0
        for position in 0..<min(pythonOffset, bytes.count) where bytes[position] & 0xC0 != 0x80 { scalars += 1 }
        return JSONParseError(kind, offset: offset, pythonPosition: scalars)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw failure(.endOfInputExpectingValue) }
        let start = index
        let value: JSONValue
        switch bytes[index] {
        case UInt8(ascii: "{"):
            value = try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            value = try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            value = .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            value = .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            value = .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            value = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            value = try parseNumber()
        default:
            throw failure(.expectedValue)
        }
        if !paths.isEmpty, paths.contains(where: { $0.matches(stack) }) {
            located.append(Located(range: start..<index, value: value))
        }
        return value
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure(.endOfInputInLiteral) }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
            throw failure(.invalidLiteral)
        }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= options.maximumDepth else { throw failure(.tooDeep(options.maximumDepth)) }
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure(.expectedKey) }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure(.expectedColon) }
            index += 1
            skipWhitespace()
            if !paths.isEmpty { stack.append(.key(key)) }
            let value = try parseValue(depth: depth)
            if !paths.isEmpty { stack.removeLast() }
            if options.mergesDuplicateKeys { object[key] = value } else { object.append(key, value) }
            skipWhitespace()
            guard index < bytes.count else { throw failure(.endOfInputInObject) }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(object)
            }
            throw failure(.expectedCommaOrBrace)
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= options.maximumDepth else { throw failure(.tooDeep(options.maximumDepth)) }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            if !paths.isEmpty { stack.append(.index(elements.count)) }
            elements.append(try parseValue(depth: depth))
            if !paths.isEmpty { stack.removeLast() }
            skipWhitespace()
            guard index < bytes.count else { throw failure(.endOfInputInArray) }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            throw failure(.expectedCommaOrBracket)
        }
    }

    private func isDigit(at position: Int) -> Bool {
        position < bytes.count && bytes[position] >= UInt8(ascii: "0") && bytes[position] <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while isDigit(at: index) { index += 1 }
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard isDigit(at: index) else { throw failure(.expectedDigit, at: index, pythonAt: start) }
        if bytes[index] == UInt8(ascii: "0") { index += 1 } else { skipDigits() }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            // Python's number pattern leaves a '.' that no digit follows for whatever comes next to reject.
            if isDigit(at: index + 1) || !options.normalizesNumbers {
                index += 1
                guard isDigit(at: index) else { throw failure(.expectedFractionDigit) }
                skipDigits()
                isInteger = false
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            var probe = index + 1
            if probe < bytes.count, bytes[probe] == UInt8(ascii: "+") || bytes[probe] == UInt8(ascii: "-") {
                probe += 1
            }
            if isDigit(at: probe) || !options.normalizesNumbers {
                index = probe
                guard isDigit(at: index) else { throw failure(.expectedExponentDigit) }
                skipDigits()
                isInteger = false
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard options.normalizesNumbers else { return .number(text) }
        if isInteger, let integer = Int(text) { return .int(integer) }
        // Beyond `Double`'s range the text is kept: it still reads as infinity, as it does in Python.
        guard let number = Double(text), number.isFinite else { return .number(text) }
        return .double(number)
    }

    /// Parses a string starting at its opening quote.
    private mutating func parseString() throws(JSONParseError) -> String {
        let quote = index
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                guard let text = String(validating: slice, as: UTF8.self) else {
                    throw failure(.invalidUTF8String, at: start, pythonAt: quote)
                }
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw failure(.controlCharacter) }
            index += 1
        }
        var scalars: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            // The bytes up to the next quote, backslash or control character are copied at once: a record's SSE
            // data is JSON inside a string, escapes every few bytes, and appending byte by byte dominated reading.
            let plain = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                index += 1
            }
            if index > plain { scalars.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<index])) }
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard let text = String(validating: scalars, as: UTF8.self) else {
                    throw failure(.invalidUTF8String, at: start, pythonAt: quote)
                }
                index += 1
                return text
            }
            if byte < 0x20 { throw failure(.controlCharacter) }
            let escapeStart = index
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append(0x22)
            case UInt8(ascii: "\\"): scalars.append(0x5C)
            case UInt8(ascii: "/"): scalars.append(0x2F)
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"):
                let scalar = try parseUnicodeEscape(escapeStart: escapeStart)
                scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw failure(.invalidEscape, at: index, pythonAt: escapeStart)
            }
        }
        throw failure(.unterminatedString, at: index, pythonAt: quote)
    }

    /// Reads the four hex digits after `\u` (and a low surrogate escape after a high one).
    private mutating func parseUnicodeEscape(escapeStart: Int) throws(JSONParseError) -> Unicode.Scalar {
        var code = try parseHex4(escapeStart: escapeStart)
        if (0xD800..<0xDC00).contains(code) {
            let hasLow =
                index + 1 < bytes.count && bytes[index] == UInt8(ascii: "\\")
                && bytes[index + 1] == UInt8(ascii: "u")
            if hasLow {
                let saved = index
                index += 2
                let low = try parseHex4(escapeStart: saved)
                if (0xDC00..<0xE000).contains(low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if options.replacesLoneSurrogates {
                    index = saved
                } else {
                    throw failure(.invalidLowSurrogate, at: index, pythonAt: saved)
                }
            } else if !options.replacesLoneSurrogates {
                throw failure(.loneHighSurrogate, at: index, pythonAt: escapeStart)
            }
        } else if (0xDC00..<0xE000).contains(code), !options.replacesLoneSurrogates {
            throw failure(.loneLowSurrogate, at: index, pythonAt: escapeStart)
        }
        // A lone surrogate cannot live in a Swift string; Python keeps it, this substitutes U+FFFD.
        return Unicode.Scalar(code) ?? "\u{FFFD}"
    }

    private mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure(.shortUnicodeEscape, at: index, pythonAt: escapeStart) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure(.invalidHexDigit, at: index, pythonAt: escapeStart)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
