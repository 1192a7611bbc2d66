#if canImport(Glibc)
    import Glibc
#endif

/// Finding bytes in bytes: `memchr` for the needle's first byte, then `memcmp` for the rest. The C library looks at
/// many bytes at a time where a Swift loop looks at one, and these searches run over every body the redactor
/// scrubs and every line the tree loader filters.
public enum ByteSearch {
    /// The offset of the first occurrence of `needle` in `haystack` at or after `start`, or nil. An empty needle
    /// occurs at `start` (when `start` is within the haystack or at its end). `memchr`, `memcmp`
    public static func firstOffset(
        of needle: UnsafeRawBufferPointer,
        in haystack: UnsafeRawBufferPointer,
        from start: Int = 0
    ) -> Int? {
        precondition(start >= 0, "a search starts at a byte of the haystack")
        guard let first = needle.first else { return start <= haystack.count ? start : nil }
        guard let base = haystack.baseAddress, let needleBase = needle.baseAddress, haystack.count >= needle.count
        else { return nil }
        let lastStart = haystack.count - needle.count
        var offset = start
        while offset <= lastStart {
            guard let found = memchr(base + offset, Int32(first), lastStart - offset + 1) else { return nil }
            let position = base.distance(to: UnsafeRawPointer(found))
            if memcmp(base + position, needleBase, needle.count) == 0 { return position }
            offset = position + 1
        }
        return nil
    }
}

extension String {
    /// Whether `needle` may occur in this string as Foundation's `contains` finds it: false only when it certainly
    /// does not. Foundation converts both strings to UTF-16 and also matches canonically equivalent spellings, which
    /// made `contains` the largest single cost of redacting and comparing artifacts; a search of the UTF-8 bytes
    /// answers "no" for almost every string at a fraction of that cost. Where the bytes are absent, so is every
    /// equivalent spelling of an ASCII needle, except for the three non-ASCII characters canonically equivalent to
    /// ASCII ones (KELVIN SIGN to `K`, GREEK QUESTION MARK to `;`, GREEK VARIA to `` ` ``): for a needle with those
    /// or with non-ASCII characters the answer is always "maybe" (true).
    public func mayContain(_ needle: String) -> Bool {
        guard needle.utf8.allSatisfy({ $0 < 0x80 && !Self.asciiWithEquivalents.contains($0) }) else { return true }
        var haystack = self
        var needle = needle
        return haystack.withUTF8 { haystack in
            needle.withUTF8 { needle in
                ByteSearch.firstOffset(of: UnsafeRawBufferPointer(needle), in: UnsafeRawBufferPointer(haystack)) != nil
            }
        }
    }

    /// The ASCII characters that a non-ASCII character is canonically equivalent to.
    private static let asciiWithEquivalents: Set<UInt8> = [UInt8(ascii: "K"), UInt8(ascii: ";"), UInt8(ascii: "`")]
}
