/// Serialises ``JSONValue``s as UTF-8 bytes.
///
/// Strings escape exactly `"` `\` and the control characters U+0000…U+001F (as `\n`, `\r`, `\t`, `\b`, `\f`,
/// or `\u00XX` with lowercase hex); every other character, `/` and non-ASCII included, is written as its UTF-8
/// bytes. Numbers are written as their text. This is the one serialisation used for cassette records, the
/// index, HAR files and (with ``Style/canonical``) the digests.
public enum JSONWriter {
    /// How members and whitespace are laid out.
    public enum Style: Sendable {
        /// One line, members in their order, no whitespace.
        case compact
        /// One line, no whitespace, object members sorted by the UTF-8 bytes of their keys.
        case canonical
        /// Two-space indentation, members in their order, `": "` after keys.
        case pretty
    }

    /// The bytes of `value` in `style`.
    public static func bytes(_ value: JSONValue, style: Style = .compact) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(value, style: style, indent: 0, to: &output)
        return output
    }

    /// `value` in `style` as a string.
    public static func string(_ value: JSONValue, style: Style = .compact) -> String {
        String(decoding: bytes(value, style: style), as: UTF8.self)
    }

    /// Appends `value` to `output`.
    public static func write(_ value: JSONValue, style: Style, indent: Int = 0, to output: inout [UInt8]) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text):
            output.append(contentsOf: text.utf8)
        case .string(let text):
            writeString(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            if style == .pretty && !elements.isEmpty {
                for (position, element) in elements.enumerated() {
                    if position > 0 { output.append(UInt8(ascii: ",")) }
                    newline(indent + 1, to: &output)
                    write(element, style: style, indent: indent + 1, to: &output)
                }
                newline(indent, to: &output)
            } else {
                for (position, element) in elements.enumerated() {
                    if position > 0 { output.append(UInt8(ascii: ",")) }
                    write(element, style: style, indent: indent, to: &output)
                }
            }
            output.append(UInt8(ascii: "]"))
        case .object(var members):
            if style == .canonical {
                members.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            }
            output.append(UInt8(ascii: "{"))
            for (position, (key, member)) in members.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                if style == .pretty { newline(indent + 1, to: &output) }
                writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                if style == .pretty { output.append(UInt8(ascii: " ")) }
                write(member, style: style, indent: indent + 1, to: &output)
            }
            if style == .pretty && !members.isEmpty { newline(indent, to: &output) }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ indent: Int, to output: inout [UInt8]) {
        output.append(0x0A)
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string literal.
    public static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { buffer in
            var runStart = 0
            for position in 0..<buffer.count {
                let byte = buffer[position]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                if runStart < position {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<position]))
                }
                runStart = position + 1
                output.append(UInt8(ascii: "\\"))
                switch byte {
                case 0x22: output.append(0x22)
                case 0x5C: output.append(0x5C)
                case 0x0A: output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "t"))
                case 0x08: output.append(UInt8(ascii: "b"))
                case 0x0C: output.append(UInt8(ascii: "f"))
                default:
                    output.append(contentsOf: "u00".utf8)
                    output.append(hexDigits[Int(byte >> 4)])
                    output.append(hexDigits[Int(byte & 0x0F)])
                }
            }
            if runStart < buffer.count { output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart...])) }
        }
        output.append(UInt8(ascii: "\""))
    }
}
