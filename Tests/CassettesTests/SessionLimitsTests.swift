import Cassettes
import Foundation
import JSON
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A long-running session stays bounded: open cassettes are capped and finished when idle, the index is kept by a
/// journal that is true at every moment, and the directory lock tells a live session from a dead one.
@Suite struct SessionLimitsTests {
    private func run(_ name: String) throws -> RunID { try RunID(validating: name) }

    /// Records one exchange of `run` through reserve and record, as the proxy does.
    private func recordOne(_ session: CassetteSession, _ run: RunID) throws {
        let slot = try session.reserve(run: run, ordinal: nil)
        try session.record(Fixtures.jsonExchange(seq: slot.seq, ordinal: slot.ordinal), run: run)
    }

    /// With room for two open cassettes, a third run finishes the least recently used one (its file gets its end
    /// record at once); when that run comes back its cassette is reopened with its records carried over.
    @Test func leastRecentlyUsedCassetteIsFinishedAtTheLimit() throws {
        let directory = try TemporaryDirectory()
        let session = try CassetteSession(
            directory: directory.url.path,
            configuration: .null,
            toolVersion: "1",
            openCassetteLimit: 2
        )
        let (a, b, c) = (try run("r_a"), try run("r_b"), try run("r_c"))
        try recordOne(session, a)
        try recordOne(session, b)
        try recordOne(session, a)  // b is now the least recently used
        try recordOne(session, c)
        #expect(session.openCassetteCount == 2)
        #expect(try Cassette.load(path: directory.path("r_b.jsonl.gz")).isComplete)
        #expect(try Cassette.load(path: directory.path("r_a.jsonl.gz")).end == nil)

        try recordOne(session, b)
        #expect(session.openCassetteCount == 2)
        try session.close()
        let counts = try ["r_a", "r_b", "r_c"].map { name in
            let cassette = try Cassette.load(path: directory.path(name + ".jsonl.gz"))
            #expect(cassette.isComplete, "\(name)")
            return cassette.exchanges.count
        }
        #expect(counts == [2, 2, 1])
        #expect(try Cassette.load(path: directory.path("r_b.jsonl.gz")).exchanges.map(\.seq) == [0, 1])
    }

    /// `maintain` finishes a cassette idle for the timeout, never one with an exchange in flight, and writes the
    /// open cassettes' changed exchange counts into the index.
    @Test func maintainFinishesIdleCassettesOnly() throws {
        let directory = try TemporaryDirectory()
        let session = try CassetteSession(directory: directory.url.path, configuration: .null, toolVersion: "1")
        let (idle, busy) = (try run("r_idle"), try run("r_busy"))
        try recordOne(session, idle)
        try recordOne(session, idle)
        let pending = try session.reserve(run: busy, ordinal: nil)

        #expect(try session.maintain(idleTimeout: .seconds(3600)) == 0)
        #expect(try SessionIndex.read(directory: directory.url.path)?.rows["r_idle.jsonl.gz"]?["exchanges"] == .int(2))

        #expect(try session.maintain(idleTimeout: .zero) == 1)
        #expect(try Cassette.load(path: directory.path("r_idle.jsonl.gz")).isComplete)
        #expect(session.hasOpenCassette(for: busy))
        #expect(!session.hasOpenCassette(for: idle))
        let row = try #require(try SessionIndex.read(directory: directory.url.path)?.rows["r_idle.jsonl.gz"])
        #expect(row["complete"] == .bool(true))

        try session.record(Fixtures.jsonExchange(seq: pending.seq, ordinal: pending.ordinal), run: busy)
        #expect(try session.maintain(idleTimeout: .zero) == 1)
        try session.close()
    }

