import Cassettes
import Foundation
import Gzip
import HTTPWire
import JSON
import TestSupport
import Testing
import Vocabulary

@Suite struct CassetteSessionTests {
    /// Seqs follow arrival, ordinals are taken from the tag or allocated, and each run gets its own cassette.
    @Test func allocatesSlotsPerRun() throws {
        let directory = try TemporaryDirectory()
        let session = try CassetteSession(directory: directory.url.path, configuration: .object([]), toolVersion: "1")
        let run = try RunID(validating: "r_1")
        #expect(try session.reserve(run: run, ordinal: 5) == ExchangeSlot(run: run, seq: 0, ordinal: 5))
        #expect(try session.reserve(run: run, ordinal: nil) == ExchangeSlot(run: run, seq: 1, ordinal: 6))
        #expect(try session.reserve(run: nil, ordinal: nil) == ExchangeSlot(run: nil, seq: 0, ordinal: 0))
        try session.close()
        #expect(throws: CassetteError.self) { try session.reserve(run: nil, ordinal: nil) }
    }

    /// Exchanges recorded through the writer thread by many tasks at once are each in their cassette exactly once,
    /// on disk before `recordQueued` returns, and the `end` record counts them all.
    @Test func queuedRecordsLandOnceEach() async throws {
        let directory = try TemporaryDirectory()
        let session = try CassetteSession(directory: directory.url.path, configuration: .null, toolVersion: "1")
        let runs = try ["r_a", "r_b"].map { try RunID(validating: $0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                let run = runs[index % 2]
                let slot = try session.reserve(run: run, ordinal: nil)
                group.addTask {
                    let exchange = Fixtures.jsonExchange(seq: slot.seq, ordinal: slot.ordinal)
                    try await session.recordQueued(exchange, run: run)
                    let written = try Cassette.load(path: directory.path(RunID.fileName(for: run))).exchanges
                    #expect(written.contains { $0.ordinal == slot.ordinal })
                }
            }
            try await group.waitForAll()
        }
        try session.close()
        for run in runs {
            let cassette = try Cassette.load(path: directory.path(RunID.fileName(for: run)))
            #expect(cassette.isComplete)
            #expect(cassette.exchanges.map(\.ordinal).sorted() == Array(0..<100))
        }
        await #expect(throws: CassetteError.self) {
            try await session.recordQueued(Fixtures.jsonExchange(seq: 100, ordinal: 100), run: runs[0])
        }
    }

    /// An exchange queued with a redactor reaches the disk redacted, and `recordQueued` hands back what was
    /// written; the secret is in neither.
    @Test func queuedRecordsAreRedactedOnTheWriterThread() async throws {
        let directory = try TemporaryDirectory()
        let session = try CassetteSession(directory: directory.url.path, configuration: .null, toolVersion: "1")
        var exchange = Fixtures.jsonExchange()
        exchange.request.headers.append(name: "Authorization", value: "Bearer queued-secret-token")
        let written = try await session.recordQueued(exchange, run: nil, redactedBy: Redactor())
        try session.close()
        #expect(written.request.headers["Authorization"] != nil)
        #expect(written.request.headers["Authorization"]?.contains("queued-secret-token") == false)
        let onDisk = try #require(try Cassette.load(path: directory.path(RunID.fileName(for: nil))).exchanges.first)
        #expect(onDisk == written)
        let compressed = try SessionDirectory.read(directory.path(RunID.fileName(for: nil)))
        let raw = String(decoding: try GzipData.decompress(compressed), as: UTF8.self)
        #expect(!raw.contains("queued-secret-token"))
    }

    /// The index lists every cassette with its count, services, digest and times, and is readable JSON.
    @Test func writesIndex() throws {
        let directory = try TemporaryDirectory()
        let session = try CassetteSession(
            directory: directory.url.path,
            configuration: .object([("mode", .string("record"))]),
            toolVersion: "1.0"
        )
        let run = try RunID(validating: "r_7")
        for seq in 0..<3 {
            let slot = try session.reserve(run: run, ordinal: nil)
            var exchange = Fixtures.jsonExchange(
                seq: slot.seq,
                ordinal: slot.ordinal,
                service: seq == 2 ? "storpheus" : "maestro"
            )
            exchange.started = Timestamp(millisecondsSinceEpoch: Fixtures.started.millisecondsSinceEpoch + Int64(seq))
            try session.record(exchange, run: run)
        }
        let summaries = try session.close()
        #expect(summaries.count == 1)
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.path("index.json")))
        let index = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(index["version"] as? Int == 1)
        #expect(index["tool_version"] as? String == "1.0")
        #expect((index["config"] as? [String: Any])?["mode"] as? String == "record")
        let rows = try #require(index["runs"] as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows[0]["run_id"] as? String == "r_7")
        #expect(rows[0]["file"] as? String == "r_7.jsonl.gz")
        #expect(rows[0]["exchanges"] as? Int == 3)
        #expect(rows[0]["services"] as? [String] == ["maestro", "storpheus"])
        #expect(rows[0]["digest"] as? String == summaries[0].digest)
        #expect(rows[0]["first"] as? String == "2025-11-25T12:00:00.123Z")
        #expect(rows[0]["last"] as? String == "2025-11-25T12:00:00.125Z")
        #expect(rows[0]["complete"] as? Bool == true)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter {
            $0.hasPrefix(".")
        }
        #expect(leftovers.isEmpty)
    }

    /// Finishing a run closes its cassette; a later exchange of that run reopens it with the earlier records.
    @Test func reopensFinishedRun() throws {
        let directory = try TemporaryDirectory()
        let session = try CassetteSession(directory: directory.url.path, configuration: .null, toolVersion: "1")
        let run = try RunID(validating: "r_1")
        let slot = try session.reserve(run: run, ordinal: nil)
        try session.record(Fixtures.jsonExchange(seq: slot.seq), run: run)
        #expect(try session.finish(run: run)?.isComplete == true)
        #expect(try Cassette.load(path: directory.path("r_1.jsonl.gz")).isComplete)
        let again = try session.reserve(run: run, ordinal: nil)
        #expect(again.seq == 1)
        try session.record(Fixtures.jsonExchange(seq: again.seq), run: run)
        try session.close()
        let cassette = try Cassette.load(path: directory.path("r_1.jsonl.gz"))
        #expect(cassette.exchanges.map(\.seq) == [0, 1])
        #expect(cassette.isComplete)
    }

    /// A continuing session (record-missing) keeps an earlier session's exchanges; a recording session replaces them.
    @Test func continuesOrReplacesEarlierCassettes() throws {
        let directory = try TemporaryDirectory()
        let run = try RunID(validating: "r_1")
        let first = try CassetteSession(directory: directory.url.path, configuration: .null, toolVersion: "1")
        _ = try first.reserve(run: run, ordinal: nil)
        try first.record(Fixtures.jsonExchange(seq: 0), run: run)
        try first.close()

        let continuing = try CassetteSession(
            directory: directory.url.path,
            configuration: .null,
            toolVersion: "1",
            keepsExistingCassettes: true
        )
        let slot = try continuing.reserve(run: run, ordinal: nil)
        #expect(slot == ExchangeSlot(run: run, seq: 1, ordinal: 1))
        try continuing.record(Fixtures.jsonExchange(seq: 1), run: run)
        try continuing.close()
        #expect(try Cassette.load(path: directory.path("r_1.jsonl.gz")).exchanges.count == 2)

        let replacing = try CassetteSession(directory: directory.url.path, configuration: .null, toolVersion: "1")
        #expect(try replacing.reserve(run: run, ordinal: nil).seq == 0)
        try replacing.record(Fixtures.jsonExchange(seq: 0), run: run)
        try replacing.close()
        #expect(try Cassette.load(path: directory.path("r_1.jsonl.gz")).exchanges.count == 1)
    }
}

