import Testing
import Vocabulary

@Suite struct TimestampTests {
    /// Timestamps print as ISO 8601 UTC with milliseconds and parse back.
    @Test func printsAndParsesISO8601() {
        let stamp = Timestamp(millisecondsSinceEpoch: 1_764_072_000_123)
        #expect(stamp.description == "2025-11-25T12:00:00.123Z")
        #expect(Timestamp(iso8601: stamp.description) == stamp)
        #expect(Timestamp(iso8601: "1970-01-01T00:00:00Z") == Timestamp(millisecondsSinceEpoch: 0))
        #expect(Timestamp(millisecondsSinceEpoch: -1).description == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(iso8601: "2025-13-01T00:00:00Z") == nil)
    }

    /// A fraction of any length keeps its first three digits as milliseconds; a long fraction (a hostile cassette)
    /// does not overflow, and anything but digits is refused.
    @Test func longFractionsKeepTheirMilliseconds() throws {
        let second = try #require(Timestamp(iso8601: "2026-11-25T13:24:39Z"))
        let longFraction = "2026-11-25T13:24:39." + String(repeating: "7", count: 300) + "Z"
        #expect(
            Timestamp(iso8601: longFraction) == Timestamp(millisecondsSinceEpoch: second.millisecondsSinceEpoch + 777)
        )
        #expect(Timestamp(iso8601: "2026-11-25T13:24:39.1234Z")?.description == "2026-11-25T13:24:39.123Z")
        #expect(Timestamp(iso8601: "2026-11-25T13:24:39.5Z")?.description == "2026-11-25T13:24:39.500Z")
        #expect(Timestamp(iso8601: "2026-11-25T13:24:39.Z") == nil)
        #expect(Timestamp(iso8601: "2026-11-25T13:24:39." + String(repeating: "7", count: 30) + "xZ") == nil)
    }

    /// The compact name of a directory made at a time is its UTC date and time of day, without separators, and so
    /// sorts in time order.
    @Test func compactNames() {
        #expect(Timestamp(millisecondsSinceEpoch: 1_772_000_000_999).compactName == "20260225_061320")
        #expect(Timestamp(millisecondsSinceEpoch: 0).compactName == "19700101_000000")
        #expect(Timestamp(millisecondsSinceEpoch: -1).compactName == "19691231_235959")
        let earlier = Timestamp(millisecondsSinceEpoch: 1_767_225_599_000)
        let later = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)
        #expect(earlier.compactName < later.compactName)
        #expect(later.compactName == "20260101_000000")
    }

    /// `now()` is the wall clock: between two readings of it, in milliseconds since the epoch.
    @Test func nowIsTheWallClock() {
        let before = Timestamp.now()
        let now = Timestamp.now()
        #expect(before <= now)
        // 2025-01-01: any clock this code runs under is later.
        #expect(now.millisecondsSinceEpoch > 1_735_689_600_000)
    }
}
