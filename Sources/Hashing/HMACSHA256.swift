/// HMAC with SHA-256 (RFC 2104, test vectors in RFC 4231).
///
/// Use the one-shot `authenticationCode(for:key:)`, or create an instance with a key, feed the
/// message in pieces with `update`, and call `finalize()`. A key longer than the 64-byte block
/// is first replaced by its SHA-256 digest, as RFC 2104 requires.
public struct HMACSHA256: Sendable {
    private var inner = SHA256()
    private var outer = SHA256()

    /// Creates an authenticator keyed with `key`.
    public init(key: some Sequence<UInt8>) {
        var block = Array(key)
        if block.count > SHA256.blockSize {
            block = SHA256.hash(block).bytes
        }
        block += [UInt8](repeating: 0, count: SHA256.blockSize - block.count)
        self.inner.update(block.map { $0 ^ 0x36 })
        self.outer.update(block.map { $0 ^ 0x5c })
    }

    /// Adds the bytes of `buffer` to the message.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        self.inner.update(buffer)
    }

    /// Adds a byte array to the message.
    public mutating func update(_ bytes: [UInt8]) {
        self.inner.update(bytes)
    }

    /// Adds the UTF-8 encoding of `string` to the message.
    public mutating func update(_ string: String) {
        self.inner.update(string)
    }

    /// Adds a sequence of bytes to the message.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        self.inner.update(bytes)
    }

    /// Returns the authentication code of the message so far; the authenticator stays usable.
    public func finalize() -> SHA256Digest {
        var outer = self.outer
        outer.update(self.inner.finalize().bytes)
        return outer.finalize()
    }

    /// Returns the HMAC-SHA256 of `message` under `key`.
    public static func authenticationCode(
        for message: some Sequence<UInt8>,
        key: some Sequence<UInt8>
    ) -> SHA256Digest {
        var authenticator = HMACSHA256(key: key)
        authenticator.update(message)
        return authenticator.finalize()
    }
}
