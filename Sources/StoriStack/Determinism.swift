import Foundation
import Hashing
import Synchronization

/// Where every identifier and every random choice of the simulator comes from.
///
/// An id is the name-based UUID (``UUID/init(namespace:name:)``) of its parts under a namespace derived from the
/// stack's seed; a random choice is a generator seeded with ``stableHash(_:)`` of the seed and its parts. The parts
/// are always the request content plus a counter *scoped* to the store key, project or composition the request
/// belongs to, never a process-wide counter, the wall clock or `UUID()`. So the same seed and the same requests give
/// the same bytes, and two runs sharing a stack do not shift each other's ids.
struct Determinism: Sendable {
    /// The stack's seed.
    let seed: UInt64
    private let namespace: UUID

    /// The namespace under which every seed's namespace is derived.
    private static let root = UUID(namespace: .namespaceURL, name: "https://tdf.invalid/stori-stack")

    init(seed: UInt64) {
        self.seed = seed
        self.namespace = UUID(namespace: Self.root, name: "seed:\(seed)")
    }

    /// A lowercase UUID for `parts` (parts must not contain U+001F).
    func uuid(_ parts: String...) -> String {
        uuid(parts)
    }

    /// A lowercase UUID for `parts`.
    func uuid(_ parts: [String]) -> String {
        UUID(namespace: namespace, name: parts.joined(separator: "\u{1F}")).lowercasedString
    }

    /// A 64-bit hash of the seed and `parts`.
    func hash(_ parts: String...) -> UInt64 {
        hash(parts)
    }

    /// A 64-bit hash of the seed and `parts`.
    func hash(_ parts: [String]) -> UInt64 {
        stableHash([String(seed)] + parts)
    }

    /// A number in [0, 1) drawn from the seed and `parts` alone (no shared generator state).
    func unit(_ parts: String...) -> Double {
        Double(hash(parts) >> 11) / Double(UInt64(1) << 53)
    }

    /// A generator seeded from the seed and `parts`.
    func generator(_ parts: String...) -> SeededRandom {
        SeededRandom(seed: hash(parts))
    }

    /// The SHA-256 hex of `bytes`, used to fold request bodies into id parts.
    static func digest(_ bytes: [UInt8]) -> String {
        SHA256.hash(bytes).hex
    }
}

/// SplitMix64: small, fast and the same on every platform.
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A number in [0, 1).
    mutating func unit() -> Double {
        Double(next() >> 11) / Double(UInt64(1) << 53)
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// An integer in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }

    /// One element of a non-empty array.
    mutating func pick<T>(_ elements: [T]) -> T {
        elements[Int.random(in: 0..<elements.count, using: &self)]
    }
}

/// Counters kept per scope (a store key, a project, a request key): the n-th event *within that scope*, so unrelated
/// traffic never shifts it.
final class ScopedCounters: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    init() {}

    /// Returns the current count for `scope` (0 the first time) and increments it.
    func next(_ scope: String) -> Int {
        counts.withLock { counts in
            let value = counts[scope, default: 0]
            counts[scope] = value + 1
            return value
        }
    }
}
