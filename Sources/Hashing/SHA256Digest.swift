/// A 32-byte SHA-256 digest.
///
/// Stored inline as four big-endian 64-bit words, so it is cheap to copy, compare and hash.
/// Equality is ordinary (not constant-time) comparison.
public struct SHA256Digest: Sendable, Hashable {
    /// The number of bytes in a digest.
    public static let byteCount = 32

    private let word0: UInt64
    private let word1: UInt64
    private let word2: UInt64
    private let word3: UInt64

    init(state: SHA256.State) {
        self.word0 = UInt64(state.h0) << 32 | UInt64(state.h1)
        self.word1 = UInt64(state.h2) << 32 | UInt64(state.h3)
        self.word2 = UInt64(state.h4) << 32 | UInt64(state.h5)
        self.word3 = UInt64(state.h6) << 32 | UInt64(state.h7)
    }

    /// Creates a digest from exactly 32 bytes; returns nil for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        for (index, byte) in bytes.enumerated() {
            words[index / 8] = words[index / 8] << 8 | UInt64(byte)
        }
        self.word0 = words[0]
        self.word1 = words[1]
        self.word2 = words[2]
        self.word3 = words[3]
    }

    /// Creates a digest from 64 hexadecimal digits (either case); returns nil for anything else.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// The 32 digest bytes, most significant first.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.byteCount) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.storeBytes(of: self.word0.bigEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: self.word1.bigEndian, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: self.word2.bigEndian, toByteOffset: 16, as: UInt64.self)
            raw.storeBytes(of: self.word3.bigEndian, toByteOffset: 24, as: UInt64.self)
            initialized = Self.byteCount
        }
    }

    /// The digest as 64 lowercase hexadecimal digits.
    public var hex: String {
        Hex.encode(self.bytes)
    }

    /// The first eight digest bytes read as a big-endian integer.
    var leadingWord: UInt64 {
        self.word0
    }
}

extension SHA256Digest: CustomStringConvertible {
    /// The digest as 64 lowercase hexadecimal digits.
    public var description: String {
        self.hex
    }
}
