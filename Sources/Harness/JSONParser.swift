/// Why a body is not JSON, worded and positioned the way Python's `json` module reports it (FastAPI copies both into
/// its `json_invalid` error).
struct JSONSyntaxError: Error, Equatable {
    /// Python's message, e.g. `Expecting value`.
    var message: String
    /// The offset in characters (code points) where Python stops.
    var position: Int
}

/// A strict RFC 8259 parser that keeps key order and the int/float distinction, with Python-shaped errors.
struct JSONParser {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var depth = 0
    private static let maxDepth = 512

    /// Parses a whole document; trailing whitespace is allowed, anything else after the value is `Extra data`.
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSON {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw JSONSyntaxError(message: "Invalid UTF-8 in request body", position: 0)
        }
        return try parse(text)
    }

    /// Parses a whole document from text.
    static func parse(_ text: String) throws(JSONSyntaxError) -> JSON {
        var parser = JSONParser(scalars: Array(text.unicodeScalars))
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index < parser.scalars.count {
            throw JSONSyntaxError(message: "Extra data", position: parser.index)
        }
        return value
    }

    private init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func skipWhitespace() {
        while let scalar = current, scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
            index += 1
        }
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSON {
        guard let scalar = current else { throw JSONSyntaxError(message: "Expecting value", position: index) }
        switch scalar {
        case "{": return try parseObject()
        case "[": return try parseArray()
        case "\"": return .string(try parseString())
        case "t": return try literal("true", .bool(true))
        case "f": return try literal("false", .bool(false))
        case "n": return try literal("null", .null)
        case "-", "0"..."9": return try parseNumber()
        default: throw JSONSyntaxError(message: "Expecting value", position: index)
        }
    }

    private mutating func literal(_ word: String, _ value: JSON) throws(JSONSyntaxError) -> JSON {
        let wordScalars = Array(word.unicodeScalars)
        guard index + wordScalars.count <= scalars.count,
            Array(scalars[index..<(index + wordScalars.count)]) == wordScalars
        else { throw JSONSyntaxError(message: "Expecting value", position: index) }
        index += wordScalars.count
        return value
    }

    private mutating func nest() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maxDepth {
            throw JSONSyntaxError(message: "maximum recursion depth exceeded", position: index)
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSON {
        try nest()
        defer { depth -= 1 }
        index += 1
        var object = JSONFields()
        skipWhitespace()
        if current == "}" {
            index += 1
            return .object(object)
        }
        while true {
            guard current == "\"" else {
                throw JSONSyntaxError(message: "Expecting property name enclosed in double quotes", position: index)
            }
            let key = try parseString()
            skipWhitespace()
            guard current == ":" else { throw JSONSyntaxError(message: "Expecting ':' delimiter", position: index) }
            index += 1
            skipWhitespace()
            object[key] = try parseValue()
            skipWhitespace()
            if current == "}" {
                index += 1
                return .object(object)
            }
            guard current == "," else { throw JSONSyntaxError(message: "Expecting ',' delimiter", position: index) }
            index += 1
            skipWhitespace()
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSON {
        try nest()
        defer { depth -= 1 }
        index += 1
        var elements: [JSON] = []
        skipWhitespace()
        if current == "]" {
            index += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            if current == "]" {
                index += 1
                return .array(elements)
            }
            guard current == "," else { throw JSONSyntaxError(message: "Expecting ',' delimiter", position: index) }
            index += 1
            skipWhitespace()
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = index
        index += 1
        var result = String.UnicodeScalarView()
        while true {
            guard let scalar = current else {
                throw JSONSyntaxError(message: "Unterminated string starting at", position: start)
            }
            if scalar == "\"" {
                index += 1
                return String(result)
            }
            if scalar.value < 0x20 {
                throw JSONSyntaxError(message: "Invalid control character at", position: index)
            }
            if scalar != "\\" {
                result.append(scalar)
                index += 1
                continue
            }
            let escapeStart = index
            index += 1
            guard let escaped = current else {
                throw JSONSyntaxError(message: "Unterminated string starting at", position: start)
            }
            index += 1
            switch escaped {
            case "\"": result.append("\"")
            case "\\": result.append("\\")
            case "/": result.append("/")
            case "b": result.append("\u{08}")
            case "f": result.append("\u{0C}")
            case "n": result.append("\n")
            case "r": result.append("\r")
            case "t": result.append("\t")
            case "u":
                var code = try hex4(at: escapeStart)
                if (0xD800..<0xDC00).contains(code), index + 1 < scalars.count, scalars[index] == "\\",
                    scalars[index + 1] == "u"
                {
                    let saved = index
                    index += 2
                    let low = try hex4(at: saved)
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        index = saved
                    }
                }
                // A lone surrogate cannot live in a Swift string; Python keeps it, we substitute U+FFFD.
                result.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default:
                throw JSONSyntaxError(message: "Invalid \\escape", position: escapeStart)
            }
        }
    }

    private mutating func hex4(at escapeStart: Int) throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= scalars.count else {
            throw JSONSyntaxError(message: "Invalid \\uXXXX escape", position: escapeStart)
        }
        var value: UInt32 = 0
        for scalar in scalars[index..<(index + 4)] {
            guard let digit = Character(scalar).hexDigitValue else {
                throw JSONSyntaxError(message: "Invalid \\uXXXX escape", position: escapeStart)
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSON {
        let start = index
        if current == "-" { index += 1 }
        guard let first = current, ("0"..."9").contains(first) else {
            throw JSONSyntaxError(message: "Expecting value", position: start)
        }
        if first == "0" {
            index += 1
        } else {
            while let digit = current, ("0"..."9").contains(digit) { index += 1 }
        }
        var isFloat = false
        if current == ".", index + 1 < scalars.count, ("0"..."9").contains(scalars[index + 1]) {
            isFloat = true
            index += 1
            while let digit = current, ("0"..."9").contains(digit) { index += 1 }
        }
        if current == "e" || current == "E" {
            var probe = index + 1
            if probe < scalars.count, scalars[probe] == "+" || scalars[probe] == "-" { probe += 1 }
            if probe < scalars.count, ("0"..."9").contains(scalars[probe]) {
                isFloat = true
                index = probe
                while let digit = current, ("0"..."9").contains(digit) { index += 1 }
            }
        }
        let text = String(String.UnicodeScalarView(scalars[start..<index]))
        if !isFloat, let integer = Int(text) { return .int(integer) }
        return .double(Double(text) ?? .infinity)
    }
}
