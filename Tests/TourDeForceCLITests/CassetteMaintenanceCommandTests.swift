import Cassettes
import Foundation
import Gzip
import HTTPWire
import JSON
import TestSupport
import Testing
import Vocabulary

/// `tdf cassette reseal`, `tdf cassette prune`, ages in `tdf cassette ls`, `tdf proxy --max-age/--served` flags
/// and `tdf merge` of bare cassette sessions.
@Suite struct CassetteMaintenanceCommandTests {
    private func exchange(seq: Int) -> Exchange {
        Exchange(
            seq: seq,
            ordinal: seq,
            service: "maestro",
            started: Timestamp(millisecondsSinceEpoch: Timestamp.now().millisecondsSinceEpoch - 2 * 86_400_000),
            request: RecordedRequest(method: "GET", target: "/api/v1/health?probe=\(seq)"),
            response: RecordedResponse(status: 200, reason: "OK", content: .body(Array(#"{"ok":true}"#.utf8))),
            timing: Timing(ttfbMilliseconds: 1, totalMilliseconds: 2)
        )
    }

    /// A session in `directory` with a cassette per run, `count` exchanges each, and its index.
    private func record(_ runs: [String], count: Int, in directory: String) throws {
        let session = try CassetteSession(directory: directory, configuration: .null, toolVersion: "1")
        for name in runs {
            let run = try RunID(validating: name)
            for seq in 0..<count {
                _ = try session.reserve(run: run, ordinal: seq)
                try session.record(exchange(seq: seq), run: run)
            }
        }
        _ = try session.close()
    }

    /// Rewrites every line of the cassette through `edit`, as `zcat | edit | gzip` would.
    private func handEdit(_ path: String, _ edit: (String) -> String) throws {
        let reader = try GzipRecordReader(path: path)
        var lines: [String] = []
        while let line = try reader.next() { lines.append(edit(String(decoding: line, as: UTF8.self))) }
        let writer = try GzipFileWriter(path: path, level: 9)
        for line in lines { try writer.append(Array(line.utf8)) }
        try writer.close()
    }

    /// verify fails after a hand edit; reseal exits 0 and names the old and new digests; verify passes; a record
    /// that does not decode makes reseal exit 1 naming the record and byte; a missing directory is a usage error.
    @Test func resealAfterAHandEdit() async throws {
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("c")
        try record(["r_1"], count: 2, in: cassettes)
        let old = try #require(try Cassette.load(path: cassettes + "/r_1.jsonl.gz").end)
        try handEdit(cassettes + "/r_1.jsonl.gz") {
            $0.replacingOccurrences(of: #""status":200"#, with: #""status":203"#)
        }
        #expect(await tdf(["cassette", "verify", cassettes]).status == 1)

        let resealed = await tdf(["cassette", "reseal", cassettes])
        #expect(resealed.status == 0, "\(resealed.stderr)")
        let lines = resealed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("resealed r_1.jsonl.gz: 2 → 2 exchanges, digest \(old.digest) → ") == true)
        #expect(lines.suffix(2) == ["rewrote index.json", "1 of 1 cassettes changed"])
        #expect(await tdf(["cassette", "verify", cassettes]).status == 0)
        #expect(try Cassette.load(path: cassettes + "/r_1.jsonl.gz").exchanges.map(\.response.status) == [203, 203])

        try handEdit(cassettes + "/r_1.jsonl.gz") { $0.contains(#""seq":1,"#) ? "{not json" : $0 }
        let refused = await tdf(["cassette", "reseal", cassettes])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("r_1.jsonl.gz: record 3: not JSON"))
        #expect(refused.stderr.contains("(the record starts at decompressed byte "))

        let missing = await tdf(["cassette", "reseal", directory.path("nowhere")])
        #expect(missing.status == 2 && missing.stderr.contains("does not exist"))
    }

    /// prune --dry-run lists what a replay's usage file leaves unused and changes nothing; prune removes exactly
    /// that; without --unused-in, or with a file that is not a usage file, it is a usage error.
    @Test func pruneWithAUsageFile() async throws {
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("c")
        try record(["r_1"], count: 3, in: cassettes)
        let library = ReplayLibrary(directory: cassettes, redactor: Redactor())
        _ = library.match(
            ReplayRequest(
                service: "maestro",
                method: "GET",
                target: "/api/v1/health?probe=1",
                run: try RunID(validating: "r_1"),
                ordinal: 1
            )
        )
        let usage = directory.path("served.json")
        try Data(
            JSONWriter.bytes(ReplayUsage(directory: cassettes, finished: .now(), cassettes: library.usage()).jsonValue)
        )
        .write(to: URL(fileURLWithPath: usage))

        let dryRun = await tdf(["cassette", "prune", cassettes, "--unused-in", usage, "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.hasPrefix("would prune r_1.jsonl.gz: removed seqs 0, 2; 3 → 1 exchanges"))
        #expect(try Cassette.load(path: cassettes + "/r_1.jsonl.gz").exchanges.count == 3)

        let pruned = await tdf(["cassette", "prune", cassettes, "--unused-in", usage])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(try Cassette.load(path: cassettes + "/r_1.jsonl.gz").exchanges.map(\.seq) == [1])
        #expect(await tdf(["cassette", "verify", cassettes]).status == 0)

        let noFile = await tdf(["cassette", "prune", cassettes])
        #expect(noFile.status == 2 && noFile.stderr.contains("prune needs --unused-in FILE"))
        let notUsage = await tdf(["cassette", "prune", cassettes, "--unused-in", cassettes + "/index.json"])
        #expect(notUsage.status == 2 && notUsage.stderr.contains("is not a replay usage file"))
    }

    /// ls shows each cassette's age, in text and as age_s in JSON.
    @Test func listShowsAges() async throws {
        let directory = try TemporaryDirectory()
        try record(["r_1"], count: 1, in: directory.url.path)
        let text = await tdf(["cassette", "ls", directory.url.path])
        #expect(text.stdout.split(separator: "\n").first?.contains("  AGE  ") == true)
        #expect(text.stdout.contains("  2 d  "))
        let json = await tdf(["cassette", "ls", directory.url.path, "--json"])
        let rows = try JSONParser.parse(json.stdout)
        #expect(rows[0]?["age_s"]?.integerValue.map { (172_800...172_860).contains($0) } == true)
    }

    /// --max-age outside record-missing, an unreadable age, and --served outside a replay are usage errors.
    @Test func proxyMaintenanceFlagsAreChecked() async throws {
        let directory = try TemporaryDirectory()
        let base = ["proxy", "--cassettes", directory.url.path, "--service", "api=127.0.0.1:0=http://127.0.0.1:9"]
        let replay = await tdf(base + ["--mode", "replay", "--max-age", "7d"])
        #expect(replay.status == 2)
        #expect(replay.stderr.contains("--max-age applies to --mode record-missing only"))
        let unreadable = await tdf(base + ["--mode", "record-missing", "--max-age", "7w"])
        #expect(unreadable.status == 2 && unreadable.stderr.contains("--max-age takes a duration such as 90s"))
        let served = await tdf(base + ["--mode", "record", "--served", directory.path("s.json")])
        #expect(served.status == 2 && served.stderr.contains("--served lists what a replay served"))
    }

    /// tdf merge joins bare proxy sessions into one session that verifies, and refuses to mix them with a run
    /// tree, saying why.
    @Test func mergeJoinsBareSessions() async throws {
        let directory = try TemporaryDirectory()
        try record(["r_1"], count: 2, in: directory.path("a"))
        try record(["r_2"], count: 1, in: directory.path("b"))
        let merged = await tdf(["merge", directory.path("out"), directory.path("a"), directory.path("b")])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("tdf merge: 2 cassettes (2 runs) from 2 cassette sessions; merged session in"))
        #expect(try SessionDirectory.cassetteFileNames(in: directory.path("out")) == ["r_1.jsonl.gz", "r_2.jsonl.gz"])
        #expect(await tdf(["cassette", "verify", directory.path("out")]).status == 0)

        try FileManager.default.createDirectory(atPath: directory.path("tree"), withIntermediateDirectories: true)
        try "{}".write(toFile: directory.path("tree/config.json"), atomically: true, encoding: .utf8)
        let mixed = await tdf(["merge", directory.path("mixed"), directory.path("a"), directory.path("tree")])
        #expect(mixed.status == 2)
        #expect(mixed.stderr.contains("is a bare cassette session (no config.json) but"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("mixed")))
    }
}