@Suite struct ReplayLibraryTests {
    /// A tagged request gets exactly (run, ordinal); a difference in target or body is named as the first field.
    @Test func matchesRunAndOrdinal() throws {
        let directory = try TemporaryDirectory()
        let run = try RunID(validating: "r_1")
        let recorded = [Fixtures.jsonExchange(seq: 0), Fixtures.sseExchange(seq: 1)]
        let library = try Fixtures.replayLibrary(with: recorded, run: run, in: directory)
        let hit = try library.match(
            ReplayRequest(
                service: "maestro",
                method: "POST",
                target: "/api/v1/maestro/stream",
                body: Array("{ \"prompt\" : \"x\" }".utf8),
                run: run,
                ordinal: 1
            )
        ).get()
        #expect(hit.exchange == recorded[1])

        let wrongTarget = library.match(
            ReplayRequest(service: "maestro", method: "GET", target: "/other", run: run, ordinal: 0)
        )
        guard case .failure(let mismatch) = wrongTarget else {
            Issue.record("a different target was served")
            return
        }
        #expect(mismatch.kind == .differs)
        #expect(mismatch.field == "target")
        #expect(mismatch.expected?.target == "/api/v1/prompts/random?n=0")
        let body = JSONWriter.string(mismatch.jsonValue)
        #expect(body.contains(#""error":"replay_mismatch""#))
        #expect(body.contains(#""field":"target""#))
        #expect(body.contains(#""expected":{"cassette":"r_1.jsonl.gz","seq":0,"ordinal":0"#))

        let wrongBody = library.match(
            ReplayRequest(
                service: "maestro",
                method: "POST",
                target: "/api/v1/maestro/stream",
                body: Array("{}".utf8),
                run: run,
                ordinal: 1
            )
        )
        if case .failure(let mismatch) = wrongBody {
            #expect(mismatch.field == "body")
        } else {
            Issue.record("a different body was served")
        }

        let missing = library.match(
            ReplayRequest(service: "maestro", method: "GET", target: "/x", run: run, ordinal: 9)
        )
        if case .failure(let mismatch) = missing {
            #expect(mismatch.kind == .noRecording)
            #expect(mismatch.field == "ordinal")
        } else {
            Issue.record("an unknown ordinal was served")
        }
        let otherRun = library.match(
            ReplayRequest(
                service: "maestro",
                method: "GET",
                target: "/x",
                run: try RunID(validating: "r_2"),
                ordinal: 0
            )
        )
        if case .failure(let mismatch) = otherRun {
            #expect(mismatch.field == "run")
        } else {
            Issue.record("an unknown run was served")
        }
    }

