import ByteSearch
import Foundation
import Testing

@Suite struct StringByteSearchTests {
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
