import Hashing
import Testing

@Suite struct HMACSHA256Tests {
    private static func bytes(_ text: String) -> [UInt8] {
        Array(text.utf8)
    }

    private static func repeated(_ byte: UInt8, _ count: Int) -> [UInt8] {
        [UInt8](repeating: byte, count: count)
    }

    /// RFC 4231 test cases 1–4, 6 and 7 give the published HMAC-SHA256 values (6 and 7 use a 131-byte key, hashed first).
    @Test(arguments: [
        (
            repeated(0x0b, 20), bytes("Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        (
            bytes("Jefe"), bytes("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        (
            repeated(0xaa, 20), repeated(0xdd, 50),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        ),
        (
            Array(1...25), repeated(0xcd, 50),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        (
            repeated(0xaa, 131), bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
        (
            repeated(0xaa, 131),
            bytes(
                "This is a test using a larger than block-size key and a larger than block-size data. "
                    + "The key needs to be hashed before being used by the HMAC algorithm."
            ),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        ),
    ])
    func rfc4231(key: [UInt8], message: [UInt8], expected: String) {
        #expect(HMACSHA256.authenticationCode(for: message, key: key).hex == expected)
    }

    /// RFC 4231 test case 5 (output truncated to 128 bits) matches on the first 16 bytes.
    @Test func rfc4231TruncatedCase5() {
        let code = HMACSHA256.authenticationCode(
            for: Self.bytes("Test With Truncation"),
            key: Self.repeated(0x0c, 20)
        )
        #expect(Hex.encode(code.bytes.prefix(16)) == "a3b6167473100ee06e0c796c2955552b")
    }

    /// Streaming the message in pieces gives the one-shot code, and String input equals its UTF-8 bytes.
    @Test func streamingEqualsOneShot() {
        let key = Self.bytes("Jefe")
        var authenticator = HMACSHA256(key: key)
        authenticator.update("what do ya ")
        authenticator.update(Self.bytes("want for "))
        authenticator.update("nothing?".utf8)
        #expect(
            authenticator.finalize().hex == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        )
    }

    /// A 64-byte key is used as is while a 65-byte key is hashed first, so the two give different codes.
    @Test func blockSizeKeyBoundary() {
        let message = Self.bytes("m")
        let exact = HMACSHA256.authenticationCode(for: message, key: Self.repeated(0x61, 64))
        let longer = HMACSHA256.authenticationCode(for: message, key: Self.repeated(0x61, 65))
        let hashedKey = HMACSHA256.authenticationCode(
            for: message,
            key: SHA256.hash(Self.repeated(0x61, 65)).bytes
        )
        #expect(exact != longer)
        #expect(longer == hashedKey)
    }
}
