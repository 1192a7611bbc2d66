/// Serialises ``JSONValue``s as UTF-8 bytes.
///
/// Strings escape exactly `"` `\` and the control characters U+0000…U+001F (as `\n`, `\r`, `\t`, `\b`, `\f`,
/// or `\u00XX` with lowercase hex); every other character, `/` and non-ASCII included, is written as its UTF-8
/// bytes unless the style escapes non-ASCII (Python's `ensure_ascii=True`: everything above U+007E as `\uXXXX`,
/// astral characters as a surrogate pair). Numbers are written as their text.
public enum JSONWriter {
    /// How members, whitespace and characters are laid out.
    public struct Style: Sendable, Equatable {
        /// Between members and elements (`","`, or Python's default `", "`).
        public var itemSeparator: String
        /// Between a key and its value (`":"`, or Python's default `": "`).
        public var keySeparator: String
        /// Spaces per level; when above zero each member and element starts a new indented line.
        public var indentation: Int
        /// Sort object keys by the bytes of their UTF-8 (the same order as by code point; Python's `sort_keys`).
        public var sortsKeys: Bool
        /// Escape every character above U+007E as `\uXXXX` (Python's `ensure_ascii=True`).
        public var escapesNonASCII: Bool

        /// One line, members in their order, no whitespace: cassette records, FastAPI's `JSONResponse` and
        /// Maestro's SSE frames.
        public static let compact = Style(
            itemSeparator: ",",
            keySeparator: ":",
            indentation: 0,
            sortsKeys: false,
            escapesNonASCII: false
        )
        /// ``compact`` with object members sorted by key at every level: the text digests are computed over.
        public static let canonical = Style(
            itemSeparator: ",",
            keySeparator: ":",
            indentation: 0,
            sortsKeys: true,
            escapesNonASCII: false
        )
        /// Two-space indentation, members in their order, `": "` after keys (Python's `indent=2`, with
        /// `ensure_ascii=False`).
        public static let pretty = Style(
            itemSeparator: ",",
            keySeparator: ": ",
            indentation: 2,
            sortsKeys: false,
            escapesNonASCII: false
        )
        /// `json.dumps(obj, sort_keys=True)` with every other argument at its default.
        public static let pythonSorted = Style(
            itemSeparator: ", ",
            keySeparator: ": ",
            indentation: 0,
            sortsKeys: true,
            escapesNonASCII: true
        )
    }

    /// The bytes of `value` in `style`.
    public static func bytes(_ value: JSONValue, style: Style = .compact) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(value, style: style, to: &output)
        return output
    }

    /// `value` in `style` as a string.
    public static func string(_ value: JSONValue, style: Style = .compact) -> String {
        String(decoding: bytes(value, style: style), as: UTF8.self)
    }

    /// Appends `value` in `style` to `output`, as if it were nested `indent` levels deep.
    public static func write(_ value: JSONValue, style: Style, indent: Int = 0, to output: inout [UInt8]) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text):
            output.append(contentsOf: text.utf8)
        case .string(let text):
            writeString(text, escapingNonASCII: style.escapesNonASCII, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(contentsOf: style.itemSeparator.utf8) }
                newline(indent + 1, style: style, to: &output)
                write(element, style: style, indent: indent + 1, to: &output)
            }
            if !elements.isEmpty { newline(indent, style: style, to: &output) }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            var members = object.members
            if style.sortsKeys {
                members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            }
            output.append(UInt8(ascii: "{"))
            for (position, (key, member)) in members.enumerated() {
                if position > 0 { output.append(contentsOf: style.itemSeparator.utf8) }
                newline(indent + 1, style: style, to: &output)
                writeString(key, escapingNonASCII: style.escapesNonASCII, to: &output)
                output.append(contentsOf: style.keySeparator.utf8)
                write(member, style: style, indent: indent + 1, to: &output)
            }
            if !members.isEmpty { newline(indent, style: style, to: &output) }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ indent: Int, style: Style, to output: inout [UInt8]) {
        guard style.indentation > 0 else { return }
        output.append(0x0A)
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * style.indentation))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string literal, writing non-ASCII characters as UTF-8.
    public static func writeString(_ text: String, to output: inout [UInt8]) {
        writeString(text, escapingNonASCII: false, to: &output)
    }

    /// Appends `text` as a JSON string literal.
    public static func writeString(_ text: String, escapingNonASCII: Bool, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { buffer in
            output.reserveCapacity(output.count + buffer.count + 1)
            var runStart = 0
            for position in 0..<buffer.count {
                let byte = buffer[position]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C || (escapingNonASCII && byte > 0x7E) else {
                    continue
                }
                if runStart < position {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<position]))
                }
                runStart = position + 1
                if byte > 0x7E {
                    // Only the first byte of each scalar starts an escape; continuation bytes are skipped.
                    guard byte & 0xC0 != 0x80 else { continue }
                    var iterator = buffer[position...].makeIterator()
                    var parser = Unicode.UTF8.ForwardParser()
                    guard case .valid(let encoded) = parser.parseScalar(from: &iterator) else { continue }
                    let scalar = Unicode.UTF8.decode(encoded)
                    if scalar.value > 0xFFFF {
                        let value = scalar.value - 0x10000
                        unicodeEscape(0xD800 + (value >> 10), to: &output)
                        unicodeEscape(0xDC00 + (value & 0x3FF), to: &output)
                    } else {
                        unicodeEscape(scalar.value, to: &output)
                    }
                    continue
                }
                let shortEscape: UInt8? =
                    switch byte {
                    case 0x22, 0x5C: byte
                    case 0x0A: UInt8(ascii: "n")
                    case 0x0D: UInt8(ascii: "r")
                    case 0x09: UInt8(ascii: "t")
                    case 0x08: UInt8(ascii: "b")
                    case 0x0C: UInt8(ascii: "f")
                    default: nil
                    }
                if let shortEscape {
                    output.append(0x5C)
                    output.append(shortEscape)
                } else {
                    unicodeEscape(UInt32(byte), to: &output)
                }
            }
            if runStart < buffer.count { output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart...])) }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends `\u` and four lowercase hex digits.
    private static func unicodeEscape(_ value: UInt32, to output: inout [UInt8]) {
        output.append(contentsOf: [0x5C, UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(hexDigits[Int((value >> UInt32(shift)) & 0x0F)])
        }
    }
}
