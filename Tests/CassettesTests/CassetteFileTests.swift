import Cassettes
import Foundation
import Gzip
import HTTPWire
import JSON
import TestSupport
import Testing

@Suite struct CassetteFileTests {
    private let all = [
        Fixtures.jsonExchange(seq: 0), Fixtures.binaryExchange(seq: 1), Fixtures.sseExchange(seq: 2),
        Fixtures.chunkedExchange(seq: 3), Fixtures.faultExchange(seq: 4),
    ]

    /// Every exchange shape survives encoding to one JSON line and decoding back, exactly.
    @Test func recordsRoundTrip() throws {
        for exchange in all {
            let line = CassetteRecord.exchange(exchange).encoded()
            #expect(!line.contains(0x0A))
            #expect(try CassetteRecord.decode(line) == .exchange(exchange))
        }
        let header = CassetteRecord.header(
            CassetteHeader(run: try RunID(validating: "r_1"), created: Fixtures.started, toolVersion: "9.9")
        )
        #expect(try CassetteRecord.decode(header.encoded()) == header)
    }

    /// Bodies are text when they are UTF-8 and base64 otherwise; SSE events and chunks have the documented fields.
    @Test func recordShape() throws {
        let binary = String(decoding: CassetteRecord.exchange(Fixtures.binaryExchange()).encoded(), as: UTF8.self)
        #expect(binary.contains(#""body":{"base64":"TVRoZP8A"}"#))
        let sse = String(decoding: CassetteRecord.exchange(Fixtures.sseExchange()).encoded(), as: UTF8.self)
        #expect(
            sse.contains(
                #""events":[{"at_ms":3,"data":"{\"type\":\"state\",\"seq\":0}"},{"at_ms":23.5,"comment":"heartbeat"},"#
            )
        )
        #expect(sse.contains(#"{"at_ms":44,"data":"two\nlines","event":"x","id":"7","retry":50}"#))
        #expect(sse.contains(#""timing":{"ttfb_ms":2,"total_ms":45},"fault":null"#))
        let chunks = String(decoding: CassetteRecord.exchange(Fixtures.chunkedExchange()).encoded(), as: UTF8.self)
        #expect(
            chunks.contains(#""chunks":[{"at_ms":1,"bytes":{"text":"hel"}},{"at_ms":9.125,"bytes":{"base64":"ww=="}}"#)
        )
        let fault = String(decoding: CassetteRecord.exchange(Fixtures.faultExchange()).encoded(), as: UTF8.self)
        #expect(
            fault.contains(#""fault":{"kind":"reset","after_bytes":32,"detail":"maestro upstream: connection closed"}"#)
        )
    }

    /// A bad record names the field that is wrong and what was expected.
    @Test func decodeErrorsNameTheField() {
        func problem(_ text: String) -> String? {
            do {
                _ = try CassetteRecord.decode(Array(text.utf8))
                return nil
            } catch {
                return error.message
            }
        }
        var value = Fixtures.jsonExchange().jsonValue
        guard case .object(let members) = value else { return }
        value = .object(
            members.map { key, member in
                guard key == "response", case .object(let inner) = member else { return (key, member) }
                return (key, .object(inner.filter { $0.0 != "status" }.map { ($0.key, $0.value) }))
            }
        )
        #expect(problem(JSONWriter.string(value)) == "`response.status` is missing (expected an integer)")
        #expect(problem(#"{"type":"end","exchanges":"3","digest":"x"}"#) == "`exchanges` is not an integer")
        #expect(
            problem(
                #"{"type":"header","format":"tdf-cassette","version":2,"run_id":null,"created":"x","tool_version":"1"}"#
            )?.contains("version 1") == true
        )
        #expect(problem("[1]") == "the record is not a JSON object")
        #expect(problem("{") != nil)
    }

    /// A cassette holds few digest entries however many exchanges it records (here room for 4 of 20), and its
    /// digest is still the one defined over all of them, in its summary and its end record: when exchanges finish
    /// slightly out of order (pairs swapped), and when one comes far out of order after others were folded.
    @Test(arguments: [false, true]) func digestWithFewEntriesKept(oneFarOutOfOrder: Bool) throws {
        let directory = try TemporaryDirectory()
        let writer = try CassetteWriter(directory: directory.url.path, run: nil, toolVersion: "1", digestEntriesKept: 4)
        var exchanges = (0..<20).map { Fixtures.jsonExchange(seq: $0 ^ 1, ordinal: 10 + ($0 ^ 1)) }
        if oneFarOutOfOrder { exchanges.append(Fixtures.jsonExchange(seq: 20, ordinal: 0)) }
        for (index, exchange) in exchanges.enumerated() {
            if index.isMultiple(of: 3) {
                try writer.append(exchange)
            } else {
                try writer.append(contentsOf: [EncodedExchange(exchange)])
                if index.isMultiple(of: 2) { writer.digestAppended() }
            }
        }
        let expected = CassetteDigest.digest(of: exchanges)
        #expect(writer.summary.digest == expected)
        #expect(writer.summary.exchangeCount == exchanges.count)
        #expect(try writer.finish().digest == expected)
        let cassette = try Cassette.load(path: writer.path)
        #expect(cassette.end == CassetteEnd(exchangeCount: exchanges.count, digest: expected))
        #expect(cassette.digest == expected)
    }

    /// When the digest must be read back from the file and the file is gone, finishing fails and names it
    /// rather than writing an end record with a wrong digest.
    @Test func digestReadBackFromAMissingFileFails() throws {
        let directory = try TemporaryDirectory()
        let writer = try CassetteWriter(directory: directory.url.path, run: nil, toolVersion: "1", digestEntriesKept: 2)
        for (seq, ordinal) in [(0, 5), (1, 6), (2, 7), (3, 0)] {
            try writer.append(Fixtures.jsonExchange(seq: seq, ordinal: ordinal))
        }
        try FileManager.default.removeItem(atPath: writer.path)
        #expect(writer.summary.digest == "")
        let error = #expect(throws: CassetteError.self) { try writer.finish() }
        #expect(error?.description.contains(writer.path) == true)
    }

    /// A written cassette reads back whole: header, every exchange, and an end record whose digest matches.
    @Test func writesAndReadsCassette() throws {
        let directory = try TemporaryDirectory()
        let run = try RunID(validating: "r_000001")
        let writer = try CassetteWriter(directory: directory.url.path, run: run, toolVersion: "1.2.3")
        for exchange in all { try writer.append(exchange) }
        let summary = try writer.finish()
        #expect(summary.exchangeCount == all.count)
        #expect(summary.services == ["maestro"])
        #expect(summary.isComplete)
        #expect(throws: CassetteError.self) { try writer.append(all[0]) }

        let cassette = try Cassette.load(path: directory.path("r_000001.jsonl.gz"))
        #expect(cassette.header?.run == run)
        #expect(cassette.header?.toolVersion == "1.2.3")
        #expect(cassette.exchanges == all)
        #expect(cassette.end == CassetteEnd(exchangeCount: all.count, digest: CassetteDigest.digest(of: all)))
        #expect(cassette.isComplete)
        #expect(cassette.problems.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory.path(".r_000001.jsonl.gz.tmp")))
    }

    /// A cassette cut anywhere after some records (a crash) gives back every whole record and says where it broke.
    @Test func truncatedTailIsReported() throws {
        let directory = try TemporaryDirectory()
        let writer = try CassetteWriter(directory: directory.url.path, run: nil, toolVersion: "1")
        var sizes: [Int] = []
        for exchange in all {
            try writer.append(exchange)
            sizes.append(
                try FileManager.default.attributesOfItem(atPath: directory.path("_default.jsonl.gz"))[.size] as! Int
            )
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: directory.path("_default.jsonl.gz")))
        // Cut in the middle of the fourth exchange's compressed bytes: three whole exchanges remain.
        let cut = (sizes[2] + sizes[3]) / 2
        let truncated = directory.path("cut.jsonl.gz")
        try bytes.prefix(cut).write(to: URL(fileURLWithPath: truncated))
        let cassette = try Cassette.load(path: truncated)
        #expect(cassette.exchanges == Array(all.prefix(3)))
        #expect(cassette.end == nil)
        #expect(!cassette.isComplete)
        let damage = try #require(cassette.damage)
        #expect(damage.kind == .truncated)
        #expect(damage.recordsBefore == 4)
        #expect(damage.compressedOffset == cut)
        #expect(damage.description.contains("cut.jsonl.gz"))
        #expect(damage.description.contains("record 5"))
        _ = writer  // keeps the file open, as a crashed writer would
    }

    /// A line that is not a valid record is reported with its record number and the rest is still read.
    @Test func malformedRecordIsReportedAndSkipped() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("r_2.jsonl.gz")
        let file = try GzipFileWriter(path: path)
        try file.append(
            CassetteRecord.header(
                CassetteHeader(run: try RunID(validating: "r_2"), created: Fixtures.started, toolVersion: "1")
            ).encoded()
        )
        let valid = String(decoding: CassetteRecord.exchange(all[1]).encoded(), as: UTF8.self)
        try file.append(Array(valid.replacingOccurrences(of: #""seq":1"#, with: #""seq":"one""#).utf8))
        try file.append(CassetteRecord.exchange(all[0]).encoded())
        try file.close()
        let cassette = try Cassette.load(path: path)
        #expect(cassette.exchanges == [all[0]])
        #expect(cassette.problems.count == 1)
        #expect(cassette.problems.first?.contains("record 2") == true)
        #expect(cassette.problems.first?.contains("`seq`") == true)
        #expect(!cassette.isComplete)
    }

    /// An end record whose digest or count disagrees with the exchanges is a problem.
    @Test func endRecordIsChecked() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("r_3.jsonl.gz")
        let file = try GzipFileWriter(path: path)
        try file.append(
            CassetteRecord.header(
                CassetteHeader(run: try RunID(validating: "r_3"), created: Fixtures.started, toolVersion: "1")
            ).encoded()
        )
        try file.append(CassetteRecord.exchange(all[0]).encoded())
        try file.append(CassetteRecord.end(CassetteEnd(exchangeCount: 2, digest: "00")).encoded())
        try file.close()
        let cassette = try Cassette.load(path: path)
        #expect(cassette.problems.count == 2)
        #expect(cassette.problems.contains { $0.contains("counts 2 exchanges") })
        #expect(cassette.problems.contains { $0.contains("differs from the recomputed digest") })
    }

    /// `zcat` and Python's JSON reader accept every line of a cassette.
    @Test func cassetteIsStandardJSONLines() async throws {
        guard let python = ExternalProcess.which("python3"), let zcat = ExternalProcess.which("zcat") else {
            Issue.record("python3 and zcat are needed for this test")
            return
        }
        let directory = try TemporaryDirectory()
        let writer = try CassetteWriter(directory: directory.url.path, run: nil, toolVersion: "1")
        for exchange in all { try writer.append(exchange) }
        try writer.finish()
        let unzipped = try await ExternalProcess.run(zcat, [directory.path("_default.jsonl.gz")])
        #expect(unzipped.status == 0)
        try Data(unzipped.stdout).write(to: URL(fileURLWithPath: directory.path("lines.jsonl")))
        let checked = try await ExternalProcess.run(
            python,
            ["-m", "json.tool", "--json-lines"],
            standardInput: directory.path("lines.jsonl")
        )
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(unzipped.stdoutText.split(separator: "\n").count == all.count + 2)
    }
}
