import Testing
import Vocabulary

@Suite struct RunTagHeaderTests {
    /// The tags keep the names the harness has always sent and recordings and the compose proxy rely on.
    @Test func names() {
        #expect(RunTagHeader.all == ["X-TDF-Run", "X-TDF-Ordinal", "X-TDF-Step"])
    }

    /// Any spelling of a tag, once lowercased, is a tag; other headers, including the proxy's own error header and
    /// a name that only starts like a tag, are not.
    @Test func recognisesLowercasedTags() {
        for name in ["X-TDF-Run", "x-tdf-ordinal", "X-Tdf-Step"] {
            #expect(RunTagHeader.isTag(lowercasedName: name.lowercased()), "\(name)")
        }
        for name in ["x-tdf-proxy-error", "x-tdf-run-id", "x-tdf", "authorization", ""] {
            #expect(!RunTagHeader.isTag(lowercasedName: name), "\(name)")
        }
    }
}
