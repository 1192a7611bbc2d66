import Cassettes
import Foundation
import HTTPWire
import JSON
import Testing
import Vocabulary

@testable import Analysis

/// An exchange with a JSON (or empty) body.
private func exchange(
    _ ordinal: Int,
    _ target: String,
    method: String = "GET",
    status: Int = 200,
    body: String = "",
    headers: HTTPHeaders = ["Content-Type": "application/json"],
    totalMilliseconds: Double = 5,
    fault: Fault? = nil
) -> Exchange {
    Exchange(
        seq: ordinal,
        ordinal: ordinal,
        service: "maestro",
        started: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + Int64(ordinal)),
        step: "step\(ordinal)",
        request: RecordedRequest(method: method, target: target),
        response: RecordedResponse(
            status: status,
            reason: status == 200 ? "OK" : "Conflict",
            headers: headers,
            content: .body(Array(body.utf8))
        ),
        timing: Timing(ttfbMilliseconds: 1, totalMilliseconds: totalMilliseconds),
        fault: fault
    )
}

/// A compose stream of `data` events (and a heartbeat after the first, which must not count).
private func stream(_ ordinal: Int, _ events: [String]) -> Exchange {
    var frames = events.map { StreamEvent(atMilliseconds: 1, frame: .event(SSEEvent(data: $0))) }
    frames.insert(StreamEvent(atMilliseconds: 2, frame: .comment("heartbeat")), at: min(1, frames.count))
    var exchange = exchange(
        ordinal,
        "/api/v1/maestro/stream",
        method: "POST",
        headers: ["Content-Type": "text/event-stream"]
    )
    exchange.response.content = .events(frames, exact: nil)
    return exchange
}

private let composeEvents = [
    #"{"type":"state","seq":0,"traceId":"cbe4981e-01d9-883e-8465-0e51845e98dd"}"#,
    #"{"type":"status","seq":1,"message":"Preparing composition..."}"#,
    #"{"type":"toolCall","seq":2,"id":"toolu_019d335bdc00bde0a776c5be","name":"stori_add_notes","params":{"notes":[{"pitch":76,"startBeat":0.0},{"pitch":74,"startBeat":1.0}]}}"#,
    #"{"type":"summary","seq":3,"notes":2}"#,
    #"{"type":"done","seq":4,"variationId":"7ec20afb-c78b-8759-88b8-02f956e4d909"}"#,
    #"{"type":"complete","seq":5,"success":true}"#,
]

private func recording(_ exchanges: [Exchange], path: String = "A") -> Recording {
    Recording(path: path, exchanges: ["r_000001": exchanges])
}

