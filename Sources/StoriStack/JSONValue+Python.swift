import JSON

/// What Maestro's loosely typed handlers make of a JSON value: MUSE phrases are `dict[str, JSON]`, read field by
/// field with `str(...)`, `jint(...)` and `jfloat(...)` (`app/contracts/json_types.py`) instead of a model, so a
/// wrong type is coerced or replaced by a default rather than answered with a 422.
extension JSONValue {
    /// `str(value)` of the Python object the JSON decodes to: a string as it is, anything else as its `repr`
    /// (`None`, `True`, `12`, `12.0`, `['a', 1]`, `{'k': None}`).
    var pythonStr: String {
        if case .string(let text) = self { return text }
        return pythonRepr
    }

    /// Python's `repr` of the decoded value.
    var pythonRepr: String {
        switch self {
        case .null:
            return "None"
        case .bool(let flag):
            return flag ? "True" : "False"
        case .number(let text):
            if isInteger { return integerValue.map(String.init) ?? text }
            let number = Double(text) ?? .nan
            guard number.isFinite else { return number < 0 ? "-inf" : "inf" }
            return JSONValue.pythonFloat(number)
        case .string(let text):
            return Self.pythonQuoted(text)
        case .array(let elements):
            return "[" + elements.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .object(let object):
            let members = object.members.map { Self.pythonQuoted($0.key) + ": " + $0.value.pythonRepr }
            return "{" + members.joined(separator: ", ") + "}"
        }
    }

    /// `jint(value, default)`: `int(value)` for a number or a Boolean (a float truncates toward zero), `fallback`
    /// for anything else. Nil where `int()` raises, which the handler turns into a 500: a float that is not
    /// finite. Integers beyond `Int`, which Python would keep, are nil too (a limit of the simulator).
    func pythonJInt(default fallback: Int) -> Int? {
        switch self {
        case .bool(let flag):
            return flag ? 1 : 0
        case .number(let text):
            if isInteger { return Int(text) }
            guard let number = Double(text), number.isFinite, abs(number) < 9.2e18 else { return nil }
            return Int(number.rounded(.towardZero))
        default:
            return fallback
        }
    }

    /// `jfloat(value, default)`: `float(value)` for a number or a Boolean, `fallback` for anything else.
    func pythonJFloat(default fallback: Double) -> Double {
        switch self {
        case .bool(let flag): flag ? 1 : 0
        case .number(let text): Double(text) ?? fallback
        default: fallback
        }
    }

    /// Python's `repr(str)`: single quotes unless the text holds a single quote and no double one; backslash
    /// escapes for the quote, the backslash, `\t`, `\n`, `\r` and characters that are not printable.
    private static func pythonQuoted(_ text: String) -> String {
        let quote: Unicode.Scalar = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var result = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case quote, "\\": result += "\\" + String(scalar)
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            default:
                if isPrintable(scalar) {
                    result.unicodeScalars.append(scalar)
                } else {
                    let hex = String(scalar.value, radix: 16)
                    let width = scalar.value < 0x100 ? 2 : (scalar.value < 0x10000 ? 4 : 8)
                    let prefix = width == 2 ? "\\x" : (width == 4 ? "\\u" : "\\U")
                    result += prefix + String(repeating: "0", count: width - hex.count) + hex
                }
            }
        }
        return result + String(quote)
    }

    /// `str.isprintable()` for one character: everything but controls, format characters, surrogates, private
    /// use, unassigned code points and separators other than the space.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            return false
        default:
            return true
        }
    }
}
