#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

extension UUID {
    /// Creates the name-based UUID of `name` in `namespace`: RFC 9562 UUIDv8 with SHA-256
    /// (Appendix B.2).
    ///
    /// The first 16 bytes of SHA-256(namespace bytes ‖ UTF-8 of `name`), with the version nibble
    /// set to 8 and the variant bits to `10`. The same namespace and name give the same UUID
    /// everywhere, which is how the harness derives ids from its seed and run id.
    public init(namespace: UUID, name: String) {
        var hasher = SHA256()
        withUnsafeBytes(of: namespace.uuid) { hasher.update($0) }
        hasher.update(name)
        let digest = hasher.finalize().bytes
        var raw = namespace.uuid
        withUnsafeMutableBytes(of: &raw) { bytes in
            for index in 0..<16 {
                bytes[index] = digest[index]
            }
            bytes[6] = (bytes[6] & 0x0F) | 0x80
            bytes[8] = (bytes[8] & 0x3F) | 0x80
        }
        self.init(uuid: raw)
    }

    /// The canonical 36-character form in lowercase, as RFC 9562 prints UUIDs.
    public var lowercasedString: String {
        self.uuidString.lowercased()
    }

    /// The RFC 9562 namespace for fully qualified domain names.
    public static let namespaceDNS = UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!

    /// The RFC 9562 namespace for URLs.
    public static let namespaceURL = UUID(uuidString: "6ba7b811-9dad-11d1-80b4-00c04fd430c8")!

    /// The RFC 9562 namespace for ISO OIDs.
    public static let namespaceOID = UUID(uuidString: "6ba7b812-9dad-11d1-80b4-00c04fd430c8")!

    /// The RFC 9562 namespace for X.500 distinguished names.
    public static let namespaceX500 = UUID(uuidString: "6ba7b814-9dad-11d1-80b4-00c04fd430c8")!
}
