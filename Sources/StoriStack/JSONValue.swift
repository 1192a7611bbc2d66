/// A JSON value that keeps the order of object keys and the difference between integers and floats, because the
/// simulated services answer byte for byte like Python: `json.dumps` writes keys in insertion order and `1` and
/// `1.0` differently.
enum JSONValue: Sendable, Equatable {
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
    case array([JSONValue])
    /// An object, keys in order.
    case object(JSONObject)

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
    var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object, if this is one.
    var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is `null`.
    var isNull: Bool { self == .null }

    /// Member lookup on an object (nil for a missing key or a non-object).
    subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// Element lookup on an array (nil out of range or for a non-array).
    subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}

/// A JSON object whose keys keep their insertion order; setting a key to nil removes it.
struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The members in order.
    private(set) var members: [(key: String, value: JSONValue)]

    /// An empty object.
    init() {
        members = []
    }

    /// An object from members in order (a later duplicate key replaces the earlier value in place).
    init(_ members: [(String, JSONValue)]) {
        self.members = []
        for (key, value) in members { self[key] = value }
    }

    /// An object literal; members whose value is nil are left out, which is how null fields are omitted.
    init(dictionaryLiteral elements: (String, JSONValue?)...) {
        members = []
        for (key, value) in elements where value != nil { self[key] = value }
    }

    /// The keys in order.
    var keys: [String] { members.map(\.key) }

    /// Whether there are no members.
    var isEmpty: Bool { members.isEmpty }

    /// The value for `key`; assigning nil removes the key, assigning to an existing key keeps its position.
    subscript(key: String) -> JSONValue? {
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
    mutating func merge(_ other: JSONObject) {
        for (key, value) in other.members { self[key] = value }
    }

    /// Equal when the members are equal in order.
    static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
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
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An object literal; nil members are left out.
    init(dictionaryLiteral elements: (String, JSONValue?)...) {
        var object = JSONObject()
        for (key, value) in elements where value != nil { object[key] = value }
        self = .object(object)
    }
    /// `null`.
    init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// A string, or nil (an omitted field) when `value` is nil.
    static func optional(_ value: String?) -> JSONValue? { value.map { .string($0) } }
    /// An integer, or nil when `value` is nil.
    static func optional(_ value: Int?) -> JSONValue? { value.map { .int($0) } }
    /// A float, or nil when `value` is nil.
    static func optional(_ value: Double?) -> JSONValue? { value.map { .double($0) } }
    /// An array of strings.
    static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
}
