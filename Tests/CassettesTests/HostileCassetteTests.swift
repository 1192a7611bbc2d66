import Cassettes
import Foundation
import JSON
import TestSupport
import Testing
import Vocabulary

private let expectedTime = "expected a finite number of milliseconds from 0"

/// Numbers in a cassette someone else wrote are range-checked before anything computes with them.
@Suite struct HostileCassetteTests {
    /// A continued cassette (record-missing) holding a record whose seq or ordinal is INT64_MAX: the record is
    /// reported by file, record number and field and left out, and the session goes on after the valid records.
    /// Before, taking the next seq or ordinal (the largest plus one) trapped with an arithmetic overflow.
    @Test(arguments: ["seq", "ordinal"])
    func continuedCassetteWithAHugeNumber(_ field: String) throws {
        let directory = try TemporaryDirectory()
        let run = try RunID(validating: "r_1")
        let writer = try CassetteWriter(directory: directory.url.path, run: run, toolVersion: "1")
        try writer.append(Fixtures.jsonExchange(seq: 0))
        var hostile = Fixtures.jsonExchange(seq: 1)
        if field == "seq" { hostile.seq = .max } else { hostile.ordinal = .max }
        try writer.append(hostile)
        try writer.finish()

        let path = directory.path("r_1.jsonl.gz")
        let cassette = try Cassette.load(path: path)
        #expect(cassette.exchanges == [Fixtures.jsonExchange(seq: 0)])
        #expect(
            cassette.problems.first
                == "\(path): record 3: `\(field)` is 9223372036854775807, expected an integer from 0 to 2147483647"
        )
        let continuing = try CassetteSession(
            directory: directory.url.path,
            configuration: .null,
            toolVersion: "1",
            keepsExistingCassettes: true
        )
        #expect(try continuing.reserve(run: run, ordinal: nil) == ExchangeSlot(run: run, seq: 1, ordinal: 1))
        try continuing.close()
    }

    /// A header whose creation time has a 300-digit fraction decodes with its milliseconds instead of trapping
    /// (found by Fuzz/run.sh cassette).
    @Test func headerWithALongTimeFraction() throws {
        let line =
            #"{"type":"header","format":"tdf-cassette","version":1,"run_id":"r_000042","created":""#
            + "2026-11-25T13:24:39." + String(repeating: "7", count: 300) + "Z"
            + #"","tool":"tdf","tool_version":"0.1.0"}"#
        guard case .header(let header) = try CassetteRecord.decode(Array(line.utf8)) else {
            Issue.record("a header line decoded as another record")
            return
        }
        #expect(header.created.description == "2026-11-25T13:24:39.777Z")
    }

    /// The largest seq and ordinal allowed read back as written.
    @Test func theLargestSeqAndOrdinalAreRead() throws {
        let exchange = Fixtures.jsonExchange(seq: CassetteFormat.maximumSeqOrOrdinal)
        #expect(try CassetteRecord.decode(CassetteRecord.exchange(exchange).encoded()) == .exchange(exchange))
    }

    /// A seq or ordinal that is negative or above `CassetteFormat.maximumSeqOrOrdinal`, and a time that is negative
    /// or not finite (1e400 reads as infinity), make the record malformed, naming the field; before, they were read,
    /// and an infinite time trapped a paced replay.
    @Test(arguments: [
        (#""seq":0"#, #""seq":-1"#, "`seq` is -1, expected an integer from 0 to 2147483647"),
        (#""ordinal":0"#, #""ordinal":-5"#, "`ordinal` is -5, expected an integer from 0 to 2147483647"),
        (#""seq":0"#, #""seq":2147483648"#, "`seq` is 2147483648, expected an integer from 0 to 2147483647"),
        (#""total_ms":45"#, #""total_ms":1e400"#, "`timing.total_ms` is inf, \(expectedTime)"),
        (#""ttfb_ms":2"#, #""ttfb_ms":-1"#, "`timing.ttfb_ms` is -1.0, \(expectedTime)"),
        (#""at_ms":3"#, #""at_ms":-0.5"#, "`response.events[0].at_ms` is -0.5, \(expectedTime)"),
    ])
    func outOfRangeNumbersAreMalformed(_ written: String, _ hostile: String, _ problem: String) throws {
        let line = String(decoding: CassetteRecord.exchange(Fixtures.sseExchange(seq: 0)).encoded(), as: UTF8.self)
        #expect(line.contains(written))
        do {
            let decoded = try CassetteRecord.decode(Array(line.replacingOccurrences(of: written, with: hostile).utf8))
            Issue.record("read as \(decoded)")
        } catch {
            #expect(error.message == problem)
        }
    }
}
