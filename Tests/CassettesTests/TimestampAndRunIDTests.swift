import Cassettes
import Testing

@Suite struct TimestampAndRunIDTests {
    /// Timestamps print as ISO 8601 UTC with milliseconds and parse back.
    @Test func timestamps() {
        let stamp = Timestamp(millisecondsSinceEpoch: 1_764_072_000_123)
        #expect(stamp.description == "2025-11-25T12:00:00.123Z")
        #expect(Timestamp(iso8601: stamp.description) == stamp)
        #expect(Timestamp(iso8601: "1970-01-01T00:00:00Z") == Timestamp(millisecondsSinceEpoch: 0))
        #expect(Timestamp(millisecondsSinceEpoch: -1).description == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(iso8601: "2025-13-01T00:00:00Z") == nil)
    }

    /// A fraction of any length keeps its first three digits as milliseconds, and a record carrying a
    /// 300-digit fraction decodes instead of trapping (found by Fuzz/run.sh cassette).
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

        let line =
            #"{"type":"header","format":"tdf-cassette","version":1,"run_id":"r_000042","created":""#
            + longFraction + #"","tool":"tdf","tool_version":"0.1.0"}"#
        guard case .header(let header) = try CassetteRecord.decode(Array(line.utf8)) else {
            Issue.record("a header line decoded as another record")
            return
        }
        #expect(header.created.description == "2026-11-25T13:24:39.777Z")
    }

    /// Run ids that could escape the directory or are not plain names are refused.
    @Test(arguments: [
        "", "..", ".", "../x", "a/b", "a\u{0}b", ".hidden", "_default", "r 1", "é", String(repeating: "a", count: 129),
    ])
    func rejectsUnsafeRunIDs(text: String) {
        #expect(throws: CassetteError.self) { try RunID(validating: text) }
    }

    /// Plain run ids are accepted and map to their cassette file name.
    @Test func acceptsRunIDs() throws {
        let run = try RunID(validating: "r_000042")
        #expect(run.fileName == "r_000042.jsonl.gz")
        #expect(RunID.run(forFileName: "r_000042.jsonl.gz") == .some(run))
        #expect(RunID.run(forFileName: "_default.jsonl.gz") == .some(nil))
        #expect(RunID.run(forFileName: "index.json") == nil)
        #expect(try RunID.parseArgument("_default") == nil)
    }
}
