import Foundation
import Hashing
import Testing

@Suite struct IdentifierTests {
    /// RFC 9562 Appendix B.2: UUIDv8 of "www.example.com" in the DNS namespace is 5c146b14-3c52-8afd-938a-375d0df1fbf6.
    @Test func rfc9562NameBasedVector() {
        let uuid = UUID(namespace: .namespaceDNS, name: "www.example.com")
        #expect(uuid.lowercasedString == "5c146b14-3c52-8afd-938a-375d0df1fbf6")
        #expect(UUID.namespaceDNS.lowercasedString == "6ba7b810-9dad-11d1-80b4-00c04fd430c8")
    }

    /// Name-based UUIDs always carry version 8 and the RFC variant, and differ by name and namespace.
    @Test func versionAndVariantBits() {
        for name in ["", "a", "r_000042/conversation", String(repeating: "x", count: 500)] {
            let uuid = UUID(namespace: .namespaceURL, name: name)
            let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 8, "version of \(name)")
            #expect(bytes[8] >> 6 == 0b10, "variant of \(name)")
            #expect(uuid == UUID(namespace: .namespaceURL, name: name))
            #expect(uuid != UUID(namespace: .namespaceDNS, name: name))
        }
        #expect(UUID(namespace: .namespaceOID, name: "a") != UUID(namespace: .namespaceOID, name: "b"))
    }

    /// stableHash is the first 8 bytes big-endian of SHA-256 over the parts joined by 0x1F (values computed independently).
    @Test func stableHashValues() {
        #expect(stableHash(["a", "b"]) == 0xf04c_dced_9736_a69d)
        #expect(stableHash(["r_000042", "1337"]) == 0x10f5_5696_2220_d0df)
        #expect(stableHash([]) == 0xe3b0_c442_98fc_1c14)
    }

    /// The separator keeps different splits of the same characters apart.
    @Test func stableHashSeparatesParts() {
        #expect(stableHash(["ab", "c"]) != stableHash(["a", "bc"]))
        #expect(stableHash(["abc"]) != stableHash(["ab", "c"]))
        #expect(stableHash([""]) == stableHash([]))
    }

    /// Hex encodes lowercase, decodes either case, and rejects odd lengths, non-digits and whitespace.
    @Test func hexRoundTrip() {
        let bytes: [UInt8] = [0x00, 0x01, 0x7f, 0x80, 0xab, 0xff]
        #expect(Hex.encode(bytes) == "00017f80abff")
        #expect(Hex.decode("00017f80abff") == bytes)
        #expect(Hex.decode("00017F80ABFF") == bytes)
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("ab cd") == nil)
        #expect(Hex.decode("0x12") == nil)
        let all = (0...255).map { UInt8($0) }
        #expect(Hex.decode(Hex.encode(all)) == all)
    }
}
