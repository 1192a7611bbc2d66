#if canImport(Glibc)
    import Glibc
#endif

extension String {
    /// Whether `needle` may occur in this string as Foundation's `contains` finds it: false only when it certainly
    /// does not. Foundation converts both strings to UTF-16 and also matches canonically equivalent spellings, which
    /// made `contains` the largest single cost of redacting and comparing artifacts; a search of the UTF-8 bytes
    /// answers "no" for almost every string at a fraction of that cost. Where the bytes are absent, so is every
    /// equivalent spelling of an ASCII needle, except for the three non-ASCII characters canonically equivalent to
    /// ASCII ones (KELVIN SIGN to `K`, GREEK QUESTION MARK to `;`, GREEK VARIA to `` ` ``): for a needle with those
    /// or with non-ASCII characters the answer is always "maybe" (true). `memchr`, `memcmp`
    public func mayContain(_ needle: String) -> Bool {
        guard needle.utf8.allSatisfy({ $0 < 0x80 && !Self.asciiWithEquivalents.contains($0) }) else { return true }
        var haystack = self
        var needle = needle
        return haystack.withUTF8 { haystack in needle.withUTF8 { needle in Self.bytes(needle, occurIn: haystack) } }
    }

    /// Whether `needle` occurs in `haystack`: `memchr` for its first byte, then `memcmp` for the rest.
    private static func bytes(
        _ needle: UnsafeBufferPointer<UInt8>,
        occurIn haystack: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard let first = needle.first else { return true }
        guard let base = haystack.baseAddress, haystack.count >= needle.count else { return false }
        let lastStart = haystack.count - needle.count
        var offset = 0
        while offset <= lastStart {
            guard let found = memchr(base + offset, Int32(first), lastStart - offset + 1) else { return false }
            let position = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + position, needle.baseAddress!, needle.count) == 0 { return true }
            offset = position + 1
        }
        return false
    }

    /// The ASCII characters that a non-ASCII character is canonically equivalent to.
    private static let asciiWithEquivalents: Set<UInt8> = [UInt8(ascii: "K"), UInt8(ascii: ";"), UInt8(ascii: "`")]
}
