/// The members of a JSON object, in order.
///
/// Setting a key through the subscript keeps its position (or appends it) and setting nil removes it, which is how
/// Python's `dict` behaves. Members given at once (an array literal, ``init(_:)``, a parsed document with
/// ``JSONParser/Options/mergesDuplicateKeys`` off) are kept exactly as given, repeated keys included.
public struct JSONObject: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral,
    ExpressibleByArrayLiteral
{
    /// One member: its key and value.
    public typealias Element = (key: String, value: JSONValue)

    /// The members in order.
    public private(set) var members: [Element]

    /// An empty object.
    public init() {
        members = []
    }

    /// An object with exactly these members, in this order.
    public init(_ members: some Sequence<(String, JSONValue)>) {
        self.members = members.map { (key: $0.0, value: $0.1) }
    }

    /// An object built as a Python `dict` is: a repeated key replaces the earlier value in place.
    public init(merging members: some Sequence<(String, JSONValue)>) {
        self.members = []
        for (key, value) in members { self[key] = value }
    }

    /// An object with exactly these members, in this order.
    public init(arrayLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    /// An object literal; members whose value is nil are left out, which is how null fields are omitted.
    public init(dictionaryLiteral elements: (String, JSONValue?)...) {
        members = []
        for (key, value) in elements where value != nil { self[key] = value }
    }

    /// The position of the first member.
    public var startIndex: Int { members.startIndex }

    /// The position after the last member.
    public var endIndex: Int { members.endIndex }

    /// The member at `position`.
    public subscript(position: Int) -> Element { members[position] }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }

    /// The value for `key` (the first, if repeated); assigning nil removes it, assigning to an existing key keeps its
    /// position.
    public subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    /// Appends `value` under `key` even when the key is already present.
    public mutating func append(_ key: String, _ value: JSONValue) {
        members.append((key, value))
    }

    /// Sets every member of `other` in turn (replacing equal keys in place).
    public mutating func merge(_ other: JSONObject) {
        for (key, value) in other.members { self[key] = value }
    }

    /// Equal when the members are equal in order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// Hashes the members in order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for (key, value) in members {
            hasher.combine(key)
            hasher.combine(value)
        }
    }
}