private let baseline = [
    exchange(1, "/api/v1/prompts/random", body: #"{"prompts":[{"id":"p1","tempo":96}]}"#),
    stream(2, composeEvents),
    exchange(
        3,
        "/api/v1/muse/merge",
        method: "POST",
        status: 409,
        body: #"{"detail":{"error":"merge_conflict","conflicts":[{"description":"pitch=96 beat=0.0"}]}}"#
    ),
]

private func diff(_ changed: [Exchange], options: DiffOptions = DiffOptions()) -> RecordingDiff {
    RecordingDiff.compare(recording(baseline), recording(changed, path: "B"), options: options)
}

@Suite struct RecordingDiffTests {
    /// A recording compared with itself has no difference of any class and passes the default policy.
    @Test func recordingEqualsItself() {
        let result = diff(baseline)
        #expect(result.isEmpty)
        #expect(result.differences.isEmpty)
        #expect(result.pairedRuns == 1 && result.pairedExchanges == 3)
        #expect(FailPolicy.anyDifference.violations(of: result).isEmpty)
        #expect(result.text.hasSuffix("no differences\n"))
        #expect(result.isIdentical)
    }

    /// Ids the backend invents, timestamps, durations and loopback ports differ between recordings of the same
    /// run; none of them is a difference.
    @Test func volatileValuesAreIgnored() {
        var changed = baseline
        changed[0] = exchange(
            1,
            "/api/v1/prompts/random",
            body: #"{"prompts":[{"id":"p1","tempo":96}],"created":"2026-01-02T00:00:00.000Z","durationMs":12}"#
        )
        var base = baseline
        base[0] = exchange(
            1,
            "/api/v1/prompts/random",
            body: #"{"prompts":[{"id":"p1","tempo":96}],"created":"2025-01-01T00:00:00.000Z","durationMs":7}"#
        )
        var events = composeEvents
        events[0] = #"{"type":"state","seq":0,"traceId":"0a0b0c0d-1111-2222-3333-444455556666"}"#
        events[2] = events[2].replacingOccurrences(of: "toolu_019d335bdc00bde0a776c5be", with: "toolu_aaaa1111bbbb2222")
        changed[1] = stream(2, events)
        let result = RecordingDiff.compare(recording(base), recording(changed, path: "B"))
        #expect(result.isEmpty, "\(result.text)")
        #expect(
            VolatilityPolicy.diff.mask("http://127.0.0.1:36519/x/b0_cbe4981e.mid")
                == "http://127.0.0.1{port}/x/b0_{id}.mid"
        )
        #expect(VolatilityPolicy.diff.mask("pitch=96 beat=0.0 in F") == "pitch=96 beat=0.0 in F")
    }

    /// A 409 merge conflict turned into a 200 is a status difference (contract) naming the exchange and both
    /// statuses, and a MUSE outcome change (content) from conflict to clean.
    @Test func statusChangeNamesTheExchange() throws {
        var changed = baseline
        changed[2].response.status = 200
        changed[2].response.reason = "OK"
        let result = diff(changed)
        let status = try #require(result.differences.first { $0.category == .status })
        #expect(status.run == "r_000001")
        #expect(
            status.exchange
                == ExchangeLocation(
                    ordinal: 3,
                    service: "maestro",
                    method: "POST",
                    target: "/api/v1/muse/merge",
                    step: "step3"
                )
        )
        #expect(status.before == "409 Conflict" && status.after == "200 OK")
        let muse = try #require(result.differences.first { $0.category == .muse })
        #expect(muse.before == "conflict" && muse.after == "clean")
        #expect(result.count(of: .contract) == 1)
        #expect(try FailPolicy(parsing: "status").violations(of: result) == ["1 status differences (allowed 0)"])
        #expect(try FailPolicy(parsing: "sse-order").violations(of: result).isEmpty)
    }

    /// A changed value in one SSE event is named by event index (heartbeats counted, as in the cassette), type,
    /// JSON path and both values; the stream's shape is unchanged.
    @Test func changedEventDataIsNamed() throws {
        var events = composeEvents
        events[1] = #"{"type":"status","seq":1,"message":"Preparing composition!!!"}"#
        var changed = baseline
        changed[1] = stream(2, events)
        let result = diff(changed)
        #expect(result.differences.count == 1)
        let change = try #require(result.differences.first)
        #expect(change.category == .sseData)
        #expect(change.exchange?.ordinal == 2)
        #expect(change.event == EventLocation(indexA: 2, indexB: 2, type: "status"))
        #expect(change.path == "$.message")
        #expect(change.before == #""Preparing composition...""# && change.after == #""Preparing composition!!!""#)
        #expect(
            result.text.contains(
                #"sse-data    event 2 status: $.message: "Preparing composition..." → "Preparing composition!!!""#
            )
        )
    }

    /// A changed note pitch in a stori_add_notes tool call is a `notes` difference at its JSON path.
    @Test func changedNoteIsANotesDifference() throws {
        var events = composeEvents
        events[2] = events[2].replacingOccurrences(of: #"{"pitch":74"#, with: #"{"pitch":75"#)
        var changed = baseline
        changed[1] = stream(2, events)
        let result = diff(changed)
        let change = try #require(result.differences.first)
        #expect(result.differences.count == 1)
        #expect(change.category == .notes)
        #expect(change.event?.type == "toolCall stori_add_notes")
        #expect(change.path == "$.params.notes[1].pitch")
        #expect(change.before == "74" && change.after == "75")
    }

    /// Two swapped events are named as a move with both indexes (contract `sse-order`), not as changed data.
    @Test func swappedEventsAreAMove() throws {
        var events = composeEvents
        events.swapAt(3, 4)
        var changed = baseline
        changed[1] = stream(2, events)
        let result = diff(changed)
        #expect(result.count(.sseOrder) == 1)
        #expect(result.count(of: .content) == 0)
        let move = try #require(result.differences.first { $0.category == .sseOrder })
        #expect(move.message.contains("event moved"))
        #expect(
            [move.event?.indexA, move.event?.indexB] == [4, 5] || [move.event?.indexA, move.event?.indexB] == [5, 4]
        )
    }

    /// An extra event of a type both sides have is content (`sse-events`); an event type only one side has is
    /// contract (`sse-types`); an extra tool call is a `tool-calls` difference.
    @Test func insertedEventsAreClassified() {
        var events = composeEvents
        events.insert(#"{"type":"status","seq":9,"message":"more"}"#, at: 2)
        events.insert(#"{"type":"error","seq":10,"message":"boom"}"#, at: 3)
        events.insert(#"{"type":"toolCall","seq":11,"name":"stori_set_key","params":{"key":"G"}}"#, at: 4)
        var changed = baseline
        changed[1] = stream(2, events)
        let result = diff(changed)
        #expect(result.count(.sseEvents) == 1)
        #expect(result.count(.sseTypes) == 1)
        #expect(result.count(.toolCalls) == 1)
        #expect(result.differences.contains { $0.category == .sseTypes && $0.event?.type == "error" })
        #expect(result.count(.sseOrder) == 0)
    }

    /// A member that changes type or appears in a response body is a JSON shape difference (contract), and the
    /// value under it is not reported again as content.
    @Test func shapeChangesAreContract() throws {
        var changed = baseline
        changed[0] = exchange(1, "/api/v1/prompts/random", body: #"{"prompts":[{"id":"p1","tempo":"96"}],"next":null}"#)
        let result = diff(changed)
        #expect(result.count(.jsonShape) == 2)
        #expect(result.count(of: .content) == 0)
        let type = try #require(result.differences.first { $0.path == "$.prompts[*].tempo" })
        #expect(type.before == "number" && type.after == "string")
        #expect(result.differences.contains { $0.path == "$.next" && $0.before == nil && $0.after == "null" })
    }

    /// A fault on one side only, a missing exchange and a missing run are all contract differences.
    @Test func faultsAndMissingExchangesAreContract() {
        var changed = baseline
        changed[0].fault = Fault(kind: .reset, afterBytes: 10, detail: "upstream closed")
        changed.removeLast()
        let result = RecordingDiff.compare(
            Recording(path: "A", exchanges: ["r_000001": baseline, "r_000002": baseline]),
            recording(changed, path: "B")
        )
        #expect(result.count(.faults) == 1)
        #expect(result.count(.exchanges) == 1)
        #expect(result.count(.runs) == 1)
        #expect(result.differences.contains { $0.category == .runs && $0.run == "r_000002" })
    }

    /// MIDI metrics beyond tolerance are content differences with their delta, and `quality-drop=N` fails only
    /// when the score dropped by more than N points.
    @Test func midiMetricsAndQualityDrop() throws {
        func summary(_ score: Double) -> MIDISummary {
            MIDISummary(
                runID: "r_000001",
                score: score,
                noteCount: 15,
                trackCount: 1,
                durationSeconds: 10,
                tempoBPM: 96,
                pitchClassEntropy: 2.5,
                flaggedNotes: 0
            )
        }
        let a = Recording(path: "A", exchanges: ["r_000001": baseline], midi: ["r_000001": summary(90)])
        let b = Recording(path: "B", exchanges: ["r_000001": baseline], midi: ["r_000001": summary(83.5)])
        let result = RecordingDiff.compare(a, b)
        #expect(result.count(.midi) == 1)
        #expect(result.differences.first?.delta == -6.5)
        #expect(try FailPolicy(parsing: "quality-drop=5").violations(of: result).count == 1)
        #expect(try FailPolicy(parsing: "quality-drop=7").violations(of: result).isEmpty)
        let within = Recording(path: "B", exchanges: ["r_000001": baseline], midi: ["r_000001": summary(89.8)])
        #expect(RecordingDiff.compare(a, within).isEmpty)
    }

    /// Latency is compared per endpoint; a rise beyond the thresholds fails `latency-p95=+50%` but is not a
    /// contract or content difference.
    @Test func latencyThresholds() throws {
        var slow = baseline
        slow[0].timing.totalMilliseconds = 200
        let result = diff(slow)
        #expect(result.isEmpty)
        let row = try #require(result.latency.first { $0.endpoint == "maestro GET /api/v1/prompts/random" })
        #expect(row.p95A == 5 && row.p95B == 200)
        #expect(result.count(.latencyP95) == 1)
        #expect(try FailPolicy(parsing: "latency-p95=+50%").violations(of: result).count == 1)
        #expect(try FailPolicy(parsing: "latency-p95=+500ms").violations(of: result).isEmpty)
        #expect(FailPolicy.anyDifference.violations(of: result).isEmpty)
    }

    /// Thirty commits of one endpoint, each with its own harness step and body.
    private static let thirtyCommits = (1...30).map { ordinal in
        var commit = exchange(
            ordinal,
            "/api/v1/muse/variations",
            method: "POST",
            body: #"{"variation_id":"v\#(ordinal)"}"#
        )
        commit.step = "commit_\(ordinal)"
        return commit
    }

    /// A driver that stops making one call: B lacks exchange 12 and every later ordinal is one lower. That is one
    /// "exchange only in A" and nothing else; the other 29 pair with their own partners.
    @Test func removedExchangeIsOneDifference() throws {
        var removed = Self.thirtyCommits
        removed.remove(at: 11)
        for index in removed.indices {
            removed[index].ordinal = index + 1
            removed[index].seq = index + 1
        }
        let result = RecordingDiff.compare(recording(Self.thirtyCommits), recording(removed, path: "B"))
        #expect(result.differences.count == 1, "\(result.text(.full))")
        let only = try #require(result.differences.first)
        #expect(only.category == .exchanges && only.message == "exchange only in A")
        #expect(only.exchange?.ordinal == 12 && only.exchange?.step == "commit_12")
        #expect(result.pairedExchanges == 29)
        #expect(result.counts.values.reduce(0, +) == 1)

        let added = RecordingDiff.compare(recording(removed), recording(Self.thirtyCommits, path: "B"))
        #expect(added.differences.map(\.message) == ["exchange only in B"])
    }

    /// A client tdf did not write has no harness steps: six pages of one endpoint, page 3 left out and the rest
    /// renumbered, still differ by that one exchange, because the query takes part in the pairing. Ids it invents
    /// in the target (masked as the comparison masks them) do not split pairs.
    @Test func foreignClientWithoutStepsAlignsOnItsTargets() throws {
        func pages(_ numbers: [Int]) -> [Exchange] {
            numbers.enumerated().map { index, page in
                var call = exchange(
                    index,
                    "/api/v1/maestro/prompts?page=\(page)&request=\(UUID().uuidString.lowercased())",
                    body: #"{"page":\#(page)}"#
                )
                call.step = nil
                return call
            }
        }
        let result = RecordingDiff.compare(
            recording(pages([1, 2, 3, 4, 5, 6])),
            recording(pages([1, 2, 4, 5, 6]), path: "B")
        )
        #expect(result.differences.count == 1, "\(result.text(.full))")
        #expect(result.differences.first?.message == "exchange only in A")
        #expect(result.differences.first?.exchange?.target.hasPrefix("/api/v1/maestro/prompts?page=3&") == true)
        #expect(result.pairedExchanges == 5)
    }

    /// One call of thirty made 800 ms slower leaves the endpoint's p50 and p95 where they were, but is named as a
    /// latency outlier with its run and exchange; `--fail-on latency-outlier=+500ms` (or `=3x`) fails, `+1000ms`
    /// passes, and the diff is not identical although nothing of contract or content class differs.
    @Test func oneSlowExchangeIsAnOutlier() throws {
        var slow = Self.thirtyCommits
        slow[16].timing.totalMilliseconds += 800
        let result = RecordingDiff.compare(recording(Self.thirtyCommits), recording(slow, path: "B"))
        #expect(result.count(.latencyP50) == 0 && result.count(.latencyP95) == 0)
        let outlier = try #require(result.differences.first { $0.category == .latencyOutlier })
        #expect(outlier.run == "r_000001" && outlier.exchange?.ordinal == 17)
        #expect(outlier.message == "total 5 ms → 805 ms (+800 ms)")
        #expect(result.isEmpty && !result.isIdentical)
        #expect(result.jsonValue["identical"] == .bool(false))
        #expect(result.text.hasSuffix("1 difference (1 performance)\n"))
        #expect(
            try FailPolicy(parsing: "latency-outlier=+500ms").violations(of: result) == [
                "r_000001 #17 maestro POST /api/v1/muse/variations (commit_17): total time rose 800 ms (limit +500 ms)"
            ]
        )
        #expect(try FailPolicy(parsing: "latency-outlier=3x").violations(of: result).count == 1)
        #expect(try FailPolicy(parsing: "latency-outlier=+1000ms").violations(of: result).isEmpty)
        #expect(throws: FailPolicyError.invalidOutlier(item: "latency-outlier=fast")) {
            try FailPolicy(parsing: "latency-outlier=fast")
        }
    }

    /// `--json` carries values from bodies as JSON (a string is a string, not a string holding quotes), and the
    /// text of a large diff is a summary per category, with the full listing one flag away.
    @Test func jsonValuesAndSummary() throws {
        var changed = Self.thirtyCommits
        for index in changed.indices {
            changed[index].response.content = .body(Array(#"{"style":"synthwave","n":\#(index)}"#.utf8))
        }
        var base = Self.thirtyCommits
        for index in base.indices {
            base[index].response.content = .body(Array(#"{"style":"blues","n":\#(index)}"#.utf8))
        }
        base[0].response.status = 500
        base[0].response.reason = "Internal Server Error"
        let result = RecordingDiff.compare(recording(base), recording(changed, path: "B"))
        let body = try #require(result.differences.first { $0.category == .body })
        #expect(body.jsonValue["before"] == .string("blues") && body.jsonValue["after"] == .string("synthwave"))
        let status = try #require(result.differences.first { $0.category == .status })
        #expect(status.jsonValue["before"] == .string("500 Internal Server Error"))

        let full = result.text(.full)
        #expect(full.components(separatedBy: "\n").count > 60)
        let summary = result.text(.summary)
        #expect(summary.contains("summary: counts and the first 3 of each category; --full lists all 31 listed\n"))
        #expect(summary.contains("\nbody (content): 30\n"))
        #expect(summary.contains("  … 27 more\n"))
        #expect(summary.contains("\nstatus (contract): 1\n  r_000001 #1 maestro POST /api/v1/muse/variations"))
        #expect(result.text(.automatic) == full)
        #expect(summary.components(separatedBy: "\n").count < 30)
    }

    /// A request body that differs in several values is one `request` difference naming the first value and
    /// how many differ, so the harness's echo of the state does not drown the responses.
    @Test func requestChangesAreSummarised() throws {
        var base = baseline
        base[2].request.body = Array(#"{"left":"B1","right":"B2","notes":[60,62]}"#.utf8)
        var changed = base
        changed[2].request.body = Array(#"{"left":"B3","right":"B4","notes":[61,62]}"#.utf8)
        let result = RecordingDiff.compare(recording(base), recording(changed, path: "B"))
        #expect(result.count(.request) == 1)
        let change = try #require(result.differences.first)
        #expect(change.path == "request $.left" && change.before == #""B1""# && change.after == #""B3""#)
        #expect(change.message == "3 values differ in the request body; the first is shown")
    }

    /// A bad item is refused with the item and what is wrong with it; good ones parse to their rules.
    @Test func failPolicyGrammar() throws {
        let policy = try FailPolicy(parsing: "status,sse-order,quality-drop=5,latency-p95=+50%,notes=3")
        #expect(
            policy.rules == [
                .category(.status, allowed: 0), .category(.sseOrder, allowed: 0), .qualityDrop(5),
                .latencyRise(.latencyP95, fraction: 0.5), .category(.notes, allowed: 3),
            ]
        )
        #expect(try FailPolicy(parsing: "any").rules == FailPolicy.anyDifference.rules)
        for (spec, error) in [
            ("status,bogus", .unknownItem("bogus")),
            ("quality-drop=lots", .invalidQualityDrop(item: "quality-drop=lots")),
            ("latency-p95=fast", .invalidLatencyRise(item: "latency-p95=fast", category: .latencyP95)),
            ("status,,notes", .emptyItem(spec: "status,,notes")),
            ("notes=-1", .invalidAllowance(item: "notes=-1", category: .notes)),
        ] as [(String, FailPolicyError)] {
            #expect(throws: error, "\(spec)") { try FailPolicy(parsing: spec) }
            #expect(!error.description.contains("--fail-on"))
        }
        #expect(
            FailPolicyError.unknownItem("x").description.hasPrefix("the fail policy item 'x' is not one of contract, ")
        )
    }

    /// Alignment of long streams is bounded: past the cell limit events are paired by position, and the
    /// common prefix and suffix never cost a table.
    @Test func alignmentIsBounded() {
        let a = (0..<3000).map { "t\($0 % 7)" }
        var b = a
        b[1500] = "x"
        b[1600] = "y"
        for cells in [10, 1_000_000] {
            let aligned = SequenceAlignment.pairs(a, b, maximumCells: cells)
            #expect(aligned.count == 2998, "\(cells) cells")
            #expect(aligned.allSatisfy { a[$0.0] == b[$0.1] })
        }
        let exact = SequenceAlignment.pairs(["a", "b", "c", "d"], ["a", "c", "b", "d"], maximumCells: 100)
        #expect(exact.count == 3)
    }
}
