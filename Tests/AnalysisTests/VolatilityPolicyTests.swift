import JSON
import Testing

@testable import Analysis

@Suite struct VolatilityPolicyTests {
    /// `tdf diff` masks ids the backend invents and loopback ports, and keeps text that only looks like them: short
    /// or digit-free hex, hex inside a word, ports of other hosts, and times (which it equates instead of masking).
    @Test func diffMasksInventedIDsAndLoopbackPorts() {
        let policy = VolatilityPolicy.diff
        #expect(policy.mask("toolu_019d335bdc00bde0a776c5be") == "toolu_{id}")
        #expect(policy.mask("trace 0a0b0c0d-1111-2222-3333-444455556666 done") == "trace {id} done")
        #expect(policy.mask("GET /api/v1/muse/t_1a2b3c4d5e/graph") == "GET /api/v1/muse/t_{id}/graph")
        #expect(
            policy.mask("http://localhost:8080/x and 127.0.0.1:9") == "http://localhost{port}/x and 127.0.0.1{port}"
        )
        #expect(policy.mask("deadbeefcafe abc1234 x1234567890") == "deadbeefcafe abc1234 x1234567890")
        #expect(policy.mask("https://maestro:10001/api") == "https://maestro:10001/api")
        #expect(policy.mask("2026-01-01T00:00:00.000Z") == "2026-01-01T00:00:00.000Z")
    }

    /// Under `tdf diff` two times are equal, and so are texts that differ only in masked ids or ports; anything
    /// else that differs is not.
    @Test func diffEquatesTimesAndMaskedText() {
        let policy = VolatilityPolicy.diff
        #expect(policy.equivalent("2026-01-01T00:00:00Z", "2025-06-30T12:34:56.789Z"))
        #expect(policy.equivalent("b0_cbe4981e.mid", "b0_0123abcd.mid"))
        #expect(policy.equivalent("http://127.0.0.1:40001/x", "http://127.0.0.1:40002/x"))
        #expect(!policy.equivalent("2026-01-01T00:00:00Z", "2026-01-01"))
        #expect(!policy.equivalent("pitch=96", "pitch=97"))
        #expect(!policy.equivalent("http://maestro:1/x", "http://maestro:2/x"))
    }

    /// A replay masks the port of every URL, loopback or not, as `PORT`, and nothing else: ids and times come back
    /// from the cassettes unchanged, so a changed one is a divergence.
    @Test func replayMasksOnlyURLPorts() {
        let policy = VolatilityPolicy.replay
        #expect(
            policy.mask("see http://127.0.0.1:40001/api and https://maestro:10001")
                == "see http://127.0.0.1:PORT/api and https://maestro:PORT"
        )
        #expect(
            policy.mask("localhost:8080 toolu_019d335bdc00bde0a776c5be")
                == "localhost:8080 toolu_019d335bdc00bde0a776c5be"
        )
        #expect(policy.equivalent("http://localhost:1/x", "http://localhost:2/x"))
        #expect(!policy.equivalent("2026-01-01T00:00:00Z", "2025-06-30T12:34:56.789Z"))
        #expect(!policy.equivalent("b0_cbe4981e.mid", "b0_0123abcd.mid"))
    }

    /// A volatile member is volatile at any depth, by its own name only; the replay's members are the harness's
    /// clock (its `ts`, run times and durations), all but `ts` also volatile to `tdf diff`.
    @Test func membersAreVolatileByNameAtAnyDepth() {
        let diff = VolatilityPolicy.diff
        #expect(diff.isVolatile([.key("createdAt")]))
        #expect(diff.isVolatile([.key("events"), .index(3), .key("data"), .key("traceId")]))
        #expect(!diff.isVolatile([.key("createdAt"), .key("id")]))
        #expect(!diff.isVolatile([.key("ts")]))
        #expect(VolatilityPolicy.replay.isVolatile([.key("run"), .key("ts")]))
        #expect(!VolatilityPolicy.replay.isVolatile([.key("createdAt")]))
        #expect(VolatilityPolicy.replay.members.subtracting(diff.members) == ["ts"])
    }

    /// Paths the user adds are volatile where they match, and only there; `DiffOptions.volatilePaths` is where
    /// `--ignore` puts them.
    @Test func userPathsAreVolatileWhereTheyMatch() throws {
        let path = try #require(JSONPath("$.items[*].etag"))
        var options = DiffOptions()
        options.volatilePaths.append(path)
        #expect(options.volatility.paths == [path])
        #expect(options.volatility.isVolatile([.key("items"), .index(2), .key("etag")]))
        #expect(!options.volatility.isVolatile([.key("etag")]))
        #expect(!VolatilityPolicy.diff.isVolatile([.key("items"), .index(2), .key("etag")]))
    }

    /// The replay comparison's projection drops the replay's volatile members at every depth (so their presence
    /// does not count either), masks URL ports, and keeps what only `tdf diff` calls volatile.
    @Test func replayProjectionDropsTheReplaysMembers() throws {
        let value = try JSONParser.parse(
            #"{"ts":"t","data":{"elapsed_ms":5,"createdAt":"c","url":"http://127.0.0.1:40001/x"},"list":[{"total_ms":1}]}"#
        )
        #expect(
            ReplayComparison.project(value).compactText
                == #"{"data":{"createdAt":"c","url":"http://127.0.0.1:PORT/x"},"list":[{}]}"#
        )
    }
}
