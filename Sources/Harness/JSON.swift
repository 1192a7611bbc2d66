/// A JSON value that keeps the order of object keys and the difference between integers and floats, so files
/// and request bodies the harness writes are byte-for-byte reproducible from the same seed.
enum JSON: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without a fraction or exponent.
    case int(Int)
    /// A number written with a fraction or exponent (a Python `float`).
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSON])
    /// An object, keys in order.
    case object(JSONFields)

    /// The string, if this is one.
    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number as a `Double` (integers too), if this is a number.
    var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// The integer, if this is an integer literal or a float with no fraction.
    var intValue: Int? {
        switch self {
        case .int(let value): value
        case .double(let value) where value.rounded() == value && abs(value) < 9e15: Int(value)
        default: nil
        }
    }

    /// The Boolean, if this is one.
    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object, if this is one.
    var objectValue: JSONFields? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is `null`.
    var isNull: Bool { self == .null }

    /// Member lookup on an object (nil for a missing key or a non-object).
    subscript(key: String) -> JSON? {
        objectValue?[key]
    }
}

/// A JSON object whose keys keep their insertion order; setting a key to nil removes it.
struct JSONFields: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The members in order.
    private(set) var members: [(key: String, value: JSON)]

    /// An empty object.
    init() {
        members = []
    }

    /// An object from members in order (a later duplicate key replaces the earlier value in place).
    init(_ members: [(String, JSON)]) {
        self.members = []
        for (key, value) in members { self[key] = value }
    }

    /// An object literal; members whose value is nil are left out, which is how null fields are omitted.
    init(dictionaryLiteral elements: (String, JSON?)...) {
        members = []
        for (key, value) in elements where value != nil { self[key] = value }
    }

    /// The keys in order.
    var keys: [String] { members.map(\.key) }

    /// Whether there are no members.
    var isEmpty: Bool { members.isEmpty }

    /// The value for `key`; assigning nil removes the key, assigning to an existing key keeps its position.
    subscript(key: String) -> JSON? {
        get { members.first { $0.key == key }?.value }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    /// Appends every member of `other` (replacing equal keys in place).
    mutating func merge(_ other: JSONFields) {
        for (key, value) in other.members { self[key] = value }
    }

    /// Equal when the members are equal in order.
    static func == (lhs: JSONFields, rhs: JSONFields) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    /// A string literal.
    init(stringLiteral value: String) { self = .string(value) }
    /// An integer literal.
    init(integerLiteral value: Int) { self = .int(value) }
    /// A float literal.
    init(floatLiteral value: Double) { self = .double(value) }
    /// A Boolean literal.
    init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An array literal.
    init(arrayLiteral elements: JSON...) { self = .array(elements) }
    /// An object literal; nil members are left out.
    init(dictionaryLiteral elements: (String, JSON?)...) {
        var object = JSONFields()
        for (key, value) in elements where value != nil { object[key] = value }
        self = .object(object)
    }
    /// `null`.
    init(nilLiteral: ()) { self = .null }
}

extension JSON {
    /// A string, or nil (an omitted field) when `value` is nil.
    static func optional(_ value: String?) -> JSON? { value.map { .string($0) } }
    /// An integer, or nil when `value` is nil.
    static func optional(_ value: Int?) -> JSON? { value.map { .int($0) } }
    /// A float, or nil when `value` is nil.
    static func optional(_ value: Double?) -> JSON? { value.map { .double($0) } }
    /// An array of strings.
    static func strings(_ values: [String]) -> JSON { .array(values.map { .string($0) }) }
}

extension JSON {
    /// Parses a whole JSON document; nil when the bytes are not JSON.
    static func parse(_ bytes: [UInt8]) -> JSON? {
        try? JSONParser.parse(bytes)
    }

    /// Parses a whole JSON document from text; nil when it is not JSON.
    static func parse(_ text: String) -> JSON? {
        try? JSONParser.parse(text)
    }

    /// Compact JSON text (`,` and `:` separators, keys in insertion order).
    var compactText: String { JSONWriter.string(self) }

    /// Compact JSON bytes.
    var compactBytes: [UInt8] { JSONWriter.bytes(self) }

    /// The first member present among `keys` (for fields the services spell in camelCase or snake_case).
    func first(_ keys: String...) -> JSON? {
        for key in keys {
            if let value = self[key], !value.isNull { return value }
        }
        return nil
    }

    /// The object's members, or none when this is not an object.
    var members: [(key: String, value: JSON)] { objectValue?.members ?? [] }
}
