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
