/// Returns a 64-bit hash of `parts` that is the same on every machine, process and run.
///
/// Defined as the first eight bytes, read big-endian, of the SHA-256 of the UTF-8 of the parts
/// joined with U+001F (INFORMATION SEPARATOR ONE, the byte 0x1F). The separator keeps
/// `["ab", "c"]` and `["a", "bc"]` apart; parts must not themselves contain U+001F, or two
/// different lists could join to the same bytes. Unlike `Hasher`, nothing is seeded per process.
///
/// The harness picks a prompt as `stableHash(sortedIDs + [seed]) % UInt64(count)`.
public func stableHash(_ parts: [String]) -> UInt64 {
    var hasher = SHA256()
    for (index, part) in parts.enumerated() {
        if index > 0 {
            hasher.update([0x1F])
        }
        hasher.update(part)
    }
    return hasher.finalize().leadingWord
}
