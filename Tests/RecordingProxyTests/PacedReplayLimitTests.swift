import Cassettes
import Foundation
import Gzip
import HTTPTransport
import HTTPWire
import RecordingProxy
import TestSupport
import Testing
import Vocabulary

@Suite struct PacedReplayLimitTests {
    /// An untagged recording of `GET target` answered `200 target` at once.
    private func exchange(seq: Int, target: String) -> Exchange {
        Exchange(
            seq: seq,
            ordinal: seq,
            service: "maestro",
            started: Timestamp(millisecondsSinceEpoch: 1_764_072_000_000),
            request: RecordedRequest(method: "GET", target: target),
            response: RecordedResponse(status: 200, reason: "OK", content: .body(Array(target.utf8))),
            timing: Timing(ttfbMilliseconds: 0, totalMilliseconds: 0)
        )
    }

    /// A paced replay whose recorded time times the pace factor is too long for a duration (a recorded 1e300 ms, or
    /// `--pace 1e300`) waits instead of trapping: that request is still unanswered when its client gives up, the
    /// proxy answers the next request, and shutdown ends the wait. Before, the conversion of the wait to
    /// microseconds trapped with an arithmetic overflow and took the proxy down.
    @Test(arguments: [(1e300, ProxyConfiguration.Pace.recorded), (2, .factor(1e300))])
    func hugeWaitsDoNotTrap(recordedMilliseconds: Double, pace: ProxyConfiguration.Pace) async throws {
        let directory = try TemporaryDirectory()
        // Written line by line: tdf's own writer never writes a time it could not read back as milliseconds.
        let file = try GzipFileWriter(path: directory.path(RunID.untaggedFileName))
        let header = CassetteHeader(run: nil, created: Timestamp(millisecondsSinceEpoch: 0), toolVersion: "test")
        try file.append(CassetteRecord.header(header).encoded())
        let far = String(decoding: CassetteRecord.exchange(exchange(seq: 0, target: "/far")).encoded(), as: UTF8.self)
        try file.append(Array(far.replacingOccurrences(of: #"_ms":0"#, with: #"_ms":\#(recordedMilliseconds)"#).utf8))
        try file.append(CassetteRecord.exchange(exchange(seq: 1, target: "/near")).encoded())
        try file.close()

        let ((farFailure, near), report) = try await withProxy(
            proxyConfiguration(.replay, directory: directory.url.path, services: [("maestro", nil)], pace: pace)
        ) { proxy in
            let base = proxy.baseURL(for: "maestro")!
            let impatient = HTTPClient(configuration: HTTPClientConfiguration(readTimeout: .seconds(1)))
            defer { impatient.close() }
            var farFailure: HTTPClientError.Kind?
            do {
                _ = try await fetch(impatient, base, "/far")
            } catch let error as HTTPClientError {
                farFailure = error.kind
            }
            let client = HTTPClient()
            defer { client.close() }
            return (farFailure, try await fetch(client, base, "/near"))
        }
        #expect(farFailure == .readTimeout)
        #expect(near.status == 200)
        #expect(near.text == "/near")
        #expect(report.replayed == 2)
    }

    /// Shutdown cuts a paced wait inside a body too: a stream whose second chunk was recorded a century after the
    /// first, replayed at the recorded pace to a client that stays connected, no longer keeps the proxy from
    /// stopping (its connection stayed open, waiting for that chunk, and shutdown waited for the connection).
    @Test(.timeLimit(.minutes(1))) func shutdownCutsAWaitInsideABody() async throws {
        let directory = try TemporaryDirectory()
        let file = try GzipFileWriter(path: directory.path(RunID.untaggedFileName))
        let header = CassetteHeader(run: nil, created: Timestamp(millisecondsSinceEpoch: 0), toolVersion: "test")
        try file.append(CassetteRecord.header(header).encoded())
        var slow = exchange(seq: 0, target: "/slow")
        slow.response.content = .chunks([
            StreamChunk(atMilliseconds: 0, bytes: Array("first ".utf8)),
            StreamChunk(atMilliseconds: 3_000_000_000_000, bytes: Array("a century later".utf8)),
        ])
        try file.append(CassetteRecord.exchange(slow).encoded())
        try file.close()

        let proxy = try await ProxyServer.start(
            proxyConfiguration(.replay, directory: directory.url.path, services: [("maestro", nil)], pace: .recorded)
        )
        let client = HTTPClient()
        defer { client.close() }
        let response = try await client.execute(
            HTTPClientRequest(url: HTTPURL(string: proxy.baseURL(for: "maestro")! + "/slow")!)
        )
        var body = response.body.makeAsyncIterator()
        let first = try await body.next()
        #expect(first.map { String(decoding: $0, as: UTF8.self) } == "first ")
        let started = ContinuousClock.now
        let report = await proxy.shutdown()
        #expect(report.replayed == 1)
        #expect(ContinuousClock.now - started < .seconds(30), "shutdown waited for the century-long chunk")
    }
}
