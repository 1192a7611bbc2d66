import HTTPWire
import JSON

/// JSON text appended piece by piece, for the records the recorder writes for every exchange: building a
/// `JSONValue` tree first and then walking it was a third of the cassette writer's time on small exchanges. Every
/// piece is written exactly as ``JSONWriter`` writes it in the compact and canonical styles, so the bytes are the
/// same as the tree's (`RecordEncodingTests` compares them).
struct JSONText {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    /// Text that needs no escaping: punctuation and member names written in the source.
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Text known to need no escaping that is not a literal: a lowercase hex digest.
    mutating func unescaped(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func string(_ text: String) {
        JSONWriter.writeString(text, escapingNonASCII: false, to: &bytes)
    }

    /// Literal text ending in a member name and its colon (`,"reason":`), then the member's string value.
    mutating func member(_ prefix: StaticString, _ value: String) {
        raw(prefix)
        string(value)
    }

    /// Literal text ending in a member name and its colon, then the member's integer value.
    mutating func member(_ prefix: StaticString, int value: Int) {
        raw(prefix)
        int(value)
    }

    mutating func optionalString(_ text: String?) {
        if let text { string(text) } else { raw("null") }
    }

    mutating func int(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func milliseconds(_ value: Double) {
        JSONWriter.write(.milliseconds(value), style: .compact, to: &bytes)
    }

    /// `[["name","value"],…]`, or with lowercase names left out when `excluding` holds them.
    mutating func headers(_ fields: [HTTPField], lowercased: Bool = false, excluding: Set<String> = []) {
        raw("[")
        var first = true
        for field in fields {
            let name = lowercased ? field.name.lowercased() : field.name
            if lowercased && excluding.contains(name) { continue }
            if !first { raw(",") }
            first = false
            raw("[")
            string(name)
            raw(",")
            string(field.value)
            raw("]")
        }
        raw("]")
    }
}
