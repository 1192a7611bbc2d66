import Cassettes
import Foundation
import Gzip
import JSON
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct CassetteVerificationTests {
    private let run: RunID
    private let runExchanges = [Fixtures.jsonExchange(seq: 0), Fixtures.sseExchange(seq: 1)]
    private let untaggedExchanges = [Fixtures.jsonExchange(seq: 0)]

    init() throws {
        run = try RunID(validating: "r_1")
    }

    /// A closed session with run r_1's cassette (two exchanges) and the untagged one (one exchange).
    private func recordSession(in directory: TemporaryDirectory) throws {
        let session = try CassetteSession(directory: directory.url.path, configuration: .null, toolVersion: "1")
        for exchange in runExchanges { try session.record(exchange, run: run) }
        for exchange in untaggedExchanges { try session.record(exchange, run: nil) }
        try session.close()
    }

    private func verify(_ directory: TemporaryDirectory, run: String? = nil) throws -> CassetteVerification {
        CassetteVerification(of: try CassetteSelection(path: directory.url.path, currentDirectory: "/", run: run))
    }

    /// A whole session verifies: every cassette is ok with its exchange count and recomputed digest, in the text
    /// and the JSON form, and there is nothing to say on stderr.
    @Test func wholeSession() throws {
        let directory = try TemporaryDirectory()
        try recordSession(in: directory)
        let verification = try verify(directory)
        let runDigest = CassetteDigest.digest(of: runExchanges)
        let untaggedDigest = CassetteDigest.digest(of: untaggedExchanges)
        #expect(verification.isOK)
        #expect(verification.holder == SessionLock.Holder.none)
        #expect(verification.stillOpen == 0)
        #expect(verification.firstProblems.isEmpty)
        #expect(
            verification.lines == [
                "ok    _default.jsonl.gz: 1 exchanges, digest \(untaggedDigest)",
                "ok    r_1.jsonl.gz: 2 exchanges, digest \(runDigest)", "2 cassettes verified",
            ]
        )
        #expect(
            JSONWriter.string(verification.jsonValue)
                == #"{"ok":true,"cassettes":[{"file":"_default.jsonl.gz","ok":true,"live":false,"exchanges":1,"#
                + #""digest":"\#(untaggedDigest)","problems":[]},{"file":"r_1.jsonl.gz","ok":true,"live":false,"#
                + #""exchanges":2,"digest":"\#(runDigest)","problems":[]}],"index_problems":[]}"#
        )
    }

    /// A cassette cut in half reports its damage, its missing end record and an index row that no longer
    /// matches; only it fails, and stderr gets its first problem.
    @Test func truncatedCassette() throws {
        let directory = try TemporaryDirectory()
        try recordSession(in: directory)
        let path = directory.path("r_1.jsonl.gz")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let truncated = try Cassette.load(path: path)
        let damage = try #require(truncated.damage).description
        let digest = truncated.digest
        let verification = try verify(directory)
        let verdict = verification.cassettes[1]
        #expect(!verification.isOK)
        #expect(verdict.file == "r_1.jsonl.gz")
        #expect(verdict.exchanges == truncated.exchanges.count)
        #expect(verdict.exchanges < 2)
        let problems = [
            damage, "\(path): no end record (the proxy did not shut down cleanly)",
            "\(directory.path("index.json")): the row for r_1.jsonl.gz says 2 exchanges, digest "
                + "\(CassetteDigest.digest(of: runExchanges)); the cassette holds \(verdict.exchanges), digest \(digest)",
        ]
        #expect(verdict.problems == problems)
        #expect(verification.cassettes[0].isOK)
        #expect(
            Array(verification.lines.suffix(5))
                == ["FAIL  r_1.jsonl.gz: \(verdict.exchanges) whole exchanges"] + problems.map { "      \($0)" }
                + ["1 of 2 cassettes damaged or incomplete"]
        )
        #expect(verification.firstProblems == [damage])
    }

    /// An index row that states another exchange count than the cassette holds is that cassette's problem.
    @Test func indexRowMismatch() throws {
        let directory = try TemporaryDirectory()
        try recordSession(in: directory)
        let indexPath = directory.path("index.json")
        let index = try String(contentsOfFile: indexPath, encoding: .utf8)
        try #require(index.components(separatedBy: #""exchanges": 2,"#).count == 2)
        try index.replacingOccurrences(of: #""exchanges": 2,"#, with: #""exchanges": 3,"#)
            .write(toFile: indexPath, atomically: true, encoding: .utf8)
        let verification = try verify(directory)
        let digest = CassetteDigest.digest(of: runExchanges)
        let problem =
            "\(indexPath): the row for r_1.jsonl.gz says 3 exchanges, digest \(digest); the cassette holds 2, "
            + "digest \(digest)"
        #expect(verification.cassettes.map(\.problems) == [[], [problem]])
        #expect(verification.indexProblems.isEmpty)
        #expect(verification.firstProblems == [problem])
        #expect(verification.lines.last == "1 of 2 cassettes damaged or incomplete")
    }

    /// A cassette the index has no row for is that cassette's problem; a row for a cassette that does not exist
    /// is the index's, unless one run was asked for.
    @Test func missingRowAndMissingCassette() throws {
        let directory = try TemporaryDirectory()
        try recordSession(in: directory)
        try FileManager.default.removeItem(atPath: directory.path("_default.jsonl.gz"))
        let unlisted = try CassetteWriter(
            directory: directory.url.path,
            run: RunID(validating: "r_2"),
            toolVersion: "1"
        )
        try unlisted.append(Fixtures.jsonExchange(seq: 0))
        try unlisted.finish()
        let indexPath = directory.path("index.json")

        let whole = try verify(directory)
        #expect(whole.cassettes.map(\.file) == ["r_1.jsonl.gz", "r_2.jsonl.gz"])
        #expect(whole.cassettes.map(\.problems) == [[], ["\(indexPath): no row for r_2.jsonl.gz"]])
        #expect(whole.indexProblems == ["\(indexPath): lists _default.jsonl.gz, which does not exist"])
        #expect(
            whole.firstProblems == [
                "\(indexPath): no row for r_2.jsonl.gz", "\(indexPath): lists _default.jsonl.gz, which does not exist",
            ]
        )
        #expect(
            Array(whole.lines.suffix(3)) == [
                "      \(indexPath): no row for r_2.jsonl.gz",
                "FAIL  \(indexPath): lists _default.jsonl.gz, which does not exist",
                "1 of 2 cassettes damaged or incomplete",
            ]
        )

        let oneRun = try verify(directory, run: "r_1")
        #expect(oneRun.isOK)
        #expect(oneRun.indexProblems.isEmpty)
    }

    /// While its recording process holds the session's lock, a cassette without its end record (and gzip
    /// trailer) is live, not damaged, and the process is named.
    @Test func liveCassetteOfALockHolder() throws {
        let directory = try TemporaryDirectory()
        let session = try CassetteSession(directory: directory.url.path, configuration: .null, toolVersion: "1")
        defer { _ = try? session.close() }
        for exchange in untaggedExchanges { try session.record(exchange, run: nil) }
        try session.finish(run: nil)
        try session.record(runExchanges[0], run: run)

        let verification = try verify(directory)
        #expect(verification.holder == .live(processID: Int(getpid())))
        #expect(verification.cassettes.map(\.isLive) == [false, true])
        #expect(verification.stillOpen == 1)
        #expect(verification.isOK)
        #expect(
            verification.lines == [
                "ok    _default.jsonl.gz: 1 exchanges, digest \(CassetteDigest.digest(of: untaggedExchanges))",
                "live  r_1.jsonl.gz: 1 exchanges so far, still being recorded",
                "1 cassettes are still being recorded by process \(getpid()); SIGHUP to it finishes the idle ones",
                "2 cassettes verified",
            ]
        )
        #expect(JSONWriter.string(verification.jsonValue).contains(#"{"file":"r_1.jsonl.gz","ok":true,"live":true,"#))
    }

    /// When the recording process ended without closing the session, its unfinished cassette is damaged, and
    /// the lock it left names the process.
    @Test func unfinishedCassetteOfAnEndedProcess() throws {
        let directory = try TemporaryDirectory()
        var session: CassetteSession? = try CassetteSession(
            directory: directory.url.path,
            configuration: .null,
            toolVersion: "1"
        )
        try session!.record(runExchanges[0], run: run)
        try session!.maintain(idleTimeout: nil)
        session = nil  // a crash: no close
        let path = directory.path("r_1.jsonl.gz")
        let damage = try #require(try Cassette.load(path: path).damage).description

        let verification = try verify(directory)
        #expect(verification.holder == .ended(processID: Int(getpid())))
        #expect(verification.stillOpen == 0)
        #expect(
            verification.cassettes.map(\.problems) == [
                [
                    damage,
                    "\(path): no end record (the recording process \(getpid()) ended without closing the session: "
                        + "killed or crashed)",
                ]
            ]
        )
    }
}
