import Foundation
import TestSupport
import Testing

@testable import Hashing

@Suite struct SHA256Tests {
    /// The NIST FIPS 180-4 example messages hash to their published digests.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func nistVectors(message: String, expected: String) {
        #expect(SHA256.hash(message).hex == expected)
        #expect(SHA256.hash(Array(message.utf8)).hex == expected)
        #expect(SHA256.hash(message.utf8).hex == expected)
    }

    /// The CPU's SHA instructions and the Swift compression function give the same digests, at every length up to
    /// 300, from unaligned addresses, and over 1 MiB fed in uneven pieces. (On a CPU without SHA instructions both
    /// sides run the Swift one; `matchesSha256sum` still checks it against coreutils.)
    @Test func hardwareAndSwiftAgree() throws {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        if cpu.contains(" sha_ni") {
            #expect(SHA256.hasHardware, "this CPU has SHA instructions, so the comparison below must use them")
        }
        var generator = SeededGenerator(seed: 11)
        let message = generator.bytes(1 << 20)
        for length in 0...300 {
            let offset = length % 13
            var hardware = SHA256()
            var portable = SHA256(usingHardware: false)
            message.withUnsafeBytes { buffer in
                let unaligned = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)])
                hardware.update(unaligned)
                portable.update(unaligned)
            }
            #expect(hardware.finalize() == portable.finalize(), "length \(length)")
        }
        var hardware = SHA256()
        var portable = SHA256(usingHardware: false)
        var start = 0
        var piece = 1
        while start < message.count {
            let end = min(message.count, start + piece)
            hardware.update(message[start..<end])
            portable.update(message[start..<end])
            start = end
            piece = piece * 3 % 70_001 + 1
        }
        #expect(hardware.finalize() == portable.finalize())
        #expect(hardware.finalize() == SHA256.hash(message))
    }

    /// One million 'a' bytes, fed in 1000-byte pieces, hash to the NIST digest.
    @Test func millionA() {
        var hasher = SHA256()
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 {
            hasher.update(piece)
        }
        #expect(hasher.finalize().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Feeding a message in uneven pieces (including empty ones) gives the one-shot digest, at every length up to 300.
    @Test func streamingEqualsOneShot() {
        var generator = SeededGenerator(seed: 7)
        for length in 0...300 {
            let message = generator.bytes(length)
            let expected = SHA256.hash(message)
            var hasher = SHA256()
            var offset = 0
            while offset < message.count {
                let step = min(Int(generator.next() % 70), message.count - offset)
                hasher.update(message[offset..<(offset + step)])
                offset += step
            }
            #expect(hasher.finalize() == expected, "length \(length)")
        }
    }

    /// A non-contiguous sequence (a lazy map) hashes like the same bytes in an array, across the 1024-byte chunking.
    @Test func nonContiguousSequence() {
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let lazy = (0..<5000).lazy.map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(SHA256.hash(lazy) == SHA256.hash(bytes))
    }

    /// `finalize()` leaves the hasher usable: hashing can go on after an intermediate digest.
    @Test func finalizeDoesNotConsume() {
        var hasher = SHA256()
        hasher.update("ab")
        #expect(hasher.finalize() == SHA256.hash("ab"))
        hasher.update("c")
        #expect(hasher.finalize().hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// A digest round-trips through bytes and hex, rejects wrong lengths, and works as a dictionary key.
    @Test func digestValue() {
        let digest = SHA256.hash("abc")
        #expect(digest.bytes.count == 32)
        #expect(SHA256Digest(bytes: digest.bytes) == digest)
        #expect(SHA256Digest(hex: digest.hex) == digest)
        #expect(SHA256Digest(hex: digest.hex.uppercased()) == digest)
        #expect(SHA256Digest(bytes: digest.bytes.dropLast()) == nil)
        #expect(SHA256Digest(hex: "abc") == nil)
        #expect("\(digest)" == digest.hex)
        let table = [digest: 1, SHA256.hash(""): 2]
        #expect(table[SHA256.hash("abc")] == 1)
    }

    /// Files of sizes around the block boundaries up to 10 MiB hash exactly as /usr/bin/sha256sum says.
    @Test func matchesSha256sum() async throws {
        let tool = "/usr/bin/sha256sum"
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            print("skipping matchesSha256sum: \(tool) is not installed")
            return
        }
        let directory = try TemporaryDirectory()
        var generator = SeededGenerator(seed: 42)
        for size in [0, 1, 55, 56, 63, 64, 65, 1000, 1 << 20, 10 << 20] {
            let bytes = generator.bytes(size)
            let path = directory.path("file-\(size).bin")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let result = try await ExternalProcess.run(tool, [path])
            #expect(result.status == 0, "\(result.stderr)")
            let output = result.stdoutText
            let expected = String(output.prefix(64))
            #expect(SHA256.hash(bytes).hex == expected, "size \(size)")
        }
    }
}
