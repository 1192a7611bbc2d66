/// Byte classes from RFC 9110 §5.6 and helpers for ASCII text, shared by every parser in the module.
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let nul: UInt8 = 0x00

    /// `tchar` of RFC 9110 §5.6.2: the bytes a method or field name may contain.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Space or horizontal tab (`OWS` of RFC 9110 §5.6.3).
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    /// A byte allowed inside a field value or reason phrase: HTAB, SP, VCHAR or obs-text.
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    /// A byte allowed in a request target: visible ASCII (RFC 3986 characters; anything else must be
    /// percent-encoded).
    static func isTargetByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The value of a hexadecimal digit, or nil.
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte + 0x20 : byte
    }

    /// Compares two strings ignoring ASCII case (header names and tokens are ASCII).
    static func equalsIgnoringCase(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        let left = lhs.utf8
        let right = rhs.utf8
        guard left.count == right.count else { return false }
        // Header lookups run several times per proxied request: compare the contiguous bytes directly when both
        // strings have them (native strings always do).
        let compared = left.withContiguousStorageIfAvailable { a in
            right.withContiguousStorageIfAvailable { b in
                for index in 0..<a.count where lowercased(a[index]) != lowercased(b[index]) { return false }
                return true
            }
        }
        if let compared, let compared { return compared }
        return zip(left, right).allSatisfy { lowercased($0) == lowercased($1) }
    }

    /// Decodes header text: UTF-8 when valid, otherwise ISO-8859-1 (every byte one scalar), so no
    /// information is lost for the obs-text bytes older peers send.
    static func decodeFieldText(_ bytes: some Collection<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) {
            return text
        }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
        return String(scalars)
    }

    /// A short human rendering of one byte for error messages: `'a'`, `SP`, `CR`, `0x00`.
    static func describe(_ byte: UInt8) -> String {
        switch byte {
        case space: return "SP"
        case tab: return "HTAB"
        case cr: return "CR"
        case lf: return "LF"
        case 0x21..<0x7F: return "'\(Character(Unicode.Scalar(byte)))'"
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            return "0x" + (hex.count == 1 ? "0" + hex : hex)
        }
    }

    /// Splits comma-separated list values (RFC 9110 §5.6.1), trims OWS and drops empty elements.
    static func listElements(_ values: [String]) -> [Substring] {
        values.flatMap { value in
            value.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingOWS() }
                .filter { !$0.isEmpty }
        }
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    package func trimmingOWS() -> Substring {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isOWS($0) }) else { return self[endIndex...] }
        let last = lastIndex(where: { !isOWS($0) })!
        return self[first...last]
    }
}
