import Cassettes
import Testing

@Suite struct RunIDTests {
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
