import Cassettes
import Foundation
import HTTPWire
import JSON
import TestSupport
import Testing
import Vocabulary

/// The proxy's own failures (cassette-format.md §3.2.4) against the upstream's, and the recordings a replay lists
/// as unused.
@Suite struct ProxyGeneratedFailureTests {
    /// A recorded failure: the proxy's answer before the head (ttfb null) or the upstream's head and a cut after it.
    private static func failure(
        _ kind: Fault.Kind,
        status: Int = 502,
        proxyError: String? = nil,
        afterHead: Bool = false
    ) -> Exchange {
        var exchange = Fixtures.jsonExchange()
        exchange.response.status = status
        if let proxyError {
            exchange.response.headers = HTTPHeaders([(Exchange.proxyErrorHeader, proxyError)])
        }
        exchange.timing = Timing(ttfbMilliseconds: afterHead ? 1 : nil, totalMilliseconds: 2)
        exchange.fault = Fault(kind: kind, afterBytes: afterHead ? 5 : 0, detail: "\(kind)")
        return exchange
    }

    @Test func classifiesTheProxysOwnFailures() {
        #expect(Self.failure(.refused, proxyError: "upstream_refused").isProxyGeneratedFailure)
        #expect(Self.failure(.timeout, status: 504, proxyError: "upstream_timeout").isProxyGeneratedFailure)
        #expect(
            Self.failure(.reset, status: 503, proxyError: Exchange.shutdownErrorCode).isProxyGeneratedFailure
        )
        // The upstream's own behaviour: it accepted and closed, answered garbage, or broke a stream it had begun.
        #expect(!Self.failure(.reset, proxyError: "upstream_reset").isProxyGeneratedFailure)
        #expect(!Self.failure(.malformed, proxyError: "upstream_malformed").isProxyGeneratedFailure)
        #expect(!Self.failure(.timeout, status: 200, afterHead: true).isProxyGeneratedFailure)
        #expect(!Self.failure(.reset, status: 200, afterHead: true).isProxyGeneratedFailure)
        #expect(!Fixtures.jsonExchange().isProxyGeneratedFailure)
    }

    /// A recording that answers the request record-missing forwarded again takes the place of the proxy's failure:
    /// the same (run, ordinal) gets it from then on, and the failure is not listed as unused.
    @Test func aNewRecordingSupersedesTheProxysFailure() throws {
        let directory = try TemporaryDirectory()
        let run = try RunID(validating: "r_1")
        let refused = Self.failure(.refused, proxyError: "upstream_refused")
        try write([refused], run: run, in: directory)
        let library = ReplayLibrary(directory: directory.url.path, redactor: Redactor())
        let request = ReplayRequest(
            service: "maestro",
            method: "GET",
            target: refused.request.target,
            run: run,
            ordinal: 0
        )
        #expect(try library.match(request).get().exchange.isProxyGeneratedFailure)
        var answered = Fixtures.jsonExchange()
        answered.seq = 1
        library.add(answered, run: run)
        #expect(try library.match(request).get().exchange == answered)
        #expect(try library.match(request).get().exchange == answered)
        #expect(library.unusedRecordings().isEmpty)
    }

    /// Continuing an earlier session's cassette (record-missing) carries its exchanges over, except the proxy's
    /// own failures.
    @Test func recordMissingDoesNotCarryTheProxysFailuresOver() throws {
        let directory = try TemporaryDirectory()
        let run = try RunID(validating: "r_1")
        var kept = Self.failure(.reset, proxyError: "upstream_reset")
        kept.seq = 1
        kept.ordinal = 1
        try write([Self.failure(.refused, proxyError: "upstream_refused"), kept], run: run, in: directory)
        let session = try CassetteSession(
            directory: directory.url.path,
            configuration: .object([]),
            toolVersion: "1",
            keepsExistingCassettes: true
        )
        var answered = Fixtures.jsonExchange()
        let slot = try session.reserve(run: run, ordinal: 0)
        (answered.seq, answered.ordinal) = (slot.seq, slot.ordinal)
        try session.record(answered, run: run)
        try session.close()
        let cassette = try Cassette.load(path: directory.path(run.fileName))
        #expect(cassette.exchanges.map(\.fault?.kind) == [.reset, nil])
        #expect(cassette.exchanges.last == answered)
        #expect(cassette.isComplete)
    }

    /// The unused recordings of a replay are every recording in the directory, in cassettes no request opened
    /// too; a damaged cassette among them is a problem, not a crash.
    @Test func listsTheRecordingsOfCassettesNeverOpened() throws {
        let directory = try TemporaryDirectory()
        let served = try RunID(validating: "r_1")
        let untouched = try RunID(validating: "r_2")
        try write([Fixtures.jsonExchange(seq: 0)], run: served, in: directory)
        try write([Fixtures.jsonExchange(seq: 0), Fixtures.jsonExchange(seq: 1)], run: untouched, in: directory)
        try Data("not gzip".utf8).write(to: URL(fileURLWithPath: directory.path("r_3.jsonl.gz")))
        let library = ReplayLibrary(directory: directory.url.path, redactor: Redactor())
        let request = ReplayRequest(
            service: "maestro",
            method: "GET",
            target: Fixtures.jsonExchange(seq: 0).request.target,
            run: served,
            ordinal: 0
        )
        _ = try library.match(request).get()
        let unused = library.unusedRecordings()
        #expect(unused.map(\.cassette) == ["r_2.jsonl.gz", "r_2.jsonl.gz"])
        #expect(unused.map(\.seq) == [0, 1])
        #expect(library.problems.count == 1)
        #expect(library.problems.first?.contains("r_3.jsonl.gz") == true)
    }

    private func write(_ exchanges: [Exchange], run: RunID?, in directory: TemporaryDirectory) throws {
        let writer = try CassetteWriter(directory: directory.url.path, run: run, toolVersion: "1")
        for exchange in exchanges { try writer.append(exchange) }
        try writer.finish()
    }
}