    /// Untagged requests take the next unused recording of their key, in order, and unused ones are listed.
    @Test func matchesUntaggedInOrder() throws {
        let directory = try TemporaryDirectory()
        var first = Fixtures.jsonExchange(seq: 0, body: #"{"n":1}"#)
        first.request.target = "/poll"
        var second = Fixtures.jsonExchange(seq: 1, body: #"{"n":2}"#)
        second.request.target = "/poll"
        let third = Fixtures.jsonExchange(seq: 2)
        let library = try Fixtures.replayLibrary(with: [first, second, third], run: nil, in: directory)
        let poll = ReplayRequest(service: "maestro", method: "GET", target: "/poll")
        #expect(try library.match(poll).get().exchange == first)
        #expect(try library.match(poll).get().exchange == second)
        #expect(try library.match(poll).get().uses == 2)
        #expect(library.unusedRecordings().map(\.seq) == [2])
        let unknown = library.match(ReplayRequest(service: "maestro", method: "GET", target: "/poll2"))
        if case .failure(let mismatch) = unknown {
            #expect(mismatch.kind == .noRecording)
            #expect(mismatch.field == "target")
            // `/poll` differs in its path only, seq 2 in its path and `?n`: the nearer comes first, used or not.
            #expect(mismatch.expected?.seq == 0)
            #expect(mismatch.differences.map(\.location) == ["path"])
        } else {
            Issue.record("an unrecorded target was served")
        }
    }

    /// The incoming request is redacted like the recording was, so a secret in the body still matches.
    @Test func matchesRedactedBodies() throws {
        let directory = try TemporaryDirectory()
        let redactor = Redactor(jsonPaths: [try #require(JSONPath("password"))])
        var exchange = Fixtures.jsonExchange()
        exchange.request = RecordedRequest(
            method: "POST",
            target: "/login",
            body: Array(#"{"password":"hunter22"}"#.utf8)
        )
        let writer = try CassetteWriter(directory: directory.url.path, run: nil, toolVersion: "1")
        try writer.append(redactor.redact(exchange))
        try writer.finish()
        let library = ReplayLibrary(directory: directory.url.path, redactor: redactor)
        let request = ReplayRequest(
            service: "maestro",
            method: "POST",
            target: "/login",
            body: Array(#"{"password": "hunter22"}"#.utf8)
        )
        #expect(throws: Never.self) { try library.match(request).get() }
    }
}

@Suite struct HARExportTests {
    /// The export has every field HAR 1.2 requires and Python's json module loads it.
    @Test func hasRequiredFields() async throws {
        let directory = try TemporaryDirectory()
        let writer = try CassetteWriter(
            directory: directory.url.path,
            run: try RunID(validating: "r_1"),
            toolVersion: "1"
        )
        for exchange in [
            Fixtures.jsonExchange(seq: 0), Fixtures.binaryExchange(seq: 1), Fixtures.sseExchange(seq: 2),
            Fixtures.faultExchange(seq: 3),
        ] {
            try writer.append(exchange)
        }
        try writer.finish()
        let cassette = try Cassette.load(path: directory.path("r_1.jsonl.gz"))
        let har = JSONWriter.bytes(HARExport.document(of: [cassette], toolVersion: "1"), style: .pretty)
        let path = directory.path("out.har")
        try Data(har).write(to: URL(fileURLWithPath: path))
        guard let python = ExternalProcess.which("python3") else {
            Issue.record("python3 is needed for this test")
            return
        }
        let script = """
            import json, sys
            log = json.load(open(sys.argv[1]))["log"]
            assert log["version"] == "1.2" and log["creator"]["name"] == "tdf"
            assert len(log["entries"]) == 4
            for e in log["entries"]:
                for k in ["startedDateTime", "time", "request", "response", "cache", "timings"]: assert k in e, k
                for k in ["method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"]: assert k in e["request"], k
                for k in ["status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize"]: assert k in e["response"], k
                for k in ["size", "mimeType"]: assert k in e["response"]["content"], k
                for k in ["send", "wait", "receive"]: assert k in e["timings"], k
                assert e["request"]["url"].startswith("http://")
            assert log["entries"][1]["response"]["content"]["encoding"] == "base64"
            assert log["entries"][2]["response"]["content"]["text"].startswith("data: ")
            assert log["entries"][0]["request"]["queryString"] == [{"name": "n", "value": "0"}]
            print("ok")
            """
        let result = try await ExternalProcess.run(python, ["-c", script, path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText == "ok\n")
    }
}
