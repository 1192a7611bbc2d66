/// A JSON value that keeps what byte-exact output needs: the order of object members and the text of numbers.
///
/// Nothing goes through `Double` or a dictionary on the way from ``JSONParser`` to ``JSONWriter``, so members are
/// never reordered and numbers never rounded. Values built in Swift get the text Python would write:
/// ``int(_:)`` gives `1`, ``double(_:)`` gives `1.0` (`repr(float)`).
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, as its JSON text (e.g. `12`, `-0.5`, `1e3`).
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object whose members keep their order.
    case object(JSONObject)

    /// An object with exactly these members, in this order.
    public static func object(_ members: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(members)) }

    /// An integer number.
    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    /// A float written as Python's `repr(float)` writes it (`1.0`, `1e-05`, `1e+16`); `null` when not finite,
    /// as the services never send NaN or infinity.
    public static func double(_ value: Double) -> JSONValue {
        value.isFinite ? .number(pythonFloat(value)) : .null
    }

    /// A number of milliseconds rounded to three decimals (microseconds), written without a trailing `.0`.
    public static func milliseconds(_ value: Double) -> JSONValue {
        let micros = (value * 1000).rounded()
        guard micros.isFinite, abs(micros) < 9e15 else { return .number("0") }
        let whole = Int64(micros)
        let sign = whole < 0 ? "-" : ""
        let magnitude = whole.magnitude
        let integral = magnitude / 1000
        let fraction = magnitude % 1000
        if fraction == 0 { return .number("\(sign)\(integral)") }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return .number("\(sign)\(integral).\(digits)")
    }

    /// Python's `repr(float)` for a finite double: the shortest text that reads back as the same double, positional
    /// for magnitudes in [1e-4, 1e16) (with `.0` when integral) and `1e+16` style otherwise.
    public static func pythonFloat(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        let magnitude = abs(number)
        // Swift switches to exponent notation at 2^53, Python at 1e16: re-render the gap positionally.
        if magnitude >= 9_007_199_254_740_992 && magnitude < 1e16 {
            return String(Int64(number)) + ".0"
        }
        return number.description
    }

    /// A string, or nil (an omitted member) when `value` is nil.
    public static func optional(_ value: String?) -> JSONValue? { value.map { .string($0) } }
    /// An integer, or nil when `value` is nil.
    public static func optional(_ value: Int?) -> JSONValue? { value.map { .int($0) } }
    /// A float, or nil when `value` is nil.
    public static func optional(_ value: Double?) -> JSONValue? { value.map { .double($0) } }
    /// An array of strings.
    public static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
}

extension JSONValue {
    /// The string, or nil.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// Whether this is a number written without a fraction or exponent (a Python `int`).
    public var isInteger: Bool {
        guard case .number(let text) = self else { return false }
        return !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }

    /// The number when it is written without a fraction or exponent and fits `Int` (a Python `int`), or nil.
    public var integerValue: Int? {
        guard isInteger, case .number(let text) = self else { return nil }
        return Int(text)
    }

    /// The number when it is written with a fraction or exponent (a Python `float`), or nil.
    public var floatValue: Double? {
        guard !isInteger, case .number(let text) = self else { return nil }
        return Double(text)
    }

    /// The number as an `Int`: an integer that fits, or a float with no fraction below 9e15; nil otherwise.
    public var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        if let integer = Int(text) { return integer }
        guard let value = Double(text), value.rounded() == value, abs(value) < 9e15 else { return nil }
        return Int(value)
    }

    /// The number as a `Double` (integers too), or nil.
    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// The Boolean, or nil.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements of an array, or nil.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The object, or nil.
    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The members of an object in order, or none when this is not an object.
    public var members: [(key: String, value: JSONValue)] { objectValue?.members ?? [] }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The member named `key` of an object (the first, if repeated); nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The element at `index` of an array; nil out of range or for a non-array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The first member among `keys` that is present and not `null` (for fields spelled in camelCase or
    /// snake_case).
    public func first(_ keys: String...) -> JSONValue? {
        for key in keys {
            if let value = self[key], !value.isNull { return value }
        }
        return nil
    }

    /// Compact JSON text (``JSONWriter/Style/compact``).
    public var compactText: String { JSONWriter.string(self) }

    /// Compact JSON bytes (``JSONWriter/Style/compact``).
    public var compactBytes: [UInt8] { JSONWriter.bytes(self) }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    /// A string literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer literal.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A float literal, written as Python writes floats.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A Boolean literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An array literal.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An object literal; members whose value is nil are left out, which is how null fields are omitted.
    public init(dictionaryLiteral elements: (String, JSONValue?)...) {
        var object = JSONObject()
        for (key, value) in elements where value != nil { object[key] = value }
        self = .object(object)
    }
    /// `null`.
    public init(nilLiteral: ()) { self = .null }
}
