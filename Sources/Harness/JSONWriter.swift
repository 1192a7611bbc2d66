/// Serialises ``JSON``s exactly as the Python services do.
enum JSONWriter {
    /// How to write.
    struct Style {
        /// Between members and elements (`","` compact, `", "` Python's default).
        var itemSeparator: String
        /// Between a key and its value (`":"` compact, `": "` Python's default).
        var keySeparator: String
        /// Escape every non-ASCII character as `\uXXXX` (Python's `ensure_ascii=True`).
        var ensureASCII: Bool
        /// Sort object keys by code point (Python's `sort_keys=True`).
        var sortKeys: Bool

        /// FastAPI/Starlette `JSONResponse` and Maestro's SSE frames: `(",", ":")`, `ensure_ascii=False`,
        /// insertion order.
        static let compact = Style(itemSeparator: ",", keySeparator: ":", ensureASCII: false, sortKeys: false)
        /// `json.dumps(obj, sort_keys=True)` with every other argument at its default.
        static let pythonSorted = Style(itemSeparator: ", ", keySeparator: ": ", ensureASCII: true, sortKeys: true)
    }

    /// The UTF-8 bytes of `value` in `style`.
    static func bytes(_ value: JSON, style: Style = .compact) -> [UInt8] {
        Array(string(value, style: style).utf8)
    }

    /// The text of `value` in `style`.
    static func string(_ value: JSON, style: Style = .compact) -> String {
        var output = ""
        write(value, style: style, to: &output)
        return output
    }

    private static func write(_ value: JSON, style: Style, to output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .double(let number): output += pythonFloat(number)
        case .string(let text): writeString(text, ensureASCII: style.ensureASCII, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += style.itemSeparator }
                write(element, style: style, to: &output)
            }
            output += "]"
        case .object(let object):
            var members = object.members
            if style.sortKeys {
                members.sort {
                    $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) { $0.value < $1.value }
                }
            }
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += style.itemSeparator }
                writeString(member.key, ensureASCII: style.ensureASCII, to: &output)
                output += style.keySeparator
                write(member.value, style: style, to: &output)
            }
            output += "}"
        }
    }

    /// Python's `repr(float)`: the shortest text that reads back as the same double, in positional notation for
    /// magnitudes in [1e-4, 1e16) (with `.0` when integral) and `1e+16` style otherwise. Non-finite values, which
    /// the services never send (`allow_nan=False`), are written as `null`.
    static func pythonFloat(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        let magnitude = abs(number)
        // Swift switches to exponent notation at 2^53, Python at 1e16: re-render the gap positionally.
        if magnitude >= 9_007_199_254_740_992 && magnitude < 1e16 {
            return String(Int64(number)) + ".0"
        }
        return number.description
    }

    private static func writeString(_ text: String, ensureASCII: Bool, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || (ensureASCII && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let value = scalar.value - 0x10000
                        output += hex4(0xD800 + (value >> 10))
                        output += hex4(0xDC00 + (value & 0x3FF))
                    } else {
                        output += hex4(scalar.value)
                    }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension JSONWriter {
    /// Indented text for files people read (`config.json`, `manifest.json`): two spaces, keys in insertion order.
    static func pretty(_ value: JSON) -> String {
        var output = ""
        writePretty(value, indent: 0, to: &output)
        return output + "\n"
    }

    private static func writePretty(_ value: JSON, indent: Int, to output: inout String) {
        let pad = String(repeating: "  ", count: indent + 1)
        let close = String(repeating: "  ", count: indent)
        switch value {
        case .array(let elements) where !elements.isEmpty:
            output += "[\n"
            for (index, element) in elements.enumerated() {
                output += pad
                writePretty(element, indent: indent + 1, to: &output)
                output += index == elements.count - 1 ? "\n" : ",\n"
            }
            output += close + "]"
        case .object(let object) where !object.isEmpty:
            output += "{\n"
            for (index, member) in object.members.enumerated() {
                output += pad + string(.string(member.key)) + ": "
                writePretty(member.value, indent: indent + 1, to: &output)
                output += index == object.members.count - 1 ? "\n" : ",\n"
            }
            output += close + "}"
        default:
            output += string(value)
        }
    }
}
