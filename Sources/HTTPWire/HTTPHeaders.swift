/// One header (or trailer) field: a name and its value, as written on the wire.
public struct HTTPField: Sendable, Equatable, Hashable {
    /// The field name in its original case; compare it with `HTTPHeaders` lookups, which ignore case.
    public var name: String
    /// The field value with surrounding whitespace removed.
    public var value: String

    /// Creates a field from a name and a value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Whether `name` may be a field name: one or more token characters (RFC 9110 §5.1, §5.6.2).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(ASCII.isTokenByte)
    }
}

/// An ordered list of header fields that keeps the original order and case of every name.
///
/// Lookups ignore the case of names (RFC 9110 §5.1); equality compares the list exactly, order and
/// case included, which is what a recording needs.
public struct HTTPHeaders: Sendable, Equatable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// The fields in their original order and case.
    public private(set) var fields: [HTTPField]

    /// Creates an empty header list.
    public init() {
        fields = []
    }

    /// Creates a header list from name/value pairs, keeping their order.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { HTTPField(name: $0.0, value: $0.1) }
    }

    /// Creates a header list from fields, keeping their order.
    public init(fields: [HTTPField]) {
        self.fields = fields
    }

    /// Creates a header list from a literal such as `["Content-Type": "text/plain"]`, in literal order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The number of fields, counting repeated names separately.
    public var count: Int { fields.count }

    /// Whether there are no fields at all.
    public var isEmpty: Bool { fields.isEmpty }

    /// The value of the first field with this name (case-insensitive), or nil when there is none.
    public subscript(name: String) -> String? {
        fields.first { ASCII.equalsIgnoringCase($0.name, name) }?.value
    }

    /// Every value of fields with this name (case-insensitive), in order.
    public func values(named name: String) -> [String] {
        fields.filter { ASCII.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    /// How many fields have this name (case-insensitive).
    public func count(named name: String) -> Int {
        fields.count { ASCII.equalsIgnoringCase($0.name, name) }
    }

    /// Whether at least one field has this name (case-insensitive).
    public func contains(_ name: String) -> Bool {
        fields.contains { ASCII.equalsIgnoringCase($0.name, name) }
    }

    /// Adds a field at the end, keeping any existing fields of the same name.
    public mutating func append(name: String, value: String) {
        fields.append(HTTPField(name: name, value: value))
    }

    /// Removes every field with this name (case-insensitive) and appends one field with the value.
    public mutating func set(name: String, value: String) {
        remove(named: name)
        append(name: name, value: value)
    }

    /// Removes every field with this name (case-insensitive).
    public mutating func remove(named name: String) {
        fields.removeAll { ASCII.equalsIgnoringCase($0.name, name) }
    }

    /// Whether a comma-separated list header (such as `Connection`) has this token, ignoring case.
    public func containsToken(_ token: String, inList name: String) -> Bool {
        // Per proxied request several times (keep-alive checks): no arrays or strings made on the way.
        fields.contains { field in
            ASCII.equalsIgnoringCase(field.name, name)
                && field.value.split(separator: ",").contains { ASCII.equalsIgnoringCase($0.trimmingOWS(), token) }
        }
    }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[HTTPField]> {
        fields.makeIterator()
    }

    /// Appends `Name: value\r\n` for every field; CR, LF and NUL, which would break the framing, are
    /// written as spaces.
    func serialize(into bytes: inout [UInt8]) {
        for field in fields {
            Self.appendSafely(field.name, to: &bytes)
            bytes.append(ASCII.colon)
            bytes.append(ASCII.space)
            Self.appendSafely(field.value, to: &bytes)
            bytes.append(ASCII.cr)
            bytes.append(ASCII.lf)
        }
    }

    /// Appends the UTF-8 of `text`, replacing the bytes that would end a line or a string early.
    static func appendSafely(_ text: String, to bytes: inout [UInt8]) {
        let appendedWhole = text.utf8.withContiguousStorageIfAvailable { buffer in
            guard !buffer.contains(where: { $0 == ASCII.cr || $0 == ASCII.lf || $0 == ASCII.nul }) else { return false }
            bytes.append(contentsOf: buffer)
            return true
        }
        if appendedWhole == true { return }
        for byte in text.utf8 {
            bytes.append(byte == ASCII.cr || byte == ASCII.lf || byte == ASCII.nul ? ASCII.space : byte)
        }
    }
}
