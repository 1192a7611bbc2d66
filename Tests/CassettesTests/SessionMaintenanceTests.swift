import Cassettes
import Foundation
import Gzip
import JSON
import TestSupport
import Testing
import Vocabulary

/// Reseal after a hand edit, prune after a replay, record-missing's maximum age, and cassette ages
/// (cassette-format.md §11).
@Suite struct SessionMaintenanceTests {
    private let run = try! RunID(validating: "r_1")

    /// A session in `directory` holding run r_1's cassette with `count` JSON exchanges, recorded with an index.
    private func record(_ count: Int, in directory: String) throws {
        let session = try CassetteSession(directory: directory, configuration: .null, toolVersion: "1")
        for seq in 0..<count {
            let slot = try session.reserve(run: run, ordinal: seq)
            var exchange = Fixtures.jsonExchange(seq: seq)
            exchange.seq = slot.seq
            try session.record(exchange, run: run)
        }
        _ = try session.close()
    }

    /// Rewrites a cassette as a person would with `zcat | edit | gzip`: every line through `edit`, recompressed as
    /// one new gzip stream.
    private func handEdit(_ path: String, _ edit: (String) -> String) throws {
        let reader = try GzipRecordReader(path: path)
        var lines: [String] = []
        while let line = try reader.next() { lines.append(edit(String(decoding: line, as: UTF8.self))) }
        let writer = try GzipFileWriter(path: path + ".edited", level: 6)
        for line in lines { try writer.append(Array(line.utf8)) }
        try writer.close()
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: path + ".edited", toPath: path)
    }

    private func verification(_ directory: String) throws -> CassetteVerification {
        CassetteVerification(of: try CassetteSelection(path: directory, currentDirectory: "/", run: nil))
    }

    /// An exchange edited by hand fails verify; reseal rewrites its end record and index row, says what changed,
    /// and the cassette then verifies and holds the edited value; a second reseal changes nothing.
    @Test func resealFixesAHandEditedExchange() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("r_1.jsonl.gz")
        try record(3, in: directory.url.path)
        let before = try Cassette.load(path: path).end
        try handEdit(path) { line in
            line.contains(#""seq":1,"#)
                ? line.replacingOccurrences(of: #"\"ok\":true"#, with: #"\"ok\":\"edited\""#) : line
        }
        #expect(try !verification(directory.url.path).isOK)

        let report = try SessionMaintenance.reseal(directory: directory.url.path, toolVersion: "1")
        let change = try #require(report.changes.first)
        #expect(report.isOK && report.changes.count == 1 && change.isChanged)
        #expect(change.before == before)
        #expect(change.after?.digest != before?.digest && change.after?.exchangeCount == 3)
        #expect(change.description.hasPrefix("resealed r_1.jsonl.gz: 3 → 3 exchanges, digest \(before!.digest) → "))
        #expect(report.indexRewritten)

        #expect(try verification(directory.url.path).isOK)
        let edited = try #require(try Cassette.load(path: path).exchange(seq: 1))
        #expect(edited.response.bodyBytes == Array(#"{"ok":"edited"}"#.utf8))
        #expect(!FileManager.default.fileExists(atPath: directory.path(".r_1.jsonl.gz.tmp")))
        #expect(!FileManager.default.fileExists(atPath: directory.path(SessionLock.fileName)))

        let again = try SessionMaintenance.reseal(directory: directory.url.path, toolVersion: "1")
        #expect(again.changes.map(\.isChanged) == [false] && !again.indexRewritten)
        #expect(again.lines.first?.hasPrefix("unchanged r_1.jsonl.gz: 3 exchanges") == true)
    }

    /// A record that does not decode is refused by file, record and decompressed byte, and the cassette is left as
    /// it was; the other cassettes are still resealed.
    @Test func resealRefusesARecordThatDoesNotDecode() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("r_1.jsonl.gz")
        try record(2, in: directory.url.path)
        let writer = try CassetteWriter(directory: directory.url.path, run: nil, toolVersion: "1")
        try writer.append(Fixtures.jsonExchange(seq: 0))
        try writer.finish()
        var offset = 0
        var number = 0
        try handEdit(path) { line in
            number += 1
            if number <= 2 { offset += line.utf8.count + 1 }
            return number == 3 ? line.replacingOccurrences(of: #""status":200"#, with: #""status":"OK""#) : line
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))

        let report = try SessionMaintenance.reseal(directory: directory.url.path, toolVersion: "1")
        #expect(!report.isOK)
        let refusal = try #require(report.changes.first { $0.file == "r_1.jsonl.gz" }?.refusal)
        #expect(refusal.contains("\(path): record 3: `response.status` is not an integer"))
        #expect(refusal.contains("decompressed byte \(offset)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(report.changes.first { $0.file == RunID.untaggedFileName }?.refusal == nil)
        // The refused cassette keeps the row it had; the untagged one, which had none, gets one.
        let rows = try #require(try SessionIndex.read(directory: directory.url.path)?.rows)
        #expect(rows.keys.sorted() == [RunID.untaggedFileName, "r_1.jsonl.gz"])
        #expect(rows["r_1.jsonl.gz"]?["exchanges"]?.integerValue == 2)
    }

    /// Pruning with what a partial replay served leaves exactly the served recordings, keeps their seqs, removes a
    /// cassette nothing was served from, and the session verifies; a dry run changes nothing.
    @Test func pruneLeavesExactlyTheServedRecordings() throws {
        let directory = try TemporaryDirectory()
        try record(4, in: directory.url.path)
        let other = try RunID(validating: "r_2")
        let session = try CassetteSession(directory: directory.url.path, configuration: .null, toolVersion: "1")
        _ = try session.reserve(run: other, ordinal: 0)
        try session.record(Fixtures.jsonExchange(seq: 0), run: other)
        _ = try session.close()

        let library = ReplayLibrary(directory: directory.url.path, redactor: Redactor())
        for seq in [0, 2] {
            let exchange = Fixtures.jsonExchange(seq: seq)
            let request = ReplayRequest(
                service: "maestro",
                method: "GET",
                target: exchange.request.target,
                headers: exchange.request.headers,
                run: run,
                ordinal: seq
            )
            guard case .success = library.match(request) else {
                Issue.record("seq \(seq) did not match")
                return
            }
        }
        let usage = ReplayUsage(directory: directory.url.path, finished: .now(), cassettes: library.usage())
        #expect(usage.cassettes.map(\.served) == [[0, 2], []])
        let file = directory.path("served.json")
        try Data(JSONWriter.bytes(usage.jsonValue)).write(to: URL(fileURLWithPath: file))
        let readBack = try ReplayUsage(path: file)
        #expect(readBack == usage)

        let dryRun = try SessionMaintenance.prune(
            directory: directory.url.path,
            usage: readBack,
            dryRun: true,
            toolVersion: "1"
        )
        #expect(
            dryRun.lines.prefix(2) == [
                "would prune r_1.jsonl.gz: removed seqs 1, 3; 4 → 2 exchanges, digest "
                    + "\(try Cassette.load(path: directory.path("r_1.jsonl.gz")).end!.digest) → "
                    + CassetteDigest.digest(of: [Fixtures.jsonExchange(seq: 0), Fixtures.jsonExchange(seq: 2)]),
                "would remove r_2.jsonl.gz: all 1 recordings unused (seqs 0)",
            ]
        )
        #expect(try Cassette.load(path: directory.path("r_1.jsonl.gz")).exchanges.count == 4)

        let pruned = try SessionMaintenance.prune(
            directory: directory.url.path,
            usage: readBack,
            dryRun: false,
            toolVersion: "1"
        )
        #expect(pruned.isOK && pruned.indexRewritten)
        #expect(try Cassette.load(path: directory.path("r_1.jsonl.gz")).exchanges.map(\.seq) == [0, 2])
        #expect(!FileManager.default.fileExists(atPath: directory.path("r_2.jsonl.gz")))
        #expect(try verification(directory.url.path).isOK)
        #expect(try SessionIndex.read(directory: directory.url.path)?.rows.keys.sorted() == ["r_1.jsonl.gz"])

        // The replay's file no longer describes the cassette: a second prune refuses it rather than guess.
        let stale = try SessionMaintenance.prune(
            directory: directory.url.path,
            usage: readBack,
            dryRun: false,
            toolVersion: "1"
        )
        #expect(!stale.isOK)
        #expect(stale.changes.first?.refusal?.contains("it changed since the replay") == true)
    }

    /// With a maximum age, a recording older than the cutoff is asked again and a new recording of the request
    /// replaces it; a newer one is not, and without a cutoff none is.
    @Test func staleRecordingsAreAskedAgainAndSuperseded() throws {
        let directory = try TemporaryDirectory()
        let cutoff = Timestamp(millisecondsSinceEpoch: Fixtures.started.millisecondsSinceEpoch + 1)
        _ = try Fixtures.replayLibrary(with: [Fixtures.jsonExchange(seq: 0)], run: nil, in: directory)
        let library = ReplayLibrary(directory: directory.url.path, redactor: Redactor(), staleBefore: cutoff)
        let old = Fixtures.jsonExchange(seq: 0)
        var fresh = old
        fresh.started = cutoff
        #expect(library.isAskedAgain(old) && !library.isAskedAgain(fresh))
        #expect(!ReplayLibrary(directory: directory.url.path, redactor: Redactor()).isAskedAgain(old))

        let request = ReplayRequest(
            service: "maestro",
            method: "GET",
            target: old.request.target,
            headers: old.request.headers
        )
        guard case .success(let hit) = library.match(request) else {
            Issue.record("no match")
            return
        }
        #expect(hit.exchange.started == old.started)
        fresh.seq = 1
        library.add(fresh, run: nil)
        guard case .success(let next) = library.match(request) else {
            Issue.record("no match")
            return
        }
        #expect(next.exchange.seq == 1)
        #expect(library.unusedRecordings().isEmpty)
    }

    /// `ls` shows each cassette's age from its newest exchange in the largest whole unit, and JSON has it in seconds.
    @Test func listingsShowAges() throws {
        let newest = Fixtures.started
        let summary = CassetteSummary(run: run, exchanges: [Fixtures.jsonExchange()], isComplete: true)
        let now = Timestamp(millisecondsSinceEpoch: newest.millisecondsSinceEpoch + 3 * 86_400_000 + 5_000)
        let table = CassetteTranscript.table(of: [summary], now: now)
        #expect(table[0].contains("LAST                      AGE  DIGEST"))
        #expect(table[1].contains("\(newest)  3 d  "))
        let row = CassetteTranscript.rows(of: [summary], now: now)[0]
        #expect(row?["age_s"]?.integerValue == 3 * 86_400 + 5)
        let empty = CassetteSummary(run: nil, exchanges: [], isComplete: true)
        #expect(CassetteTranscript.rows(of: [empty], now: now)[0]?["age_s"]?.isNull == true)
    }
}
