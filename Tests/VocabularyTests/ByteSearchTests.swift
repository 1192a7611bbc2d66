import Foundation
import TestSupport
import Testing
import Vocabulary

@Suite struct ByteSearchTests {
    /// The offset of `needle` in `haystack` from `start`, searched as the redactor and the tree loader search.
    private func offset(of needle: String, in haystack: String, from start: Int = 0) -> Int? {
        Array(needle.utf8).withUnsafeBytes { needle in
            Array(haystack.utf8).withUnsafeBytes { ByteSearch.firstOffset(of: needle, in: $0, from: start) }
        }
    }

    /// The first occurrence at or after the start, including at either end and where a partial match (a first
    /// byte that does not go on) comes before it; nil where there is none or the needle is longer than what is left.
    @Test func findsTheFirstOccurrence() {
        #expect(offset(of: "token", in: "a token and a token") == 2)
        #expect(offset(of: "token", in: "a token and a token", from: 3) == 14)
        #expect(offset(of: "token", in: "a token and a token", from: 15) == nil)
        #expect(offset(of: "abc", in: "abc") == 0)
        #expect(offset(of: "abc", in: "ababc") == 2)
        #expect(offset(of: "abc", in: "xxabc") == 2)
        #expect(offset(of: "abc", in: "ab") == nil)
        #expect(offset(of: "abc", in: "") == nil)
        #expect(offset(of: "\u{0}x", in: "a\u{0}\u{0}x") == 2)
    }

    /// An empty needle is found where the search starts, as long as that is inside the haystack or at its end.
    @Test func emptyNeedle() {
        #expect(offset(of: "", in: "abc", from: 1) == 1)
        #expect(offset(of: "", in: "abc", from: 3) == 3)
        #expect(offset(of: "", in: "abc", from: 4) == nil)
        #expect(offset(of: "", in: "") == 0)
    }

    /// Agrees with a plain search of every window on random bytes from a small alphabet, where partial matches
    /// are common.
    @Test func agreesWithAPlainSearch() {
        var generator = SeededGenerator(seed: 16)
        for _ in 0..<500 {
            let haystack = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                UInt8.random(in: 0...2, using: &generator)
            }
            let needle = (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                UInt8.random(in: 0...2, using: &generator)
            }
            let start = Int.random(in: 0...haystack.count, using: &generator)
            let plain = stride(from: start, through: haystack.count - needle.count, by: 1).first {
                haystack[$0..<($0 + needle.count)].elementsEqual(needle)
            }
            let found = needle.withUnsafeBytes { needle in
                haystack.withUnsafeBytes { ByteSearch.firstOffset(of: needle, in: $0, from: start) }
            }
            #expect(found == plain, "\(needle) in \(haystack) from \(start)")
        }
    }

    /// `mayContain` answers "no" only where Foundation's `contains` finds nothing either, including for text that
    /// spells the needle with a canonically equivalent character, and "yes" wherever the needle's bytes occur.
    @Test func neverDeniesWhatFoundationFinds() {
        let texts = [
            "", "http://127.0.0.1:8080/x", "no scheme here", "a:/b//c", "://", "e\u{301}://", "\u{212A}ey", "Key",
            "caf\u{E9}", "cafe\u{301}", "semi\u{37E}colon", "tdf-replay-placeholder in a body",
        ]
        let needles = ["://", "Key", "caf\u{E9}", ";", "tdf-replay-placeholder", "", "x"]
        for text in texts {
            for needle in needles where text.contains(needle) {
                #expect(text.mayContain(needle), "\(text.debugDescription) contains \(needle.debugDescription)")
            }
        }
        #expect(!"no scheme here".mayContain("://"))
        #expect(!"a:/b//c".mayContain("://"))
        #expect("http://127.0.0.1:8080/x".mayContain("://"))
        #expect("\u{212A}ey".mayContain("Key"))
    }
}