    /// The index read while the session records already lists every cassette with its true count, and after a
    /// crash (the session never closed) the journal still makes it true; the next session starts from it.
    @Test func indexIsTrueWhileRecordingAndAfterACrash() throws {
        let directory = try TemporaryDirectory()
        var session: CassetteSession? = try CassetteSession(
            directory: directory.url.path,
            configuration: .null,
            toolVersion: "1"
        )
        let runs = try (0..<5).map { try run("r_\($0)") }
        for run in runs { try recordOne(session!, run) }
        try session!.finish(run: runs[0])
        let live = try #require(try SessionIndex.read(directory: directory.url.path))
        #expect(live.rows.count == 5)
        #expect(live.rows["r_0.jsonl.gz"]?["complete"] == .bool(true))
        #expect(live.rows["r_0.jsonl.gz"]?["exchanges"] == .int(1))

        session = nil  // a crash: no close, no fold
        #expect(SessionLock.holder(of: directory.url.path) == .ended(processID: Int(getpid())))
        let after = try #require(try SessionIndex.read(directory: directory.url.path))
        #expect(after.rows == live.rows)

        let next = try CassetteSession(directory: directory.url.path, configuration: .null, toolVersion: "1")
        try next.close()
        let raw = try JSONParser.parse(Array(try Data(contentsOf: directory.url.appendingPathComponent("index.json"))))
        #expect(raw["runs"]?.arrayValue?.count == 5)
        #expect(!FileManager.default.fileExists(atPath: directory.path(SessionIndex.journalFileName)))
    }

    /// However many runs pass through, the journal is folded before it outgrows the index, and the folded index
    /// holds every row.
    @Test func journalStaysShorterThanTheIndex() throws {
        let directory = try TemporaryDirectory()
        let session = try CassetteSession(directory: directory.url.path, configuration: .null, toolVersion: "1")
        var tooLong: [Int] = []
        for number in 0..<300 {
            let run = try run("r_\(number)")
            try recordOne(session, run)
            try session.finish(run: run)
            let journal = directory.path(SessionIndex.journalFileName)
            let lines = ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n").count
            if lines > max(64, number + 1) { tooLong.append(number) }
        }
        #expect(tooLong.isEmpty, "the journal outgrew the index after runs \(tooLong)")
        #expect(try SessionIndex.read(directory: directory.url.path)?.rows.count == 300)
        try session.close()
    }

    /// A journal whose last line was cut by a crash reads without it; a damaged line before the end is an error
    /// naming the file and the line.
    @Test func tornAndDamagedJournalLines() throws {
        let directory = try TemporaryDirectory()
        let journal = directory.path(SessionIndex.journalFileName)
        let whole = #"{"revision":1,"row":{"file":"r_a.jsonl.gz","exchanges":3}}"#
        try (whole + "\n" + #"{"revision":2,"row":{"fi"#).write(toFile: journal, atomically: false, encoding: .utf8)
        #expect(try SessionIndex.read(directory: directory.url.path)?.rows["r_a.jsonl.gz"]?["exchanges"] == .int(3))

        try ("garbage\n" + whole + "\n").write(toFile: journal, atomically: false, encoding: .utf8)
        let error = try #require(throws: CassetteError.self) { try SessionIndex.read(directory: directory.url.path) }
        #expect(error.path == journal)
        #expect(error.record == 1)
    }

    /// One session records into a directory at a time; the lock names the live process, is gone after a clean
    /// close, and stays (unlocked) after a session that was never closed.
    @Test func directoryLockTellsLiveFromEnded() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.path
        #expect(SessionLock.holder(of: path) == .none)
        let first = try CassetteSession(directory: path, configuration: .null, toolVersion: "1")
        #expect(SessionLock.holder(of: path) == .live(processID: Int(getpid())))
        let refused = try #require(throws: CassetteError.self) {
            try CassetteSession(directory: path, configuration: .null, toolVersion: "1")
        }
        #expect(refused.reason.contains("process \(getpid()) is recording into this directory"))
        try first.close()
        #expect(SessionLock.holder(of: path) == .none)
    }

    /// An ordinal beyond the documented maximum is refused instead of overflowing the run's counter; the maximum
    /// itself works, and so does the automatic ordinal after it.
    @Test func ordinalsBeyondTheMaximumAreRefused() throws {
        let directory = try TemporaryDirectory()
        let session = try CassetteSession(directory: directory.url.path, configuration: .null, toolVersion: "1")
        let run = try run("r_big")
        let error = try #require(throws: CassetteError.self) { try session.reserve(run: run, ordinal: .max) }
        #expect(error.code == .invalidOrdinal)
        #expect(throws: CassetteError.self) { try session.reserve(run: run, ordinal: -1) }
        #expect(
            try session.reserve(run: run, ordinal: Exchange.maximumOrdinal).ordinal == Exchange.maximumOrdinal
        )
        #expect(try session.reserve(run: run, ordinal: nil).ordinal == Exchange.maximumOrdinal + 1)
        try session.close()
    }
}
